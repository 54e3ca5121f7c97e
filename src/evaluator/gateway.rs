//! Gateway API: which backend an HTTP request through a Gateway reaches
//! (`http_route`, no target), and whether a Gateway is ready (`gateway_ready`
//! on a Gateway target).
//!
//! ```toml
//! http_route = { gateway = "infra/gw", host = "shop.example.com", path = "/api",
//!                headers = { "User-Agent" = "mobile" }, backend = "api:8080" }
//! ```
//!
//! The request lands on the Gateway's most specific listener for its host
//! (and `port`, when given); the HTTPRoutes attached to that listener
//! (`parentRefs` naming the Gateway, `sectionName`/`port` when set,
//! `allowedRoutes` namespaces From Same/All/Selector and kinds, hostnames
//! intersecting) compete as the HTTPRoute specification orders matches:
//! hostname specificity, Exact path, longest PathPrefix, method, most header
//! matches, most query matches, then the oldest route, then by
//! `namespace/name`, then rule order. `RegularExpression` paths (whole-path
//! regular expressions) rank below prefixes, as their precedence is left to
//! implementations. The route's `status.parents[]` Accepted and ResolvedRefs
//! conditions, written by the Gateway's controller, must be True unless
//! `accepted = false`.

// Kind and field names (HTTPRoute, PathPrefix, sectionName) are the domain's words here.
#![allow(clippy::doc_markdown)]

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::ingress::{Backend, ServicePort, backend_spec, request_host, request_path};
use super::objects::{array_at, condition, str_at};
use super::pod_security::needs_kind;
use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, TargetUse, Verdict};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::{Object, Snapshot};
use crate::values::Selector;

const GROUP: &str = "gateway.networking.k8s.io";

/// Whether a Gateway API hostname (`*.example.com` matches any number of
/// labels before `example.com`) matches a host.
pub fn hostname_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.len() > suffix.len() + 1 && {
                let host = host.to_ascii_lowercase();
                host.ends_with(&format!(".{}", suffix.to_ascii_lowercase()))
            }
        }
        None => pattern.eq_ignore_ascii_case(host),
    }
}

/// Whether two hostnames (either may be a wildcard) have a host in common.
fn hostnames_intersect(a: &str, b: &str) -> bool {
    hostname_matches(a, b.trim_start_matches("*.")) && !b.starts_with("*.")
        || hostname_matches(b, a.trim_start_matches("*.")) && !a.starts_with("*.")
        || a.eq_ignore_ascii_case(b)
        || match (a.strip_prefix("*."), b.strip_prefix("*.")) {
            (Some(x), Some(y)) => {
                x.eq_ignore_ascii_case(y) || hostname_matches(a, y) || hostname_matches(b, x)
            }
            _ => false,
        }
}

/// How specific a hostname is for a host it matches: exact names first,
/// then longer wildcards, then none at all.
fn specificity(hostname: Option<&str>) -> (usize, usize) {
    match hostname {
        None => (0, 0),
        Some(h) if h.starts_with("*.") => (0, h.len()),
        Some(h) => (h.len(), h.len()),
    }
}

/// One HTTP request through a Gateway.
#[derive(Debug, Clone)]
pub struct Request {
    pub host: String,
    pub path: String,
    pub method: String,
    /// Header names lowercased.
    pub headers: BTreeMap<String, String>,
    pub query: BTreeMap<String, String>,
    pub port: Option<i64>,
}

/// Where a request went.
#[derive(Debug, Clone)]
pub struct Routed<'a> {
    pub route: &'a Object,
    pub rule: usize,
    /// The match in words: `PathPrefix /api, header user-agent`.
    pub matched: String,
    pub listener: String,
    /// Backends with their weights.
    pub backends: Vec<(Backend, String, i64)>,
}

/// Why nothing served a request: a sentence.
pub type NotRouted = String;

fn listener_name(l: &Value) -> &str {
    str_at(l, "/name").unwrap_or("?")
}

