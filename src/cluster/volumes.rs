//! The persistent volumes of a scenario's claims, which `reset` must not
//! leave behind. A volume whose `claimRef` names one of the scenario's
//! namespaces belongs to the scenario, whatever its name (a provisioned one
//! is `pvc-<uid>`, a name no scenario can declare). Before the namespaces
//! go, a provisioned volume that would be kept (`Retain`, `Recycle`) is
//! switched to `Delete`, so that its provisioner deletes it and its data
//! when the claim goes, as it would have for a `Delete` class. Once the
//! namespaces are gone, what is still claimed from them is waited for (a
//! provisioner at work) or deleted. Volumes claimed from other namespaces
//! are never touched, nor those the scenario declares (`cluster_objects`
//! deletes them by name). Nothing here fails a reset: a failure is a line.

use std::time::Duration;

use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::failure::{Failed, What, seconds};
use super::{Cluster, collection_path};
use crate::kind::Kind;
use crate::library::Scenario;

/// How long a provisioner may take to delete a released volume before
/// reset deletes it itself (bounded by the cluster's wait as well).
const PROVISIONER_WAIT: Duration = Duration::from_secs(60);

/// The pause between two looks at the volumes being deleted.
const POLL: Duration = Duration::from_millis(500);

/// The annotation the PV controller and external provisioners put on the
/// volumes they provision.
const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";

/// The volumes claimed from a scenario's namespaces, as found before the
/// namespaces were deleted.
pub struct ScenarioVolumes {
    namespaces: Vec<String>,
    /// The volumes the scenario declares: reset deletes them by name.
    declared: Vec<String>,
    /// What was claimed from the namespaces before they were deleted.
    seen: Vec<Volume>,
}

/// One persistent volume, as far as reset cares.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Volume {
    name: String,
    /// `namespace/claim` of its `claimRef`.
    claim: String,
    namespace: String,
    provisioned: bool,
    policy: String,
    phase: String,
    /// The reason the PV controller or the provisioner gives (`status.message`).
    message: String,
    deleting: bool,
}

impl Volume {
    fn of(object: &Value) -> Option<Volume> {
        let text = |pointer: &str| {
            object
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let namespace = object
            .pointer("/spec/claimRef/namespace")
            .and_then(Value::as_str)?
            .to_string();
        Some(Volume {
            name: text("/metadata/name"),
            claim: format!("{namespace}/{}", text("/spec/claimRef/name")),
            namespace,
            provisioned: object
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(PROVISIONED_BY))
                .is_some(),
            policy: text("/spec/persistentVolumeReclaimPolicy"),
            phase: text("/status/phase"),
            message: text("/status/message"),
            deleting: object.pointer("/metadata/deletionTimestamp").is_some(),
        })
    }

    /// `persistentvolume/pvc-1 (claimed by st-x/data)`
    fn shown(&self) -> String {
        format!("persistentvolume/{} (claimed by {})", self.name, self.claim)
    }

    /// Why its provisioner has not deleted it and will not, for a
    /// provisioned volume: its reclaim policy (the switch failed) or its
    /// provisioner's failure.
    fn not_deleted_by_its_provisioner(&self) -> Option<String> {
        if !self.provisioned {
            return None;
        }
        if self.policy != "Delete" {
            return Some(format!("its reclaim policy is {}", self.policy));
        }
        if self.phase != "Failed" {
            return None;
        }
        let message = self.message.lines().next().unwrap_or("").trim();
        Some(if message.is_empty() {
            "its provisioner failed to delete it".to_string()
        } else {
            format!("its provisioner failed to delete it ({message})")
        })
    }

    /// Whether its provisioner deletes it once it is released.
    fn goes_with_its_claim(&self) -> bool {
        self.provisioned && self.policy == "Delete"
    }
}

/// What is being waited for, for one volume still there after the
/// namespaces went.
enum Waiting {
    /// Its provisioner, until this instant.
    Provisioner(Instant),
    /// Its deletion, asked for by reset (or by someone before).
    Deletion,
}

