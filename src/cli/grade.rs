//! `ckasim grade`

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Failure;
use crate::library::Entry;
use crate::report::{Report, Source};
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
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

pub fn render(report: &Report, format: ReportFormat, color: bool) -> String {
    match format {
        ReportFormat::Text => crate::report::text::render(report, color),
        ReportFormat::Json => {
            let mut s = report.to_json();
            s.push('\n');
            s
        }
    }
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
            let text = render(report, args.format, false);
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
        print!("{}", render(report, args.format, color));
        Ok(())
    }
}
