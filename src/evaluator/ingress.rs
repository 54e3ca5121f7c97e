//! Ingress routing as the Ingress API defines it: which backend serves a
//! request for a host and a path (`ingress_route`), on an Ingress target
//! (one Ingress, or every Ingress of a namespace judged together as a
//! controller merges them).
//!
//! ```toml
//! target = { kind = "Ingress", namespace = "shop", name = "web" }
//! ingress_route = { host = "shop.local", path = "/api", backend = "api:8080", class = "nginx" }
//! ```
//!
//! Hosts: a rule's exact host wins over a wildcard (`*.foo.com` matches
//! exactly one label), which wins over a rule without host. Paths within the
//! chosen host: `Exact` is the whole path, `Prefix` compares `/`-separated
//! elements (a trailing slash is ignored), `ImplementationSpecific` is read
//! as `Prefix`; the longest matching path wins and `Exact` wins a tie. No
//! path matches: the Ingress's `defaultBackend`.

// Kind and field names (IngressClass, pathType) are the domain's words here.
#![allow(clippy::doc_markdown)]

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::objects::{annotation, array_at, str_at};
use super::pod_security::needs_kind;
use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, Verdict};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::{Object, Snapshot};

/// The annotation marking the cluster's default IngressClass.
pub const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";
/// The annotation older Ingresses name their class with.
const LEGACY_CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// A Service port, by number or by name, as a backend names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServicePort {
    Number(i64),
    Name(String),
}

impl std::fmt::Display for ServicePort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServicePort::Number(n) => write!(f, "{n}"),
            ServicePort::Name(n) => f.write_str(n),
        }
    }
}

/// `svc:port` of a rubric: a Service and its port by number or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub service: String,
    pub port: ServicePort,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service, self.port)
    }
}

impl Backend {
    /// Reads `svc:8080` or `svc:http`.
    pub fn parse(text: &str) -> Result<Backend, String> {
        let (service, port) = text
            .split_once(':')
            .ok_or_else(|| format!("'{text}' is not 'service:port'"))?;
        if service.is_empty() || port.is_empty() {
            return Err(format!("'{text}' is not 'service:port'"));
        }
        let port = match port.parse::<i64>() {
            Ok(n) if (1..=65535).contains(&n) => ServicePort::Number(n),
            Ok(n) => return Err(format!("port {n} is not a port number (1-65535)")),
            Err(_) => ServicePort::Name(port.to_owned()),
        };
        Ok(Backend {
            service: service.to_owned(),
            port,
        })
    }

    /// Whether `found` is this backend. A port named on one side and
    /// numbered on the other is resolved through the Service's `ports`.
    pub fn is(&self, found: &Backend, namespace: &str, snapshot: &Snapshot) -> bool {
        if self.service != found.service {
            return false;
        }
        if self.port == found.port {
            return true;
        }
        let Some(service) = snapshot.get(Kind::Service, Some(namespace), &self.service) else {
            return false;
        };
        let resolve = |p: &ServicePort| service_port_number(&service.value, p);
        resolve(&self.port).is_some() && resolve(&self.port) == resolve(&found.port)
    }
}

/// The number of a Service's port named or numbered `port`, if it has it.
pub fn service_port_number(service: &Value, port: &ServicePort) -> Option<i64> {
    array_at(service, "/spec/ports").iter().find_map(|p| {
        let number = p.get("port").and_then(Value::as_i64)?;
        let hit = match port {
            ServicePort::Number(n) => number == *n,
            ServicePort::Name(n) => p.get("name").and_then(Value::as_str) == Some(n),
        };
        hit.then_some(number)
    })
}

/// Whether `prefix` matches `path` element-wise by `/`, a trailing slash
/// ignored: `/foo` matches `/foo/bar` and `/foo/`, not `/foobar`.
pub fn element_prefix(prefix: &str, path: &str) -> bool {
    let elements = |p: &'_ str| -> Vec<String> {
        p.split('/')
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (prefix, path) = (elements(prefix), elements(path));
    path.len() >= prefix.len() && prefix.iter().zip(&path).all(|(a, b)| a == b)
}

