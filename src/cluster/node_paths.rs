//! The directories a scenario's pods make on the nodes (`node_paths`, e.g.
//! a `hostPath` `PersistentVolume`), removed by `reset` before the scenario's
//! namespaces go: on every node, a pod in the scenario's first namespace
//! mounts each path's parent (hostPath of type `Directory`, so nothing is
//! created where it is missing) and removes the path inside. The namespace
//! deletion that follows takes the pods with it. A path that cannot be
//! cleaned is reported, one line, and never stops the reset.

use std::time::Duration;

use kube::api::{GetParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::failure::{Failed, What, seconds};
use super::setup::FIELD_MANAGER;
use super::teardown::plural;
use super::{Cluster, collection_path};
use crate::library::Scenario;

/// What removes the paths: a busybox that every setup already pulls.
pub const IMAGE: &str = "busybox:1.36";
/// The label of the cleanup pods.
pub const LABEL: &str = "ckasim.dev/node-paths";
/// The cleanup pods' names: this, then what the API server generates.
pub const NAME_PREFIX: &str = "ckasim-node-paths-";
/// The bound on the whole cleanup (also never longer than the cluster's wait).
const LIMIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(500);

/// Removes each path given as an argument and writes, one line per path,
/// `<index> removed|absent|failed <why>` where the kubelet reads the
/// container's termination message. Paths are arguments, never spliced
/// into the script.
const SCRIPT: &str = r#"i=0
rc=0
for p in "$@"; do
  if [ -e "$p" ] || [ -L "$p" ]; then
    if out=$(rm -rf -- "$p" 2>&1); then echo "$i removed"; else echo "$i failed $out" | head -n 1; rc=1; fi
  else
    echo "$i absent"
  fi
  i=$((i+1))
done >/dev/termination-log
exit $rc
"#;

/// What became of one path on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Removed,
    /// Neither it nor (for a missing parent) its parent was there.
    Absent,
    Failed(String),
}

/// The cleanup pod of one node and, once known, what it did to each path.
struct Cleaning {
    node: String,
    pod: Option<String>,
    outcomes: Option<Vec<Outcome>>,
}

/// Removes the scenario's node paths from every node, a line per path
/// through `log`. Nothing is done when the scenario declares none.
pub async fn clean(cluster: &Cluster, scenario: &Scenario, log: &mut (dyn FnMut(String) + Send)) {
    let paths = &scenario.node_paths;
    let Some(namespace) = scenario.namespaces.first() else {
        return;
    };
    if paths.is_empty() {
        return;
    }
    let deadline = Instant::now() + LIMIT.min(cluster.wait);
    let everywhere = |reason: &str, log: &mut (dyn FnMut(String) + Send)| {
        for p in paths {
            log(format!("could not clean {p}: {reason}"));
        }
    };
    let nodes = match node_names(cluster).await {
        Ok(nodes) if nodes.is_empty() => {
            everywhere("the cluster lists no nodes", log);
            return;
        }
        Ok(nodes) => nodes,
        Err(reason) => {
            everywhere(&reason, log);
            return;
        }
    };
    if let Err(reason) = ensure_namespace(cluster, namespace, &scenario.id, log).await {
        everywhere(&reason, log);
        return;
    }
    log(format!(
        "removing {} from {} (a {IMAGE} pod on each, in namespace {namespace})",
        paths.join(", "),
        plural(nodes.len(), "node")
    ));
    let mut cleanings = Vec::with_capacity(nodes.len());
    for node in nodes {
        let pod = cleanup_pod(namespace, &node, paths);
        let (pod, outcomes) = match create_pod(cluster, namespace, &pod, deadline).await {
            Ok(name) => (Some(name), None),
            Err(reason) => (None, Some(vec![Outcome::Failed(reason); paths.len()])),
        };
        cleanings.push(Cleaning {
            node,
            pod,
            outcomes,
        });
    }
    follow(cluster, namespace, paths, &mut cleanings, deadline).await;
    for line in summary(paths, &cleanings) {
        log(line);
    }
}

