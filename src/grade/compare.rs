//! Field values compared by meaning or with other objects' values
//! (`Matcher::Compare`).

use serde_json::Value;

use super::checks::Verdict;
use crate::jsonpath::JsonPath;
use crate::kind::Kind;
use crate::library::rubric::{Condition, ObjectRef, Operand, Quantifier};
use crate::snapshot::{Object, Snapshot};
use crate::values::{Meaning, render};

/// `kind name` (and namespace) of a referenced object, as messages say it.
pub fn ref_name(r: &ObjectRef) -> String {
    let ns = r
        .namespace
        .as_deref()
        .map(|n| format!(" in {n}"))
        .unwrap_or_default();
    format!("{} {}{ns}", r.kind.kubectl_name(), r.name)
}

/// The value a reference points at, or why there is none.
fn resolve(r: &ObjectRef, snapshot: &Snapshot) -> Result<Value, String> {
    let object = snapshot
        .get(r.kind, r.namespace.as_deref(), &r.name)
        .ok_or_else(|| format!("{} (referenced) not found", ref_name(r)))?;
    r.path
        .eval(&object.value)
        .into_iter()
        .find(|v| !v.is_null())
        .cloned()
        .ok_or_else(|| format!("{} (referenced) has no {}", ref_name(r), r.path.as_str()))
}

/// The lists the references of these conditions read.
pub fn reads(conditions: &[Condition]) -> Vec<(Kind, Option<String>)> {
    conditions
        .iter()
        .flat_map(|c| &c.operands)
        .filter_map(|o| match o {
            Operand::Ref(r) => Some((r.kind, r.namespace.clone())),
            Operand::Value(_) => None,
        })
        .collect()
}

