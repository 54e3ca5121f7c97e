//! `NetworkPolicy` evaluator: may a pod reach another pod on a port?
//!
//! Pure: plain API objects in (`kubectl get … -o json` shapes), a verdict
//! out. The rules are the upstream `NetworkPolicy` semantics:
//! - a pod is isolated for a direction iff a policy in its own namespace
//!   selects it and lists that direction in `policyTypes` (defaulted as the
//!   API server does: `Ingress` always, `Egress` when egress rules exist);
//! - an isolated direction allows exactly what one of the rules of those
//!   policies allows (rules add up, there is no deny rule);
//! - a connection is allowed iff the source's egress AND the destination's
//!   ingress allow it.
//!
//! Peers are matched against pod labels, namespace labels and pod IPs
//! (`ipBlock`, as the common network plugins apply it to pod addresses);
//! named ports resolve against the destination pod's container ports.

pub mod cidr;

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

use cidr::Cidr;

use crate::values::selector::Selector;

/// A selector of a policy; `None` when the API would refuse it (an
/// unknown operator): it selects nothing.
type LabelSelector = Option<Selector>;

fn label_selector(value: &Value) -> LabelSelector {
    Selector::from_json(value).ok()
}

fn selects(selector: &LabelSelector, labels: &Map<String, Value>) -> bool {
    selector
        .as_ref()
        .is_some_and(|s| s.matches_object_labels(Some(labels)))
}

/// The label every namespace carries with its own name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The transport protocol of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Protocol {
    #[default]
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Ok(Protocol::Tcp),
            "UDP" => Ok(Protocol::Udp),
            "SCTP" => Ok(Protocol::Sctp),
            _ => Err(format!("unknown protocol '{s}' (known: TCP, UDP, SCTP)")),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        })
    }
}

/// Reads an optional `protocol` field, TCP when absent (the API's default).
pub fn protocol_of(value: &Value) -> Option<Protocol> {
    match value.get("protocol").and_then(Value::as_str) {
        None => Some(Protocol::Tcp),
        Some(p) => p.parse().ok(),
    }
}

/// A container port a `NetworkPolicy` or a Service may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

/// The container ports of a pod spec (`spec.containers[*].ports`).
pub fn container_ports(pod: &Value) -> Vec<ContainerPort> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("ports").and_then(Value::as_array))
        .flatten()
        .filter_map(|p| {
            Some(ContainerPort {
                name: p.get("name").and_then(Value::as_str).map(str::to_string),
                port: p
                    .get("containerPort")
                    .and_then(Value::as_u64)
                    .and_then(|n| u16::try_from(n).ok())?,
                protocol: protocol_of(p)?,
            })
        })
        .collect()
}

/// Resolves a port name against a pod's container ports for one protocol.
pub fn named_port(ports: &[ContainerPort], name: &str, protocol: Protocol) -> Option<u16> {
    ports
        .iter()
        .find(|p| p.name.as_deref() == Some(name) && p.protocol == protocol)
        .map(|p| p.port)
}

/// `(namespace, name)` of a namespaced object (`default` when the
/// namespace is not written, as kubectl applies it); `None` without a name.
pub fn namespaced_name(object: &Value) -> Option<(String, String)> {
    let meta = object.get("metadata")?;
    let name = meta.get("name").and_then(Value::as_str)?;
    let namespace = meta
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    Some((namespace.to_string(), name.to_string()))
}

/// A pod's addresses: `status.podIPs`, or `status.podIP` when the list is
/// absent; empty before the pod has an address.
pub fn pod_ips(pod: &Value) -> Vec<String> {
    let listed: Vec<String> = pod
        .pointer("/status/podIPs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("ip").and_then(Value::as_str).map(str::to_string))
        .collect();
    if !listed.is_empty() {
        return listed;
    }
    pod.pointer("/status/podIP")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .into_iter()
        .collect()
}

/// What a verdict needs to know about one pod.
#[derive(Debug, Clone)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    pub labels: Map<String, Value>,
    /// `status.podIPs` (or `status.podIP`); empty before the pod has an address.
    pub ips: Vec<IpAddr>,
    pub ports: Vec<ContainerPort>,
}

