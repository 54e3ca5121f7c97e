//! The RBAC objects of a cluster, read from API objects: rules of Roles and
//! ClusterRoles (aggregated ClusterRoles resolved as the aggregation
//! controller resolves them), and the bindings.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::quote;

/// One `PolicyRule` of a Role or ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
    pub verbs: Vec<String>,
}

impl Rule {
    /// A rule as the API prints it (`apiGroups`, `resources`, `resourceNames`,
    /// `nonResourceURLs`, `verbs`); absent lists are empty.
    pub fn from_value(rule: &Value) -> Rule {
        Rule {
            api_groups: strings(rule.get("apiGroups")),
            resources: strings(rule.get("resources")),
            resource_names: strings(rule.get("resourceNames")),
            non_resource_urls: strings(rule.get("nonResourceURLs")),
            verbs: strings(rule.get("verbs")),
        }
    }
}

impl fmt::Display for Rule {
    /// The rule in YAML flow style: `apiGroups: [""], resources: ["pods"], verbs: ["get"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields = [
            ("apiGroups", &self.api_groups),
            ("resources", &self.resources),
            ("resourceNames", &self.resource_names),
            ("nonResourceURLs", &self.non_resource_urls),
            ("verbs", &self.verbs),
        ];
        let mut first = true;
        for (key, values) in fields {
            if values.is_empty() && key != "verbs" {
                continue;
            }
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            let quoted: Vec<String> = values.iter().map(|v| quote(v)).collect();
            write!(f, "{key}: [{}]", quoted.join(", "))?;
        }
        Ok(())
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// A binding's `roleRef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleRef {
    pub kind: String,
    pub name: String,
}

/// One of a binding's `subjects`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectRef {
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

impl BindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BindingKind::RoleBinding => "RoleBinding",
            BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

/// A RoleBinding (with its namespace) or a ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    pub kind: BindingKind,
    pub name: String,
    /// Empty for a ClusterRoleBinding.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<SubjectRef>,
}

impl Binding {
    fn from_value(kind: BindingKind, v: &Value) -> Binding {
        let namespace = match kind {
            BindingKind::ClusterRoleBinding => String::new(),
            BindingKind::RoleBinding => match str_at(v, "/metadata/namespace") {
                "" => "default".to_string(),
                ns => ns.to_string(),
            },
        };
        let subjects = v
            .get("subjects")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|s| SubjectRef {
                        kind: str_at(s, "/kind").to_string(),
                        name: str_at(s, "/name").to_string(),
                        namespace: str_at(s, "/namespace").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Binding {
            kind,
            name: str_at(v, "/metadata/name").to_string(),
            namespace,
            role_ref: RoleRef {
                kind: str_at(v, "/roleRef/kind").to_string(),
                name: str_at(v, "/roleRef/name").to_string(),
            },
            subjects,
        }
    }

    /// The binding as the API server names it in a reason, with the subject
    /// that matched: `ClusterRoleBinding "ci" of ClusterRole "view" to Group
    /// "dev"`, `RoleBinding "read/dev" of Role "reader" to ServiceAccount
    /// "ci/dev"`.
    pub fn describe(&self, subject: &SubjectRef) -> String {
        let name = match self.kind {
            BindingKind::ClusterRoleBinding => self.name.clone(),
            BindingKind::RoleBinding => format!("{}/{}", self.name, self.namespace),
        };
        let who = if subject.kind == "ServiceAccount" {
            let ns = if subject.namespace.is_empty() {
                &self.namespace
            } else {
                &subject.namespace
            };
            format!("{}/{ns}", subject.name)
        } else {
            subject.name.clone()
        };
        format!(
            "{} {} of {} {} to {} {}",
            self.kind.as_str(),
            quote(&name),
            self.role_ref.kind,
            quote(&self.role_ref.name),
            subject.kind,
            quote(&who)
        )
    }
}

/// A ClusterRole as written: its own rules, labels, and aggregation selectors.
#[derive(Debug, Clone)]
struct ClusterRoleSource {
    labels: BTreeMap<String, String>,
    rules: Vec<Rule>,
    aggregation: Option<Vec<Selector>>,
}

/// A `metav1.LabelSelector`: matchLabels AND matchExpressions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    requirements: Vec<(String, Operator, Vec<String>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// An operator the API server rejects: the selector matches nothing.
    Invalid,
}

impl Selector {
    fn from_value(v: &Value) -> Selector {
        let mut requirements = Vec::new();
        if let Some(labels) = v.get("matchLabels").and_then(Value::as_object) {
            for (k, val) in labels {
                let value = val.as_str().unwrap_or_default().to_string();
                requirements.push((k.clone(), Operator::In, vec![value]));
            }
        }
        for e in v
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let op = match str_at(e, "/operator") {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                _ => Operator::Invalid,
            };
            requirements.push((str_at(e, "/key").to_string(), op, strings(e.get("values"))));
        }
        Selector { requirements }
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|(key, op, values)| {
            let have = labels.get(key);
            match op {
                Operator::In => have.is_some_and(|h| values.contains(h)),
                Operator::NotIn => !have.is_some_and(|h| values.contains(h)),
                Operator::Exists => have.is_some(),
                Operator::DoesNotExist => have.is_none(),
                Operator::Invalid => false,
            }
        })
    }
}

/// The RBAC objects of a cluster, ready to answer questions.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    roles: HashMap<(String, String), Vec<Rule>>,
    cluster_roles: HashMap<String, Vec<Rule>>,
    cluster_role_bindings: Vec<Binding>,
    role_bindings: HashMap<String, Vec<Binding>>,
}

