//! Services and the pods behind them: which ready endpoints back a Service
//! and, when none does, why.
//!
//! Pure: plain API objects in (`kubectl get … -o json` shapes). The
//! endpoints come from the Service's `EndpointSlices` (label
//! `kubernetes.io/service-name`) when there are any — they are what
//! kube-proxy and cluster DNS use — and are otherwise computed from the pods
//! as the `EndpointSlice` controller computes them: pods of the Service's
//! namespace matching its selector, with an IP, not finished; each Service
//! port's `targetPort` resolved per pod (a number, a container port name,
//! or the port itself when absent); ready when the pod's `Ready` condition
//! is `True` (or the Service publishes not-ready addresses).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::netpol::{
    ContainerPort, Protocol, container_ports, named_port, namespaced_name, pod_ips, protocol_of,
};

/// The label linking an `EndpointSlice` to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// A port an endpoint serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointPort {
    /// The Service port's name (empty for a single unnamed port).
    pub name: String,
    pub port: u16,
    pub protocol: Protocol,
}

/// One address behind a Service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backend {
    /// The pod behind the address, when the endpoint names one.
    pub pod: Option<String>,
    pub address: String,
    pub ready: bool,
    pub ports: Vec<EndpointPort>,
}

/// Where the endpoints were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The Service's `EndpointSlices`.
    EndpointSlices,
    /// Computed from the pods (no `EndpointSlice` for the Service).
    Pods,
    /// An `ExternalName` Service has no endpoints, only a DNS name.
    ExternalName,
}

/// What the pods matching a Service's selector look like.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PodCounts {
    /// Pods of the namespace whose labels the selector matches.
    pub matching: usize,
    /// Of those, ready pods with an address on which a Service port resolves.
    pub ready: usize,
    /// Pods with an address and a resolving port whose `Ready` condition is not `True`.
    pub not_ready: usize,
    /// Pods being deleted (`metadata.deletionTimestamp` set): never ready endpoints.
    pub terminating: usize,
    /// Pods on which no Service port resolves (a `targetPort` name no container declares).
    pub port_unresolved: usize,
    /// Pods without an IP yet (not scheduled or not started).
    pub no_address: usize,
    /// Pods that have finished (`Succeeded` or `Failed`).
    pub finished: usize,
}

/// The endpoints of one Service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoints {
    /// `namespace/name`.
    pub service: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    #[serde(rename = "type")]
    pub service_type: String,
    /// `clusterIP: None`: DNS returns the endpoints themselves.
    pub headless: bool,
    /// `spec.selector`; `None` for a Service whose `EndpointSlices` are written by hand.
    pub selector: Option<Map<String, Value>>,
    pub source: Source,
    pub backends: Vec<Backend>,
    /// The selector's pods, counted by why they do or do not back the Service.
    pub pods: Option<PodCounts>,
    /// The `spec.externalName` of an `ExternalName` Service.
    pub external_name: Option<String>,
    /// Whether the Service declares ports (a headless Service may not).
    has_ports: bool,
}

impl Endpoints {
    /// The backends that receive traffic: ready, and serving a port when the
    /// Service declares any. One entry per pod (or address when no pod is named).
    pub fn ready(&self) -> Vec<&Backend> {
        let mut seen = BTreeSet::new();
        self.backends
            .iter()
            .filter(|b| b.ready && (!self.has_ports || !b.ports.is_empty()))
            .filter(|b| seen.insert(b.pod.as_deref().unwrap_or(&b.address).to_string()))
            .collect()
    }

    /// Whether a client of the Service reaches something: a ready endpoint,
    /// or the DNS name of an `ExternalName` Service.
    pub fn resolves(&self) -> bool {
        match self.source {
            Source::ExternalName => self.external_name.as_deref().is_some_and(|n| !n.is_empty()),
            _ => !self.ready().is_empty(),
        }
    }

