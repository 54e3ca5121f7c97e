//! Reading exactly what a rubric looks at: the plan (pure) and its
//! execution (all reads concurrent, each bounded).

use std::collections::BTreeSet;

use kube::api::ListParams;
use serde_json::Value;

use super::Cluster;
use super::failure::{Failed, What};
use crate::grade::target::{evaluator_reads, lists_read};
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
        for (kind, namespace) in evaluator_reads(target, expect) {
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

pub async fn fetch(cluster: &Cluster, reads: &[Read]) -> Snapshot {
    let results = futures::future::join_all(reads.iter().map(|r| read(cluster, r))).await;
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
async fn read(cluster: &Cluster, r: &Read) -> Result<Vec<Value>, String> {
    let kind = r.kind();
    let (request, what) = match r {
        Read::List { namespace, .. } => (
            kube::core::Request::new(super::kind_path(kind, namespace.as_deref()))
                .list(&ListParams::default()),
            What::List {
                kind,
                namespace: namespace.clone(),
            },
        ),
        Read::Get { name, .. } => (
            kube::core::Request::new(super::kind_path(kind, None))
                .get(name, &kube::api::GetParams::default()),
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
                        kind.api().plural
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
    let api = kind.api();
    let api_version = if api.group.is_empty() {
        api.version.to_string()
    } else {
        format!("{}/{}", api.group, api.version)
    };
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
