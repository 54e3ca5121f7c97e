//! The storage checks in a rubric: `pvc_bound`, `storage`, `default_storage_class` and
//! `pvc_mounted`.

use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{PodSpecOf, Size};
use crate::evaluator::objects::values;
use crate::evaluator::pod_security::needs_kind;
use crate::evaluator::quantity::{Bound, Quantity};
use crate::evaluator::syntax::{no_object, one_of, quantity};
use crate::evaluator::{
    Evaluator, EvaluatorCheck, Get, Input, Problem, TargetUse, Verdict, objects,
};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::{Object, Snapshot};

/// `pvc_bound = { volume = "pv-1" }` (or `{}`: bound to any volume).
pub struct PvcBound;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PvcBoundCheck {
    #[serde(default)]
    volume: Option<String>,
}

impl Evaluator for PvcBound {
    fn key(&self) -> &'static str {
        "pvc_bound"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        Ok(Arc::new(input.deserialize::<PvcBoundCheck>()?))
    }
}

impl EvaluatorCheck for PvcBoundCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::PersistentVolumeClaim,
            "pvc_bound",
            "PersistentVolumeClaims",
        )
    }

    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::PersistentVolume, None)]
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let to = self.volume.as_ref().map_or_else(
            || "a PersistentVolume".to_owned(),
            |v| format!("PersistentVolume {v}"),
        );
        format!(
            "{}: Bound to {to}, whose claimRef names it",
            subject.unwrap_or_default()
        )
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(pvc) = object else {
            return no_object();
        };
        // Only the volume the claim names is looked at: an index lookup, not a scan of every PV.
        let volumes: Vec<&serde_json::Value> = objects::str_at(&pvc.value, "/spec/volumeName")
            .and_then(|v| snapshot.get(Kind::PersistentVolume, None, v))
            .map(|o| &o.value)
            .into_iter()
            .collect();
        super::pvc_bound(&pvc.value, &volumes, self.volume.as_deref())
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        let pvc = target.map_or_else(String::new, |get| {
            get.jsonpath("{.status.phase} {.spec.volumeName}")
        });
        format!(
            "{pvc}; kubectl get pv -o custom-columns=NAME:.metadata.name,CLAIM:.spec.claimRef.name,NS:.spec.claimRef.namespace,STATUS:.status.phase"
        )
    }

    fn named_values(&self) -> Vec<String> {
        self.volume.iter().cloned().collect()
    }
}

/// `storage = { access_modes, capacity | capacity_at_least | capacity_at_most, requests,
/// reclaim_policy, storage_class }` on a PV, a PVC or (reclaim policy only) a StorageClass.
pub struct Storage;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageFile {
    #[serde(default)]
    access_modes: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    capacity: Option<Spanned<String>>,
    #[serde(default)]
    capacity_at_least: Option<Spanned<String>>,
    #[serde(default)]
    capacity_at_most: Option<Spanned<String>>,
    #[serde(default)]
    requests: Option<Spanned<String>>,
    #[serde(default)]
    reclaim_policy: Option<Spanned<String>>,
    #[serde(default)]
    storage_class: Option<String>,
}

#[derive(Debug)]
struct StorageCheck {
    access_modes: Option<Vec<String>>,
    capacity: Option<Bound>,
    requests: Option<Quantity>,
    reclaim_policy: Option<String>,
    storage_class: Option<String>,
}

const ACCESS_MODES: [&str; 4] = [
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];