pub fn field(
    object: &Object,
    path: &JsonPath,
    meaning: Meaning,
    conditions: &[Condition],
    over: Quantifier,
    snapshot: &Snapshot,
) -> Verdict {
    // References first: a missing referenced object fails the check, saying so.
    let mut wanted: Vec<(crate::values::Op, Vec<Value>)> = Vec::new();
    let mut seen_refs = Vec::new();
    for c in conditions {
        let mut values = Vec::new();
        for operand in &c.operands {
            match operand {
                Operand::Value(v) => values.push(v.clone()),
                Operand::Ref(r) => match resolve(r, snapshot) {
                    Ok(v) => {
                        seen_refs.push(format!(
                            "{} {} = {}",
                            ref_name(r),
                            r.path.as_str(),
                            render(&v)
                        ));
                        values.push(v);
                    }
                    Err(why) => return Verdict::new(false, why),
                },
            }
        }
        wanted.push((c.op, values));
    }
    let nodes: Vec<&Value> = path
        .eval(&object.value)
        .into_iter()
        .filter(|v| !v.is_null())
        .collect();
    let mut problems = Vec::new();
    let mut holds = |have: &Value| {
        wanted.iter().all(|(op, values)| {
            values
                .iter()
                .any(|want| match meaning.compare(*op, have, want) {
                    Ok(b) => b,
                    Err(e) => {
                        problems.push(e);
                        false
                    }
                })
        })
    };
    let pass = !nodes.is_empty()
        && match over {
            Quantifier::All => nodes.iter().all(|v| holds(v)),
            Quantifier::Any => nodes.iter().any(|v| holds(v)),
        };
    let mut found = if nodes.is_empty() {
        "not set".to_string()
    } else {
        nodes
            .iter()
            .map(|v| render(v))
            .collect::<Vec<_>>()
            .join(" ")
    };
    problems.dedup();
    for extra in problems.iter().chain(&seen_refs) {
        found.push_str("; ");
        found.push_str(extra);
    }
    Verdict::new(pass, found)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::evaluator::testing;
    use crate::report::Status;

    fn priority(name: &str, value: i64) -> serde_json::Value {
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value})
    }

    #[test]
    fn a_value_greater_than_two_others() {
        let body = r#"target = { kind = "PriorityClass", name = "high" }
field = { path = "{.value}", greater_than = [{ ref = { kind = "PriorityClass", name = "mid", path = "{.value}" } }, { ref = { kind = "PriorityClass", name = "low", path = "{.value}" } }] }"#;
        let snap = testing::snapshot(&[
            priority("high", 1000),
            priority("mid", 500),
            priority("low", 100),
        ]);
        // The referenced objects' list is read with the target's.
        let check = testing::check(&["x"], body).unwrap();
        assert_eq!(
            crate::grade::target::check_reads(check.target.as_ref(), Some(&check.expect)),
            [
                (crate::kind::Kind::PriorityClass, None),
                (crate::kind::Kind::PriorityClass, None),
                (crate::kind::Kind::PriorityClass, None)
            ]
        );
        let r = testing::grade(&["x"], body, &snap);
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.actual,
            "1000; priorityclass mid {.value} = 500; priorityclass low {.value} = 100"
        );
        assert_eq!(
            r.expected,
            "priorityclass high: {.value} > the {.value} of priorityclass mid and > the {.value} of priorityclass low"
        );
        let snap = testing::snapshot(&[
            priority("high", 1000),
            priority("mid", 2000),
            priority("low", 100),
        ]);
        assert_eq!(testing::grade(&["x"], body, &snap).status, Status::Fail);
        let snap = testing::snapshot(&[priority("high", 1000), priority("mid", 500)]);
        let r = testing::grade(&["x"], body, &snap);
        assert_eq!(
            (r.status, r.actual.as_str()),
            (Status::Fail, "priorityclass low (referenced) not found")
        );
    }

    #[test]
    fn a_services_selector_selects_a_deployments_pod_labels() {
        let body = r#"target = { kind = "Service", namespace = "x", name = "web" }
field = { path = "{.spec.selector}", as = "selector", selects = { ref = { kind = "Deployment", namespace = "x", name = "web", path = "{.spec.template.metadata.labels}" } } }"#;
        let deployment = |labels: serde_json::Value| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "x"},
                "spec": {"template": {"metadata": {"labels": labels}}}})
        };
        let service = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "x"}, "spec": {"selector": {"app": "web"}}});
        let snap = testing::snapshot(&[
            service.clone(),
            deployment(json!({"app": "web", "tier": "fe"})),
        ]);
        assert_eq!(testing::grade(&["x"], body, &snap).status, Status::Pass);
        let snap = testing::snapshot(&[service, deployment(json!({"app": "api"}))]);
        let r = testing::grade(&["x"], body, &snap);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.actual.contains(
                "deployment web in x {.spec.template.metadata.labels} = {\"app\":\"api\"}"
            ),
            "{}",
            r.actual
        );
    }

    #[test]
    fn quantities_by_meaning() {
        let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "x"},
            "spec": {"resources": {"requests": {"storage": "1024Mi"}}}});
        let snap = testing::snapshot(&[pvc]);
        let grade = |field: &str| {
            testing::grade(
                &["x"],
                &format!(
                    "target = {{ kind = \"PersistentVolumeClaim\", namespace = \"x\", name = \"data\" }}\nfield = {{ path = \"{{.spec.resources.requests.storage}}\", {field} }}"
                ),
                &snap,
            )
        };
        assert_eq!(
            grade(r#"equals = "1Gi", as = "quantity""#).status,
            Status::Pass
        );
        assert_eq!(
            grade(r#"at_least = "1G", as = "quantity""#).status,
            Status::Pass
        );
        assert_eq!(
            grade(r#"at_most = "1000Mi", as = "quantity""#).status,
            Status::Fail
        );
        // Without `as`, text is text: 1024Mi is not the string 1Gi.
        assert_eq!(grade(r#"equals = "1Gi""#).status, Status::Fail);
        let r = grade(r#"at_least = "1Gi", at_most = "2Gi", as = "quantity""#);
        assert_eq!(r.status, Status::Pass);
        assert!(
            r.expected.ends_with(">= '1Gi' and <= '2Gi' (as quantity)"),
            "{}",
            r.expected
        );
    }

    #[test]
    fn a_claim_asks_at_most_what_its_volume_offers_written_over_lines() {
        let body = r#"target = { kind = "PersistentVolumeClaim", namespace = "shop", name = "data" }
field = { path = "{.spec.resources.requests.storage}", as = "quantity", at_most = { ref = {
  kind = "PersistentVolume", name = "pv-data", path = "{.spec.capacity.storage}" } } }"#;
        let snap = |capacity: &str| {
            testing::snapshot(&[
                json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "data", "namespace": "shop"},
                    "spec": {"resources": {"requests": {"storage": "1Gi"}}}}),
                json!({"apiVersion": "v1", "kind": "PersistentVolume",
                    "metadata": {"name": "pv-data"}, "spec": {"capacity": {"storage": capacity}}}),
            ])
        };
        assert_eq!(
            testing::grade(&["shop"], body, &snap("1024Mi")).status,
            Status::Pass
        );
        let r = testing::grade(&["shop"], body, &snap("512Mi"));
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.actual,
            "1Gi; persistentvolume pv-data {.spec.capacity.storage} = 512Mi"
        );
    }

    #[test]
    fn misuse_is_rejected_at_the_value() {
        let target = "target = { kind = \"Pod\", namespace = \"x\", name = \"p\" }\n";
        let err = |field: &str| {
            testing::check(
                &["x"],
                &format!("{target}field = {{ path = \"{{.spec}}\", {field} }}"),
            )
            .unwrap_err()
        };
        assert_eq!(
            err(r#"equals = "1GB", as = "quantity""#),
            [
                "grading/t.toml:10:38: equals: '1GB' is not a quantity (a number with an optional suffix: Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3)"
            ]
        );
        assert_eq!(
            err(r#"at_least = "x", as = "labels""#),
            ["grading/t.toml:10:40: at_least does not apply to values compared as = 'labels'"]
        );
        assert_eq!(
            err(r#"equals = 1, as = "size""#),
            [
                "grading/t.toml:10:46: as = 'size' is not one of quantity, duration, labels, selector, port"
            ]
        );
        assert_eq!(
            err(r#"greater_than = { ref = { kind = "Pod", name = "q", path = "{.x}" } }"#),
            ["grading/t.toml:10:44: a ref to a Pod needs its namespace"]
        );
        assert_eq!(
            err(r#"at_least = "many""#),
            [
                "grading/t.toml:10:40: at_least: needs a number (or as = 'quantity' / 'duration'), not \"many\""
            ]
        );
    }
}
