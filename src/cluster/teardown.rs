//! The deletion half of a reset, fast: the scenario's namespaces are
//! deleted together; in each, the pods are then deleted with grace period
//! 0, so nothing waits on a kubelet's grace period (a `sleep` that ignores
//! SIGTERM holds a pod 30 s), and the namespace is watched, not polled,
//! until the API server no longer has it. Every step is one line: what is
//! being deleted, how many objects are left.

use std::sync::{Mutex, PoisonError};

use futures::TryStreamExt as _;
use kube::api::{DeleteParams, GetParams, ListParams, WatchParams};
use kube::core::WatchEvent;
use serde_json::Value;
use tokio::time::Instant;

use super::failure::{Failed, What, seconds};
use super::{Cluster, ClusterError, check_deletable, collection_path, load_balancers};

/// The pause before looking again at a namespace whose watch ended early.
const RETRY: std::time::Duration = std::time::Duration::from_millis(250);

/// Deletes `namespaces` (each checked first: nothing is deleted if one is
/// protected) and returns once all are gone, bounded by the cluster's wait.
pub async fn delete_namespaces(
    cluster: &Cluster,
    namespaces: &[String],
    log: &mut (dyn FnMut(String) + Send),
) -> Result<(), ClusterError> {
    for ns in namespaces {
        check_deletable(ns)?;
    }
    let deadline = Instant::now() + cluster.wait;
    // The deletions run together on this task; each line is logged whole.
    let log = Mutex::new(log);
    let say = |line: String| (log.lock().unwrap_or_else(PoisonError::into_inner))(line);
    futures::future::try_join_all(
        namespaces
            .iter()
            .map(|ns| delete_namespace(cluster, ns, deadline, &say)),
    )
    .await?;
    Ok(())
}

async fn delete_namespace(
    cluster: &Cluster,
    ns: &str,
    deadline: Instant,
    say: &(dyn Fn(String) + Sync),
) -> Result<(), ClusterError> {
    let namespaces = kube::core::Request::new("/api/v1/namespaces");
    let what = What::Action(format!("delete namespace '{ns}'"));
    let request = namespaces
        .delete(ns, &DeleteParams::default())
        .map_err(|e| cluster.request_error(e.to_string()))?;
    let version = match cluster.send(request, &what).await {
        Ok(deleted) => {
            say(format!("deleting namespace/{ns}"));
            resource_version(&deleted)
        }
        Err(Failed {
            code: Some(404), ..
        }) => {
            say(format!("namespace/{ns} was not there"));
            return Ok(());
        }
        // Already being deleted (an earlier reset was interrupted): wait for it.
        Err(Failed {
            code: Some(409), ..
        }) => {
            say(format!("namespace/{ns} is already being deleted"));
            None
        }
        Err(f) => return Err(cluster.request_error(f.reason)),
    };
    // With the namespace terminating no controller can recreate them: the
    // pods go now instead of after their grace period.
    let pods = kube::core::Request::new(collection_path("", "v1", "pods", Some(ns)));
    let now = DeleteParams {
        grace_period_seconds: Some(0),
        ..DeleteParams::default()
    };
    let request = pods
        .delete_collection(&now, &ListParams::default())
        .map_err(|e| cluster.request_error(e.to_string()))?;
    let what = What::Action(format!("delete the pods of namespace '{ns}'"));
    // What the namespace held before this is history: not reported.
    let mut pods_gone_at = None;
    match cluster.send(request, &what).await {
        Ok(list) => {
            pods_gone_at = list
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .and_then(|v| v.parse::<u64>().ok());
            let count = list
                .get("items")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if count > 0 {
                say(format!(
                    "namespace/{ns}: {} deleted without waiting for a grace period",
                    plural(count, "pod")
                ));
            }
        }
        Err(Failed {
            code: Some(404), ..
        }) => {}
        Err(f) => return Err(cluster.request_error(f.reason)),
    }
    // A LoadBalancer Service whose controller no longer answers would hold
    // the namespace: let go of it after a while, beside the watch.
    let deleted = tokio::sync::Notify::new();
    let watching = async {
        let gone = watch_until_deleted(cluster, ns, version, pods_gone_at, deadline, say).await;
        deleted.notify_one();
        gone
    };
    let (gone, ()) = tokio::join!(
        watching,
        load_balancers::release_stalled(cluster, ns, say, &deleted)
    );
    gone?;
    say(format!("namespace/{ns} deleted"));
    Ok(())
}

/// Follows namespace `ns` until the API server no longer has it (bounded by
/// `deadline`), saying what is left as it goes.
async fn watch_until_deleted(
    cluster: &Cluster,
    ns: &str,
    mut version: Option<String>,
    pods_gone_at: Option<u64>,
    deadline: Instant,
    say: &(dyn Fn(String) + Sync),
) -> Result<(), ClusterError> {
    let mut left = None;
    loop {
        let Some(from) = version.take() else {
            // Where to watch from: the namespace as it is now, if still there.
            match get_namespace(cluster, ns).await? {
                None => break,
                Some(current) => {
                    version = resource_version(&current);
                    report_left(ns, &current, &mut left, say);
                    continue;
                }
            }
        };
        let mut report = |namespace: &Value| {
            let newer = pods_gone_at.is_none_or(|at| {
                resource_version(namespace)
                    .and_then(|v| v.parse::<u64>().ok())
                    .is_none_or(|v| v > at)
            });
            if newer {
                report_left(ns, namespace, &mut left, say);
            }
        };
        if watch_until_gone(cluster, ns, &from, deadline, &mut report).await? {
            break;
        }
        if Instant::now() >= deadline {
            return Err(ClusterError::StillTerminating {
                namespace: ns.to_string(),
                waited: seconds(cluster.wait),
            });
        }
        // The watch ended without the deletion (rare): look again shortly.
        tokio::time::sleep(RETRY).await;
    }
    Ok(())
}

