//! Workloads: a Deployment's rollout history (`rollout`), HorizontalPodAutoscalers as the
//! autoscaling/v2 API serves them (`hpa`), Jobs and CronJobs (`jobs`), PriorityClasses relative
//! to others (`priority`), and whether the ConfigMaps and Secrets a pod spec references resolve
//! (`refs`).

// Kind and field names (StorageClass, NoSchedule, PriorityClass) are the domain's words in
// these docs, not code to mark up.
#![allow(clippy::doc_markdown)]

pub mod check;
pub mod hpa;
pub mod jobs;
pub mod priority;
pub mod refs;
pub mod rollout;

use serde_json::Value;

/// The integer at a JSON pointer, if it is one.
pub(crate) fn int_at(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// One comparison of an expected integer with what was found, in words: `min 2` or
/// `min 1 (expected 2)`.
pub(crate) fn compare_int(
    what: &str,
    found: Option<i64>,
    expected: Option<i64>,
) -> Option<(bool, String)> {
    let expected = expected?;
    let shown = found.map_or_else(|| "not set".to_owned(), |f| f.to_string());
    Some(if found == Some(expected) {
        (true, format!("{what} {shown}"))
    } else {
        (false, format!("{what} {shown} (expected {expected})"))
    })
}

/// [`compare_int`] for a string: `target Deployment/web (expected Deployment/api)`.
pub(crate) fn compare_str(
    what: &str,
    found: &str,
    expected: Option<&str>,
) -> Option<(bool, String)> {
    let expected = expected?;
    Some(if found == expected {
        (true, format!("{what} {found}"))
    } else {
        (false, format!("{what} {found} (expected {expected})"))
    })
}

/// A verdict from comparisons, `subject: part, part`, the failing parts first.
pub(crate) fn verdict_of(subject: &str, parts: &[(bool, String)]) -> super::Verdict {
    let parts: Vec<super::Verdict> = parts
        .iter()
        .map(|(ok, words)| super::Verdict::new(*ok, words.clone()))
        .collect();
    let all = super::objects::all_joined(&parts, ", ");
    if parts.is_empty() {
        super::Verdict::new(true, subject)
    } else {
        super::Verdict::new(all.pass, format!("{subject}: {}", all.found))
    }
}
