//! Keys as the bytes xterm sends for them, so that readline, vim and less in
//! the embedded terminal see what they would see in a real one.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The bytes for `key`; `app_cursor` is DECCKM (the shell asked for
/// application cursor keys, as vim and less do). Empty for keys xterm does
/// not send (media keys, lone modifiers).
pub fn encode(key: KeyEvent, app_cursor: bool) -> Vec<u8> {
    let m = key.modifiers;
    let alt = m.contains(KeyModifiers::ALT);
    let ctrl = m.contains(KeyModifiers::CONTROL);
    // xterm's modifier parameter: 1 + Shift 1 + Alt 2 + Ctrl 4.
    let param =
        1 + u8::from(m.contains(KeyModifiers::SHIFT)) + 2 * u8::from(alt) + 4 * u8::from(ctrl);
    let mut out = Vec::new();
    let esc_prefixed = |mut bytes: Vec<u8>| {
        if alt {
            bytes.insert(0, 0x1b);
        }
        bytes
    };
    match key.code {
        KeyCode::Char(c) => {
            let bytes = if ctrl {
                control(c).map_or_else(|| char_bytes(c), |b| vec![b])
            } else {
                char_bytes(c)
            };
            return esc_prefixed(bytes);
        }
        KeyCode::Enter => return esc_prefixed(vec![b'\r']),
        KeyCode::Tab => return esc_prefixed(vec![b'\t']),
        KeyCode::BackTab => out.extend_from_slice(b"\x1b[Z"),
        KeyCode::Backspace => return esc_prefixed(vec![if ctrl { 0x08 } else { 0x7f }]),
        KeyCode::Esc => return esc_prefixed(vec![0x1b]),
        KeyCode::Up => cursor(&mut out, b'A', param, app_cursor),
        KeyCode::Down => cursor(&mut out, b'B', param, app_cursor),
        KeyCode::Right => cursor(&mut out, b'C', param, app_cursor),
        KeyCode::Left => cursor(&mut out, b'D', param, app_cursor),
        KeyCode::Home => cursor(&mut out, b'H', param, app_cursor),
        KeyCode::End => cursor(&mut out, b'F', param, app_cursor),
        KeyCode::Insert => tilde(&mut out, 2, param),
        KeyCode::Delete => tilde(&mut out, 3, param),
        KeyCode::PageUp => tilde(&mut out, 5, param),
        KeyCode::PageDown => tilde(&mut out, 6, param),
        KeyCode::F(n @ 1..=4) => {
            let last = b"PQRS"[usize::from(n - 1)];
            if param == 1 {
                out.extend_from_slice(&[0x1b, b'O', last]);
            } else {
                out.extend_from_slice(format!("\x1b[1;{param}").as_bytes());
                out.push(last);
            }
        }
        KeyCode::F(n @ 5..=12) => {
            let code = [15, 17, 18, 19, 20, 21, 23, 24][usize::from(n - 5)];
            tilde(&mut out, code, param);
        }
        _ => {}
    }
    out
}

fn char_bytes(c: char) -> Vec<u8> {
    let mut b = [0; 4];
    c.encode_utf8(&mut b).as_bytes().to_vec()
}

/// Ctrl with a character: the C0 control xterm sends.
fn control(c: char) -> Option<u8> {
    match c {
        'a'..='z' => Some(c as u8 - b'a' + 1),
        'A'..='Z' => Some(c as u8 - b'A' + 1),
        '@' | ' ' | '2' => Some(0),
        '[' | '3' => Some(0x1b),
        '\\' | '4' => Some(0x1c),
        ']' | '5' => Some(0x1d),
        '^' | '6' => Some(0x1e),
        '_' | '/' | '7' => Some(0x1f),
        '?' | '8' => Some(0x7f),
        _ => None,
    }
}

fn cursor(out: &mut Vec<u8>, last: u8, param: u8, app_cursor: bool) {
    if param > 1 {
        out.extend_from_slice(format!("\x1b[1;{param}").as_bytes());
    } else if app_cursor {
        out.extend_from_slice(b"\x1bO");
    } else {
        out.extend_from_slice(b"\x1b[");
    }
    out.push(last);
}

fn tilde(out: &mut Vec<u8>, code: u8, param: u8) {
    if param > 1 {
        out.extend_from_slice(format!("\x1b[{code};{param}~").as_bytes());
    } else {
        out.extend_from_slice(format!("\x1b[{code}~").as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> Vec<u8> {
        encode(KeyEvent::new(code, m), false)
    }

    #[test]
    fn keys_encode_as_xterm_sends_them() {
        let none = KeyModifiers::NONE;
        assert_eq!(key(KeyCode::Char('c'), KeyModifiers::CONTROL), [3]);
        assert_eq!(key(KeyCode::Char('d'), KeyModifiers::CONTROL), [4]);
        assert_eq!(key(KeyCode::Char('b'), KeyModifiers::ALT), b"\x1bb");
        assert_eq!(key(KeyCode::Char('é'), none), "é".as_bytes());
        assert_eq!(key(KeyCode::Enter, none), b"\r");
        assert_eq!(key(KeyCode::Tab, none), b"\t");
        assert_eq!(key(KeyCode::BackTab, KeyModifiers::SHIFT), b"\x1b[Z");
        assert_eq!(key(KeyCode::Backspace, none), [0x7f]);
        assert_eq!(key(KeyCode::Esc, none), [0x1b]);
        assert_eq!(key(KeyCode::Up, none), b"\x1b[A");
        assert_eq!(
            encode(KeyEvent::new(KeyCode::Up, none), true),
            b"\x1bOA".to_vec()
        );
        assert_eq!(key(KeyCode::Left, KeyModifiers::CONTROL), b"\x1b[1;5D");
        assert_eq!(key(KeyCode::Delete, none), b"\x1b[3~");
        assert_eq!(key(KeyCode::PageDown, KeyModifiers::SHIFT), b"\x1b[6;2~");
        assert_eq!(key(KeyCode::F(1), none), b"\x1bOP");
        assert_eq!(key(KeyCode::F(5), none), b"\x1b[15~");
        assert_eq!(key(KeyCode::F(12), KeyModifiers::CONTROL), b"\x1b[24;5~");
    }
}
