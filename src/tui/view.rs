//! The view: draws the `App`, changes nothing (`impl Widget for &App`).

mod exam;
mod overlay;
mod picker;
mod results;
mod terminal;

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::app::{App, Grading, Purpose, Reach, Screen};
use super::strings;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        match self.screen {
            Screen::Picker => picker::render(self, area, buf),
            Screen::Exam => exam::render(self, area, buf),
            Screen::Results => match &self.console {
                Some(c) if c.on_results => terminal::results(c, area, buf),
                _ => results::render(self, area, buf),
            },
        }
        if let Some(o) = self.overlay {
            overlay::render(self, o, area, buf);
        }
    }
}

/// The countdown's colour: calm, then yellow at 15 minutes, red at 5, bold
/// red at 1.
pub fn timer_style(left: Duration) -> Style {
    let s = left.as_secs();
    if s < 60 {
        Style::new()
            .fg(Color::Red)
            .add_modifier(Modifier::BOLD | Modifier::SLOW_BLINK)
    } else if s < 5 * 60 {
        Style::new().fg(Color::Red)
    } else if s < 15 * 60 {
        Style::new().fg(Color::Yellow)
    } else {
        Style::new().fg(Color::Green)
    }
}

fn key_style() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The bottom line: keys and what they do.
fn key_bar(keys: &[(&str, &str)], area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    for (i, (k, what)) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(*k, key_style()));
        spans.push(Span::raw(format!(" {what}")));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// The line above the key bar: cluster context and reachability, a grade in
/// progress, the last message.
fn status_bar(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![Span::styled(
        app.context.as_deref().map_or_else(
            || strings::NO_CONTEXT.to_string(),
            |c| format!("{} {c}", strings::CONTEXT),
        ),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    spans.push(Span::raw(" "));
    match &app.reach {
        Reach::Checking => spans.push(Span::styled(strings::CHECKING, dim())),
        Reach::Reachable(v) => {
            spans.push(Span::styled("● ", Style::new().fg(Color::Green)));
            spans.push(Span::raw(format!("{} ({v})", strings::REACHABLE)));
        }
        Reach::Unreachable(why) => {
            spans.push(Span::styled("● ", Style::new().fg(Color::Red)));
            spans.push(Span::raw(format!("{}: {why}", strings::UNREACHABLE)));
        }
    }
    let lines = if let Some(text) = status_text(app) {
        if area.height >= 2 {
            vec![
                Line::from(spans),
                Line::styled(text, Style::new().fg(Color::Yellow)),
            ]
        } else {
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(text, Style::new().fg(Color::Yellow)));
            vec![Line::from(spans)]
        }
    } else {
        vec![Line::from(spans)]
    };
    Paragraph::new(lines).render(area, buf);
}

/// A grade in progress, else the last message.
fn status_text(app: &App) -> Option<String> {
    let busy = app.exam.as_ref().and_then(|e| match &e.grading {
        Grading::Running { purpose, since } => Some(strings::grading(
            *purpose == Purpose::Final,
            (app.now() - *since).num_seconds().max(0),
        )),
        Grading::Idle => None,
    });
    busy.or_else(|| app.message.clone())
}

/// One line for the cluster, a second while there is something to say.
pub fn status_height(app: &App) -> u16 {
    if status_text(app).is_some() { 2 } else { 1 }
}

/// The top line: what is open on the left, `right` on the right.
fn title_bar(left: Vec<Span<'_>>, right: Vec<Span<'_>>, area: Rect, buf: &mut Buffer) {
    let bar = Style::new().bg(Color::Blue).fg(Color::White);
    buf.set_style(area, bar);
    Paragraph::new(Line::from(left)).render(area, buf);
    let right = Line::from(right);
    let w = (right.width() as u16).min(area.width);
    let r = Rect {
        x: area.right() - w,
        width: w,
        ..area
    };
    Paragraph::new(right).render(r, buf);
}

/// The title in the chosen language, English when there is no translation.
fn text<'a>(app: &App, t: &'a crate::library::scenario::Text) -> &'a str {
    t.get(app.lang.code())
}

#[cfg(test)]
mod tests;
