//! Label sets and label selectors by meaning: a map is a map whatever the
//! order of its keys, and a selector is the set of its requirements,
//! whether written as `metav1.LabelSelector` JSON (`matchLabels` +
//! `matchExpressions`), as a plain map (a Service's `spec.selector`), or as
//! kubectl's string form (`app=web,tier in (a,b),!canary`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

/// A set of labels.
pub type Labels = BTreeMap<String, String>;

/// Labels from JSON: an object of strings, or the string `k=v,k2=v2`.
pub fn labels_from_json(v: &Value) -> Result<Labels, String> {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(format!("label '{k}' has a value that is not text: {other}")),
            })
            .collect(),
        Value::String(s) if s.trim().is_empty() => Ok(Labels::new()),
        Value::String(s) => s
            .split(',')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => {
                    Ok((k.trim().to_string(), v.trim().to_string()))
                }
                _ => Err(format!("'{s}' is not a label set like 'app=web,tier=db'")),
            })
            .collect(),
        Value::Null => Ok(Labels::new()),
        other => Err(format!("{other} is not a label set")),
    }
}

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    In(String, BTreeSet<String>),
    NotIn(String, BTreeSet<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matches_with(|k| labels.get(k).map(String::as_str))
    }

    /// With labels looked up by `get` (no copy of an object's labels).
    pub fn matches_with<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        match self {
            Requirement::In(k, vs) => get(k).is_some_and(|v| vs.contains(v)),
            // As upstream: NotIn also matches objects without the key.
            Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |vs: &BTreeSet<String>| vs.iter().cloned().collect::<Vec<_>>().join(",");
        match self {
            Requirement::In(k, vs) if vs.len() == 1 => write!(f, "{k}={}", list(vs)),
            Requirement::In(k, vs) => write!(f, "{k} in ({})", list(vs)),
            Requirement::NotIn(k, vs) if vs.len() == 1 => write!(f, "{k}!={}", list(vs)),
            Requirement::NotIn(k, vs) => write!(f, "{k} notin ({})", list(vs)),
            Requirement::Exists(k) => f.write_str(k),
            Requirement::DoesNotExist(k) => write!(f, "!{k}"),
        }
    }
}

/// A label selector: every requirement must hold. Empty selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    requirements: BTreeSet<Requirement>,
}

impl Selector {
    pub fn requirements(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Whether an object's `metadata.labels` (absent: no labels) match.
    pub fn matches_object_labels(&self, labels: Option<&serde_json::Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.requirements.iter().all(|r| r.matches_with(get))
    }

    /// Labels given as JSON (an object, or `k=v,…`): whether they match.
    pub fn matches_json(&self, labels: Option<&Value>) -> bool {
        labels
            .map_or(Ok(Labels::new()), labels_from_json)
            .is_ok_and(|l| self.matches(&l))
    }

    /// kubectl's string form: `app=web,tier!=db,env in (a,b),env notin (c),release,!canary`.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let bad = |why: &str| format!("invalid label selector '{text}': {why}");
        let mut requirements = BTreeSet::new();
        for term in split_top_level(text).map_err(|e| bad(&e))? {
            let term = term.trim();
            if term.is_empty() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(bad("an empty requirement"));
            }
            let key_ok = |k: &str| !k.is_empty() && !k.contains(char::is_whitespace);
            let set = |rest: &str| -> Result<BTreeSet<String>, String> {
                let inner = rest
                    .trim()
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| bad("a set needs parentheses, e.g. 'env in (a,b)'"))?;
                Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
            };
            let words: Vec<&str> = term.split_whitespace().collect();
            let req = if words.len() >= 2 && words[1] == "in" {
                Requirement::In(
                    words[0].into(),
                    set(term[term.find(" in").unwrap_or(0) + 3..].trim())?,
                )
            } else if words.len() >= 2 && words[1] == "notin" {
                Requirement::NotIn(
                    words[0].into(),
                    set(term[term.find(" notin").unwrap_or(0) + 6..].trim())?,
                )
            } else if let Some((k, v)) = term.split_once("!=") {
                Requirement::NotIn(k.trim().into(), BTreeSet::from([v.trim().to_string()]))
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                Requirement::In(k.trim().into(), BTreeSet::from([v.trim().to_string()]))
            } else if let Some(k) = term.strip_prefix('!') {
                Requirement::DoesNotExist(k.trim().into())
            } else {
                Requirement::Exists(term.into())
            };
            let key = match &req {
                Requirement::In(k, _)
                | Requirement::NotIn(k, _)
                | Requirement::Exists(k)
                | Requirement::DoesNotExist(k) => k,
            };
            if !key_ok(key) {
                return Err(bad("a requirement without a key"));
            }
            requirements.insert(req);
        }
        Ok(Selector { requirements })
    }

    /// From JSON: a `metav1.LabelSelector` (`matchLabels`, `matchExpressions`),
    /// a plain label map (a Service's selector), or the string form.
    pub fn from_json(v: &Value) -> Result<Selector, String> {
        let Value::Object(map) = v else {
            return match v {
                Value::String(s) => Selector::parse(s),
                Value::Null => Ok(Selector::default()),
                other => Err(format!("{other} is not a label selector")),
            };
        };
        let is_label_selector = map.contains_key("matchLabels")
            || map.contains_key("matchExpressions")
            || map.is_empty();
        if !is_label_selector {
            return Ok(Selector {
                requirements: labels_from_json(v)?
                    .into_iter()
                    .map(|(k, v)| Requirement::In(k, BTreeSet::from([v])))
                    .collect(),
            });
        }
        let mut requirements = BTreeSet::new();
        if let Some(labels) = map.get("matchLabels") {
            for (k, v) in labels_from_json(labels)? {
                requirements.insert(Requirement::In(k, BTreeSet::from([v])));
            }
        }
        for e in map
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = e
                .get("key")
                .and_then(Value::as_str)
                .ok_or("a matchExpression has no key")?
                .to_string();
            let values: BTreeSet<String> = e
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let op = e
                .get("operator")
                .and_then(Value::as_str)
                .unwrap_or_default();
            requirements.insert(match op {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => return Err(format!("unknown matchExpressions operator '{other}'")),
            });
        }
        Ok(Selector { requirements })
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let terms: Vec<String> = self.requirements.iter().map(ToString::to_string).collect();
        f.write_str(&terms.join(","))
    }
}

