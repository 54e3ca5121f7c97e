//! A synthetic cluster in real object shapes (as `kubectl get -o json`
//! prints them), for benchmarks at scale: pods spread over nodes and
//! namespaces, RBAC objects and network policies. Include it with
//! `#[path = "support/scale.rs"] mod scale;` and grade your checks with
//! `scale::entry(CHECKS)` against `scale::cluster(&Scale::default())`.

#![allow(dead_code)] // each bench uses a different part of it

use ckasim::library::{Entry, rubric, scenario};
use ckasim::snapshot::Snapshot;
use serde_json::{Value, json};

/// How big the cluster is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub namespaces: usize,
    pub nodes: usize,
    pub pods: usize,
    /// Roles, role bindings, cluster roles and cluster role bindings together.
    pub rbac: usize,
    pub network_policies: usize,
}

impl Default for Scale {
    /// 5 000 pods over 50 nodes in 100 namespaces, 2 000 RBAC objects,
    /// 500 network policies.
    fn default() -> Scale {
        Scale {
            namespaces: 100,
            nodes: 50,
            pods: 5000,
            rbac: 2000,
            network_policies: 500,
        }
    }
}

/// The node that was drained: cordoned, and no pod runs on it.
pub const DRAINED_NODE: usize = 13;

pub fn namespace_name(i: usize) -> String {
    format!("team-{i:03}")
}

pub fn node_name(i: usize) -> String {
    format!("worker-{i:02}")
}

const APPS: [&str; 5] = ["web", "api", "worker", "cache", "db"];

fn namespace(i: usize) -> Value {
    let name = namespace_name(i);
    json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "uid": format!("ns-{i}"),
            "labels": {"kubernetes.io/metadata.name": name, "team": format!("t{}", i % 10)}},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
}

fn node(i: usize) -> Value {
    let name = node_name(i);
    json!({"apiVersion": "v1", "kind": "Node",
    "metadata": {"name": name, "uid": format!("node-{i}"),
        "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
            "node-role.kubernetes.io/worker": "", "topology.kubernetes.io/zone": format!("zone-{}", i % 3)}},
    "spec": {"podCIDR": format!("10.244.{i}.0/24"), "providerID": format!("kind://docker/cka/{name}"),
        "unschedulable": i == DRAINED_NODE},
    "status": {
        "capacity": {"cpu": "8", "memory": "32863340Ki", "pods": "110", "ephemeral-storage": "102625208Ki"},
        "allocatable": {"cpu": "8", "memory": "32863340Ki", "pods": "110", "ephemeral-storage": "102625208Ki"},
        "conditions": [
            {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
            {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure"},
            {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID"},
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}
        ],
        "addresses": [{"type": "InternalIP", "address": format!("172.18.0.{}", i + 2)}, {"type": "Hostname", "address": name}],
        "nodeInfo": {"kubeletVersion": "v1.33.1", "containerRuntimeVersion": "containerd://2.1.1",
            "osImage": "Debian GNU/Linux 12 (bookworm)", "architecture": "amd64", "operatingSystem": "linux"}
    }})
}

fn pod(i: usize, scale: &Scale) -> Value {
    let ns = namespace_name(i % scale.namespaces);
    let app = APPS[i % APPS.len()];
    let on = match i % scale.nodes {
        DRAINED_NODE => (DRAINED_NODE + 1) % scale.nodes,
        n => n,
    };
    let node = node_name(on);
    let name = format!("{app}-7d4b9c-{i:05}");
    json!({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": name, "namespace": ns, "uid": format!("pod-{i}"),
        "labels": {"app": app, "pod-template-hash": "7d4b9c"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{app}-7d4b9c"),
            "uid": format!("rs-{ns}-{app}"), "controller": true, "blockOwnerDeletion": true}]},
    "spec": {
        "nodeName": node,
        "serviceAccountName": "default",
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": app, "image": format!("registry.internal.com/{app}:1.{}", i % 7),
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
            "securityContext": {"allowPrivilegeEscalation": false, "runAsUser": 1000 + (i % 5),
                "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true},
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
            "livenessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 10},
            "volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}]
        }],
        "volumes": [{"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}}]}}]
    },
    "status": {
        "phase": "Running",
        "podIP": format!("10.244.{on}.{}", i / scale.nodes % 250 + 2),
        "hostIP": format!("172.18.0.{}", on + 2),
        "conditions": [
            {"type": "Initialized", "status": "True"},
            {"type": "Ready", "status": if i.is_multiple_of(97) { "False" } else { "True" }},
            {"type": "ContainersReady", "status": if i.is_multiple_of(97) { "False" } else { "True" }},
            {"type": "PodScheduled", "status": "True"}
        ],
        "containerStatuses": [{"name": app, "ready": !i.is_multiple_of(97), "restartCount": i % 3,
            "image": format!("registry.internal.com/{app}:1.{}", i % 7),
            "imageID": format!("registry.internal.com/{app}@sha256:{i:064x}"),
            "state": {"running": {"startedAt": "2026-11-29T10:00:00Z"}}}]
    }})
}