/// How a rule's host matches the request's host: better first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum HostMatch {
    Exact,
    Wildcard,
    Any,
}

fn ingress_host_match(rule_host: Option<&str>, host: &str) -> Option<HostMatch> {
    match rule_host {
        None | Some("") => Some(HostMatch::Any),
        Some(h) if h.eq_ignore_ascii_case(host) => Some(HostMatch::Exact),
        Some(h) => {
            let suffix = h.strip_prefix("*.")?;
            let (first, rest) = host.split_once('.')?;
            (!first.is_empty() && rest.eq_ignore_ascii_case(suffix)).then_some(HostMatch::Wildcard)
        }
    }
}

/// Where a request went, and by which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    pub backend: Option<Backend>,
    /// The resource backend (`kind/name`) a rule names instead of a Service.
    pub resource: Option<String>,
    pub namespace: String,
    /// The rule in words: `ingress shop/web: host shop.local, path /api (Prefix)`.
    pub by: String,
}

fn backend_of(b: &Value) -> (Option<Backend>, Option<String>) {
    if let Some(service) = b.get("service") {
        let name = str_at(service, "/name").unwrap_or_default().to_owned();
        let port = match (
            service.pointer("/port/number").and_then(Value::as_i64),
            str_at(service, "/port/name"),
        ) {
            (Some(n), _) => ServicePort::Number(n),
            (None, Some(n)) => ServicePort::Name(n.to_owned()),
            (None, None) => ServicePort::Name(String::new()),
        };
        return (
            Some(Backend {
                service: name,
                port,
            }),
            None,
        );
    }
    let resource = b.get("resource").map(|r| {
        format!(
            "{}/{}",
            str_at(r, "/kind").unwrap_or("?"),
            str_at(r, "/name").unwrap_or("?")
        )
    });
    (None, resource)
}

/// One candidate path of one Ingress.
struct Candidate<'a> {
    ingress: &'a Object,
    host: HostMatch,
    rule_host: String,
    path: String,
    path_type: String,
    backend: &'a Value,
}

/// The backend the given Ingresses route `host` + `path` to, as one
/// controller serving them all would: `None` when nothing serves it.
pub fn route(ingresses: &[&Object], host: &str, path: &str) -> Option<Routed> {
    let mut candidates = Vec::new();
    for ing in ingresses {
        for rule in array_at(&ing.value, "/spec/rules") {
            let rule_host = str_at(rule, "/host");
            let Some(hm) = ingress_host_match(rule_host, host) else {
                continue;
            };
            for p in array_at(rule, "/http/paths") {
                let Some(backend) = p.get("backend") else {
                    continue;
                };
                candidates.push(Candidate {
                    ingress: ing,
                    host: hm,
                    rule_host: rule_host.unwrap_or_default().to_owned(),
                    path: str_at(p, "/path").unwrap_or("/").to_owned(),
                    path_type: str_at(p, "/pathType")
                        .unwrap_or("ImplementationSpecific")
                        .to_owned(),
                    backend,
                });
            }
        }
    }
    // The most specific host with rules is the virtual host the request lands on.
    let best_host = candidates.iter().map(|c| c.host).min();
    let matching = candidates.iter().filter(|c| {
        Some(c.host) == best_host
            && match c.path_type.as_str() {
                "Exact" => c.path == path,
                _ => element_prefix(&c.path, path),
            }
    });
    // Longest path first, Exact before Prefix on a tie, then the oldest Ingress.
    let best = matching.min_by(|a, b| {
        b.path
            .len()
            .cmp(&a.path.len())
            .then_with(|| (b.path_type == "Exact").cmp(&(a.path_type == "Exact")))
            .then_with(|| created(a.ingress).cmp(created(b.ingress)))
    });
    if let Some(c) = best {
        let (backend, resource) = backend_of(c.backend);
        let host_words = if c.rule_host.is_empty() {
            "any host".to_owned()
        } else {
            format!("host {}", c.rule_host)
        };
        let note = if c.path_type == "ImplementationSpecific" {
            ", read as Prefix"
        } else {
            ""
        };
        return Some(Routed {
            backend,
            resource,
            namespace: c.ingress.namespace.clone().unwrap_or_default(),
            by: format!(
                "ingress {}: {host_words}, path {} ({}{note})",
                c.ingress.name, c.path, c.path_type
            ),
        });
    }
    let fallback = ingresses
        .iter()
        .filter_map(|i| i.value.pointer("/spec/defaultBackend").map(|b| (i, b)))
        .min_by(|a, b| created(a.0).cmp(created(b.0)))?;
    let (backend, resource) = backend_of(fallback.1);
    Some(Routed {
        backend,
        resource,
        namespace: fallback.0.namespace.clone().unwrap_or_default(),
        by: format!("ingress {}: defaultBackend", fallback.0.name),
    })
}

