//! Nodes and pods in the shape `kubectl get -o json` prints them on a three-node kind cluster
//! (`cka-control-plane`, `cka-worker`, `cka-worker2`), with the conditions the
//! kubelet reports, the taints kubeadm and the node lifecycle controller set, the tolerations the
//! DaemonSet controller adds, and the annotations the kubelet puts on mirror pods.

use serde_json::{Value, json};

use super::placement::{Placement, placement};
use super::scheduling::{daemonset_pod_spec, refusal};
use super::*;

pub(super) fn node(
    name: &str,
    labels: &[(&str, &str)],
    taints: &Value,
    ready: bool,
    cordoned: bool,
) -> Value {
    let mut all_labels = json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux"
    });
    for (k, v) in labels {
        all_labels[*k] = json!(v);
    }
    let mut v = json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"
            },
            "creationTimestamp": "2026-11-29T13:40:02Z",
            "labels": all_labels,
            "name": name,
            "resourceVersion": "6021",
            "uid": format!("uid-{name}")
        },
        "spec": {
            "podCIDR": "10.244.1.0/24",
            "podCIDRs": ["10.244.1.0/24"],
            "providerID": format!("kind://docker/kind-cka/{name}"),
            "taints": taints
        },
        "status": {
            "conditions": [
                {"lastHeartbeatTime": "2026-11-29T14:01:10Z", "lastTransitionTime": "2026-11-29T13:40:00Z",
                 "message": "kubelet has sufficient memory available", "reason": "KubeletHasSufficientMemory",
                 "status": "False", "type": "MemoryPressure"},
                {"lastHeartbeatTime": "2026-11-29T14:01:10Z", "lastTransitionTime": "2026-11-29T13:40:00Z",
                 "message": "kubelet has no disk pressure", "reason": "KubeletHasNoDiskPressure",
                 "status": "False", "type": "DiskPressure"},
                {"lastHeartbeatTime": "2026-11-29T14:01:10Z", "lastTransitionTime": "2026-11-29T13:40:00Z",
                 "message": "kubelet has sufficient PID available", "reason": "KubeletHasSufficientPID",
                 "status": "False", "type": "PIDPressure"},
                if ready {
                    json!({"lastHeartbeatTime": "2026-11-29T14:01:10Z", "lastTransitionTime": "2026-11-29T13:40:25Z",
                           "message": "kubelet is posting ready status", "reason": "KubeletReady",
                           "status": "True", "type": "Ready"})
                } else {
                    json!({"lastHeartbeatTime": "2026-11-29T14:01:10Z", "lastTransitionTime": "2026-11-29T13:58:41Z",
                           "message": "Kubelet stopped posting node status.", "reason": "NodeStatusUnknown",
                           "status": "Unknown", "type": "Ready"})
                }
            ],
            "nodeInfo": {"kubeletVersion": "v1.33.1", "containerRuntimeVersion": "containerd://2.1.1"}
        }
    });
    if cordoned {
        v["spec"]["unschedulable"] = json!(true);
    }
    v
}

pub(super) fn control_plane() -> Value {
    node(
        "cka-control-plane",
        &[
            ("node-role.kubernetes.io/control-plane", ""),
            (
                "node.kubernetes.io/exclude-from-external-load-balancers",
                "",
            ),
        ],
        &json!([{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]),
        true,
        false,
    )
}

pub(super) fn worker() -> Value {
    node("cka-worker", &[("disk", "ssd")], &json!(null), true, false)
}

pub(super) fn worker2() -> Value {
    node(
        "cka-worker2",
        &[("workload", "batch")],
        &json!([{"effect": "NoSchedule", "key": "workload", "value": "batch"}]),
        true,
        false,
    )
}

pub(super) fn cordoned_worker() -> Value {
    node(
        "cka-worker",
        &[("disk", "ssd")],
        &json!([{"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable",
                "timeAdded": "2026-11-29T14:02:11Z"}]),
        true,
        true,
    )
}

/// The tolerations the DaemonSet controller adds to every DaemonSet pod.
fn daemonset_tolerations() -> Value {
    json!([
        {"operator": "Exists"},
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/pid-pressure", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"}
    ])
}

