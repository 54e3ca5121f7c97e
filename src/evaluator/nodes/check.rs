//! The node and scheduling checks in a rubric: `node`, `drained`, `placement` and `static_pod`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::placement::{Placement, placement};
use super::scheduling::daemonset_pod_spec;
use super::{Taint, drained, labels, only_node, ready, schedulable, static_pod, taints};
use crate::evaluator::objects::values;
use crate::evaluator::pod_security::needs_kind;
use crate::evaluator::syntax::{flag, no_object};
use crate::evaluator::{
    Evaluator, EvaluatorCheck, Get, Input, Problem, TargetUse, Verdict, objects,
};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::{Object, Snapshot};

fn taint_list(list: Option<Vec<Spanned<String>>>) -> Result<Vec<Taint>, Problem> {
    list.unwrap_or_default()
        .iter()
        .map(|t| {
            t.get_ref()
                .parse()
                .map_err(|e: super::scheduling::TaintError| Problem::new(t.span(), e.to_string()))
        })
        .collect()
}

fn pairs(map: Option<BTreeMap<String, String>>) -> Vec<(String, String)> {
    map.unwrap_or_default().into_iter().collect()
}

fn shown(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `node = { ready, schedulable, taints_include = ["k=v:NoSchedule"], taints_exclude, labels }`
pub struct NodeState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeFile {
    #[serde(default)]
    ready: Option<bool>,
    #[serde(default)]
    schedulable: Option<bool>,
    #[serde(default)]
    taints_include: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    taints_exclude: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    only_node: bool,
}

#[derive(Debug)]
struct NodeCheck {
    ready: Option<bool>,
    schedulable: Option<bool>,
    include: Vec<Taint>,
    exclude: Vec<Taint>,
    labels: Vec<(String, String)>,
    /// No other node carries `include` taints or `labels`.
    only_node: bool,
}

impl Evaluator for NodeState {
    fn key(&self) -> &'static str {
        "node"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: NodeFile = input.deserialize()?;
        let check = NodeCheck {
            ready: f.ready,
            schedulable: f.schedulable,
            include: taint_list(f.taints_include)?,
            exclude: taint_list(f.taints_exclude)?,
            labels: pairs(f.labels),
            only_node: f.only_node,
        };
        if check.only_node && check.include.is_empty() && check.labels.is_empty() {
            return Err(Problem::new(
                input.span(),
                "node: only_node needs taints_include or labels to be the only node with",
            ));
        }
        if check.ready.is_none()
            && check.schedulable.is_none()
            && check.include.is_empty()
            && check.exclude.is_empty()
            && check.labels.is_empty()
        {
            return Err(Problem::new(
                input.span(),
                "node: say what to check (ready, schedulable, taints_include, taints_exclude, labels)",
            ));
        }
        Ok(Arc::new(check))
    }
}

impl EvaluatorCheck for NodeCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(target, |k| k == Kind::Node, "node", "Nodes")
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.ready {
            parts.push(if r { "Ready" } else { "not Ready" }.to_owned());
        }
        if let Some(s) = self.schedulable {
            parts.push(if s { "schedulable" } else { "cordoned" }.to_owned());
        }
        let list = |t: &[Taint]| {
            t.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.include.is_empty() {
            parts.push(format!("tainted {}", list(&self.include)));
        }
        if !self.exclude.is_empty() {
            parts.push(format!("not tainted {}", list(&self.exclude)));
        }
        if !self.labels.is_empty() {
            parts.push(format!("labelled {}", shown(&self.labels)));
        }
        if self.only_node {
            parts.push("and no other node is".to_owned());
        }
        format!("{}: {}", subject.unwrap_or_default(), parts.join(", "))
    }

    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        if self.only_node {
            vec![(Kind::Node, None)]
        } else {
            Vec::new()
        }
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(o) = object else {
            return no_object();
        };
        let node = &o.value;
        let mut parts = Vec::new();
        if let Some(r) = self.ready {
            parts.push(ready(node, r));
        }
        if let Some(s) = self.schedulable {
            parts.push(schedulable(node, s));
        }
        if !self.include.is_empty() || !self.exclude.is_empty() {
            parts.push(taints(node, &self.include, &self.exclude));
        }
        if !self.labels.is_empty() {
            parts.push(labels(node, &self.labels));
        }
        if self.only_node {
            let nodes = values(snapshot, Kind::Node, None);
            parts.push(only_node(node, &nodes, &self.include, &self.labels));
        }
        objects::all(&parts)
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        match target {
            Some(get) if !name_of(get.target).is_empty() => {
                format!("kubectl describe node {}", name_of(get.target))
            }
            Some(get) => format!("{} --show-labels", get.command),
            None => String::new(),
        }
    }

    fn named_values(&self) -> Vec<String> {
        let taints = self.include.iter().chain(&self.exclude);
        taints
            .map(ToString::to_string)
            .chain(self.labels.iter().map(|(k, v)| format!("{k}={v}")))
            .collect()
    }
}