impl Evaluator for Storage {
    fn key(&self) -> &'static str {
        "storage"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: StorageFile = input.deserialize()?;
        let access_modes = f
            .access_modes
            .map(|m| {
                m.iter()
                    .map(|x| one_of(x, "access mode", &ACCESS_MODES))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let bounds = [
            f.capacity.as_ref().map(|q| quantity(q).map(Bound::Equals)),
            f.capacity_at_least
                .as_ref()
                .map(|q| quantity(q).map(Bound::AtLeast)),
            f.capacity_at_most
                .as_ref()
                .map(|q| quantity(q).map(Bound::AtMost)),
        ];
        let mut capacity = None;
        for b in bounds.into_iter().flatten() {
            if capacity.is_some() {
                return Err(Problem::new(
                    input.span(),
                    "storage: give one of capacity, capacity_at_least, capacity_at_most",
                ));
            }
            capacity = Some(b?);
        }
        let check = StorageCheck {
            access_modes,
            capacity,
            requests: f.requests.as_ref().map(quantity).transpose()?,
            reclaim_policy: f
                .reclaim_policy
                .as_ref()
                .map(|r| one_of(r, "reclaim policy", &["Retain", "Delete", "Recycle"]))
                .transpose()?,
            storage_class: f.storage_class,
        };
        if check.access_modes.is_none()
            && check.capacity.is_none()
            && check.requests.is_none()
            && check.reclaim_policy.is_none()
            && check.storage_class.is_none()
        {
            return Err(Problem::new(
                input.span(),
                "storage: say what to check (access_modes, capacity, requests, reclaim_policy, storage_class)",
            ));
        }
        Ok(Arc::new(check))
    }
}

impl EvaluatorCheck for StorageCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        let kinds = [
            Kind::PersistentVolume,
            Kind::PersistentVolumeClaim,
            Kind::StorageClass,
        ];
        needs_kind(
            target,
            |k| kinds.contains(&k),
            "storage",
            "PersistentVolumes, PersistentVolumeClaims and StorageClasses",
        )?;
        let kind = target.map(|t| t.kind);
        if kind == Some(Kind::StorageClass)
            && (self.access_modes.is_some()
                || self.capacity.is_some()
                || self.requests.is_some()
                || self.storage_class.is_some())
        {
            return Err("storage on a StorageClass checks reclaim_policy only".into());
        }
        if kind == Some(Kind::PersistentVolumeClaim) && self.reclaim_policy.is_some() {
            return Err(
                "reclaim_policy belongs to a PersistentVolume or a StorageClass, not to a claim"
                    .into(),
            );
        }
        if kind == Some(Kind::PersistentVolume) && self.requests.is_some() {
            return Err("requests belongs to a claim; a PersistentVolume has capacity".into());
        }
        Ok(())
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(m) = &self.access_modes {
            parts.push(format!("access modes {}", m.join(", ")));
        }
        if let Some(c) = &self.capacity {
            parts.push(format!("capacity {c}"));
        }
        if let Some(r) = &self.requests {
            parts.push(format!("requests {r}"));
        }
        if let Some(r) = &self.reclaim_policy {
            parts.push(format!("reclaim policy {r}"));
        }
        if let Some(c) = &self.storage_class {
            parts.push(if c.is_empty() {
                "no storage class".to_owned()
            } else {
                format!("storage class {c}")
            });
        }
        format!("{}: {}", subject.unwrap_or_default(), parts.join(", "))
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        let Some(o) = object else { return no_object() };
        let v = &o.value;
        let mut parts = Vec::new();
        if let Some(m) = &self.access_modes {
            parts.push(super::access_modes(v, m));
        }
        if let Some(c) = &self.capacity {
            parts.push(super::capacity(v, Size::Actual, c));
        }
        if let Some(r) = &self.requests {
            parts.push(super::capacity(
                v,
                Size::Requested,
                &Bound::Equals(r.clone()),
            ));
        }
        if let Some(r) = &self.reclaim_policy {
            parts.push(super::reclaim_policy(v, r));
        }
        if let Some(c) = &self.storage_class {
            parts.push(super::storage_class(v, c));
        }
        objects::all(&parts)
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        objects::yaml_of(target)
    }

    fn named_values(&self) -> Vec<String> {
        self.storage_class
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect()
    }
}

/// `default_storage_class = "fast"`: that class, and no other, is the default.
pub struct DefaultStorageClass;

#[derive(Debug)]
struct DefaultClassCheck {
    class: String,
}

impl Evaluator for DefaultStorageClass {
    fn key(&self) -> &'static str {
        "default_storage_class"
    }

    fn target(&self) -> TargetUse {
        TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let class: String = input.deserialize()?;
        if class.is_empty() {
            return Err(Problem::new(
                input.span(),
                "default_storage_class: name a StorageClass",
            ));
        }
        Ok(Arc::new(DefaultClassCheck { class }))
    }
}

impl EvaluatorCheck for DefaultClassCheck {
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::StorageClass, None)]
    }

    fn expected(&self, _subject: Option<&str>) -> String {
        format!(
            "StorageClass {} is the only default StorageClass",
            self.class
        )
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        super::default_storage_class(&values(snapshot, Kind::StorageClass, None), &self.class)
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        "kubectl get storageclass".to_owned()
    }

    fn named_values(&self) -> Vec<String> {
        vec![self.class.clone()]
    }
}