impl ScenarioVolumes {
    /// Finds the volumes claimed from the scenario's namespaces and makes
    /// every provisioned one go with its claim (reclaim policy `Delete`).
    /// Call it before the namespaces are deleted.
    pub async fn release(
        cluster: &Cluster,
        scenario: &Scenario,
        log: &mut (dyn FnMut(String) + Send),
    ) -> ScenarioVolumes {
        let mut volumes = ScenarioVolumes {
            namespaces: scenario.namespaces.clone(),
            declared: scenario
                .cluster_objects
                .iter()
                .filter(|o| o.kind() == Kind::PersistentVolume)
                .map(|o| o.name.clone())
                .collect(),
            seen: Vec::new(),
        };
        let Some(claimed) = volumes.claimed(cluster, log).await else {
            return volumes;
        };
        for v in &claimed {
            if v.provisioned && !v.deleting && (v.policy == "Retain" || v.policy == "Recycle") {
                switch_to_delete(cluster, v, log).await;
            }
        }
        volumes.seen = claimed;
        volumes
    }

    /// Once the namespaces are gone: reports the volumes that went with
    /// their claims, waits (bounded) for the provisioners still deleting
    /// some, and deletes what is left claimed from the namespaces.
    pub async fn delete_left(&self, cluster: &Cluster, log: &mut (dyn FnMut(String) + Send)) {
        let Some(left) = self.claimed(cluster, log).await else {
            return;
        };
        self.report_gone(&left, log);
        let start = Instant::now();
        let provisioner_deadline = start + PROVISIONER_WAIT.min(cluster.wait);
        let mut waiting = Vec::new();
        for v in left {
            let why = v.not_deleted_by_its_provisioner();
            if v.deleting {
                waiting.push((v, Waiting::Deletion));
            } else if v.goes_with_its_claim() && why.is_none() {
                waiting.push((v, Waiting::Provisioner(provisioner_deadline)));
            } else if delete(cluster, &v, why.as_deref(), log).await {
                waiting.push((v, Waiting::Deletion));
            }
        }
        // Deletions asked for late (after a provisioner's wait) get a
        // deadline of their own.
        let mut deadline = start + cluster.wait;
        while !waiting.is_empty() {
            if Instant::now() >= deadline {
                for (v, _) in &waiting {
                    log(format!(
                        "{} is still there after {}: see what holds it with 'kubectl get persistentvolume {} -o yaml'",
                        v.shown(),
                        seconds(cluster.wait),
                        v.name
                    ));
                }
                return;
            }
            tokio::time::sleep(POLL).await;
            let Some(now) = self.claimed(cluster, log).await else {
                return;
            };
            let mut still = Vec::new();
            for (v, wait) in waiting {
                let Some(current) = now.iter().find(|c| c.name == v.name) else {
                    log(format!("{} deleted", v.shown()));
                    continue;
                };
                match wait {
                    Waiting::Provisioner(until)
                        if current.phase == "Failed" || Instant::now() >= until =>
                    {
                        let why = current.not_deleted_by_its_provisioner().unwrap_or_else(|| {
                            format!(
                                "its provisioner did not delete it within {}",
                                seconds(PROVISIONER_WAIT.min(cluster.wait))
                            )
                        });
                        if delete(cluster, current, Some(&why), log).await {
                            deadline = deadline.max(Instant::now() + cluster.wait);
                            still.push((v, Waiting::Deletion));
                        }
                    }
                    wait => still.push((v, wait)),
                }
            }
            waiting = still;
        }
    }

    /// One line for each volume seen before that is no longer there.
    fn report_gone(&self, left: &[Volume], log: &mut (dyn FnMut(String) + Send)) {
        for v in &self.seen {
            if !left.iter().any(|l| l.name == v.name) {
                log(format!("{} deleted", v.shown()));
            }
        }
    }

    /// The volumes claimed from the scenario's namespaces, but those it
    /// declares; `None` (and a line) when they cannot be listed.
    async fn claimed(
        &self,
        cluster: &Cluster,
        log: &mut (dyn FnMut(String) + Send),
    ) -> Option<Vec<Volume>> {
        let what = What::Action("list persistentvolumes".into());
        let request =
            kube::core::Request::new(collection_path("", "v1", "persistentvolumes", None))
                .list(&ListParams::default());
        let listed = match request {
            Ok(request) => cluster.send(request, &what).await.map_err(|f| f.reason),
            Err(e) => Err(e.to_string()),
        };
        let list = match listed {
            Ok(list) => list,
            Err(reason) => {
                log(format!(
                    "persistentvolumes claimed from {} not checked: {reason}",
                    self.namespaces.join(", ")
                ));
                return None;
            }
        };
        let items = list.get("items").and_then(Value::as_array);
        Some(
            items
                .into_iter()
                .flatten()
                .filter_map(Volume::of)
                .filter(|v| self.namespaces.contains(&v.namespace))
                .filter(|v| !self.declared.contains(&v.name))
                .collect(),
        )
    }
}

