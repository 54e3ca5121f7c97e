//! The embedded terminal's state: what the shell in the pseudo-terminal has
//! drawn (a vt100 screen with scrollback), whether it runs, how far the
//! candidate scrolled back. It lives in the `App` like any other state:
//! output arrives as `AppEvent::Console`, keys leave as `Effect::Console`,
//! the view draws the screen. The pseudo-terminal itself is I/O and belongs
//! to the event loop (`pty.rs`).

pub mod xterm;

use std::fmt;

use super::app::ShellRequest;

/// Lines kept above the visible screen.
pub const SCROLLBACK: usize = 5000;

/// What the candidate meant for the terminal panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleAction {
    /// A key for the shell (encoded as xterm does when sent).
    Key(crossterm::event::KeyEvent),
    /// Scroll back (positive) or forward (negative), in lines.
    Scroll(i32),
    /// Start a new shell after the last one exited.
    Restart,
}

/// A result of the pseudo-terminal, tagged with the shell it came from.
#[derive(Debug)]
pub enum ConsoleEvent {
    /// The shell runs; `note` says what kubectl points at.
    Started {
        shell: u64,
        note: String,
    },
    Output {
        shell: u64,
        bytes: Vec<u8>,
    },
    Exited {
        shell: u64,
        status: String,
    },
    /// The shell could not be started.
    Failed {
        shell: u64,
        reason: String,
    },
}

/// Start shell number `shell` for `request` at this size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenShell {
    pub shell: u64,
    pub request: ShellRequest,
    pub rows: u16,
    pub cols: u16,
}

/// A side effect on the pseudo-terminal, for the event loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleEffect {
    Open(OpenShell),
    /// Bytes typed into the shell.
    Input(Vec<u8>),
    Resize {
        rows: u16,
        cols: u16,
    },
    /// End the shell (the attempt is over or left).
    Close,
    /// Put text on the outer terminal's clipboard (OSC 52).
    Copy(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shell {
    Starting,
    Running,
    /// The shell ended by itself (`exit`); Enter starts a new one.
    Exited(String),
    /// The attempt is over: the screen stays readable, nothing runs.
    Closed,
}

/// The terminal panel of one attempt.
pub struct Console {
    /// The attempt it belongs to.
    pub session_id: String,
    /// Which shell the screen shows (bumped on every start, so output of an
    /// earlier one is ignored).
    pub shell_id: u64,
    pub shell: Shell,
    pub parser: vt100::Parser,
    /// Terminal panel over the whole body.
    pub zoom: bool,
    /// Results: the terminal is shown instead.
    pub on_results: bool,
}

impl fmt::Debug for Console {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Console")
            .field("session_id", &self.session_id)
            .field("shell_id", &self.shell_id)
            .field("shell", &self.shell)
            .field("size", &self.parser.screen().size())
            .field("scrollback", &self.parser.screen().scrollback())
            .finish_non_exhaustive()
    }
}

impl Console {
    pub fn new(session_id: &str, rows: u16, cols: u16) -> Console {
        Console {
            session_id: session_id.to_string(),
            shell_id: 0,
            shell: Shell::Closed,
            parser: vt100::Parser::new(rows.max(1), cols.max(1), SCROLLBACK),
            zoom: false,
            on_results: false,
        }
    }

    /// (rows, columns) of the screen.
    pub fn size(&self) -> (u16, u16) {
        self.parser.screen().size()
    }

    pub fn is_live(&self) -> bool {
        matches!(self.shell, Shell::Starting | Shell::Running)
    }

    /// Starts a new shell.
    pub fn open(&mut self, request: ShellRequest) -> ConsoleEffect {
        self.shell_id += 1;
        self.shell = Shell::Starting;
        self.parser.screen_mut().set_scrollback(0);
        let (rows, cols) = self.size();
        ConsoleEffect::Open(OpenShell {
            shell: self.shell_id,
            request,
            rows,
            cols,
        })
    }