impl Pod {
    /// Reads a Pod object; `None` when it has no name.
    pub fn from_object(pod: &Value) -> Option<Pod> {
        let (namespace, name) = namespaced_name(pod)?;
        let labels = pod
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let ips = pod_ips(pod)
            .iter()
            .filter_map(|ip| ip.parse::<IpAddr>().ok())
            .collect();
        Some(Pod {
            namespace,
            name,
            labels,
            ips,
            ports: container_ports(pod),
        })
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A direction of traffic relative to the pod a policy selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Debug, Clone)]
enum Peer {
    Pods {
        /// `None`: the policy's own namespace.
        namespaces: Option<LabelSelector>,
        pods: LabelSelector,
    },
    Block {
        cidr: Option<Cidr>,
        except: Vec<Cidr>,
    },
    /// A peer the API would refuse (no selector, no ipBlock): matches nothing.
    Nothing,
}

#[derive(Debug, Clone)]
enum PortSpec {
    Number { from: u16, to: u16 },
    Named(String),
    Any,
}

#[derive(Debug, Clone)]
struct PortRule {
    protocol: Option<Protocol>,
    port: PortSpec,
}

#[derive(Debug, Clone)]
struct Rule {
    /// `None`: every peer (an absent or empty `from`/`to`).
    peers: Option<Vec<Peer>>,
    /// `None`: every port and protocol.
    ports: Option<Vec<PortRule>>,
}

/// One `NetworkPolicy`, parsed once.
#[derive(Debug, Clone)]
pub struct Policy {
    pub namespace: String,
    pub name: String,
    selector: LabelSelector,
    ingress: Option<Vec<Rule>>,
    egress: Option<Vec<Rule>>,
}

impl Policy {
    /// Reads a `NetworkPolicy` object; `None` when it has no name.
    pub fn from_object(value: &Value) -> Option<Policy> {
        let (namespace, name) = namespaced_name(value)?;
        let spec = value.get("spec").unwrap_or(&Value::Null);
        let rules = |key: &str, peers: &str| -> Vec<Rule> {
            spec.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|r| rule(r, peers))
                .collect()
        };
        let ingress = rules("ingress", "from");
        let egress = rules("egress", "to");
        let types: Option<Vec<&str>> = spec
            .get("policyTypes")
            .and_then(Value::as_array)
            .filter(|t| !t.is_empty())
            .map(|t| t.iter().filter_map(Value::as_str).collect());
        // The API server's defaulting when policyTypes is empty.
        let (has_ingress, has_egress) = match &types {
            Some(t) => (t.contains(&"Ingress"), t.contains(&"Egress")),
            None => (true, !egress.is_empty()),
        };
        Some(Policy {
            namespace,
            name,
            selector: label_selector(spec.get("podSelector").unwrap_or(&Value::Null)),
            ingress: has_ingress.then_some(ingress),
            egress: has_egress.then_some(egress),
        })
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Whether the policy isolates `pod` in `direction`.
    pub fn isolates(&self, pod: &Pod, direction: Direction) -> bool {
        pod.namespace == self.namespace
            && self.rules(direction).is_some()
            && selects(&self.selector, &pod.labels)
    }

    fn rules(&self, direction: Direction) -> Option<&Vec<Rule>> {
        match direction {
            Direction::Ingress => self.ingress.as_ref(),
            Direction::Egress => self.egress.as_ref(),
        }
    }
}

fn rule(value: &Value, peers_key: &str) -> Rule {
    let peers = value
        .get(peers_key)
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .map(|a| a.iter().map(peer).collect());
    let ports = value
        .get("ports")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .map(|a| a.iter().map(port_rule).collect());
    Rule { peers, ports }
}

fn peer(value: &Value) -> Peer {
    if let Some(block) = value.get("ipBlock") {
        return Peer::Block {
            cidr: block
                .get("cidr")
                .and_then(Value::as_str)
                .and_then(Cidr::parse),
            except: block
                .get("except")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str().and_then(Cidr::parse))
                .collect(),
        };
    }
    let namespaces = value.get("namespaceSelector").map(label_selector);
    let pods = value.get("podSelector").map(label_selector);
    if namespaces.is_none() && pods.is_none() {
        return Peer::Nothing;
    }
    Peer::Pods {
        namespaces,
        pods: pods.unwrap_or_else(|| Some(Selector::default())),
    }
}

fn port_rule(value: &Value) -> PortRule {
    let end = value
        .get("endPort")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok());
    let port = match value.get("port") {
        None | Some(Value::Null) => PortSpec::Any,
        Some(Value::String(name)) => match name.parse::<u16>() {
            Ok(n) => PortSpec::Number {
                from: n,
                to: end.unwrap_or(n),
            },
            Err(_) => PortSpec::Named(name.clone()),
        },
        Some(n) => match n.as_u64().and_then(|n| u16::try_from(n).ok()) {
            Some(n) => PortSpec::Number {
                from: n,
                to: end.unwrap_or(n),
            },
            // Not a port: matches nothing.
            None => PortSpec::Number { from: 1, to: 0 },
        },
    };
    PortRule {
        protocol: protocol_of(value),
        port,
    }
}