fn created(o: &Object) -> &str {
    str_at(&o.value, "/metadata/creationTimestamp").unwrap_or_default()
}

/// The IngressClass an Ingress belongs to: `spec.ingressClassName`, the
/// legacy annotation, or the cluster's default class; and how it was found.
pub fn class_of(ingress: &Value, snapshot: &Snapshot) -> (Option<String>, &'static str) {
    if let Some(c) = str_at(ingress, "/spec/ingressClassName") {
        return (Some(c.to_owned()), "ingressClassName");
    }
    if let Some(c) = annotation(ingress, LEGACY_CLASS_ANNOTATION) {
        return (Some(c.to_owned()), "annotation");
    }
    let defaults: Vec<&Object> = snapshot
        .list(Kind::IngressClass, None)
        .filter(|c| annotation(&c.value, DEFAULT_CLASS_ANNOTATION) == Some("true"))
        .collect();
    match defaults.as_slice() {
        [one] => (Some(one.name.clone()), "default class"),
        _ => (None, "no class"),
    }
}

/// `ingress_route = { host, path, backend, class?, service_exists? }`
pub struct IngressRoute;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    host: Spanned<String>,
    path: Spanned<String>,
    backend: Spanned<String>,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    service_exists: bool,
}

#[derive(Debug)]
struct RouteCheck {
    host: String,
    path: String,
    backend: Backend,
    class: Option<String>,
    service_exists: bool,
}

/// A request path: absolute, without query.
pub(crate) fn request_path(path: &Spanned<String>, key: &str) -> Result<String, Problem> {
    let p = path.get_ref();
    if !p.starts_with('/') || p.contains('?') {
        return Err(Problem::new(
            path.span(),
            format!("{key}: path '{p}' must start with '/' and carry no query"),
        ));
    }
    Ok(p.clone())
}

/// A request host: a DNS name, no wildcard, no port.
pub(crate) fn request_host(host: &Spanned<String>, key: &str) -> Result<String, Problem> {
    let h = host.get_ref();
    let ok = !h.is_empty()
        && h.split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !ok {
        return Err(Problem::new(
            host.span(),
            format!("{key}: host '{h}' is not a host name a client would send (no '*', no port)"),
        ));
    }
    Ok(h.to_ascii_lowercase())
}

pub(crate) fn backend_spec(b: &Spanned<String>, key: &str) -> Result<Backend, Problem> {
    Backend::parse(b.get_ref()).map_err(|e| Problem::new(b.span(), format!("{key}: backend {e}")))
}

impl Evaluator for IngressRoute {
    fn key(&self) -> &'static str {
        "ingress_route"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: RouteFile = input.deserialize()?;
        Ok(Arc::new(RouteCheck {
            host: request_host(&file.host, self.key())?,
            path: request_path(&file.path, self.key())?,
            backend: backend_spec(&file.backend, self.key())?,
            class: file.class,
            service_exists: file.service_exists,
        }))
    }
}