    /// Why the Service has no ready endpoint, in one sentence; `None` when it resolves.
    pub fn why_none(&self) -> Option<String> {
        if self.resolves() {
            return None;
        }
        if self.source == Source::ExternalName {
            return Some("the ExternalName Service names no host".into());
        }
        let Some(selector) = &self.selector else {
            let found = self.backends.len();
            return Some(if found == 0 {
                "the Service has no selector and no EndpointSlice lists an address for it".into()
            } else {
                format!(
                    "the Service has no selector and none of the {found} addresses in its EndpointSlices is ready"
                )
            });
        };
        let counts = self.pods.clone().unwrap_or_default();
        let selector = selector_text(selector);
        if counts.matching == 0 {
            return Some(format!(
                "selector {selector} matches no pod in namespace '{}'",
                self.service.split('/').next().unwrap_or_default()
            ));
        }
        let mut parts = Vec::new();
        let mut part = |n: usize, what: &str| {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        };
        part(counts.ready, "ready");
        part(
            counts.port_unresolved,
            "where the target port does not resolve",
        );
        part(counts.not_ready, "not ready");
        part(counts.terminating, "terminating");
        part(counts.no_address, "without an IP yet");
        part(counts.finished, "finished");
        let pods = format!(
            "selector {selector} matches {} pod{}",
            counts.matching,
            if counts.matching == 1 { "" } else { "s" }
        );
        let out = if counts.ready > 0 {
            format!(
                "{pods} ({}), but its EndpointSlices list no ready endpoint",
                parts.join(", ")
            )
        } else {
            format!("{pods}: {}", parts.join(", "))
        };
        Some(out)
    }
}

/// `a=b,c=d`, as kubectl prints selectors.
pub fn selector_text(selector: &Map<String, Value>) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",")
}

/// A Service port as the Service declares it.
#[derive(Debug, Clone)]
struct ServicePort {
    name: String,
    protocol: Protocol,
    target: Target,
}

#[derive(Debug, Clone)]
enum Target {
    Number(u16),
    Name(String),
}

fn port_name(port: &Value) -> String {
    port.get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn port_number(port: &Value) -> Option<u16> {
    port.get("port")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok())
}

fn service_ports(service: &Value) -> Vec<ServicePort> {
    service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let port = port_number(p)?;
            let target = match p.get("targetPort") {
                Some(Value::String(s)) => match s.parse::<u16>() {
                    Ok(n) => Target::Number(n),
                    Err(_) => Target::Name(s.clone()),
                },
                Some(n @ Value::Number(_)) => {
                    Target::Number(n.as_u64().and_then(|n| u16::try_from(n).ok())?)
                }
                _ => Target::Number(port),
            };
            Some(ServicePort {
                name: port_name(p),
                protocol: protocol_of(p)?,
                target,
            })
        })
        .collect()
}

/// Resolves each Service port on one pod, as the `EndpointSlice` controller
/// does (`FindPort`): a port whose name no container declares is left out.
fn resolve_ports(ports: &[ServicePort], container: &[ContainerPort]) -> Vec<EndpointPort> {
    ports
        .iter()
        .filter_map(|p| {
            let port = match &p.target {
                Target::Number(n) => *n,
                Target::Name(name) => named_port(container, name, p.protocol)?,
            };
            Some(EndpointPort {
                name: p.name.clone(),
                port,
                protocol: p.protocol,
            })
        })
        .collect()
}

/// The Services, pods and `EndpointSlices` of a cluster, indexed for many
/// questions.
#[derive(Debug, Default)]
pub struct Services<'a> {
    by_name: HashMap<(String, String), &'a Value>,
    pods: HashMap<String, Vec<&'a Value>>,
    slices: HashMap<(String, String), Vec<&'a Value>>,
}

impl<'a> Services<'a> {
    /// Takes the Service, Pod and `EndpointSlice` objects among `objects`.
    pub fn new(objects: impl IntoIterator<Item = &'a Value>) -> Services<'a> {
        let mut index = Services::default();
        for o in objects {
            let Some((namespace, name)) = namespaced_name(o) else {
                continue;
            };
            match o.get("kind").and_then(Value::as_str) {
                Some("Service") => {
                    index.by_name.insert((namespace, name), o);
                }
                Some("Pod") => index.pods.entry(namespace).or_default().push(o),
                Some("EndpointSlice") => {
                    if let Some(service) = o
                        .pointer("/metadata/labels")
                        .and_then(|l| l.get(SERVICE_NAME_LABEL))
                        .and_then(Value::as_str)
                    {
                        index
                            .slices
                            .entry((namespace, service.to_string()))
                            .or_default()
                            .push(o);
                    }
                }
                _ => {}
            }
        }
        index
    }

    /// The Service `namespace/name`, if the objects hold it.
    pub fn get(&self, namespace: &str, name: &str) -> Option<&'a Value> {
        self.by_name
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }

    /// The endpoints of a Service object.
    pub fn endpoints(&self, service: &Value) -> Endpoints {
        let (namespace, name) = namespaced_name(service).unwrap_or_default();
        let spec = service.get("spec").unwrap_or(&Value::Null);
        let service_type = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        let selector = spec
            .get("selector")
            .and_then(Value::as_object)
            .filter(|s| !s.is_empty())
            .cloned();
        let ports = service_ports(service);
        let mut out = Endpoints {
            service: format!("{namespace}/{name}"),
            headless: spec.get("clusterIP").and_then(Value::as_str) == Some("None"),
            selector,
            source: Source::Pods,
            backends: Vec::new(),
            pods: None,
            external_name: spec
                .get("externalName")
                .and_then(Value::as_str)
                .map(str::to_string),
            has_ports: !ports.is_empty(),
            service_type,
        };
        if out.service_type == "ExternalName" {
            out.source = Source::ExternalName;
            return out;
        }
        let publish_not_ready = spec.get("publishNotReadyAddresses") == Some(&Value::Bool(true));
        if let Some(selector) = &out.selector {
            let (counts, computed) = self.computed(&namespace, selector, &ports, publish_not_ready);
            out.pods = Some(counts);
            out.backends = computed;
        }
        if let Some(slices) = self.slices.get(&(namespace, name)) {
            out.source = Source::EndpointSlices;
            out.backends = slices.iter().flat_map(|s| slice_backends(s)).collect();
        }
        out
    }

    fn computed(
        &self,
        namespace: &str,
        selector: &Map<String, Value>,
        ports: &[ServicePort],
        publish_not_ready: bool,
    ) -> (PodCounts, Vec<Backend>) {
        let mut counts = PodCounts::default();
        let mut backends = Vec::new();
        let matching = self.pods.get(namespace).into_iter().flatten().filter(|p| {
            let labels = p.pointer("/metadata/labels").and_then(Value::as_object);
            selector
                .iter()
                .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        });
        for pod in matching {
            counts.matching += 1;
            let phase = pod.pointer("/status/phase").and_then(Value::as_str);
            if matches!(phase, Some("Succeeded" | "Failed")) {
                counts.finished += 1;
                continue;
            }
            let ips: Vec<String> = pod_ips(pod);
            if ips.is_empty() {
                counts.no_address += 1;
                continue;
            }
            let resolved = resolve_ports(ports, &container_ports(pod));
            let terminating = pod.pointer("/metadata/deletionTimestamp").is_some();
            let ready = publish_not_ready || (!terminating && pod_ready(pod));
            if !ports.is_empty() && resolved.is_empty() {
                counts.port_unresolved += 1;
            } else if ready {
                counts.ready += 1;
            } else if terminating {
                counts.terminating += 1;
            } else {
                counts.not_ready += 1;
            }
            let name = pod
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string);
            backends.extend(ips.into_iter().map(|address| Backend {
                pod: name.clone(),
                address,
                ready,
                ports: resolved.clone(),
            }));
        }
        (counts, backends)
    }
}

/// The pod's `Ready` condition is `True`.
pub fn pod_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| {
            c.get("type") == Some(&Value::from("Ready"))
                && c.get("status") == Some(&Value::from("True"))
        })
}

fn slice_backends(slice: &Value) -> Vec<Backend> {
    let ports: Vec<EndpointPort> = slice
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(EndpointPort {
                name: port_name(p),
                port: port_number(p)?,
                protocol: protocol_of(p)?,
            })
        })
        .collect();
    slice
        .get("endpoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|e| {
            // A nil `ready` means ready (discovery.k8s.io/v1).
            let ready = e.pointer("/conditions/ready").and_then(Value::as_bool) != Some(false);
            let pod = e
                .get("targetRef")
                .filter(|r| r.get("kind").and_then(Value::as_str) == Some("Pod"))
                .and_then(|r| r.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let ports = ports.clone();
            e.get("addresses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(move |a| Backend {
                    pod: pod.clone(),
                    address: a.to_string(),
                    ready,
                    ports: ports.clone(),
                })
        })
        .collect()
}

/// The endpoints of `service` among plain `objects` (its pods and
/// `EndpointSlices`).
pub fn service_endpoints(service: &Value, objects: &[Value]) -> Endpoints {
    Services::new(objects).endpoints(service)
}

#[cfg(test)]
mod tests;