/// Whether a listener admits HTTPRoutes from a namespace, or why not.
fn admits(
    listener: &Value,
    gateway_ns: &str,
    route_ns: &str,
    snapshot: &Snapshot,
) -> Result<(), String> {
    let kinds = array_at(listener, "/allowedRoutes/kinds");
    let kind_ok = if kinds.is_empty() {
        matches!(str_at(listener, "/protocol"), Some("HTTP" | "HTTPS"))
    } else {
        kinds.iter().any(|k| {
            str_at(k, "/kind") == Some("HTTPRoute") && str_at(k, "/group").unwrap_or(GROUP) == GROUP
        })
    };
    if !kind_ok {
        return Err(format!(
            "listener {} does not take HTTPRoutes ({})",
            listener_name(listener),
            str_at(listener, "/protocol").unwrap_or("no protocol")
        ));
    }
    let from = str_at(listener, "/allowedRoutes/namespaces/from").unwrap_or("Same");
    let ok = match from {
        "All" => true,
        "Same" => gateway_ns == route_ns,
        "Selector" => {
            let selector = listener
                .pointer("/allowedRoutes/namespaces/selector")
                .and_then(|s| Selector::from_json(s).ok());
            let namespace = snapshot.get(Kind::Namespace, None, route_ns);
            selector.is_some_and(|s| s.matches_object_labels(namespace.and_then(Object::labels)))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "listener {} admits routes from {from} namespaces, not from {route_ns}",
            listener_name(listener)
        ))
    }
}

/// Whether a parentRef of a route names this Gateway.
fn names_gateway(parent: &Value, route_ns: &str, gw: &Object) -> bool {
    str_at(parent, "/group").unwrap_or(GROUP) == GROUP
        && str_at(parent, "/kind").unwrap_or("Gateway") == "Gateway"
        && str_at(parent, "/name") == Some(gw.name.as_str())
        && str_at(parent, "/namespace").unwrap_or(route_ns) == gw.namespace.as_deref().unwrap_or("")
}

/// Whether a route attaches to a listener, or why not.
fn attaches(
    route: &Object,
    gw: &Object,
    listener: &Value,
    snapshot: &Snapshot,
) -> Result<(), String> {
    let route_ns = route.namespace.as_deref().unwrap_or("");
    let refs: Vec<&Value> = array_at(&route.value, "/spec/parentRefs")
        .iter()
        .filter(|p| names_gateway(p, route_ns, gw))
        .collect();
    let name = listener_name(listener);
    let port = listener.get("port").and_then(Value::as_i64);
    let to_listener = refs.iter().any(|p| {
        str_at(p, "/sectionName").is_none_or(|s| s == name)
            && p.get("port")
                .and_then(Value::as_i64)
                .is_none_or(|p| Some(p) == port)
    });
    if !to_listener {
        return Err(format!("its parentRefs name no listener {name}"));
    }
    admits(
        listener,
        gw.namespace.as_deref().unwrap_or(""),
        route_ns,
        snapshot,
    )?;
    let hostnames = array_at(&route.value, "/spec/hostnames");
    if let Some(lh) = str_at(listener, "/hostname")
        && !hostnames.is_empty()
        && !hostnames
            .iter()
            .filter_map(Value::as_str)
            .any(|h| hostnames_intersect(h, lh))
    {
        return Err(format!(
            "none of its hostnames is within listener {name}'s {lh}"
        ));
    }
    Ok(())
}

/// The precedence of a match: larger first.
type Rank = (usize, usize, u8, usize, bool, usize, usize);

/// The best match so far: its rank, tie-breakers (creation, `namespace/name`,
/// rule index), the route and the match in words.
struct Best<'a> {
    rank: Rank,
    order: (&'a str, String),
    rule: usize,
    route: &'a Object,
    words: String,
}

/// Whether a whole string matches a regular expression (RE2 syntax, as the
/// Gateway API suggests).
fn whole_match(pattern: &str, text: &str) -> bool {
    regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|r| r.is_match(text))
}

/// Whether a header or query parameter match (`type` Exact or
/// RegularExpression, `value`) holds for the request's value.
fn value_matches(m: &Value, have: &str) -> bool {
    let want = str_at(m, "/value").unwrap_or_default();
    match str_at(m, "/type").unwrap_or("Exact") {
        "RegularExpression" => whole_match(want, have),
        _ => have == want,
    }
}

