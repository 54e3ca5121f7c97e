//! The exam screen: task list with marks, the selected task's text, the
//! countdown, the notes pane.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, List, ListItem, ListState, Paragraph, StatefulWidget, Widget,
};

use super::{dim, key_bar, status_bar, text, timer_style, title_bar};
use crate::library::Entry;
use crate::report::{Report, Status};
use crate::session::Mode;
use crate::tui::app::{App, Exam, Focus};
use crate::tui::wrap::wrap;
use crate::tui::{layout, markdown, strings};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let (Some(exam), Some(entry)) = (app.exam.as_ref(), app.entry()) else {
        return;
    };
    let l = layout::exam(app, area);

    header(app, exam, entry, l.header, buf);
    if !l.tasks.is_empty() {
        task_list(app, exam, entry, l.tasks, buf);
    }
    if !l.notes.is_empty() {
        notes_pane(exam, l.notes, buf);
    }
    if !l.text.is_empty() {
        task_text(app, exam, entry, l.text, buf);
        if let Some(s) = &app.selection {
            s.highlight(buf);
        }
    }
    if let Some(console) = &app.console
        && !l.terminal.is_empty()
    {
        super::terminal::panel(console, exam.focus == Focus::Terminal, l.terminal, buf);
    }

    status_bar(app, l.status, buf);
    let keys_shown = match (exam.focus, exam.session.mode) {
        (Focus::Notes, _) => strings::KEYS_NOTES,
        (Focus::Terminal, _) => strings::KEYS_TERMINAL,
        (Focus::Tasks, Mode::Exam) => strings::KEYS_EXAM,
        (Focus::Tasks, Mode::Practice) => strings::KEYS_PRACTICE,
    };
    key_bar(keys_shown, l.keys, buf);
}

fn header(app: &App, exam: &Exam, entry: &Entry, area: Rect, buf: &mut Buffer) {
    let mode = match exam.session.mode {
        Mode::Exam => strings::EXAM,
        Mode::Practice => strings::PRACTICE,
    };
    let left = vec![
        Span::styled(
            format!(" {} ", strings::APP),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!("· {} · {mode}", text(app, &entry.scenario.title))),
    ];
    let left_time = app.time_left().unwrap_or_default();
    let right = if exam.session.paused_at.is_some() {
        vec![Span::styled(
            format!(" {} {} ", strings::PAUSED, strings::clock(left_time)),
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        )]
    } else {
        vec![
            Span::raw(format!("{} ", strings::TIME_LEFT)),
            Span::styled(
                format!(" {} ", strings::clock(left_time)),
                timer_style(left_time).bg(Color::Black),
            ),
        ]
    };
    title_bar(left, right, area, buf);
}

/// Points of a task from the newest grade, when the mode lets the
/// candidate see them (practice checks, or after the final grade).
fn known_points(exam: &Exam) -> Option<&Report> {
    let visible = exam.session.mode == Mode::Practice || exam.session.is_finished();
    visible.then(|| exam.last_grade()).flatten()
}

fn task_list(app: &App, exam: &Exam, entry: &Entry, area: Rect, buf: &mut Buffer) {
    let report = known_points(exam);
    // Borders and the selection marker.
    let inner_width = usize::from(area.width.saturating_sub(3));
    let items: Vec<ListItem> = entry
        .scenario
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let done = exam.session.done.contains(&t.id);
            let flagged = exam.session.flagged.contains(&t.id);
            let points = report
                .map(|r| r.task_points(&t.id))
                .filter(|(_, max)| *max > 0);
            let points_text = points.map_or(String::new(), |(s, m)| format!(" {s}/{m}"));
            let label = format!("{}. {}", i + 1, text(app, &t.title));
            // Points stay visible at the right; the title gives way.
            let room = inner_width.saturating_sub(3 + points_text.len());
            let mut spans = vec![
                Span::styled(if done { "✓" } else { " " }, Style::new().fg(Color::Green)),
                Span::styled(
                    if flagged { "⚑" } else { " " },
                    Style::new().fg(Color::Magenta),
                ),
                Span::raw(" "),
                Span::raw(fit(&label, room)),
            ];
            if let Some((score, max)) = points {
                let colour = if score == max {
                    Color::Green
                } else {
                    Color::Red
                };
                spans.push(Span::styled(points_text, Style::new().fg(colour)));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let focused = exam.focus == Focus::Tasks;
    let list = List::new(items)
        .block(pane(strings::TASKS, focused))
        .highlight_symbol("▸")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .highlight_style(if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        });
    let mut state = ListState::default().with_selected(Some(exam.selected));
    StatefulWidget::render(list, area, buf, &mut state);
}