/// `pvc_mounted = { claim = "data", path = "/data", container = "app" }` on pods and workloads.
pub struct PvcMounted;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PvcMountedCheck {
    claim: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    container: Option<String>,
}

impl Evaluator for PvcMounted {
    fn key(&self) -> &'static str {
        "pvc_mounted"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let check: PvcMountedCheck = input.deserialize()?;
        if check.path.as_deref().is_some_and(|p| !p.starts_with('/')) {
            return Err(Problem::new(
                input.span(),
                "pvc_mounted: path must be absolute, like /data",
            ));
        }
        Ok(Arc::new(check))
    }
}

impl EvaluatorCheck for PvcMountedCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            Kind::has_pod_spec,
            "pvc_mounted",
            "pods and workloads",
        )
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let at = self
            .path
            .as_ref()
            .map_or_else(String::new, |p| format!(" at {p}"));
        let c = self
            .container
            .as_ref()
            .map_or_else(String::new, |c| format!(" in container {c}"));
        format!(
            "{}: mounts PVC {}{at}{c}",
            subject.unwrap_or_default(),
            self.claim
        )
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        let Some(o) = object else { return no_object() };
        let Some((_, spec)) = crate::pod_security::pod_template(&o.value) else {
            return Verdict::new(false, format!("{} has no pod template", o.display()));
        };
        // The report names the object; the words stay the same for every pod so that pods
        // failing alike are said once.
        let what = if o.kind == Kind::Pod {
            "pod"
        } else {
            "pod template"
        }
        .to_owned();
        let with_claims =
            (o.kind == Kind::StatefulSet).then(|| super::with_claim_templates(&o.value, spec));
        super::pvc_mounted(
            &[PodSpecOf {
                what,
                spec: with_claims.as_ref().unwrap_or(spec),
            }],
            &self.claim,
            self.path.as_deref(),
            self.container.as_deref(),
        )
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        objects::yaml_of(target)
    }

    fn named_values(&self) -> Vec<String> {
        let mut v = vec![self.claim.clone()];
        v.extend(self.path.iter().cloned());
        v
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::{CLAIM_UID, class, pod_spec, pv, pvc};
    use crate::evaluator::testing;
    use crate::report::Status;

    const PVC: &str =
        r#"target = { kind = "PersistentVolumeClaim", namespace = "storage", name = "app-data" }"#;

    fn bound_snapshot() -> crate::snapshot::Snapshot {
        testing::snapshot(&[
            pvc(Some("manual-pv"), "Bound"),
            pv(
                "manual-pv",
                Some(("storage", "app-data", CLAIM_UID)),
                "Bound",
            ),
        ])
    }

    #[test]
    fn pvc_bound_through_a_rubric() {
        let r = testing::grade(
            &["storage"],
            &format!("{PVC}\npvc_bound = {{ volume = \"manual-pv\" }}"),
            &bound_snapshot(),
        );
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.expected,
            "persistentvolumeclaim app-data in storage: Bound to PersistentVolume manual-pv, whose claimRef names it"
        );
        assert_eq!(
            r.actual,
            "PVC storage/app-data is Bound to PV manual-pv (PV Bound, claimRef storage/app-data)"
        );
        let r = testing::grade(
            &["storage"],
            &format!("{PVC}\npvc_bound = {{ volume = \"other\" }}"),
            &bound_snapshot(),
        );
        assert_eq!(r.status, Status::Fail);
    }

    #[test]
    fn unreadable_volumes_make_pvc_bound_an_error() {
        let mut snap = bound_snapshot();
        snap.mark_unavailable(
            crate::kind::Kind::PersistentVolume,
            None,
            "forbidden: persistentvolumes".into(),
        );
        let r = testing::grade(&["storage"], &format!("{PVC}\npvc_bound = {{}}"), &snap);
        assert_eq!(r.status, Status::Error);
    }

    #[test]
    fn storage_compares_capacity_by_value() {
        let body = format!(
            "{PVC}\nstorage = {{ access_modes = [\"ReadWriteOnce\"], capacity = \"1024Mi\", requests = \"500Mi\", storage_class = \"\" }}"
        );
        let r = testing::grade(&["storage"], &body, &bound_snapshot());
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        let body = r#"target = { kind = "PersistentVolume", name = "manual-pv" }
storage = { capacity_at_least = "2Gi", reclaim_policy = "Retain" }"#;
        let r = testing::grade(&["storage"], body, &bound_snapshot());
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.actual,
            "PV manual-pv capacity 1Gi, not at least 2Gi; PV manual-pv has reclaim policy Retain"
        );
    }

    #[test]
    fn storage_misuse_is_located() {
        let err = testing::check(
            &["storage"],
            &format!("{PVC}\nstorage = {{ capacity = \"1GB\" }}"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            [
                "grading/t.toml:10:24: '1GB' is not a quantity (a number with an optional suffix: Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3)"
            ]
        );
        let err = testing::check(
            &["storage"],
            &format!("{PVC}\nstorage = {{ access_modes = [\"RWO\"] }}"),
        )
        .unwrap_err();
        assert!(err[0].starts_with("grading/t.toml:10:29: "), "{err:?}");
        assert!(err[0].ends_with("access mode 'RWO' is not one of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod"), "{err:?}");
        let err = testing::check(
            &["storage"],
            &format!("{PVC}\nstorage = {{ reclaim_policy = \"Retain\" }}"),
        )
        .unwrap_err();
        assert!(
            err[0].contains("reclaim_policy belongs to a PersistentVolume or a StorageClass"),
            "{err:?}"
        );
    }

    #[test]
    fn the_one_default_class() {
        let snap = testing::snapshot(&[
            class(
                "standard",
                &json!({"storageclass.kubernetes.io/is-default-class": "true"}),
            ),
            class(
                "fast",
                &json!({"storageclass.kubernetes.io/is-default-class": "true"}),
            ),
        ]);
        let r = testing::grade(&["storage"], "default_storage_class = \"fast\"", &snap);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.actual,
            "StorageClass fast is default, but so is 'standard'"
        );
        assert_eq!(r.inspect, "kubectl get storageclass");
        let err = testing::check(
            &["storage"],
            &format!("{PVC}\ndefault_storage_class = \"fast\""),
        )
        .unwrap_err();
        assert_eq!(
            err,
            ["grading/t.toml:9:10: check 'k': this expectation takes no target"]
        );
    }

    #[test]
    fn a_deployment_template_mounts_the_claim() {
        let deploy = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "storage"},
            "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec("app-data", "/data/")}}
        });
        let body = "target = { kind = \"Deployment\", namespace = \"storage\", name = \"web\" }\npvc_mounted = { claim = \"app-data\", path = \"/data\" }";
        let r = testing::grade(&["storage"], body, &testing::snapshot(&[deploy]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(r.actual, "pod template mounts PVC app-data at app:/data");
        let err = testing::check(
            &["storage"],
            &format!("{PVC}\npvc_mounted = {{ claim = \"x\" }}"),
        )
        .unwrap_err();
        assert!(
            err[0].contains(
                "pvc_mounted applies to pods and workloads, not to a PersistentVolumeClaim"
            ),
            "{err:?}"
        );
    }

    /// Every example of the storage, nodes and workloads section of docs/rubrics.md loads.
    #[test]
    fn the_documented_examples_load() {
        let doc = include_str!("../../../docs/rubrics.md");
        let section = doc
            .split("### Storage, nodes and scheduling, workloads")
            .nth(1)
            .unwrap();
        let toml = section
            .split("```toml")
            .nth(1)
            .unwrap()
            .split("```")
            .next()
            .unwrap();
        let checks: Vec<&str> = toml.split("[[criteria.checks]]").skip(1).collect();
        assert_eq!(checks.len(), 7);
        for check in checks {
            let body: Vec<&str> = check
                .lines()
                .filter(|l| !l.starts_with("title") && !l.starts_with("points") && !l.is_empty())
                .collect();
            let parsed = testing::check(&["storage", "logging", "web"], &body.join("\n"));
            assert!(parsed.is_ok(), "{check}: {parsed:?}");
        }
    }

    #[test]
    fn a_statefulset_mounts_its_claim_template() {
        let sts = json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web", "namespace": "storage"},
            "spec": {
                "serviceName": "web", "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{
                    "name": "nginx", "image": "nginx:1.27",
                    "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}]
                }]}},
                "volumeClaimTemplates": [{
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "www"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                             "storageClassName": "cold", "volumeMode": "Filesystem"},
                    "status": {"phase": "Pending"}
                }]
            }
        });
        let body = "target = { kind = \"sts\", namespace = \"storage\", name = \"web\" }\npvc_mounted = { claim = \"www\", path = \"/usr/share/nginx/html/\" }";
        let r = testing::grade(&["storage"], body, &testing::snapshot(&[sts]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.actual,
            "pod template mounts PVC www at nginx:/usr/share/nginx/html"
        );
    }
}
