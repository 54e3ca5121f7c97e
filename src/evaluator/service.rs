//! Service expectations judged by `crate::service` on a Service target:
//! `endpoints` (how many ready pods back it, on which port) and
//! `service_resolves` (whether a client of the Service reaches anything).
//!
//! ```toml
//! target = { kind = "Service", namespace = "shop", name = "web" }
//! endpoints = { ready_at_least = 2, port = 8080 }
//! # or
//! service_resolves = true
//! ```

use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::pod_security::needs_kind;
use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, Verdict};
use crate::kind::Kind;
use crate::library::rubric::{Selection, Target};
use crate::service::{Endpoints, SERVICE_NAME_LABEL, Services, Source};
use crate::snapshot::{Object, Snapshot};

/// `endpoints = { ready_at_least? = N, ready_at_most? = N, port? = N }`
pub struct EndpointsEvaluator;

/// `service_resolves = true | false`
pub struct ServiceResolves;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointsFile {
    #[serde(default)]
    ready_at_least: Option<Spanned<i64>>,
    #[serde(default)]
    ready_at_most: Option<Spanned<i64>>,
    #[serde(default)]
    port: Option<Spanned<i64>>,
}

#[derive(Debug)]
struct EndpointsCheck {
    at_least: Option<usize>,
    at_most: Option<usize>,
    port: Option<u16>,
}

#[derive(Debug)]
struct ResolvesCheck(bool);

fn count(value: Option<&Spanned<i64>>, what: &str) -> Result<Option<usize>, Problem> {
    value
        .map(|v| {
            usize::try_from(*v.get_ref())
                .map_err(|_| Problem::new(v.span(), format!("endpoints: {what} must be 0 or more")))
        })
        .transpose()
}

impl Evaluator for EndpointsEvaluator {
    fn key(&self) -> &'static str {
        "endpoints"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: EndpointsFile = input.deserialize()?;
        let at_least = count(file.ready_at_least.as_ref(), "ready_at_least")?;
        let at_most = count(file.ready_at_most.as_ref(), "ready_at_most")?;
        let port = file
            .port
            .as_ref()
            .map(|p| {
                u16::try_from(*p.get_ref())
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        Problem::new(
                            p.span(),
                            format!(
                                "endpoints: port {} is not a port number (1-65535)",
                                p.get_ref()
                            ),
                        )
                    })
            })
            .transpose()?;
        if let (Some(low), Some(high), Some(span)) = (
            at_least,
            at_most,
            file.ready_at_most.as_ref().map(Spanned::span),
        ) && low > high
        {
            return Err(Problem::new(
                span,
                format!("endpoints: ready_at_most ({high}) is below ready_at_least ({low})"),
            ));
        }
        if at_least.is_none() && at_most.is_none() && port.is_none() {
            return Err(Problem::new(
                input.span(),
                "endpoints needs at least one of ready_at_least, ready_at_most, port",
            ));
        }
        Ok(Arc::new(EndpointsCheck {
            at_least,
            at_most,
            port,
        }))
    }
}

impl Evaluator for ServiceResolves {
    fn key(&self) -> &'static str {
        "service_resolves"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        Ok(Arc::new(ResolvesCheck(input.deserialize::<bool>()?)))
    }
}

/// The pods and `EndpointSlices` of the Service's namespace.
fn service_reads(target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
    let ns = target.and_then(|t| t.namespace.clone());
    vec![(Kind::Pod, ns.clone()), (Kind::EndpointSlice, ns)]
}

fn endpoints_of(service: &Object, snapshot: &Snapshot) -> Endpoints {
    let ns = service.namespace.as_deref();
    let index = Services::new(
        snapshot
            .list(Kind::Pod, ns)
            .chain(snapshot.list(Kind::EndpointSlice, ns))
            .map(|o| &o.value),
    );
    index.endpoints(&service.value)
}

