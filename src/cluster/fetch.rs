//! Reading exactly what a rubric looks at: the plan (pure) and its
//! execution (all reads concurrent, each bounded).

use std::collections::{BTreeMap, BTreeSet};

use kube::api::ListParams;
use serde_json::Value;

use super::Cluster;
use super::failure::{Failed, What};
use crate::grade::target::{expectation_reads, lists_read};
use crate::kind::Kind;
use crate::library::rubric::{Rubric, Selection};
use crate::snapshot::Snapshot;

/// One request of a fetch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Read {
    /// Every object of a kind in a namespace (`None`: cluster-scoped kinds,
    /// or all namespaces).
    List {
        kind: Kind,
        namespace: Option<String>,
    },
    /// One cluster-scoped object by name, when nothing else of its kind is
    /// needed: `get namespace x` needs less permission than listing them all.
    Get { kind: Kind, name: String },
}

impl Read {
    pub fn kind(&self) -> Kind {
        match self {
            Read::List { kind, .. } | Read::Get { kind, .. } => *kind,
        }
    }

    /// The namespace of the list, as `Snapshot::mark_unavailable` takes it.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Read::List { namespace, .. } => namespace.as_deref(),
            Read::Get { .. } => None,
        }
    }

    /// The RBAC verb this read needs.
    pub fn verb(&self) -> &'static str {
        match self {
            Read::List { .. } => "list",
            Read::Get { .. } => "get",
        }
    }
}

/// The reads a rubric needs, in a stable order: one list per (kind,
/// namespace) any check reads, and cluster-scoped objects by name when only
/// names are asked for.
pub fn plan(rubric: &Rubric) -> Vec<Read> {
    let mut reads = BTreeSet::new();
    for (target, expect) in rubric.reads() {
        for (kind, namespace) in expectation_reads(target, expect) {
            reads.insert(Read::List { kind, namespace });
        }
        let Some(target) = target else { continue };
        for (kind, namespace) in lists_read(target, expect) {
            let by_name = match &target.select {
                Selection::Name(name) if kind == target.kind && !kind.namespaced() => {
                    Some(name.clone())
                }
                _ => None,
            };
            reads.insert(match by_name {
                Some(name) => Read::Get { kind, name },
                None => Read::List { kind, namespace },
            });
        }
    }
    // A whole list of a cluster-scoped kind already holds its named objects.
    let listed: BTreeSet<Kind> = reads
        .iter()
        .filter_map(|r| match r {
            Read::List {
                kind,
                namespace: None,
            } if !kind.namespaced() => Some(*kind),
            _ => None,
        })
        .collect();
    reads
        .into_iter()
        .filter(|r| !matches!(r, Read::Get { kind, .. } if listed.contains(kind)))
        .collect()
}

/// Where a kind is served: its resource name and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub plural: String,
    pub namespaced: bool,
}

/// A well-known kind's resource, known offline.
fn known(kind: Kind) -> Resource {
    let api = kind.api();
    Resource {
        plural: api.plural.to_string(),
        namespaced: api.namespaced,
    }
}

/// The resource serving a kind that is not known offline, from the API
/// server's discovery document for its group version.
async fn discover(cluster: &Cluster, kind: Kind) -> Result<Resource, String> {
    let gv = kind.api_version();
    let path = if kind.api().group.is_empty() {
        format!("/api/{gv}")
    } else {
        format!("/apis/{gv}")
    };
    let not_served = || {
        format!(
            "the API server does not serve kind {} in {gv} (is its CustomResourceDefinition installed? see 'kubectl api-resources --api-group={}')",
            kind.name(),
            kind.api().group
        )
    };
    let doc = match cluster
        .send(
            http::Request::get(&path)
                .body(Vec::new())
                .map_err(|e| e.to_string())?,
            &What::Action(format!("discover {gv}")),
        )
        .await
    {
        Ok(doc) => doc,
        Err(Failed {
            code: Some(404), ..
        }) => return Err(not_served()),
        Err(failed) => return Err(failed.reason),
    };
    resource_of(&doc, kind.name()).ok_or_else(not_served)
}

