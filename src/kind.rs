//! The Kubernetes kinds ckasim can read: how each is addressed by the API
//! and by `kubectl`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A kind a rubric may target and a snapshot may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    HorizontalPodAutoscaler,
    PriorityClass,
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
    pub const ALL: [Kind; 23] = [
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
        Kind::HorizontalPodAutoscaler,
        Kind::PriorityClass,
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
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Kind::PriorityClass => "PriorityClass",
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
            Kind::HorizontalPodAutoscaler => {
                ("autoscaling", "v2", "horizontalpodautoscalers", true)
            }
            Kind::PriorityClass => ("scheduling.k8s.io", "v1", "priorityclasses", false),
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

    /// The word `kubectl get` takes for this kind, e.g. `deployment`.
    pub fn kubectl_name(self) -> String {
        self.name().to_ascii_lowercase()
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
    "unknown kind '{0}' (known: Namespace, ServiceAccount, Secret, ConfigMap, Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, Service, PersistentVolumeClaim, PersistentVolume, Role, RoleBinding, ClusterRole, ClusterRoleBinding, NetworkPolicy, Node, StorageClass, HorizontalPodAutoscaler, PriorityClass)"
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
            "hpa" => Some(Kind::HorizontalPodAutoscaler),
            "pc" => Some(Kind::PriorityClass),
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
    fn every_kind_round_trips_through_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_api_kind(kind.name()), Some(kind));
            assert_eq!(kind.name().parse::<Kind>(), Ok(kind));
        }
    }
}