pub(super) fn pod(
    ns: &str,
    name: &str,
    node: &str,
    owner: Option<(&str, &str)>,
    phase: &str,
) -> Value {
    let mut v = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "creationTimestamp": "2026-11-29T13:41:02Z",
            "name": name,
            "namespace": ns,
            "resourceVersion": "700",
            "uid": format!("uid-{name}")
        },
        "spec": {
            "containers": [{"image": "nginx:1.27", "name": "app"}],
            "nodeName": node,
            "tolerations": [
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
                 "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
                 "tolerationSeconds": 300}
            ]
        },
        "status": {"phase": phase, "conditions": [
            {"status": if phase == "Running" { "True" } else { "False" }, "type": "Ready"}
        ]}
    });
    if let Some((kind, owner)) = owner {
        v["metadata"]["ownerReferences"] = json!([{
            "apiVersion": if kind == "Node" { "v1" } else { "apps/v1" },
            "blockOwnerDeletion": true,
            "controller": true,
            "kind": kind,
            "name": owner,
            "uid": format!("uid-{owner}")
        }]);
    }
    if kind_is(owner, "DaemonSet") {
        v["spec"]["tolerations"] = daemonset_tolerations();
    }
    v
}

fn kind_is(owner: Option<(&str, &str)>, kind: &str) -> bool {
    owner.is_some_and(|(k, _)| k == kind)
}

pub(super) fn mirror(name: &str, node: &str) -> Value {
    let mut v = pod(
        "kube-system",
        &format!("{name}-{node}"),
        node,
        Some(("Node", node)),
        "Running",
    );
    v["metadata"]["annotations"] = json!({
        "kubernetes.io/config.hash": "0f4c5e1b8d2a",
        "kubernetes.io/config.mirror": "0f4c5e1b8d2a",
        "kubernetes.io/config.seen": "2026-11-29T13:40:20.123456789Z",
        "kubernetes.io/config.source": "file"
    });
    v["spec"]["tolerations"] = json!([{"effect": "NoExecute", "operator": "Exists"}]);
    v
}

fn taint(s: &str) -> Taint {
    s.parse().unwrap()
}

#[test]
fn ready_reads_the_kubelet_condition() {
    assert_eq!(ready(&worker(), true).found, "node cka-worker Ready: True");
    assert!(ready(&worker(), true).pass);
    let down = node("cka-worker", &[], &json!(null), false, false);
    let v = ready(&down, true);
    assert!(!v.pass);
    assert_eq!(v.found, "node cka-worker Ready: Unknown");
    assert!(ready(&down, false).pass);
}

#[test]
fn a_cordoned_node_is_not_schedulable() {
    assert!(schedulable(&worker(), true).pass);
    let v = schedulable(&cordoned_worker(), true);
    assert!(!v.pass);
    assert_eq!(v.found, "node cka-worker is cordoned (SchedulingDisabled)");
    assert!(schedulable(&cordoned_worker(), false).pass);
}

#[test]
fn taints_match_as_a_set_by_key_value_and_effect() {
    assert!(taints(&worker2(), &[taint("workload=batch:NoSchedule")], &[]).pass);
    let v = taints(&worker2(), &[taint("workload=batch:NoExecute")], &[]);
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "node cka-worker2 has taints 'workload=batch:NoSchedule'; missing 'workload=batch:NoExecute'"
    );
    assert!(!taints(&worker2(), &[taint("workload:NoSchedule")], &[]).pass);
    let v = taints(
        &control_plane(),
        &[],
        &[taint("node-role.kubernetes.io/control-plane:NoSchedule")],
    );
    assert!(!v.pass);
    assert!(
        v.found
            .ends_with("should not have 'node-role.kubernetes.io/control-plane:NoSchedule'")
    );
    assert_eq!(
        taints(&worker(), &[], &[]).found,
        "node cka-worker has taints none"
    );
}