impl Policy {
    /// Reads Roles, ClusterRoles, RoleBindings and ClusterRoleBindings from
    /// API objects (other kinds are ignored). A later object with the same
    /// kind, namespace and name replaces an earlier one, as in a snapshot.
    pub fn from_objects<'a, I>(objects: I) -> Policy
    where
        I: IntoIterator<Item = &'a Value>,
    {
        let mut namespaced_roles = HashMap::new();
        let mut sources: BTreeMap<String, ClusterRoleSource> = BTreeMap::new();
        let mut crbs: BTreeMap<String, Binding> = BTreeMap::new();
        let mut rbs: BTreeMap<(String, String), Binding> = BTreeMap::new();
        for v in objects {
            let rules = || {
                v.get("rules")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().map(Rule::from_value).collect::<Vec<_>>())
                    .unwrap_or_default()
            };
            let name = str_at(v, "/metadata/name").to_string();
            match str_at(v, "/kind") {
                "Role" => {
                    let ns = match str_at(v, "/metadata/namespace") {
                        "" => "default",
                        ns => ns,
                    };
                    namespaced_roles.insert((ns.to_string(), name), rules());
                }
                "ClusterRole" => {
                    let labels = v
                        .pointer("/metadata/labels")
                        .and_then(Value::as_object)
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let aggregation = v
                        .pointer("/aggregationRule/clusterRoleSelectors")
                        .and_then(Value::as_array)
                        .map(|s| s.iter().map(Selector::from_value).collect());
                    sources.insert(
                        name,
                        ClusterRoleSource {
                            labels,
                            rules: rules(),
                            aggregation,
                        },
                    );
                }
                "ClusterRoleBinding" => {
                    crbs.insert(
                        name,
                        Binding::from_value(BindingKind::ClusterRoleBinding, v),
                    );
                }
                "RoleBinding" => {
                    let b = Binding::from_value(BindingKind::RoleBinding, v);
                    rbs.insert((b.namespace.clone(), name), b);
                }
                _ => {}
            }
        }
        let mut role_bindings: HashMap<String, Vec<Binding>> = HashMap::new();
        for ((ns, _), b) in rbs {
            role_bindings.entry(ns).or_default().push(b);
        }
        Policy {
            roles: namespaced_roles,
            cluster_roles: aggregate(&sources),
            cluster_role_bindings: crbs.into_values().collect(),
            role_bindings,
        }
    }

    /// The rules of Role `name` in `namespace`.
    pub fn role(&self, namespace: &str, name: &str) -> Option<&[Rule]> {
        self.roles
            .get(&(namespace.to_string(), name.to_string()))
            .map(Vec::as_slice)
    }

    /// The rules of ClusterRole `name`, aggregated rules included.
    pub fn cluster_role(&self, name: &str) -> Option<&[Rule]> {
        self.cluster_roles.get(name).map(Vec::as_slice)
    }

    /// ClusterRoleBindings, by name.
    pub fn cluster_role_bindings(&self) -> &[Binding] {
        &self.cluster_role_bindings
    }

    /// RoleBindings of a namespace, by name.
    pub fn role_bindings(&self, namespace: &str) -> &[Binding] {
        self.role_bindings.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The rules a binding's roleRef points to, or why it grants nothing, as
    /// the API server's rule resolver words it.
    pub fn role_ref_rules(&self, binding: &Binding) -> Result<&[Rule], String> {
        let name = &binding.role_ref.name;
        match binding.role_ref.kind.as_str() {
            // A ClusterRoleBinding has no namespace to look a Role up in.
            "Role" => self
                .role(&binding.namespace, name)
                .ok_or_else(|| format!("role.rbac.authorization.k8s.io {} not found", quote(name))),
            "ClusterRole" => self.cluster_role(name).ok_or_else(|| {
                format!(
                    "clusterrole.rbac.authorization.k8s.io {} not found",
                    quote(name)
                )
            }),
            other => Err(format!("unsupported role reference kind: {}", quote(other))),
        }
    }
}

/// The rules of every ClusterRole once the aggregation controller has run:
/// a ClusterRole with an aggregationRule gets, besides the rules it holds,
/// the rules of every other ClusterRole its selectors match (in name order,
/// without repeats), until nothing changes, so aggregation through an
/// aggregated role (`admin` ← `edit` ← `view`) is complete. The controller
/// replaces `rules` with that set; uniting them instead gives the same rules
/// on a live cluster (where `rules` already holds the set) and lets a
/// manifest written with an aggregationRule and no rules grade as it will
/// run.
fn aggregate(sources: &BTreeMap<String, ClusterRoleSource>) -> HashMap<String, Vec<Rule>> {
    let mut rules: BTreeMap<&str, Vec<Rule>> = sources
        .iter()
        .map(|(name, s)| (name.as_str(), s.rules.clone()))
        .collect();
    let members: Vec<(&str, Vec<&str>)> = sources
        .iter()
        .filter_map(|(name, s)| {
            let selectors = s.aggregation.as_ref()?;
            let mut matched = Vec::new();
            for selector in selectors {
                for (other, o) in sources {
                    if other != name && selector.matches(&o.labels) {
                        matched.push(other.as_str());
                    }
                }
            }
            Some((name.as_str(), matched))
        })
        .collect();
    // Each pass only adds rules, and there are finitely many: this ends.
    loop {
        let mut changed = false;
        for (name, matched) in &members {
            let mut add = Vec::new();
            for m in matched {
                for rule in rules.get(m).into_iter().flatten() {
                    let have = rules.get(name).is_some_and(|r| r.contains(rule));
                    if !have && !add.contains(rule) {
                        add.push(rule.clone());
                    }
                }
            }
            if !add.is_empty() {
                changed = true;
                rules.entry(name).or_default().extend(add);
            }
        }
        if !changed {
            break;
        }
    }
    rules
        .into_iter()
        .map(|(name, r)| (name.to_string(), r))
        .collect()
}