/// `s` cut to `width` columns (with `…`) or padded to them, by display width.
fn fit(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar as _;
    let total = unicode_width::UnicodeWidthStr::width(s);
    if total <= width {
        return format!("{s}{}", " ".repeat(width - total));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

fn pane(title: &str, focused: bool) -> Block<'_> {
    pane_block(focused).title(title)
}

/// A panel's frame: thick and cyan where the keys go.
pub fn pane_block<'a>(focused: bool) -> Block<'a> {
    let block = Block::new().borders(Borders::ALL);
    if focused {
        block
            .border_type(BorderType::Thick)
            .border_style(Style::new().fg(Color::Cyan))
    } else {
        block.border_style(dim())
    }
}

fn notes_pane(exam: &Exam, area: Rect, buf: &mut Buffer) {
    let editing = exam.focus == Focus::Notes;
    let title = if editing {
        strings::NOTES_EDITING
    } else {
        strings::NOTES
    };
    let block = pane(title, editing);
    let inner = block.inner(area);
    block.render(area, buf);
    let notes = &exam.session.notes;
    if notes.is_empty() && !editing {
        Paragraph::new(Span::styled(strings::NOTES_EMPTY, dim())).render(inner, buf);
        return;
    }
    let mut lines: Vec<Line> = notes
        .split('\n')
        .map(|l| Line::raw(l.to_string()))
        .collect();
    if editing && let Some(last) = lines.last_mut() {
        last.push_span(Span::styled("▏", Style::new().fg(Color::Cyan)));
    }
    // Keep the end (where typing happens) in view.
    let lines = wrap(&lines, inner.width);
    let skip = lines.len().saturating_sub(usize::from(inner.height));
    Paragraph::new(lines[skip..].to_vec()).render(inner, buf);
}

fn task_text(app: &App, exam: &Exam, entry: &Entry, area: Rect, buf: &mut Buffer) {
    let Some(task) = entry.scenario.tasks.get(exam.selected) else {
        return;
    };
    let lang = app.lang.code();
    let mut lines = markdown::render(task.body.get(lang));
    if exam.session.mode == Mode::Practice {
        if exam.hints && !task.hints.is_empty() {
            lines.push(Line::default());
            lines.push(Line::styled(
                strings::HINTS,
                Style::new().add_modifier(Modifier::BOLD).fg(Color::Cyan),
            ));
            for h in &task.hints {
                let mut hint = markdown::render(h.get(lang));
                if let Some(first) = hint.first_mut() {
                    first.spans.insert(0, Span::raw("• "));
                }
                lines.extend(hint);
            }
        }
        lines.push(Line::default());
        lines.push(Line::styled(
            strings::LAST_CHECK,
            Style::new().add_modifier(Modifier::BOLD).fg(Color::Cyan),
        ));
        match exam.last_grade() {
            Some(r) => lines.extend(criteria_of_task(r, &task.id)),
            None => lines.push(Line::styled(strings::NOT_CHECKED, dim())),
        }
    }
    let title = format!(" {}. {} ", exam.selected + 1, text(app, &task.title));
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(dim())
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    let lines = wrap(&lines, inner.width);
    let last_page = lines.len().saturating_sub(usize::from(inner.height));
    let scroll = usize::from(exam.text_scroll).min(last_page);
    Paragraph::new(lines[scroll..].to_vec()).render(inner, buf);
}

/// The criteria covering `task` in a practice check: a bar each, and what
/// each failed check expected and found.
fn criteria_of_task(report: &Report, task: &str) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for c in report
        .criteria
        .iter()
        .filter(|c| c.tasks.iter().any(|t| t == task))
    {
        lines.push(Line::from(vec![
            Span::styled(
                crate::report::text::bar(c.score, c.max_score, 10),
                Style::new().fg(if c.score == c.max_score {
                    Color::Green
                } else {
                    Color::Red
                }),
            ),
            Span::raw(format!(" {}/{} {}", c.score, c.max_score, c.title)),
        ]));
        for k in &c.checks {
            lines.push(super::results::check_line(k));
            if k.status != Status::Pass {
                lines.extend(super::results::check_details(k));
            }
        }
    }
    lines
}
