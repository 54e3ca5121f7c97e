//! Cluster-scoped objects a scenario declares as its own: setup creates
//! them, `reset` deletes them (and nothing else cluster-scoped), against the
//! fake API server; `validate` refuses a setup creating an undeclared one.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::time::Duration;

use ckasim::cluster::{Cluster, ConnectOptions};
use ckasim::library::scenario::{self, Scenario};
use serde_json::json;
use support::apiserver::FakeApiServer;

const SCENARIO: &str = r#"id = "storage-fast"
title = "T"
summary = "S"
domain = "storage"
difficulty = "easy"
time_limit = "5m"
namespaces = ["shop"]
cluster_objects = [{ kind = "StorageClass", name = "fast" }]

[setup]
manifests = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: rancher.io/local-path
reclaimPolicy: Delete
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
    scenario::parse("scenarios/storage-fast.toml", SCENARIO, &|_| None).unwrap()
}

#[tokio::test]
async fn reset_deletes_the_declared_cluster_objects_and_setup_recreates_them() {
    let server = FakeApiServer::start(vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        // The candidate's edit of the declared object, and someone else's object.
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast"}, "provisioner": "example.com/edited"}),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard"}, "provisioner": "rancher.io/local-path"}),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::connect_with(&ConnectOptions {
        kubeconfig: Some(server.kubeconfig(dir.path(), "kind-fake")),
        timeout: Duration::from_secs(5),
        wait: Duration::from_secs(5),
        ..ConnectOptions::default()
    })
    .await
    .unwrap();
    let mut lines = Vec::new();
    cluster
        .reset(&scenario(), &mut |l| lines.push(l))
        .await
        .unwrap();
    assert_eq!(
        lines,
        [
            "deleting namespace/shop",
            "namespace/shop deleted",
            "deleting storageclass/fast",
            "storageclass/fast deleted",
            "applied namespace/shop",
            "applied storageclass/fast",
        ]
    );
    let deletes: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("DELETE"))
        .collect();
    assert_eq!(
        deletes,
        [
            "DELETE /api/v1/namespaces/shop?",
            "DELETE /apis/storage.k8s.io/v1/storageclasses/fast?"
        ]
    );
    let classes: Vec<(String, String)> = server
        .objects()
        .iter()
        .filter(|o| o["kind"] == "StorageClass")
        .map(|o| {
            (
                o["metadata"]["name"].as_str().unwrap().to_string(),
                o["provisioner"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        classes,
        [
            ("standard".to_string(), "rancher.io/local-path".to_string()),
            ("fast".to_string(), "rancher.io/local-path".to_string()),
        ]
    );
}

#[test]
fn validate_refuses_a_setup_creating_an_undeclared_cluster_object() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path();
    std::fs::create_dir_all(lib.join("scenarios")).unwrap();
    std::fs::create_dir_all(lib.join("grading")).unwrap();
    std::fs::write(
        lib.join("scenarios/storage-fast.toml"),
        SCENARIO.replace(
            "cluster_objects = [{ kind = \"StorageClass\", name = \"fast\" }]\n",
            "",
        ),
    )
    .unwrap();
    std::fs::write(
        lib.join("grading/storage-fast.toml"),
        "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n[[criteria.checks]]\ntitle = \"k\"\npoints = 1\ntarget = { kind = \"StorageClass\", name = \"fast\" }\nexists = true\n",
    )
    .unwrap();
    let files = ckasim::library::Files::from_dir(lib).unwrap();
    let errors = ckasim::library::Library::load(&files).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].ends_with("scenarios/storage-fast.toml: StorageClass 'fast' is cluster-scoped and not one of the cluster_objects scenario 'storage-fast' declares: setup may only create objects in the namespaces it owns (shop) and the cluster-scoped objects it declares"),
        "{text:?}"
    );
}

#[test]
fn cluster_objects_are_cluster_scoped_and_not_the_systems() {
    let parse = |objects: &str| {
        let text = SCENARIO.replace(
            "cluster_objects = [{ kind = \"StorageClass\", name = \"fast\" }]",
            &format!("cluster_objects = [{objects}]"),
        );
        scenario::parse("scenarios/storage-fast.toml", &text, &|_| None)
            .map(|s| s.cluster_objects.len())
            .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())
    };
    assert_eq!(parse("{ kind = \"sc\", name = \"fast\" }"), Ok(1));
    assert_eq!(
        parse("{ kind = \"Pod\", name = \"p\" }"),
        Err(vec![
            "scenarios/storage-fast.toml:8:20: Pod is namespaced: a scenario owns its objects through its namespaces".to_string()
        ])
    );
    assert_eq!(
        parse("{ kind = \"ClusterRole\", name = \"system:node\" }"),
        Err(vec![
            "scenarios/storage-fast.toml:8:20: cluster object name 'system:node' cannot be owned by a scenario (not empty, not 'system:*')".to_string()
        ])
    );
    assert!(parse("{ kind = \"Namespace\", name = \"x\" }").is_err());
    assert_eq!(
        parse("{ kind = \"Depot\", api_version = \"logistics.sim.dev/v1\", name = \"north\" }"),
        Ok(1)
    );
}
