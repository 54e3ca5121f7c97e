//! `crd`: a CustomResourceDefinition defines the expected group and kind,
//! serves a version (and stores another), and the API server has
//! established it.
//!
//! ```toml
//! target = { kind = "CustomResourceDefinition", name = "shipments.logistics.sim.dev" }
//! crd = { group = "logistics.sim.dev", kind = "Shipment", served_version = "v1", storage_version = "v1" }
//! ```

// Kind and field names (CustomResourceDefinition, Established) are the domain's words here.
#![allow(clippy::doc_markdown)]

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::objects::{array_at, condition, str_at};
use super::pod_security::needs_kind;
use super::workloads::{compare_str, verdict_of};
use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, Verdict};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::{Object, Snapshot};

/// `crd = { group?, kind?, served_version?, storage_version?, scope? }`
pub struct Crd;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Check {
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    served_version: Option<String>,
    #[serde(default)]
    storage_version: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

impl Evaluator for Crd {
    fn key(&self) -> &'static str {
        "crd"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let check: Check = input.deserialize()?;
        if let Some(s) = &check.scope
            && s != "Namespaced"
            && s != "Cluster"
        {
            return Err(Problem::new(
                input.span(),
                format!("crd: scope '{s}' is neither 'Namespaced' nor 'Cluster'"),
            ));
        }
        Ok(Arc::new(check))
    }
}

/// The versions with `served` (or `storage`) true.
fn versions_where(crd: &Value, flag: &str) -> Vec<String> {
    array_at(crd, "/spec/versions")
        .iter()
        .filter(|v| v.get(flag).and_then(Value::as_bool) == Some(true))
        .filter_map(|v| str_at(v, "/name").map(str::to_owned))
        .collect()
}

fn among(what: &str, have: &[String], want: Option<&String>) -> Option<(bool, String)> {
    let want = want?;
    let list = if have.is_empty() {
        "none".to_owned()
    } else {
        have.join(", ")
    };
    Some(if have.contains(want) {
        (true, format!("{what} {list}"))
    } else {
        (false, format!("{what} {list} (expected {want})"))
    })
}

impl EvaluatorCheck for Check {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::CustomResourceDefinition,
            "crd",
            "a CustomResourceDefinition",
        )
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(g) = &self.group {
            parts.push(format!("group {g}"));
        }
        if let Some(k) = &self.kind {
            parts.push(format!("kind {k}"));
        }
        if let Some(s) = &self.scope {
            parts.push(format!("scope {s}"));
        }
        if let Some(v) = &self.served_version {
            parts.push(format!("serves {v}"));
        }
        if let Some(v) = &self.storage_version {
            parts.push(format!("stores {v}"));
        }
        parts.push("established".into());
        format!("{}: {}", subject.unwrap_or_default(), parts.join(", "))
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        let Some(crd) = object.map(|o| &o.value) else {
            return Verdict::new(false, "no object to judge");
        };
        let mut parts = Vec::new();
        for (what, pointer, want) in [
            ("group", "/spec/group", &self.group),
            ("kind", "/spec/names/kind", &self.kind),
            ("scope", "/spec/scope", &self.scope),
        ] {
            parts.extend(compare_str(
                what,
                str_at(crd, pointer).unwrap_or("none"),
                want.as_deref(),
            ));
        }
        parts.extend(among(
            "served",
            &versions_where(crd, "served"),
            self.served_version.as_ref(),
        ));
        parts.extend(among(
            "storage",
            &versions_where(crd, "storage"),
            self.storage_version.as_ref(),
        ));
        parts.push(match condition(crd, "Established") {
            Some("True") => (true, "established".to_owned()),
            Some(s) => (false, format!("not established (Established={s})")),
            None => (
                false,
                "not established (no Established condition: the API server has not served it)"
                    .to_owned(),
            ),
        });
        verdict_of(str_at(crd, "/metadata/name").unwrap_or("?"), &parts)
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        target.map_or_else(String::new, |get| {
            get.jsonpath(
                "{.spec.group} {.spec.names.kind} {.spec.scope} {range .spec.versions[*]}{.name}(served={.served},storage={.storage}) {end}",
            )
        })
    }

    fn named_values(&self) -> Vec<String> {
        [&self.group, &self.kind, &self.served_version]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests;
