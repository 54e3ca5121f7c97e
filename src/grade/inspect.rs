//! The `kubectl` command that shows what a check looked at.

use serde_json::Value;

use crate::evaluator::{Get, sh};
use crate::kind::Kind;
use crate::library::rubric::{Expectation, Selection, Target};
use crate::snapshot::Snapshot;

/// `{.a.b}` → `.a.b`, for embedding in a larger template.
fn inner(path: &str) -> String {
    let p = path.trim();
    let p = p
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or(p);
    let p = p.strip_prefix('$').unwrap_or(p);
    p.to_string()
}

/// `kubectl get …` naming the target, and whether it prints a list.
fn get<'a>(t: &'a Target, snapshot: &Snapshot) -> Get<'a> {
    let ns = match t.namespace.as_deref() {
        Some(n) => format!(" -n {n}"),
        None if t.kind.namespaced() && t.kind.is_well_known() => " -A".into(),
        None => String::new(),
    };
    let (command, list) = match &t.select {
        Selection::Name(name) => (
            format!("kubectl get {} {name}{ns}", t.kind.kubectl_name()),
            false,
        ),
        Selection::Labels(sel) => (
            format!(
                "kubectl get {}{ns} -l {}",
                if t.kind.is_well_known() {
                    t.kind.api().plural.to_string()
                } else {
                    t.kind.kubectl_name()
                },
                sh(&sel.text)
            ),
            true,
        ),
        Selection::PodsOf { kind, name } => {
            let labels = snapshot
                .get(*kind, t.namespace.as_deref(), name)
                .and_then(|o| o.value.pointer("/spec/selector/matchLabels"))
                .and_then(Value::as_object)
                .filter(|m| !m.is_empty())
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(",")
                });
            match labels {
                Some(l) => (format!("kubectl get pods{ns} -l {l}"), true),
                None => (
                    format!("kubectl get {} {name}{ns}", kind.kubectl_name()),
                    false,
                ),
            }
        }
    };
    Get {
        target: t,
        command,
        list,
    }
}

/// JSONPath of the pod spec inside an object of this kind.
fn spec_path(kind: Kind) -> &'static str {
    match kind {
        Kind::Pod => ".spec",
        Kind::CronJob => ".spec.jobTemplate.spec.template.spec",
        _ => ".spec.template.spec",
    }
}

pub fn command(t: Option<&Target>, e: &Expectation, snapshot: &Snapshot) -> String {
    let get = t.map(|t| get(t, snapshot));
    let (Some(t), Some(get)) = (t, &get) else {
        return match e {
            Expectation::Evaluated(check) => check.inspect_in(None, snapshot),
            _ => String::new(),
        };
    };
    let (base, list) = (get.command.clone(), get.list);
    let jsonpath = |expr: &str| get.jsonpath(expr);
    let spec = spec_path(t.kind);
    let per_container = |field: &str| {
        if list {
            jsonpath(&format!("{{{spec}.containers[*].{field}}}"))
        } else {
            format!(
                "{base} -o jsonpath={}",
                sh(&format!(
                    "{{range {spec}.containers[*]}}{{.name}}{{\": \"}}{{.{field}}}{{\"\\n\"}}{{end}}"
                ))
            )
        }
    };
    match e {
        Expectation::Exists(_) | Expectation::ReadyReplicas { .. } => base,
        Expectation::Field { path, .. } => jsonpath(&format!("{{{}}}", inner(path.as_str()))),
        Expectation::RegistryCredentials { .. } => {
            format!(
                "{base} -o jsonpath={} | base64 -d",
                sh("{.data.\\.dockerconfigjson}")
            )
        }
        Expectation::PullSecret(_) => {
            if t.kind == Kind::ServiceAccount {
                jsonpath("{.imagePullSecrets}")
            } else {
                jsonpath(&format!(
                    "{{{spec}.imagePullSecrets}} {{{spec}.serviceAccountName}}"
                ))
            }
        }
        Expectation::SecurityContext { .. } => {
            if list {
                jsonpath(&format!(
                    "{{{spec}.securityContext}} {{{spec}.containers[*].securityContext}}"
                ))
            } else {
                format!(
                    "{base} -o jsonpath={}",
                    sh(&format!(
                        "pod: {{{spec}.securityContext}}{{\"\\n\"}}{{range {spec}.containers[*]}}{{.name}}{{\": \"}}{{.securityContext}}{{\"\\n\"}}{{end}}"
                    ))
                )
            }
        }
        Expectation::Probe { probe, .. } => per_container(probe.field()),
        Expectation::Resources { .. } => per_container("resources"),
        Expectation::TokenMounted(_) => {
            if t.kind == Kind::Pod {
                jsonpath("{.spec.containers[*].volumeMounts[*].mountPath}")
            } else {
                jsonpath(&format!(
                    "{{{spec}.serviceAccountName}} {{{spec}.automountServiceAccountToken}}"
                ))
            }
        }
        Expectation::Evaluated(check) => check.inspect_in(Some(get), snapshot),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_strips_braces_and_root() {
        assert_eq!(inner("{.spec.replicas}"), ".spec.replicas");
        assert_eq!(inner("{$.spec}"), ".spec");
    }
}