#[test]
fn taints_parse_as_kubectl_writes_them() {
    assert_eq!(
        taint("workload=batch:NoSchedule"),
        Taint {
            key: "workload".into(),
            value: "batch".into(),
            effect: "NoSchedule".into()
        }
    );
    assert_eq!(taint("dedicated:NoExecute").value, "");
    assert_eq!(
        taint("a=b:PreferNoSchedule").to_string(),
        "a=b:PreferNoSchedule"
    );
    for bad in [
        "workload=batch",
        "workload=batch:Never",
        ":NoSchedule",
        "=x:NoSchedule",
    ] {
        assert!(bad.parse::<Taint>().is_err(), "{bad}");
    }
}

#[test]
fn labels_include_the_expected_pairs() {
    assert!(labels(&worker(), &[("disk".into(), "ssd".into())]).pass);
    let v = labels(
        &worker(),
        &[("disk".into(), "hdd".into()), ("zone".into(), "a".into())],
    );
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "node cka-worker: disk=ssd (expected hdd), no label zone (expected a)"
    );
}

fn tol(v: &Value) -> Toleration {
    Toleration::from_value(v)
}

/// The cases of `TestTolerationToleratesTaint` in `k8s.io/api/core/v1/toleration_test.go`.
#[test]
fn tolerations_match_taints_as_upstream() {
    let t = |k: &str, v: &str, e: &str| Taint {
        key: k.into(),
        value: v.into(),
        effect: e.into(),
    };
    let cases = [
        // same key and effect, Exists, taint without value
        (
            json!({"key": "foo", "operator": "Exists", "effect": "NoSchedule"}),
            t("foo", "", "NoSchedule"),
            true,
        ),
        // same key and effect, Exists, taint with a value
        (
            json!({"key": "foo", "operator": "Exists", "effect": "NoSchedule"}),
            t("foo", "bar", "NoSchedule"),
            true,
        ),
        // empty key with Exists matches every taint of that effect
        (
            json!({"operator": "Exists", "effect": "NoSchedule"}),
            t("foo", "bar", "NoSchedule"),
            true,
        ),
        // same key, value and effect, Equal
        (
            json!({"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}),
            t("foo", "bar", "NoSchedule"),
            true,
        ),
        // same key and effect, different values
        (
            json!({"key": "foo", "operator": "Equal", "value": "value1", "effect": "NoSchedule"}),
            t("foo", "value2", "NoSchedule"),
            false,
        ),
        // same key and value, different effects
        (
            json!({"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}),
            t("foo", "bar", "NoExecute"),
            false,
        ),
        // an empty effect matches every effect; the operator defaults to Equal
        (
            json!({"key": "foo", "value": "bar"}),
            t("foo", "bar", "NoExecute"),
            true,
        ),
        (json!({"key": "foo"}), t("foo", "bar", "NoSchedule"), false),
        // empty key and effect with Exists tolerates everything
        (
            json!({"operator": "Exists"}),
            t("node-role.kubernetes.io/control-plane", "", "NoSchedule"),
            true,
        ),
        (
            json!({"key": "other", "operator": "Exists"}),
            t("foo", "", "NoSchedule"),
            false,
        ),
    ];
    for (toleration, taint, expected) in cases {
        assert_eq!(
            tol(&toleration).tolerates(&taint),
            expected,
            "{toleration} vs {taint}"
        );
    }
}

#[test]
fn the_scheduler_refuses_untolerated_hard_taints_only() {
    let spec = json!({"containers": []});
    assert_eq!(
        refusal(&spec, &control_plane()).as_deref(),
        Some("taint node-role.kubernetes.io/control-plane:NoSchedule is not tolerated")
    );
    assert_eq!(refusal(&spec, &worker()), None);
    let soft = node(
        "n",
        &[],
        &json!([{"effect": "PreferNoSchedule", "key": "a"}]),
        true,
        false,
    );
    assert_eq!(refusal(&spec, &soft), None);
    let tolerating = json!({"tolerations": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}
    ]});
    assert_eq!(refusal(&tolerating, &control_plane()), None);
    assert_eq!(
        refusal(&spec, &cordoned_worker()).as_deref(),
        Some("cordoned")
    );
}

#[test]
fn node_affinity_operators_match_as_upstream() {
    let affinity = |terms: Value| {
        json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": terms
        }}}})
    };
    let n = node(
        "cka-worker",
        &[("disk", "ssd"), ("cores", "8")],
        &json!(null),
        true,
        false,
    );
    let cases = [
        (
            json!([{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd", "nvme"]}]}]),
            true,
        ),
        (
            json!([{"matchExpressions": [{"key": "disk", "operator": "NotIn", "values": ["ssd"]}]}]),
            false,
        ),
        // NotIn and DoesNotExist hold for a label the node does not carry
        (
            json!([{"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}]),
            true,
        ),
        (
            json!([{"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}]),
            true,
        ),
        (
            json!([{"matchExpressions": [{"key": "disk", "operator": "Exists"}]}]),
            true,
        ),
        (
            json!([{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}]),
            true,
        ),
        (
            json!([{"matchExpressions": [{"key": "cores", "operator": "Lt", "values": ["4"]}]}]),
            false,
        ),
        (
            json!([{"matchExpressions": [{"key": "disk", "operator": "Gt", "values": ["4"]}]}]),
            false,
        ),
        // requirements of a term are ANDed, terms ORed
        (
            json!([{"matchExpressions": [
            {"key": "disk", "operator": "In", "values": ["ssd"]},
            {"key": "zone", "operator": "Exists"}]}]),
            false,
        ),
        (
            json!([
            {"matchExpressions": [{"key": "zone", "operator": "Exists"}]},
            {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]),
            true,
        ),
        // a term with no requirement matches nothing
        (json!([{}]), false),
        (
            json!([{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["cka-worker"]}]}]),
            true,
        ),
        (
            json!([{"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["cka-worker"]}]}]),
            false,
        ),
    ];
    for (terms, allowed) in cases {
        assert_eq!(
            refusal(&affinity(terms.clone()), &n).is_none(),
            allowed,
            "{terms}"
        );
    }
    let selector = json!({"nodeSelector": {"disk": "hdd"}});
    assert_eq!(
        refusal(&selector, &n).as_deref(),
        Some("nodeSelector disk=hdd does not match")
    );
}

pub(super) fn cluster_pods() -> Vec<Value> {
    vec![
        mirror("etcd", "cka-control-plane"),
        mirror("kube-apiserver", "cka-control-plane"),
        pod(
            "kube-system",
            "kube-proxy-7x2kq",
            "cka-worker",
            Some(("DaemonSet", "kube-proxy")),
            "Running",
        ),
        pod(
            "kube-system",
            "kindnet-5dl8v",
            "cka-worker",
            Some(("DaemonSet", "kindnet")),
            "Running",
        ),
        pod(
            "batch",
            "report-28845120-qz7mf",
            "cka-worker",
            Some(("Job", "report-28845120")),
            "Succeeded",
        ),
        pod(
            "kube-system",
            "coredns-674b8bbfcf-6k8nw",
            "cka-worker2",
            Some(("ReplicaSet", "coredns-674b8bbfcf")),
            "Running",
        ),
    ]
}

#[test]
fn a_drained_node_keeps_only_daemonset_and_mirror_pods() {
    let pods = cluster_pods();
    let refs: Vec<&Value> = pods.iter().collect();
    let v = drained(&cordoned_worker(), &refs);
    assert!(v.pass, "{}", v.found);
    assert_eq!(
        v.found,
        "node cka-worker is cordoned (SchedulingDisabled); only DaemonSet and mirror pods left on it"
    );
}

#[test]
fn a_node_with_a_replicaset_pod_or_not_cordoned_is_not_drained() {
    let mut pods = cluster_pods();
    pods.push(pod(
        "web",
        "web-5d8f7c9b4-abcde",
        "cka-worker",
        Some(("ReplicaSet", "web-5d8f7c9b4")),
        "Running",
    ));
    let mut terminating = pod("web", "bare", "cka-worker", None, "Running");
    terminating["metadata"]["deletionTimestamp"] = json!("2026-11-29T14:03:00Z");
    pods.push(terminating);
    let refs: Vec<&Value> = pods.iter().collect();
    let v = drained(&cordoned_worker(), &refs);
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "node cka-worker is cordoned (SchedulingDisabled); 2 pod(s) still on it: \
         web/web-5d8f7c9b4-abcde, web/bare (terminating)"
    );
    let v = drained(&worker(), &refs[..4]);
    assert!(!v.pass);
    assert!(v.found.starts_with("node cka-worker is schedulable"));
}

#[test]
fn a_static_pod_is_its_mirror_pod() {
    let pods = cluster_pods();
    let refs: Vec<&Value> = pods.iter().collect();
    let v = static_pod(&refs, "kube-system", "etcd", "cka-control-plane", true);
    assert!(v.pass, "{}", v.found);
    assert_eq!(
        v.found,
        "static pod kube-system/etcd-cka-control-plane on cka-control-plane: Running, Ready"
    );
    let v = static_pod(&refs, "kube-system", "etcd", "cka-worker", false);
    assert_eq!(
        v.found,
        "no pod kube-system/etcd-cka-worker: no static pod etcd on node cka-worker"
    );
    // A pod created through the API with the same name is not a static pod.
    let fake = pod(
        "kube-system",
        "web-cka-worker",
        "cka-worker",
        None,
        "Running",
    );
    let v = static_pod(&[&fake], "kube-system", "web", "cka-worker", false);
    assert!(!v.pass);
    assert!(v.found.contains("not a mirror pod"), "{}", v.found);
}

#[test]
fn a_crashing_static_pod_fails_when_it_must_run() {
    let mut m = mirror("kube-scheduler", "cka-control-plane");
    m["status"] = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]});
    let v = static_pod(
        &[&m],
        "kube-system",
        "kube-scheduler",
        "cka-control-plane",
        true,
    );
    assert!(!v.pass);
    assert!(v.found.ends_with("Running, not Ready"), "{}", v.found);
    assert!(
        static_pod(
            &[&m],
            "kube-system",
            "kube-scheduler",
            "cka-control-plane",
            false
        )
        .pass
    );
}

pub(super) fn web(name: &str, node: &str) -> Value {
    pod(
        "web",
        name,
        node,
        Some(("ReplicaSet", "web-5d8f7c9b4")),
        "Running",
    )
}

#[test]
fn pods_on_and_off_a_node() {
    let (a, b) = (web("web-1", "cka-worker"), web("web-2", "cka-worker"));
    let nodes = [control_plane(), worker(), worker2()];
    let nodes: Vec<&Value> = nodes.iter().collect();
    let v = placement(
        &[&a, &b],
        &nodes,
        None,
        &Placement::OnNode("cka-worker".into()),
    );
    assert!(v.pass);
    assert_eq!(v.found, "pods: 2 on cka-worker; expected all on cka-worker");
    assert!(
        !placement(
            &[&a, &b],
            &nodes,
            None,
            &Placement::NotOnNode("cka-worker".into())
        )
        .pass
    );
    assert!(
        placement(
            &[&a],
            &nodes,
            None,
            &Placement::OnNodesWithLabels(vec![("disk".into(), "ssd".into())])
        )
        .pass
    );
    let c = web("web-3", "cka-worker2");
    let v = placement(
        &[&a, &c],
        &nodes,
        None,
        &Placement::OnNodesWithLabels(vec![("disk".into(), "ssd".into())]),
    );
    assert!(!v.pass);
    assert!(
        v.found.ends_with("not labelled so: 'cka-worker2'"),
        "{}",
        v.found
    );
}

#[test]
fn pending_pods_and_no_pods_fail_every_placement() {
    let mut p = web("web-1", "");
    p["spec"].as_object_mut().unwrap().remove("nodeName");
    let v = placement(&[&p], &[], None, &Placement::NotOnNode("x".into()));
    assert!(!v.pass);
    assert_eq!(v.found, "not scheduled onto any node: 'web/web-1'");
    assert!(!placement(&[], &[], None, &Placement::DistinctNodes).pass);
}

#[test]
fn distinct_nodes() {
    let (a, b, c) = (
        web("web-1", "cka-worker"),
        web("web-2", "cka-worker2"),
        web("web-3", "cka-worker"),
    );
    assert!(placement(&[&a, &b], &[], None, &Placement::DistinctNodes).pass);
    let v = placement(&[&a, &b, &c], &[], None, &Placement::DistinctNodes);
    assert!(!v.pass);
    assert_eq!(
        v.found,
        "pods: 2 on cka-worker, 1 on cka-worker2; more than one pod on 'cka-worker'"
    );
}

#[test]
fn every_node_the_template_allows() {
    let nodes = [control_plane(), worker(), worker2()];
    let nodes: Vec<&Value> = nodes.iter().collect();
    // A DaemonSet template with no toleration of its own: the control plane and the batch node
    // refuse it, so one pod on cka-worker covers every allowed node.
    let template = json!({"containers": [{"image": "fluentd:v1", "name": "agent"}]});
    let a = pod(
        "logs",
        "agent-1",
        "cka-worker",
        Some(("DaemonSet", "agent")),
        "Running",
    );
    let v = placement(&[&a], &nodes, Some(&template), &Placement::EveryAllowedNode);
    assert!(v.pass, "{}", v.found);
    assert_eq!(
        v.found,
        "pods: 1 on cka-worker; allowed nodes: 'cka-worker'"
    );

    // Tolerating the control-plane taint adds that node.
    let tolerant = json!({"containers": [], "tolerations": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}
    ]});
    let v = placement(&[&a], &nodes, Some(&tolerant), &Placement::EveryAllowedNode);
    assert!(!v.pass);
    assert!(
        v.found.ends_with("; no pod on 'cka-control-plane'"),
        "{}",
        v.found
    );

    // A pod on a node the template does not allow (bound there by nodeName) is reported.
    let b = pod("logs", "agent-2", "cka-worker2", None, "Running");
    let v = placement(
        &[&a, &b],
        &nodes,
        Some(&template),
        &Placement::EveryAllowedNode,
    );
    assert!(!v.pass);
    assert!(
        v.found.ends_with("pods on nodes the spec does not allow: cka-worker2 (taint workload=batch:NoSchedule is not tolerated)"),
        "{}",
        v.found
    );
}

#[test]
fn daemon_pods_go_onto_cordoned_nodes() {
    let nodes = [control_plane(), cordoned_worker(), worker2()];
    let nodes: Vec<&Value> = nodes.iter().collect();
    let template = json!({"containers": [{"image": "fluentd:v1", "name": "agent"}], "tolerations": [
        {"key": "workload", "operator": "Equal", "value": "batch", "effect": "NoSchedule"}
    ]});
    let a = pod(
        "logs",
        "agent-1",
        "cka-worker",
        Some(("DaemonSet", "agent")),
        "Running",
    );
    let b = pod(
        "logs",
        "agent-2",
        "cka-worker2",
        Some(("DaemonSet", "agent")),
        "Running",
    );
    let v = placement(
        &[&a, &b],
        &nodes,
        Some(&template),
        &Placement::EveryAllowedNode,
    );
    assert!(!v.pass, "a plain template does not go onto a cordoned node");
    let spec = daemonset_pod_spec(&template);
    let v = placement(&[&a, &b], &nodes, Some(&spec), &Placement::EveryAllowedNode);
    assert!(v.pass, "{}", v.found);
    assert_eq!(
        v.found,
        "pods: 1 on cka-worker, 1 on cka-worker2; allowed nodes: 'cka-worker', 'cka-worker2'"
    );
}

#[test]
fn no_execute_taints_refuse_and_an_empty_value_matches_a_valueless_taint() {
    let gpu = node(
        "gpu-node",
        &[],
        &json!([{"effect": "NoExecute", "key": "gpu"}]),
        true,
        false,
    );
    let plain = json!({"containers": []});
    assert_eq!(
        refusal(&plain, &gpu).as_deref(),
        Some("taint gpu:NoExecute is not tolerated")
    );
    // `operator: Equal` with no value tolerates a taint without value.
    let equal =
        json!({"tolerations": [{"key": "gpu", "operator": "Equal", "effect": "NoExecute"}]});
    assert_eq!(refusal(&equal, &gpu), None);
    // A NoSchedule toleration does not cover a NoExecute taint.
    let wrong_effect =
        json!({"tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]});
    assert!(refusal(&wrong_effect, &gpu).is_some());
}