/// Splits at commas outside parentheses.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err("unbalanced parentheses".into());
        }
    }
    if depth != 0 {
        return Err("unbalanced parentheses".into());
    }
    parts.push(&text[start..]);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn label_sets_are_equal_whatever_the_order_or_form() {
        let a = labels_from_json(&json!({"app": "web", "tier": "fe"})).unwrap();
        let b = labels_from_json(&json!({"tier": "fe", "app": "web"})).unwrap();
        let c = labels_from_json(&json!("tier=fe, app=web")).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(labels_from_json(&json!({"a": 1})).is_err());
        assert!(labels_from_json(&json!("app")).is_err());
    }

    #[test]
    fn the_string_form_and_the_json_form_are_one_selector() {
        let text =
            Selector::parse("app=web,tier in (fe, be),!canary,env notin (prod),release").unwrap();
        let json = Selector::from_json(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["be", "fe"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "env", "operator": "NotIn", "values": ["prod"]},
                {"key": "release", "operator": "Exists"}
            ]
        }))
        .unwrap();
        assert_eq!(text, json);
        // matchLabels app=web is the expression app In (web).
        assert_eq!(
            Selector::from_json(&json!({"matchLabels": {"app": "web"}})).unwrap(),
            Selector::from_json(
                &json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]})
            )
            .unwrap()
        );
        // A Service's selector is a plain map.
        assert_eq!(
            Selector::from_json(&json!({"app": "web"})).unwrap(),
            Selector::parse("app=web").unwrap()
        );
        assert_eq!(
            text.to_string(),
            "app=web,tier in (be,fe),env!=prod,release,!canary"
        );
    }

    #[test]
    fn matches_as_the_api_server_does() {
        let s = Selector::parse("app=web,tier in (fe,be),env notin (prod),!canary").unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "fe")])));
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "be"), ("env", "dev")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "fe"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "fe"), ("canary", "")])));
        assert!(!s.matches(&labels(&[("tier", "fe")])));
        // The empty selector selects everything.
        assert!(
            Selector::from_json(&json!({}))
                .unwrap()
                .matches(&Labels::new())
        );
        assert!(Selector::parse("a!=b").unwrap().matches(&Labels::new()));
    }

    #[test]
    fn rejects_malformed_selectors() {
        for bad in ["app in web", "app in (a", "=x", "a,,b", "x notin a)"] {
            assert!(Selector::parse(bad).is_err(), "{bad} parsed");
        }
        assert!(
            Selector::from_json(&json!({"matchExpressions": [{"key": "a", "operator": "Gt"}]}))
                .is_err()
        );
    }
}
