//! The Kubernetes kinds ckasim can read: how each is addressed by the API
//! and by `kubectl`.

use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};

/// A kind a rubric may target and a snapshot may hold: the well-known kinds
/// (known offline: group, version, plural, scope), and any other kind by its
/// `apiVersion` and `kind`, resolved by API discovery when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Namespace,
    ServiceAccount,
    Secret,
    ConfigMap,
    Pod,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    Service,
    PersistentVolumeClaim,
    PersistentVolume,
    Role,
    RoleBinding,
    ClusterRole,
    ClusterRoleBinding,
    NetworkPolicy,
    Node,
    StorageClass,
    EndpointSlice,
    Endpoints,
    Ingress,
    IngressClass,
    HorizontalPodAutoscaler,
    PriorityClass,
    LimitRange,
    ResourceQuota,
    PodDisruptionBudget,
    CustomResourceDefinition,
    CertificateSigningRequest,
    Lease,
    Event,
    GatewayClass,
    Gateway,
    HttpRoute,
    CsiDriver,
    RuntimeClass,
    /// Any other kind (a CRD's, say), named by its API group and version.
    Other(&'static OtherKind),
}

/// A kind ckasim does not know offline: its group, version and kind as an
/// object's `apiVersion` and `kind` say. Plural and scope come from API
/// discovery when the kind is read.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OtherKind {
    /// API group, empty for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// The resource name as discovery usually has it (lowercase plural);
    /// discovery's answer wins when the kind is read.
    pub plural: String,
}

impl OtherKind {
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// Interned `OtherKind`s: a handful per process (one per kind a rubric or a
/// snapshot names), kept for the life of the process so `Kind` stays `Copy`.
static OTHER_KINDS: Mutex<Vec<&'static OtherKind>> = Mutex::new(Vec::new());

fn intern(group: &str, version: &str, kind: &str) -> &'static OtherKind {
    let mut known = OTHER_KINDS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(k) = known
        .iter()
        .find(|k| k.group == group && k.version == version && k.kind == kind)
    {
        return k;
    }
    let other: &'static OtherKind = Box::leak(Box::new(OtherKind {
        group: group.to_string(),
        version: version.to_string(),
        kind: kind.to_string(),
        plural: guess_plural(kind),
    }));
    known.push(other);
    other
}

/// The plural discovery gives most kinds: lowercase, `-y` → `-ies`, `-s`/`-x`/`-ch`/`-sh` → `-es`.
fn guess_plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if lower.ends_with('s')
        || lower.ends_with('x')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
    {
        return format!("{lower}es");
    }
    format!("{lower}s")
}

/// How the API serves a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiInfo {
    /// API group, empty for the core group.
    pub group: &'static str,
    pub version: &'static str,
    /// Resource name in URLs and the name `kubectl get` accepts.
    pub plural: &'static str,
    pub namespaced: bool,
}

