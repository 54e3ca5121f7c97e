//! `reset` against a fake API server whose deletions take time like a real
//! cluster's: pods are not waited for, namespaces go together and are
//! watched, nothing outside the owned namespaces is touched, and an
//! interrupted setup or reset is cleared by the next reset. The directories
//! a scenario declares on the nodes are removed by a pod on each node before
//! its namespaces go. After a setup, its pods are followed until they are
//! ready or settled.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use ckasim::cluster::{Cluster, ConnectOptions};
use ckasim::kind::Kind;
use ckasim::library::Library;
use ckasim::library::scenario::SetupManifest;
use serde_json::{Value, json};
use support::apiserver::{FakeApiServer, Fault};

/// Long enough that a reset waiting for a pod's grace period fails (the
/// reset's wait is shorter): passing proves the pods were not waited for.
const GRACE: Duration = Duration::from_secs(600);

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
        "status": {"phase": "Active"}})
}

fn pod(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
        "spec": {"terminationGracePeriodSeconds": 30,
            "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}})
}

fn service(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
        "spec": {"ports": [{"port": 80}]}})
}

/// A scenario owning `team-a` and `team-b`, whose setup is a namespace and a pod.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn scenario() -> ckasim::library::Scenario {
    let mut s = Library::builtin()
        .unwrap()
        .get("secure-workspace")
        .unwrap()
        .scenario
        .clone();
    s.namespaces = vec!["team-a".into(), "team-b".into()];
    s.setup = vec![SetupManifest {
        origin: "assets/setup/team.yaml".into(),
        yaml: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: team-a\nspec:\n  containers: [{name: web, image: nginx}]\n".into(),
    }];
    s
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn connect(server: &FakeApiServer, dir: &Path) -> Cluster {
    connect_waiting(server, dir, Duration::from_secs(20)).await
}

/// A connection whose reset waits at most `wait` for what it deletes.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn connect_waiting(server: &FakeApiServer, dir: &Path, wait: Duration) -> Cluster {
    Cluster::connect_with(&ConnectOptions {
        kubeconfig: Some(server.kubeconfig(dir, "kind-fake")),
        timeout: Duration::from_secs(5),
        wait,
        ..ConnectOptions::default()
    })
    .await
    .unwrap()
}

