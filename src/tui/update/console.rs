//! How focus, zoom, the mouse and the embedded terminal change the `App`,
//! and `sync`: which shell the open attempt needs (started with the exam,
//! restarted on resume, ended with it) at which size.

use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::Widget as _;

use crate::tui::app::{Action, App, Effect, Focus, Screen, ShellRequest};
use crate::tui::console::{Console, ConsoleAction, ConsoleEffect, ConsoleEvent, Shell, xterm};
use crate::tui::select::Selection;
use crate::tui::{layout, markdown, strings};

/// Wheel steps, in lines.
const WHEEL: i32 = 3;

/// Applies the terminal's, focus and mouse actions; `None` for the others.
pub fn update(app: &mut App, action: Action) -> Option<Option<Effect>> {
    Some(match action {
        Action::FocusNext => focus_next(app),
        Action::Zoom => zoom(app),
        Action::Console(a) => console_action(app, a),
        Action::TypeNames => type_names(app),
        Action::ShowTerminal => {
            if let Some(c) = app.console.as_mut() {
                c.on_results = !c.on_results;
            }
            None
        }
        Action::Mouse(m) => mouse(app, m),
        _ => return None,
    })
}

pub fn receive(app: &mut App, event: ConsoleEvent) -> Option<Effect> {
    if let Some(c) = app.console.as_mut() {
        c.receive(event);
    }
    None
}

/// The shell `s` and the terminal panel start for the open attempt.
pub fn shell_request(app: &App) -> Option<ShellRequest> {
    let exam = app.exam.as_ref()?;
    let namespace = app
        .entry()
        .and_then(|e| e.scenario.namespaces.first().cloned());
    Some(ShellRequest {
        scenario: exam.session.scenario.clone(),
        namespace,
        context: app.context.clone(),
        time_left: exam.session.time_left(app.now()),
        session_id: exam.session.id.clone(),
    })
}

/// What the terminal needs after a change: a shell while the attempt runs
/// on the exam screen, none once it is over or left, the size its panel
/// has. Called after every update, so starts, resumes, the end of the exam
/// and resizes all go through here.
pub fn sync(app: &mut App) -> Option<Effect> {
    let now = app.now();
    // Time up ends the shell at once, before the final grade arrives.
    let running = app
        .exam
        .as_ref()
        .filter(|e| !e.session.is_finished() && !e.session.is_expired(now));
    // A read-only view (another ckasim holds the attempt) gets no shell of
    // its own; it gets one when it takes the attempt over.
    let on_exam = app.screen == Screen::Exam && running.is_some() && app.read_only.is_none();
    let session_id = app.exam.as_ref().map(|e| e.session.id.clone());
    let belongs = app
        .console
        .as_ref()
        .is_some_and(|c| Some(&c.session_id) == session_id.as_ref());
    if !belongs {
        let was_live = app.console.take().is_some_and(|c| c.is_live());
        if let (true, Some(id)) = (on_exam, session_id) {
            app.console = Some(Console::new(&id, 1, 1));
            let (rows, cols) = layout::exam(app, app.area)
                .terminal_size()
                .unwrap_or((24, 80));
            let request = shell_request(app)?;
            let console = app.console.as_mut()?;
            let _ = console.resize(rows, cols);
            return Some(Effect::Console(console.open(request)));
        }
        return was_live.then_some(Effect::Console(ConsoleEffect::Close));
    }
    if app.read_only.is_some() {
        // Dropped, not closed: taking the attempt over opens a fresh one.
        let was_live = app.console.take().is_some_and(|c| c.is_live());
        return was_live.then_some(Effect::Console(ConsoleEffect::Close));
    }
    if !on_exam {
        let console = app.console.as_mut()?;
        if console.is_live() {
            console.shell = Shell::Closed;
            console.zoom = false;
            return Some(Effect::Console(ConsoleEffect::Close));
        }
        return None;
    }
    let (rows, cols) = layout::exam(app, app.area).terminal_size()?;
    app.console
        .as_mut()?
        .resize(rows, cols)
        .map(Effect::Console)
}

fn focus_next(app: &mut App) -> Option<Effect> {
    let console = app.console.as_mut()?;
    let exam = app.exam.as_mut()?;
    if app.screen != Screen::Exam {
        return None;
    }
    let zoomed = exam.zoom || console.zoom;
    exam.focus = if exam.focus == Focus::Terminal {
        Focus::Tasks
    } else {
        Focus::Terminal
    };
    // A zoomed screen shows the panel that has focus.
    console.zoom = zoomed && exam.focus == Focus::Terminal;
    exam.zoom = zoomed && exam.focus != Focus::Terminal;
    app.selection = None;
    None
}

fn zoom(app: &mut App) -> Option<Effect> {
    let exam = app.exam.as_mut()?;
    match app.console.as_mut() {
        Some(c) if exam.focus == Focus::Terminal => c.zoom = !c.zoom,
        _ => exam.zoom = !exam.zoom,
    }
    app.selection = None;
    None
}

fn console_action(app: &mut App, action: ConsoleAction) -> Option<Effect> {
    let console = app.console.as_mut()?;
    match action {
        ConsoleAction::Key(key) => {
            if !console.is_live() {
                return None;
            }
            // Typing returns to the live screen, as terminals do.
            console.scroll(i32::MIN);
            let app_cursor = console.parser.screen().application_cursor();
            let bytes = xterm::encode(key, app_cursor);
            (!bytes.is_empty()).then_some(Effect::Console(ConsoleEffect::Input(bytes)))
        }
        ConsoleAction::Scroll(by) => {
            console.scroll(by);
            None
        }
        ConsoleAction::Restart => {
            if console.is_live() || app.screen != Screen::Exam {
                return None;
            }
            let request = shell_request(app)?;
            Some(Effect::Console(app.console.as_mut()?.open(request)))
        }
    }
}