/// The resource of `kind` in an `APIResourceList` (not a subresource).
pub fn resource_of(doc: &Value, kind: &str) -> Option<Resource> {
    doc.get("resources")?
        .as_array()?
        .iter()
        .find(|r| {
            r.get("kind").and_then(Value::as_str) == Some(kind)
                && r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| !n.contains('/'))
        })
        .map(|r| Resource {
            plural: r
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            namespaced: r.get("namespaced").and_then(Value::as_bool).unwrap_or(true),
        })
}

pub async fn fetch(cluster: &Cluster, reads: &[Read]) -> Snapshot {
    // Kinds not known offline are resolved by discovery, once each.
    let others: BTreeSet<Kind> = reads
        .iter()
        .map(Read::kind)
        .filter(|k| !k.is_well_known())
        .collect();
    let found = futures::future::join_all(others.iter().map(|k| discover(cluster, *k))).await;
    let resources: BTreeMap<Kind, Result<Resource, String>> =
        others.into_iter().zip(found).collect();
    let results = futures::future::join_all(reads.iter().map(|r| {
        let resource = resources
            .get(&r.kind())
            .cloned()
            .unwrap_or_else(|| Ok(known(r.kind())));
        read(cluster, r, resource)
    }))
    .await;
    let mut snapshot = Snapshot::default();
    for (r, result) in reads.iter().zip(results) {
        let inserted = result.and_then(|items| {
            items
                .into_iter()
                .try_for_each(|item| snapshot.insert(item))
                .map_err(|e| format!("unexpected answer from the API server: {e}"))
        });
        if let Err(reason) = inserted {
            snapshot.mark_unavailable(r.kind(), r.namespace().map(str::to_string), reason);
        }
    }
    snapshot
}

/// The objects one read returns, each with its `kind` and `apiVersion`
/// (a list's items carry neither).
async fn read(
    cluster: &Cluster,
    r: &Read,
    resource: Result<Resource, String>,
) -> Result<Vec<Value>, String> {
    let kind = r.kind();
    let resource = resource?;
    let api = kind.api();
    let path = |namespace: Option<&str>| {
        super::collection_path(api.group, api.version, &resource.plural, namespace)
    };
    let (request, what) = match r {
        Read::List { namespace, .. } => (
            kube::core::Request::new(path(match namespace {
                Some(ns) if !resource.namespaced => {
                    return Err(format!(
                        "{} ({}) is cluster-scoped: the check must not name a namespace ('{ns}')",
                        kind.name(),
                        kind.api_version()
                    ));
                }
                ns => ns.as_deref(),
            }))
            .list(&ListParams::default()),
            What::List {
                kind,
                namespace: namespace.clone(),
            },
        ),
        Read::Get { name, .. } => (
            kube::core::Request::new(path(None)).get(name, &kube::api::GetParams::default()),
            What::Get {
                kind,
                name: name.clone(),
            },
        ),
    };
    let request = request.map_err(|e| format!("cannot build the request: {e}"))?;
    let items = match cluster.send(request, &what).await {
        Ok(Value::Object(mut body)) => match r {
            Read::List { .. } => match body.remove("items") {
                Some(Value::Array(items)) => items,
                Some(Value::Null) | None => Vec::new(),
                Some(_) => {
                    return Err(format!(
                        "unexpected answer from the API server: the {} list has no items",
                        resource.plural
                    ));
                }
            },
            Read::Get { .. } => vec![Value::Object(body)],
        },
        Ok(_) => return Err("unexpected answer from the API server: not a JSON object".into()),
        // An absent named object is data (the check fails), not a fault.
        Err(Failed {
            code: Some(404),
            missing_name,
            ..
        }) if matches!(r, Read::Get { name, .. } if *name == missing_name) => Vec::new(),
        Err(failed) => return Err(failed.reason),
    };
    let api_version = kind.api_version();
    Ok(items
        .into_iter()
        .map(|mut item| {
            if let Value::Object(map) = &mut item {
                map.entry("kind")
                    .or_insert_with(|| Value::String(kind.name().into()));
                map.entry("apiVersion")
                    .or_insert_with(|| Value::String(api_version.clone()));
            }
            item
        })
        .collect())
}