impl Kind {
    /// The well-known kinds.
    pub const ALL: [Kind; 39] = [
        Kind::Namespace,
        Kind::ServiceAccount,
        Kind::Secret,
        Kind::ConfigMap,
        Kind::Pod,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::Job,
        Kind::CronJob,
        Kind::Service,
        Kind::PersistentVolumeClaim,
        Kind::PersistentVolume,
        Kind::Role,
        Kind::RoleBinding,
        Kind::ClusterRole,
        Kind::ClusterRoleBinding,
        Kind::NetworkPolicy,
        Kind::Node,
        Kind::StorageClass,
        Kind::EndpointSlice,
        Kind::Endpoints,
        Kind::Ingress,
        Kind::IngressClass,
        Kind::HorizontalPodAutoscaler,
        Kind::PriorityClass,
        Kind::LimitRange,
        Kind::ResourceQuota,
        Kind::PodDisruptionBudget,
        Kind::CustomResourceDefinition,
        Kind::CertificateSigningRequest,
        Kind::Lease,
        Kind::Event,
        Kind::GatewayClass,
        Kind::Gateway,
        Kind::HttpRoute,
        Kind::CsiDriver,
        Kind::RuntimeClass,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Secret => "Secret",
            Kind::ConfigMap => "ConfigMap",
            Kind::Pod => "Pod",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
            Kind::Service => "Service",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::Role => "Role",
            Kind::RoleBinding => "RoleBinding",
            Kind::ClusterRole => "ClusterRole",
            Kind::ClusterRoleBinding => "ClusterRoleBinding",
            Kind::NetworkPolicy => "NetworkPolicy",
            Kind::Node => "Node",
            Kind::StorageClass => "StorageClass",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Endpoints => "Endpoints",
            Kind::Ingress => "Ingress",
            Kind::IngressClass => "IngressClass",
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Kind::PriorityClass => "PriorityClass",
            Kind::LimitRange => "LimitRange",
            Kind::ResourceQuota => "ResourceQuota",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
            Kind::CustomResourceDefinition => "CustomResourceDefinition",
            Kind::CertificateSigningRequest => "CertificateSigningRequest",
            Kind::Lease => "Lease",
            Kind::Event => "Event",
            Kind::GatewayClass => "GatewayClass",
            Kind::Gateway => "Gateway",
            Kind::HttpRoute => "HTTPRoute",
            Kind::CsiDriver => "CSIDriver",
            Kind::RuntimeClass => "RuntimeClass",
            Kind::Other(o) => &o.kind,
        }
    }

    pub fn api(self) -> ApiInfo {
        let (group, version, plural, namespaced) = match self {
            Kind::Namespace => ("", "v1", "namespaces", false),
            Kind::ServiceAccount => ("", "v1", "serviceaccounts", true),
            Kind::Secret => ("", "v1", "secrets", true),
            Kind::ConfigMap => ("", "v1", "configmaps", true),
            Kind::Pod => ("", "v1", "pods", true),
            Kind::Service => ("", "v1", "services", true),
            Kind::PersistentVolumeClaim => ("", "v1", "persistentvolumeclaims", true),
            Kind::PersistentVolume => ("", "v1", "persistentvolumes", false),
            Kind::Node => ("", "v1", "nodes", false),
            Kind::Deployment => ("apps", "v1", "deployments", true),
            Kind::ReplicaSet => ("apps", "v1", "replicasets", true),
            Kind::StatefulSet => ("apps", "v1", "statefulsets", true),
            Kind::DaemonSet => ("apps", "v1", "daemonsets", true),
            Kind::Job => ("batch", "v1", "jobs", true),
            Kind::CronJob => ("batch", "v1", "cronjobs", true),
            Kind::Role => ("rbac.authorization.k8s.io", "v1", "roles", true),
            Kind::RoleBinding => ("rbac.authorization.k8s.io", "v1", "rolebindings", true),
            Kind::ClusterRole => ("rbac.authorization.k8s.io", "v1", "clusterroles", false),
            Kind::ClusterRoleBinding => (
                "rbac.authorization.k8s.io",
                "v1",
                "clusterrolebindings",
                false,
            ),
            Kind::NetworkPolicy => ("networking.k8s.io", "v1", "networkpolicies", true),
            Kind::StorageClass => ("storage.k8s.io", "v1", "storageclasses", false),
            Kind::EndpointSlice => ("discovery.k8s.io", "v1", "endpointslices", true),
            Kind::Endpoints => ("", "v1", "endpoints", true),
            Kind::Ingress => ("networking.k8s.io", "v1", "ingresses", true),
            Kind::IngressClass => ("networking.k8s.io", "v1", "ingressclasses", false),
            Kind::HorizontalPodAutoscaler => {
                ("autoscaling", "v2", "horizontalpodautoscalers", true)
            }
            Kind::PriorityClass => ("scheduling.k8s.io", "v1", "priorityclasses", false),
            Kind::LimitRange => ("", "v1", "limitranges", true),
            Kind::ResourceQuota => ("", "v1", "resourcequotas", true),
            Kind::PodDisruptionBudget => ("policy", "v1", "poddisruptionbudgets", true),
            Kind::CustomResourceDefinition => (
                "apiextensions.k8s.io",
                "v1",
                "customresourcedefinitions",
                false,
            ),
            Kind::CertificateSigningRequest => (
                "certificates.k8s.io",
                "v1",
                "certificatesigningrequests",
                false,
            ),
            Kind::Lease => ("coordination.k8s.io", "v1", "leases", true),
            Kind::Event => ("", "v1", "events", true),
            Kind::GatewayClass => ("gateway.networking.k8s.io", "v1", "gatewayclasses", false),
            Kind::Gateway => ("gateway.networking.k8s.io", "v1", "gateways", true),
            Kind::HttpRoute => ("gateway.networking.k8s.io", "v1", "httproutes", true),
            Kind::CsiDriver => ("storage.k8s.io", "v1", "csidrivers", false),
            Kind::RuntimeClass => ("node.k8s.io", "v1", "runtimeclasses", false),
            // Scope is unknown until discovery: "namespaced" keeps a
            // target's namespace (none: every namespace, or a cluster-scoped kind).
            Kind::Other(o) => (
                o.group.as_str(),
                o.version.as_str(),
                o.plural.as_str(),
                true,
            ),
        };
        ApiInfo {
            group,
            version,
            plural,
            namespaced,
        }
    }

    pub fn namespaced(self) -> bool {
        self.api().namespaced
    }

    /// Whether the kind's scope is known offline (not an `Other` kind).
    pub fn is_well_known(self) -> bool {
        !matches!(self, Kind::Other(_))
    }

    /// The word `kubectl get` takes for this kind, e.g. `deployment`, or
    /// `shipment.logistics.sim.dev` for a kind of another API group.
    pub fn kubectl_name(self) -> String {
        match self {
            Kind::Other(o) if !o.group.is_empty() => {
                format!("{}.{}", o.kind.to_ascii_lowercase(), o.group)
            }
            _ => self.name().to_ascii_lowercase(),
        }
    }

    /// `apiVersion` of objects of this kind, e.g. `apps/v1`.
    pub fn api_version(self) -> String {
        let api = self.api();
        if api.group.is_empty() {
            api.version.to_string()
        } else {
            format!("{}/{}", api.group, api.version)
        }
    }

    /// The kind of an object with this `apiVersion` and `kind`: a well-known
    /// kind when the group and kind are one (whatever the version), else an
    /// `Other` kind. Without an `apiVersion`, a well-known kind by name.
    pub fn of_object(api_version: Option<&str>, kind: &str) -> Kind {
        let group = api_version.map(|av| av.rsplit_once('/').map_or("", |(g, _)| g));
        let known = Kind::ALL
            .into_iter()
            .find(|k| k.name() == kind && group.is_none_or(|g| g == k.api().group));
        if let Some(k) = known {
            return k;
        }
        let (group, version) = match api_version.and_then(|av| av.rsplit_once('/')) {
            Some((g, v)) => (g, v),
            None => ("", api_version.unwrap_or_default()),
        };
        Kind::Other(intern(group, version, kind))
    }

    /// Whether objects of this kind carry a pod template (or are pods).
    pub fn has_pod_spec(self) -> bool {
        matches!(
            self,
            Kind::Pod
                | Kind::Deployment
                | Kind::ReplicaSet
                | Kind::StatefulSet
                | Kind::DaemonSet
                | Kind::Job
                | Kind::CronJob
        )
    }

    /// The kind named by an object's `kind` field (exact, as the API writes it).
    pub fn from_api_kind(kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == kind)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Raised for a kind name ckasim does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown kind '{0}': name a kind ckasim knows (Pod, Deployment, StorageClass, …) or give its api_version, e.g. kind = \"Shipment\", api_version = \"logistics.sim.dev/v1\""
)]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;

    /// Accepts the API's spelling and kubectl's: `Deployment`, `deployment`,
    /// `deployments`, `deploy`, `sa`, `ns`.
    fn from_str(s: &str) -> Result<Kind, UnknownKind> {
        let lower = s.to_ascii_lowercase();
        let short = match lower.as_str() {
            "ns" => Some(Kind::Namespace),
            "sa" => Some(Kind::ServiceAccount),
            "cm" => Some(Kind::ConfigMap),
            "po" => Some(Kind::Pod),
            "deploy" => Some(Kind::Deployment),
            "rs" => Some(Kind::ReplicaSet),
            "sts" => Some(Kind::StatefulSet),
            "ds" => Some(Kind::DaemonSet),
            "cj" => Some(Kind::CronJob),
            "svc" => Some(Kind::Service),
            "pvc" => Some(Kind::PersistentVolumeClaim),
            "pv" => Some(Kind::PersistentVolume),
            "netpol" => Some(Kind::NetworkPolicy),
            "no" => Some(Kind::Node),
            "sc" => Some(Kind::StorageClass),
            "ep" => Some(Kind::Endpoints),
            "ing" => Some(Kind::Ingress),
            "hpa" => Some(Kind::HorizontalPodAutoscaler),
            "pc" => Some(Kind::PriorityClass),
            "limits" => Some(Kind::LimitRange),
            "quota" => Some(Kind::ResourceQuota),
            "pdb" => Some(Kind::PodDisruptionBudget),
            "crd" | "crds" => Some(Kind::CustomResourceDefinition),
            "csr" => Some(Kind::CertificateSigningRequest),
            "ev" => Some(Kind::Event),
            "gc" => Some(Kind::GatewayClass),
            "gtw" => Some(Kind::Gateway),
            _ => None,
        };
        short
            .or_else(|| {
                Kind::ALL.into_iter().find(|k| {
                    let name = k.name().to_ascii_lowercase();
                    name == lower || k.api().plural == lower
                })
            })
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_api_and_kubectl_spellings() {
        assert_eq!("Deployment".parse::<Kind>(), Ok(Kind::Deployment));
        assert_eq!("deployments".parse::<Kind>(), Ok(Kind::Deployment));
        assert_eq!("sa".parse::<Kind>(), Ok(Kind::ServiceAccount));
        assert!("Widget".parse::<Kind>().is_err());
    }

    #[test]
    fn new_well_known_kinds_parse_in_kubectl_spellings() {
        assert_eq!("sc".parse::<Kind>(), Ok(Kind::StorageClass));
        assert_eq!("httproutes".parse::<Kind>(), Ok(Kind::HttpRoute));
        assert_eq!("HTTPRoute".parse::<Kind>(), Ok(Kind::HttpRoute));
        assert_eq!("csidriver".parse::<Kind>(), Ok(Kind::CsiDriver));
        assert_eq!("endpoints".parse::<Kind>(), Ok(Kind::Endpoints));
        assert_eq!(Kind::Ingress.api_version(), "networking.k8s.io/v1");
        assert!(!Kind::PriorityClass.namespaced());
    }

    #[test]
    fn other_kinds_are_named_by_group_and_interned() {
        let a = Kind::of_object(Some("logistics.sim.dev/v1"), "Shipment");
        let b = Kind::of_object(Some("logistics.sim.dev/v1"), "Shipment");
        assert_eq!(a, b);
        let Kind::Other(o) = a else {
            panic!("{a:?} is well-known")
        };
        assert_eq!(
            (o.group.as_str(), o.version.as_str(), o.plural.as_str()),
            ("logistics.sim.dev", "v1", "shipments")
        );
        assert_eq!(a.kubectl_name(), "shipment.logistics.sim.dev");
        assert_eq!(a.api_version(), "logistics.sim.dev/v1");
        assert_eq!(a.to_string(), "Shipment");
        // The same kind name in another group is another kind.
        assert_ne!(Kind::of_object(Some("example.com/v1"), "Pod"), Kind::Pod);
        assert_eq!(Kind::of_object(Some("v1"), "Pod"), Kind::Pod);
        assert_eq!(
            Kind::of_object(Some("autoscaling/v1"), "HorizontalPodAutoscaler"),
            Kind::HorizontalPodAutoscaler
        );
        assert_eq!(Kind::of_object(None, "Pod"), Kind::Pod);
        assert_eq!(guess_plural("Policy"), "policies");
        assert_eq!(guess_plural("Gateway"), "gateways");
        assert_eq!(guess_plural("Ingress"), "ingresses");
    }

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_api_kind(kind.name()), Some(kind));
            assert_eq!(kind.name().parse::<Kind>(), Ok(kind));
            assert_eq!(
                Kind::of_object(Some(&kind.api_version()), kind.name()),
                kind
            );
        }
    }
}