fn name_of(t: &Target) -> String {
    match &t.select {
        crate::library::rubric::Selection::Name(n) => n.clone(),
        _ => String::new(),
    }
}

/// `drained = true`: the node is cordoned and only DaemonSet and mirror pods are left on it.
pub struct Drained;

#[derive(Debug)]
struct DrainedCheck;

impl Evaluator for Drained {
    fn key(&self) -> &'static str {
        "drained"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        flag(
            input,
            "drained = false checks nothing; to check an uncordoned node write node = { schedulable = true }",
        )?;
        Ok(Arc::new(DrainedCheck))
    }
}

impl EvaluatorCheck for DrainedCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(target, |k| k == Kind::Node, "drained", "Nodes")
    }

    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::Pod, None)]
    }

    fn expected(&self, subject: Option<&str>) -> String {
        format!(
            "{}: drained (cordoned; only DaemonSet and mirror pods left)",
            subject.unwrap_or_default()
        )
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(o) = object else {
            return no_object();
        };
        drained(&o.value, &values(snapshot, Kind::Pod, None))
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        target.map_or_else(String::new, |get| {
            format!(
                "kubectl get pods -A -o wide --field-selector spec.nodeName={}",
                name_of(get.target)
            )
        })
    }
}

/// `placement = { on_node = "n" | not_on_node = "n" | on_nodes_labelled = { k = "v" } |
/// distinct_nodes = true | every_allowed_node = true }` on pods.
pub struct PlacementOf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacementFile {
    #[serde(default)]
    on_node: Option<String>,
    #[serde(default)]
    not_on_node: Option<String>,
    #[serde(default)]
    on_nodes_labelled: Option<BTreeMap<String, String>>,
    #[serde(default)]
    distinct_nodes: Option<bool>,
    #[serde(default)]
    every_allowed_node: Option<bool>,
}

#[derive(Debug)]
struct PlacementCheck(Placement);

impl Evaluator for PlacementOf {
    fn key(&self) -> &'static str {
        "placement"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: PlacementFile = input.deserialize()?;
        let mut found = Vec::new();
        found.extend(f.on_node.map(Placement::OnNode));
        found.extend(f.not_on_node.map(Placement::NotOnNode));
        found.extend(
            f.on_nodes_labelled
                .map(|l| Placement::OnNodesWithLabels(pairs(Some(l)))),
        );
        found.extend(
            f.distinct_nodes
                .filter(|d| *d)
                .map(|_| Placement::DistinctNodes),
        );
        found.extend(
            f.every_allowed_node
                .filter(|d| *d)
                .map(|_| Placement::EveryAllowedNode),
        );
        match <[Placement; 1]>::try_from(found) {
            Ok([p]) => Ok(Arc::new(PlacementCheck(p))),
            Err(_) => Err(Problem::new(
                input.span(),
                "placement: give exactly one of on_node, not_on_node, on_nodes_labelled, distinct_nodes = true, every_allowed_node = true",
            )),
        }
    }
}

/// The pod spec that decides where a pod may go: its controller's template (with the
/// tolerations the DaemonSet controller adds, for a DaemonSet's pod), else its own spec.
fn scheduling_spec(pod: &Object, snapshot: &Snapshot) -> Option<Value> {
    let owner = objects::controller_of(&pod.value).and_then(|(kind, name, _)| {
        let kind = Kind::from_api_kind(kind).filter(|k| k.has_pod_spec())?;
        snapshot.get(kind, pod.namespace.as_deref(), name)
    });
    match owner {
        Some(o) => {
            let spec = crate::pod_security::pod_template(&o.value)?.1;
            Some(if o.kind == Kind::DaemonSet {
                daemonset_pod_spec(spec)
            } else {
                spec.clone()
            })
        }
        None => pod.value.get("spec").cloned(),
    }
}

