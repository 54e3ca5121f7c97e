//! Storage: a claim bound to a volume (both sides of the binding agree), access modes, capacity
//! by value, reclaim policy, storage class, the one default StorageClass, and a claim mounted by
//! pods or a workload's pod template at a path.

// Kind and field names (StorageClass, NoSchedule, PriorityClass) are the domain's words in
// these docs, not code to mark up.
#![allow(clippy::doc_markdown)]

pub mod check;

use std::collections::BTreeSet;

use serde_json::Value;

use super::Verdict;
use super::objects::{annotation, array_at, name, namespace, qualified, quoted_list, str_at};
use super::quantity::{Bound, Quantity};

/// The annotation that makes a StorageClass the default.
pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// The beta annotation the PersistentVolume controller and the `DefaultStorageClass` admission
/// plugin still honour (`IsDefaultAnnotation` in `component-helpers/storage/volume`).
pub const BETA_DEFAULT_CLASS_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";

/// Whether a PersistentVolumeClaim is Bound to a PersistentVolume, named `volume` when given:
/// the claim's `status.phase` is `Bound`, its `spec.volumeName` names a PV among `volumes`, and
/// that PV's `spec.claimRef` names this claim (namespace, name and, when both carry one, uid).
pub fn pvc_bound(pvc: &Value, volumes: &[&Value], volume: Option<&str>) -> Verdict {
    let claim = qualified(pvc);
    let phase = str_at(pvc, "/status/phase").unwrap_or("no phase");
    let Some(volume_name) = str_at(pvc, "/spec/volumeName").filter(|v| !v.is_empty()) else {
        return Verdict::new(
            false,
            format!("PVC {claim} is {phase} with no volume (spec.volumeName unset)"),
        );
    };
    if let Some(want) = volume.filter(|w| *w != volume_name) {
        return Verdict::new(
            false,
            format!("PVC {claim} ({phase}) names PV {volume_name}, not PV {want}"),
        );
    }
    if phase != "Bound" {
        return Verdict::new(
            false,
            format!("PVC {claim} names PV {volume_name} but is {phase}, not Bound"),
        );
    }
    let Some(pv) = volumes.iter().find(|v| name(v) == volume_name) else {
        return Verdict::new(
            false,
            format!("PVC {claim} is Bound to PV {volume_name}, which does not exist"),
        );
    };
    let ref_ns = str_at(pv, "/spec/claimRef/namespace").unwrap_or("");
    let ref_name = str_at(pv, "/spec/claimRef/name").unwrap_or("");
    if ref_name.is_empty() {
        return Verdict::new(
            false,
            format!("PVC {claim} names PV {volume_name}, but the PV has no claimRef"),
        );
    }
    if ref_ns != namespace(pvc) || ref_name != name(pvc) {
        return Verdict::new(
            false,
            format!(
                "PVC {claim} names PV {volume_name}, but the PV is claimed by {ref_ns}/{ref_name}"
            ),
        );
    }
    let ref_uid = str_at(pv, "/spec/claimRef/uid");
    let pvc_uid = str_at(pvc, "/metadata/uid");
    if let (Some(r), Some(u)) = (ref_uid, pvc_uid)
        && r != u
    {
        return Verdict::new(
            false,
            format!(
                "PV {volume_name}'s claimRef names {claim} with uid {r}, an earlier claim of that \
             name (this one is {u})"
            ),
        );
    }
    let pv_phase = str_at(pv, "/status/phase").unwrap_or("no phase");
    Verdict::new(
        true,
        format!(
            "PVC {claim} is Bound to PV {volume_name} (PV {pv_phase}, claimRef {ref_ns}/{ref_name})"
        ),
    )
}

/// What a storage object is, for its words and where its fields are.
fn kind_word(obj: &Value) -> &'static str {
    match obj.get("kind").and_then(Value::as_str) {
        Some("PersistentVolume") => "PV",
        Some("StorageClass") => "StorageClass",
        _ => "PVC",
    }
}

