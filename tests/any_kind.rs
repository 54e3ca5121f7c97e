//! Reads of any kind, anywhere, against the fake API server: a kind named by
//! its `api_version` is found by discovery, cluster-scoped kinds and other
//! namespaces (`kube-system`, every namespace) are read, and a kind the server
//! does not serve makes its checks errors that say so.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::time::Duration;

use ckasim::cluster::{Cluster, ConnectOptions, Read};
use ckasim::kind::Kind;
use ckasim::library::{Entry, rubric, scenario};
use ckasim::report::{Report, Source, Status};
use serde_json::{Value, json};
use support::apiserver::FakeApiServer;

const SCENARIO: &str = r#"id = "t"
title = "T"
summary = "S"
domain = "storage"
difficulty = "easy"
time_limit = "5m"
namespaces = ["shop"]
[[tasks]]
id = "a"
title = "A"
body = "B"
"#;

const RUBRIC: &str = r#"pass_percent = 66
[[criteria]]
id = "c"
title = "C"
tasks = ["a"]

[[criteria.checks]]
title = "the shipment is express"
points = 1
target = { kind = "Shipment", api_version = "logistics.sim.dev/v1", namespace = "shop", name = "s1" }
field = { path = "{.spec.speed}", equals = "express" }

[[criteria.checks]]
title = "StorageClass fast uses the local provisioner"
points = 1
target = { kind = "StorageClass", name = "fast" }
field = { path = "{.provisioner}", equals = "rancher.io/local-path" }

[[criteria.checks]]
title = "coredns runs in kube-system"
points = 1
target = { kind = "Pod", namespace = "kube-system", selector = "k8s-app=kube-dns" }
exists = true

[[criteria.checks]]
title = "no pod in the cluster runs privileged"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app" }
field = { path = "{.spec.containers[*].securityContext.privileged}", present = false }

[[criteria.checks]]
title = "a widget exists"
points = 1
target = { kind = "Widget", api_version = "nowhere.sim.dev/v1", name = "w" }
exists = true
"#;

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn entry() -> Entry {
    let scenario = scenario::parse("scenarios/t.toml", SCENARIO, &|_| None).unwrap();
    let rubric = match rubric::parse("grading/t.toml", RUBRIC, &scenario) {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    };
    Entry { scenario, rubric }
}

fn objects() -> Vec<Value> {
    vec![
        json!({"apiVersion": "logistics.sim.dev/v1", "kind": "Shipment",
            "metadata": {"name": "s1", "namespace": "shop"}, "spec": {"speed": "express"}}),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast"}, "provisioner": "rancher.io/local-path"}),
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "coredns-1", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns", "app": "dns"}},
            "spec": {"containers": [{"name": "coredns", "image": "coredns"}]}}),
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx", "securityContext": {"privileged": true}}]}}),
    ]
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn live_report(server: &FakeApiServer) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::connect_with(&ConnectOptions {
        kubeconfig: Some(server.kubeconfig(dir.path(), "kind-fake")),
        timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    })
    .await
    .unwrap();
    let snapshot = cluster.fetch(&entry().rubric).await;
    ckasim::grade::grade(
        &entry(),
        &snapshot,
        chrono::Utc::now(),
        Source::Context {
            context: cluster.context().into(),
        },
    )
}

fn checks(report: &Report) -> Vec<(String, Status, String)> {
    report.criteria[0]
        .checks
        .iter()
        .map(|k| (k.title.clone(), k.status, k.actual.clone()))
        .collect()
}

#[test]
fn the_plan_reads_other_namespaces_cluster_scope_and_every_namespace() {
    let plan = ckasim::cluster::plan(&entry().rubric);
    let shipment = Kind::of_object(Some("logistics.sim.dev/v1"), "Shipment");
    assert!(plan.contains(&Read::List {
        kind: shipment,
        namespace: Some("shop".into())
    }));
    assert!(plan.contains(&Read::Get {
        kind: Kind::StorageClass,
        name: "fast".into()
    }));
    assert!(plan.contains(&Read::List {
        kind: Kind::Pod,
        namespace: Some("kube-system".into())
    }));
    assert!(plan.contains(&Read::List {
        kind: Kind::Pod,
        namespace: None
    }));
}

