//! Which objects of a snapshot a check's target names.

use serde_json::Value;

use crate::kind::Kind;
use crate::library::rubric::{Expectation, Matcher, Selection, Target};
use crate::snapshot::{Object, Snapshot};

pub enum Resolved<'a> {
    Objects(Vec<&'a Object>),
    /// Nothing matched, and how to say so.
    Missing(String),
    /// The list could not be read.
    Unavailable(String),
}

fn in_ns(ns: Option<&str>) -> String {
    ns.map(|n| format!(" in namespace {n}")).unwrap_or_default()
}

/// The (kind, namespace) lists a check reads: its target's kind; for "the
/// pods of" a workload also the workload and what links pods to it; for
/// expectations a pod template inherits from its ServiceAccount, the
/// ServiceAccounts. `cluster` fetches exactly these; a check whose list
/// could not be read is an error, not a failure.
pub fn lists_read(t: &Target, e: Option<&Expectation>) -> Vec<(Kind, Option<String>)> {
    let mut kinds = vec![t.kind];
    if let Selection::PodsOf { kind, .. } = &t.select {
        kinds.extend([*kind, Kind::ReplicaSet]);
        if *kind == Kind::CronJob {
            kinds.push(Kind::Job);
        }
    }
    let inherits = matches!(
        e,
        Some(Expectation::PullSecret(_) | Expectation::TokenMounted(_))
    );
    if inherits && t.kind.has_pod_spec() && t.kind != Kind::Pod {
        kinds.push(Kind::ServiceAccount);
    }
    kinds
        .into_iter()
        .map(|k| (k, t.namespace.clone().filter(|_| k.namespaced())))
        .collect()
}

/// Every list a check reads: its target's (`lists_read`) and, for an
/// evaluator's check, the lists the evaluator reads beyond it.
pub fn check_reads(t: Option<&Target>, e: Option<&Expectation>) -> Vec<(Kind, Option<String>)> {
    let mut reads = t.map(|t| lists_read(t, e)).unwrap_or_default();
    reads.extend(expectation_reads(t, e));
    reads
}

/// The whole lists an expectation reads beyond its target's: an
/// evaluator's, and the objects a field compares with.
pub fn expectation_reads(
    t: Option<&Target>,
    e: Option<&Expectation>,
) -> Vec<(Kind, Option<String>)> {
    match e {
        Some(Expectation::Evaluated(check)) => check.reads(t),
        Some(Expectation::Field {
            matcher: Matcher::Compare { conditions, .. },
            ..
        }) => super::compare::reads(conditions),
        _ => Vec::new(),
    }
}

/// Why a list the check reads could not be read, if one could not.
pub fn unavailable<'a>(
    t: Option<&Target>,
    e: Option<&Expectation>,
    s: &'a Snapshot,
) -> Option<&'a str> {
    check_reads(t, e)
        .into_iter()
        .find_map(|(k, ns)| s.unavailable(k, ns.as_deref()))
}

pub fn resolve<'a>(t: &Target, s: &'a Snapshot) -> Resolved<'a> {
    let ns = t.namespace.as_deref();
    if let Some(reason) = unavailable(Some(t), None, s) {
        return Resolved::Unavailable(reason.to_string());
    }
    let mut objects: Vec<&Object> = match &t.select {
        Selection::Name(name) => match s.get(t.kind, ns, name) {
            Some(o) => vec![o],
            None => {
                return Resolved::Missing(format!(
                    "{} {name} not found{}",
                    t.kind.kubectl_name(),
                    in_ns(ns)
                ));
            }
        },
        Selection::Labels(sel) => {
            let found: Vec<&Object> = s
                .list(t.kind, ns)
                .filter(|o| sel.matches(o.labels()))
                .collect();
            if found.is_empty() {
                return Resolved::Missing(format!(
                    "no {} matches -l {}{}",
                    t.kind.kubectl_name(),
                    sel.text,
                    in_ns(ns)
                ));
            }
            found
        }
        Selection::PodsOf { kind, name } => {
            let Some(owner) = s.get(*kind, ns, name) else {
                return Resolved::Missing(format!(
                    "{} {name} not found{}",
                    kind.kubectl_name(),
                    in_ns(ns)
                ));
            };
            let pods = pods_of(owner, s);
            if pods.is_empty() {
                return Resolved::Missing(format!("{} {name} has no pods", kind.kubectl_name()));
            }
            pods
        }
    };
    if t.running {
        let total = objects.len();
        let phases: Vec<String> = objects.iter().map(|o| phase(o).to_string()).collect();
        objects.retain(|o| phase(o) == "Running");
        if objects.is_empty() {
            let mut phases = phases;
            phases.dedup();
            return Resolved::Missing(format!(
                "no running pod ({total} pod{} in phase {})",
                if total == 1 { "" } else { "s" },
                phases.join(", ")
            ));
        }
    }
    Resolved::Objects(objects)
}