    /// A line of ckasim's own in the terminal (dim, on a line of its own).
    pub fn write_note(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let (_, col) = self.parser.screen().cursor_position();
        let mut bytes = Vec::new();
        if col > 0 {
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\x1b[2m");
        bytes.extend_from_slice(text.trim_end().replace('\n', "\r\n").as_bytes());
        bytes.extend_from_slice(b"\x1b[0m\r\n");
        self.parser.process(&bytes);
    }

    /// Applies a result of the pseudo-terminal; output of an earlier shell
    /// is dropped.
    pub fn receive(&mut self, event: ConsoleEvent) {
        match event {
            ConsoleEvent::Started { shell, note } if shell == self.shell_id => {
                self.shell = Shell::Running;
                self.write_note(&note);
            }
            ConsoleEvent::Output { shell, bytes } if shell == self.shell_id => {
                if self.shell == Shell::Starting {
                    self.shell = Shell::Running;
                }
                self.parser.process(&bytes);
            }
            ConsoleEvent::Exited { shell, status } if shell == self.shell_id && self.is_live() => {
                self.write_note(&super::strings::shell_exited(&status));
                self.shell = Shell::Exited(status);
            }
            ConsoleEvent::Failed { shell, reason } if shell == self.shell_id => {
                self.write_note(&reason);
                self.shell = Shell::Exited(reason);
            }
            _ => {}
        }
    }

    /// Rows scrolled back from the live screen.
    pub fn scrolled(&self) -> usize {
        self.parser.screen().scrollback()
    }

    pub fn scroll(&mut self, by: i32) {
        let now = self.scrolled();
        let to = if by >= 0 {
            now.saturating_add(by.unsigned_abs() as usize)
        } else {
            now.saturating_sub(by.unsigned_abs() as usize)
        };
        // vt100 clamps to the lines it holds.
        self.parser.screen_mut().set_scrollback(to);
    }

    /// Resizes the screen; the effect resizes the pseudo-terminal when a
    /// shell runs.
    pub fn resize(&mut self, rows: u16, cols: u16) -> Option<ConsoleEffect> {
        let (rows, cols) = (rows.max(1), cols.max(1));
        if self.size() == (rows, cols) {
            return None;
        }
        self.parser.screen_mut().set_size(rows, cols);
        self.is_live()
            .then_some(ConsoleEffect::Resize { rows, cols })
    }

    /// The visible text, rows joined by newlines, trailing blanks trimmed.
    pub fn text(&self) -> String {
        self.parser.screen().contents()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_of_an_earlier_shell_is_ignored_and_exit_is_shown() {
        let mut c = Console::new("s1", 5, 40);
        let request = ShellRequest {
            scenario: "x".into(),
            namespace: None,
            context: None,
            time_left: std::time::Duration::ZERO,
            session_id: "s1".into(),
        };
        let first = c.open(request.clone());
        assert!(matches!(
            first,
            ConsoleEffect::Open(OpenShell {
                shell: 1,
                rows: 5,
                cols: 40,
                ..
            })
        ));
        c.receive(ConsoleEvent::Output {
            shell: 1,
            bytes: b"$ ls\r\n".to_vec(),
        });
        assert_eq!(c.shell, Shell::Running);
        c.open(request);
        c.receive(ConsoleEvent::Output {
            shell: 1,
            bytes: b"stale".to_vec(),
        });
        assert!(!c.text().contains("stale"));
        c.receive(ConsoleEvent::Exited {
            shell: 2,
            status: "exit code 0".into(),
        });
        assert!(c.text().contains("exit code 0"), "{}", c.text());
        assert!(!c.is_live());
    }

    #[test]
    fn scrollback_moves_through_earlier_lines() {
        let mut c = Console::new("s1", 3, 20);
        let lines = (1..=10).fold(String::new(), |acc, i| acc + &format!("line {i}\r\n"));
        c.parser.process(lines.as_bytes());
        assert!(c.text().contains("line 10"));
        c.scroll(5);
        assert_eq!(c.scrolled(), 5);
        let screen = c.parser.screen();
        let top: Vec<String> = screen.rows(0, 20).collect();
        // The live screen starts at line 9; five lines back, at line 4.
        assert_eq!(top[0], "line 4");
        c.scroll(-100);
        assert_eq!(c.scrolled(), 0);
    }
}
