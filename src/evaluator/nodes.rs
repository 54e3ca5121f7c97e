//! Nodes and scheduling: a node Ready and schedulable, its taints (as a set) and labels, drained
//! (what `kubectl drain` leaves), where pods run (`placement`, with taints and tolerations matched
//! as the scheduler matches them in `scheduling`), and static pods (their mirror pods).

// Kind and field names (StorageClass, NoSchedule, PriorityClass) are the domain's words in
// these docs, not code to mark up.
#![allow(clippy::doc_markdown)]

pub mod check;
pub mod placement;
pub mod scheduling;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

pub use scheduling::{Taint, Toleration};

use super::Verdict;
use super::objects::{annotation, array_at, condition, controller_of, name, quoted_list, str_at};

/// The annotation the kubelet puts on the mirror pod of a static pod.
pub const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// Whether a node's `Ready` condition is `True` (or, with `expected = false`, is not).
pub fn ready(node: &Value, expected: bool) -> Verdict {
    let status = condition(node, "Ready").unwrap_or("not reported");
    let is_ready = status == "True";
    let words = format!("node {} Ready: {status}", name(node));
    Verdict::new(is_ready == expected, words)
}

/// Whether a node accepts new pods (`spec.unschedulable` unset or false) — or, with
/// `expected = false`, is cordoned.
pub fn schedulable(node: &Value, expected: bool) -> Verdict {
    let cordoned = node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true);
    let words = if cordoned {
        format!("node {} is cordoned (SchedulingDisabled)", name(node))
    } else {
        format!("node {} is schedulable", name(node))
    };
    Verdict::new(cordoned != expected, words)
}

/// The taints of a node.
pub fn node_taints(node: &Value) -> Vec<Taint> {
    array_at(node, "/spec/taints")
        .iter()
        .map(Taint::from_value)
        .collect()
}

/// Whether a node carries every taint of `include` and none of `exclude`, each matched by key,
/// value and effect (a taint without value and one with `""` are the same).
pub fn taints(node: &Value, include: &[Taint], exclude: &[Taint]) -> Verdict {
    let found: BTreeSet<Taint> = node_taints(node).into_iter().collect();
    let missing: Vec<String> = include
        .iter()
        .filter(|t| !found.contains(t))
        .map(ToString::to_string)
        .collect();
    let present: Vec<String> = exclude
        .iter()
        .filter(|t| found.contains(t))
        .map(ToString::to_string)
        .collect();
    let all: Vec<String> = found.iter().map(ToString::to_string).collect();
    let mut words = format!("node {} has taints {}", name(node), quoted_list(&all));
    if !missing.is_empty() {
        let _ = write!(words, "; missing {}", quoted_list(&missing));
    }
    if !present.is_empty() {
        let _ = write!(words, "; should not have {}", quoted_list(&present));
    }
    Verdict::new(missing.is_empty() && present.is_empty(), words)
}

/// Whether a node's labels include every `key=value` of `expected`.
pub fn labels(node: &Value, expected: &[(String, String)]) -> Verdict {
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(k, v)| super::objects::label(node, k) != Some(v.as_str()))
        .map(|(k, v)| match super::objects::label(node, k) {
            Some(found) => format!("{k}={found} (expected {v})"),
            None => format!("no label {k} (expected {v})"),
        })
        .collect();
    if wrong.is_empty() {
        let shown: Vec<String> = expected.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Verdict::new(
            true,
            format!("node {} has labels {}", name(node), shown.join(", ")),
        )
    } else {
        Verdict::new(false, format!("node {}: {}", name(node), wrong.join(", ")))
    }
}