pub fn phase(pod: &Object) -> &str {
    pod.value
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Unknown")
}

pub fn is_ready(pod: &Object) -> bool {
    pod.value
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.get("type").and_then(Value::as_str) == Some("Ready")
                    && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

fn owned_by<'a>(owner: &Object, candidates: impl Iterator<Item = &'a Object>) -> Vec<&'a Object> {
    candidates
        .filter(|o| {
            o.value
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter().any(|r| {
                        let kind_ok =
                            r.get("kind").and_then(Value::as_str) == Some(owner.kind.name());
                        let name_ok =
                            r.get("name").and_then(Value::as_str) == Some(owner.name.as_str());
                        let uid_ok = match (r.get("uid").and_then(Value::as_str), owner.uid()) {
                            (Some(a), Some(b)) => a == b,
                            _ => true,
                        };
                        kind_ok && name_ok && uid_ok
                    })
                })
        })
        .collect()
}

#[allow(clippy::trivially_copy_pass_by_ref)] // the shape `Vec::retain` passes
fn live(o: &&Object) -> bool {
    o.value.pointer("/metadata/deletionTimestamp").is_none()
}

/// The pods a workload runs now. For a Deployment, the pods of its current
/// ReplicaSet (the one at the Deployment's revision), so an old template's
/// pods do not count for the new one; without ReplicaSets in the snapshot,
/// the pods its selector matches.
pub fn pods_of<'a>(owner: &Object, s: &'a Snapshot) -> Vec<&'a Object> {
    let ns = owner.namespace.as_deref();
    let pods = || s.list(Kind::Pod, ns);
    let mut found = match owner.kind {
        Kind::Deployment => {
            let sets = owned_by(owner, s.list(Kind::ReplicaSet, ns));
            let revision = |o: &Object| {
                o.value
                    .pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let current: Vec<&Object> = match revision(owner) {
                Some(r) => sets
                    .iter()
                    .copied()
                    .filter(|rs| revision(rs).as_ref() == Some(&r))
                    .collect(),
                None => Vec::new(),
            };
            if sets.is_empty() {
                // No ReplicaSets in the snapshot (a hand-written one): the selector decides.
                return selector_pods(owner, s).into_iter().filter(live).collect();
            }
            // Only the current ReplicaSet's pods: when the new template's pods
            // are rejected, the old ones must not stand in for them.
            let sets = if current.is_empty() { sets } else { current };
            return sets
                .iter()
                .flat_map(|rs| owned_by(rs, pods()))
                .filter(live)
                .collect();
        }
        Kind::CronJob => owned_by(owner, s.list(Kind::Job, ns))
            .into_iter()
            .flat_map(|job| owned_by(job, pods()))
            .collect(),
        _ => owned_by(owner, pods()),
    };
    if found.is_empty() {
        found = selector_pods(owner, s);
    }
    found.retain(live);
    found
}

fn selector_pods<'a>(owner: &Object, s: &'a Snapshot) -> Vec<&'a Object> {
    let Some(labels) = owner
        .value
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    if labels.is_empty() {
        return Vec::new();
    }
    s.list(Kind::Pod, owner.namespace.as_deref())
        .filter(|p| {
            let have = p.labels();
            labels
                .iter()
                .all(|(k, v)| have.and_then(|h| h.get(k)) == Some(v))
        })
        .collect()
}
