//! A cluster caught moving: a Deployment or StatefulSet not rolled out
//! (a new spec not yet seen, replicas not yet updated, old ones not yet
//! gone, updated ones not yet available), pods terminating. The checks judge what the snapshot holds, which may be
//! a half state; the report says so in a note (no points change).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::kind::Kind;
use crate::snapshot::{Object, Snapshot};

/// One note per workload still rolling out, one per namespace with pods
/// terminating, in snapshot order.
pub fn notes(snapshot: &Snapshot) -> Vec<String> {
    let mut notes = Vec::new();
    let mut terminating: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for o in snapshot.objects() {
        match o.kind {
            Kind::Deployment | Kind::StatefulSet => {
                if let Some(state) = rollout(o) {
                    notes.push(format!(
                        "{} had not finished rolling out when graded ({state}): the checks judged it as it was then; if it is still starting, grade again once 'kubectl rollout status {}' succeeds",
                        where_is(o),
                        o.display()
                    ));
                }
            }
            Kind::Pod if o.value.pointer("/metadata/deletionTimestamp").is_some() => {
                terminating
                    .entry(o.namespace.as_deref().unwrap_or(""))
                    .or_default()
                    .push(&o.name);
            }
            _ => {}
        }
    }
    for (ns, pods) in terminating {
        let (count, verb) = if pods.len() == 1 {
            ("1 pod".to_string(), "was")
        } else {
            (format!("{} pods", pods.len()), "were")
        };
        notes.push(format!(
            "{count} in namespace {ns} {verb} terminating when graded ({}): the checks judged the cluster as it was then",
            pods.join(", ")
        ));
    }
    notes
}

fn where_is(o: &Object) -> String {
    match &o.namespace {
        Some(ns) => format!("{} in namespace {ns}", o.display()),
        None => o.display(),
    }
}

fn number(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// Why a workload is not rolled out yet, as `kubectl rollout status` judges
/// it; `None` once it is (or when its status says nothing).
fn rollout(o: &Object) -> Option<String> {
    let v = &o.value;
    let status = v.get("status")?;
    let generation = number(v, "/metadata/generation").unwrap_or(0);
    let observed = number(status, "/observedGeneration").unwrap_or(0);
    if generation > observed {
        return Some(format!(
            "generation {generation}, the controller has seen {observed}"
        ));
    }
    let wanted = number(v, "/spec/replicas").unwrap_or(1);
    let updated = number(status, "/updatedReplicas").unwrap_or(0);
    let replicas = number(status, "/replicas").unwrap_or(0);
    let ready = number(status, "/readyReplicas").unwrap_or(0);
    let unavailable = number(status, "/unavailableReplicas").unwrap_or(0);
    if updated < wanted {
        Some(format!("{updated} of {wanted} replicas updated"))
    } else if replicas > updated {
        let old = replicas - updated;
        Some(format!(
            "{old} old replica{} still to go",
            if old == 1 { "" } else { "s" }
        ))
    } else if unavailable > 0 || ready < updated {
        Some(format!("{ready} of {updated} updated replicas ready"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::notes;
    use crate::snapshot::Snapshot;

    fn snapshot(objects: &[Value]) -> Snapshot {
        let mut s = Snapshot::default();
        for o in objects {
            s.insert(o.clone()).unwrap();
        }
        s
    }

    /// A Deployment of 3 wanted replicas in namespace shop, its controller
    /// at generation 2: (name, generation, replicas, updated, ready).
    fn deployment(
        (name, generation, replicas, updated, ready): (&str, i64, i64, i64, i64),
    ) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "shop", "generation": generation},
            "spec": {"replicas": 3},
            "status": {"observedGeneration": 2, "replicas": replicas, "updatedReplicas": updated,
                "readyReplicas": ready, "availableReplicas": ready}})
    }

    fn pod(name: &str, terminating: bool) -> Value {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop"}});
        if terminating {
            pod["metadata"]["deletionTimestamp"] = json!("2026-11-29T15:00:00Z");
        }
        pod
    }

    const SETTLED: (&str, i64, i64, i64, i64) = ("done", 2, 3, 3, 3);

    #[test]
    fn a_rollout_in_progress_and_terminating_pods_are_noted() {
        let mut objects: Vec<Value> = [
            SETTLED,
            ("unseen", 3, 3, 3, 3),
            ("halfway", 2, 4, 1, 3),
            ("surge", 2, 4, 3, 3),
            ("starting", 2, 3, 3, 1),
        ]
        .into_iter()
        .map(deployment)
        .collect();
        objects.extend([pod("web-1", true), pod("web-2", false)]);
        let rolling = |name: &str, state: &str| {
            format!(
                "deployment/{name} in namespace shop had not finished rolling out when graded ({state}): the checks judged it as it was then; if it is still starting, grade again once 'kubectl rollout status deployment/{name}' succeeds"
            )
        };
        assert_eq!(
            notes(&snapshot(&objects)),
            [
                rolling("unseen", "generation 3, the controller has seen 2"),
                rolling("halfway", "1 of 3 replicas updated"),
                rolling("surge", "1 old replica still to go"),
                rolling("starting", "1 of 3 updated replicas ready"),
                "1 pod in namespace shop was terminating when graded (web-1): the checks judged the cluster as it was then".into(),
            ]
        );
    }

    #[test]
    fn a_settled_cluster_gets_no_note() {
        let s = snapshot(&[deployment(SETTLED), pod("web-2", false)]);
        assert!(notes(&s).is_empty());
    }

    #[test]
    fn a_capture_from_a_real_cluster_caught_mid_rollout_says_so() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/real/pss-restricted-namespace/solved.json");
        let s = Snapshot::read_files(&[file]).unwrap();
        let notes = notes(&s);
        assert!(
            notes.iter().any(|n| n.starts_with("2 pods in namespace ")
                && n.contains("were terminating when graded (web-748b457896-")),
            "{notes:#?}"
        );
    }
}