/// `kind namespace/name` of every object, sorted.
fn inventory(server: &FakeApiServer) -> Vec<String> {
    let mut all: Vec<String> = server
        .objects()
        .iter()
        .map(|o| {
            format!(
                "{} {}/{}",
                o["kind"].as_str().unwrap_or(""),
                o["metadata"]["namespace"].as_str().unwrap_or("-"),
                o["metadata"]["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    all.sort();
    all
}

/// The cluster after a reset of `scenario()`: its setup, and the bystander untouched.
const CLEAN: [&str; 4] = [
    "Namespace -/bystander",
    "Namespace -/team-a",
    "Pod bystander/keep-me",
    "Pod team-a/web",
];

fn crowded() -> Vec<Value> {
    vec![
        namespace("team-a"),
        namespace("team-b"),
        namespace("bystander"),
        pod("team-a", "a1"),
        pod("team-a", "a2"),
        service("team-a", "front"),
        pod("team-b", "b1"),
        pod("bystander", "keep-me"),
    ]
}

#[tokio::test]
async fn pods_are_not_waited_for_and_only_the_owned_namespaces_go() {
    let server = FakeApiServer::start(crowded());
    server.set_grace(GRACE);
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(&server, dir.path()).await;
    let mut lines = Vec::new();
    cluster
        .reset(&scenario(), &mut |l| lines.push(l))
        .await
        .unwrap();

    // The two namespaces are deleted together: their lines interleave, so
    // each namespace's own lines are checked in order.
    let of = |ns: &str| -> Vec<&str> {
        lines
            .iter()
            .map(String::as_str)
            .filter(|l| l.contains(&format!("namespace/{ns}")))
            .collect()
    };
    assert_eq!(
        of("team-a"),
        [
            "deleting namespace/team-a",
            "namespace/team-a: 2 pods deleted without waiting for a grace period",
            "namespace/team-a deleted",
            "applied namespace/team-a",
        ]
    );
    assert_eq!(
        of("team-b"),
        [
            "deleting namespace/team-b",
            "namespace/team-b: 1 pod deleted without waiting for a grace period",
            "namespace/team-b deleted",
        ]
    );
    assert_eq!(lines.last().unwrap(), "applied pod/web in namespace team-a");
    assert_eq!(inventory(&server), CLEAN);
    let requests = server.requests();
    // Nothing outside the owned namespaces was asked to change.
    for r in requests.iter().filter(|r| !r.starts_with("GET ")) {
        assert!(
            r.contains("/namespaces/team-a") || r.contains("/namespaces/team-b"),
            "{r}"
        );
    }
    // Watched, not polled: one watch per namespace, no GET of it in a loop.
    assert!(
        requests
            .iter()
            .any(|r| r.contains("watch=true") && r.contains("metadata.name%3Dteam-a")),
        "{requests:#?}"
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("GET /api/v1/namespaces/team-")),
        "{requests:#?}"
    );
    // No node paths declared: no node is looked at, no pod created.
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("/nodes") || r.starts_with("POST ")),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn a_namespace_left_terminating_by_an_interrupted_reset_is_waited_for() {
    let server = FakeApiServer::start(crowded());
    server.set_grace(GRACE);
    // What a reset stopped after its first request leaves: a namespace
    // terminating, its pods held by their grace period.
    server.delete(Kind::Namespace, None, "team-a");
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(&server, dir.path()).await;
    // While it terminates, nothing new may be created in it (as on a real
    // cluster): a setup applied now fails, naming why.
    let err = cluster
        .apply_setup(&scenario(), &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("being terminated"), "{err}");

    let mut lines = Vec::new();
    cluster
        .reset(&scenario(), &mut |l| lines.push(l))
        .await
        .unwrap();
    let of_a: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| l.contains("namespace/team-a"))
        .collect();
    assert_eq!(
        of_a,
        [
            "namespace/team-a is already being deleted",
            "namespace/team-a: 2 pods deleted without waiting for a grace period",
            "namespace/team-a deleted",
            "applied namespace/team-a",
        ]
    );
    assert_eq!(inventory(&server), CLEAN);
}

#[tokio::test]
async fn a_setup_stopped_half_way_is_cleared_by_the_next_reset() {
    let server = FakeApiServer::start(vec![namespace("bystander"), pod("bystander", "keep-me")]);
    server.set_grace(GRACE);
    // The pod's apply is never answered: the setup stops after the
    // namespace, as when Ctrl-C drops it there.
    server.fail("/api/v1/namespaces/team-a/pods", Fault::Hang);
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(&server, dir.path()).await;
    let mut lines = Vec::new();
    let stopped = tokio::time::timeout(
        Duration::from_secs(1),
        cluster.apply_setup(&scenario(), &mut |l| lines.push(l)),
    )
    .await;
    assert!(stopped.is_err() || stopped.is_ok_and(|r| r.is_err()));
    assert_eq!(lines, ["applied namespace/team-a"]);
    server.clear_faults();
    // Something the candidate made meanwhile goes with the reset too.
    server
        .objects()
        .iter()
        .for_each(|o| assert_ne!(o["metadata"]["name"], "web"));

    cluster.reset(&scenario(), &mut |_| {}).await.unwrap();
    assert_eq!(inventory(&server), CLEAN);
}

/// `ckasim reset` stopped with Ctrl-C (SIGINT) in the middle of its setup
/// says how to start clean and exits 130; the next `ckasim reset` does.
#[test]
fn ctrl_c_during_reset_then_reset_again_leaves_a_clean_scenario() {
    let server = FakeApiServer::start(vec![
        namespace("tshoot-image"),
        pod("tshoot-image", "leftover"),
        namespace("bystander"),
        pod("bystander", "keep-me"),
    ]);
    server.set_grace(GRACE);
    server.fail(
        "/apis/apps/v1/namespaces/tshoot-image/deployments",
        Fault::Hang,
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "kind-fake");
    let bin = assert_cmd::cargo::cargo_bin("ckasim");
    let mut child = std::process::Command::new(&bin)
        .env("CKASIM_HOME", dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["reset", "troubleshoot-image-tag"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the setup has begun: the namespace is applied, the
    // Deployment hangs.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("applied namespace/tshoot-image") {
        let mut line = String::new();
        let n = std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert!(n > 0, "reset ended early: {seen}");
        seen.push_str(&line);
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{seen}");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "ckasim: interrupted: 'troubleshoot-image-tag' may be half set up; 'ckasim reset troubleshoot-image-tag' starts it clean\n"
    );

    server.clear_faults();
    let out = Command::new(&bin)
        .env("CKASIM_HOME", dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["reset", "troubleshoot-image-tag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let inventory = inventory(&server);
    assert!(inventory.contains(&"Pod bystander/keep-me".to_string()));
    assert!(!inventory.contains(&"Pod tshoot-image/leftover".to_string()));
    assert!(
        inventory.contains(&"Deployment tshoot-image/frontend".to_string()),
        "{inventory:?}"
    );
}

#[tokio::test]
async fn the_pods_of_a_setup_are_followed_until_ready_or_settled() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(&server, dir.path()).await;
    let mut scenario = scenario();
    scenario.setup[0].yaml.push_str(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: team-a\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: 'nginx:typo'}]}\n",
    );
    cluster.apply_setup(&scenario, &mut |_| {}).await.unwrap();
    let status = |name: &str, ready: bool, waiting: Option<&str>| {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "team-a"},
            "status": {"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}});
        if let Some(reason) = waiting {
            pod["status"]["containerStatuses"] =
                json!([{"name": "c", "state": {"waiting": {"reason": reason}}}]);
        }
        pod
    };
    // The kubelet's part, played when the first line shows: the pod of the
    // setup runs, one of the Deployment's starts, the other cannot pull.
    let mut lines = Vec::new();
    let kubelet = server.clone();
    let mut step = 0;
    cluster
        .wait_for_setup_pods(&scenario, Duration::from_secs(20), &mut |line| {
            step += 1;
            match step {
                1 => {
                    kubelet.delete(Kind::Pod, Some("team-a"), "web");
                    kubelet.insert(status("web", true, None));
                    kubelet.insert(status("api-1", false, Some("ContainerCreating")));
                    kubelet.insert(status("api-2", false, Some("ErrImagePull")));
                }
                2 => {
                    kubelet.delete(Kind::Pod, Some("team-a"), "api-1");
                    kubelet.insert(status("api-1", true, None));
                }
                _ => {}
            }
            lines.push(line);
        })
        .await
        .unwrap();
    assert_eq!(
        lines,
        [
            "pods in team-a: 0 of 3 ready, 1 starting",
            "pods in team-a: 1 of 3 ready, 1 ErrImagePull, 1 starting",
            "pods in team-a: 2 of 3 ready, 1 ErrImagePull",
        ]
    );
}

const NODES: [&str; 3] = ["cka-control-plane", "cka-worker", "cka-worker2"];

/// `inventory` without the nodes, which no reset touches.
fn pods_and_namespaces(server: &FakeApiServer) -> Vec<String> {
    let mut all = inventory(server);
    all.retain(|o| !o.starts_with("Node "));
    all
}

fn node(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
}

/// `scenario()` with `/mnt/app-data` declared as a node path.
fn with_node_path() -> ckasim::library::Scenario {
    let mut s = scenario();
    s.node_paths = vec!["/mnt/app-data".into()];
    s
}

fn crowded_with_nodes() -> FakeApiServer {
    let mut objects = crowded();
    objects.extend(NODES.map(node));
    FakeApiServer::start(objects)
}

/// The lines of a reset of `with_node_path()`, which succeeds.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn reset_with_node_path(cluster: &Cluster) -> Vec<String> {
    let mut lines = Vec::new();
    cluster
        .reset(&with_node_path(), &mut |l| lines.push(l))
        .await
        .unwrap();
    lines
}

