//! The report as Markdown: a summary, a table per criterion, and for every
//! check that did not pass what was expected, what was found and the command
//! that shows it. Reads well on GitHub, GitLab and in a study log.

use std::fmt::Write as _;

use super::{Report, Status};

/// Renders the report; `facts` are extra rows for the summary table (e.g. the
/// session and the time used), in order.
pub fn render(report: &Report, facts: &[(&str, String)]) -> String {
    let mut out = String::new();
    let verdict = if report.passed {
        "passed"
    } else {
        "not passed"
    };
    let _ = writeln!(
        out,
        "# {}: {}/{} ({:.1}%) — {verdict}\n",
        escape(&report.scenario),
        report.score,
        report.max_score,
        report.percent
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(
        out,
        "| Result | **{}** (pass mark {}%) |",
        verdict.to_uppercase(),
        report.pass_percent
    );
    let _ = writeln!(
        out,
        "| Score | {}/{} ({:.1}%) |",
        report.score, report.max_score, report.percent
    );
    let _ = writeln!(
        out,
        "| Graded | {} |",
        report.graded_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let _ = writeln!(out, "| Source | {} |", escape(&report.source.to_string()));
    for (label, value) in facts {
        let _ = writeln!(out, "| {} | {} |", escape(label), escape(value));
    }

    for c in &report.criteria {
        let _ = writeln!(
            out,
            "\n## {}: {} ({}/{})\n",
            escape(&c.id),
            escape(&c.title),
            c.score,
            c.max_score
        );
        let _ = writeln!(out, "| Status | Check | Points |\n|---|---|---:|");
        for k in &c.checks {
            let _ = writeln!(
                out,
                "| {} | {} | {}/{} |",
                status_cell(k.status),
                escape(&k.title),
                k.points,
                k.max_points
            );
        }
        let missed: Vec<_> = c
            .checks
            .iter()
            .filter(|k| k.status != Status::Pass)
            .collect();
        if !missed.is_empty() {
            let _ = writeln!(out);
        }
        for k in missed {
            let found = if k.status == Status::Error {
                "could not be evaluated"
            } else {
                "found"
            };
            let _ = writeln!(
                out,
                "- **{}** ({}/{})",
                escape(&k.title),
                k.points,
                k.max_points
            );
            let _ = writeln!(out, "  - expected: {}", escape(&k.expected));
            let _ = writeln!(out, "  - {found}: {}", escape(&k.actual));
            let _ = writeln!(out, "  - inspect: {}", code(&k.inspect));
        }
    }

    let errors = report.errors().count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "\n> {errors} check(s) could not be evaluated: they score 0 but are not the candidate's mistake."
        );
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "\n## Notes\n");
        for n in &report.notes {
            let _ = writeln!(out, "- {}", escape(n));
        }
    }
    out
}

fn status_cell(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Error => "⚠️ error",
    }
}

