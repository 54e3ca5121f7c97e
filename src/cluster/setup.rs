//! Setup manifests: checked against the scenario's namespaces before
//! anything is applied, then applied server-side; and the namespace
//! deletion of a reset.

use std::time::Duration;

use kube::api::{DeleteParams, GetParams, Patch, PatchParams};
use kube::core::GroupVersionKind;
use serde_json::Value;

use super::failure::{Failed, What, seconds};
use super::{Cluster, ClusterError, collection_path};
use crate::kind::Kind;
use crate::library::Scenario;
use crate::library::scenario::ClusterObject;

/// The field manager of every change ckasim makes.
pub const FIELD_MANAGER: &str = "ckasim";

/// One object of a scenario's setup, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupObject {
    /// Where its YAML came from.
    pub origin: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `None` for the Namespace objects themselves.
    pub namespace: Option<String>,
    pub value: Value,
    /// A cluster-scoped object the scenario declares as its own.
    pub declared: bool,
}

impl SetupObject {
    /// `pod/web in namespace x`, as the change is reported.
    pub fn describe(&self) -> String {
        let what = format!("{}/{}", self.kind.to_ascii_lowercase(), self.name);
        match &self.namespace {
            Some(ns) => format!("{what} in namespace {ns}"),
            None => what,
        }
    }

    fn is_namespace(&self) -> bool {
        self.kind == "Namespace" && self.api_version == "v1"
    }

    /// The kind as ckasim knows it, when the apiVersion is the one ckasim uses.
    fn known_kind(&self) -> Option<Kind> {
        Kind::from_api_kind(&self.kind).filter(|k| k.api_version() == self.api_version)
    }
}

/// The scenario's setup objects, Namespaces first, each checked: setup may
/// only create objects in the scenario's own namespaces, and those
/// Namespaces themselves.
pub fn setup_objects(scenario: &Scenario) -> Result<Vec<SetupObject>, ClusterError> {
    let owned = scenario.namespaces.join(", ");
    let mut objects = Vec::new();
    for manifest in &scenario.setup {
        let origin = manifest.origin.clone();
        let fail = |reason: String| ClusterError::Setup {
            origin: origin.clone(),
            reason,
        };
        let docs = crate::snapshot::parse_documents(&origin, &manifest.yaml)
            .map_err(|e| fail(format!("{e}")))?;
        for value in docs {
            let text = |pointer: &str| {
                value
                    .pointer(pointer)
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let kind = text("/kind").ok_or_else(|| fail("an object has no 'kind'".into()))?;
            let api_version =
                text("/apiVersion").ok_or_else(|| fail(format!("a {kind} has no 'apiVersion'")))?;
            let name = text("/metadata/name")
                .ok_or_else(|| fail(format!("a {kind} has no metadata.name")))?;
            let declared = scenario
                .cluster_objects
                .iter()
                .any(|c| c.is(&api_version, &kind, &name));
            let mut object = SetupObject {
                origin: origin.clone(),
                api_version,
                kind,
                name,
                namespace: text("/metadata/namespace"),
                value,
                declared,
            };
            let label = format!("{} '{}'", object.kind, object.name);
            if object.is_namespace() {
                if !scenario.namespaces.contains(&object.name) {
                    return Err(fail(format!(
                        "Namespace '{}' is not one of the namespaces scenario '{}' owns ({owned})",
                        object.name, scenario.id
                    )));
                }
                object.namespace = None;
            } else if object.declared {
                object.namespace = None;
            } else if object.known_kind().is_some_and(|k| !k.namespaced()) {
                return Err(fail(format!(
                    "{label} is cluster-scoped and not one of the cluster_objects scenario '{}' declares: setup may only create objects in the namespaces it owns ({owned}) and the cluster-scoped objects it declares",
                    scenario.id
                )));
            } else {
                match &object.namespace {
                    None => {
                        return Err(fail(format!(
                            "{label} has no metadata.namespace: setup objects must name one of the namespaces scenario '{}' owns ({owned})",
                            scenario.id
                        )));
                    }
                    Some(ns) if !scenario.namespaces.contains(ns) => {
                        return Err(fail(format!(
                            "{label} is in namespace '{ns}', outside the namespaces scenario '{}' owns ({owned})",
                            scenario.id
                        )));
                    }
                    Some(_) => {}
                }
            }
            objects.push(object);
        }
    }
    // Namespaces before what lives in them, as kubectl users order files.
    objects.sort_by_key(|o| !o.is_namespace());
    Ok(objects)
}

/// Where an object is applied: its collection path.
struct Resolved {
    collection: String,
}

async fn resolve(cluster: &Cluster, o: &SetupObject) -> Result<Resolved, ClusterError> {
    let fail = |reason: String| ClusterError::Setup {
        origin: o.origin.clone(),
        reason,
    };
    let (group, version, plural, namespaced) = locate(cluster, &o.api_version, &o.kind)
        .await
        .map_err(fail)?;
    if !namespaced && !o.is_namespace() && !o.declared {
        return Err(fail(format!(
            "{} '{}' is cluster-scoped and not declared in cluster_objects: setup may only create objects in the scenario's namespaces and the cluster-scoped objects it declares",
            o.kind, o.name
        )));
    }
    if namespaced && o.declared {
        return Err(fail(format!(
            "{} '{}' is declared in cluster_objects but the API server serves it namespaced",
            o.kind, o.name
        )));
    }
    let namespace = o.namespace.as_deref().filter(|_| namespaced);
    Ok(Resolved {
        collection: collection_path(&group, &version, &plural, namespace),
    })
}

/// Group, version, plural and scope of a kind: known offline, or from API
/// discovery.
async fn locate(
    cluster: &Cluster,
    api_version: &str,
    kind: &str,
) -> Result<(String, String, String, bool), String> {
    if let Some(k) = Kind::from_api_kind(kind).filter(|k| k.api_version() == api_version) {
        let api = k.api();
        return Ok((
            api.group.to_string(),
            api.version.to_string(),
            api.plural.to_string(),
            api.namespaced,
        ));
    }
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.to_string()),
    };
    let gvk = GroupVersionKind::gvk(&group, &version, kind);
    let (resource, caps) = tokio::time::timeout(
        cluster.timeout,
        kube::discovery::pinned_kind(&cluster.client, &gvk),
    )
    .await
    .map_err(|_| {
        format!(
            "no answer from the API server {} within {} about {api_version} {kind}",
            cluster.server,
            seconds(cluster.timeout),
        )
    })?
    .map_err(|e| {
        format!(
            "the API server does not serve {api_version} {kind} ({})",
            super::failure::chain(&e)
        )
    })?;
    let namespaced = caps.scope == kube::discovery::Scope::Namespaced;
    Ok((
        resource.group,
        resource.version,
        resource.plural,
        namespaced,
    ))
}