#[tokio::test]
async fn any_served_kind_is_read_and_an_unserved_one_is_an_error_naming_it() {
    let server = FakeApiServer::start(objects());
    let report = live_report(&server).await;
    let got = checks(&report);
    assert_eq!(
        got[0],
        (
            "the shipment is express".into(),
            Status::Pass,
            "express".into()
        )
    );
    assert_eq!(got[1].1, Status::Pass, "{got:?}");
    assert_eq!(got[2].1, Status::Pass, "{got:?}");
    assert_eq!(
        got[3],
        (
            "no pod in the cluster runs privileged".into(),
            Status::Fail,
            "pod/web: true".into()
        )
    );
    assert_eq!(got[4].1, Status::Error, "{got:?}");
    assert!(
        got[4]
            .2
            .starts_with("the API server does not serve kind Widget in nowhere.sim.dev/v1"),
        "{got:?}"
    );
    let requests = server.requests();
    assert!(
        requests.contains(&"GET /apis/logistics.sim.dev/v1/namespaces/shop/shipments?".to_string()),
        "{requests:?}"
    );
    assert!(
        requests.contains(&"GET /api/v1/pods?".to_string()),
        "{requests:?}"
    );
    let inspect = &report.criteria[0].checks[0].inspect;
    assert_eq!(
        inspect,
        "kubectl get shipment.logistics.sim.dev s1 -n shop -o jsonpath='{.spec.speed}{\"\\n\"}'"
    );
    assert_eq!(
        report.criteria[0].checks[3].inspect,
        "kubectl get pods -A -l 'app' -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.containers[*].securityContext.privileged}{\"\\n\"}{end}'"
    );
}

#[test]
fn a_snapshot_keeps_objects_of_every_kind() {
    let mut snapshot = ckasim::snapshot::Snapshot::default();
    for o in objects() {
        snapshot.insert(o).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(snapshot.objects().len(), 4);
    let report = ckasim::grade::grade(
        &entry(),
        &snapshot,
        chrono::Utc::now(),
        Source::Snapshot {
            snapshot: vec!["x.json".into()],
        },
    );
    let got = checks(&report);
    assert_eq!(got[0].1, Status::Pass, "{got:?}");
    // A snapshot file holds what it holds: an absent kind is an absent object.
    assert_eq!(
        got[4],
        (
            "a widget exists".into(),
            Status::Fail,
            "widget.nowhere.sim.dev w not found".into()
        )
    );
}

#[test]
fn target_misuse_is_located() {
    let scenario = scenario::parse("scenarios/t.toml", SCENARIO, &|_| None)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let errors = |target: &str| {
        let text = format!(
            "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n[[criteria.checks]]\ntitle = \"k\"\npoints = 1\ntarget = {target}\nexists = true\n"
        );
        match rubric::parse("grading/t.toml", &text, &scenario) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }
    };
    assert_eq!(
        errors(r#"{ kind = "Shipment", api_version = "logistics/v1", name = "s" }"#),
        [
            "grading/t.toml:9:45: api_version 'logistics/v1' must be 'group/version' (e.g. 'logistics.sim.dev/v1') or a core version ('v1')"
        ]
    );
    assert_eq!(
        errors(r#"{ kind = "Shipment", name = "s" }"#),
        [
            "grading/t.toml:9:19: unknown kind 'Shipment': name a kind ckasim knows (Pod, Deployment, StorageClass, …) or give its api_version, e.g. kind = \"Shipment\", api_version = \"logistics.sim.dev/v1\""
        ]
    );
    assert_eq!(
        errors(r#"{ kind = "Pod", name = "p" }"#),
        [
            "grading/t.toml:9:10: a Pod target needs a namespace (or all_namespaces = true for every namespace)"
        ]
    );
    assert_eq!(
        errors(r#"{ kind = "Pod", all_namespaces = true, name = "p" }"#),
        ["grading/t.toml:9:10: a Pod target by name needs its namespace, not all_namespaces"]
    );
    assert_eq!(
        errors(r#"{ kind = "StorageClass", all_namespaces = true, selector = "a" }"#),
        ["grading/t.toml:9:10: StorageClass is not namespaced: remove all_namespaces"]
    );
    assert!(errors(r#"{ kind = "Pod", namespace = "kube-system", name = "p" }"#).is_empty());
    assert!(errors(r#"{ kind = "hpa", namespace = "other", name = "h" }"#).is_empty());
}

#[test]
fn across_a_cluster_a_result_lists_ten_objects_and_counts_the_rest() {
    let mut snapshot = ckasim::snapshot::Snapshot::default();
    for i in 0..15 {
        snapshot
            .insert(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("p{i:02}"), "namespace": format!("ns{i}"), "labels": {"app": "x"}},
                // 1, 2 or 3 privileged containers: findings differ from one pod to the next.
                "spec": {"containers": (0..=i % 3).map(|c| json!({"name": format!("c{c}"), "image": "img",
                    "securityContext": {"privileged": true}})).collect::<Vec<_>>()}}))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let report = ckasim::grade::grade(
        &entry(),
        &snapshot,
        chrono::Utc::now(),
        Source::Snapshot {
            snapshot: vec!["x.json".into()],
        },
    );
    let actual = &report.criteria[0].checks[3].actual;
    assert!(
        actual.starts_with("pod/p00: true; pod/p01: true true; pod/p02: true true true; "),
        "{actual}"
    );
    assert!(actual.ends_with("; pod/p09: true; and 5 more"), "{actual}");
}