impl EvaluatorCheck for PlacementCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::Pod,
            "placement",
            "pods (by selector or pods_of)",
        )
    }

    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        let mut reads = vec![(Kind::Node, None)];
        if self.0 == Placement::EveryAllowedNode {
            let ns = target.and_then(|t| t.namespace.clone());
            for kind in [
                Kind::ReplicaSet,
                Kind::DaemonSet,
                Kind::StatefulSet,
                Kind::Job,
            ] {
                reads.push((kind, ns.clone()));
            }
        }
        reads
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let s = subject.unwrap_or_default();
        match &self.0 {
            Placement::OnNode(n) => format!("{s}: on node {n}"),
            Placement::NotOnNode(n) => format!("{s}: none on node {n}"),
            Placement::OnNodesWithLabels(l) => format!("{s}: on nodes labelled {}", shown(l)),
            Placement::DistinctNodes => format!("{s}: each on a different node"),
            Placement::EveryAllowedNode => {
                format!("{s}: on every node its taints, tolerations and node affinity allow")
            }
        }
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let objects: Vec<&Object> = object.into_iter().collect();
        self.judge_set(&objects, snapshot)
            .unwrap_or_else(|| Verdict::new(false, "no pods"))
    }

    fn judge_set(&self, objects: &[&Object], snapshot: &Snapshot) -> Option<Verdict> {
        let pods: Vec<&Value> = objects.iter().map(|o| &o.value).collect();
        let nodes = values(snapshot, Kind::Node, None);
        let spec = match &self.0 {
            Placement::EveryAllowedNode => {
                objects.first().and_then(|p| scheduling_spec(p, snapshot))
            }
            _ => None,
        };
        Some(placement(&pods, &nodes, spec.as_ref(), &self.0))
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        target.map_or_else(String::new, |get| format!("{} -o wide", get.command))
    }

    fn named_values(&self) -> Vec<String> {
        match &self.0 {
            Placement::OnNode(n) | Placement::NotOnNode(n) => vec![n.clone()],
            Placement::OnNodesWithLabels(l) => vec![shown(l)],
            Placement::DistinctNodes | Placement::EveryAllowedNode => Vec::new(),
        }
    }
}

/// `static_pod = { name = "web", node = "kind-worker", namespace = "default", running = true }`
pub struct StaticPod;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StaticPodCheck {
    name: String,
    node: String,
    #[serde(default = "default_namespace")]
    namespace: String,
    #[serde(default = "yes")]
    running: bool,
}

fn default_namespace() -> String {
    "default".to_owned()
}

fn yes() -> bool {
    true
}

impl Evaluator for StaticPod {
    fn key(&self) -> &'static str {
        "static_pod"
    }

    fn target(&self) -> TargetUse {
        TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        Ok(Arc::new(input.deserialize::<StaticPodCheck>()?))
    }
}

