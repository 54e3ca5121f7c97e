//! Where pods run: on a node, off a node, on nodes with labels, spread over distinct nodes, or
//! on every node their spec allows (taints, tolerations, nodeSelector and required node affinity
//! as the scheduler applies them).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::scheduling::{node_name, refusal};
use crate::evaluator::Verdict;
use crate::evaluator::objects::{label, name, qualified, quoted_list};

/// Where the pods of a check must run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    OnNode(String),
    NotOnNode(String),
    OnNodesWithLabels(Vec<(String, String)>),
    DistinctNodes,
    /// At least one pod on every node the pod spec may be scheduled onto, and none elsewhere.
    EveryAllowedNode,
}

/// Whether `pods` are placed as `placement` says. `template` is the pod spec that decides which
/// nodes are allowed for [`Placement::EveryAllowedNode`] (a workload's template: a DaemonSet's
/// pods each carry node affinity to their own node only); without one, the first pod's spec.
/// Pods not yet scheduled fail every placement; no pods at all fail too.
pub fn placement(
    pods: &[&Value],
    nodes: &[&Value],
    template: Option<&Value>,
    placement: &Placement,
) -> Verdict {
    if pods.is_empty() {
        return Verdict::new(false, "no pods");
    }
    let pending: Vec<String> = pods
        .iter()
        .filter(|p| node_name(p).is_none())
        .map(|p| qualified(p))
        .collect();
    if !pending.is_empty() {
        return Verdict::new(
            false,
            format!("not scheduled onto any node: {}", quoted_list(&pending)),
        );
    }
    let by_node = pods_by_node(pods);
    let where_words = placed_words(&by_node);
    match placement {
        Placement::OnNode(node) => {
            let elsewhere = by_node.keys().any(|n| n != node);
            Verdict::new(!elsewhere, format!("{where_words}; expected all on {node}"))
        }
        Placement::NotOnNode(node) => Verdict::new(
            !by_node.contains_key(node.as_str()),
            format!("{where_words}; expected none on {node}"),
        ),
        Placement::OnNodesWithLabels(want) => {
            let wrong: Vec<String> = by_node
                .keys()
                .filter(|n| {
                    let node = nodes.iter().find(|x| name(x) == **n);
                    !node.is_some_and(|node| {
                        want.iter().all(|(k, v)| label(node, k) == Some(v.as_str()))
                    })
                })
                .map(|n| (*n).to_owned())
                .collect();
            let shown: Vec<String> = want.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut words = format!(
                "{where_words}; expected on nodes labelled {}",
                shown.join(",")
            );
            if !wrong.is_empty() {
                let _ = write!(words, "; not labelled so: {}", quoted_list(&wrong));
            }
            Verdict::new(wrong.is_empty(), words)
        }
        Placement::DistinctNodes => {
            let shared: Vec<&str> = by_node
                .iter()
                .filter(|(_, ps)| ps.len() > 1)
                .map(|(n, _)| *n)
                .collect();
            let mut words = where_words;
            if !shared.is_empty() {
                let _ = write!(words, "; more than one pod on {}", quoted_list(&shared));
            }
            Verdict::new(shared.is_empty(), words)
        }
        Placement::EveryAllowedNode => {
            let Some(spec) = template.or_else(|| pods[0].get("spec")) else {
                return Verdict::new(false, "no pod spec to decide which nodes are allowed");
            };
            every_allowed_node(spec, nodes, &by_node, &where_words)
        }
    }
}

fn every_allowed_node(
    spec: &Value,
    nodes: &[&Value],
    by_node: &BTreeMap<&str, Vec<String>>,
    where_words: &str,
) -> Verdict {
    let mut missing = Vec::new();
    let mut refused = Vec::new();
    for node in nodes {
        let n = name(node);
        match refusal(spec, node) {
            None if !by_node.contains_key(n) => missing.push(n.to_owned()),
            Some(why) if by_node.contains_key(n) => refused.push(format!("{n} ({why})")),
            _ => {}
        }
    }
    let allowed: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| refusal(spec, n).is_none())
        .map(|n| name(n))
        .collect();
    let mut words = format!(
        "{where_words}; allowed nodes: {}",
        quoted_list(&allowed.iter().collect::<Vec<_>>())
    );
    if !missing.is_empty() {
        let _ = write!(words, "; no pod on {}", quoted_list(&missing));
    }
    if !refused.is_empty() {
        let _ = write!(
            words,
            "; pods on nodes the spec does not allow: {}",
            refused.join(", ")
        );
    }
    Verdict::new(
        missing.is_empty() && refused.is_empty() && !allowed.is_empty(),
        words,
    )
}

/// Pods (by `namespace/name`) per node they are bound to.
fn pods_by_node<'a>(pods: &[&'a Value]) -> BTreeMap<&'a str, Vec<String>> {
    let mut by_node: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in pods {
        if let Some(n) = node_name(p) {
            by_node.entry(n).or_default().push(qualified(p));
        }
    }
    by_node
}

/// `2 pods on kind-worker, 1 on kind-worker2` style words.
fn placed_words(by_node: &BTreeMap<&str, Vec<String>>) -> String {
    let parts: Vec<String> = by_node
        .iter()
        .map(|(n, ps)| format!("{} on {n}", ps.len()))
        .collect();
    format!("pods: {}", parts.join(", "))
}
