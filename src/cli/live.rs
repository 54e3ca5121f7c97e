//! What the cluster commands share: a runtime for the async cluster layer,
//! and a live grade.

use super::Failure;
use crate::cluster::Cluster;
use crate::library::Entry;
use crate::report::{Report, Source};

/// A runtime for one command. One thread is enough: the requests of a
/// fetch wait on the network together, not on the CPU.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the async runtime: {e}")))
}

/// Grades the cluster of a kubeconfig context (None: the current context).
pub fn grade(entry: &Entry, context: Option<&str>) -> Result<Report, Failure> {
    runtime()?.block_on(async {
        let cluster = Cluster::connect(context)
            .await
            .map_err(|e| Failure(e.to_string()))?;
        let snapshot = cluster.fetch(&entry.rubric).await;
        let source = Source::Context {
            context: cluster.context().to_string(),
        };
        Ok(crate::grade::grade(
            entry,
            &snapshot,
            chrono::Utc::now(),
            source,
        ))
    })
}

/// One line on standard error when checks could not be evaluated: the
/// score is then incomplete, whatever the report says about passing.
pub fn errors_line(report: &Report) -> Option<String> {
    let errors: Vec<_> = report.errors().collect();
    let first = errors.first()?;
    let total: usize = report.criteria.iter().map(|c| c.checks.len()).sum();
    Some(format!(
        "{} of {total} checks could not be evaluated, the score is incomplete: {}",
        errors.len(),
        first.actual
    ))
}

/// Runs `work` (a change to the cluster) until it ends or the user presses
/// Ctrl-C. On Ctrl-C the work stops between two requests, a line says how
/// to get a clean cluster again, and `None` is returned: whatever was
/// already deleted or applied lies in the scenario's namespaces, which the
/// next `ckasim reset` deletes whole (a namespace still terminating is
/// waited for).
pub async fn interruptible<T>(
    scenario: &str,
    work: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<Option<T>, Failure> {
    tokio::select! {
        done = work => done.map(Some),
        _ = tokio::signal::ctrl_c() => {
            if scenario.is_empty() {
                eprintln!("ckasim: interrupted");
            } else {
                eprintln!("ckasim: interrupted: '{scenario}' may be half set up; 'ckasim reset {scenario}' starts it clean");
            }
            Ok(None)
        }
    }
}

/// The exit status of a command stopped by Ctrl-C (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;
