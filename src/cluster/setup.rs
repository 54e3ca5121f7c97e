//! Setup manifests: checked against the scenario's namespaces before
//! anything is applied, then applied server-side.

use kube::api::{Patch, PatchParams};
use kube::core::GroupVersionKind;
use serde_json::Value;

use super::failure::{What, seconds};
use super::{Cluster, ClusterError, collection_path};
use crate::kind::Kind;
use crate::library::Scenario;

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
        Kind::from_api_kind(&self.kind).filter(|k| {
            let api = k.api();
            let gv = if api.group.is_empty() {
                api.version.to_string()
            } else {
                format!("{}/{}", api.group, api.version)
            };
            gv == self.api_version
        })
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
            let mut object = SetupObject {
                origin: origin.clone(),
                api_version,
                kind,
                name,
                namespace: text("/metadata/namespace"),
                value,
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
            } else if object.known_kind().is_some_and(|k| !k.namespaced()) {
                return Err(fail(format!(
                    "{label} is cluster-scoped: setup may only create objects in the namespaces scenario '{}' owns ({owned})",
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
    let (group, version, plural, namespaced) = if let Some(k) = o.known_kind() {
        let api = k.api();
        (
            api.group.to_string(),
            api.version.to_string(),
            api.plural.to_string(),
            api.namespaced,
        )
    } else {
        let (group, version) = match o.api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), o.api_version.clone()),
        };
        let gvk = GroupVersionKind::gvk(&group, &version, &o.kind);
        let found = tokio::time::timeout(
            cluster.timeout,
            kube::discovery::pinned_kind(&cluster.client, &gvk),
        )
        .await
        .map_err(|_| {
            fail(format!(
                "no answer from the API server {} within {} about {} {}",
                cluster.server,
                seconds(cluster.timeout),
                o.api_version,
                o.kind
            ))
        })?
        .map_err(|e| {
            fail(format!(
                "the API server does not serve {} {} ({})",
                o.api_version,
                o.kind,
                super::failure::chain(&e)
            ))
        })?;
        let (resource, caps) = found;
        let namespaced = caps.scope == kube::discovery::Scope::Namespaced;
        (
            resource.group,
            resource.version,
            resource.plural,
            namespaced,
        )
    };
    if !namespaced && !o.is_namespace() {
        return Err(fail(format!(
            "{} '{}' is cluster-scoped: setup may only create objects in the scenario's namespaces",
            o.kind, o.name
        )));
    }
    let namespace = o.namespace.as_deref().filter(|_| namespaced);
    Ok(Resolved {
        collection: collection_path(&group, &version, &plural, namespace),
    })
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