/// Merge-patches the reclaim policy of `v` to `Delete`.
async fn switch_to_delete(cluster: &Cluster, v: &Volume, log: &mut (dyn FnMut(String) + Send)) {
    let what = What::Action(format!("patch persistentvolume '{}'", v.name));
    let patch = json!({"spec": {"persistentVolumeReclaimPolicy": "Delete"}});
    let request = kube::core::Request::new(collection_path("", "v1", "persistentvolumes", None))
        .patch(&v.name, &PatchParams::default(), &Patch::Merge(&patch));
    let patched = match request {
        Ok(request) => cluster.send(request, &what).await.map_err(|f| f.reason),
        Err(e) => Err(e.to_string()),
    };
    match patched {
        Ok(_) => log(format!(
            "{}: reclaim policy {} changed to Delete, so its provisioner deletes it with its claim",
            v.shown(),
            v.policy
        )),
        Err(reason) => log(format!(
            "{} keeps its reclaim policy {}: {reason}",
            v.shown(),
            v.policy
        )),
    }
}

/// Deletes `v`, saying why when it is not the usual; true when it is now
/// being deleted (false: gone already, or a line says why not).
async fn delete(
    cluster: &Cluster,
    v: &Volume,
    why: Option<&str>,
    log: &mut (dyn FnMut(String) + Send),
) -> bool {
    let what = What::Action(format!("delete persistentvolume '{}'", v.name));
    let request = kube::core::Request::new(collection_path("", "v1", "persistentvolumes", None))
        .delete(&v.name, &DeleteParams::default());
    let deleted = match request {
        Ok(request) => cluster.send(request, &what).await,
        Err(e) => {
            log(format!("{} not deleted: {e}", v.shown()));
            return false;
        }
    };
    match deleted {
        Ok(_) => {
            log(match why {
                Some(why) => format!(
                    "deleting {}: {why}, so its data may stay on the node",
                    v.shown()
                ),
                None => format!("deleting {}", v.shown()),
            });
            true
        }
        Err(Failed {
            code: Some(404), ..
        }) => {
            log(format!("{} deleted", v.shown()));
            false
        }
        Err(f) => {
            log(format!("{} not deleted: {}", v.shown(), f.reason));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Volume;

    #[test]
    fn a_volume_is_the_scenarios_through_its_claim_and_provisioned_through_its_annotation() {
        let pv = json!({"metadata": {"name": "pvc-1",
                "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"}},
            "spec": {"persistentVolumeReclaimPolicy": "Retain",
                "claimRef": {"namespace": "st-x", "name": "data"}},
            "status": {"phase": "Bound"}});
        let v = Volume::of(&pv).unwrap();
        assert_eq!(v.shown(), "persistentvolume/pvc-1 (claimed by st-x/data)");
        assert!(v.provisioned && !v.goes_with_its_claim() && !v.deleting);
        // Deleted by reset (the switch failed): its data may stay, and why.
        assert_eq!(
            v.not_deleted_by_its_provisioner().as_deref(),
            Some("its reclaim policy is Retain")
        );
        let mut failed = pv.clone();
        failed["spec"]["persistentVolumeReclaimPolicy"] = "Delete".into();
        failed["status"] = json!({"phase": "Failed", "message": "helper pod failed\nexit 1"});
        assert_eq!(
            Volume::of(&failed)
                .unwrap()
                .not_deleted_by_its_provisioner()
                .as_deref(),
            Some("its provisioner failed to delete it (helper pod failed)")
        );
        failed["status"] = json!({"phase": "Released"});
        assert_eq!(
            Volume::of(&failed)
                .unwrap()
                .not_deleted_by_its_provisioner(),
            None
        );
        let available = json!({"metadata": {"name": "pv-free"},
            "spec": {"persistentVolumeReclaimPolicy": "Delete"}});
        assert_eq!(Volume::of(&available), None);
    }
}
