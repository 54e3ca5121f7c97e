//! Objects in the shape `kubectl get -o json` prints them on a kind cluster (local-path
//! provisioner as class `standard`), with status as the PV controller writes it.

use serde_json::{Value, json};

use super::*;

pub(super) fn pv(name: &str, claim: Option<(&str, &str, &str)>, phase: &str) -> Value {
    let mut v = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "annotations": {"pv.kubernetes.io/bound-by-controller": "yes"},
            "creationTimestamp": "2026-11-29T13:50:02Z",
            "finalizers": ["kubernetes.io/pv-protection"],
            "name": name,
            "resourceVersion": "5121",
            "uid": "0b7d3f0e-8f0a-4c55-9a43-5d2b1f7c9e10"
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "1Gi"},
            "hostPath": {"path": "/mnt/data", "type": ""},
            "persistentVolumeReclaimPolicy": "Retain",
            "volumeMode": "Filesystem"
        },
        "status": {"lastPhaseTransitionTime": "2026-11-29T13:50:09Z", "phase": phase}
    });
    if let Some((ns, n, uid)) = claim {
        v["spec"]["claimRef"] = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "name": n,
            "namespace": ns,
            "resourceVersion": "5117",
            "uid": uid
        });
    }
    v
}

pub(super) const CLAIM_UID: &str = "5c1e2f2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b";

pub(super) fn pvc(volume: Option<&str>, phase: &str) -> Value {
    let mut v = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes"
            },
            "creationTimestamp": "2026-11-29T13:50:09Z",
            "finalizers": ["kubernetes.io/pvc-protection"],
            "name": "app-data",
            "namespace": "storage",
            "resourceVersion": "5123",
            "uid": CLAIM_UID
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "500Mi"}},
            "storageClassName": "",
            "volumeMode": "Filesystem"
        },
        "status": {"phase": phase}
    });
    if let Some(vol) = volume {
        v["spec"]["volumeName"] = json!(vol);
        v["status"]["accessModes"] = json!(["ReadWriteOnce"]);
        v["status"]["capacity"] = json!({"storage": "1Gi"});
    }
    v
}

pub(super) fn class(name: &str, annotations: &Value) -> Value {
    json!({
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": "2026-11-29T13:40:11Z",
            "name": name,
            "resourceVersion": "290",
            "uid": "9e3c55a1-0b1f-4b2e-9d0c-1f2e3d4c5b6a"
        },
        "provisioner": "rancher.io/local-path",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer"
    })
}

fn q(s: &str) -> Quantity {
    s.parse().unwrap()
}

#[test]
fn a_claim_bound_both_ways_passes() {
    let volume = pv(
        "manual-pv",
        Some(("storage", "app-data", CLAIM_UID)),
        "Bound",
    );
    let v = pvc_bound(
        &pvc(Some("manual-pv"), "Bound"),
        &[&volume],
        Some("manual-pv"),
    );
    assert!(v.pass, "{}", v.found);
    assert_eq!(
        v.found,
        "PVC storage/app-data is Bound to PV manual-pv (PV Bound, claimRef storage/app-data)"
    );
}

#[test]
fn a_claim_bound_to_another_volume_fails_naming_both() {
    let volume = pv(
        "other-pv",
        Some(("storage", "app-data", CLAIM_UID)),
        "Bound",
    );
    let v = pvc_bound(
        &pvc(Some("other-pv"), "Bound"),
        &[&volume],
        Some("manual-pv"),
    );
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "PVC storage/app-data (Bound) names PV other-pv, not PV manual-pv"
    );
}

#[test]
fn a_pending_claim_fails() {
    let v = pvc_bound(&pvc(None, "Pending"), &[], None);
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "PVC storage/app-data is Pending with no volume (spec.volumeName unset)"
    );
}

#[test]
fn a_volume_claimed_by_someone_else_fails() {
    let volume = pv("manual-pv", Some(("other", "app-data", CLAIM_UID)), "Bound");
    let v = pvc_bound(&pvc(Some("manual-pv"), "Bound"), &[&volume], None);
    assert!(!v.pass);
    assert!(v.found.contains("claimed by other/app-data"), "{}", v.found);
}

#[test]
fn a_released_volume_still_holding_an_old_claim_uid_is_not_bound_to_the_new_claim() {
    // A Retain volume whose first claim was deleted keeps that claim's uid in claimRef.
    let volume = pv(
        "manual-pv",
        Some((
            "storage",
            "app-data",
            "11111111-2222-3333-4444-555555555555",
        )),
        "Released",
    );
    let v = pvc_bound(&pvc(Some("manual-pv"), "Bound"), &[&volume], None);
    assert!(!v.pass);
    assert!(v.found.contains("an earlier claim"), "{}", v.found);
}

#[test]
fn a_claim_naming_a_missing_volume_fails() {
    let v = pvc_bound(&pvc(Some("gone"), "Lost"), &[], None);
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "PVC storage/app-data names PV gone but is Lost, not Bound"
    );
}

#[test]
fn access_modes_compare_as_a_set() {
    let claim = pvc(Some("manual-pv"), "Bound");
    assert!(access_modes(&claim, &["ReadWriteOnce".to_owned()]).pass);
    let v = access_modes(&claim, &["ReadWriteMany".to_owned()]);
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "PVC storage/app-data has access modes 'ReadWriteOnce'"
    );
}

