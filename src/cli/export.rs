//! `ckasim export SESSION|last`: an attempt's result for a study log, an
//! instructor or a CI system.
//!
//! JSON is `{ "session": {…}, "report": {…} }`: the report exactly as
//! `grade --format json` writes it, with the session around it. The
//! candidate's notes stay out of every export: they are free text and may
//! hold anything.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::Failure;
use crate::report::Report;
use crate::session::{Mode, Origin, Session, Store};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A session id (see `ckasim history --format json`) or `last`.
    pub session: String,
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The session and its report.
    Json,
    /// One row per check.
    Csv,
    /// A readable report with a table per criterion.
    Markdown,
    /// XML test report for CI: a testsuite per criterion, a testcase per check.
    Junit,
}

pub fn run(args: &ExportArgs, dir: Option<&Path>) -> Result<u8, Failure> {
    let store = Store::new(&crate::paths::home());
    let session = find(&store, &args.session)?;
    let lib = super::history::library_for_history(dir);
    let time_used = crate::history::time_used(&session, &lib, Utc::now());
    let text = render(&session, time_used, args.format)?;
    if let Some(path) = &args.output {
        crate::paths::write_atomic(path, text.as_bytes())
            .map_err(|e| Failure(format!("{}: cannot write: {e}", path.display())))?;
        eprintln!("session {} exported to {}", session.id, path.display());
    } else {
        crate::out!("{text}");
    }
    Ok(0)
}

/// `last` (the newest readable session; unreadable files are named on
/// standard error) or a session id.
fn find(store: &Store, which: &str) -> Result<Session, Failure> {
    if which == "last" {
        return super::history::sessions(store)
            .into_iter()
            .next()
            .ok_or_else(|| {
                Failure(
                    "no attempts yet: nothing to export (keep one with 'ckasim grade ID --snapshot FILE --record')"
                        .into(),
                )
            });
    }
    store.load(which).map_err(|e| Failure(e.to_string()))
}

/// The session as an export shows it.
#[derive(Debug, Serialize)]
pub struct SessionInfo<'a> {
    pub id: &'a str,
    pub scenario: &'a str,
    pub mode: Mode,
    pub origin: Origin,
    pub context: Option<&'a str>,
    pub started_at: String,
    pub deadline: String,
    pub finished_at: Option<String>,
    /// `null` for a recorded grade, which has no clock.
    pub time_used_seconds: Option<u64>,
    pub flagged: Vec<&'a str>,
    pub done: Vec<&'a str>,
    /// How many times the attempt was graded; the report is the last grade.
    pub grades: usize,
}

impl<'a> SessionInfo<'a> {
    pub fn new(s: &'a Session, time_used: Option<Duration>) -> SessionInfo<'a> {
        let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        SessionInfo {
            id: &s.id,
            scenario: &s.scenario,
            mode: s.mode,
            origin: s.origin,
            context: s.context.as_deref(),
            started_at: at(s.started_at),
            deadline: at(s.deadline),
            finished_at: s.finished_at.map(at),
            time_used_seconds: time_used.map(|d| d.as_secs()),
            flagged: s.flagged.iter().map(String::as_str).collect(),
            done: s.done.iter().map(String::as_str).collect(),
            grades: s.grades.len(),
        }
    }
}

#[derive(Serialize)]
struct Export<'a> {
    session: SessionInfo<'a>,
    report: &'a Report,
}

/// Renders the session's result; a session never graded has nothing to export.
pub fn render(
    session: &Session,
    time_used: Option<Duration>,
    format: ExportFormat,
) -> Result<String, Failure> {
    let report = session.result().ok_or_else(|| {
        Failure(format!(
            "session '{}' has no grade yet: nothing to export",
            session.id
        ))
    })?;
    let rendered = match format {
        ExportFormat::Json => {
            let export = Export {
                session: SessionInfo::new(session, time_used),
                report,
            };
            let mut s = serde_json::to_string_pretty(&export)
                .map_err(|e| Failure(format!("cannot write the export as JSON: {e}")))?;
            s.push('\n');
            return Ok(s);
        }
        ExportFormat::Csv => crate::report::csv::render(report, &session.id),
        ExportFormat::Junit => crate::report::junit::render(report, &session.id),
        ExportFormat::Markdown => Ok(crate::report::markdown::render(
            report,
            &facts(session, time_used),
        )),
    };
    rendered.map_err(|e| Failure(e.to_string()))
}

fn facts(s: &Session, time_used: Option<Duration>) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Session", s.id.clone()),
        (
            "Mode",
            match s.origin {
                Origin::Tui => s.mode.to_string(),
                Origin::GradeRecord => format!("{} (recorded grade)", s.mode),
            },
        ),
        (
            "Started",
            s.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        ),
    ];
    if let Some(d) = time_used {
        facts.push(("Time used", super::history::duration(d)));
    }
    if let Some(c) = &s.context {
        facts.push(("Context", c.clone()));
    }
    facts
}
