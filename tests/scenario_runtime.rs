//! The reference solutions can run on a real kind cluster: what a kubelet
//! and containerd would refuse or crash is caught here, from the pods of
//! every scenario's `solved.json`, with what the images are known to do.
//!
//! - every image is one whose user and ports are known below, or a private
//!   registry's (a task that grades without pulling it);
//! - `runAsNonRoot` needs a numeric `runAsUser` or an image whose user is
//!   not root (the kubelet refuses "image will run as root" otherwise);
//! - nginx as a non-root user, or on a read-only root filesystem, needs its
//!   writable directories mounted (it exits with "Permission denied" or
//!   "Read-only file system" otherwise);
//! - an HTTP or TCP probe asks a port the image listens on, or a port name
//!   the container declares.

use std::path::Path;

use serde_json::Value;

/// What an image does, by repository (any tag).
struct Image {
    repository: &'static str,
    /// The uid it runs as when the pod does not say.
    user: u32,
    /// The ports it listens on with its default command.
    listens: &'static [u16],
    /// Directories it writes to at start (a read-only root needs them mounted).
    writes: &'static [&'static str],
}

const IMAGES: [Image; 8] = [
    Image {
        repository: "nginx",
        user: 0,
        listens: &[80],
        writes: &["/var/cache/nginx", "/var/run"],
    },
    Image {
        repository: "nginxinc/nginx-unprivileged",
        user: 101,
        listens: &[8080],
        writes: &["/tmp"],
    },
    Image {
        repository: "httpd",
        user: 0,
        listens: &[80],
        writes: &["/usr/local/apache2/logs"],
    },
    Image {
        repository: "busybox",
        user: 0,
        listens: &[],
        writes: &[],
    },
    Image {
        repository: "ghcr.io/stefanprodan/podinfo",
        user: 100,
        listens: &[9898, 9797, 9999],
        writes: &[],
    },
    Image {
        repository: "registry.k8s.io/pause",
        user: 65535,
        listens: &[],
        writes: &[],
    },
    Image {
        repository: "registry.k8s.io/e2e-test-images/agnhost",
        user: 0,
        listens: &[],
        writes: &[],
    },
    Image {
        repository: "registry.k8s.io/coredns/coredns",
        user: 65532,
        listens: &[53, 8080, 8181, 9153],
        writes: &[],
    },
];

/// Registries of tasks that grade a private image without pulling it.
const PRIVATE: [&str; 2] = ["registry.acme.example:5000/", "registry.internal.com/"];

fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[name_start..].find(':') {
        Some(i) => &image[..name_start + i],
        None => image,
    }
}

fn known(image: &str) -> Option<&'static Image> {
    let repo = repository(image);
    let repo = repo
        .strip_prefix("docker.io/library/")
        .or_else(|| repo.strip_prefix("docker.io/"))
        .unwrap_or(repo);
    IMAGES.iter().find(|i| i.repository == repo)
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn fixtures() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let solved = dir.join("solved.json");
        if solved.is_file() {
            let text = std::fs::read_to_string(&solved).unwrap();
            let id = dir.file_name().unwrap().to_string_lossy().into_owned();
            out.push((id, serde_json::from_str(&text).unwrap()));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() > 10, "fixtures under {}", root.display());
    out
}

/// The pods of `snapshot` outside kube-system (the cluster's own), with a
/// name for messages.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn pods(snapshot: &Value) -> Vec<(String, &Value)> {
    snapshot["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .filter(|o| {
            !o["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .starts_with("kube-")
        })
        .map(|p| {
            (
                format!(
                    "{}/{}",
                    p["metadata"]["namespace"].as_str().unwrap_or(""),
                    p["metadata"]["name"].as_str().unwrap_or("")
                ),
                p,
            )
        })
        .collect()
}

/// Every container of a pod (init, sidecar and app), with the pod.
fn containers(pod: &Value) -> Vec<&Value> {
    ["initContainers", "containers"]
        .iter()
        .filter_map(|k| pod["spec"][k].as_array())
        .flatten()
        .collect()
}

/// A container's setting, else the pod's (`securityContext` merge).
fn effective<'a>(pod: &'a Value, c: &'a Value, key: &str) -> Option<&'a Value> {
    c["securityContext"]
        .get(key)
        .or_else(|| pod["spec"]["securityContext"].get(key))
}

