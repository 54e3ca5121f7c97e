//! Keys to actions, by screen: k9s/less habits (j/k and arrows, Enter, `?`,
//! Esc back, `q` quit) and typing wherever text is entered.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

use super::app::{Action, App, Focus, Overlay, Screen};
use super::console::ConsoleAction;

/// What `key` means in the app's current state, if anything.
pub fn action(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if app.overlay.is_none()
        && let Route::Terminal(decided) = terminal_keys(app, key)
    {
        return decided;
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
        KeyCode::Right => Some(Action::NextDomain),
        KeyCode::Left => Some(Action::PrevDomain),
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
        KeyCode::Char('y') => Action::TypeNames,
        KeyCode::Char('z') => Action::Zoom,
        _ => return None,
    })
}

/// Whether the terminal decides what a key means (and what it decided).
enum Route {
    Terminal(Option<Action>),
    Elsewhere,
}

/// Keys of the embedded terminal: F6 and F7 everywhere on the exam screen;
/// while the terminal has focus every other key is the shell's, except
/// Shift-PgUp/PgDn (scrollback, as in xterm).
fn terminal_keys(app: &App, key: KeyEvent) -> Route {
    let (Some(exam), Some(console)) = (app.exam.as_ref(), app.console.as_ref()) else {
        return Route::Elsewhere;
    };
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    let page = i32::from(console.size().0.max(2) / 2);
    let scroll = match key.code {
        KeyCode::PageUp if shift => Some(Action::Console(ConsoleAction::Scroll(page))),
        KeyCode::PageDown if shift => Some(Action::Console(ConsoleAction::Scroll(-page))),
        _ => None,
    };
    let to = |a: Action| Route::Terminal(Some(a));
    match app.screen {
        Screen::Exam => match key.code {
            KeyCode::F(6) => to(Action::FocusNext),
            KeyCode::F(7) => to(Action::Zoom),
            _ if exam.focus != Focus::Terminal => Route::Elsewhere,
            _ if scroll.is_some() => Route::Terminal(scroll),
            KeyCode::Enter if !console.is_live() => to(Action::Console(ConsoleAction::Restart)),
            _ => to(Action::Console(ConsoleAction::Key(key))),
        },
        Screen::Results if console.on_results => Route::Terminal(match key.code {
            KeyCode::Char('t') | KeyCode::Esc => Some(Action::ShowTerminal),
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Up => Some(Action::Console(ConsoleAction::Scroll(1))),
            KeyCode::Down => Some(Action::Console(ConsoleAction::Scroll(-1))),
            _ => scroll,
        }),
        Screen::Results if key.code == KeyCode::Char('t') => to(Action::ShowTerminal),
        Screen::Results | Screen::Picker => Route::Elsewhere,
    }
}

/// What the mouse means: clicks, drags and the wheel; plain moves mean
/// nothing (and cause no redraw).
pub fn mouse(app: &App, event: MouseEvent) -> Option<Action> {
    match event.kind {
        MouseEventKind::Moved => None,
        _ if app.overlay.is_some() || app.exam.is_none() => None,
        _ => Some(Action::Mouse(event)),
    }
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
