//! Pod Security expectations: `pod_security` (the level a pod or pod
//! template satisfies, judged by `crate::pod_security`) and
//! `pod_security_labels` (a Namespace's `pod-security.kubernetes.io/*`
//! labels).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, Verdict};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::pod_security::{self, Level, PolicyVersion, pod_template};
use crate::snapshot::{Object, Snapshot};

/// `pod_security = { level = "restricted", version? = "latest" }`
pub struct PodSecurity;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PodSecurityFile {
    level: Spanned<String>,
    #[serde(default)]
    version: Option<Spanned<String>>,
}

#[derive(Debug)]
struct LevelCheck {
    level: Level,
    version: PolicyVersion,
}

impl Evaluator for PodSecurity {
    fn key(&self) -> &'static str {
        "pod_security"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: PodSecurityFile = input.deserialize()?;
        let level = file
            .level
            .get_ref()
            .parse::<Level>()
            .map_err(|e| Problem::new(file.level.span(), e.to_string()))?;
        let version = match &file.version {
            Some(v) => v
                .get_ref()
                .parse::<PolicyVersion>()
                .map_err(|e| Problem::new(v.span(), e.to_string()))?,
            None => PolicyVersion::Latest,
        };
        Ok(Arc::new(LevelCheck { level, version }))
    }
}

impl EvaluatorCheck for LevelCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            Kind::has_pod_spec,
            "pod_security",
            "pods and workloads",
        )
    }

    fn expected(&self, subject: Option<&str>) -> String {
        format!(
            "{}: meets Pod Security Standards '{}' ({})",
            subject.unwrap_or_default(),
            self.level,
            self.version
        )
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        let Some(object) = object else {
            return Verdict::new(false, "no object to judge");
        };
        let Some((meta, spec)) = pod_template(&object.value) else {
            return Verdict::new(false, format!("{} has no pod template", object.display()));
        };
        let eval = pod_security::evaluate(meta, spec, self.version);
        if eval.level >= self.level {
            return Verdict::new(true, format!("meets '{}' ({})", eval.level, self.version));
        }
        let violations = match self.level {
            Level::Restricted => &eval.violations.restricted,
            _ => &eval.violations.baseline,
        };
        Verdict::new(
            false,
            format!(
                "level '{}'; {}: {}",
                eval.level,
                self.level,
                violations.join("; ")
            ),
        )
    }

    /// The admission plugin's own answer: a server-side dry run of the label.
    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        match target {
            Some(Get {
                target:
                    Target {
                        namespace: Some(ns),
                        ..
                    },
                ..
            }) => format!(
                "kubectl label --dry-run=server --overwrite ns {ns} pod-security.kubernetes.io/enforce={}",
                self.level
            ),
            Some(get) => get.command.clone(),
            None => String::new(),
        }
    }

    fn named_values(&self) -> Vec<String> {
        vec![self.level.to_string()]
    }
}

/// `pod_security_labels = { enforce = "restricted", warn = "baseline" }`
pub struct PodSecurityLabels;

const LABEL_MODES: [&str; 6] = [
    "enforce",
    "enforce-version",
    "warn",
    "warn-version",
    "audit",
    "audit-version",
];

#[derive(Debug)]
struct LabelsCheck(BTreeMap<String, String>);

impl Evaluator for PodSecurityLabels {
    fn key(&self) -> &'static str {
        "pod_security_labels"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let labels: BTreeMap<Spanned<String>, String> = input.deserialize()?;
        if let Some(bad) = labels
            .keys()
            .find(|k| !LABEL_MODES.contains(&k.get_ref().as_str()))
        {
            return Err(Problem::new(
                bad.span(),
                format!(
                    "pod_security_labels key '{}' is not one of enforce, warn, audit (or their -version)",
                    bad.get_ref()
                ),
            ));
        }
        if labels.is_empty() {
            return Err(Problem::new(
                input.span(),
                "pod_security_labels needs at least one of enforce, warn, audit",
            ));
        }
        Ok(Arc::new(LabelsCheck(
            labels
                .into_iter()
                .map(|(k, v)| (k.into_inner(), v))
                .collect(),
        )))
    }
}

