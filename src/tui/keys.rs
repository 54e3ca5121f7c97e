//! Keys to actions, by screen: k9s/less habits (j/k and arrows, Enter, `?`,
//! Esc back, `q` quit) and typing wherever text is entered.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{Action, App, Focus, Overlay, Screen};

/// What `key` means in the app's current state, if anything.
pub fn action(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl {
        return match key.code {
            // Raw mode turns Ctrl-C into a key: ask, as `q` does.
            KeyCode::Char('c' | 'q') => Some(Action::Quit),
            KeyCode::Char('d') => Some(Action::PageDown),
            KeyCode::Char('u') => Some(Action::PageUp),
            _ => None,
        };
    }
    if let Some(overlay) = app.overlay {
        return match (overlay, key.code) {
            (Overlay::Help, KeyCode::Esc | KeyCode::Char('?' | 'q')) => Some(Action::Back),
            (Overlay::ConfirmQuit | Overlay::ConfirmGrade, KeyCode::Char('y' | 'Y')) => {
                Some(Action::Confirm)
            }
            (Overlay::ConfirmQuit | Overlay::ConfirmGrade, KeyCode::Char('n' | 'N' | 'q')) => {
                Some(Action::Cancel)
            }
            (_, KeyCode::Esc) => Some(Action::Cancel),
            _ => None,
        };
    }
    if let Some(a) = common(key.code) {
        return Some(a);
    }
    match app.screen {
        Screen::Picker => picker(app, key.code),
        Screen::Exam => {
            let notes = app.exam.as_ref().is_some_and(|e| e.focus == Focus::Notes);
            if notes {
                notes_pane(key.code)
            } else {
                exam(key.code)
            }
        }
        Screen::Results => results(key.code),
    }
}

/// Keys that mean the same on every screen and never type text.
fn common(code: KeyCode) -> Option<Action> {
    match code {
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::F(1) => Some(Action::Help),
        _ => None,
    }
}

fn picker(app: &App, code: KeyCode) -> Option<Action> {
    match code {
        KeyCode::Enter => Some(Action::Select),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Tab => Some(Action::ToggleMode),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Char('?') => Some(Action::Help),
        // Typing filters; `q` quits only when there is nothing typed yet.
        KeyCode::Char('q') if app.picker.filter.is_empty() => Some(Action::Quit),
        KeyCode::Char(c) => Some(Action::Type(c)),
        _ => None,
    }
}

fn notes_pane(code: KeyCode) -> Option<Action> {
    match code {
        KeyCode::Esc | KeyCode::Tab => Some(Action::Notes),
        KeyCode::Enter => Some(Action::Type('\n')),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Char(c) => Some(Action::Type(c)),
        _ => None,
    }
}

fn exam(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Char('j') => Action::Down,
        KeyCode::Char('k') => Action::Up,
        KeyCode::Char(' ') => Action::PageDown,
        KeyCode::Char('b') => Action::PageUp,
        KeyCode::Enter => Action::Select,
        KeyCode::Esc => Action::Back,
        KeyCode::Tab | KeyCode::Char('n') => Action::Notes,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('f') => Action::Flag,
        KeyCode::Char('d') => Action::Done,
        KeyCode::Char('g') => Action::Grade,
        KeyCode::Char('c') => Action::Check,
        KeyCode::Char('s') => Action::Shell,
        KeyCode::Char('p') => Action::Pause,
        KeyCode::Char('h') => Action::Hints,
        KeyCode::Char('l') => Action::Language,
        _ => return None,
    })
}

fn results(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Char('j') => Action::Down,
        KeyCode::Char('k') => Action::Up,
        KeyCode::Char(' ') => Action::PageDown,
        KeyCode::Char('b') => Action::PageUp,
        KeyCode::Enter | KeyCode::Esc => Action::Back,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('l') => Action::Language,
        _ => return None,
    })
}
