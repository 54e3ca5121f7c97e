//! PriorityClasses: a class's value, relative to other classes, `globalDefault` and
//! `preemptionPolicy` (the server defaults it to `PreemptLowerPriority`).

use serde_json::Value;

use super::{compare_int, compare_str, int_at, verdict_of};
use crate::evaluator::Verdict;
use crate::evaluator::objects::name;

/// What a PriorityClass must be; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriorityExpectation {
    pub value: Option<i64>,
    /// Classes whose value this class must exceed.
    pub greater_than: Vec<String>,
    /// Classes whose value this class must stay below.
    pub less_than: Vec<String>,
    pub global_default: Option<bool>,
    pub preemption_policy: Option<String>,
}

/// Whether PriorityClass `class` is what `expect` says, among `classes` (all of the cluster's).
pub fn priority(class: &Value, classes: &[&Value], expect: &PriorityExpectation) -> Verdict {
    let value = int_at(class, "/value");
    let mut parts: Vec<(bool, String)> = compare_int("value", value, expect.value)
        .into_iter()
        .collect();
    let relative = expect
        .greater_than
        .iter()
        .map(|o| (o, true))
        .chain(expect.less_than.iter().map(|o| (o, false)));
    for (other, greater) in relative {
        let (word, sign) = if greater {
            ("above", '>')
        } else {
            ("below", '<')
        };
        let Some(other_value) = classes
            .iter()
            .find(|c| name(c) == other)
            .and_then(|c| int_at(c, "/value"))
        else {
            parts.push((false, format!("no PriorityClass {other} to be {word}")));
            continue;
        };
        let ok = value.is_some_and(|v| {
            if greater {
                v > other_value
            } else {
                v < other_value
            }
        });
        let shown = value.map_or_else(|| "no value".to_owned(), |v| v.to_string());
        let words = if ok {
            format!("{shown} {sign} {other} ({other_value})")
        } else {
            format!("{shown} is not {word} {other} ({other_value})")
        };
        parts.push((ok, words));
    }
    if let Some(want) = expect.global_default {
        let found = class.get("globalDefault").and_then(Value::as_bool) == Some(true);
        let words = if found {
            "the global default"
        } else {
            "not the global default"
        };
        parts.push((found == want, words.to_owned()));
    }
    parts.extend(compare_str(
        "preemptionPolicy",
        class
            .get("preemptionPolicy")
            .and_then(Value::as_str)
            .unwrap_or("PreemptLowerPriority"),
        expect.preemption_policy.as_deref(),
    ));
    verdict_of(&format!("PriorityClass {}", name(class)), &parts)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn class(name: &str, value: i64, extra: &Value) -> Value {
        let mut v = json!({
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"creationTimestamp": "2026-11-29T14:20:00Z", "name": name,
                          "resourceVersion": "9900", "uid": format!("uid-{name}")},
            "preemptionPolicy": "PreemptLowerPriority",
            "value": value
        });
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    }

    #[test]
    fn above_two_classes_and_not_preempting() {
        let bulk = class("bulk", 1000, &json!({}));
        let standard = class("standard", 5000, &json!({}));
        let critical = class(
            "critical",
            9000,
            &json!({"preemptionPolicy": "Never", "globalDefault": false}),
        );
        let system = class(
            "system-cluster-critical",
            2_000_000_000,
            &json!({"description": "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."}),
        );
        let all = [&bulk, &standard, &critical, &system];
        let expect = PriorityExpectation {
            greater_than: vec!["bulk".into(), "standard".into()],
            less_than: vec!["system-cluster-critical".into()],
            global_default: Some(false),
            preemption_policy: Some("Never".into()),
            ..PriorityExpectation::default()
        };
        let v = priority(&critical, &all, &expect);
        assert!(v.pass, "{}", v.found);
        assert_eq!(
            v.found,
            "PriorityClass critical: 9000 > bulk (1000), 9000 > standard (5000), \
             9000 < system-cluster-critical (2000000000), not the global default, preemptionPolicy Never"
        );
        let v = priority(&bulk, &all, &expect);
        assert!(!v.pass);
        assert!(v.found.starts_with("PriorityClass bulk: 1000 is not above bulk (1000), 1000 is not above standard (5000), preemptionPolicy PreemptLowerPriority (expected Never)"), "{}", v.found);
    }

    #[test]
    fn a_missing_class_to_compare_with_fails() {
        let c = class("mine", 10, &json!({}));
        let v = priority(
            &c,
            &[&c],
            &PriorityExpectation {
                greater_than: vec!["gone".into()],
                value: Some(10),
                ..PriorityExpectation::default()
            },
        );
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "PriorityClass mine: no PriorityClass gone to be above, value 10"
        );
    }
}