/// Watches namespace `ns` from `version`; true once it is deleted, false
/// when the watch ended first (timeout, expired version, closed stream).
async fn watch_until_gone(
    cluster: &Cluster,
    ns: &str,
    version: &str,
    deadline: Instant,
    report: &mut (dyn FnMut(&Value) + Send),
) -> Result<bool, ClusterError> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    let params = WatchParams::default()
        .fields(&format!("metadata.name={ns}"))
        .timeout(u32::try_from(remaining.as_secs().clamp(1, 290)).unwrap_or(290));
    let request = kube::core::Request::new("/api/v1/namespaces")
        .watch(&params, version)
        .map_err(|e| cluster.request_error(e.to_string()))?;
    let events = tokio::time::timeout(
        cluster.timeout,
        cluster.client.request_events::<Value>(request),
    )
    .await;
    let Ok(Ok(events)) = events else {
        // No watch (refused, not answered): the GET that follows says
        // whether it is gone, as a poll would.
        return Ok(false);
    };
    let mut events = std::pin::pin!(events);
    loop {
        let next = tokio::time::timeout_at(deadline, events.try_next()).await;
        match next {
            Ok(Ok(Some(WatchEvent::Deleted(_)))) => return Ok(true),
            Ok(Ok(Some(WatchEvent::Added(o) | WatchEvent::Modified(o)))) => report(&o),
            Ok(Ok(Some(WatchEvent::Bookmark(_)))) => {}
            // An expired version, an ended or broken stream, the deadline:
            // look again (a GET says whether it is gone).
            Ok(Ok(Some(WatchEvent::Error(_)) | None) | Err(_)) | Err(_) => return Ok(false),
        }
    }
}

async fn get_namespace(cluster: &Cluster, ns: &str) -> Result<Option<Value>, ClusterError> {
    let what = What::Action(format!("see whether namespace '{ns}' is gone"));
    let request = kube::core::Request::new("/api/v1/namespaces")
        .get(ns, &GetParams::default())
        .map_err(|e| cluster.request_error(e.to_string()))?;
    match cluster.send(request, &what).await {
        Ok(v) => Ok(Some(v)),
        Err(Failed {
            code: Some(404), ..
        }) => Ok(None),
        Err(f) => Err(cluster.request_error(f.reason)),
    }
}

fn resource_version(object: &Value) -> Option<String> {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// One line when what the namespace still holds changes, from the
/// namespace controller's own account (its `NamespaceContentRemaining`
/// condition): `namespace/x terminating: 3 objects left (pods)`.
fn report_left(
    ns: &str,
    namespace: &Value,
    last: &mut Option<String>,
    say: &(dyn Fn(String) + Sync),
) {
    let Some(line) = objects_left(namespace).map(|text| format!("namespace/{ns} {text}")) else {
        return;
    };
    if last.as_deref() != Some(line.as_str()) {
        say(line.clone());
        *last = Some(line);
    }
}

/// `terminating: 3 objects left (deployments.apps, pods)` from a
/// Terminating namespace's conditions, e.g. "Some resources are remaining:
/// deployments.apps has 1 resource instances, pods. has 2 resource
/// instances" (the namespace controller's wording).
pub fn objects_left(namespace: &Value) -> Option<String> {
    let conditions = namespace.pointer("/status/conditions")?.as_array()?;
    let message = conditions
        .iter()
        .find(|c| {
            c.get("type").and_then(Value::as_str) == Some("NamespaceContentRemaining")
                && c.get("status").and_then(Value::as_str) == Some("True")
        })?
        .get("message")?
        .as_str()?;
    let listed = message.split_once(':')?.1;
    let mut count = 0usize;
    let mut kinds = Vec::new();
    for part in listed.split(',') {
        // `<resource>.<group> has N resource instances`; the group of core
        // resources is empty, which leaves `pods.`.
        let Some((resource, rest)) = part.split_once(" has ") else {
            continue;
        };
        let n: usize = rest.split_whitespace().next()?.parse().ok()?;
        count += n;
        kinds.push(resource.trim().trim_end_matches('.').to_string());
    }
    (count > 0).then(|| {
        format!(
            "terminating: {} left ({})",
            plural(count, "object"),
            kinds.join(", ")
        )
    })
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::objects_left;

    #[test]
    fn what_a_terminating_namespace_still_holds_is_counted_from_its_condition() {
        let ns = json!({"status": {"phase": "Terminating", "conditions": [
            {"type": "NamespaceDeletionDiscoveryFailure", "status": "False"},
            {"type": "NamespaceContentRemaining", "status": "True", "reason": "SomeResourcesRemain",
             "message": "Some resources are remaining: deployments.apps has 1 resource instances, persistentvolumeclaims. has 1 resource instances, pods. has 2 resource instances"}
        ]}});
        assert_eq!(
            objects_left(&ns).as_deref(),
            Some("terminating: 4 objects left (deployments.apps, persistentvolumeclaims, pods)")
        );
        let done = json!({"status": {"conditions": [
            {"type": "NamespaceContentRemaining", "status": "False", "message": "All content successfully removed"}
        ]}});
        assert_eq!(objects_left(&done), None);
        assert_eq!(objects_left(&json!({"status": {"phase": "Active"}})), None);
    }
}