/// Pasted text: into the shell while the terminal has focus (bracketed when
/// the program there asked for it), into the notes while they are edited;
/// elsewhere ignored, so that a paste is never a burst of commands.
pub fn paste(app: &mut App, text: &str) -> Option<Effect> {
    let exam = app.exam.as_mut()?;
    if app.screen != Screen::Exam {
        return None;
    }
    match exam.focus {
        Focus::Notes => {
            exam.session.notes.push_str(&text.replace("\r\n", "\n"));
            exam.notes_dirty = true;
            None
        }
        Focus::Terminal => {
            let console = app.console.as_mut().filter(|c| c.is_live())?;
            console.scroll(i32::MIN);
            let bytes = if console.parser.screen().bracketed_paste() {
                format!("\x1b[200~{text}\x1b[201~")
            } else {
                text.replace("\r\n", "\r").replace('\n', "\r")
            };
            Some(Effect::Console(ConsoleEffect::Input(bytes.into_bytes())))
        }
        Focus::Tasks => None,
    }
}

/// `y`: the selected task text, else the task's next object name, typed
/// into the terminal (followed by a space, ready for the next word).
fn type_names(app: &mut App) -> Option<Effect> {
    if !app.console.as_ref().is_some_and(Console::is_live) {
        return None;
    }
    let typed = match app.selection.take().filter(|s| !s.is_empty()) {
        Some(s) => s.text(&drawn(app)),
        None => next_name(app)?,
    };
    app.message = Some(strings::typed(&typed));
    let mut bytes = typed.into_bytes();
    bytes.push(b' ');
    Some(Effect::Console(ConsoleEffect::Input(bytes)))
}

/// The selected task's next object name (its `code` spans in turn).
fn next_name(app: &mut App) -> Option<String> {
    let body = app
        .entry()
        .zip(app.exam.as_ref())
        .and_then(|(e, x)| e.scenario.tasks.get(x.selected))
        .map(|t| t.body.get(app.lang.code()).to_string())
        .unwrap_or_default();
    let names = markdown::code_spans(&body);
    let exam = app.exam.as_mut()?;
    let Some(name) = names.get(exam.next_name % names.len().max(1)) else {
        app.message = Some(strings::NO_NAMES.into());
        return None;
    };
    exam.next_name += 1;
    Some(name.clone())
}

/// The screen as the view draws it now (selections read their text here).
fn drawn(app: &App) -> Buffer {
    let mut buf = Buffer::empty(app.area);
    app.render(app.area, &mut buf);
    buf
}

fn mouse(app: &mut App, m: MouseEvent) -> Option<Effect> {
    let at = Position::new(m.column, m.row);
    if app.screen == Screen::Results {
        let console = app.console.as_mut()?;
        match m.kind {
            MouseEventKind::ScrollUp => console.scroll(WHEEL),
            MouseEventKind::ScrollDown => console.scroll(-WHEEL),
            _ => {}
        }
        return None;
    }
    if app.screen != Screen::Exam {
        return None;
    }
    let l = layout::exam(app, app.area);
    let inside = |r: Rect| r.contains(at);
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            app.selection = None;
            let exam = app.exam.as_mut()?;
            if inside(l.terminal) {
                exam.focus = Focus::Terminal;
            } else if inside(l.notes) {
                exam.focus = Focus::Notes;
            } else if inside(l.tasks) || inside(l.text) {
                exam.focus = Focus::Tasks;
                if inside(l.text) {
                    app.selection = Some(Selection::new(inner(l.text), at));
                } else if let Some(row) = at.y.checked_sub(l.tasks.y + 1) {
                    let count = app.entry().map_or(0, |e| e.scenario.tasks.len());
                    let exam = app.exam.as_mut()?;
                    if usize::from(row) < count && exam.selected != usize::from(row) {
                        exam.selected = usize::from(row);
                        exam.text_scroll = 0;
                        exam.next_name = 0;
                    }
                }
            }
            None
        }
        MouseEventKind::Drag(MouseButton::Left) => {
            if let Some(s) = app.selection.as_mut() {
                s.extend(at);
            }
            None
        }
        MouseEventKind::Up(MouseButton::Left) => {
            let selection = app.selection.filter(|s| !s.is_empty());
            let Some(s) = selection else {
                app.selection = None;
                return None;
            };
            let text = s.text(&drawn(app));
            if text.is_empty() {
                return None;
            }
            app.message = Some(strings::COPIED.into());
            Some(Effect::Console(ConsoleEffect::Copy(text)))
        }
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let up = m.kind == MouseEventKind::ScrollUp;
            if inside(l.terminal) {
                let console = app.console.as_mut()?;
                let screen = console.parser.screen();
                if console.is_live() && screen.alternate_screen() {
                    // A full-screen program (less, vim) has no scrollback:
                    // the wheel moves it with arrow keys, as xterm does.
                    let arrow = KeyEvent::from(if up { KeyCode::Up } else { KeyCode::Down });
                    let one = xterm::encode(arrow, screen.application_cursor());
                    return Some(Effect::Console(ConsoleEffect::Input(one.repeat(3))));
                }
                console.scroll(if up { WHEEL } else { -WHEEL });
            } else if inside(l.text) {
                let exam = app.exam.as_mut()?;
                let by = WHEEL.unsigned_abs() as u16;
                exam.text_scroll = if up {
                    exam.text_scroll.saturating_sub(by)
                } else {
                    exam.text_scroll.saturating_add(by)
                };
            }
            None
        }
        _ => None,
    }
}

/// Inside a panel's border.
fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x + 1,
        y: r.y + 1,
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}