/// Whether a PV's or PVC's `spec.accessModes` are exactly `expected`, as a set.
pub fn access_modes(obj: &Value, expected: &[String]) -> Verdict {
    let found: BTreeSet<&str> = array_at(obj, "/spec/accessModes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let want: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    let words = format!(
        "{} {} has access modes {}",
        kind_word(obj),
        qualified(obj),
        quoted_list(&found.iter().collect::<Vec<_>>())
    );
    Verdict::new(found == want, words)
}

/// Which size of a storage object a capacity check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A PV's `spec.capacity.storage`, or what a PVC asked for: `spec.resources.requests.storage`.
    Requested,
    /// The size a Bound PVC got (`status.capacity.storage`, its volume's), or a PV's capacity.
    Actual,
}

/// Whether the size of a PV or PVC compares with `bound` by value (`1Gi` = `1024Mi`).
pub fn capacity(obj: &Value, size: Size, bound: &Bound) -> Verdict {
    let is_pv = kind_word(obj) == "PV";
    let (pointer, what) = match (is_pv, size) {
        (true, _) => ("/spec/capacity/storage", "capacity"),
        (false, Size::Requested) => ("/spec/resources/requests/storage", "requests"),
        (false, Size::Actual) => ("/status/capacity/storage", "has capacity"),
    };
    let subject = format!("{} {}", kind_word(obj), qualified(obj));
    let Some(text) = str_at(obj, pointer) else {
        return Verdict::new(false, format!("{subject} {what}: not set ({pointer})"));
    };
    match text.parse::<Quantity>() {
        Ok(found) if bound.holds(&found) => Verdict::new(true, format!("{subject} {what} {found}")),
        Ok(found) => Verdict::new(false, format!("{subject} {what} {found}, not {bound}")),
        Err(e) => Verdict::new(false, format!("{subject} {what}: {e}")),
    }
}

/// Whether a PV's `persistentVolumeReclaimPolicy` or a StorageClass's `reclaimPolicy` is
/// `expected`. A StorageClass without one deletes (the server's default).
pub fn reclaim_policy(obj: &Value, expected: &str) -> Verdict {
    let kind = kind_word(obj);
    let found = match kind {
        "StorageClass" => str_at(obj, "/reclaimPolicy").unwrap_or("Delete"),
        _ => str_at(obj, "/spec/persistentVolumeReclaimPolicy").unwrap_or("not set"),
    };
    let words = format!("{kind} {} has reclaim policy {found}", qualified(obj));
    Verdict::new(found == expected, words)
}

/// Whether a PV's or PVC's `spec.storageClassName` is `expected`; `""` expects no class (a
/// claim that only binds to volumes without one).
pub fn storage_class(obj: &Value, expected: &str) -> Verdict {
    let found = str_at(obj, "/spec/storageClassName").unwrap_or("");
    let shown = if found.is_empty() {
        "no storage class".to_owned()
    } else {
        format!("storage class {found}")
    };
    let words = format!("{} {} has {shown}", kind_word(obj), qualified(obj));
    Verdict::new(found == expected, words)
}

/// Whether a StorageClass is marked default, as the API server's admission and the volume
/// controller read it (either annotation set to exactly `true`).
pub fn is_default_class(class: &Value) -> bool {
    [DEFAULT_CLASS_ANNOTATION, BETA_DEFAULT_CLASS_ANNOTATION]
        .iter()
        .any(|a| annotation(class, a) == Some("true"))
}

/// Whether `expected` is the one default StorageClass among `classes`; names the others that
/// claim to be default too.
pub fn default_storage_class(classes: &[&Value], expected: &str) -> Verdict {
    let defaults: Vec<&str> = classes
        .iter()
        .filter(|c| is_default_class(c))
        .map(|c| name(c))
        .collect();
    let exists = classes.iter().any(|c| name(c) == expected);
    let found = format!("default StorageClass: {}", quoted_list(&defaults));
    if !exists {
        Verdict::new(
            false,
            format!("StorageClass {expected} does not exist; {found}"),
        )
    } else if defaults == [expected] {
        Verdict::new(true, format!("StorageClass {expected} is the only default"))
    } else if defaults.contains(&expected) {
        let others: Vec<&str> = defaults.into_iter().filter(|d| *d != expected).collect();
        Verdict::new(
            false,
            format!(
                "StorageClass {expected} is default, but so is {}",
                quoted_list(&others)
            ),
        )
    } else {
        Verdict::new(
            false,
            format!("StorageClass {expected} is not default; {found}"),
        )
    }
}