/// The names of the cluster's nodes, in the API server's order.
async fn node_names(cluster: &Cluster) -> Result<Vec<String>, String> {
    let request = kube::core::Request::new("/api/v1/nodes")
        .list(&ListParams::default())
        .map_err(|e| e.to_string())?;
    let list = cluster
        .send(request, &What::Action("list the nodes".into()))
        .await
        .map_err(|f| f.reason)?;
    Ok(items(&list)
        .iter()
        .filter_map(|n| n.pointer("/metadata/name").and_then(Value::as_str))
        .map(str::to_string)
        .collect())
}

/// The namespace the cleanup pods run in, created when it is not there (it
/// is the scenario's own); one being deleted cannot take new pods.
async fn ensure_namespace(
    cluster: &Cluster,
    namespace: &str,
    id: &str,
    log: &mut (dyn FnMut(String) + Send),
) -> Result<(), String> {
    let namespaces = kube::core::Request::new("/api/v1/namespaces");
    let request = namespaces
        .get(namespace, &GetParams::default())
        .map_err(|e| e.to_string())?;
    let what = What::Action(format!("get namespace '{namespace}'"));
    match cluster.send(request, &what).await {
        Ok(ns) if ns.pointer("/metadata/deletionTimestamp").is_some() => Err(format!(
            "namespace '{namespace}' is still being deleted (by an interrupted reset?): 'ckasim reset {id}' again cleans it once the namespace is gone"
        )),
        Ok(_) => Ok(()),
        Err(Failed {
            code: Some(404), ..
        }) => {
            let object =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
            let request = namespaces
                .patch(
                    namespace,
                    &PatchParams::apply(FIELD_MANAGER).force(),
                    &Patch::Apply(&object),
                )
                .map_err(|e| e.to_string())?;
            let what = What::Action(format!("create namespace '{namespace}'"));
            cluster.send(request, &what).await.map_err(|f| f.reason)?;
            log(format!(
                "created namespace/{namespace} to run the node cleanup in"
            ));
            Ok(())
        }
        Err(f) => Err(f.reason),
    }
}

/// The pod that removes `paths` on `node`: placed there directly (no
/// scheduler, so a cordon does not matter), tolerating every taint, each
/// path's parent mounted at `/node/<index>`.
pub fn cleanup_pod(namespace: &str, node: &str, paths: &[String]) -> Value {
    let mut command: Vec<String> = vec!["sh".into(), "-c".into(), SCRIPT.into(), "sh".into()];
    let mut mounts = Vec::new();
    let mut volumes = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let (parent, name) = split(path);
        command.push(format!("/node/{i}/{name}"));
        mounts.push(json!({"name": format!("p{i}"), "mountPath": format!("/node/{i}")}));
        volumes.push(json!({"name": format!("p{i}"),
            "hostPath": {"path": parent, "type": "Directory"}}));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": NAME_PREFIX,
            "namespace": namespace,
            "labels": {LABEL: "clean", "app.kubernetes.io/managed-by": "ckasim"},
        },
        "spec": {
            "nodeName": node,
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 0,
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "tolerations": [{"operator": "Exists"}],
            "containers": [{
                "name": "clean",
                "image": IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "command": command,
                "volumeMounts": mounts,
                // A namespace with a quota admits only pods that say what they use.
                "resources": {
                    "requests": {"cpu": "10m", "memory": "16Mi"},
                    "limits": {"cpu": "100m", "memory": "32Mi"},
                },
            }],
            "volumes": volumes,
        },
    })
}

/// `/mnt/app-data` → (`/mnt`, `app-data`); node paths are validated to
/// have a parent other than `/`.
fn split(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some(("", name)) => ("/", name),
        Some((parent, name)) => (parent, name),
        None => (".", path),
    }
}

/// Creates a cleanup pod; its generated name, or why it could not be made.
/// A namespace created a moment ago may not have its `default`
/// ServiceAccount yet, which the API server's admission wants: retried.
async fn create_pod(
    cluster: &Cluster,
    namespace: &str,
    pod: &Value,
    deadline: Instant,
) -> Result<String, String> {
    let body = serde_json::to_vec(pod).map_err(|e| e.to_string())?;
    let params = PostParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PostParams::default()
    };
    let what = What::Action(format!("create a cleanup pod in namespace '{namespace}'"));
    loop {
        let request = kube::core::Request::new(collection_path("", "v1", "pods", Some(namespace)))
            .create(&params, body.clone())
            .map_err(|e| e.to_string())?;
        match cluster.send(request, &what).await {
            Ok(created) => {
                return created
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| "the API server returned a pod without a name".to_string());
            }
            Err(f)
                if f.code == Some(403)
                    && f.reason.contains("service account")
                    && Instant::now() + POLL < deadline =>
            {
                tokio::time::sleep(POLL).await;
            }
            Err(f) => return Err(without_generated_name(&f.reason)),
        }
    }
}

