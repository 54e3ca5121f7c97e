//! Kubernetes label selectors (`matchLabels` + `matchExpressions`), as the
//! API server and the network plugins evaluate them.

use serde_json::{Map, Value};

/// One `matchExpressions` requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    /// An operator the API would refuse: it matches nothing.
    Invalid,
}

/// A parsed `metav1.LabelSelector`. The empty selector `{}` matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    labels: Vec<(String, String)>,
    requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// Reads a selector object; anything that is not an object reads as `{}`.
    pub fn parse(value: &Value) -> LabelSelector {
        let labels = value
            .get("matchLabels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        let requirements = value
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(requirement)
            .collect();
        LabelSelector {
            labels,
            requirements,
        }
    }

    /// Whether the selector is `{}` (selects every object).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Map<String, Value>) -> bool {
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        self.labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.requirements.iter().all(|r| match r {
                Requirement::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
                Requirement::NotIn(k, vs) => get(k).is_none_or(|v| vs.iter().all(|x| x != v)),
                Requirement::Exists(k) => labels.contains_key(k),
                Requirement::DoesNotExist(k) => !labels.contains_key(k),
                Requirement::Invalid => false,
            })
    }
}

fn requirement(value: &Value) -> Requirement {
    let key = value
        .get("key")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let values = value
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    match value.get("operator").and_then(Value::as_str) {
        Some("In") => Requirement::In(key, values),
        Some("NotIn") => Requirement::NotIn(key, values),
        Some("Exists") => Requirement::Exists(key),
        Some("DoesNotExist") => Requirement::DoesNotExist(key),
        _ => Requirement::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: &Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn empty_selector_matches_everything() {
        let s = LabelSelector::parse(&json!({}));
        assert!(s.is_empty());
        assert!(s.matches(&Map::new()));
        assert!(s.matches(&labels(&json!({"app": "web"}))));
    }

    #[test]
    fn match_labels_and_expressions_are_anded() {
        let s = LabelSelector::parse(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front", "edge"]},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                {"key": "team", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        }));
        let ok = labels(&json!({"app": "web", "tier": "edge", "team": "a"}));
        assert!(s.matches(&ok));
        let mut prod = ok.clone();
        prod.insert("env".into(), json!("prod"));
        assert!(!s.matches(&prod));
        let mut legacy = ok.clone();
        legacy.insert("legacy".into(), json!("yes"));
        assert!(!s.matches(&legacy));
        assert!(!s.matches(&labels(&json!({"app": "web", "team": "a"}))));
        assert!(!s.matches(&labels(&json!({"app": "db", "tier": "edge", "team": "a"}))));
    }

    #[test]
    fn unknown_operator_matches_nothing() {
        let s =
            LabelSelector::parse(&json!({"matchExpressions": [{"key": "a", "operator": "Gt"}]}));
        assert!(!s.matches(&labels(&json!({"a": "1"}))));
    }
}
