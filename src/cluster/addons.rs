//! Whether the add-ons scenarios declare are in place: a few reads of the
//! cluster (the `IngressClass` list, the Gateway API CRDs and the
//! `GatewayClass` named `eg`, the metrics `APIService`, kube-system's
//! `DaemonSet` list) judged by pure functions, and `helm` looked up on PATH.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Cluster;
use super::fetch::{Read, fetch};
use crate::kind::Kind;
use crate::library::addon::Addon;
use crate::snapshot::Snapshot;

/// What was found for one add-on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    /// In place: what shows it.
    Present(String),
    /// Not in place: what is missing.
    Missing(String),
    /// Could not be told: why.
    Unknown(String),
}

impl Presence {
    pub fn is_present(&self) -> bool {
        matches!(self, Presence::Present(_))
    }
}

const GATEWAY_CLASS: &str = "eg";
const GATEWAY_CRDS: [&str; 2] = [
    "gateways.gateway.networking.k8s.io",
    "httproutes.gateway.networking.k8s.io",
];
const METRICS_API: &str = "v1beta1.metrics.k8s.io";
/// The date of the first kindnetd image of kind v0.24, the release whose
/// kindnet enforces network policies.
const KINDNET_WITH_POLICIES: &str = "20240813";
/// Network plugins (their kube-system daemon sets) that enforce network policies.
const POLICY_PLUGINS: [&str; 6] = [
    "calico-node",
    "cilium",
    "antrea-agent",
    "kube-router",
    "canal",
    "weave-net",
];

fn gateway_class_kind() -> Kind {
    Kind::of_object(Some("gateway.networking.k8s.io/v1"), "GatewayClass")
}

fn api_service_kind() -> Kind {
    Kind::of_object(Some("apiregistration.k8s.io/v1"), "APIService")
}

/// The reads that tell whether `addons` are in place (none for helm).
pub fn reads(addons: &[Addon]) -> Vec<Read> {
    let mut reads = Vec::new();
    for addon in addons {
        match addon {
            Addon::IngressNginx => reads.push(Read::List {
                kind: Kind::IngressClass,
                namespace: None,
            }),
            Addon::GatewayApi => {
                reads.extend(GATEWAY_CRDS.map(|name| Read::Get {
                    kind: Kind::CustomResourceDefinition,
                    name: name.to_string(),
                }));
                reads.push(Read::Get {
                    kind: gateway_class_kind(),
                    name: GATEWAY_CLASS.to_string(),
                });
            }
            Addon::MetricsServer => reads.push(Read::Get {
                kind: api_service_kind(),
                name: METRICS_API.to_string(),
            }),
            Addon::NetworkPolicy => reads.push(Read::List {
                kind: Kind::DaemonSet,
                namespace: Some("kube-system".to_string()),
            }),
            Addon::LoadBalancer => reads.push(Read::List {
                kind: Kind::Service,
                namespace: None,
            }),
            Addon::Helm => {}
        }
    }
    reads.sort();
    reads.dedup();
    reads
}

/// Reads the cluster once for every add-on of `addons` and says for each
/// whether it is in place; `helm` is the path where it was found, if it was.
pub async fn probe(
    cluster: &Cluster,
    addons: &[Addon],
    helm: Option<&Path>,
) -> Vec<(Addon, Presence)> {
    let snapshot = fetch(cluster, &reads(addons)).await;
    addons
        .iter()
        .map(|&a| (a, detect(a, &snapshot, helm)))
        .collect()
}

/// Whether `addon` is in place, judged from what `reads` returned.
pub fn detect(addon: Addon, snapshot: &Snapshot, helm: Option<&Path>) -> Presence {
    match addon {
        Addon::IngressNginx => ingress_nginx(snapshot),
        Addon::GatewayApi => gateway_api(snapshot),
        Addon::MetricsServer => metrics_server(snapshot),
        Addon::NetworkPolicy => network_policy(snapshot),
        Addon::LoadBalancer => load_balancer(snapshot),
        Addon::Helm => match helm {
            Some(path) => Presence::Present(format!("helm {}", path.display())),
            None => Presence::Missing("helm is not on PATH".into()),
        },
    }
}