/// Whether a match of a rule matches the request: its rank and words.
fn try_match(m: &Value, req: &Request) -> Option<(u8, usize, bool, usize, usize, String)> {
    let kind = str_at(m, "/path/type").unwrap_or("PathPrefix");
    let value = str_at(m, "/path/value").unwrap_or("/");
    let (path_rank, len) = match kind {
        "Exact" if value == req.path => (2, value.len()),
        "PathPrefix" if super::ingress::element_prefix(value, &req.path) => (1, value.len()),
        "RegularExpression" if whole_match(value, &req.path) => (0, value.len()),
        _ => return None,
    };
    let mut words = vec![format!("{kind} {value}")];
    let method = str_at(m, "/method");
    if let Some(method) = method {
        if !method.eq_ignore_ascii_case(&req.method) {
            return None;
        }
        words.push(format!("method {method}"));
    }
    let headers = array_at(m, "/headers");
    for h in headers {
        let name = str_at(h, "/name").unwrap_or_default().to_ascii_lowercase();
        if !value_matches(h, req.headers.get(&name)?) {
            return None;
        }
        words.push(format!("header {name}"));
    }
    let query = array_at(m, "/queryParams");
    for q in query {
        let name = str_at(q, "/name").unwrap_or_default();
        if !value_matches(q, req.query.get(name)?) {
            return None;
        }
        words.push(format!("query {name}"));
    }
    Some((
        path_rank,
        len,
        method.is_some(),
        headers.len(),
        query.len(),
        words.join(", "),
    ))
}

fn backends_of(rule: &Value, route_ns: &str) -> Vec<(Backend, String, i64)> {
    array_at(rule, "/backendRefs")
        .iter()
        .filter(|b| {
            str_at(b, "/kind").unwrap_or("Service") == "Service"
                && str_at(b, "/group").unwrap_or("").is_empty()
        })
        .map(|b| {
            (
                Backend {
                    service: str_at(b, "/name").unwrap_or_default().to_owned(),
                    port: ServicePort::Number(b.get("port").and_then(Value::as_i64).unwrap_or(0)),
                },
                str_at(b, "/namespace").unwrap_or(route_ns).to_owned(),
                b.get("weight").and_then(Value::as_i64).unwrap_or(1),
            )
        })
        .collect()
}

/// The backend a request through `gw` reaches, or why none does. Without a
/// port, the request is tried on each port of the Gateway's HTTP listeners,
/// lowest first, and the first port that routes it answers.
pub fn route<'a>(
    gw: &'a Object,
    req: &Request,
    snapshot: &'a Snapshot,
) -> Result<Routed<'a>, NotRouted> {
    if req.port.is_some() {
        return route_on_port(gw, req, snapshot);
    }
    let mut ports: Vec<i64> = array_at(&gw.value, "/spec/listeners")
        .iter()
        .filter(|l| matches!(str_at(l, "/protocol"), Some("HTTP" | "HTTPS")))
        .filter_map(|l| l.get("port").and_then(Value::as_i64))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    let mut first_error = None;
    for p in ports {
        let on_port = Request {
            port: Some(p),
            ..req.clone()
        };
        match route_on_port(gw, &on_port, snapshot) {
            Ok(r) => return Ok(r),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| route_on_port(gw, req, snapshot).err().unwrap_or_default()))
}

