//! `helm_release`: a Helm 3 release as its release Secrets record it (the
//! latest revision: the highest `version`), judged from the summary
//! `snapshot::helm` keeps: chart, chart version, status, revision, and
//! user-supplied values compared by digest, never in clear.
//!
//! ```toml
//! helm_release = { name = "web", namespace = "web", chart = "nginx", chart_version = "15.1.0",
//!                  status = "deployed", revision_at_least = 2,
//!                  values = { "service.type" = "NodePort", replicaCount = 3 } }
//! ```

use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, Verdict};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::helm::{Release, flatten, is_release, release_of, value_digest};
use crate::snapshot::{Object, Snapshot};

/// `helm_release = { name, namespace, chart?, chart_version?, app_version?, status?,
/// revision_at_least?, values? }`
pub struct HelmRelease;

/// The statuses Helm 3 gives a release.
const STATUSES: &[&str] = &[
    "unknown",
    "deployed",
    "uninstalled",
    "superseded",
    "failed",
    "uninstalling",
    "pending-install",
    "pending-upgrade",
    "pending-rollback",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    namespace: String,
    #[serde(default)]
    chart: Option<String>,
    #[serde(default)]
    chart_version: Option<String>,
    #[serde(default)]
    app_version: Option<String>,
    #[serde(default)]
    status: Option<Spanned<String>>,
    #[serde(default)]
    revision_at_least: Option<Spanned<i64>>,
    #[serde(default)]
    values: Option<Spanned<toml::Table>>,
}

#[derive(Debug)]
struct Check {
    name: String,
    namespace: String,
    chart: Option<String>,
    chart_version: Option<String>,
    app_version: Option<String>,
    status: Option<String>,
    revision_at_least: Option<i64>,
    /// Expected values by dotted path: the path and its digest.
    values: Vec<(String, String)>,
}

impl Evaluator for HelmRelease {
    fn key(&self) -> &'static str {
        "helm_release"
    }

    fn target(&self) -> super::TargetUse {
        super::TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: File = input.deserialize()?;
        if let Some(s) = &file.status
            && !STATUSES.contains(&s.get_ref().as_str())
        {
            return Err(Problem::new(
                s.span(),
                format!(
                    "helm_release: status '{}' is not a Helm status ({})",
                    s.get_ref(),
                    STATUSES.join(", ")
                ),
            ));
        }
        if let Some(r) = &file.revision_at_least
            && *r.get_ref() < 1
        {
            return Err(Problem::new(
                r.span(),
                "helm_release: revision_at_least must be 1 or more",
            ));
        }
        let values = match &file.values {
            None => Vec::new(),
            Some(table) => {
                let json = serde_json::to_value(table.get_ref()).map_err(|e| {
                    Problem::new(table.span(), format!("helm_release: values: {e}"))
                })?;
                if json.as_object().is_none_or(serde_json::Map::is_empty) {
                    return Err(Problem::new(
                        table.span(),
                        "helm_release: values names no value",
                    ));
                }
                flatten(&json)
                    .into_iter()
                    .map(|(path, v)| {
                        let d = value_digest(&path, &v);
                        (path, d)
                    })
                    .collect()
            }
        };
        Ok(Arc::new(Check {
            name: file.name,
            namespace: file.namespace,
            chart: file.chart,
            chart_version: file.chart_version,
            app_version: file.app_version,
            status: file.status.map(Spanned::into_inner),
            revision_at_least: file.revision_at_least.map(Spanned::into_inner),
            values,
        }))
    }
}