fn unreadable(snapshot: &Snapshot, kind: Kind, namespace: Option<&str>) -> Option<Presence> {
    snapshot
        .unavailable(kind, namespace)
        .map(|reason| Presence::Unknown(format!("cannot read {}: {reason}", kind.kubectl_name())))
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The status of condition `kind` ("True", "False", …) and its message.
fn condition<'a>(v: &'a Value, kind: &str) -> Option<(&'a str, &'a str)> {
    v.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| str_at(c, "/type") == Some(kind))
        .map(|c| {
            (
                str_at(c, "/status").unwrap_or(""),
                str_at(c, "/message").unwrap_or(""),
            )
        })
}

fn ingress_nginx(snapshot: &Snapshot) -> Presence {
    if let Some(p) = unreadable(snapshot, Kind::IngressClass, None) {
        return p;
    }
    let classes: Vec<_> = snapshot.list(Kind::IngressClass, None).collect();
    match classes.iter().find(|c| c.name == "nginx") {
        Some(c) => Presence::Present(format!(
            "IngressClass nginx ({})",
            str_at(&c.value, "/spec/controller").unwrap_or("no controller named")
        )),
        None if classes.is_empty() => Presence::Missing("no IngressClass on the cluster".into()),
        None => Presence::Missing(format!(
            "no IngressClass nginx (found {})",
            classes
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn gateway_api(snapshot: &Snapshot) -> Presence {
    if let Some(p) = unreadable(snapshot, Kind::CustomResourceDefinition, None) {
        return p;
    }
    let missing: Vec<&str> = GATEWAY_CRDS
        .into_iter()
        .filter(|name| {
            snapshot
                .get(Kind::CustomResourceDefinition, None, name)
                .is_none()
        })
        .collect();
    if !missing.is_empty() {
        return Presence::Missing(format!(
            "the Gateway API CRDs are not installed (no {})",
            missing.join(", ")
        ));
    }
    let kind = gateway_class_kind();
    if let Some(p) = unreadable(snapshot, kind, None) {
        return p;
    }
    let Some(class) = snapshot.get(kind, None, GATEWAY_CLASS) else {
        return Presence::Missing(format!("no GatewayClass {GATEWAY_CLASS}"));
    };
    let controller = str_at(&class.value, "/spec/controllerName").unwrap_or("no controller named");
    match condition(&class.value, "Accepted") {
        Some(("True", _)) => Presence::Present(format!(
            "GatewayClass {GATEWAY_CLASS} accepted by {controller}"
        )),
        Some((_, message)) => Presence::Missing(format!(
            "GatewayClass {GATEWAY_CLASS} is not accepted by {controller}: {message}"
        )),
        None => Presence::Missing(format!(
            "GatewayClass {GATEWAY_CLASS} has no Accepted condition: is {controller} running?"
        )),
    }
}

fn metrics_server(snapshot: &Snapshot) -> Presence {
    let kind = api_service_kind();
    if let Some(p) = unreadable(snapshot, kind, None) {
        return p;
    }
    let Some(service) = snapshot.get(kind, None, METRICS_API) else {
        return Presence::Missing(format!(
            "metrics.k8s.io is not served (no APIService {METRICS_API})"
        ));
    };
    match condition(&service.value, "Available") {
        Some(("True", _)) => Presence::Present(format!("APIService {METRICS_API} available")),
        Some((_, message)) => Presence::Missing(format!(
            "APIService {METRICS_API} is not available: {message}"
        )),
        None => Presence::Missing(format!(
            "APIService {METRICS_API} reports no availability yet"
        )),
    }
}

/// The date of a kindnetd image tag (`…/kindnetd:v20240813-c6f155d6`), as
/// eight digits.
fn kindnet_date(image: &str) -> Option<&str> {
    let tag = image.rsplit_once(':')?.1;
    let digits = tag.strip_prefix('v')?.get(..8)?;
    digits.bytes().all(|b| b.is_ascii_digit()).then_some(digits)
}

fn network_policy(snapshot: &Snapshot) -> Presence {
    if let Some(p) = unreadable(snapshot, Kind::DaemonSet, Some("kube-system")) {
        return p;
    }
    let daemon_sets: Vec<_> = snapshot
        .list(Kind::DaemonSet, Some("kube-system"))
        .collect();
    if let Some(plugin) = daemon_sets
        .iter()
        .find(|d| POLICY_PLUGINS.contains(&d.name.as_str()))
    {
        return Presence::Present(format!("{} enforces NetworkPolicies", plugin.name));
    }
    let Some(kindnet) = daemon_sets.iter().find(|d| d.name == "kindnet") else {
        return Presence::Missing(
            "no network plugin that enforces NetworkPolicies in kube-system".into(),
        );
    };
    let image = str_at(&kindnet.value, "/spec/template/spec/containers/0/image").unwrap_or("");
    match kindnet_date(image) {
        Some(date) if date >= KINDNET_WITH_POLICIES => Presence::Present(format!(
            "kindnet {image} enforces NetworkPolicies (kind v0.24+)"
        )),
        Some(_) => Presence::Missing(format!(
            "kindnet {image} predates NetworkPolicy support (kind v0.24)"
        )),
        None => Presence::Unknown(format!(
            "kindnet {image}: cannot tell whether it enforces NetworkPolicies (kind v0.24+ does)"
        )),
    }
}

/// A load-balancer controller runs outside the cluster (cloud-provider-kind
/// on the host): what shows it is a `LoadBalancer` Service with an address.
/// Before any exists, it cannot be told.
fn load_balancer(snapshot: &Snapshot) -> Presence {
    if let Some(p) = unreadable(snapshot, Kind::Service, None) {
        return p;
    }
    let balanced: Vec<_> = snapshot
        .list(Kind::Service, None)
        .filter(|s| str_at(&s.value, "/spec/type") == Some("LoadBalancer"))
        .collect();
    let addressed = balanced.iter().find(|s| {
        s.value
            .pointer("/status/loadBalancer/ingress")
            .and_then(Value::as_array)
            .is_some_and(|i| !i.is_empty())
    });
    match (addressed, balanced.first()) {
        (Some(s), _) => Presence::Present(format!(
            "Service {}/{} has a load-balancer address",
            s.namespace.as_deref().unwrap_or(""),
            s.name
        )),
        (None, Some(s)) => Presence::Missing(format!(
            "LoadBalancer Service {}/{} has no address: no load-balancer controller answers",
            s.namespace.as_deref().unwrap_or(""),
            s.name
        )),
        (None, None) => Presence::Missing(
            "no LoadBalancer Service has an address yet (none exists to tell by)".into(),
        ),
    }
}

/// Where `name` is on `path` (a PATH value), if it is an executable file there.
pub fn find_on_path(name: &str, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.with_extension("exe").is_file() || p.is_file()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn snapshot(objects: Vec<Value>) -> Snapshot {
        let mut s = Snapshot::default();
        for o in objects {
            s.insert(o).unwrap();
        }
        s
    }

    fn kindnet(image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
               "metadata": {"name": "kindnet", "namespace": "kube-system"},
               "spec": {"template": {"spec": {"containers": [{"name": "kindnet-cni", "image": image}]}}}})
    }

    #[test]
    fn kindnet_enforces_policies_from_kind_v0_24() {
        let new = snapshot(vec![kindnet(
            "docker.io/kindest/kindnetd:v20250512-df8de77b",
        )]);
        assert_eq!(
            detect(Addon::NetworkPolicy, &new, None),
            Presence::Present(
                "kindnet docker.io/kindest/kindnetd:v20250512-df8de77b enforces NetworkPolicies (kind v0.24+)"
                    .into()
            )
        );
        let old = snapshot(vec![kindnet(
            "docker.io/kindest/kindnetd:v20230511-dc714da8",
        )]);
        assert_eq!(
            detect(Addon::NetworkPolicy, &old, None),
            Presence::Missing(
                "kindnet docker.io/kindest/kindnetd:v20230511-dc714da8 predates NetworkPolicy support (kind v0.24)"
                    .into()
            )
        );
        let calico = snapshot(vec![
            kindnet("docker.io/kindest/kindnetd:v20230511-dc714da8"),
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
                   "metadata": {"name": "calico-node", "namespace": "kube-system"}}),
        ]);
        assert!(detect(Addon::NetworkPolicy, &calico, None).is_present());
        assert_eq!(
            detect(Addon::NetworkPolicy, &snapshot(vec![]), None),
            Presence::Missing(
                "no network plugin that enforces NetworkPolicies in kube-system".into()
            )
        );
    }

    #[test]
    fn an_unreadable_list_is_unknown_not_missing() {
        let mut s = Snapshot::default();
        s.mark_unavailable(Kind::IngressClass, None, "forbidden".into());
        assert_eq!(
            detect(Addon::IngressNginx, &s, None),
            Presence::Unknown("cannot read ingressclass: forbidden".into())
        );
    }

    #[test]
    fn ingress_nginx_is_its_ingress_class() {
        let class = |name: &str| {
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                   "metadata": {"name": name}, "spec": {"controller": "k8s.io/ingress-nginx"}})
        };
        assert_eq!(
            detect(Addon::IngressNginx, &snapshot(vec![class("nginx")]), None),
            Presence::Present("IngressClass nginx (k8s.io/ingress-nginx)".into())
        );
        assert_eq!(
            detect(Addon::IngressNginx, &snapshot(vec![class("traefik")]), None),
            Presence::Missing("no IngressClass nginx (found traefik)".into())
        );
    }

    #[test]
    fn gateway_api_needs_the_crds_and_an_accepted_class() {
        let crd = |name: &str| {
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                   "metadata": {"name": name}})
        };
        let class = |status: &str| {
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                   "metadata": {"name": "eg"},
                   "spec": {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller"},
                   "status": {"conditions": [{"type": "Accepted", "status": status, "message": "waiting"}]}})
        };
        assert_eq!(
            detect(
                Addon::GatewayApi,
                &snapshot(vec![crd(GATEWAY_CRDS[0])]),
                None
            ),
            Presence::Missing(
                "the Gateway API CRDs are not installed (no httproutes.gateway.networking.k8s.io)"
                    .into()
            )
        );
        let crds = || GATEWAY_CRDS.map(crd).to_vec();
        assert_eq!(
            detect(Addon::GatewayApi, &snapshot(crds()), None),
            Presence::Missing("no GatewayClass eg".into())
        );
        let mut pending = crds();
        pending.push(class("Unknown"));
        assert_eq!(
            detect(Addon::GatewayApi, &snapshot(pending), None),
            Presence::Missing(
                "GatewayClass eg is not accepted by gateway.envoyproxy.io/gatewayclass-controller: waiting".into()
            )
        );
        let mut ready = crds();
        ready.push(class("True"));
        assert!(detect(Addon::GatewayApi, &snapshot(ready), None).is_present());
    }

    #[test]
    fn metrics_server_is_its_available_api_service() {
        let service = |status: &str| {
            json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                   "metadata": {"name": METRICS_API},
                   "status": {"conditions": [{"type": "Available", "status": status,
                                              "message": "failing or missing response from https://10.96.1.2:443"}]}})
        };
        assert_eq!(
            detect(Addon::MetricsServer, &snapshot(vec![service("False")]), None),
            Presence::Missing(
                "APIService v1beta1.metrics.k8s.io is not available: failing or missing response from https://10.96.1.2:443"
                    .into()
            )
        );
        assert!(detect(Addon::MetricsServer, &snapshot(vec![service("True")]), None).is_present());
        assert_eq!(
            detect(Addon::MetricsServer, &snapshot(vec![]), None),
            Presence::Missing(
                "metrics.k8s.io is not served (no APIService v1beta1.metrics.k8s.io)".into()
            )
        );
    }

    #[test]
    fn a_load_balancer_shows_in_an_addressed_service() {
        let service = |name: &str, ingress: Value| {
            json!({"apiVersion": "v1", "kind": "Service",
                   "metadata": {"name": name, "namespace": "web"},
                   "spec": {"type": "LoadBalancer"},
                   "status": {"loadBalancer": {"ingress": ingress}}})
        };
        assert_eq!(
            detect(
                Addon::LoadBalancer,
                &snapshot(vec![service("shop", json!([]))]),
                None
            ),
            Presence::Missing(
                "LoadBalancer Service web/shop has no address: no load-balancer controller answers"
                    .into()
            )
        );
        assert_eq!(
            detect(
                Addon::LoadBalancer,
                &snapshot(vec![service("shop", json!([{"ip": "172.18.0.7"}]))]),
                None
            ),
            Presence::Present("Service web/shop has a load-balancer address".into())
        );
    }

    #[test]
    fn helm_is_looked_up_on_path() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_on_path("helm", Some(dir.path().as_os_str())), None);
        let helm = dir.path().join("helm");
        std::fs::write(&helm, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let found = find_on_path("helm", Some(dir.path().as_os_str()));
        assert_eq!(found.as_deref(), Some(helm.as_path()));
        assert!(detect(Addon::Helm, &Snapshot::default(), found.as_deref()).is_present());
    }
}