fn route_on_port<'a>(
    gw: &'a Object,
    req: &Request,
    snapshot: &'a Snapshot,
) -> Result<Routed<'a>, NotRouted> {
    let listeners = array_at(&gw.value, "/spec/listeners");
    let gw_name = format!("{}/{}", gw.namespace.as_deref().unwrap_or(""), gw.name);
    let listener = listeners
        .iter()
        .filter(|l| {
            req.port
                .is_none_or(|p| l.get("port").and_then(Value::as_i64) == Some(p))
                && matches!(str_at(l, "/protocol"), Some("HTTP" | "HTTPS"))
                && str_at(l, "/hostname").is_none_or(|h| hostname_matches(h, &req.host))
        })
        .max_by_key(|l| specificity(str_at(l, "/hostname")));
    let Some(listener) = listener else {
        let all: Vec<String> = listeners
            .iter()
            .map(|l| {
                format!(
                    "{} {} {}:{}",
                    listener_name(l),
                    str_at(l, "/protocol").unwrap_or("?"),
                    str_at(l, "/hostname").unwrap_or("*"),
                    l.get("port").and_then(Value::as_i64).unwrap_or(0)
                )
            })
            .collect();
        return Err(format!(
            "no HTTP listener of gateway {gw_name} takes host {}{} (listeners: {})",
            req.host,
            req.port
                .map_or_else(String::new, |p| format!(" on port {p}")),
            if all.is_empty() {
                "none".into()
            } else {
                all.join(", ")
            }
        ));
    };
    let lname = listener_name(listener);
    let mut refused = Vec::new();
    let mut best: Option<Best<'a>> = None;
    for r in snapshot.list(Kind::HttpRoute, None) {
        let route_ns = r.namespace.as_deref().unwrap_or("");
        if !array_at(&r.value, "/spec/parentRefs")
            .iter()
            .any(|p| names_gateway(p, route_ns, gw))
        {
            continue;
        }
        if let Err(why) = attaches(r, gw, listener, snapshot) {
            refused.push(format!("httproute {route_ns}/{}: {why}", r.name));
            continue;
        }
        let hostnames: Vec<&str> = array_at(&r.value, "/spec/hostnames")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let host_rank = if hostnames.is_empty() {
            Some((0, 0))
        } else {
            hostnames
                .iter()
                .filter(|h| hostname_matches(h, &req.host))
                .map(|h| specificity(Some(h)))
                .max()
        };
        let Some(host_rank) = host_rank else {
            refused.push(format!(
                "httproute {route_ns}/{}: no hostname matches {}",
                r.name, req.host
            ));
            continue;
        };
        let created = str_at(&r.value, "/metadata/creationTimestamp").unwrap_or_default();
        let qualified = format!("{route_ns}/{}", r.name);
        for (i, rule) in array_at(&r.value, "/spec/rules").iter().enumerate() {
            let default = [serde_json::json!({})];
            let matches = array_at(rule, "/matches");
            let matches = if matches.is_empty() {
                &default[..]
            } else {
                matches
            };
            for m in matches {
                let Some((p, len, method, headers, query, words)) = try_match(m, req) else {
                    continue;
                };
                let rank: Rank = (host_rank.0, host_rank.1, p, len, method, headers, query);
                let order = (created, qualified.clone());
                let better = best.as_ref().is_none_or(|b| {
                    rank > b.rank || (rank == b.rank && (&order, i) < (&b.order, b.rule))
                });
                if better {
                    best = Some(Best {
                        rank,
                        order,
                        rule: i,
                        route: r,
                        words,
                    });
                }
            }
        }
    }
    let Some(Best {
        rule,
        route: r,
        words: matched,
        ..
    }) = best
    else {
        let refused = if refused.is_empty() {
            String::new()
        } else {
            format!("; not attached: {}", refused.join("; "))
        };
        return Err(format!(
            "no HTTPRoute attached to listener {lname} of gateway {gw_name} matches {} {}{}{refused}",
            req.method, req.host, req.path
        ));
    };
    let rule_value = &array_at(&r.value, "/spec/rules")[rule];
    Ok(Routed {
        route: r,
        rule,
        matched,
        listener: lname.to_owned(),
        backends: backends_of(rule_value, r.namespace.as_deref().unwrap_or("")),
    })
}

/// The route's status for this Gateway, as its controller wrote it: a
/// problem in words, or `None` when Accepted and ResolvedRefs are True.
fn route_status(route: &Object, gw: &Object) -> Option<String> {
    let route_ns = route.namespace.as_deref().unwrap_or("");
    let parent = array_at(&route.value, "/status/parents").iter().find(|p| {
        p.get("parentRef")
            .is_some_and(|r| names_gateway(r, route_ns, gw))
    });
    let Some(parent) = parent else {
        return Some(format!(
            "httproute {} has no status for gateway {}: no Gateway controller has processed it (is one installed for its GatewayClass?)",
            route.name, gw.name
        ));
    };
    let mut bad = Vec::new();
    for kind in ["Accepted", "ResolvedRefs"] {
        let c = array_at(parent, "/conditions")
            .iter()
            .find(|c| str_at(c, "/type") == Some(kind));
        match c {
            Some(c) if str_at(c, "/status") == Some("True") => {}
            Some(c) => bad.push(format!(
                "{kind}={} ({}: {})",
                str_at(c, "/status").unwrap_or("?"),
                str_at(c, "/reason").unwrap_or("?"),
                str_at(c, "/message").unwrap_or_default()
            )),
            None => bad.push(format!("{kind} not reported")),
        }
    }
    (!bad.is_empty()).then(|| format!("httproute {} status: {}", route.name, bad.join(", ")))
}

