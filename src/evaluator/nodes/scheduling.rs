//! Whether a pod spec may be scheduled onto a node, as the scheduler's filter plugins decide:
//! `NodeUnschedulable`, `NodeAffinity` (nodeSelector AND required node affinity) and
//! `TaintToleration` (NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule only
//! weighs). Tolerations match taints as `Toleration.ToleratesTaint` in `k8s.io/api/core/v1`.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::evaluator::objects::{array_at, label, name, str_at};

/// A node taint: key, value (empty when none) and effect.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
}

impl Taint {
    pub fn from_value(v: &Value) -> Self {
        let field = |f: &str| v.get(f).and_then(Value::as_str).unwrap_or("").to_owned();
        Self {
            key: field("key"),
            value: field("value"),
            effect: field("effect"),
        }
    }
}

/// `key=value:Effect` or `key:Effect`, as `kubectl taint` writes them.
impl fmt::Display for Taint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{}", self.key, self.effect)
        } else {
            write!(f, "{}={}:{}", self.key, self.value, self.effect)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a taint: write key=value:Effect or key:Effect, the effect NoSchedule, \
     PreferNoSchedule or NoExecute"
)]
pub struct TaintError(pub String);

impl FromStr for Taint {
    type Err = TaintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TaintError(s.to_owned());
        let (kv, effect) = s.rsplit_once(':').ok_or_else(err)?;
        if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            return Err(err());
        }
        let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
        if key.is_empty() {
            return Err(err());
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.to_owned(),
            effect: effect.to_owned(),
        })
    }
}

/// A pod toleration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    pub key: String,
    pub operator: String,
    pub value: String,
    pub effect: String,
}

impl Toleration {
    pub fn from_value(v: &Value) -> Self {
        let field = |f: &str| v.get(f).and_then(Value::as_str).unwrap_or("").to_owned();
        Self {
            key: field("key"),
            operator: field("operator"),
            value: field("value"),
            effect: field("effect"),
        }
    }

    /// `ToleratesTaint`: an empty effect matches every effect, an empty key (with `Exists`) every
    /// key; `Equal` (the default operator) compares values, `Exists` ignores them.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if !self.effect.is_empty() && self.effect != taint.effect {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match self.operator.as_str() {
            "" | "Equal" => self.value == taint.value,
            "Exists" => true,
            _ => false,
        }
    }
}

/// The tolerations of a pod spec.
pub fn tolerations(spec: &Value) -> Vec<Toleration> {
    array_at(spec, "/tolerations")
        .iter()
        .map(Toleration::from_value)
        .collect()
}

/// A DaemonSet's pod template with the tolerations the DaemonSet controller adds to each of its
/// pods (`AddOrUpdateDaemonPodTolerations`): daemon pods go onto not-ready, unreachable, pressured
/// and cordoned nodes.
pub fn daemonset_pod_spec(template_spec: &Value) -> Value {
    let mut spec = template_spec.clone();
    let mut added = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        added.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    if let Some(obj) = spec.as_object_mut() {
        let list = obj
            .entry("tolerations")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = list.as_array_mut() {
            for (key, effect) in added {
                list.push(serde_json::json!({"key": key, "operator": "Exists", "effect": effect}));
            }
        }
    }
    spec
}

/// The taint the node lifecycle controller puts on a cordoned node; tolerating it is what lets
/// DaemonSet pods onto cordoned nodes.
fn unschedulable_taint() -> Taint {
    Taint {
        key: "node.kubernetes.io/unschedulable".to_owned(),
        value: String::new(),
        effect: "NoSchedule".to_owned(),
    }
}

/// One `NodeSelectorRequirement` against a node: `matchExpressions` read labels, `matchFields`
/// read `metadata.name` (the only field the API allows). A malformed requirement matches nothing,
/// as upstream drops a term it cannot parse.
fn requirement_matches(req: &Value, node: &Value, field: bool) -> bool {
    let key = req.get("key").and_then(Value::as_str).unwrap_or("");
    let values: Vec<&str> = array_at(req, "/values")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let found = if field {
        (key == "metadata.name").then(|| name(node))
    } else {
        label(node, key)
    };
    let int = |s: &str| s.parse::<i64>().ok();
    // A field selector takes exactly one value.
    if field && values.len() != 1 {
        return false;
    }
    match req.get("operator").and_then(Value::as_str).unwrap_or("") {
        "In" => !values.is_empty() && found.is_some_and(|f| values.contains(&f)),
        "NotIn" => !values.is_empty() && found.is_none_or(|f| !values.contains(&f)),
        "Exists" if !field => values.is_empty() && found.is_some(),
        "DoesNotExist" if !field => values.is_empty() && found.is_none(),
        "Gt" if !field => match (values.as_slice(), found.and_then(int)) {
            ([v], Some(f)) => int(v).is_some_and(|v| f > v),
            _ => false,
        },
        "Lt" if !field => match (values.as_slice(), found.and_then(int)) {
            ([v], Some(f)) => int(v).is_some_and(|v| f < v),
            _ => false,
        },
        _ => false,
    }
}

/// A `NodeSelectorTerm`: its requirements ANDed; a term with none matches no node.
fn term_matches(term: &Value, node: &Value) -> bool {
    let exprs = array_at(term, "/matchExpressions");
    let fields = array_at(term, "/matchFields");
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    exprs.iter().all(|r| requirement_matches(r, node, false))
        && fields.iter().all(|r| requirement_matches(r, node, true))
}

/// Why a pod spec may not go onto a node, or `None` when it may.
pub fn refusal(spec: &Value, node: &Value) -> Option<String> {
    let tolerations = tolerations(spec);
    let tolerated = |t: &Taint| tolerations.iter().any(|tol| tol.tolerates(t));
    let cordoned = node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true);
    if cordoned && !tolerated(&unschedulable_taint()) {
        return Some("cordoned".to_owned());
    }
    if let Some(selector) = spec.get("nodeSelector").and_then(Value::as_object) {
        for (k, v) in selector {
            let want = v.as_str().unwrap_or("");
            if label(node, k) != Some(want) {
                return Some(format!("nodeSelector {k}={want} does not match"));
            }
        }
    }
    if let Some(required) =
        spec.pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution")
    {
        let terms = array_at(required, "/nodeSelectorTerms");
        if !terms.iter().any(|t| term_matches(t, node)) {
            return Some("required node affinity does not match".to_owned());
        }
    }
    array_at(node, "/spec/taints")
        .iter()
        .map(Taint::from_value)
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|t| !tolerated(t))
        .map(|t| format!("taint {t} is not tolerated"))
}

/// The node a pod is bound to, if scheduled.
pub fn node_name(pod: &Value) -> Option<&str> {
    str_at(pod, "/spec/nodeName").filter(|n| !n.is_empty())
}
