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