/// `http_route = { gateway, host, path, method?, headers?, query?, port?, backend, accepted? }`
pub struct HttpRoute;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    gateway: Spanned<String>,
    host: Spanned<String>,
    path: Spanned<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    query: BTreeMap<String, String>,
    #[serde(default)]
    port: Option<Spanned<i64>>,
    backend: Spanned<String>,
    #[serde(default = "yes")]
    accepted: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug)]
struct RouteCheck {
    namespace: String,
    gateway: String,
    request: Request,
    backend: Backend,
    accepted: bool,
}

impl Evaluator for HttpRoute {
    fn key(&self) -> &'static str {
        "http_route"
    }

    fn target(&self) -> TargetUse {
        TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: RouteFile = input.deserialize()?;
        let Some((namespace, gateway)) = file
            .gateway
            .get_ref()
            .split_once('/')
            .filter(|(n, g)| !n.is_empty() && !g.is_empty())
        else {
            return Err(Problem::new(
                file.gateway.span(),
                format!(
                    "http_route: gateway '{}' is not 'namespace/name'",
                    file.gateway.get_ref()
                ),
            ));
        };
        let port = file
            .port
            .as_ref()
            .map(|p| {
                (1..=65535)
                    .contains(p.get_ref())
                    .then_some(*p.get_ref())
                    .ok_or_else(|| {
                        Problem::new(
                            p.span(),
                            format!(
                                "http_route: port {} is not a port number (1-65535)",
                                p.get_ref()
                            ),
                        )
                    })
            })
            .transpose()?;
        Ok(Arc::new(RouteCheck {
            namespace: namespace.to_owned(),
            gateway: gateway.to_owned(),
            request: Request {
                host: request_host(&file.host, self.key())?,
                path: request_path(&file.path, self.key())?,
                method: file
                    .method
                    .unwrap_or_else(|| "GET".into())
                    .to_ascii_uppercase(),
                headers: file
                    .headers
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v))
                    .collect(),
                query: file.query,
                port,
            },
            backend: backend_spec(&file.backend, self.key())?,
            accepted: file.accepted,
        }))
    }
}

impl EvaluatorCheck for RouteCheck {
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        let mut reads = vec![
            (Kind::Gateway, Some(self.namespace.clone())),
            (Kind::HttpRoute, None),
            (Kind::Namespace, None),
        ];
        // A port named in the rubric resolves through the backend's Service.
        if matches!(self.backend.port, ServicePort::Name(_)) {
            reads.push((Kind::Service, None));
        }
        reads
    }

    fn expected(&self, _subject: Option<&str>) -> String {
        let r = &self.request;
        let mut extra: Vec<String> = r.headers.keys().map(|h| format!("header {h}")).collect();
        extra.extend(r.query.keys().map(|q| format!("query {q}")));
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" with {}", extra.join(", "))
        };
        let port = r.port.map_or_else(String::new, |p| format!(":{p}"));
        let accepted = if self.accepted {
            ", the route Accepted with its refs resolved"
        } else {
            ""
        };
        format!(
            "{} {}{port}{}{extra} through gateway {}/{} served by {}{accepted}",
            r.method, r.host, r.path, self.namespace, self.gateway, self.backend
        )
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(gw) = snapshot.get(Kind::Gateway, Some(&self.namespace), &self.gateway) else {
            return Verdict::new(
                false,
                format!("no gateway {} in {}", self.gateway, self.namespace),
            );
        };
        let routed = match route(gw, &self.request, snapshot) {
            Ok(r) => r,
            Err(why) => return Verdict::new(false, why),
        };
        let total: i64 = routed.backends.iter().map(|b| b.2.max(0)).sum();
        let shown: Vec<String> = routed
            .backends
            .iter()
            .map(|(b, _, w)| {
                if routed.backends.len() == 1 {
                    b.to_string()
                } else {
                    format!("{b} (weight {w} of {total})")
                }
            })
            .collect();
        let hit = routed
            .backends
            .iter()
            .any(|(b, ns, w)| *w > 0 && self.backend.is(b, ns, snapshot));
        let route_ns = routed.route.namespace.as_deref().unwrap_or("");
        let mut found = format!(
            "routed to {} by httproute {route_ns}/{} rule {} ({}) on listener {}",
            if shown.is_empty() {
                "no backend".to_owned()
            } else {
                shown.join(", ")
            },
            routed.route.name,
            routed.rule + 1,
            routed.matched,
            routed.listener
        );
        let status = route_status(routed.route, gw);
        if let Some(s) = &status {
            found = format!("{found}; {s}");
        }
        Verdict::new(
            hit && total > 0 && (!self.accepted || status.is_none()),
            found,
        )
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        format!(
            "kubectl describe gateway {} -n {}; kubectl get httproute -A -o yaml",
            self.gateway, self.namespace
        )
    }

    fn named_values(&self) -> Vec<String> {
        let mut v = vec![
            self.gateway.clone(),
            self.request.host.clone(),
            self.request.path.clone(),
            self.backend.service.clone(),
        ];
        v.extend(self.request.headers.values().cloned());
        v
    }
}