#[test]
fn capacity_compares_by_value() {
    let volume = pv("manual-pv", None, "Available");
    assert!(capacity(&volume, Size::Actual, &Bound::Equals(q("1024Mi"))).pass);
    let claim = pvc(Some("manual-pv"), "Bound");
    // The claim asked for 500Mi and got the whole 1Gi volume.
    assert!(capacity(&claim, Size::Requested, &Bound::Equals(q("500Mi"))).pass);
    assert!(capacity(&claim, Size::Actual, &Bound::AtLeast(q("1Gi"))).pass);
    let v = capacity(&claim, Size::Requested, &Bound::AtLeast(q("1Gi")));
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "PVC storage/app-data requests 500Mi, not at least 1Gi"
    );
    let pending = pvc(None, "Pending");
    let v = capacity(&pending, Size::Actual, &Bound::AtLeast(q("1Gi")));
    assert_eq!(
        v.found,
        "PVC storage/app-data has capacity: not set (/status/capacity/storage)"
    );
}

#[test]
fn reclaim_policy_of_volumes_and_classes() {
    assert!(reclaim_policy(&pv("manual-pv", None, "Available"), "Retain").pass);
    let v = reclaim_policy(&class("standard", &json!({})), "Retain");
    assert!(!v.pass);
    assert_eq!(v.found, "StorageClass standard has reclaim policy Delete");
}

#[test]
fn an_empty_class_name_means_no_class() {
    let claim = pvc(Some("manual-pv"), "Bound");
    assert!(storage_class(&claim, "").pass);
    let v = storage_class(&claim, "standard");
    assert_eq!(v.found, "PVC storage/app-data has no storage class");
}

#[test]
fn exactly_one_default_class() {
    let standard = class("standard", &json!({DEFAULT_CLASS_ANNOTATION: "true"}));
    let fast = class("fast", &json!({}));
    let v = default_storage_class(&[&standard, &fast], "standard");
    assert!(v.pass);
    assert_eq!(v.found, "StorageClass standard is the only default");

    let v = default_storage_class(&[&standard, &fast], "fast");
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "StorageClass fast is not default; default StorageClass: 'standard'"
    );
}

#[test]
fn two_defaults_fail_naming_the_other() {
    let standard = class("standard", &json!({DEFAULT_CLASS_ANNOTATION: "true"}));
    // The beta annotation still makes a class default for admission and the PV controller.
    let fast = class("fast", &json!({BETA_DEFAULT_CLASS_ANNOTATION: "true"}));
    let v = default_storage_class(&[&standard, &fast], "fast");
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "StorageClass fast is default, but so is 'standard'"
    );
}

#[test]
fn only_the_exact_value_true_makes_a_default() {
    let standard = class("standard", &json!({DEFAULT_CLASS_ANNOTATION: "false"}));
    let fast = class("fast", &json!({DEFAULT_CLASS_ANNOTATION: "True"}));
    let v = default_storage_class(&[&standard, &fast], "fast");
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "StorageClass fast is not default; default StorageClass: none"
    );
    let v = default_storage_class(&[&standard], "slow");
    assert_eq!(
        v.found,
        "StorageClass slow does not exist; default StorageClass: none"
    );
}

#[test]
fn mount_paths_normalise() {
    assert_eq!(normalise_path("/data/"), "/data");
    assert_eq!(normalise_path("/data//logs/./"), "/data/logs");
    assert_eq!(normalise_path("/"), "/");
}

pub(super) fn pod_spec(claim: &str, path: &str) -> Value {
    json!({
        "containers": [{
            "image": "busybox:1.36",
            "name": "app",
            "volumeMounts": [
                {"mountPath": path, "name": "data"},
                {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                 "name": "kube-api-access-qstqc", "readOnly": true}
            ]
        }],
        "volumes": [
            {"name": "data", "persistentVolumeClaim": {"claimName": claim}},
            {"name": "kube-api-access-qstqc", "projected": {"defaultMode": 420, "sources": []}}
        ]
    })
}

#[test]
fn a_claim_mounted_at_a_path_with_a_trailing_slash() {
    let spec = pod_spec("app-data", "/data/");
    let specs = [PodSpecOf {
        what: "pod storage/web".to_owned(),
        spec: &spec,
    }];
    let v = pvc_mounted(&specs, "app-data", Some("/data"), None);
    assert!(v.pass, "{}", v.found);
    assert_eq!(v.found, "pod storage/web mounts PVC app-data at app:/data");
}

#[test]
fn every_pod_must_mount_the_claim() {
    let good = pod_spec("app-data", "/data");
    let wrong_path = pod_spec("app-data", "/srv");
    let other_claim = pod_spec("logs", "/data");
    let specs = [
        PodSpecOf {
            what: "pod storage/a".to_owned(),
            spec: &good,
        },
        PodSpecOf {
            what: "pod storage/b".to_owned(),
            spec: &wrong_path,
        },
        PodSpecOf {
            what: "pod storage/c".to_owned(),
            spec: &other_claim,
        },
    ];
    let v = pvc_mounted(&specs, "app-data", Some("/data"), None);
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "pod storage/b mounts PVC app-data at app:/srv, not at /data; \
         pod storage/c does not mount PVC app-data; pod storage/a mounts PVC app-data at app:/data"
    );
    assert!(!pvc_mounted(&[], "app-data", None, None).pass);
}

#[test]
fn a_mount_in_another_container_does_not_count_when_a_container_is_named() {
    let spec = pod_spec("app-data", "/data");
    let specs = [PodSpecOf {
        what: "Deployment storage/web's template".to_owned(),
        spec: &spec,
    }];
    assert!(pvc_mounted(&specs, "app-data", None, Some("app")).pass);
    assert!(!pvc_mounted(&specs, "app-data", None, Some("sidecar")).pass);
}
