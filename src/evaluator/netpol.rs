//! `netpol_allows`: whether the cluster's `NetworkPolicies` allow (or deny)
//! connections from some pods to others on a port, judged by
//! `crate::netpol` on the pods that run (their labels and IPs).
//!
//! ```toml
//! netpol_allows = { from = { namespace = "x", pod = "a" },
//!                   to = { namespace = "y", selector = { app = "web" } },
//!                   port = 80, protocol = "TCP", allowed = false }
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, TargetUse, Verdict};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::netpol::{Network, Pod, Protocol};
use crate::snapshot::{Object, Snapshot};
use crate::values::selector::{Requirement, Selector};

pub struct NetpolAllows;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndFile {
    namespace: Spanned<String>,
    #[serde(default)]
    pod: Option<Spanned<String>>,
    #[serde(default)]
    selector: Option<Spanned<SelectorFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowsFile {
    from: Spanned<EndFile>,
    to: Spanned<EndFile>,
    port: Spanned<i64>,
    #[serde(default)]
    protocol: Option<Spanned<String>>,
    #[serde(default = "yes")]
    allowed: bool,
}

fn yes() -> bool {
    true
}

/// Labels as a table (`{ app = "web" }`) or kubectl's selector text
/// (`"app=web,tier in (a,b),!canary"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum SelectorFile {
    Labels(BTreeMap<String, String>),
    Text(String),
}

/// One end of the connections: a pod, or the pods a selector picks, in a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
struct End {
    namespace: String,
    pods: Pick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pick {
    Pod(String),
    Selector(Selector),
}

impl End {
    fn parse(key: &str, file: &Spanned<EndFile>) -> Result<End, Problem> {
        let end = file.get_ref();
        if end.namespace.get_ref().is_empty() {
            return Err(Problem::new(
                end.namespace.span(),
                format!("netpol_allows: {key}.namespace is empty"),
            ));
        }
        let pods = match (&end.pod, &end.selector) {
            (Some(pod), None) if !pod.get_ref().is_empty() => Pick::Pod(pod.get_ref().clone()),
            (Some(pod), None) => {
                return Err(Problem::new(
                    pod.span(),
                    format!("netpol_allows: {key}.pod is empty"),
                ));
            }
            (None, Some(sel)) => {
                let parsed = match sel.get_ref() {
                    SelectorFile::Labels(labels) => Selector::from_json(&serde_json::json!(labels)),
                    SelectorFile::Text(text) => Selector::parse(text),
                }
                .map_err(|e| {
                    Problem::new(sel.span(), format!("netpol_allows: {key}.selector: {e}"))
                })?;
                if parsed.is_empty() {
                    return Err(Problem::new(
                        sel.span(),
                        format!(
                            "netpol_allows: {key}.selector is empty (name the labels of the pods)"
                        ),
                    ));
                }
                Pick::Selector(parsed)
            }
            (Some(_), Some(sel)) => {
                return Err(Problem::new(
                    sel.span(),
                    format!("netpol_allows: {key} takes `pod` or `selector`, not both"),
                ));
            }
            (None, None) => {
                return Err(Problem::new(
                    file.span(),
                    format!("netpol_allows: {key} needs `pod` or `selector`"),
                ));
            }
        };
        Ok(End {
            namespace: end.namespace.get_ref().clone(),
            pods,
        })
    }

    /// "pod a in x", "pods app=web in x".
    fn describe(&self) -> String {
        match &self.pods {
            Pick::Pod(name) => format!("pod {name} in {}", self.namespace),
            Pick::Selector(sel) => format!("pods {sel} in {}", self.namespace),
        }
    }

    fn select<'s>(&self, snapshot: &'s Snapshot) -> Vec<&'s Object> {
        snapshot
            .list(Kind::Pod, Some(&self.namespace))
            .filter(|o| match &self.pods {
                Pick::Pod(name) => &o.name == name,
                Pick::Selector(sel) => sel.matches_object_labels(o.labels()),
            })
            .collect()
    }
}

#[derive(Debug)]
struct AllowsCheck {
    from: End,
    to: End,
    port: u16,
    protocol: Protocol,
    allowed: bool,
}

impl Evaluator for NetpolAllows {
    fn key(&self) -> &'static str {
        "netpol_allows"
    }

    fn target(&self) -> TargetUse {
        TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: AllowsFile = input.deserialize()?;
        let port = u16::try_from(*file.port.get_ref())
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| {
                Problem::new(
                    file.port.span(),
                    format!(
                        "netpol_allows: port {} is not a port number (1-65535)",
                        file.port.get_ref()
                    ),
                )
            })?;
        let protocol = match &file.protocol {
            Some(p) => p
                .get_ref()
                .parse::<Protocol>()
                .map_err(|e| Problem::new(p.span(), format!("netpol_allows: {e}")))?,
            None => Protocol::Tcp,
        };
        Ok(Arc::new(AllowsCheck {
            from: End::parse("from", &file.from)?,
            to: End::parse("to", &file.to)?,
            port,
            protocol,
            allowed: file.allowed,
        }))
    }
}

