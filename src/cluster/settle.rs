//! After a setup is applied, before the clock starts: the pods its
//! workloads bring up, followed until each is ready or has settled into
//! the state the scenario may be about (an image that cannot be pulled, a
//! crash loop, a pod the namespace's policy refuses), with a line whenever
//! that changes. Bounded: a cluster that is slow to pull images does not
//! hold the exam back for long.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::failure::What;
use super::{Cluster, SetupObject, collection_path};
use crate::kind::Kind;

/// Container waiting reasons that will not change by waiting longer.
const STUCK: [&str; 8] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

/// How often the pods are looked at while they start.
const EVERY: Duration = Duration::from_millis(500);

/// Pods the setup's workloads should bring up, per namespace: one per Pod,
/// `spec.replicas` (default 1) per Deployment, ReplicaSet or StatefulSet.
pub fn expected_pods(objects: &[SetupObject]) -> BTreeMap<String, usize> {
    let mut expected = BTreeMap::new();
    for o in objects {
        let Some(ns) = &o.namespace else { continue };
        let count = match o.kind.as_str() {
            "Pod" => 1,
            "Deployment" | "ReplicaSet" | "StatefulSet" => o
                .value
                .pointer("/spec/replicas")
                .and_then(Value::as_u64)
                .map_or(1, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            _ => continue,
        };
        *expected.entry(ns.clone()).or_insert(0) += count;
    }
    expected.retain(|_, n| *n > 0);
    expected
}

/// Where the pods of one namespace stand.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pods {
    pub ready: usize,
    /// Waiting for a reason that waiting will not change, by reason.
    pub stuck: BTreeMap<String, usize>,
    pub starting: usize,
    /// A ReplicaSet that cannot create its pods (e.g. refused by Pod Security).
    pub refused: bool,
}

impl Pods {
    /// From the namespace's pods and ReplicaSets (`items` of each list).
    pub fn read(pods: &[Value], replica_sets: &[Value]) -> Pods {
        let mut out = Pods::default();
        for pod in pods {
            if pod.pointer("/metadata/deletionTimestamp").is_some() {
                continue;
            }
            if is_ready(pod) {
                out.ready += 1;
            } else if let Some(reason) = stuck_reason(pod) {
                *out.stuck.entry(reason).or_insert(0) += 1;
            } else {
                out.starting += 1;
            }
        }
        out.refused = replica_sets.iter().any(|rs| {
            condition(rs, "ReplicaFailure")
                .is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
        });
        out
    }

    fn settled(&self, expected: usize) -> bool {
        self.starting == 0
            && (self.refused || self.ready + self.stuck.values().sum::<usize>() >= expected)
    }

    /// `pods in x: 1 of 2 ready, 1 ImagePullBackOff`.
    pub fn line(&self, ns: &str, expected: usize) -> String {
        let mut parts = vec![format!("pods in {ns}: {} of {expected} ready", self.ready)];
        parts.extend(self.stuck.iter().map(|(reason, n)| format!("{n} {reason}")));
        if self.starting > 0 {
            parts.push(format!("{} starting", self.starting));
        }
        let mut line = parts.join(", ");
        if self.refused {
            line.push_str(", pods refused (see 'kubectl describe replicaset')");
        }
        line
    }
}

fn condition<'a>(o: &'a Value, kind: &str) -> Option<&'a Value> {
    o.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

fn is_ready(pod: &Value) -> bool {
    condition(pod, "Ready").is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
}

/// Why a pod will not become ready by waiting: it ended, a container is
/// stuck, or no node takes it — the scheduler found none (`Unschedulable`),
/// or it waits for a scheduler other than kube-scheduler's
/// `default-scheduler`, which a setup of broken pods names on purpose (one
/// the setup installs itself would still bind them after the clock starts).
fn stuck_reason(pod: &Value) -> Option<String> {
    if let Some(phase @ ("Failed" | "Succeeded")) =
        pod.pointer("/status/phase").and_then(Value::as_str)
    {
        return Some(phase.to_string());
    }
    if pod.pointer("/spec/nodeName").is_none() {
        let verdict = condition(pod, "PodScheduled");
        if verdict
            .and_then(|c| c.get("reason"))
            .and_then(Value::as_str)
            == Some("Unschedulable")
        {
            return Some("Unschedulable".into());
        }
        let scheduler = pod.pointer("/spec/schedulerName").and_then(Value::as_str);
        if verdict.is_none() && scheduler.is_some_and(|s| s != "default-scheduler") {
            return Some("not scheduled".into());
        }
    }
    // An init container stuck the same way holds the pod before its
    // containers exist.
    ["/status/initContainerStatuses", "/status/containerStatuses"]
        .iter()
        .filter_map(|p| pod.pointer(p)?.as_array())
        .flatten()
        .find_map(|s| {
            let reason = s.pointer("/state/waiting/reason")?.as_str()?;
            STUCK.contains(&reason).then(|| reason.to_string())
        })
}