/// The releases of a namespace by name: every revision's summary, or why a
/// release Secret could not be read.
fn revisions<'a>(
    snapshot: &'a Snapshot,
    namespace: &str,
) -> impl Iterator<Item = (&'a Object, Result<Release, String>)> + 'a {
    snapshot
        .list(Kind::Secret, Some(namespace))
        .filter(|s| is_release(&s.value))
        .map(|s| (s, release_of(&s.value)))
}

fn label_version(o: &Object) -> i64 {
    super::objects::label(&o.value, "version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl Check {
    fn compare(&self, r: &Release) -> Vec<(bool, String)> {
        let mut parts = Vec::new();
        let text = |what: &str, found: &str, want: Option<&String>| {
            want.map(|w| {
                if found == w {
                    (true, format!("{what} {found}"))
                } else {
                    (false, format!("{what} {found} (expected {w})"))
                }
            })
        };
        parts.extend(text("chart", &r.chart, self.chart.as_ref()));
        parts.extend(text(
            "chart version",
            &r.chart_version,
            self.chart_version.as_ref(),
        ));
        parts.extend(text(
            "app version",
            &r.app_version,
            self.app_version.as_ref(),
        ));
        parts.extend(text("status", &r.status, self.status.as_ref()));
        if let Some(min) = self.revision_at_least {
            parts.push((
                r.revision >= min,
                if r.revision >= min {
                    format!("revision {}", r.revision)
                } else {
                    format!("revision {} (expected at least {min})", r.revision)
                },
            ));
        }
        for (path, want) in &self.values {
            parts.push(match r.values.get(path) {
                Some(d) if d == want => (true, format!("value {path} as expected")),
                Some(_) => (false, format!("value {path} differs")),
                None => (false, format!("value {path} not set by the user")),
            });
        }
        parts
    }
}

impl EvaluatorCheck for Check {
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::Secret, Some(self.namespace.clone()))]
    }

    fn expected(&self, _subject: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(c) = &self.chart {
            parts.push(format!("chart {c}"));
        }
        if let Some(v) = &self.chart_version {
            parts.push(format!("chart version {v}"));
        }
        if let Some(v) = &self.app_version {
            parts.push(format!("app version {v}"));
        }
        if let Some(s) = &self.status {
            parts.push(format!("status {s}"));
        }
        if let Some(r) = self.revision_at_least {
            parts.push(format!("revision at least {r}"));
        }
        if !self.values.is_empty() {
            let paths: Vec<&str> = self.values.iter().map(|(p, _)| p.as_str()).collect();
            parts.push(format!("user-supplied values {}", paths.join(", ")));
        }
        let what = if parts.is_empty() {
            "installed".to_owned()
        } else {
            parts.join(", ")
        };
        format!("helm release {} in {}: {what}", self.name, self.namespace)
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let all: Vec<(&Object, Result<Release, String>)> =
            revisions(snapshot, &self.namespace).collect();
        let latest = all
            .iter()
            .filter(|(o, _)| super::objects::label(&o.value, "name") == Some(&self.name))
            .max_by_key(|(o, r)| r.as_ref().map_or_else(|_| label_version(o), |r| r.revision));
        let Some((object, release)) = latest else {
            let mut names: Vec<&str> = all
                .iter()
                .filter_map(|(o, _)| super::objects::label(&o.value, "name"))
                .collect();
            names.sort_unstable();
            names.dedup();
            let others = if names.is_empty() {
                "no release there".to_owned()
            } else {
                format!("releases there: {}", names.join(", "))
            };
            return Verdict::new(
                false,
                format!(
                    "no helm release {} in {} ({others})",
                    self.name, self.namespace
                ),
            );
        };
        let release = match release {
            Ok(r) => r,
            Err(e) => {
                return Verdict::new(false, format!("secret {}: {e}", object.name));
            }
        };
        let subject = format!(
            "release {} revision {} ({}), chart {}-{}",
            release.name, release.revision, release.status, release.chart, release.chart_version
        );
        super::workloads::verdict_of(&subject, &self.compare(release))
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        format!(
            "helm list -a -n {ns}; helm get values {name} -n {ns}",
            ns = self.namespace,
            name = self.name
        )
    }

    fn named_values(&self) -> Vec<String> {
        let mut v = vec![self.name.clone()];
        v.extend(self.chart.clone());
        v.extend(self.chart_version.clone());
        v
    }
}

#[cfg(test)]
mod tests;
