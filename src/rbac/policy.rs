//! The RBAC objects of a cluster, read from API objects: rules of Roles and
//! ClusterRoles (aggregated ClusterRoles resolved as the aggregation
//! controller resolves them), and the bindings.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use super::quote;
use crate::values::selector::Selector;

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

/// The string at a JSON pointer without `~` escapes, "" when absent;
/// walked key by key, as `Value::pointer` would allocate for each.
fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    pointer
        .split('/')
        .skip(1)
        .try_fold(v, |v, key| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
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

impl SubjectRef {
    /// A subject as the API prints it.
    pub fn from_value(s: &Value) -> SubjectRef {
        SubjectRef {
            kind: str_at(s, "/kind").to_string(),
            name: str_at(s, "/name").to_string(),
            namespace: str_at(s, "/namespace").to_string(),
        }
    }
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
    /// A binding as the API prints it.
    pub fn from_value(kind: BindingKind, v: &Value) -> Binding {
        let namespace = match kind {
            BindingKind::ClusterRoleBinding => String::new(),
            BindingKind::RoleBinding => namespace_of(v).to_string(),
        };
        let subjects = v
            .get("subjects")
            .and_then(Value::as_array)
            .map(|items| items.iter().map(SubjectRef::from_value).collect())
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

/// The RBAC objects of a cluster, indexed to answer questions. It borrows
/// the objects and reads a role's rules the first time a binding that names
/// the asking subject refers to it, so a question costs what its bindings
/// cost, not a parse of every role.
#[derive(Debug, Clone, Default)]
pub struct Policy<'a> {
    /// By namespace, then name.
    roles: HashMap<&'a str, HashMap<&'a str, Role<'a>>>,
    /// By name: the order the aggregation controller takes them in.
    cluster_roles: BTreeMap<&'a str, Role<'a>>,
    /// By name.
    cluster_role_bindings: Vec<BindingView<'a>>,
    /// By namespace, then name.
    role_bindings: HashMap<&'a str, Vec<BindingView<'a>>>,
}

/// A binding's roleRef and subjects, borrowed from the object: what every
/// question looks at, read once.
#[derive(Debug, Clone)]
pub(super) struct BindingView<'a> {
    pub value: &'a Value,
    pub role_kind: &'a str,
    pub role_name: &'a str,
    /// `(kind, name, namespace)` of each subject.
    pub subjects: Vec<(&'a str, &'a str, &'a str)>,
}

impl<'a> BindingView<'a> {
    fn new(value: &'a Value) -> BindingView<'a> {
        BindingView {
            value,
            role_kind: str_at(value, "/roleRef/kind"),
            role_name: str_at(value, "/roleRef/name"),
            subjects: value
                .get("subjects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|s| {
                    (
                        str_at(s, "/kind"),
                        str_at(s, "/name"),
                        str_at(s, "/namespace"),
                    )
                })
                .collect(),
        }
    }
}

/// A Role or ClusterRole, and its rules once read (aggregated for a ClusterRole).
#[derive(Debug, Clone)]
struct Role<'a> {
    value: &'a Value,
    rules: OnceLock<Vec<Rule>>,
}

impl<'a> Role<'a> {
    fn new(value: &'a Value) -> Role<'a> {
        Role {
            value,
            rules: OnceLock::new(),
        }
    }
}

/// The namespace of a namespaced object (`default` when it names none).
fn namespace_of(v: &Value) -> &str {
    match str_at(v, "/metadata/namespace") {
        "" => "default",
        ns => ns,
    }
}

impl<'a> Policy<'a> {
    /// Indexes Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
    /// among API objects (other kinds are ignored). A later object with the
    /// same kind, namespace and name replaces an earlier one, as in a snapshot.
    pub fn from_objects<I>(objects: I) -> Policy<'a>
    where
        I: IntoIterator<Item = &'a Value>,
    {
        let mut roles: HashMap<&str, HashMap<&str, Role>> = HashMap::new();
        let mut cluster_roles = BTreeMap::new();
        let mut crbs: BTreeMap<&str, &Value> = BTreeMap::new();
        let mut rbs: BTreeMap<(&str, &str), &Value> = BTreeMap::new();
        for v in objects {
            let name = str_at(v, "/metadata/name");
            match str_at(v, "/kind") {
                "Role" => {
                    roles
                        .entry(namespace_of(v))
                        .or_default()
                        .insert(name, Role::new(v));
                }
                "ClusterRole" => {
                    cluster_roles.insert(name, Role::new(v));
                }
                "ClusterRoleBinding" => {
                    crbs.insert(name, v);
                }
                "RoleBinding" => {
                    rbs.insert((namespace_of(v), name), v);
                }
                _ => {}
            }
        }
        let mut role_bindings: HashMap<&str, Vec<BindingView>> = HashMap::new();
        for ((ns, _), b) in rbs {
            role_bindings
                .entry(ns)
                .or_default()
                .push(BindingView::new(b));
        }
        Policy {
            roles,
            cluster_roles,
            cluster_role_bindings: crbs.into_values().map(BindingView::new).collect(),
            role_bindings,
        }
    }

    /// The rules of Role `name` in `namespace`.
    pub fn role(&self, namespace: &str, name: &str) -> Option<&[Rule]> {
        self.roles
            .get(namespace)?
            .get(name)
            .map(|r| r.rules.get_or_init(|| rules_of(r.value)).as_slice())
    }

    /// The rules of ClusterRole `name`, aggregated rules included.
    pub fn cluster_role(&self, name: &str) -> Option<&[Rule]> {
        let (key, _) = self.cluster_roles.get_key_value(name)?;
        Some(self.aggregated(key, &mut Vec::new()))
    }

    /// ClusterRoleBindings, by name.
    pub(super) fn cluster_role_bindings(&self) -> &[BindingView<'a>] {
        &self.cluster_role_bindings
    }

    /// RoleBindings of a namespace, by name.
    pub(super) fn role_bindings(&self, namespace: &str) -> &[BindingView<'a>] {
        self.role_bindings.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The rules a binding's roleRef points to (a binding in `namespace`,
    /// empty for a ClusterRoleBinding), or why it grants nothing, as the API
    /// server's rule resolver words it.
    pub(super) fn role_ref_rules(
        &self,
        binding: &BindingView<'_>,
        namespace: &str,
    ) -> Result<&[Rule], String> {
        let name = binding.role_name;
        match binding.role_kind {
            // A ClusterRoleBinding has no namespace to look a Role up in.
            "Role" => self
                .role(namespace, name)
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

    /// The rules of a ClusterRole once the aggregation controller has run: a
    /// ClusterRole with an aggregationRule gets, besides the rules it holds,
    /// the rules of every other ClusterRole its selectors match (in name
    /// order, without repeats), those being aggregated first, so aggregation
    /// through an aggregated role (`admin` ← `edit` ← `view`) is complete.
    /// The controller replaces `rules` with that set; uniting them instead
    /// gives the same rules on a live cluster (where `rules` already holds the
    /// set) and lets a manifest written with an aggregationRule and no rules
    /// grade as it will run. `path` holds the roles being aggregated: a role
    /// on it is skipped, so a cycle of selectors ends (each role of a cycle
    /// then gets the rules of the others reached from it first).
    fn aggregated(&self, name: &'a str, path: &mut Vec<&'a str>) -> &[Rule] {
        let Some(role) = self.cluster_roles.get(name) else {
            return &[];
        };
        if let Some(done) = role.rules.get() {
            return done;
        }
        let mut rules = rules_of(role.value);
        if let Some(selectors) = role
            .value
            .get("aggregationRule")
            .and_then(|a| a.get("clusterRoleSelectors"))
            .and_then(Value::as_array)
        {
            path.push(name);
            // A selector the API server would reject selects nothing.
            for selector in selectors.iter().filter_map(|v| Selector::from_json(v).ok()) {
                for (other, o) in &self.cluster_roles {
                    let labels = o
                        .value
                        .get("metadata")
                        .and_then(|m| m.get("labels"))
                        .and_then(Value::as_object);
                    if path.contains(other) || !selector.matches_object_labels(labels) {
                        continue;
                    }
                    for rule in self.aggregated(other, path) {
                        if !rules.contains(rule) {
                            rules.push(rule.clone());
                        }
                    }
                }
            }
            path.pop();
        }
        role.rules.get_or_init(|| rules)
    }
}

fn rules_of(role: &Value) -> Vec<Rule> {
    role.get("rules")
        .and_then(Value::as_array)
        .map(|r| r.iter().map(Rule::from_value).collect())
        .unwrap_or_default()
}