/// The paths a container mounts writable.
fn writable_mounts(c: &Value) -> Vec<&str> {
    c["volumeMounts"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter(|m| m["readOnly"] != true)
                .filter_map(|m| m["mountPath"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

fn problems_of(id: &str, name: &str, pod: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for c in containers(pod) {
        let image = c["image"].as_str().unwrap_or("");
        let here = format!("{id}: {name} container {}", c["name"]);
        if PRIVATE.iter().any(|p| image.starts_with(p)) {
            continue;
        }
        let Some(facts) = known(image) else {
            problems.push(format!(
                "{here}: image {image} is not one whose user and ports this test knows"
            ));
            continue;
        };
        let user = effective(pod, c, "runAsUser")
            .and_then(Value::as_u64)
            .map_or(facts.user, |u| u as u32);
        if effective(pod, c, "runAsNonRoot") == Some(&Value::Bool(true)) && user == 0 {
            problems.push(format!(
                "{here}: runAsNonRoot with {image}, which runs as root: the kubelet refuses to start it"
            ));
        }
        let read_only = c["securityContext"]["readOnlyRootFilesystem"] == Value::Bool(true);
        // nginx as root on a read-only root, or as another user than its own.
        if !facts.writes.is_empty() && (read_only || user != facts.user) {
            let mounts = writable_mounts(c);
            for dir in facts.writes {
                let covered = mounts
                    .iter()
                    .any(|m| dir.starts_with(m) || (*dir == "/var/run" && *m == "/run"));
                if !covered {
                    problems.push(format!(
                        "{here}: {image} writes {dir} at start: mount a writable volume there (read-only root or uid {user})"
                    ));
                }
            }
        }
        let declared: Vec<&str> = c["ports"]
            .as_array()
            .map(|p| p.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        let listens_by_command = c.get("command").is_some() || c.get("args").is_some();
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let p = &c[probe];
            let port = p["httpGet"]["port"]
                .as_u64()
                .or_else(|| p["tcpSocket"]["port"].as_u64());
            let port_name = p["httpGet"]["port"]
                .as_str()
                .or_else(|| p["tcpSocket"]["port"].as_str());
            if let Some(n) = port_name
                && !declared.contains(&n)
            {
                problems.push(format!("{here}: {probe} asks the undeclared port name {n}"));
            }
            if let Some(n) = port
                && !listens_by_command
                && !facts.listens.contains(&(n as u16))
            {
                problems.push(format!(
                    "{here}: {probe} asks port {n}; {image} listens on {:?}",
                    facts.listens
                ));
            }
        }
    }
    problems
}

#[test]
fn every_solved_pod_can_start_and_pass_its_probes() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (id, solved) in fixtures() {
        for (name, pod) in pods(&solved) {
            checked += 1;
            problems.extend(problems_of(&id, &name, pod));
        }
    }
    assert!(checked > 50, "{checked} pods checked");
    assert!(
        problems.is_empty(),
        "pods of reference solutions a kind cluster would not run:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checks_catch_what_a_kubelet_refuses() {
    let pod = |container: Value| serde_json::json!({"spec": {"containers": [container]}});
    let root_nonroot = pod(serde_json::json!({"name": "web", "image": "nginx:1.27",
        "securityContext": {"runAsNonRoot": true}}));
    assert_eq!(problems_of("x", "ns/p", &root_nonroot).len(), 1);
    let read_only = pod(
        serde_json::json!({"name": "web", "image": "nginx:1.27-alpine",
        "securityContext": {"readOnlyRootFilesystem": true},
        "volumeMounts": [{"name": "cache", "mountPath": "/var/cache/nginx"}]}),
    );
    let found = problems_of("x", "ns/p", &read_only);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("writes /var/run"), "{found:?}");
    let wrong_port = pod(
        serde_json::json!({"name": "web", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
        "readinessProbe": {"httpGet": {"port": 80, "path": "/"}}}),
    );
    assert_eq!(problems_of("x", "ns/p", &wrong_port).len(), 1);
    let fine = pod(
        serde_json::json!({"name": "web", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
        "securityContext": {"runAsNonRoot": true, "readOnlyRootFilesystem": true},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "ports": [{"name": "http", "containerPort": 8080}],
        "readinessProbe": {"httpGet": {"port": "http", "path": "/"}}}),
    );
    assert_eq!(problems_of("x", "ns/p", &fine), Vec::<String>::new());
}
