//! What the credentials of a context may do: `SelfSubjectAccessReview`, the
//! question `kubectl auth can-i` asks.

use kube::api::PostParams;
use serde_json::{Value, json};

use super::failure::What;
use super::{Cluster, ClusterError, Read};
use crate::kind::Kind;

/// A verb on a kind, in a namespace or cluster-wide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    pub verb: String,
    pub kind: Kind,
    pub namespace: Option<String>,
}

impl Permission {
    /// The permission a read of a fetch needs.
    pub fn of_read(read: &Read) -> Permission {
        Permission {
            verb: read.verb().to_string(),
            kind: read.kind(),
            namespace: read.namespace().map(str::to_string),
        }
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.verb, self.kind.api().plural)?;
        match &self.namespace {
            Some(ns) => write!(f, " in namespace '{ns}'"),
            None if self.kind.namespaced() => f.write_str(" in all namespaces"),
            None => Ok(()),
        }
    }
}

pub async fn can(cluster: &Cluster, p: &Permission) -> Result<bool, ClusterError> {
    let api = p.kind.api();
    let mut attributes = json!({
        "verb": p.verb,
        "group": api.group,
        "version": api.version,
        "resource": api.plural,
    });
    if let Some(ns) = &p.namespace {
        attributes["namespace"] = Value::String(ns.clone());
    }
    review(cluster, attributes, &p.to_string()).await
}

/// `create` on `pods/exec` in a namespace: what observation checks need.
pub async fn can_exec(cluster: &Cluster, namespace: &str) -> Result<bool, ClusterError> {
    let attributes = json!({
        "verb": "create",
        "group": "",
        "version": "v1",
        "resource": "pods",
        "subresource": "exec",
        "namespace": namespace,
    });
    let words = format!("create pods/exec in namespace '{namespace}'");
    review(cluster, attributes, &words).await
}

async fn review(cluster: &Cluster, attributes: Value, words: &str) -> Result<bool, ClusterError> {
    let review = json!({
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": { "resourceAttributes": attributes },
    });
    let body = serde_json::to_vec(&review).map_err(|e| cluster.request_error(e.to_string()))?;
    let request =
        kube::core::Request::new("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
            .create(&PostParams::default(), body)
            .map_err(|e| cluster.request_error(e.to_string()))?;
    let what = What::Action(format!("ask whether it may {words}"));
    let answer = cluster
        .send(request, &what)
        .await
        .map_err(|f| cluster.request_error(f.reason))?;
    Ok(answer
        .pointer("/status/allowed")
        .and_then(Value::as_bool)
        .unwrap_or(false))
}
