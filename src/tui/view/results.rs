//! The results screen: total and verdict, a bar per criterion, what each
//! failed check expected and found with the kubectl to inspect it, the
//! reference solution, and the best earlier score.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{dim, key_bar, status_bar, text, title_bar};
use crate::report::{CheckResult, Status};
use crate::tui::app::App;
use crate::tui::wrap::wrap;
use crate::tui::{markdown, scores, strings};

const BAR_WIDTH: usize = 20;

/// The criterion's change since the previous attempt, coloured.
fn since_last(before: Option<u32>, now: u32) -> Span<'static> {
    let Some(before) = before else {
        return Span::raw("");
    };
    let delta = i64::from(now) - i64::from(before);
    let colour = match delta.signum() {
        1 => Color::Green,
        -1 => Color::Red,
        _ => Color::DarkGray,
    };
    Span::styled(strings::since_last(delta), Style::new().fg(colour))
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let (Some(exam), Some(entry)) = (app.exam.as_ref(), app.entry()) else {
        return;
    };
    let Some(report) = exam.last_grade() else {
        return;
    };
    let [top, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(super::status_height(app)),
        Constraint::Length(1),
    ])
    .areas(area);

    title_bar(
        vec![
            Span::styled(
                format!(" {} ", strings::APP),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(
                "· {} · {}",
                strings::RESULTS,
                text(app, &entry.scenario.title)
            )),
        ],
        vec![],
        top,
        buf,
    );

    let mut lines = Vec::new();
    let verdict = if report.passed {
        Span::styled(
            strings::PASSED,
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        )
    } else {
        Span::styled(
            strings::NOT_PASSED,
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        )
    };
    lines.push(Line::from(vec![
        Span::styled(
            strings::score_line(report.score, report.max_score, report.percent),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(" — "),
        verdict,
        Span::raw(format!(" ({})", strings::pass_mark(report.pass_percent))),
    ]));
    let used = exam.session.time_used(app.now(), entry.scenario.time_limit);
    lines.push(Line::styled(
        strings::graded_from(
            &report.graded_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            &report.source.to_string(),
            &strings::clock(used),
        ),
        dim(),
    ));
    lines.push(
        match scores::best(&app.history, &report.scenario, Some(&exam.session.id)) {
            Some(b) => Line::raw(strings::best_before(
                b.score,
                b.max_score,
                b.percent,
                &b.graded_at.format("%Y-%m-%d").to_string(),
            )),
            None => Line::raw(strings::FIRST_ATTEMPT),
        },
    );

    let previous = scores::previous(&app.history, &report.scenario, Some(&exam.session.id));
    if let Some(p) = previous {
        lines.push(Line::raw(strings::last_attempt(
            p.score,
            p.max_score,
            &p.graded_at.format("%Y-%m-%d").to_string(),
            i64::from(report.score) - i64::from(p.score),
        )));
    }

    let errors = report.errors().count();
    if errors > 0 {
        lines.push(Line::styled(
            strings::errors_note(errors),
            Style::new().fg(Color::Yellow),
        ));
    }
    let id_width = report
        .criteria
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0);
    for c in &report.criteria {
        lines.push(Line::default());
        let colour = if c.score == c.max_score {
            Color::Green
        } else if c.score == 0 {
            Color::Red
        } else {
            Color::Yellow
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<id_width$}  ", c.id),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                crate::report::text::bar(c.score, c.max_score, BAR_WIDTH),
                Style::new().fg(colour),
            ),
            Span::raw(format!(" {:>3}/{:<3} ", c.score, c.max_score)),
            since_last(previous.and_then(|p| p.criterion(&c.id)), c.score),
            Span::raw(c.title.clone()),
        ]));
        for k in &c.checks {
            lines.push(check_line(k));
            if k.status != Status::Pass {
                lines.extend(check_details(k));
            }
        }
    }
    for n in &report.notes {
        lines.push(Line::default());
        lines.push(Line::styled(format!("note: {n}"), dim()));
    }

    lines.push(Line::default());
    lines.push(Line::styled(
        strings::SOLUTION,
        Style::new()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ));
    match &entry.scenario.solution {
        None => lines.push(Line::styled(strings::NO_SOLUTION, dim())),
        Some(sol) => {
            if let Some(shell) = &sol.shell {
                lines.extend(markdown::render(&format!("```sh\n{shell}\n```")));
            }
            if let Some(m) = &sol.manifests {
                lines.push(Line::default());
                lines.push(Line::styled(
                    strings::SOLUTION_MANIFESTS,
                    Style::new().add_modifier(Modifier::BOLD),
                ));
                lines.extend(markdown::render(&format!("```yaml\n{m}\n```")));
            }
            if let Some(n) = &sol.notes {
                lines.push(Line::default());
                lines.extend(markdown::render(n.get(app.lang.code())));
            }
        }
    }

    let lines = wrap(&lines, body.width);
    let last_page = lines.len().saturating_sub(usize::from(body.height));
    let scroll = usize::from(exam.results_scroll).min(last_page);
    Paragraph::new(lines[scroll..].to_vec()).render(body, buf);

    status_bar(app, status, buf);
    key_bar(strings::KEYS_RESULTS, keys, buf);
}

/// `  ✓ title (5/5)`, marked by status.
pub fn check_line(k: &CheckResult) -> Line<'static> {
    let (mark, colour) = match k.status {
        Status::Pass => ("✓", Color::Green),
        Status::Fail => ("✗", Color::Red),
        Status::Error => ("!", Color::Yellow),
    };
    Line::from(vec![
        Span::styled(format!("  {mark} "), Style::new().fg(colour)),
        Span::raw(format!("{} ({}/{})", k.title, k.points, k.max_points)),
    ])
}

/// Expected / found (or error) / inspect, under a check that did not pass.
pub fn check_details(k: &CheckResult) -> Vec<Line<'static>> {
    let found = if k.status == Status::Error {
        strings::ERROR
    } else {
        strings::FOUND
    };
    let label = Style::new().fg(Color::DarkGray);
    vec![
        Line::from(vec![
            Span::styled(format!("      {:>8}: ", strings::EXPECTED), label),
            Span::raw(k.expected.clone()),
        ]),
        Line::from(vec![
            Span::styled(format!("      {found:>8}: "), label),
            Span::raw(k.actual.clone()),
        ]),
        Line::from(vec![
            Span::styled(format!("      {:>8}: ", strings::INSPECT), label),
            Span::styled(k.inspect.clone(), markdown::code_style()),
        ]),
    ]
}