impl EvaluatorCheck for AllowsCheck {
    /// The pods of both ends, the policies of both namespaces (egress of
    /// the source, ingress of the destination) and every Namespace (for
    /// `namespaceSelector`).
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        let mut reads = Vec::new();
        for ns in [&self.from.namespace, &self.to.namespace] {
            for kind in [Kind::Pod, Kind::NetworkPolicy] {
                let read = (kind, Some(ns.clone()));
                if !reads.contains(&read) {
                    reads.push(read);
                }
            }
        }
        reads.push((Kind::Namespace, None));
        reads
    }

    fn expected(&self, _subject: Option<&str>) -> String {
        format!(
            "connections from {} to {} on {}/{} {}",
            self.from.describe(),
            self.to.describe(),
            self.port,
            self.protocol,
            if self.allowed {
                "are allowed"
            } else {
                "are denied"
            }
        )
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        // Only pods that can take part in a connection: with an IP, not finished.
        let pods = |end: &End| -> (usize, Vec<Pod>) {
            let all = end.select(snapshot);
            let live = all
                .iter()
                .filter(|o| {
                    !matches!(
                        o.value
                            .pointer("/status/phase")
                            .and_then(serde_json::Value::as_str),
                        Some("Succeeded" | "Failed")
                    )
                })
                .filter_map(|o| Pod::from_object(&o.value))
                .filter(|p| !p.ips.is_empty())
                .collect();
            (all.len(), live)
        };
        let ((from_all, sources), (to_all, destinations)) = (pods(&self.from), pods(&self.to));
        for (end, all, live) in [
            (&self.from, from_all, &sources),
            (&self.to, to_all, &destinations),
        ] {
            if all == 0 {
                return Verdict::new(false, format!("no {}", end.describe()));
            }
            if live.is_empty() {
                return Verdict::new(
                    false,
                    format!("no running {} (none has an IP)", end.describe()),
                );
            }
        }
        let mut namespaces = vec![self.from.namespace.as_str()];
        if self.to.namespace != self.from.namespace {
            namespaces.push(&self.to.namespace);
        }
        let net = Network::new(
            namespaces
                .iter()
                .flat_map(|ns| snapshot.list(Kind::NetworkPolicy, Some(ns)))
                .chain(snapshot.list(Kind::Namespace, None))
                .map(|o| &o.value),
        );
        let mut total = 0;
        let mut wrong = Vec::new();
        let mut first = None;
        for from in &sources {
            // A pod's traffic to itself is not policed the same way by every plugin.
            for to in destinations.iter().filter(|t| t.key() != from.key()) {
                total += 1;
                let v = net.allows(from, to, self.port, self.protocol);
                if v.allowed != self.allowed {
                    wrong.push(v);
                } else if first.is_none() {
                    first = Some(v);
                }
            }
        }
        if total == 0 {
            return Verdict::new(false, "no connection between two different pods to judge");
        }
        match (wrong.first(), first) {
            (Some(v), _) => {
                let more = match wrong.len() {
                    1 => String::new(),
                    n => format!(" ({n} of {total} connections wrong)"),
                };
                Verdict::new(
                    false,
                    format!("{}{more}", v.explain(self.port, self.protocol)),
                )
            }
            (None, Some(v)) if total == 1 => {
                Verdict::new(true, v.explain(self.port, self.protocol))
            }
            (None, _) => Verdict::new(
                true,
                format!(
                    "all {total} connections {}",
                    if self.allowed { "allowed" } else { "denied" }
                ),
            ),
        }
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        let mut namespaces = vec![&self.from.namespace];
        if self.to.namespace != self.from.namespace {
            namespaces.push(&self.to.namespace);
        }
        namespaces
            .iter()
            .map(|ns| format!("kubectl describe networkpolicy -n {ns}"))
            .collect::<Vec<_>>()
            .join(" && ")
    }

    fn named_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        for end in [&self.from, &self.to] {
            out.push(end.namespace.clone());
            match &end.pods {
                Pick::Pod(name) => out.push(name.clone()),
                Pick::Selector(sel) => out.extend(sel.requirements().flat_map(|r| match r {
                    Requirement::In(_, vs) | Requirement::NotIn(_, vs) => {
                        vs.iter().cloned().collect()
                    }
                    Requirement::Exists(_) | Requirement::DoesNotExist(_) => Vec::new(),
                })),
            }
        }
        out.push(self.port.to_string());
        out
    }
}

#[cfg(test)]
mod tests;
