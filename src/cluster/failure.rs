//! A failed request, worded for the user: what could not be done, why, and
//! what to do about it.

use std::error::Error as _;
use std::time::Duration;

use crate::kind::Kind;

use super::Cluster;

/// What a request was for, in the words of a reason line.
#[derive(Debug, Clone)]
pub enum What {
    List {
        kind: Kind,
        namespace: Option<String>,
    },
    Get {
        kind: Kind,
        name: String,
    },
    Version,
    /// Any other action, already worded ("apply pod/web in namespace x").
    Action(String),
}

impl What {
    fn words(&self) -> String {
        match self {
            What::List {
                kind,
                namespace: Some(ns),
            } => format!("list {} in namespace '{ns}'", kind.api().plural),
            What::List {
                kind,
                namespace: None,
            } => {
                let all = if kind.namespaced() {
                    " in all namespaces"
                } else {
                    ""
                };
                format!("list {}{all}", kind.api().plural)
            }
            What::Get { kind, name } => format!("get {} '{name}'", kind.kubectl_name()),
            What::Version => "get the server version".into(),
            What::Action(a) => a.clone(),
        }
    }

    fn resource(&self) -> Option<String> {
        match self {
            What::List { kind, .. } | What::Get { kind, .. } => {
                let api = kind.api();
                let gv = if api.group.is_empty() {
                    api.version.to_string()
                } else {
                    format!("{}/{}", api.group, api.version)
                };
                Some(format!("{gv} {}", api.plural))
            }
            _ => None,
        }
    }
}

/// A request that did not succeed.
#[derive(Debug, Clone)]
pub struct Failed {
    /// One line: what failed, why, what to do.
    pub reason: String,
    /// The HTTP status the API server answered with, if it answered.
    pub code: Option<u16>,
    /// For a 404: the name of the object the server did not find (empty when
    /// it was the resource type itself that was not found).
    pub missing_name: String,
}

impl Failed {
    pub fn from_kube(e: &kube::Error, what: &What, cluster: &Cluster) -> Failed {
        let words = what.words();
        if let kube::Error::Api(status) = e {
            let code = status.code;
            let reason = match code {
                401 => format!(
                    "unauthorized: the API server rejected the credentials of context '{}' (renew them, e.g. 'kind export kubeconfig --name NAME')",
                    cluster.context
                ),
                403 if what.resource().is_some() => format!(
                    "forbidden: cannot {words} (grant the grader role: kubectl apply -f assets/grader-rbac.yaml)"
                ),
                403 => format!("forbidden: cannot {words}: {}", first_line(&status.message)),
                404 => match what.resource() {
                    Some(res) => format!(
                        "not served: the API server has no {res} (404 Not Found) to {words}"
                    ),
                    None => format!("not found: cannot {words}: {}", status.message),
                },
                _ => format!(
                    "the API server answered {code}{} to {words}: {}",
                    if status.reason.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", status.reason)
                    },
                    first_line(&status.message)
                ),
            };
            let missing_name = status
                .details
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            return Failed {
                reason,
                code: Some(code),
                missing_name,
            };
        }
        let server = &cluster.server;
        let reason = match e {
            kube::Error::SerdeError(err) => {
                format!("unexpected answer from the API server {server} to {words}: {err}")
            }
            _ => connection_reason(e, server, &words),
        };
        Failed {
            reason,
            code: None,
            missing_name: String::new(),
        }
    }

    pub fn timeout(what: &What, cluster: &Cluster) -> Failed {
        Failed {
            reason: format!(
                "no answer from the API server {} within {} to {} (is the cluster overloaded or paused?)",
                cluster.server,
                seconds(cluster.timeout),
                what.words()
            ),
            code: None,
            missing_name: String::new(),
        }
    }
}

/// Why the server could not be reached: refused, TLS, name resolution…
fn connection_reason(e: &kube::Error, server: &str, words: &str) -> String {
    let mut refused = false;
    let mut tls = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.source();
    let mut root = e.to_string();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        let text = s.to_string();
        let lower = text.to_ascii_lowercase();
        tls |= lower.contains("tls")
            || lower.contains("certificate")
            || lower.contains("handshake")
            || lower.contains("invalidcontenttype")
            || lower.contains("corrupt message");
        root = text;
        source = s.source();
    }
    if refused {
        format!(
            "cannot reach the API server {server}: connection refused (is the cluster running? see 'kind get clusters')"
        )
    } else if tls {
        format!(
            "TLS handshake with the API server {server} failed: {} (does the kubeconfig match the cluster? 'kind export kubeconfig --name NAME')",
            first_line(&root)
        )
    } else {
        format!(
            "cannot reach the API server {server} to {words}: {}",
            first_line(&root)
        )
    }
}

/// An error and its causes on one line, for errors outside requests
/// (building a client from a kubeconfig).
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    first_line(&parts.join(": ")).to_string()
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim()
}

/// `5s`, `0.3s`, `2m` — how long was waited.
pub fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(60_000) && ms >= 60_000 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}
