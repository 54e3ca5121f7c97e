//! The storage, nodes and workloads checks graded live against the fake API server: the fetch
//! plan reads the cluster-scoped and all-namespace lists the checks need (persistent volumes,
//! storage classes, nodes, every pod, priority classes), and the verdicts come out of what the
//! server served.

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
title = "the claim is bound to the static volume"
points = 1
target = { kind = "PersistentVolumeClaim", namespace = "shop", name = "data" }
pvc_bound = { volume = "manual-pv" }

[[criteria.checks]]
title = "fast is the only default class"
points = 1
default_storage_class = "fast"

[[criteria.checks]]
title = "worker is drained"
points = 1
target = { kind = "Node", name = "kind-worker" }
drained = true

[[criteria.checks]]
title = "etcd runs as a static pod"
points = 1
static_pod = { name = "etcd", node = "kind-control-plane", namespace = "kube-system" }

[[criteria.checks]]
title = "urgent outranks bulk"
points = 1
target = { kind = "PriorityClass", name = "urgent" }
priority = { greater_than = ["bulk"], preemption_policy = "Never" }

[[criteria.checks]]
title = "the autoscaler targets web at 50% CPU"
points = 1
target = { kind = "hpa", namespace = "shop", name = "web" }
hpa = { target = "Deployment/web", min = 2, max = 5, cpu_utilization = 50 }
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

fn node(name: &str, cordoned: bool) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
        "spec": {"unschedulable": cordoned},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
}

fn pod(ns: &str, name: &str, node: &str, owner: (&str, &str), annotations: &Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations,
            "ownerReferences": [{"apiVersion": "v1", "kind": owner.0, "name": owner.1, "controller": true, "uid": "u"}]},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})
}

fn objects() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "shop", "uid": "claim-uid"},
            "spec": {"accessModes": ["ReadWriteOnce"], "volumeName": "manual-pv",
                     "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": ""},
            "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": "manual-pv"},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                     "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "shop", "name": "data", "uid": "claim-uid"},
                     "persistentVolumeReclaimPolicy": "Retain"},
            "status": {"phase": "Bound"}}),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path"}),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path"}),
        node("kind-control-plane", false),
        node("kind-worker", true),
        pod(
            "kube-system",
            "etcd-kind-control-plane",
            "kind-control-plane",
            ("Node", "kind-control-plane"),
            &json!({"kubernetes.io/config.mirror": "abc", "kubernetes.io/config.source": "file"}),
        ),
        pod(
            "kube-system",
            "kube-proxy-x1",
            "kind-worker",
            ("DaemonSet", "kube-proxy"),
            &json!({}),
        ),
        pod(
            "shop",
            "web-7d9-abc",
            "kind-worker",
            ("ReplicaSet", "web-7d9"),
            &json!({}),
        ),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": "bulk"}, "value": 100, "preemptionPolicy": "PreemptLowerPriority"}),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": "urgent"}, "value": 1000, "preemptionPolicy": "Never"}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"minReplicas": 2, "maxReplicas": 5,
                     "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                         "target": {"type": "Utilization", "averageUtilization": 50}}}]}}),
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

#[test]
fn the_plan_reads_what_the_checks_need() {
    let plan = ckasim::cluster::plan(&entry().rubric);
    for (kind, namespace) in [
        (Kind::PersistentVolume, None),
        (Kind::StorageClass, None),
        (Kind::Pod, None),
        (Kind::Pod, Some("kube-system".to_owned())),
        (Kind::PriorityClass, None),
    ] {
        assert!(
            plan.contains(&Read::List {
                kind,
                namespace: namespace.clone()
            }),
            "{kind} {namespace:?} not read: {plan:?}"
        );
    }
}

#[tokio::test]
async fn graded_from_what_the_server_serves() {
    let server = FakeApiServer::start(objects());
    let report = live_report(&server).await;
    let got: Vec<(&str, Status, &str)> = report.criteria[0]
        .checks
        .iter()
        .map(|k| (k.title.as_str(), k.status, k.actual.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "the claim is bound to the static volume",
                Status::Pass,
                "PVC shop/data is Bound to PV manual-pv (PV Bound, claimRef shop/data)"
            ),
            (
                "fast is the only default class",
                Status::Fail,
                "StorageClass fast is default, but so is 'standard'"
            ),
            (
                "worker is drained",
                Status::Fail,
                "node kind-worker is cordoned (SchedulingDisabled); 1 pod(s) still on it: shop/web-7d9-abc"
            ),
            (
                "etcd runs as a static pod",
                Status::Pass,
                "static pod kube-system/etcd-kind-control-plane on kind-control-plane: Running, Ready"
            ),
            (
                "urgent outranks bulk",
                Status::Pass,
                "PriorityClass urgent: 1000 > bulk (100), preemptionPolicy Never"
            ),
            (
                "the autoscaler targets web at 50% CPU",
                Status::Pass,
                "HPA shop/web: target Deployment/web, min 2, max 5, metrics cpu 50%"
            ),
        ]
    );
    let requests = server.requests();
    for path in [
        "GET /api/v1/persistentvolumes?",
        "GET /apis/storage.k8s.io/v1/storageclasses?",
        "GET /api/v1/pods?",
        "GET /apis/scheduling.k8s.io/v1/priorityclasses?",
    ] {
        assert!(
            requests.contains(&path.to_string()),
            "{path} not in {requests:?}"
        );
    }
}