impl EvaluatorCheck for StaticPodCheck {
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::Pod, Some(self.namespace.clone()))]
    }

    fn expected(&self, _subject: Option<&str>) -> String {
        format!(
            "static pod {} on node {} (mirror pod {}/{}-{}){}",
            self.name,
            self.node,
            self.namespace,
            self.name,
            self.node,
            if self.running {
                ", Running and Ready"
            } else {
                ""
            }
        )
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let pods = values(snapshot, Kind::Pod, Some(&self.namespace));
        static_pod(&pods, &self.namespace, &self.name, &self.node, self.running)
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        format!(
            "kubectl get pod -n {} {}-{} -o wide",
            self.namespace, self.name, self.node
        )
    }

    fn named_values(&self) -> Vec<String> {
        vec![self.name.clone(), self.node.clone()]
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::{cluster_pods, control_plane, cordoned_worker, pod, worker2};
    use crate::evaluator::testing;
    use crate::report::Status;

    const WORKER2: &str = r#"target = { kind = "Node", name = "cka-worker2" }"#;

    fn cluster(extra: &[serde_json::Value]) -> crate::snapshot::Snapshot {
        let mut all = vec![control_plane(), cordoned_worker(), worker2()];
        all.extend(cluster_pods());
        all.extend(extra.iter().cloned());
        testing::snapshot(&all)
    }

    #[test]
    fn node_taints_and_labels_through_a_rubric() {
        let body = format!(
            "{WORKER2}\nnode = {{ ready = true, schedulable = true, taints_include = [\"workload=batch:NoSchedule\"], labels = {{ workload = \"batch\" }} }}"
        );
        let r = testing::grade(&["batch"], &body, &cluster(&[]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(r.inspect, "kubectl describe node cka-worker2");
        let body =
            format!("{WORKER2}\nnode = {{ taints_exclude = [\"workload=batch:NoSchedule\"] }}");
        let r = testing::grade(&["batch"], &body, &cluster(&[]));
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.actual,
            "node cka-worker2 has taints 'workload=batch:NoSchedule'; should not have 'workload=batch:NoSchedule'"
        );
    }

    #[test]
    fn only_one_node_tainted_and_labelled() {
        let body = format!(
            "{WORKER2}\nnode = {{ taints_include = [\"workload=batch:NoSchedule\"], labels = {{ workload = \"batch\" }}, only_node = true }}"
        );
        let r = testing::grade(&["batch"], &body, &cluster(&[]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert!(
            r.actual.ends_with("no other node has them (3 nodes)"),
            "{}",
            r.actual
        );
        let mut also = control_plane();
        also["metadata"]["labels"]["workload"] = json!("batch");
        let snap = testing::snapshot(&[also, worker2()]);
        let r = testing::grade(&["batch"], &body, &snap);
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.actual
                .starts_with("node cka-control-plane also has workload=batch"),
            "{}",
            r.actual
        );
        let err = testing::check(
            &["batch"],
            &format!("{WORKER2}\nnode = {{ ready = true, only_node = true }}"),
        )
        .unwrap_err();
        assert!(
            err[0].ends_with("only_node needs taints_include or labels to be the only node with"),
            "{err:?}"
        );
    }

    #[test]
    fn node_misuse_is_located() {
        let err = testing::check(
            &["batch"],
            &format!("{WORKER2}\nnode = {{ taints_include = [\"workload=batch\"] }}"),
        )
        .unwrap_err();
        assert!(
            err[0].starts_with("grading/t.toml:10:28: 'workload=batch' is not a taint"),
            "{err:?}"
        );
        let err = testing::check(&["batch"], &format!("{WORKER2}\nnode = {{ redy = true }}"))
            .unwrap_err();
        assert!(err[0].starts_with("grading/t.toml:10:"), "{err:?}");
        let err = testing::check(
            &["batch"],
            "target = { kind = \"Pod\", namespace = \"batch\", name = \"p\" }\ndrained = true",
        )
        .unwrap_err();
        assert!(
            err[0].ends_with("drained applies to Nodes, not to a Pod"),
            "{err:?}"
        );
        let err = testing::check(&["batch"], &format!("{WORKER2}\ndrained = false")).unwrap_err();
        assert!(err[0].contains("drained = false checks nothing"), "{err:?}");
    }

    #[test]
    fn drained_reads_every_pod() {
        let body = "target = { kind = \"Node\", name = \"cka-worker\" }\ndrained = true";
        let r = testing::grade(&["batch"], body, &cluster(&[]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        let left = pod(
            "batch",
            "worker-1",
            "cka-worker",
            Some(("ReplicaSet", "worker-5d8")),
            "Running",
        );
        let r = testing::grade(&["batch"], body, &cluster(&[left]));
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.actual.ends_with("1 pod(s) still on it: batch/worker-1"),
            "{}",
            r.actual
        );
        let mut snap = cluster(&[]);
        snap.mark_unavailable(crate::kind::Kind::Pod, None, "forbidden".into());
        assert_eq!(
            testing::grade(&["batch"], body, &snap).status,
            Status::Error
        );
    }

    #[test]
    fn placement_of_a_daemonset_on_every_allowed_node() {
        let ds = json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "batch", "uid": "uid-agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"image": "fluentd:v1", "name": "agent"}], "tolerations": [
                    {"key": "workload", "operator": "Exists", "effect": "NoSchedule"}
                ]}
            }}
        });
        let labelled = |mut p: serde_json::Value| {
            p["metadata"]["labels"] = json!({"app": "agent"});
            p
        };
        let a = labelled(pod(
            "batch",
            "agent-a",
            "cka-worker",
            Some(("DaemonSet", "agent")),
            "Running",
        ));
        let b = labelled(pod(
            "batch",
            "agent-b",
            "cka-worker2",
            Some(("DaemonSet", "agent")),
            "Running",
        ));
        let body = "target = { kind = \"Pod\", namespace = \"batch\", pods_of = \"DaemonSet/agent\" }\nplacement = { every_allowed_node = true }";
        let r = testing::grade(&["batch"], body, &cluster(&[ds.clone(), a.clone(), b]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.actual,
            "pods: 1 on cka-worker, 1 on cka-worker2; allowed nodes: 'cka-worker', 'cka-worker2'"
        );
        let r = testing::grade(&["batch"], body, &cluster(&[ds, a]));
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.actual.ends_with("no pod on 'cka-worker2'"),
            "{}",
            r.actual
        );
    }

    #[test]
    fn placement_takes_exactly_one_rule() {
        let err = testing::check(&["batch"], "target = { kind = \"Pod\", namespace = \"batch\", selector = \"app=x\" }\nplacement = { on_node = \"a\", distinct_nodes = true }").unwrap_err();
        assert!(
            err[0].starts_with("grading/t.toml:10:13: placement: give exactly one of"),
            "{err:?}"
        );
    }

    #[test]
    fn static_pod_in_kube_system() {
        let body = "static_pod = { name = \"etcd\", node = \"cka-control-plane\", namespace = \"kube-system\" }";
        let r = testing::grade(&["batch"], body, &cluster(&[]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.expected,
            "static pod etcd on node cka-control-plane (mirror pod kube-system/etcd-cka-control-plane), Running and Ready"
        );
        assert_eq!(
            r.inspect,
            "kubectl get pod -n kube-system etcd-cka-control-plane -o wide"
        );
        let body = "static_pod = { name = \"web\", node = \"cka-worker\" }";
        let r = testing::grade(&["batch"], body, &cluster(&[]));
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.actual,
            "no pod default/web-cka-worker: no static pod web on node cka-worker"
        );
    }
}
