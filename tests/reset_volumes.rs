//! `reset` leaves no volume of the scenario behind, against the fake API
//! server (which plays the PV controller and a provisioner: a released
//! volume with the reclaim policy `Delete` goes if it was provisioned, and
//! fails if not). A volume is the scenario's when its claim was in one of
//! the scenario's namespaces; a provisioned one that would be kept is
//! switched to `Delete` before the namespace goes, so its provisioner
//! deletes it and its data; what is left claimed from the namespace is
//! deleted after; volumes claimed from elsewhere are not touched.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::time::Duration;

use ckasim::cluster::{Cluster, ConnectOptions};
use ckasim::library::scenario::{self, Scenario};
use serde_json::{Value, json};
use support::apiserver::{FakeApiServer, Fault};

const SCENARIO: &str = r#"id = "st-x"
title = "T"
summary = "S"
domain = "storage"
difficulty = "easy"
time_limit = "5m"
namespaces = ["st-x"]
cluster_objects = [{ kind = "StorageClass", name = "keep-local" }, { kind = "PersistentVolume", name = "app-data" }]

[setup]
manifests = """
apiVersion: v1
kind: Namespace
metadata:
  name: st-x
"""

[[tasks]]
id = "a"
title = "A"
body = "B"
"#;

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn scenario() -> Scenario {
    scenario::parse("scenarios/st-x.toml", SCENARIO, &|_| None).unwrap()
}

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
        "status": {"phase": "Active"}})
}

fn claim(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "256Mi"}}},
        "status": {"phase": "Bound"}})
}

/// A volume claimed by `claim` (`namespace/name`; None: available), made by
/// the local-path provisioner or by hand.
fn volume(name: &str, provisioned: bool, policy: &str, claim: Option<&str>, phase: &str) -> Value {
    let mut pv = json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": {"capacity": {"storage": "256Mi"}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": policy, "storageClassName": "keep-local",
            "hostPath": {"path": format!("/opt/local-path-provisioner/{name}")}},
        "status": {"phase": phase}});
    if provisioned {
        pv["metadata"]["annotations"] =
            json!({"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"});
    }
    if let Some((ns, claim)) = claim.and_then(|c| c.split_once('/')) {
        pv["spec"]["claimRef"] = json!({"kind": "PersistentVolumeClaim", "namespace": ns,
            "name": claim, "uid": format!("uid-{claim}")});
    }
    pv
}

/// The lines of a reset of `scenario` on `server`, which must succeed.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn reset(server: &FakeApiServer, scenario: &Scenario, wait: Duration) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::connect_with(&ConnectOptions {
        kubeconfig: Some(server.kubeconfig(dir.path(), "kind-fake")),
        timeout: Duration::from_secs(5),
        wait,
        ..ConnectOptions::default()
    })
    .await
    .unwrap();
    let mut lines = Vec::new();
    cluster
        .reset(scenario, &mut |l| lines.push(l))
        .await
        .unwrap();
    lines
}

/// The names of the persistent volumes the server holds.
fn volumes(server: &FakeApiServer) -> Vec<String> {
    server
        .objects()
        .iter()
        .filter(|o| o["kind"] == "PersistentVolume")
        .map(|o| o["metadata"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn the_volumes_of_the_scenarios_claims_go_and_no_other() {
    let bystander = volume("pvc-other", true, "Retain", Some("other/keep"), "Bound");
    let free = volume("pv-free", false, "Retain", None, "Available");
    let server = FakeApiServer::start(vec![
        namespace("st-x"),
        namespace("other"),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "keep-local"}, "provisioner": "rancher.io/local-path",
            "reclaimPolicy": "Retain"}),
        claim("st-x", "data"),
        claim("st-x", "cache"),
        claim("st-x", "app"),
        claim("other", "keep"),
        // Provisioned from the candidate's Retain class.
        volume("pvc-retain", true, "Retain", Some("st-x/data"), "Bound"),
        // Provisioned from `standard` (Delete): goes with its claim anyway.
        volume("pvc-delete", true, "Delete", Some("st-x/cache"), "Bound"),
        // Left Released by an earlier reset: switched, its provisioner deletes it.
        volume("pvc-left", true, "Retain", Some("st-x/earlier"), "Released"),
        // Made by hand under another name than the declared one.
        volume("pv-static", false, "Retain", Some("st-x/gone"), "Released"),
        // Declared: deleted by name with the other cluster objects.
        volume("app-data", false, "Retain", Some("st-x/app"), "Bound"),
        bystander.clone(),
        free.clone(),
    ]);
    let lines = reset(&server, &scenario(), Duration::from_secs(20)).await;
    assert_eq!(
        lines,
        [
            "persistentvolume/pvc-retain (claimed by st-x/data): reclaim policy Retain changed to Delete, so its provisioner deletes it with its claim",
            "persistentvolume/pvc-left (claimed by st-x/earlier): reclaim policy Retain changed to Delete, so its provisioner deletes it with its claim",
            "deleting namespace/st-x",
            "namespace/st-x deleted",
            "persistentvolume/pvc-retain (claimed by st-x/data) deleted",
            "persistentvolume/pvc-delete (claimed by st-x/cache) deleted",
            "persistentvolume/pvc-left (claimed by st-x/earlier) deleted",
            "deleting persistentvolume/pv-static (claimed by st-x/gone)",
            "persistentvolume/pv-static (claimed by st-x/gone) deleted",
            "deleting storageclass/keep-local",
            "deleting persistentvolume/app-data",
            "storageclass/keep-local deleted",
            "persistentvolume/app-data deleted",
            "applied namespace/st-x",
        ]
    );
    // The policy changed before the namespace (and so the claims) went, by
    // a merge patch of that one field; only the leftover is deleted by reset.
    let changes: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| !r.starts_with("GET ") && !r.starts_with("POST "))
        .map(|r| r.split('?').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        changes,
        [
            "PATCH /api/v1/persistentvolumes/pvc-retain",
            "PATCH /api/v1/persistentvolumes/pvc-left",
            "DELETE /api/v1/namespaces/st-x",
            "DELETE /api/v1/namespaces/st-x/pods",
            "DELETE /api/v1/persistentvolumes/pv-static",
            "DELETE /apis/storage.k8s.io/v1/storageclasses/keep-local",
            "DELETE /api/v1/persistentvolumes/app-data",
            "PATCH /api/v1/namespaces/st-x",
        ]
    );
    assert_eq!(volumes(&server), ["pvc-other", "pv-free"]);
    let kept: Vec<Value> = server
        .objects()
        .into_iter()
        .filter(|o| o["kind"] == "PersistentVolume")
        .collect();
    assert_eq!(kept, [bystander, free], "untouched");
}