impl EvaluatorCheck for LabelsCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::Namespace,
            "pod_security_labels",
            "a Namespace",
        )
    }

    fn expected(&self, subject: Option<&str>) -> String {
        format!(
            "{}: labels {}",
            subject.unwrap_or_default(),
            self.0
                .iter()
                .map(|(k, v)| format!("pod-security.kubernetes.io/{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        let Some(object) = object else {
            return Verdict::new(false, "no object to judge");
        };
        let wrong: Vec<String> = self
            .0
            .iter()
            .filter_map(|(k, want)| {
                let key = format!("pod-security.kubernetes.io/{k}");
                let have = object
                    .labels()
                    .and_then(|l| l.get(&key))
                    .and_then(Value::as_str);
                (have != Some(want.as_str()))
                    .then(|| format!("{key}={}", have.unwrap_or("(not set)")))
            })
            .collect();
        if wrong.is_empty() {
            Verdict::new(true, "labels as expected")
        } else {
            Verdict::new(false, wrong.join(", "))
        }
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        target.map_or_else(String::new, |get| format!("{} --show-labels", get.command))
    }

    fn named_values(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|(k, v)| [k.clone(), v.clone()])
            .collect()
    }
}

/// A check that applies to some kinds only: why it does not fit `target`.
pub(super) fn needs_kind(
    target: Option<&Target>,
    fits: impl Fn(Kind) -> bool,
    key: &str,
    what: &str,
) -> Result<(), String> {
    match target {
        Some(t) if fits(t.kind) => Ok(()),
        Some(t) => Err(format!("{key} applies to {what}, not to a {}", t.kind)),
        None => Err(format!("{key} needs a target ({what})")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::evaluator::testing;
    use crate::library::rubric::{Quantifier, Selection};
    use crate::report::Status;

    fn object(value: Value) -> Object {
        let mut s = Snapshot::default();
        s.insert(value).unwrap();
        s.objects()[0].clone()
    }

    fn target(kind: Kind) -> Target {
        Target {
            kind,
            namespace: Some("x".into()),
            select: Selection::Name("a".into()),
            running: false,
            quantifier: Quantifier::All,
        }
    }

    fn pod(security: &Value) -> Object {
        object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": { "name": "p", "namespace": "x" },
            "spec": { "containers": [{ "name": "c", "image": "nginx", "securityContext": security }] }
        }))
    }

    #[test]
    fn a_restricted_pod_meets_restricted_and_an_open_one_lists_violations() {
        let check = LevelCheck {
            level: Level::Restricted,
            version: PolicyVersion::Latest,
        };
        let good = pod(&json!({
            "allowPrivilegeEscalation": false, "runAsNonRoot": true,
            "capabilities": { "drop": ["ALL"] }, "seccompProfile": { "type": "RuntimeDefault" }
        }));
        let v = check.judge(Some(&good), &Snapshot::default());
        assert!(v.pass, "{}", v.found);
        assert_eq!(v.found, "meets 'restricted' (latest)");
        let bad = check.judge(Some(&pod(&json!({}))), &Snapshot::default());
        assert!(!bad.pass);
        assert!(
            bad.found
                .starts_with("level 'baseline'; restricted: allowPrivilegeEscalation != false"),
            "{}",
            bad.found
        );
    }

    #[test]
    fn labels_name_what_is_wrong() {
        let check = LabelsCheck(BTreeMap::from([
            ("enforce".to_string(), "restricted".to_string()),
            ("warn".to_string(), "baseline".to_string()),
        ]));
        let ns = object(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": { "name": "x", "labels": { "pod-security.kubernetes.io/enforce": "baseline" } }
        }));
        let v = check.judge(Some(&ns), &Snapshot::default());
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "pod-security.kubernetes.io/enforce=baseline, pod-security.kubernetes.io/warn=(not set)"
        );
    }

    #[test]
    fn each_applies_to_its_kinds_only() {
        let level = LevelCheck {
            level: Level::Baseline,
            version: PolicyVersion::Latest,
        };
        assert!(level.fits(Some(&target(Kind::Deployment))).is_ok());
        assert_eq!(
            level.fits(Some(&target(Kind::Service))),
            Err("pod_security applies to pods and workloads, not to a Service".into())
        );
        let labels = LabelsCheck(BTreeMap::new());
        assert!(labels.fits(Some(&target(Kind::Namespace))).is_ok());
        assert!(labels.fits(Some(&target(Kind::Pod))).is_err());
    }

    #[test]
    fn a_rubric_check_is_graded_with_expected_found_and_inspect() {
        let snap = testing::snapshot(&[json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": "web", "namespace": "x" },
            "spec": { "template": { "spec": { "hostNetwork": true,
                "containers": [{ "name": "c", "image": "nginx" }] } } }
        })]);
        let r = testing::grade(
            &["x"],
            "target = { kind = \"Deployment\", namespace = \"x\", name = \"web\" }\npod_security = { level = \"baseline\" }",
            &snap,
        );
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.expected,
            "deployment web in x: meets Pod Security Standards 'baseline' (latest)"
        );
        assert_eq!(
            r.actual,
            "level 'privileged'; baseline: host namespaces (hostNetwork=true)"
        );
        assert_eq!(
            r.inspect,
            "kubectl label --dry-run=server --overwrite ns x pod-security.kubernetes.io/enforce=baseline"
        );
    }

    #[test]
    fn misuse_is_located_at_the_value() {
        let target = "target = { kind = \"Pod\", namespace = \"x\", name = \"p\" }\n";
        let err = |body: &str| testing::check(&["x"], &format!("{target}{body}")).unwrap_err();
        assert_eq!(
            err("pod_security = { level = \"strict\" }"),
            [
                "grading/t.toml:10:26: unknown Pod Security level 'strict': expected 'privileged', 'baseline' or 'restricted'"
            ]
        );
        assert_eq!(
            err("pod_security = { level = \"baseline\", version = \"1.30\" }"),
            [
                "grading/t.toml:10:48: invalid Pod Security version '1.30': expected 'latest' or 'v1.<minor>', such as 'v1.30'"
            ]
        );
        let unknown = err("pod_security = { level = \"baseline\", colour = 1 }");
        assert!(
            unknown[0].starts_with("grading/t.toml:10:38: pod_security: unknown field `colour`"),
            "{unknown:?}"
        );
        assert_eq!(
            err("pod_security_labels = { enforce = \"restricted\", deny = \"x\" }"),
            [
                "grading/t.toml:10:49: pod_security_labels key 'deny' is not one of enforce, warn, audit (or their -version)"
            ]
        );
        assert_eq!(
            err("pod_security_labels = { enforce = \"restricted\" }"),
            [
                "grading/t.toml:9:10: check 'k': pod_security_labels applies to a Namespace, not to a Pod"
            ]
        );
        assert_eq!(
            testing::check(&["x"], "pod_security = { level = \"baseline\" }").unwrap_err(),
            ["grading/t.toml:6:1: check 'k' has no target"]
        );
    }

    #[test]
    fn inspect_asks_the_admission_plugin_by_dry_run() {
        let check = LevelCheck {
            level: Level::Restricted,
            version: PolicyVersion::Latest,
        };
        let t = target(Kind::Pod);
        let get = Get {
            target: &t,
            command: "kubectl get pod a -n x".into(),
            list: false,
        };
        assert_eq!(
            check.inspect(Some(&get)),
            "kubectl label --dry-run=server --overwrite ns x pod-security.kubernetes.io/enforce=restricted"
        );
    }
}