impl RouteCheck {
    fn verdict(&self, ingresses: &[&Object], snapshot: &Snapshot) -> Verdict {
        let mut skipped = Vec::new();
        let served: Vec<&Object> = ingresses
            .iter()
            .copied()
            .filter(|i| {
                let Some(want) = &self.class else {
                    return true;
                };
                let (class, how) = class_of(&i.value, snapshot);
                let ok = class.as_deref() == Some(want);
                if !ok {
                    skipped.push(format!(
                        "ingress {} is of class {} ({how})",
                        i.name,
                        class.as_deref().unwrap_or("none")
                    ));
                }
                ok
            })
            .collect();
        let skipped = if skipped.is_empty() {
            String::new()
        } else {
            format!(
                "; not served by {}: {}",
                self.class.as_deref().unwrap_or_default(),
                skipped.join(", ")
            )
        };
        let Some(routed) = route(&served, &self.host, &self.path) else {
            let n = served.len();
            return Verdict::new(
                false,
                format!(
                    "no rule of {n} ingress{} serves {}{} and none has a defaultBackend{skipped}",
                    if n == 1 { "" } else { "es" },
                    self.host,
                    self.path
                ),
            );
        };
        let Some(found) = &routed.backend else {
            return Verdict::new(
                false,
                format!(
                    "routed to resource {} by {}{skipped}",
                    routed.resource.as_deref().unwrap_or("?"),
                    routed.by
                ),
            );
        };
        let mut pass = self.backend.is(found, &routed.namespace, snapshot);
        let mut words = format!("routed to {found} by {}", routed.by);
        if self.service_exists {
            match snapshot.get(Kind::Service, Some(&routed.namespace), &found.service) {
                None => {
                    pass = false;
                    let _ = write!(words, "; service {} does not exist", found.service);
                }
                Some(s) if service_port_number(&s.value, &found.port).is_none() => {
                    pass = false;
                    let _ = write!(
                        words,
                        "; service {} has no port {}",
                        found.service, found.port
                    );
                }
                Some(_) => {}
            }
        }
        Verdict::new(pass, format!("{words}{skipped}"))
    }
}

impl EvaluatorCheck for RouteCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::Ingress,
            "ingress_route",
            "an Ingress",
        )
    }

    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        let ns = target.and_then(|t| t.namespace.clone());
        let mut reads = vec![(Kind::Service, ns)];
        if self.class.is_some() {
            reads.push((Kind::IngressClass, None));
        }
        reads
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let class = self
            .class
            .as_ref()
            .map_or_else(String::new, |c| format!(" (class {c})"));
        let exists = if self.service_exists {
            ", a Service with that port"
        } else {
            ""
        };
        format!(
            "{}{class}: http://{}{} served by {}{exists}",
            subject.unwrap_or_default(),
            self.host,
            self.path,
            self.backend
        )
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        self.judge_set(&object.into_iter().collect::<Vec<_>>(), snapshot)
            .unwrap_or_else(|| Verdict::new(false, "no ingress"))
    }

    fn judge_set(&self, objects: &[&Object], snapshot: &Snapshot) -> Option<Verdict> {
        Some(self.verdict(objects, snapshot))
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        let Some(get) = target else {
            return "kubectl get ingress -A".into();
        };
        let describe = get.command.replacen("kubectl get", "kubectl describe", 1);
        if self.class.is_some() {
            format!("{describe}; kubectl get ingressclass")
        } else {
            describe
        }
    }

    fn named_values(&self) -> Vec<String> {
        let mut v = vec![
            self.host.clone(),
            self.path.clone(),
            self.backend.service.clone(),
            self.backend.port.to_string(),
        ];
        v.extend(self.class.clone());
        v
    }
}

#[cfg(test)]
mod tests;