/// `/data/` and `/data//x` as the kubelet mounts them: `/data`, `/data/x`.
pub fn normalise_path(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// A pod spec to look at, and what it is in words (`pod web-1`, `Deployment web's template`).
pub struct PodSpecOf<'a> {
    pub what: String,
    pub spec: &'a Value,
}

/// Where one pod spec mounts claim `claim`: the mount paths (normalised) per container.
fn claim_mounts(spec: &Value, claim: &str, container: Option<&str>) -> Vec<(String, String)> {
    let volumes: Vec<&str> = array_at(spec, "/volumes")
        .iter()
        .filter(|v| str_at(v, "/persistentVolumeClaim/claimName") == Some(claim))
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .collect();
    crate::grade::pod::containers(spec, container)
        .iter()
        .flat_map(|c| {
            array_at(c.value, "/volumeMounts")
                .iter()
                .filter(|m| {
                    m.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| volumes.contains(&n))
                })
                .filter_map(|m| m.get("mountPath").and_then(Value::as_str))
                .map(|p| (c.name.to_owned(), normalise_path(p)))
        })
        .collect()
}

/// A StatefulSet's pod template with a volume for each of its `volumeClaimTemplates`, named
/// after the template: the controller gives each pod such a volume (claim `<template>-<pod>`), so
/// a template's mounts of `data` mount the claims of template `data`.
pub fn with_claim_templates(statefulset: &Value, spec: &Value) -> Value {
    let mut spec = spec.clone();
    let claims: Vec<Value> = array_at(statefulset, "/spec/volumeClaimTemplates")
        .iter()
        .filter_map(|t| str_at(t, "/metadata/name"))
        .map(|n| serde_json::json!({"name": n, "persistentVolumeClaim": {"claimName": n}}))
        .collect();
    if let Some(obj) = spec.as_object_mut() {
        let volumes = obj
            .entry("volumes")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = volumes.as_array_mut() {
            list.extend(claims);
        }
    }
    spec
}

/// Whether every pod spec mounts PVC `claim` (in a container named `container` when given) at
/// `path` when given, `/data/` and `/data` being the same path. No pod spec at all fails.
pub fn pvc_mounted(
    specs: &[PodSpecOf<'_>],
    claim: &str,
    path: Option<&str>,
    container: Option<&str>,
) -> Verdict {
    if specs.is_empty() {
        return Verdict::new(false, format!("no pod to mount PVC {claim}"));
    }
    let want = path.map(normalise_path);
    let parts: Vec<Verdict> = specs
        .iter()
        .map(|s| {
            let mounts = claim_mounts(s.spec, claim, container);
            let at: Vec<String> = mounts.iter().map(|(c, p)| format!("{c}:{p}")).collect();
            let ok = match &want {
                Some(w) => mounts.iter().any(|(_, p)| p == w),
                None => !mounts.is_empty(),
            };
            match (ok, mounts.is_empty()) {
                (true, _) => Verdict::new(
                    true,
                    format!("{} mounts PVC {claim} at {}", s.what, at.join(", ")),
                ),
                (false, true) => {
                    Verdict::new(false, format!("{} does not mount PVC {claim}", s.what))
                }
                (false, false) => Verdict::new(
                    false,
                    format!(
                        "{} mounts PVC {claim} at {}, not at {}",
                        s.what,
                        at.join(", "),
                        want.as_deref().unwrap_or("")
                    ),
                ),
            }
        })
        .collect();
    super::objects::all(&parts)
}

#[cfg(test)]
mod tests;