/// A cleanup pod ended as the kubelet ends it: phase, container exit, the
/// termination message its script wrote.
fn ended(pod: &mut Value, phase: &str, exit: i64, message: &str) {
    pod["status"] = json!({"phase": phase, "containerStatuses": [{"name": "clean",
        "state": {"terminated": {"exitCode": exit, "reason": if exit == 0 { "Completed" } else { "Error" },
            "message": message}}}]});
}

fn node_of(pod: &Value) -> String {
    pod["spec"]["nodeName"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn reset_removes_the_node_paths_with_a_pod_on_every_node_before_the_namespaces_go() {
    let server = crowded_with_nodes();
    server.set_grace(GRACE);
    let created = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&created);
    server.on_pod_created(move |pod| {
        seen.lock().unwrap().push(pod.clone());
        // The pod that wrote to the volume ran on the worker.
        if node_of(pod) == "cka-worker" {
            ended(pod, "Succeeded", 0, "0 removed\n");
        } else {
            ended(pod, "Succeeded", 0, "0 absent\n");
        }
        Ok(Vec::new())
    });
    let dir = tempfile::tempdir().unwrap();
    let lines = reset_with_node_path(&connect(&server, dir.path()).await).await;
    assert_eq!(
        lines[..2],
        [
            "removing /mnt/app-data from 3 nodes (a busybox:1.36 pod on each, in namespace team-a)",
            "removed /mnt/app-data on cka-worker (not there on cka-control-plane, cka-worker2)",
        ]
    );
    assert!(
        lines[2].starts_with("deleting namespace/team-"),
        "{lines:#?}"
    );

    let created = created.lock().unwrap().clone();
    assert_eq!(created.iter().map(node_of).collect::<Vec<_>>(), NODES);
    for pod in &created {
        assert_eq!(pod["metadata"]["namespace"], "team-a");
        let spec = &pod["spec"];
        assert_eq!(spec["restartPolicy"], "Never");
        assert_eq!(spec["terminationGracePeriodSeconds"], 0);
        assert_eq!(spec["tolerations"], json!([{"operator": "Exists"}]));
        assert_eq!(spec["schedulerName"], Value::Null);
        assert_eq!(
            spec["volumes"],
            json!([{"name": "p0", "hostPath": {"path": "/mnt", "type": "Directory"}}])
        );
        let container = &spec["containers"][0];
        assert_eq!(container["image"], "busybox:1.36");
        assert_eq!(
            container["volumeMounts"],
            json!([{"name": "p0", "mountPath": "/node/0"}])
        );
        let command: Vec<&str> = container["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(command[..2], ["sh", "-c"]);
        assert!(command[2].contains("rm -rf -- \"$p\""), "{}", command[2]);
        assert_eq!(command[3..], ["sh", "/node/0/app-data"]);
    }

    // The pods are created before the namespace is deleted, which takes them.
    let requests = server.requests();
    let first_delete = requests
        .iter()
        .position(|r| r.starts_with("DELETE /api/v1/namespaces/team-"))
        .unwrap();
    let posts: Vec<usize> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.starts_with("POST "))
        .map(|(i, r)| {
            assert!(r.starts_with("POST /api/v1/namespaces/team-a/pods?"), "{r}");
            i
        })
        .collect();
    assert_eq!(posts.len(), 3);
    assert!(posts.iter().all(|i| *i < first_delete), "{requests:#?}");
    for r in requests.iter().filter(|r| !r.starts_with("GET ")) {
        assert!(
            r.contains("/namespaces/team-a") || r.contains("/namespaces/team-b"),
            "{r}"
        );
    }
    assert_eq!(pods_and_namespaces(&server), CLEAN);
}

#[tokio::test]
async fn node_paths_that_cannot_be_cleaned_are_reported_and_the_reset_goes_on() {
    // The scenario's namespace is not there: it is created for the pods.
    let mut objects = vec![namespace("bystander"), pod("bystander", "keep-me")];
    objects.extend(NODES.map(node));
    let server = FakeApiServer::start(objects);
    server.on_pod_created(|pod| {
        let name = pod["metadata"]["name"].clone();
        match node_of(pod).as_str() {
            // No /mnt on this node: the kubelet cannot mount it and says so.
            "cka-control-plane" => {
                pod["status"] = json!({"phase": "Pending"});
                Ok(vec![json!({"apiVersion": "v1", "kind": "Event",
                    "metadata": {"name": "mount.1", "namespace": "team-a"},
                    "involvedObject": {"kind": "Pod", "name": name}, "reason": "FailedMount", "type": "Warning",
                    "message": "MountVolume.SetUp failed for volume \"p0\" : hostPath type check failed: /mnt is not a directory"})])
            }
            "cka-worker" => {
                ended(
                    pod,
                    "Failed",
                    1,
                    "0 failed rm: can't remove '/node/0/app-data/lock': Operation not permitted\n",
                );
                Ok(Vec::new())
            }
            // The image cannot be pulled: the pod never finishes.
            _ => {
                pod["status"] = json!({"phase": "Pending", "containerStatuses": [{"name": "clean",
                    "state": {"waiting": {"reason": "ImagePullBackOff",
                        "message": "Back-off pulling image \"busybox:1.36\""}}}]});
                Ok(Vec::new())
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect_waiting(&server, dir.path(), Duration::from_secs(3)).await;
    let lines = reset_with_node_path(&cluster).await;
    assert_eq!(
        lines[..5],
        [
            "created namespace/team-a to run the node cleanup in",
            "removing /mnt/app-data from 3 nodes (a busybox:1.36 pod on each, in namespace team-a)",
            "/mnt/app-data was not on cka-control-plane: nothing to remove",
            "could not clean /mnt/app-data on cka-worker: rm: can't remove '/node/0/app-data/lock': Operation not permitted",
            "could not clean /mnt/app-data on cka-worker2: the cleanup pod did not finish within 3s (Pending, ImagePullBackOff: Back-off pulling image \"busybox:1.36\")",
        ],
        "{lines:#?}"
    );
    assert_eq!(lines.last().unwrap(), "applied pod/web in namespace team-a");
    assert_eq!(pods_and_namespaces(&server), CLEAN);
}

#[tokio::test]
async fn a_namespace_whose_pod_security_forbids_host_paths_is_one_line_and_the_reset_goes_on() {
    let server = crowded_with_nodes();
    server.on_pod_created(|pod| {
        Err((
            403,
            format!(
                "pods \"{}\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"p0\")",
                pod["metadata"]["name"].as_str().unwrap()
            ),
        ))
    });
    let dir = tempfile::tempdir().unwrap();
    let lines = reset_with_node_path(&connect(&server, dir.path()).await).await;
    assert_eq!(
        lines[..2],
        [
            "removing /mnt/app-data from 3 nodes (a busybox:1.36 pod on each, in namespace team-a)",
            "could not clean /mnt/app-data on cka-control-plane, cka-worker, cka-worker2: forbidden: cannot create a cleanup pod in namespace 'team-a': pods \"ckasim-node-paths-…\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"p0\")",
        ],
        "{lines:#?}"
    );
    assert_eq!(pods_and_namespaces(&server), CLEAN);
}

#[tokio::test]
async fn node_paths_wait_for_the_next_reset_when_the_namespace_is_still_being_deleted() {
    let server = crowded_with_nodes();
    server.set_grace(GRACE);
    // An interrupted reset left team-a terminating: no pod can be made in it.
    server.delete(Kind::Namespace, None, "team-a");
    server.on_pod_created(|_| panic!("no pod is created in a terminating namespace"));
    let dir = tempfile::tempdir().unwrap();
    let lines = reset_with_node_path(&connect(&server, dir.path()).await).await;
    assert_eq!(
        lines[0],
        "could not clean /mnt/app-data: namespace 'team-a' is still being deleted (by an interrupted reset?): 'ckasim reset secure-workspace' again cleans it once the namespace is gone"
    );
    assert_eq!(pods_and_namespaces(&server), CLEAN);
}

#[tokio::test]
async fn a_load_balancer_nobody_lets_go_of_does_not_hold_the_namespace() {
    // A LoadBalancer Service as cloud-provider-kind leaves it when it is no longer running:
    // its cleanup finalizer stays, and so would the namespace.
    let mut held = service("team-b", "checkout-lb");
    held["spec"]["type"] = json!("LoadBalancer");
    held["metadata"]["finalizers"] = json!(["service.kubernetes.io/load-balancer-cleanup"]);
    let server = FakeApiServer::start(vec![
        namespace("team-a"),
        namespace("team-b"),
        namespace("bystander"),
        held,
        pod("bystander", "keep-me"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    // The finalizer is let go after a quarter of the wait: 1 s here, 15 s by default.
    let cluster = connect_waiting(&server, dir.path(), Duration::from_secs(4)).await;
    let mut lines = Vec::new();
    cluster
        .reset(&scenario(), &mut |l| lines.push(l))
        .await
        .unwrap();
    assert!(
        lines.contains(&"service/checkout-lb in team-b: no load-balancer controller let it go in 1 s (is cloud-provider-kind running?): its finalizer service.kubernetes.io/load-balancer-cleanup removed so the namespace can go; a load balancer it made may remain".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"namespace/team-b deleted".to_string()),
        "{lines:#?}"
    );
    assert_eq!(inventory(&server), CLEAN);
}