/// Follows the pods of `expected` until all have settled or `limit` has
/// passed, one line through `log` whenever a namespace's pods change. Never
/// fails: a list that cannot be read ends the wait with a line saying so.
pub async fn wait_for_pods(
    cluster: &Cluster,
    expected: &BTreeMap<String, usize>,
    limit: Duration,
    log: &mut (dyn FnMut(String) + Send),
) {
    if expected.is_empty() {
        return;
    }
    let deadline = Instant::now() + limit;
    let mut shown: BTreeMap<&str, String> = BTreeMap::new();
    loop {
        let mut all_settled = true;
        for (ns, &want) in expected {
            let pods = match read(cluster, ns).await {
                Ok(p) => p,
                Err(reason) => {
                    log(format!("not waiting for the pods in {ns}: {reason}"));
                    return;
                }
            };
            let line = pods.line(ns, want);
            if shown.get(ns.as_str()) != Some(&line) {
                log(line.clone());
                shown.insert(ns, line);
            }
            all_settled &= pods.settled(want);
        }
        if all_settled {
            return;
        }
        if Instant::now() >= deadline {
            log(format!(
                "pods still starting after {} s: the exam starts now, they go on starting",
                limit.as_secs()
            ));
            return;
        }
        tokio::time::sleep(EVERY).await;
    }
}

async fn read(cluster: &Cluster, ns: &str) -> Result<Pods, String> {
    let mut lists = Vec::new();
    for kind in [Kind::Pod, Kind::ReplicaSet] {
        let what = What::List {
            kind,
            namespace: Some(ns.to_string()),
        };
        let api = kind.api();
        let path = collection_path(api.group, api.version, api.plural, Some(ns));
        let list = cluster.get_json(&path, &what).await?;
        lists.push(
            list.get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
    }
    Ok(Pods::read(&lists[0], &lists[1]))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod(ready: bool, waiting: Option<&str>) -> Value {
        let mut p = json!({"status": {"phase": "Pending",
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}});
        if let Some(reason) = waiting {
            p["status"]["containerStatuses"] =
                json!([{"name": "c", "state": {"waiting": {"reason": reason}}}]);
        }
        p
    }

    #[test]
    fn pods_are_ready_stuck_or_starting_and_a_line_says_which() {
        let pods = [
            pod(true, None),
            pod(false, Some("ImagePullBackOff")),
            pod(false, Some("ContainerCreating")),
        ];
        let read = Pods::read(&pods, &[]);
        assert_eq!(
            read.line("web", 3),
            "pods in web: 1 of 3 ready, 1 ImagePullBackOff, 1 starting"
        );
        assert!(!read.settled(3));
        let read = Pods::read(&pods[..2], &[]);
        assert_eq!(
            read.line("web", 2),
            "pods in web: 1 of 2 ready, 1 ImagePullBackOff"
        );
        assert!(read.settled(2));
        // Fewer pods than expected: not settled, unless their ReplicaSet is refused.
        assert!(!Pods::read(&pods[..1], &[]).settled(2));
        let refused = json!({"status": {"conditions": [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate"}]}});
        let read = Pods::read(&[], &[refused]);
        assert!(read.settled(2));
        assert_eq!(
            read.line("psa", 2),
            "pods in psa: 0 of 2 ready, pods refused (see 'kubectl describe replicaset')"
        );
    }

    #[test]
    fn a_crash_looping_init_container_has_settled() {
        let init = json!({"spec": {"nodeName": "cka-worker"}, "status": {"phase": "Pending",
            "initContainerStatuses": [{"name": "wait", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}],
            "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]}});
        let read = Pods::read(&[init], &[]);
        assert_eq!(
            read.line("m2", 1),
            "pods in m2: 0 of 1 ready, 1 CrashLoopBackOff"
        );
        assert!(read.settled(1));
    }

    #[test]
    fn pods_no_node_takes_have_settled_as_pending() {
        let unschedulable = json!({"spec": {"schedulerName": "default-scheduler"}, "status": {"phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                            "message": "0/3 nodes are available: 3 Insufficient cpu."}]}});
        let other_scheduler =
            json!({"spec": {"schedulerName": "batch-scheduler"}, "status": {"phase": "Pending"}});
        let queued =
            json!({"spec": {"schedulerName": "default-scheduler"}, "status": {"phase": "Pending"}});
        let read = Pods::read(&[unschedulable, other_scheduler, queued.clone()], &[]);
        assert_eq!(
            read.line("tshoot", 3),
            "pods in tshoot: 0 of 3 ready, 1 Unschedulable, 1 not scheduled, 1 starting"
        );
        // Bound to a node, a pod is the kubelet's to start, whatever its scheduler.
        let mut bound = queued;
        bound["spec"]["nodeName"] = json!("cka-worker");
        bound["spec"]["schedulerName"] = json!("batch-scheduler");
        assert_eq!(Pods::read(&[bound], &[]).starting, 1);
    }

    #[test]
    fn the_setup_says_how_many_pods_to_expect() {
        let object = |kind: &str, ns: Option<&str>, value: Value| SetupObject {
            origin: "x".into(),
            api_version: "v1".into(),
            kind: kind.into(),
            name: "n".into(),
            namespace: ns.map(str::to_string),
            value,
            declared: false,
        };
        let objects = [
            object("Namespace", None, json!({})),
            object("Pod", Some("a"), json!({})),
            object("Deployment", Some("a"), json!({"spec": {"replicas": 2}})),
            object("StatefulSet", Some("b"), json!({"spec": {}})),
            object("Deployment", Some("c"), json!({"spec": {"replicas": 0}})),
            object("ConfigMap", Some("c"), json!({})),
        ];
        assert_eq!(
            expected_pods(&objects),
            BTreeMap::from([("a".to_string(), 3), ("b".to_string(), 1)])
        );
    }
}
