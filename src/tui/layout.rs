//! Where the exam screen's panels go at a given size: side by side when the
//! screen is wide, stacked when it is narrow, one panel over the whole body
//! when zoomed. The view draws into these areas, the mouse is matched
//! against them and the pseudo-terminal is sized from them.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::{App, Focus};

/// From this width the terminal sits beside the task (a terminal needs
/// about 80 columns, the task about 50).
pub const SIDE_BY_SIDE: u16 = 130;

/// The exam screen's areas; a hidden panel has an empty area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExamLayout {
    pub header: Rect,
    pub tasks: Rect,
    pub notes: Rect,
    pub text: Rect,
    pub terminal: Rect,
    pub status: Rect,
    pub keys: Rect,
}

impl ExamLayout {
    /// The terminal's inner size (rows, columns), inside its border.
    pub fn terminal_size(&self) -> Option<(u16, u16)> {
        let t = self.terminal;
        (t.width > 2 && t.height > 2).then(|| (t.height - 2, t.width - 2))
    }
}

pub fn exam(app: &App, area: Rect) -> ExamLayout {
    let [header, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        // With a terminal on screen the status keeps two rows, so that a
        // message does not resize the terminal.
        Constraint::Length(if app.console.is_some() {
            2
        } else {
            super::view::status_height(app)
        }),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut l = ExamLayout {
        header,
        status,
        keys,
        ..ExamLayout::default()
    };
    let Some(exam) = &app.exam else { return l };
    let task_rows = app.entry().map_or(3, |e| e.scenario.tasks.len() as u16 + 2);
    let console_zoom = app.console.as_ref().is_some_and(|c| c.zoom);
    let has_terminal = app.console.is_some();
    if exam.zoom {
        l.text = body;
    } else if console_zoom && has_terminal {
        l.terminal = body;
    } else if !has_terminal {
        tasks_beside_text(&mut l, body, task_rows);
    } else if body.width >= SIDE_BY_SIDE {
        let [left, right] = Layout::horizontal([
            Constraint::Length(body.width * 42 / 100),
            Constraint::Min(20),
        ])
        .areas(body);
        let notes_rows = if exam.session.notes.is_empty() && exam.focus != Focus::Notes {
            3
        } else {
            6
        };
        [l.tasks, l.text, l.notes] = Layout::vertical([
            Constraint::Length(task_rows),
            Constraint::Min(3),
            Constraint::Length(notes_rows),
        ])
        .areas(left);
        l.terminal = right;
    } else {
        let top_rows = (task_rows + 3).max(body.height * 45 / 100);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(top_rows), Constraint::Min(3)]).areas(body);
        tasks_beside_text(&mut l, top, task_rows);
        l.terminal = bottom;
    }
    l
}

/// The task list over the notes on the left, the task text on the right.
fn tasks_beside_text(l: &mut ExamLayout, area: Rect, task_rows: u16) {
    let left_width = (area.width * 35 / 100).clamp(24.min(area.width), 44);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(10)]).areas(area);
    [l.tasks, l.notes] =
        Layout::vertical([Constraint::Length(task_rows), Constraint::Min(3)]).areas(left);
    l.text = right;
}

/// The body of the results screen when the terminal is shown there.
pub fn results_terminal(area: Rect) -> (Rect, Rect, Rect) {
    let [header, body, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    (header, body, keys)
}
