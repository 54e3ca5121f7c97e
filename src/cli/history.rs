//! `ckasim history`: every attempt, best and trend per scenario, averages
//! per curriculum domain.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, ValueEnum};
use serde::Serialize;
use unicode_width::UnicodeWidthStr as _;

use super::Failure;
use crate::history::{Attempt, History, State, TREND_LEN};
use crate::library::Library;
use crate::library::scenario::Domain;
use crate::session::{Mode, Origin, Store};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
    /// One row per attempt.
    Csv,
}

pub fn run(args: &HistoryArgs, dir: Option<&Path>) -> Result<u8, Failure> {
    let lib = library_for_history(dir);
    let sessions = sessions(&Store::new(&crate::paths::home()));
    let h = crate::history::history(&sessions, &lib, Utc::now());
    crate::out!("{}", render(&h, args.format)?);
    Ok(0)
}

/// The library, or an empty one with a warning: past attempts stay readable
/// when the library is broken, only titles, domains and time limits are lost.
pub(crate) fn library_for_history(dir: Option<&Path>) -> Library {
    super::load_library(dir).unwrap_or_else(|errors| {
        eprintln!(
            "ckasim: warning: the scenario library is invalid ({} problem(s), see 'ckasim validate'); going on without it",
            errors.len()
        );
        Library::default()
    })
}

/// Every readable session, newest first; one warning line on standard error
/// per file that cannot be read (it is skipped and left where it is).
pub(crate) fn sessions(store: &Store) -> Vec<crate::session::Session> {
    let (sessions, problems) = store.list();
    for p in problems {
        eprintln!("ckasim: warning: skipped {p}");
    }
    sessions
}

pub fn render(h: &History, format: HistoryFormat) -> Result<String, Failure> {
    match format {
        HistoryFormat::Text => Ok(text(h)),
        HistoryFormat::Json => {
            let mut s = serde_json::to_string_pretty(&Json::from(h))
                .map_err(|e| Failure(format!("cannot write the history as JSON: {e}")))?;
            s.push('\n');
            Ok(s)
        }
        HistoryFormat::Csv => csv(h),
    }
}

fn text(h: &History) -> String {
    if h.attempts.is_empty() {
        let mut out = String::from(
            "No attempts yet. Start one with 'ckasim start ID', or keep a grade with \
             'ckasim grade ID --snapshot FILE --record'.\n",
        );
        if !h.untried.is_empty() {
            let _ = writeln!(out, "Domains to practise: {}", domain_list(&h.untried));
        }
        return out;
    }
    let mut out = String::from("ATTEMPTS (newest first)\n");
    let rows: Vec<Vec<String>> = h
        .attempts
        .iter()
        .map(|a| {
            let s = a.session;
            vec![
                s.started_at.format("%Y-%m-%d %H:%M").to_string(),
                s.scenario.clone(),
                s.mode.to_string(),
                match s.origin {
                    Origin::Tui => "session".into(),
                    Origin::GradeRecord => "grade".into(),
                },
                a.time_used.map_or_else(|| "-".into(), duration),
                a.result.map_or_else(
                    || "-".into(),
                    |r| format!("{}/{} ({:.1}%)", r.score, r.max_score, r.percent),
                ),
                outcome(a).into(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "STARTED (UTC)",
            "SCENARIO",
            "MODE",
            "FROM",
            "TIME USED",
            "SCORE",
            "RESULT",
        ],
        &rows,
        &[4, 5],
    ));

    if !h.scenarios.is_empty() {
        let _ = write!(
            out,
            "\nBEST AND TREND PER SCENARIO (last {TREND_LEN} scores)\n"
        );
        let rows: Vec<Vec<String>> = h
            .scenarios
            .iter()
            .map(|p| {
                let scores: Vec<String> = p.trend.iter().map(|r| r.score.to_string()).collect();
                let change = p.change().map_or(String::new(), |c| format!(" ({c:+})"));
                vec![
                    p.scenario.to_string(),
                    p.attempts.to_string(),
                    format!(
                        "{}/{} ({:.1}%)",
                        p.best.score, p.best.max_score, p.best.percent
                    ),
                    format!("{}{change}", scores.join(" → ")),
                ]
            })
            .collect();
        out.push_str(&table(
            &["SCENARIO", "ATTEMPTS", "BEST", "TREND"],
            &rows,
            &[1, 2],
        ));
    }

    if !h.domains.is_empty() || !h.untried.is_empty() {
        out.push_str("\nDOMAINS (weakest first)\n");
    }
    if !h.domains.is_empty() {
        let rows: Vec<Vec<String>> = h
            .domains
            .iter()
            .map(|d| {
                vec![
                    d.domain.title().to_string(),
                    format!("{:.1}%", d.average_percent),
                    d.attempts.to_string(),
                    format!("{}/{}", d.scenarios, d.library_scenarios),
                ]
            })
            .collect();
        out.push_str(&table(
            &["DOMAIN", "AVERAGE", "ATTEMPTS", "TRIED"],
            &rows,
            &[1, 2, 3],
        ));
    }
    if !h.untried.is_empty() {
        let _ = writeln!(out, "not attempted yet: {}", domain_list(&h.untried));
    }
    out
}

fn outcome(a: &Attempt) -> &'static str {
    match (a.state, a.result) {
        (State::Running, _) => "running",
        (State::TimeUp, _) => "time up",
        (State::Finished, None) => "no grade",
        (State::Finished, Some(r)) if r.passed => "passed",
        (State::Finished, Some(_)) => "not passed",
    }
}

