//! Boxes over the screen: key help and confirmations.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget, Wrap};

use super::{dim, key_style};
use crate::tui::app::{App, Overlay, Screen};
use crate::tui::strings;

pub fn render(app: &App, overlay: Overlay, area: Rect, buf: &mut Buffer) {
    match overlay {
        Overlay::Help => help(app, area, buf),
        Overlay::ConfirmQuit => {
            let running = app.screen == Screen::Exam
                && app.exam.as_ref().is_some_and(|e| !e.session.is_finished());
            let mut lines = vec![Line::styled(
                strings::CONFIRM_QUIT,
                Style::new().add_modifier(Modifier::BOLD),
            )];
            if running {
                lines.push(Line::raw(strings::CONFIRM_QUIT_RUNNING));
            }
            confirm(strings::CONFIRM_QUIT_TITLE, lines, area, buf);
        }
        Overlay::ConfirmGrade => confirm(
            strings::CONFIRM_GRADE_TITLE,
            vec![Line::styled(
                strings::CONFIRM_GRADE,
                Style::new().add_modifier(Modifier::BOLD),
            )],
            area,
            buf,
        ),
    }
}

fn boxed(title: &str, width: u16, height: u16, area: Rect) -> (Block<'_>, Rect) {
    let r = area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(Color::Cyan))
        .title(Span::styled(
            format!(" {title} "),
            Style::new().add_modifier(Modifier::BOLD),
        ));
    (block, r)
}

fn confirm(title: &str, mut lines: Vec<Line<'static>>, area: Rect, buf: &mut Buffer) {
    lines.push(Line::default());
    lines.push(Line::styled(strings::YES_NO, key_style()));
    let width = 56;
    let text_rows: u16 = lines
        .iter()
        .map(|l| (l.width().max(1) as u16).div_ceil(width - 4))
        .sum();
    let (block, r) = boxed(title, width, text_rows + 2, area);
    Clear.render(r, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(block.padding(ratatui::widgets::Padding::horizontal(1)))
        .render(r, buf);
}

fn help(app: &App, area: Rect, buf: &mut Buffer) {
    let keys: Vec<(&str, &str)> = match app.screen {
        Screen::Picker => strings::HELP_PICKER.to_vec(),
        Screen::Exam => [strings::HELP_TERMINAL, strings::HELP_EXAM].concat(),
        Screen::Results => strings::HELP_RESULTS.to_vec(),
    };
    let key_width = keys
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = keys
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:<key_width$}  "), key_style()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(strings::HELP_CLOSE, dim()));
    let width = area.width.saturating_sub(4).min(84);
    let height = (lines.len() as u16 + 4).min(area.height.saturating_sub(2));
    let (block, r) = boxed(strings::HELP_TITLE, width, height, area);
    Clear.render(r, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block.padding(ratatui::widgets::Padding::horizontal(1)))
        .render(r, buf);
}
