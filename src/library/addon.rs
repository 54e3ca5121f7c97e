//! What a scenario needs beyond a plain kind cluster: an add-on declared by
//! the scenario (`addons = ["ingress-nginx"]`), found on the cluster (or on
//! PATH) by `cluster::addons`, reported by `doctor` and the picker with how to
//! install it on kind.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An add-on a scenario's tasks or grading rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Addon {
    /// The ingress-nginx controller with its ingress class `nginx`.
    IngressNginx,
    /// The Gateway API CRDs and a controller whose gateway class is `eg`.
    GatewayApi,
    /// metrics-server, serving `metrics.k8s.io` for `kubectl top` and HPAs.
    MetricsServer,
    /// A network plugin that enforces network policies.
    NetworkPolicy,
    /// Addresses for `LoadBalancer` Services (cloud-provider-kind on kind).
    LoadBalancer,
    /// The `helm` command on the candidate's PATH.
    Helm,
}

impl Addon {
    pub const ALL: [Addon; 6] = [
        Addon::IngressNginx,
        Addon::GatewayApi,
        Addon::MetricsServer,
        Addon::NetworkPolicy,
        Addon::LoadBalancer,
        Addon::Helm,
    ];

    /// The name scenarios declare it by.
    pub fn id(self) -> &'static str {
        match self {
            Addon::IngressNginx => "ingress-nginx",
            Addon::GatewayApi => "gateway-api",
            Addon::MetricsServer => "metrics-server",
            Addon::NetworkPolicy => "network-policy",
            Addon::LoadBalancer => "load-balancer",
            Addon::Helm => "helm",
        }
    }

    /// What it is, in a few words.
    pub fn what(self) -> &'static str {
        match self {
            Addon::IngressNginx => "an Ingress controller (IngressClass nginx)",
            Addon::GatewayApi => "Gateway API CRDs and a controller (GatewayClass eg)",
            Addon::MetricsServer => "metrics-server (kubectl top, HPA metrics)",
            Addon::NetworkPolicy => "NetworkPolicy enforcement",
            Addon::LoadBalancer => "addresses for LoadBalancer Services",
            Addon::Helm => "the helm command",
        }
    }

    /// How to install it on a kind cluster made from
    /// `assets/kind-cluster.yaml`: one line of commands.
    pub fn install(self) -> &'static str {
        match self {
            Addon::IngressNginx => {
                "kubectl apply -f https://kind.sigs.k8s.io/examples/ingress/deploy-ingress-nginx.yaml (it runs on the node labelled ingress-ready=true, with the host ports 80/443 of assets/kind-cluster.yaml)"
            }
            Addon::GatewayApi => {
                "kubectl apply --server-side -f https://github.com/envoyproxy/gateway/releases/download/v1.7.2/install.yaml && kubectl apply -f assets/addons/gateway-class-eg.yaml, and run cloud-provider-kind so Gateways get an address (see that file)"
            }
            Addon::MetricsServer => {
                concat!(
                    "kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml",
                    " && kubectl patch -n kube-system deployment metrics-server --type=json",
                    " -p '[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/args/-\",\"value\":\"--kubelet-insecure-tls\"}]'",
                    " (kind's kubelets serve self-signed certificates)"
                )
            }
            Addon::NetworkPolicy => {
                "create the cluster with kind v0.24 or newer (its kindnet enforces NetworkPolicies), or install Calico: https://docs.tigera.io/calico/latest/getting-started/kubernetes/kind"
            }
            Addon::LoadBalancer => {
                "run cloud-provider-kind on the host (https://github.com/kubernetes-sigs/cloud-provider-kind): it gives LoadBalancer Services of kind clusters an address reachable from the host"
            }
            Addon::Helm => "install helm: https://helm.sh/docs/intro/install/",
        }
    }
}

impl fmt::Display for Addon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