fn rule(resources: &[&str], verbs: &[&str], group: &str) -> Value {
    json!({"apiGroups": [group], "resources": resources, "verbs": verbs})
}

/// RBAC objects in the proportions of a busy cluster: per namespace roles
/// and role bindings, and cluster-wide cluster roles (some aggregated) and
/// cluster role bindings.
fn rbac(i: usize, scale: &Scale) -> Value {
    let ns = namespace_name(i % scale.namespaces);
    let rbac = "rbac.authorization.k8s.io/v1";
    match i % 4 {
        0 => json!({"apiVersion": rbac, "kind": "Role",
            "metadata": {"name": format!("role-{i}"), "namespace": ns},
            "rules": [rule(&["pods", "pods/log"], &["get", "list", "watch"], ""),
                      rule(&["deployments"], &["get", "list", "update", "patch"], "apps"),
                      {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": [format!("cfg-{i}")], "verbs": ["get"]}]}),
        1 => json!({"apiVersion": rbac, "kind": "RoleBinding",
            "metadata": {"name": format!("binding-{i}"), "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": if i % 8 == 1 { "ClusterRole" } else { "Role" },
                "name": if i % 8 == 1 { format!("clusterrole-{}", i - 1 + 2) } else { format!("role-{}", i - 1) }},
            "subjects": [{"kind": "ServiceAccount", "name": format!("sa-{i}"), "namespace": ns},
                         {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": format!("user-{}", i % 50)}]}),
        2 => {
            let mut role = json!({"apiVersion": rbac, "kind": "ClusterRole",
                "metadata": {"name": format!("clusterrole-{i}"),
                    "labels": {"rbac.example.com/aggregate-to-monitoring": if i % 10 == 2 { "true" } else { "false" }}},
                "rules": [rule(&["nodes", "nodes/status"], &["get", "list", "watch"], ""),
                          rule(&["*"], &["get"], "metrics.k8s.io"),
                          {"nonResourceURLs": ["/healthz", "/metrics"], "verbs": ["get"]}]});
            if i % 100 == 2 {
                role["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}]});
            }
            role
        }
        _ => json!({"apiVersion": rbac, "kind": "ClusterRoleBinding",
            "metadata": {"name": format!("clusterbinding-{i}")},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("clusterrole-{}", i - 1)},
            "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": format!("group-{}", i % 20)}]}),
    }
}

fn network_policy(i: usize, scale: &Scale) -> Value {
    let ns = namespace_name(i % scale.namespaces);
    let app = APPS[i % APPS.len()];
    let from = APPS[(i + 1) % APPS.len()];
    match i % 3 {
        0 => json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": format!("default-deny-{i}"), "namespace": ns},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
        1 => json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": format!("allow-{from}-to-{app}-{i}"), "namespace": ns},
            "spec": {"podSelector": {"matchLabels": {"app": app}}, "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": from}}},
                                      {"namespaceSelector": {"matchLabels": {"team": format!("t{}", i % 10)}},
                                       "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": [from, "web"]}]}}],
                             "ports": [{"protocol": "TCP", "port": "http"}, {"protocol": "TCP", "port": 8443}]}]}}),
        _ => json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": format!("egress-{app}-{i}"), "namespace": ns},
            "spec": {"podSelector": {"matchLabels": {"app": app}}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12"]}}],
                            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}}),
    }
}

/// Every object of the synthetic cluster, as `kubectl get -o json` items.
pub fn objects(scale: &Scale) -> Vec<Value> {
    (0..scale.namespaces)
        .map(namespace)
        .chain((0..scale.nodes).map(node))
        .chain((0..scale.pods).map(|i| pod(i, scale)))
        .chain((0..scale.rbac).map(|i| rbac(i, scale)))
        .chain((0..scale.network_policies).map(|i| network_policy(i, scale)))
        .collect()
}

/// The synthetic cluster as a snapshot (what the reads return).
pub fn cluster(scale: &Scale) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for o in objects(scale) {
        if let Err(e) = snapshot.insert(o) {
            panic!("{e}");
        }
    }
    snapshot
}

/// A scenario owning the first namespace, with a rubric of the given
/// `[[criteria.checks]]` tables (TOML).
pub fn entry(checks: &str) -> Entry {
    let scenario_toml = format!(
        "id = \"scale\"\ntitle = \"Scale\"\nsummary = \"S\"\ndomain = \"troubleshooting\"\ndifficulty = \"hard\"\ntime_limit = \"2h\"\nnamespaces = [\"{}\"]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n",
        namespace_name(0)
    );
    let scenario = match scenario::parse("scenarios/scale.toml", &scenario_toml, &|_| None) {
        Ok(s) => s,
        Err(e) => panic!("{e:?}"),
    };
    let rubric_toml = format!(
        "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n{checks}"
    );
    match rubric::parse("grading/scale.toml", &rubric_toml, &scenario) {
        Ok(rubric) => Entry { scenario, rubric },
        Err(e) => panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}