/// "2 ready endpoints: web-1 (10.244.1.5:8080), web-2 (…)", or why there is none.
fn describe(e: &Endpoints) -> String {
    if e.source == Source::ExternalName {
        return match &e.external_name {
            Some(name) if !name.is_empty() => format!("ExternalName {name}"),
            _ => "ExternalName without a host".into(),
        };
    }
    let ready = e.ready();
    if ready.is_empty() {
        return format!(
            "no ready endpoint: {}",
            e.why_none().unwrap_or_else(|| "none listed".into())
        );
    }
    let list: Vec<String> = ready
        .iter()
        .map(|b| {
            let ports: Vec<String> = b.ports.iter().map(|p| p.port.to_string()).collect();
            let at = if ports.is_empty() {
                b.address.clone()
            } else {
                format!("{}:{}", b.address, ports.join(","))
            };
            match &b.pod {
                Some(pod) => format!("{pod} ({at})"),
                None => at,
            }
        })
        .collect();
    format!(
        "{} ready endpoint{}: {}",
        ready.len(),
        if ready.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
}

/// The `EndpointSlices` of the Service, as kubectl lists them.
fn inspect_slices(target: Option<&Get<'_>>) -> String {
    let Some(get) = target else {
        return String::new();
    };
    match (&get.target.select, &get.target.namespace) {
        (Selection::Name(name), Some(ns)) => {
            format!("kubectl get endpointslices -n {ns} -l {SERVICE_NAME_LABEL}={name} -o wide")
        }
        (_, Some(ns)) => format!("kubectl get endpointslices -n {ns} -o wide"),
        _ => get.command.clone(),
    }
}

impl EvaluatorCheck for EndpointsCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(target, |k| k == Kind::Service, "endpoints", "a Service")
    }

    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        service_reads(target)
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let mut parts = Vec::new();
        match (self.at_least, self.at_most) {
            (Some(low), Some(high)) if low == high => {
                parts.push(format!("exactly {low} ready endpoints"));
            }
            (Some(low), Some(high)) => parts.push(format!("{low} to {high} ready endpoints")),
            (Some(low), None) => parts.push(format!("at least {low} ready endpoints")),
            (None, Some(high)) => parts.push(format!("at most {high} ready endpoints")),
            (None, None) => {}
        }
        if let Some(port) = self.port {
            parts.push(format!("every ready endpoint on port {port}"));
        }
        format!("{}: {}", subject.unwrap_or_default(), parts.join(", "))
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(service) = object else {
            return Verdict::new(false, "no object to judge");
        };
        let e = endpoints_of(service, snapshot);
        let ready = e.ready();
        let n = ready.len();
        let count_ok =
            self.at_least.is_none_or(|low| n >= low) && self.at_most.is_none_or(|high| n <= high);
        let off_port: Vec<String> = self.port.map_or_else(Vec::new, |port| {
            ready
                .iter()
                .filter(|b| !b.ports.iter().any(|p| p.port == port))
                .map(|b| {
                    let ports: Vec<String> = b.ports.iter().map(|p| p.port.to_string()).collect();
                    format!(
                        "{} on {}",
                        b.pod.as_deref().unwrap_or(&b.address),
                        if ports.is_empty() {
                            "no port".into()
                        } else {
                            format!("port {}", ports.join(","))
                        }
                    )
                })
                .collect()
        });
        let port_ok = self.port.is_none() || (n > 0 && off_port.is_empty());
        let mut found = describe(&e);
        if !off_port.is_empty() {
            found = format!("{found}; not on the expected port: {}", off_port.join(", "));
        }
        Verdict::new(count_ok && port_ok, found)
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        inspect_slices(target)
    }

    fn named_values(&self) -> Vec<String> {
        self.port.map(|p| p.to_string()).into_iter().collect()
    }
}

impl EvaluatorCheck for ResolvesCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::Service,
            "service_resolves",
            "a Service",
        )
    }

    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        service_reads(target)
    }

    fn expected(&self, subject: Option<&str>) -> String {
        format!(
            "{}: {}",
            subject.unwrap_or_default(),
            if self.0 {
                "reaches at least one ready endpoint"
            } else {
                "has no ready endpoint"
            }
        )
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(service) = object else {
            return Verdict::new(false, "no object to judge");
        };
        let e = endpoints_of(service, snapshot);
        Verdict::new(e.resolves() == self.0, describe(&e))
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        inspect_slices(target)
    }
}

#[cfg(test)]
mod tests;