/// A policy rule that allowed the connection: `policy` (`namespace/name`)
/// and the index of the rule in its `ingress` or `egress` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    pub policy: String,
    pub rule: usize,
}

/// The verdict for one direction: the source's egress or the destination's
/// ingress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectionVerdict {
    /// The pod whose policies decide this direction (`namespace/name`).
    pub pod: String,
    pub allowed: bool,
    /// Whether some policy selects the pod for this direction; when not,
    /// everything is allowed.
    pub isolated: bool,
    /// The policies that select the pod for this direction.
    pub policies: Vec<String>,
    /// The rules that allow the connection.
    pub allowed_by: Vec<RuleRef>,
}

impl DirectionVerdict {
    /// Why this direction allows or denies the connection with `peer` on
    /// `question` (`80/TCP`), in words.
    pub fn explain(&self, direction: Direction, peer: &str, question: &str) -> String {
        let rules = match direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        };
        if !self.isolated {
            let namespace = self.pod.split('/').next().unwrap_or_default();
            return format!(
                "allowed (no NetworkPolicy in '{namespace}' selects the pod for {direction:?})"
            );
        }
        let selected = self.policies.join(", ");
        if self.allowed_by.is_empty() {
            return format!(
                "denied (selected by {selected}; no {rules} rule allows {peer} on {question})"
            );
        }
        let by: Vec<String> = self
            .allowed_by
            .iter()
            .map(|r| format!("{} {rules}[{}]", r.policy, r.rule))
            .collect();
        format!("allowed by {} (selected by {selected})", by.join(", "))
    }
}

/// Whether a connection is allowed, and which policies decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub allowed: bool,
    pub egress: DirectionVerdict,
    pub ingress: DirectionVerdict,
}

impl Verdict {
    /// The connection's verdict in one line: each direction that denies it,
    /// or both directions when it is allowed.
    pub fn explain(&self, port: u16, protocol: Protocol) -> String {
        let question = format!("{port}/{protocol}");
        let egress = format!(
            "egress from {}: {}",
            self.egress.pod,
            self.egress
                .explain(Direction::Egress, &self.ingress.pod, &question)
        );
        let ingress = format!(
            "ingress to {}: {}",
            self.ingress.pod,
            self.ingress
                .explain(Direction::Ingress, &self.egress.pod, &question)
        );
        let parts = match (self.egress.allowed, self.ingress.allowed) {
            (false, true) => vec![egress],
            (true, false) => vec![ingress],
            _ => vec![egress, ingress],
        };
        format!(
            "{} -> {} on {question}: {}; {}",
            self.egress.pod,
            self.ingress.pod,
            if self.allowed { "allowed" } else { "denied" },
            parts.join("; ")
        )
    }
}

/// The `NetworkPolicies` and namespace labels of a cluster, indexed for
/// many questions.
#[derive(Debug, Clone, Default)]
pub struct Network {
    policies: HashMap<String, Vec<Policy>>,
    namespace_labels: HashMap<String, Map<String, Value>>,
}

impl Network {
    /// Takes the `NetworkPolicy` and Namespace objects among `objects`; other
    /// kinds are ignored.
    pub fn new<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Network {
        let mut net = Network::default();
        for o in objects {
            match o.get("kind").and_then(Value::as_str) {
                Some("NetworkPolicy") => {
                    if let Some(p) = Policy::from_object(o) {
                        net.policies.entry(p.namespace.clone()).or_default().push(p);
                    }
                }
                Some("Namespace") => {
                    if let Some(name) = o.pointer("/metadata/name").and_then(Value::as_str) {
                        let mut labels = o
                            .pointer("/metadata/labels")
                            .and_then(Value::as_object)
                            .cloned()
                            .unwrap_or_default();
                        labels
                            .entry(NAMESPACE_NAME_LABEL)
                            .or_insert_with(|| Value::from(name));
                        net.namespace_labels.insert(name.to_string(), labels);
                    }
                }
                _ => {}
            }
        }
        net
    }

