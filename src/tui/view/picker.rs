//! The scenario picker: the library with domain, level, time, points and the
//! best score so far, filtered by typing.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

use super::{dim, key_bar, status_bar, text, title_bar};
use crate::cluster::addons::Presence;
use crate::library::Entry;
use crate::library::scenario::Domain;
use crate::tui::app::{App, in_tab};
use crate::tui::scores;
use crate::tui::strings;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    // The selected scenario's summary, wrapped: as tall as it is (with the
    // add-ons and how to install a missing one), within bounds.
    let entries = app.filtered();
    let summary_lines = entries
        .get(app.picker.selected)
        .map(|e| crate::tui::wrap::wrap(&summary_lines(app, e), area.width))
        .unwrap_or_default();
    let summary_height = u16::try_from(summary_lines.len() + 1).map_or(10, |h| h.clamp(6, 10));
    let [top, filter, domains, list, summary, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(summary_height),
        Constraint::Length(super::status_height(app)),
        Constraint::Length(1),
    ])
    .areas(area);

    let mode = if app.picker.practice {
        strings::MODE_PRACTICE
    } else {
        strings::MODE_EXAM
    };
    title_bar(
        vec![Span::styled(
            format!(" {} · {}", strings::APP, strings::PICKER_TITLE),
            Style::new().add_modifier(Modifier::BOLD),
        )],
        vec![Span::raw(format!("{mode} "))],
        top,
        buf,
    );

    let filter_line = if app.picker.filter.is_empty() {
        Line::from(vec![
            Span::raw(strings::FILTER),
            Span::styled(strings::FILTER_HINT, dim()),
        ])
    } else {
        Line::from(vec![
            Span::raw(strings::FILTER),
            Span::styled(
                format!("{}▏", app.picker.filter),
                Style::new().fg(Color::Yellow),
            ),
        ])
    };
    Paragraph::new(filter_line).render(filter, buf);
    Paragraph::new(domain_tabs(app, domains.width)).render(domains, buf);

    if entries.is_empty() {
        Paragraph::new(strings::NO_MATCH)
            .block(Block::new().borders(Borders::TOP))
            .render(list, buf);
    } else {
        let header = Row::new([
            strings::COL_ID,
            strings::COL_LEVEL,
            strings::COL_TIME,
            strings::COL_POINTS,
            strings::COL_BEST,
            strings::COL_DOMAIN,
        ])
        .style(Style::new().add_modifier(Modifier::BOLD));
        let rows = entries.iter().map(|e| {
            let s = &e.scenario;
            let best = scores::best(&app.history, &s.id, None).map_or_else(
                || strings::NEVER.to_string(),
                |b| format!("{}/{}", b.score, b.max_score),
            );
            Row::new([
                Cell::from(s.id.clone()),
                Cell::from(s.difficulty.to_string()),
                Cell::from(strings::minutes(s.time_limit_minutes())),
                Cell::from(e.rubric.max_score().to_string()),
                Cell::from(best),
                Cell::from(if s.mock {
                    strings::MOCK_EXAM
                } else {
                    s.domain.title()
                }),
            ])
        });
        let id_width = entries
            .iter()
            .map(|e| e.scenario.id.len())
            .max()
            .unwrap_or(2)
            .max(2) as u16;
        let table = Table::new(
            rows,
            [
                Constraint::Length(id_width),
                Constraint::Length(6),
                Constraint::Length(5),
                Constraint::Length(6),
                Constraint::Length(7),
                Constraint::Min(10),
            ],
        )
        .header(header)
        .block(Block::new().borders(Borders::TOP))
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("› ");
        let mut state = TableState::new().with_selected(Some(app.picker.selected));
        StatefulWidget::render(table, list, buf, &mut state);
    }

    if !summary_lines.is_empty() {
        let block = Block::new().borders(Borders::TOP);
        let inner = block.inner(summary);
        block.render(summary, buf);
        Paragraph::new(summary_lines).render(inner, buf);
    }

    status_bar(app, status, buf);
    key_bar(strings::KEYS_PICKER, keys, buf);
}

/// The selected scenario: title, task count, summary, add-ons.
fn summary_lines(app: &App, entry: &Entry) -> Vec<Line<'static>> {
    let s = &entry.scenario;
    let mut lines = vec![
        Line::styled(
            format!("{} · {} tasks", text(app, &s.title), s.tasks.len()),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::raw(text(app, &s.summary).to_string()),
    ];
    lines.extend(addon_lines(app, entry));
    lines
}

/// The add-ons the scenario needs, each marked as found on the cluster,
/// missing or not known yet; for the first missing one, how to install it.
fn addon_lines(app: &App, entry: &Entry) -> Vec<Line<'static>> {
    let addons = &entry.scenario.addons;
    if addons.is_empty() {
        return Vec::new();
    }
    let mut spans = vec![Span::styled(strings::ADDONS, dim())];
    let mut install = None;
    for (i, addon) in addons.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" · "));
        }
        let (mark, color) = match app.addons.get(addon) {
            Some(Presence::Present(_)) => ("✓", Color::Green),
            Some(Presence::Missing(_)) => {
                install.get_or_insert(*addon);
                ("✗ missing", Color::Red)
            }
            Some(Presence::Unknown(_)) | None => ("?", Color::Yellow),
        };
        spans.push(Span::raw(format!("{addon} ")));
        spans.push(Span::styled(mark, Style::new().fg(color)));
    }
    let mut lines = vec![Line::from(spans)];
    if let Some(addon) = install {
        lines.push(Line::styled(
            format!("{} {addon}: {}", strings::INSTALL, addon.install()),
            Style::new().fg(Color::Yellow),
        ));
    }
    lines
}

/// One tab per curriculum domain (and one for all), each with how many of
/// its scenarios (matching the typed filter) were tried and how many there
/// are: the coverage of the curriculum at a glance.
/// Where the words do not fit, the domains' two-letter codes stand in.
fn domain_tabs(app: &App, width: u16) -> Line<'static> {
    let line = tabs_line(app, Domain::short);
    if line.width() <= usize::from(width) {
        line
    } else {
        tabs_line(app, Domain::code)
    }
}

fn tabs_line(app: &App, word: fn(Domain) -> &'static str) -> Line<'static> {
    let matching = app.matching();
    let count = |domain: Option<Domain>| {
        let entries: Vec<_> = matching
            .iter()
            .filter(|e| in_tab(domain, &e.scenario))
            .collect();
        let tried = entries
            .iter()
            .filter(|e| scores::best(&app.history, &e.scenario.id, None).is_some())
            .count();
        (tried, entries.len())
    };
    let mut spans = Vec::new();
    let tabs = std::iter::once(None).chain(Domain::ALL.map(Some));
    for (i, domain) in tabs.enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", dim()));
        }
        let (tried, total) = count(domain);
        let name = domain.map_or(strings::ALL_DOMAINS, word);
        let label = format!(" {name} {tried}/{total} ");
        let style = if domain == app.picker.domain {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else if total == 0 {
            dim()
        } else {
            Style::new()
        };
        spans.push(Span::styled(label, style));
    }
    Line::from(spans)
}
