//! The report as a person reads it in a terminal.

use std::fmt::Write as _;

use super::{Report, Status};

const BAR_WIDTH: usize = 20;

/// A score bar such as `██████████░░░░░░░░░░`.
pub fn bar(score: u32, max: u32, width: usize) -> String {
    let filled = if max == 0 {
        0
    } else {
        (score as usize * width + max as usize / 2) / max as usize
    };
    let filled = filled.min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// Renders the report; `color` adds ANSI colours for a terminal.
pub fn render(report: &Report, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let verdict = if report.passed {
        paint("1;32", "PASSED")
    } else {
        paint("1;31", "NOT PASSED")
    };
    let _ = writeln!(
        out,
        "{}: {}/{} ({:.1}%) — {verdict} (pass mark {}%)",
        report.scenario, report.score, report.max_score, report.percent, report.pass_percent
    );
    let _ = writeln!(
        out,
        "graded {} from {}",
        report.graded_at.format("%Y-%m-%d %H:%M:%S UTC"),
        report.source
    );
    let id_width = report
        .criteria
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0);
    for c in &report.criteria {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<id_width$}  {}  {:>3}/{:<3} {}",
            c.id,
            bar(c.score, c.max_score, BAR_WIDTH),
            c.score,
            c.max_score,
            c.title
        );
        for k in &c.checks {
            let (mark, code) = match k.status {
                Status::Pass => ("✓", "32"),
                Status::Fail => ("✗", "31"),
                Status::Error => ("!", "33"),
            };
            let _ = writeln!(
                out,
                "  {} {} ({}/{})",
                paint(code, mark),
                k.title,
                k.points,
                k.max_points
            );
            if k.status != Status::Pass {
                let found = if k.status == Status::Error {
                    "error"
                } else {
                    "found"
                };
                let _ = writeln!(out, "      expected: {}", k.expected);
                let _ = writeln!(out, "      {found:>8}: {}", k.actual);
                let _ = writeln!(out, "       inspect: {}", k.inspect);
            }
        }
    }
    let errors = report.errors().count();
    if errors > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            paint(
                "33",
                &format!(
                    "{errors} check(s) could not be evaluated (marked !): they score 0 but are not your mistake."
                )
            )
        );
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out);
        for n in &report.notes {
            let _ = writeln!(out, "note: {n}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_round_to_the_nearest_cell() {
        assert_eq!(bar(0, 10, 4), "░░░░");
        assert_eq!(bar(5, 10, 4), "██░░");
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(0, 0, 2), "░░");
    }
}