/// A refusal that names the pod (`pods "ckasim-node-paths-x7k2p" is
/// forbidden: …`) worded the same for every node, so that nodes refused
/// alike share one line.
fn without_generated_name(reason: &str) -> String {
    let Some(at) = reason.find(NAME_PREFIX) else {
        return reason.to_string();
    };
    let after = &reason[at + NAME_PREFIX.len()..];
    let end = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(after.len());
    format!("{}{NAME_PREFIX}…{}", &reason[..at], &after[end..])
}

/// Polls the cleanup pods until each has finished or cannot start, bounded
/// by `deadline`; a pod still running then is reported with its state.
async fn follow(
    cluster: &Cluster,
    namespace: &str,
    paths: &[String],
    cleanings: &mut [Cleaning],
    deadline: Instant,
) {
    let pods_request = || {
        kube::core::Request::new(collection_path("", "v1", "pods", Some(namespace)))
            .list(&ListParams::default().labels(&format!("{LABEL}=clean")))
    };
    let events_request = || {
        kube::core::Request::new(collection_path("", "v1", "events", Some(namespace)))
            .list(&ListParams::default().fields("reason=FailedMount"))
    };
    let mut seen: Vec<Value> = Vec::new();
    let mut unreadable = None;
    while cleanings.iter().any(|c| c.outcomes.is_none()) {
        let what = What::Action(format!("list the cleanup pods in namespace '{namespace}'"));
        match pods_request() {
            Ok(request) => match cluster.send(request, &what).await {
                Ok(list) => {
                    seen = items(&list).to_vec();
                    unreadable = None;
                }
                Err(f) => unreadable = Some(f.reason),
            },
            Err(e) => unreadable = Some(e.to_string()),
        }
        for c in cleanings.iter_mut().filter(|c| c.outcomes.is_none()) {
            let Some(name) = &c.pod else { continue };
            match seen.iter().find(|p| name_of(p) == name) {
                Some(pod) if finished(pod) => c.outcomes = Some(outcomes_of(pod, paths.len())),
                None if unreadable.is_none() => {
                    c.outcomes = Some(vec![
                        Outcome::Failed(format!(
                            "the cleanup pod {name} was deleted before it finished"
                        ));
                        paths.len()
                    ]);
                }
                // Still running, or the list could not be read this time.
                _ => {}
            }
        }
        if cleanings.iter().all(|c| c.outcomes.is_some()) {
            break;
        }
        // A parent missing on a node: the kubelet cannot mount it, says so
        // in an event, and the pod never starts.
        let what = What::Action(format!("list the events in namespace '{namespace}'"));
        if let Ok(request) = events_request()
            && let Ok(list) = cluster.send(request, &what).await
        {
            for c in cleanings.iter_mut().filter(|c| c.outcomes.is_none()) {
                let Some(name) = &c.pod else { continue };
                let missing = missing_parents(items(&list), name);
                if !missing.is_empty() {
                    c.outcomes = Some(unmountable(paths, &missing));
                }
            }
        }
        if Instant::now() + POLL >= deadline {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    let waited = seconds(LIMIT.min(cluster.wait));
    for c in cleanings.iter_mut().filter(|c| c.outcomes.is_none()) {
        let pod = c
            .pod
            .as_deref()
            .and_then(|name| seen.iter().find(|p| name_of(p) == name));
        let state = match (&unreadable, pod) {
            (Some(reason), _) => format!(" ({reason})"),
            (None, Some(pod)) => format!(" ({})", state_of(pod)),
            (None, None) => String::new(),
        };
        c.outcomes = Some(vec![
            Outcome::Failed(format!(
                "the cleanup pod did not finish within {waited}{state}"
            ));
            paths.len()
        ]);
    }
}

fn finished(pod: &Value) -> bool {
    matches!(
        pod.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    )
}

/// What a finished pod did to each path, from its termination message;
/// a path it says nothing about failed with the pod.
fn outcomes_of(pod: &Value, count: usize) -> Vec<Outcome> {
    let status = pod.pointer("/status/containerStatuses/0/state/terminated");
    let message = status
        .and_then(|t| t.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut outcomes = vec![None; count];
    for line in message.lines() {
        let mut words = line.splitn(3, ' ');
        let (Some(index), Some(word)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(slot) = index
            .parse::<usize>()
            .ok()
            .and_then(|i| outcomes.get_mut(i))
        else {
            continue;
        };
        *slot = match word {
            "removed" => Some(Outcome::Removed),
            "absent" => Some(Outcome::Absent),
            "failed" => Some(Outcome::Failed(
                words.next().unwrap_or("rm failed").to_string(),
            )),
            _ => continue,
        };
    }
    outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| Outcome::Failed(format!("the cleanup pod {}", failure_of(pod))))
        })
        .collect()
}

/// Why a pod ended without a word about a path: the kubelet's reason
/// (rejected by the node) or the container's exit.
fn failure_of(pod: &Value) -> String {
    let text = |p: &str| pod.pointer(p).and_then(Value::as_str).unwrap_or("");
    let phase = text("/status/phase");
    if !text("/status/reason").is_empty() {
        let message = text("/status/message");
        return format!(
            "{}: {}{}",
            phase.to_ascii_lowercase(),
            text("/status/reason"),
            if message.is_empty() {
                String::new()
            } else {
                format!(": {message}")
            }
        );
    }
    match pod.pointer("/status/containerStatuses/0/state/terminated") {
        Some(t) => format!(
            "exited with code {}{}",
            t.get("exitCode").and_then(Value::as_i64).unwrap_or(-1),
            t.get("reason")
                .and_then(Value::as_str)
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        None => format!("ended {phase} without a word"),
    }
}

/// `Pending, ImagePullBackOff: Back-off pulling image "busybox:1.36"`.
fn state_of(pod: &Value) -> String {
    let text = |p: &str| pod.pointer(p).and_then(Value::as_str).unwrap_or("");
    let phase = match text("/status/phase") {
        "" => "Pending",
        p => p,
    };
    let reason = text("/status/containerStatuses/0/state/waiting/reason");
    let message = text("/status/containerStatuses/0/state/waiting/message");
    match (reason, message) {
        ("", _) => format!("{phase}: the node's kubelet has not run it"),
        (r, "") => format!("{phase}, {r}"),
        (r, m) => format!("{phase}, {r}: {m}"),
    }
}

/// The volume indexes the kubelet could not mount in pod `name` because
/// the hostPath is not a directory on the node, from its `FailedMount`
/// events: `MountVolume.SetUp failed for volume "p0" : hostPath type check
/// failed: /mnt is not a directory`.
fn missing_parents(events: &[Value], name: &str) -> Vec<usize> {
    let mut missing: Vec<usize> = events
        .iter()
        .filter(|e| {
            e.pointer("/involvedObject/name").and_then(Value::as_str) == Some(name)
                && e.get("reason").and_then(Value::as_str) == Some("FailedMount")
        })
        .filter_map(|e| e.get("message").and_then(Value::as_str))
        .filter(|m| m.contains("hostPath type check failed"))
        .filter_map(|m| {
            let volume = m.split("volume \"").nth(1)?.split('"').next()?;
            volume.strip_prefix('p')?.parse().ok()
        })
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

/// A pod that cannot start because the parents `missing` are not on the
/// node: those paths are not there either; the others were not reached.
fn unmountable(paths: &[String], missing: &[usize]) -> Vec<Outcome> {
    let parents: Vec<&str> = missing
        .iter()
        .filter_map(|i| paths.get(*i))
        .map(|p| split(p).0)
        .collect();
    (0..paths.len())
        .map(|i| {
            if missing.contains(&i) {
                Outcome::Absent
            } else {
                Outcome::Failed(format!(
                    "the cleanup pod cannot start: {} is not a directory on the node",
                    parents.join(", ")
                ))
            }
        })
        .collect()
}

/// Per path: where it was removed, where it was not there, and where it
/// could not be cleaned (nodes failing alike on one line).
fn summary(paths: &[String], cleanings: &[Cleaning]) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let mut removed = Vec::new();
        let mut absent = Vec::new();
        let mut failed: Vec<(&str, Vec<&str>)> = Vec::new();
        for c in cleanings {
            match c.outcomes.as_ref().and_then(|o| o.get(i)) {
                Some(Outcome::Removed) => removed.push(c.node.as_str()),
                Some(Outcome::Absent) => absent.push(c.node.as_str()),
                Some(Outcome::Failed(reason)) => {
                    match failed.iter_mut().find(|(r, _)| r == reason) {
                        Some((_, nodes)) => nodes.push(c.node.as_str()),
                        None => failed.push((reason.as_str(), vec![c.node.as_str()])),
                    }
                }
                None => {}
            }
        }
        if !removed.is_empty() {
            let elsewhere = if absent.is_empty() {
                String::new()
            } else {
                format!(" (not there on {})", names(&absent))
            };
            lines.push(format!("removed {path} on {}{elsewhere}", names(&removed)));
        } else if !absent.is_empty() {
            lines.push(format!(
                "{path} was not on {}: nothing to remove",
                names(&absent)
            ));
        }
        for (reason, nodes) in failed {
            lines.push(format!(
                "could not clean {path} on {}: {reason}",
                names(&nodes)
            ));
        }
    }
    lines
}

/// Node names, or their count when there are many.
fn names(nodes: &[&str]) -> String {
    if nodes.len() > 4 {
        plural(nodes.len(), "node")
    } else {
        nodes.join(", ")
    }
}

fn items(list: &Value) -> &[Value] {
    list.get("items")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn name_of(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn paths(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn the_pod_mounts_each_parent_as_a_directory_that_must_exist_and_removes_the_child() {
        let pod = cleanup_pod(
            "st-pv",
            "cka-worker",
            &paths(&["/mnt/app-data", "/srv/cache/v1"]),
        );
        assert_eq!(pod["spec"]["nodeName"], "cka-worker");
        assert_eq!(pod["spec"]["tolerations"], json!([{"operator": "Exists"}]));
        assert_eq!(
            pod["spec"]["volumes"],
            json!([
                {"name": "p0", "hostPath": {"path": "/mnt", "type": "Directory"}},
                {"name": "p1", "hostPath": {"path": "/srv/cache", "type": "Directory"}},
            ])
        );
        let command = &pod["spec"]["containers"][0]["command"];
        assert_eq!(command[4], "/node/0/app-data");
        assert_eq!(command[5], "/node/1/v1");
    }

    #[test]
    fn a_finished_pod_says_what_it_did_to_each_path() {
        let pod = |phase: &str, message: &str| {
            json!({"status": {"phase": phase, "containerStatuses": [{"state": {"terminated":
                {"exitCode": 1, "reason": "Error", "message": message}}}]}})
        };
        assert_eq!(
            outcomes_of(
                &pod(
                    "Failed",
                    "0 removed\n1 failed rm: can't remove '/node/1/v1/x': Device or resource busy\n"
                ),
                3
            ),
            [
                Outcome::Removed,
                Outcome::Failed("rm: can't remove '/node/1/v1/x': Device or resource busy".into()),
                Outcome::Failed("the cleanup pod exited with code 1 (Error)".into()),
            ]
        );
        let rejected = json!({"status": {"phase": "Failed", "reason": "OutOfpods",
            "message": "Node didn't have enough resource: pods"}});
        assert_eq!(
            outcomes_of(&rejected, 1),
            [Outcome::Failed(
                "the cleanup pod failed: OutOfpods: Node didn't have enough resource: pods".into()
            )]
        );
    }

    #[test]
    fn a_parent_the_kubelet_cannot_mount_means_the_path_is_not_there() {
        let events = [
            json!({"reason": "FailedMount", "involvedObject": {"name": "other"},
                "message": "MountVolume.SetUp failed for volume \"p0\" : hostPath type check failed: /mnt is not a directory"}),
            json!({"reason": "FailedMount", "involvedObject": {"name": "mine"},
                "message": "MountVolume.SetUp failed for volume \"p1\" : hostPath type check failed: /srv/cache is not a directory"}),
        ];
        assert_eq!(missing_parents(&events, "mine"), [1]);
        assert_eq!(
            unmountable(&paths(&["/mnt/app-data", "/srv/cache/v1"]), &[1]),
            [
                Outcome::Failed(
                    "the cleanup pod cannot start: /srv/cache is not a directory on the node"
                        .into()
                ),
                Outcome::Absent,
            ]
        );
    }
}
