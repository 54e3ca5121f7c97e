//! Resource types as kubectl resolves them for `auth can-i`: plural,
//! singular, short name or kind, optionally qualified by API group
//! (`deployments.apps`, `deploy`, `po`), over the resources a current
//! Kubernetes API server serves, plus the CustomResourceDefinitions found in
//! the objects given.

use serde_json::Value;

/// A resource an API server serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub group: String,
    /// The plural name, as RBAC rules name it.
    pub resource: String,
    pub namespaced: bool,
    singular: String,
    short: Vec<String>,
}

impl ResourceType {
    /// `pods`, `deployments.apps`: how kubectl names the type.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    fn answers_to(&self, name: &str) -> bool {
        self.resource == name || self.singular == name || self.short.iter().any(|s| s == name)
    }
}

// (group, plural, singular, short names, namespaced), core group first: kubectl
// prefers it when two groups serve the same name (`events`).
const BUILT_IN: &[(&str, &str, &str, &[&str], bool)] = &[
    ("", "bindings", "binding", &[], true),
    ("", "componentstatuses", "componentstatus", &["cs"], false),
    ("", "configmaps", "configmap", &["cm"], true),
    ("", "endpoints", "endpoints", &["ep"], true),
    ("", "events", "event", &["ev"], true),
    ("", "limitranges", "limitrange", &["limits"], true),
    ("", "namespaces", "namespace", &["ns"], false),
    ("", "nodes", "node", &["no"], false),
    (
        "",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        &["pvc"],
        true,
    ),
    ("", "persistentvolumes", "persistentvolume", &["pv"], false),
    ("", "pods", "pod", &["po"], true),
    ("", "podtemplates", "podtemplate", &[], true),
    (
        "",
        "replicationcontrollers",
        "replicationcontroller",
        &["rc"],
        true,
    ),
    ("", "resourcequotas", "resourcequota", &["quota"], true),
    ("", "secrets", "secret", &[], true),
    ("", "serviceaccounts", "serviceaccount", &["sa"], true),
    ("", "services", "service", &["svc"], true),
    // Not served, but what impersonation rules name; kubectl passes them through.
    ("", "users", "user", &[], false),
    ("", "groups", "group", &[], false),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        &[],
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        &[],
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
        false,
    ),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        false,
    ),
    (
        "apiregistration.k8s.io",
        "apiservices",
        "apiservice",
        &[],
        false,
    ),
    (
        "apps",
        "controllerrevisions",
        "controllerrevision",
        &[],
        true,
    ),
    ("apps", "daemonsets", "daemonset", &["ds"], true),
    ("apps", "deployments", "deployment", &["deploy"], true),
    ("apps", "replicasets", "replicaset", &["rs"], true),
    ("apps", "statefulsets", "statefulset", &["sts"], true),
    (
        "authentication.k8s.io",
        "selfsubjectreviews",
        "selfsubjectreview",
        &[],
        false,
    ),
    (
        "authentication.k8s.io",
        "tokenreviews",
        "tokenreview",
        &[],
        false,
    ),
    (
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        &[],
        true,
    ),
    (
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        &[],
        false,
    ),
    (
        "authorization.k8s.io",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        &[],
        false,
    ),
    (
        "authorization.k8s.io",
        "subjectaccessreviews",
        "subjectaccessreview",
        &[],
        false,
    ),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        true,
    ),
    ("batch", "cronjobs", "cronjob", &["cj"], true),
    ("batch", "jobs", "job", &[], true),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
        false,
    ),
    ("coordination.k8s.io", "leases", "lease", &[], true),
    (
        "discovery.k8s.io",
        "endpointslices",
        "endpointslice",
        &[],
        true,
    ),
    ("events.k8s.io", "events", "event", &["ev"], true),
    (
        "flowcontrol.apiserver.k8s.io",
        "flowschemas",
        "flowschema",
        &[],
        false,
    ),
    (
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        "prioritylevelconfiguration",
        &[],
        false,
    ),
    (
        "networking.k8s.io",
        "ingressclasses",
        "ingressclass",
        &[],
        false,
    ),
    ("networking.k8s.io", "ingresses", "ingress", &["ing"], true),
    (
        "networking.k8s.io",
        "ipaddresses",
        "ipaddress",
        &["ip"],
        false,
    ),
    (
        "networking.k8s.io",
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        true,
    ),
    (
        "networking.k8s.io",
        "servicecidrs",
        "servicecidr",
        &[],
        false,
    ),
    ("node.k8s.io", "runtimeclasses", "runtimeclass", &[], false),
    (
        "policy",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        &["pdb"],
        true,
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterroles",
        "clusterrole",
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "rolebindings",
        "rolebinding",
        &[],
        true,
    ),
    ("rbac.authorization.k8s.io", "roles", "role", &[], true),
    (
        "scheduling.k8s.io",
        "priorityclasses",
        "priorityclass",
        &["pc"],
        false,
    ),
    ("storage.k8s.io", "csidrivers", "csidriver", &[], false),
    ("storage.k8s.io", "csinodes", "csinode", &[], false),
    (
        "storage.k8s.io",
        "csistoragecapacities",
        "csistoragecapacity",
        &[],
        true,
    ),
    (
        "storage.k8s.io",
        "storageclasses",
        "storageclass",
        &["sc"],
        false,
    ),
    (
        "storage.k8s.io",
        "volumeattachments",
        "volumeattachment",
        &[],
        false,
    ),
];