    /// The policies of a namespace.
    pub fn policies_in(&self, namespace: &str) -> &[Policy] {
        self.policies.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The labels of a namespace; a namespace missing from the objects has
    /// only the label the API server gives every namespace.
    fn namespace_matches(&self, selector: &LabelSelector, namespace: &str) -> bool {
        if selector.as_ref().is_some_and(Selector::is_empty) {
            return true;
        }
        if let Some(labels) = self.namespace_labels.get(namespace) {
            selects(selector, labels)
        } else {
            let mut labels = Map::new();
            labels.insert(NAMESPACE_NAME_LABEL.into(), Value::from(namespace));
            selects(selector, &labels)
        }
    }

    /// May `from` open a connection to `to` on `port`/`protocol`?
    pub fn allows(&self, from: &Pod, to: &Pod, port: u16, protocol: Protocol) -> Verdict {
        let egress = self.direction(Direction::Egress, from, to, to, port, protocol);
        let ingress = self.direction(Direction::Ingress, to, from, to, port, protocol);
        Verdict {
            allowed: egress.allowed && ingress.allowed,
            egress,
            ingress,
        }
    }

    /// The verdict of the policies selecting `subject` for `direction`
    /// about traffic with `peer`; named ports resolve on `destination`.
    fn direction(
        &self,
        direction: Direction,
        subject: &Pod,
        peer: &Pod,
        destination: &Pod,
        port: u16,
        protocol: Protocol,
    ) -> DirectionVerdict {
        let mut policies = Vec::new();
        let mut allowed_by = Vec::new();
        for policy in self.policies_in(&subject.namespace) {
            if !policy.isolates(subject, direction) {
                continue;
            }
            policies.push(policy.key());
            for (i, rule) in policy.rules(direction).into_iter().flatten().enumerate() {
                if self.rule_allows(rule, &policy.namespace, peer, destination, port, protocol) {
                    allowed_by.push(RuleRef {
                        policy: policy.key(),
                        rule: i,
                    });
                }
            }
        }
        let isolated = !policies.is_empty();
        DirectionVerdict {
            pod: subject.key(),
            allowed: !isolated || !allowed_by.is_empty(),
            isolated,
            policies,
            allowed_by,
        }
    }

    fn rule_allows(
        &self,
        rule: &Rule,
        policy_namespace: &str,
        peer: &Pod,
        destination: &Pod,
        port: u16,
        protocol: Protocol,
    ) -> bool {
        let port_ok = rule.ports.as_ref().is_none_or(|ports| {
            ports
                .iter()
                .any(|p| port_matches(p, destination, port, protocol))
        });
        port_ok
            && rule.peers.as_ref().is_none_or(|peers| {
                peers
                    .iter()
                    .any(|p| self.peer_matches(p, policy_namespace, peer))
            })
    }

    fn peer_matches(&self, peer: &Peer, policy_namespace: &str, pod: &Pod) -> bool {
        match peer {
            Peer::Pods { namespaces, pods } => {
                let namespace_ok = match namespaces {
                    None => pod.namespace == policy_namespace,
                    Some(sel) => self.namespace_matches(sel, &pod.namespace),
                };
                namespace_ok && selects(pods, &pod.labels)
            }
            Peer::Block { cidr, except } => cidr.is_some_and(|c| {
                pod.ips
                    .iter()
                    .any(|ip| c.contains(*ip) && !except.iter().any(|e| e.contains(*ip)))
            }),
            Peer::Nothing => false,
        }
    }
}

fn port_matches(rule: &PortRule, destination: &Pod, port: u16, protocol: Protocol) -> bool {
    let Some(rule_protocol) = rule.protocol else {
        return false;
    };
    if rule_protocol != protocol {
        return false;
    }
    match &rule.port {
        PortSpec::Any => true,
        PortSpec::Number { from, to } => (*from..=*to).contains(&port),
        PortSpec::Named(name) => named_port(&destination.ports, name, protocol) == Some(port),
    }
}

/// One question over plain objects: may pod `from` reach pod `to` on
/// `port`/`protocol` under the `NetworkPolicies` (and `Namespace`s) among
/// `objects`? `None` when a pod object has no name.
pub fn netpol_allows(
    objects: &[Value],
    from: &Value,
    to: &Value,
    port: u16,
    protocol: Protocol,
) -> Option<Verdict> {
    let net = Network::new(objects);
    Some(net.allows(
        &Pod::from_object(from)?,
        &Pod::from_object(to)?,
        port,
        protocol,
    ))
}

#[cfg(test)]
mod tests;
