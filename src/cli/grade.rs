//! `ckasim grade`

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Failure;
use crate::library::Entry;
use crate::report::{Report, Source};
use crate::session::{Mode, Origin, Session, Store};
use crate::snapshot::Snapshot;

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Scenario id (see `ckasim list`).
    pub id: String,
    /// Grade these snapshot files (kubectl get -o json|yaml output) instead of a cluster.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub snapshot: Vec<PathBuf>,
    /// Grade the cluster of this kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME", conflicts_with = "snapshot")]
    pub context: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also keep the report as an attempt in the history (see `ckasim history`).
    #[arg(long)]
    pub record: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    /// XML test report for CI: a testsuite per criterion, a testcase per check.
    Junit,
    /// A readable report with a table per criterion.
    Markdown,
}

/// Exit code for a report: 0 passed, 1 not passed, 2 when some checks could
/// not be evaluated (the score is then incomplete).
pub fn exit_code(report: &Report) -> u8 {
    if report.errors().next().is_some() {
        2
    } else {
        u8::from(!report.passed)
    }
}

pub fn render(report: &Report, format: ReportFormat, color: bool) -> Result<String, Failure> {
    Ok(match format {
        ReportFormat::Text => crate::report::text::render(report, color),
        ReportFormat::Json => {
            let mut s = report.to_json();
            s.push('\n');
            s
        }
        ReportFormat::Junit => crate::report::junit::render(report, &report.scenario)
            .map_err(|e| Failure(e.to_string()))?,
        ReportFormat::Markdown => crate::report::markdown::render(report, &[]),
    })
}

pub fn grade_snapshot(entry: &Entry, files: &[PathBuf]) -> Result<Report, Failure> {
    let snapshot = Snapshot::read_files(files).map_err(|e| Failure(e.to_string()))?;
    let source = Source::Snapshot {
        snapshot: files.iter().map(|f| f.display().to_string()).collect(),
    };
    Ok(crate::grade::grade(
        entry,
        &snapshot,
        chrono::Utc::now(),
        source,
    ))
}

/// Prints or writes the report.
pub fn emit(report: &Report, args: &GradeArgs) -> Result<(), Failure> {
    if let Some(path) = &args.output {
        {
            let text = render(report, args.format, false)?;
            crate::paths::write_atomic(path, text.as_bytes())
                .map_err(|e| Failure(format!("{}: cannot write: {e}", path.display())))?;
            eprintln!(
                "{}: {}/{} ({:.1}%), report written to {}",
                report.scenario,
                report.score,
                report.max_score,
                report.percent,
                path.display()
            );
            Ok(())
        }
    } else {
        use std::io::IsTerminal as _;
        let color = args.format == ReportFormat::Text && std::io::stdout().is_terminal();
        crate::out!("{}", render(report, args.format, color)?);
        Ok(())
    }
}

/// Keeps the report as a finished attempt: a session of the graded moment,
/// in exam mode, with the scenario's time limit as its deadline.
pub fn record(store: &Store, entry: &Entry, report: &Report) -> Result<Session, Failure> {
    let context = match &report.source {
        Source::Context { context } => Some(context.clone()),
        Source::Snapshot { .. } => None,
    };
    let mut session = Session::new(
        &entry.scenario.id,
        Mode::Exam,
        Origin::GradeRecord,
        context,
        entry.scenario.time_limit,
        report.graded_at,
    );
    session.finish(report.graded_at);
    session.grades.push(report.clone());
    // Two records within the same millisecond must not overwrite each other.
    let base = session.id.clone();
    let mut n = 1;
    while store.dir().join(format!("{}.json", session.id)).exists() {
        n += 1;
        session.id = format!("{base}-{n}");
    }
    store.save(&session).map_err(|e| Failure(e.to_string()))?;
    eprintln!(
        "recorded attempt {} (see 'ckasim history', 'ckasim export last')",
        session.id
    );
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn a_recorded_grade_is_a_finished_exam_of_one_grade_and_never_overwrites_another() {
        let lib = crate::library::Library::builtin().unwrap();
        let entry = lib.get("secure-workspace").unwrap();
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 23, 16, 7, 0)
            .unwrap();
        let report = Report::new(
            "secure-workspace",
            66,
            vec![],
            at,
            Source::Context {
                context: "kind-cka".into(),
            },
            vec![],
        );
        let home = tempfile::tempdir().unwrap();
        let store = Store::new(home.path());
        let first = record(&store, entry, &report).unwrap();
        let second = record(&store, entry, &report).unwrap();
        assert_eq!(first.id, "20261123T160700.000Z-secure-workspace");
        assert_eq!(second.id, "20261123T160700.000Z-secure-workspace-2");
        let (sessions, problems) = store.list();
        assert!(problems.is_empty());
        assert_eq!(sessions.len(), 2);
        let s = store.load(&first.id).unwrap();
        assert_eq!((s.mode, s.origin), (Mode::Exam, Origin::GradeRecord));
        assert_eq!(s.context.as_deref(), Some("kind-cka"));
        assert_eq!((s.started_at, s.finished_at), (at, Some(at)));
        assert_eq!(s.deadline - at, chrono::Duration::minutes(35));
        assert_eq!(s.grades, [report]);
    }
}