/// Inline text: Markdown punctuation escaped, line breaks flattened so a
/// value stays in its table cell or list item.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// A code span that survives backticks inside the command: the fence is one
/// backtick longer than the longest run inside.
fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    use super::*;

    /// What a Markdown reader shows: headings, table rows (cells as plain
    /// text) and list items, each as text.
    #[derive(Debug, Default)]
    struct Read {
        headings: Vec<String>,
        rows: Vec<Vec<String>>,
        items: Vec<String>,
        quotes: Vec<String>,
    }

    fn read(md: &str) -> Read {
        let mut r = Read::default();
        let mut text = String::new();
        let mut row: Vec<String> = Vec::new();
        let mut depth_item = 0;
        for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::Heading { .. } | Tag::TableCell | Tag::BlockQuote(_)) => {
                    text.clear();
                }
                Event::Start(Tag::Item) => {
                    depth_item += 1;
                    text.clear();
                }
                Event::Text(t) | Event::Code(t) => text.push_str(&t),
                Event::SoftBreak => text.push(' '),
                Event::End(TagEnd::Heading(_)) => r.headings.push(std::mem::take(&mut text)),
                Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut text)),
                Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                    r.rows.push(std::mem::take(&mut row));
                }
                Event::End(TagEnd::BlockQuote(_)) => r.quotes.push(std::mem::take(&mut text)),
                Event::Start(Tag::List(_)) if depth_item > 0 => {
                    r.items.push(std::mem::take(&mut text));
                }
                Event::End(TagEnd::Item) => {
                    depth_item -= 1;
                    if !text.is_empty() {
                        r.items.push(std::mem::take(&mut text));
                    }
                }
                _ => {}
            }
        }
        r
    }

    #[test]
    fn a_markdown_reader_sees_the_summary_a_table_per_criterion_and_what_failed() {
        let report = crate::report::sample();
        let md = render(&report, &[("Session", "20261123T160700.000Z-x".into())]);
        let r = read(&md);
        assert_eq!(
            r.headings,
            [
                "secure-workspace: 3/12 (25.0%) — not passed",
                "service-account: ServiceAccount <secure-runner> & token (3/7)",
                "verification: Running pods (0/5)",
                "Notes",
            ]
        );
        let row = |first: &str| {
            r.rows
                .iter()
                .find(|row| row.first().is_some_and(|c| c == first))
                .cloned()
                .unwrap_or_else(|| panic!("no row {first:?} in {:?}\n{md}", r.rows))
        };
        assert_eq!(row("Result"), ["Result", "NOT PASSED (pass mark 66%)"]);
        assert_eq!(row("Score"), ["Score", "3/12 (25.0%)"]);
        assert_eq!(row("Graded"), ["Graded", "2026-11-23 16:07:00 UTC"]);
        assert_eq!(row("Source"), ["Source", "snapshot pods-pending.json"]);
        assert_eq!(row("Session"), ["Session", "20261123T160700.000Z-x"]);
        // One table per criterion, a row per check; pipes stay inside their cell.
        assert_eq!(r.rows.iter().filter(|row| row[0] == "Status").count(), 2);
        assert_eq!(row("✅ pass"), ["✅ pass", "sa exists", "3/3"]);
        assert_eq!(
            row("❌ fail"),
            ["❌ fail", "automount | disabled, \"quoted\"", "0/4"]
        );
        assert_eq!(row("⚠️ error"), ["⚠️ error", "pods ready", "0/5"]);
        assert_eq!(
            r.items,
            [
                "automount | disabled, \"quoted\" (0/4)",
                "expected: automountServiceAccountToken equals false",
                "found: true, set by *you*",
                "inspect: kubectl get sa secure-runner -n secure-workspace -o jsonpath='{.automountServiceAccountToken}' | grep -c `x`",
                "pods ready (0/5)",
                "expected: 2 ready",
                "could not be evaluated: pods is forbidden: User 'grader' cannot list pods",
                "inspect: kubectl get pods ready",
                "Pod Security Standards: level 'baseline'",
            ]
        );
        assert_eq!(
            r.quotes,
            [
                "1 check(s) could not be evaluated: they score 0 but are not the candidate's mistake."
            ]
        );
    }

    #[test]
    fn a_passed_report_lists_no_failed_checks() {
        let mut report = crate::report::sample();
        report.criteria.truncate(1);
        report.criteria[0].checks.truncate(1);
        report.passed = true;
        report.notes.clear();
        let r = read(&render(&report, &[]));
        assert!(r.items.is_empty(), "{:?}", r.items);
        assert!(r.quotes.is_empty());
    }

    #[test]
    fn code_spans_outgrow_the_backticks_inside() {
        assert_eq!(code("kubectl get pods"), "`kubectl get pods`");
        assert_eq!(code("echo `x`"), "`` echo `x` ``");
        assert_eq!(code("a ``b`` c"), "```a ``b`` c```");
    }
}