/// The resource types kubectl can name: the built-in ones, then those of the
/// CustomResourceDefinitions among `objects`.
#[derive(Debug, Clone)]
pub struct ResourceTypes {
    types: Vec<ResourceType>,
}

impl Default for ResourceTypes {
    fn default() -> Self {
        ResourceTypes {
            types: BUILT_IN
                .iter()
                .map(
                    |(group, plural, singular, short, namespaced)| ResourceType {
                        group: (*group).to_string(),
                        resource: (*plural).to_string(),
                        namespaced: *namespaced,
                        singular: (*singular).to_string(),
                        short: short.iter().map(|s| (*s).to_string()).collect(),
                    },
                )
                .collect(),
        }
    }
}

impl ResourceTypes {
    /// The built-in types plus every CustomResourceDefinition in `objects`.
    pub fn with_definitions<'a, I>(objects: I) -> ResourceTypes
    where
        I: IntoIterator<Item = &'a Value>,
    {
        let mut all = ResourceTypes::default();
        for crd in objects {
            if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
                continue;
            }
            let at = |p: &str| {
                crd.pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_ascii_lowercase()
            };
            let (group, plural) = (at("/spec/group"), at("/spec/names/plural"));
            if group.is_empty() || plural.is_empty() {
                continue;
            }
            let short = crd
                .pointer("/spec/names/shortNames")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .chain(std::iter::once(at("/spec/names/kind")))
                .collect();
            all.types.push(ResourceType {
                group,
                resource: plural,
                namespaced: at("/spec/scope") != "cluster",
                singular: at("/spec/names/singular"),
                short,
            });
        }
        all
    }

    /// Resolves a TYPE as kubectl does: `pods`, `pod`, `po`, `Pod`,
    /// `deployments.apps`, `deploy.apps`, `deployments.v1.apps`.
    pub fn resolve(&self, arg: &str) -> Option<&ResourceType> {
        let arg = arg.to_ascii_lowercase();
        let find = |name: &str, group: Option<&str>| {
            self.types
                .iter()
                .find(|t| group.is_none_or(|g| t.group == g) && t.answers_to(name))
        };
        let Some((name, rest)) = arg.split_once('.') else {
            return find(&arg, None);
        };
        if let Some((version, group)) = rest.split_once('.')
            && is_version(version)
            && let Some(t) = find(name, Some(group))
        {
            return Some(t);
        }
        find(name, Some(rest))
    }
}

/// `v1`, `v1beta1`, `v2alpha3`.
fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    tail.is_empty()
        || ["alpha", "beta"].iter().any(|p| {
            tail.strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The request `kubectl auth can-i VERB TARGET [--subresource S]` asks, in
/// `namespace` (empty: all namespaces): TARGET is `TYPE`, `TYPE/NAME` or a
/// non-resource URL starting with `/`; `*` is every resource. A cluster-scoped
/// TYPE is still asked in the namespace given, as kubectl asks it.
pub fn request(
    types: &ResourceTypes,
    verb: &str,
    target: &str,
    subresource: Option<&str>,
    namespace: &str,
) -> Result<super::Request, String> {
    if target.starts_with('/') {
        if subresource.is_some() {
            return Err("--subresource can not be used with a non-resource URL".into());
        }
        return Ok(super::Request::NonResource {
            verb: verb.to_string(),
            path: target.to_string(),
        });
    }
    let (type_arg, name) = target.split_once('/').unwrap_or((target, ""));
    let (group, resource) = if type_arg == "*" {
        (String::new(), "*".to_string())
    } else {
        let t = types.resolve(type_arg).ok_or_else(|| {
            format!(
                "unknown resource type '{type_arg}' (a plural, singular or short name, optionally with its group: pods, po, deployments.apps, deploy)"
            )
        })?;
        (t.group.clone(), t.resource.clone())
    };
    Ok(super::Request::Resource(super::ResourceRequest {
        verb: verb.to_string(),
        group,
        resource,
        subresource: subresource.unwrap_or_default().to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
    }))
}