fn domain_list(domains: &[Domain]) -> String {
    domains
        .iter()
        .map(|d| d.title())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1h 05m`, `34m 10s`, `45s`.
pub(crate) fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m {sec:02}s"),
        (h, m, _) => format!("{h}h {m:02}m"),
    }
}

/// Columns padded to their widest cell; the columns in `right` align right.
fn table(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w - cell.width());
            if i > 0 {
                l.push_str("  ");
            }
            if right.contains(&i) {
                l.push_str(&pad);
                l.push_str(cell);
            } else {
                l.push_str(cell);
                l.push_str(&pad);
            }
        }
        let mut l = l.trim_end().to_string();
        l.push('\n');
        l
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
struct Json {
    attempts: Vec<AttemptRow>,
    scenarios: Vec<ScenarioRow>,
    domains: Vec<DomainRow>,
    untried_domains: Vec<Domain>,
}

#[derive(Serialize)]
struct AttemptRow {
    session: String,
    scenario: String,
    mode: Mode,
    origin: Origin,
    state: State,
    started_at: String,
    finished_at: Option<String>,
    time_used_seconds: Option<u64>,
    score: Option<u32>,
    max_score: Option<u32>,
    percent: Option<f64>,
    passed: Option<bool>,
}

#[derive(Serialize)]
struct ScenarioRow {
    scenario: String,
    attempts: usize,
    best: BestRow,
    trend: Vec<u32>,
    change: Option<i64>,
}

#[derive(Serialize)]
struct BestRow {
    session: String,
    score: u32,
    max_score: u32,
    percent: f64,
    graded_at: String,
}

#[derive(Serialize)]
struct DomainRow {
    domain: Domain,
    title: &'static str,
    average_percent: f64,
    attempts: usize,
    scenarios: usize,
    library_scenarios: usize,
}

impl From<&Attempt<'_>> for AttemptRow {
    fn from(a: &Attempt) -> AttemptRow {
        let s = a.session;
        AttemptRow {
            session: s.id.clone(),
            scenario: s.scenario.clone(),
            mode: s.mode,
            origin: s.origin,
            state: a.state,
            started_at: rfc3339(s.started_at),
            finished_at: s.finished_at.map(rfc3339),
            time_used_seconds: a.time_used.map(|d| d.as_secs()),
            score: a.result.map(|r| r.score),
            max_score: a.result.map(|r| r.max_score),
            percent: a.result.map(|r| r.percent),
            passed: a.result.map(|r| r.passed),
        }
    }
}

impl From<&History<'_>> for Json {
    fn from(h: &History) -> Json {
        Json {
            attempts: h.attempts.iter().map(AttemptRow::from).collect(),
            scenarios: h
                .scenarios
                .iter()
                .map(|p| ScenarioRow {
                    scenario: p.scenario.to_string(),
                    attempts: p.attempts,
                    best: BestRow {
                        session: p.best_session.to_string(),
                        score: p.best.score,
                        max_score: p.best.max_score,
                        percent: p.best.percent,
                        graded_at: rfc3339(p.best.graded_at),
                    },
                    trend: p.trend.iter().map(|r| r.score).collect(),
                    change: p.change(),
                })
                .collect(),
            domains: h
                .domains
                .iter()
                .map(|d| DomainRow {
                    domain: d.domain,
                    title: d.domain.title(),
                    average_percent: d.average_percent,
                    attempts: d.attempts,
                    scenarios: d.scenarios,
                    library_scenarios: d.library_scenarios,
                })
                .collect(),
            untried_domains: h.untried.clone(),
        }
    }
}

/// One row per attempt, the JSON attempt fields as columns.
fn csv(h: &History) -> Result<String, Failure> {
    let fail = |e: &dyn std::fmt::Display| Failure(format!("cannot write the history as CSV: {e}"));
    let mut w = ::csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| fail(&e))?;
    for a in &h.attempts {
        w.serialize(AttemptRow::from(a)).map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

/// Columns of `history --format csv`, in order.
pub const CSV_HEADER: [&str; 12] = [
    "session",
    "scenario",
    "mode",
    "origin",
    "state",
    "started_at",
    "finished_at",
    "time_used_seconds",
    "score",
    "max_score",
    "percent",
    "passed",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(Duration::from_secs(45)), "45s");
        assert_eq!(duration(Duration::from_secs(34 * 60 + 5)), "34m 05s");
        assert_eq!(duration(Duration::from_secs(3600 + 5 * 60 + 9)), "1h 05m");
    }

    #[test]
    fn tables_pad_by_display_width() {
        let t = table(
            &["A", "TREND"],
            &[
                vec!["x".into(), "85 → 100".into()],
                vec!["long".into(), "1".into()],
            ],
            &[1],
        );
        assert_eq!(t, "A        TREND\nx     85 → 100\nlong         1\n");
    }
}