/// `gateway_ready = true | false`
pub struct GatewayReady;

#[derive(Debug)]
struct ReadyCheck(bool);

impl Evaluator for GatewayReady {
    fn key(&self) -> &'static str {
        "gateway_ready"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        Ok(Arc::new(ReadyCheck(input.deserialize::<bool>()?)))
    }
}

/// Whether a Gateway is Accepted and Programmed for its current generation, in words.
fn gateway_state(gw: &Value) -> (bool, String) {
    let class = str_at(gw, "/spec/gatewayClassName").unwrap_or("none");
    if array_at(gw, "/status/conditions").is_empty() {
        return (
            false,
            format!("no status: no controller of GatewayClass {class} has processed it"),
        );
    }
    let generation = gw.pointer("/metadata/generation").and_then(Value::as_i64);
    let mut parts = Vec::new();
    let mut ok = true;
    for kind in ["Accepted", "Programmed"] {
        let c = array_at(gw, "/status/conditions")
            .iter()
            .find(|c| str_at(c, "/type") == Some(kind));
        let stale = c
            .and_then(|c| c.get("observedGeneration"))
            .and_then(Value::as_i64)
            .zip(generation)
            .is_some_and(|(o, g)| o < g);
        match (condition(gw, kind), c) {
            (Some("True"), _) if !stale => parts.push(kind.to_owned()),
            (Some(s), Some(c)) => {
                ok = false;
                let why = if stale {
                    "for an older generation".to_owned()
                } else {
                    format!(
                        "{}: {}",
                        str_at(c, "/reason").unwrap_or("?"),
                        str_at(c, "/message").unwrap_or_default()
                    )
                };
                parts.push(format!("{kind}={s} ({why})"));
            }
            _ => {
                ok = false;
                parts.push(format!("{kind} not reported"));
            }
        }
    }
    let addresses: Vec<&str> = array_at(gw, "/status/addresses")
        .iter()
        .filter_map(|a| str_at(a, "/value"))
        .collect();
    let at = if addresses.is_empty() {
        String::new()
    } else {
        format!(", address {}", addresses.join(", "))
    };
    (ok, format!("class {class}: {}{at}", parts.join(", ")))
}

impl EvaluatorCheck for ReadyCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(target, |k| k == Kind::Gateway, "gateway_ready", "a Gateway")
    }

    fn expected(&self, subject: Option<&str>) -> String {
        format!(
            "{}: {}",
            subject.unwrap_or_default(),
            if self.0 {
                "Accepted and Programmed by its controller"
            } else {
                "not Programmed"
            }
        )
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        let Some(gw) = object else {
            return Verdict::new(false, "no object to judge");
        };
        let (ready, words) = gateway_state(&gw.value);
        Verdict::new(ready == self.0, words)
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        target.map_or_else(String::new, |get| {
            get.jsonpath("{range .status.conditions[*]}{.type}={.status} ({.reason}) {end}")
        })
    }
}

#[cfg(test)]
mod tests;