#[tokio::test]
async fn a_volume_its_provisioner_does_not_delete_is_deleted_after_a_bounded_wait() {
    let mut failed = volume("pvc-failed", true, "Delete", Some("st-x/a"), "Failed");
    failed["status"]["message"] =
        json!("failed to delete volume: create process timeout after 120 seconds");
    let server = FakeApiServer::start(vec![
        namespace("st-x"),
        failed,
        // Released with Delete, but no provisioner acts on it.
        volume("pvc-slow", true, "Delete", Some("st-x/b"), "Released"),
    ]);
    let started = std::time::Instant::now();
    let lines = reset(&server, &scenario(), Duration::from_secs(2)).await;
    assert!(started.elapsed() < Duration::from_secs(8), "bounded");
    assert_eq!(
        lines[..6],
        [
            "deleting namespace/st-x",
            "namespace/st-x deleted",
            "deleting persistentvolume/pvc-failed (claimed by st-x/a): its provisioner failed to delete it (failed to delete volume: create process timeout after 120 seconds), so its data may stay on the node",
            "persistentvolume/pvc-failed (claimed by st-x/a) deleted",
            "deleting persistentvolume/pvc-slow (claimed by st-x/b): its provisioner did not delete it within 2s, so its data may stay on the node",
            "persistentvolume/pvc-slow (claimed by st-x/b) deleted",
        ]
    );
    assert!(volumes(&server).is_empty());
}

#[tokio::test]
async fn volumes_that_cannot_be_listed_are_a_line_not_a_failed_reset() {
    let server = FakeApiServer::start(vec![
        namespace("st-x"),
        claim("st-x", "data"),
        volume("pvc-retain", true, "Retain", Some("st-x/data"), "Bound"),
    ]);
    server.fail(
        "/api/v1/persistentvolumes",
        Fault::Status(
            403,
            "Forbidden",
            "persistentvolumes is forbidden: User \"dev\" cannot list resource \"persistentvolumes\"".into(),
        ),
    );
    // Without the declared volume, which reset could not delete either.
    let text = SCENARIO.replace(", { kind = \"PersistentVolume\", name = \"app-data\" }", "");
    let scenario = scenario::parse("scenarios/st-x.toml", &text, &|_| None).unwrap();
    let lines = reset(&server, &scenario, Duration::from_secs(5)).await;
    let not_checked = "persistentvolumes claimed from st-x not checked: forbidden: cannot list persistentvolumes: persistentvolumes is forbidden: User \"dev\" cannot list resource \"persistentvolumes\"";
    assert_eq!(lines[0], not_checked);
    assert_eq!(lines[3], not_checked);
    assert_eq!(lines.last().unwrap(), "applied namespace/st-x");
    assert_eq!(volumes(&server), ["pvc-retain"]);
}

#[tokio::test]
async fn a_volume_whose_policy_cannot_be_changed_is_a_line_not_a_failed_reset() {
    let server = FakeApiServer::start(vec![
        namespace("st-x"),
        claim("st-x", "data"),
        volume("pvc-stuck", true, "Retain", Some("st-x/data"), "Bound"),
    ]);
    server.fail(
        "/api/v1/persistentvolumes/pvc-stuck",
        Fault::Status(403, "Forbidden", "denied by policy".into()),
    );
    let lines = reset(&server, &scenario(), Duration::from_secs(5)).await;
    assert_eq!(
        lines[..4],
        [
            "persistentvolume/pvc-stuck (claimed by st-x/data) keeps its reclaim policy Retain: forbidden: cannot patch persistentvolume 'pvc-stuck': denied by policy",
            "deleting namespace/st-x",
            "namespace/st-x deleted",
            "persistentvolume/pvc-stuck (claimed by st-x/data) not deleted: forbidden: cannot delete persistentvolume 'pvc-stuck': denied by policy",
        ]
    );
    assert_eq!(lines.last().unwrap(), "applied namespace/st-x");
}