/// Applies checked objects in order; every object is resolved first, so an
/// unknown kind stops the setup before anything changes.
pub async fn apply(
    cluster: &Cluster,
    objects: &[SetupObject],
    log: &mut (dyn FnMut(String) + Send),
) -> Result<(), ClusterError> {
    let mut targets = Vec::with_capacity(objects.len());
    for o in objects {
        targets.push(resolve(cluster, o).await?);
    }
    let params = PatchParams::apply(FIELD_MANAGER).force();
    for (o, target) in objects.iter().zip(targets) {
        let what = What::Action(format!("apply {}", o.describe()));
        let request = kube::core::Request::new(target.collection)
            .patch(&o.name, &params, &Patch::Apply(&o.value))
            .map_err(|e| cluster.request_error(format!("cannot apply {}: {e}", o.describe())))?;
        cluster
            .send(request, &what)
            .await
            .map_err(|f| cluster.request_error(f.reason))?;
        log(format!("applied {}", o.describe()));
    }
    Ok(())
}

/// An object a reset deletes: where it is served, and how the log names it.
struct Doomed {
    collection: String,
    name: String,
    /// `namespace/x`, `storageclass/fast`.
    shown: String,
}

/// Deletes namespaces and waits, bounded, until the API server no longer
/// has them.
pub async fn delete_namespaces(
    cluster: &Cluster,
    namespaces: &[String],
    log: &mut (dyn FnMut(String) + Send),
) -> Result<(), ClusterError> {
    let mut doomed = Vec::new();
    for ns in namespaces {
        super::check_deletable(ns)?;
        doomed.push(Doomed {
            collection: "/api/v1/namespaces".into(),
            name: ns.clone(),
            shown: format!("namespace/{ns}"),
        });
    }
    delete_and_wait(cluster, &doomed, log).await
}

/// Deletes the cluster-scoped objects a scenario declares as its own and
/// waits, bounded, until they are gone.
pub async fn delete_cluster_objects(
    cluster: &Cluster,
    objects: &[ClusterObject],
    log: &mut (dyn FnMut(String) + Send),
) -> Result<(), ClusterError> {
    let mut doomed = Vec::new();
    for o in objects {
        let kind = o.kind();
        let fail = |reason: String| ClusterError::Setup {
            origin: format!("cluster object {} '{}'", o.kind, o.name),
            reason,
        };
        let (group, version, plural, namespaced) =
            locate(cluster, &kind.api_version(), kind.name())
                .await
                .map_err(fail)?;
        if namespaced {
            return Err(fail(
                "the API server serves this kind namespaced: it cannot be a cluster object".into(),
            ));
        }
        doomed.push(Doomed {
            collection: collection_path(&group, &version, &plural, None),
            name: o.name.clone(),
            shown: format!("{}/{}", o.kind.to_ascii_lowercase(), o.name),
        });
    }
    delete_and_wait(cluster, &doomed, log).await
}

async fn delete_and_wait(
    cluster: &Cluster,
    doomed: &[Doomed],
    log: &mut (dyn FnMut(String) + Send),
) -> Result<(), ClusterError> {
    let mut deleting = Vec::new();
    for d in doomed {
        let what = What::Action(format!("delete {}", d.shown));
        let request = kube::core::Request::new(&d.collection)
            .delete(&d.name, &DeleteParams::default())
            .map_err(|e| cluster.request_error(e.to_string()))?;
        match cluster.send(request, &what).await {
            Ok(_) => {
                log(format!("deleting {}", d.shown));
                deleting.push(d);
            }
            Err(Failed {
                code: Some(404), ..
            }) => log(format!("{} was not there", d.shown)),
            Err(f) => return Err(cluster.request_error(f.reason)),
        }
    }
    let deadline = tokio::time::Instant::now() + cluster.wait;
    for d in deleting {
        loop {
            let what = What::Action(format!("see whether {} is gone", d.shown));
            let request = kube::core::Request::new(&d.collection)
                .get(&d.name, &GetParams::default())
                .map_err(|e| cluster.request_error(e.to_string()))?;
            match cluster.send(request, &what).await {
                Err(Failed {
                    code: Some(404), ..
                }) => {
                    log(format!("{} deleted", d.shown));
                    break;
                }
                Ok(_) => {}
                Err(f) => return Err(cluster.request_error(f.reason)),
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(match d.shown.strip_prefix("namespace/") {
                    Some(ns) => ClusterError::StillTerminating {
                        namespace: ns.to_string(),
                        waited: seconds(cluster.wait),
                    },
                    None => ClusterError::StillDeleting {
                        what: d.shown.clone(),
                        waited: seconds(cluster.wait),
                    },
                });
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    Ok(())
}
