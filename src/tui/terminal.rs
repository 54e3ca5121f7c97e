//! The real terminal: raw mode and the alternate screen, always given back —
//! on quit, on error, on panic (hook installed before the terminal is
//! touched) and around the shell.

use std::io::{Stdout, stdout};

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tty = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal before the default hook prints the panic, so the
/// message is readable and the shell usable. Install once, before `enter`.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
}

/// Raw mode and the alternate screen.
pub fn enter() -> std::io::Result<Tty> {
    enable_raw_mode()?;
    // The mouse: clicks focus panels, drags select task text, the wheel
    // scrolls. A paste arrives whole, never as keys that are commands.
    if let Err(e) = execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    ) {
        leave();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout())).inspect_err(|_| leave())
}

/// Back to the normal screen in cooked mode. Safe to call more than once.
pub fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
}

/// Leaves the terminal when dropped, whichever way `run` returns.
pub struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        leave();
    }
}
