//! A namespace being deleted can wait on a `LoadBalancer` Service: its
//! load-balancer controller (cloud-provider-kind on kind, running on the
//! host) puts the finalizer `service.kubernetes.io/load-balancer-cleanup`
//! on it and removes it once the load balancer is gone. When that
//! controller no longer runs, nothing removes it and the namespace stays
//! Terminating. After `STALL` without an answer, reset removes that
//! finalizer itself, says so, and the namespace can go.

use std::time::Duration;

use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

use super::failure::What;
use super::{Cluster, collection_path};

/// The finalizer load-balancer controllers put on the Services they serve.
pub const CLEANUP: &str = "service.kubernetes.io/load-balancer-cleanup";
/// How long a deleted Service may wait for its controller before reset lets
/// it go. cloud-provider-kind answers within a few seconds.
pub const STALL: Duration = Duration::from_secs(15);

/// The deleted Services of a namespace's list still held by `CLEANUP`, with
/// the finalizers they would keep without it.
pub fn stalled(services: &Value) -> Vec<(String, Vec<Value>)> {
    services
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|s| s.pointer("/metadata/deletionTimestamp").is_some())
        .filter_map(|s| {
            let finalizers = s.pointer("/metadata/finalizers")?.as_array()?;
            finalizers.iter().any(|f| f == CLEANUP).then(|| {
                (
                    s.pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    finalizers
                        .iter()
                        .filter(|f| *f != CLEANUP)
                        .cloned()
                        .collect(),
                )
            })
        })
        .collect()
}

/// Every `STALL` (a quarter of the reset's wait when that is shorter), while
/// namespace `ns` is being deleted: the Services still held by `CLEANUP` are
/// let go, a line each. Ends at the first pause after `deleted` is notified
/// (never in the middle of letting one go, so its line is said).
pub async fn release_stalled(
    cluster: &Cluster,
    ns: &str,
    say: &(dyn Fn(String) + Sync),
    deleted: &tokio::sync::Notify,
) {
    let path = collection_path("", "v1", "services", Some(ns));
    let stall = STALL.min(cluster.wait / 4);
    loop {
        tokio::select! {
            () = tokio::time::sleep(stall) => {}
            () = deleted.notified() => return,
        }
        let what = What::Action(format!("list the services of namespace '{ns}'"));
        let Ok(services) = cluster.get_json(&path, &what).await else {
            continue;
        };
        for (name, keep) in stalled(&services) {
            let what = What::Action(format!("patch service '{name}' in namespace '{ns}'"));
            let release = json!({"metadata": {"finalizers": keep}});
            let request = kube::core::Request::new(path.clone()).patch(
                &name,
                &PatchParams::default(),
                &Patch::Merge(&release),
            );
            let done = match request {
                Ok(request) => cluster.send(request, &what).await.map_err(|f| f.reason),
                Err(e) => Err(e.to_string()),
            };
            say(match done {
                Ok(_) => format!(
                    "service/{name} in {ns}: no load-balancer controller let it go in {:.0} s (is cloud-provider-kind running?): its finalizer {CLEANUP} removed so the namespace can go; a load balancer it made may remain",
                    stall.as_secs_f64()
                ),
                Err(reason) => format!(
                    "service/{name} in {ns} waits for its load-balancer controller (is cloud-provider-kind running?): removing its finalizer {CLEANUP} failed: {reason}"
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_deleted_services_held_by_the_cleanup_finalizer_are_stalled() {
        let list = json!({"items": [
            {"metadata": {"name": "lb", "deletionTimestamp": "2026-12-07T10:00:00Z",
                          "finalizers": [CLEANUP, "example.com/keep"]}},
            {"metadata": {"name": "live", "finalizers": [CLEANUP]}},
            {"metadata": {"name": "other", "deletionTimestamp": "2026-12-07T10:00:00Z",
                          "finalizers": ["example.com/keep"]}},
        ]});
        assert_eq!(
            stalled(&list),
            [("lb".to_string(), vec![json!("example.com/keep")])]
        );
    }
}