/// Whether no node but `node` carries any of `taints` or any of the `labels` pairs: the task
/// "taint and label exactly one node". Names the other nodes that do.
pub fn only_node(
    node: &Value,
    nodes: &[&Value],
    taints: &[Taint],
    labels: &[(String, String)],
) -> Verdict {
    let others: Vec<String> = nodes
        .iter()
        .filter(|n| name(n) != name(node))
        .filter_map(|n| {
            let carried = node_taints(n);
            let mut items: Vec<String> = taints
                .iter()
                .filter(|t| carried.contains(t))
                .map(ToString::to_string)
                .collect();
            items.extend(
                labels
                    .iter()
                    .filter(|(k, v)| super::objects::label(n, k) == Some(v.as_str()))
                    .map(|(k, v)| format!("{k}={v}")),
            );
            (!items.is_empty()).then(|| format!("node {} also has {}", name(n), items.join(", ")))
        })
        .collect();
    if others.is_empty() {
        Verdict::new(
            true,
            format!("no other node has them ({} nodes)", nodes.len()),
        )
    } else {
        Verdict::new(false, others.join("; "))
    }
}

/// Whether a pod is the mirror of a static pod (the kubelet's annotation).
pub fn is_mirror(pod: &Value) -> bool {
    annotation(pod, MIRROR_ANNOTATION).is_some()
}

/// Whether a pod has finished (`Succeeded` or `Failed`): it holds no resources on its node.
fn is_finished(pod: &Value) -> bool {
    matches!(str_at(pod, "/status/phase"), Some("Succeeded" | "Failed"))
}

/// Whether a pod is bound to node `node`.
pub fn on_node(pod: &Value, node: &str) -> bool {
    str_at(pod, "/spec/nodeName") == Some(node)
}

/// Whether node `node` is drained as `kubectl drain --ignore-daemonsets` leaves it: cordoned, and
/// no pod bound to it except DaemonSet-owned pods and mirror pods of static pods. Finished pods
/// hold nothing and do not count; a terminating pod still runs and does.
pub fn drained(node: &Value, pods: &[&Value]) -> Verdict {
    let node_name = name(node);
    let cordon = schedulable(node, false);
    let left: Vec<String> = pods
        .iter()
        .filter(|p| on_node(p, node_name))
        .filter(|p| !is_mirror(p) && !is_finished(p))
        .filter(|p| !matches!(controller_of(p), Some(("DaemonSet", _, _))))
        .map(|p| {
            let terminating = p.pointer("/metadata/deletionTimestamp").is_some();
            format!(
                "{}{}",
                super::objects::qualified(p),
                if terminating { " (terminating)" } else { "" }
            )
        })
        .collect();
    let pods_words = if left.is_empty() {
        "only DaemonSet and mirror pods left on it".to_owned()
    } else {
        format!("{} pod(s) still on it: {}", left.len(), left.join(", "))
    };
    let words = format!("{}; {pods_words}", cordon.found);
    Verdict::new(cordon.pass && left.is_empty(), words)
}

/// Whether static pod `pod_name` runs on node `node`: its mirror pod `<pod_name>-<node>` exists
/// in namespace `namespace`, bound to that node and carrying the kubelet's mirror annotation;
/// with `running`, also Running and Ready.
pub fn static_pod(
    pods: &[&Value],
    namespace: &str,
    pod_name: &str,
    node: &str,
    running: bool,
) -> Verdict {
    let mirror_name = format!("{pod_name}-{node}");
    let Some(pod) = pods
        .iter()
        .find(|p| name(p) == mirror_name && super::objects::namespace(p) == namespace)
    else {
        return Verdict::new(
            false,
            format!("no pod {namespace}/{mirror_name}: no static pod {pod_name} on node {node}"),
        );
    };
    if !is_mirror(pod) {
        return Verdict::new(
            false,
            format!(
                "pod {namespace}/{mirror_name} is not a mirror pod (no {MIRROR_ANNOTATION} \
             annotation): it was created through the API, not from a manifest on {node}"
            ),
        );
    }
    if !on_node(pod, node) {
        return Verdict::new(
            false,
            format!(
                "mirror pod {namespace}/{mirror_name} is bound to {}",
                str_at(pod, "/spec/nodeName").unwrap_or("no node")
            ),
        );
    }
    let phase = str_at(pod, "/status/phase").unwrap_or("no phase");
    let is_ready = condition(pod, "Ready") == Some("True");
    let words = format!(
        "static pod {namespace}/{mirror_name} on {node}: {phase}{}",
        if is_ready { ", Ready" } else { ", not Ready" }
    );
    Verdict::new(!running || (phase == "Running" && is_ready), words)
}

#[cfg(test)]
mod tests;
