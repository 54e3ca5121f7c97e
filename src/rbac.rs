//! Kubernetes RBAC, decided as kube-apiserver decides it: may a subject do a
//! verb on a resource (or a non-resource URL), given the Roles, ClusterRoles,
//! RoleBindings and ClusterRoleBindings of a cluster.
//!
//! The decision mirrors the API server's authorizer chain as far as RBAC
//! objects can say: the `system:masters` group is allowed everything before
//! RBAC is consulted (the privileged-group authorizer), then the RBAC
//! authorizer (`plugin/pkg/auth/authorizer/rbac`) visits the rules of every
//! ClusterRoleBinding, then of every RoleBinding in the request's namespace,
//! that names the subject, and allows on the first rule that matches
//! (`RuleAllows`: verb, API group, resource or `resource/subresource`,
//! resource name; or the non-resource URL). Anything else is "no opinion",
//! which the API server answers as a denial.
//!
//! Pure: input is API objects as `kubectl get -o json` prints them.

mod authorize;
mod grants;
mod policy;
pub mod resource;

#[cfg(test)]
mod tests;

use std::fmt;

use serde::Serialize;

use crate::library::scenario::is_dns_label;

pub use grants::{Grant, GrantComparison, Mode, compare_grants};
pub use policy::{Binding, BindingKind, Policy, RoleRef, Rule, SubjectRef};

/// The group the API server allows everything before RBAC is consulted.
pub const PRIVILEGED_GROUP: &str = "system:masters";
/// Every authenticated user is in this group.
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
/// The anonymous user's group.
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
/// The anonymous user.
pub const ANONYMOUS: &str = "system:anonymous";
/// The prefix of a ServiceAccount's user name.
pub const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";

/// Who asks: a user name and its groups, as the authorizer sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub user: String,
    pub groups: Vec<String>,
}

impl Subject {
    /// The subject `kubectl --as USER [--as-group G]...` impersonates, with
    /// the groups the API server's impersonation filter gives it: a
    /// ServiceAccount (`system:serviceaccount:NS:NAME`) gets
    /// `system:serviceaccounts` and `system:serviceaccounts:NS` unless groups
    /// are given, which replace them; every user but `system:anonymous` gets
    /// `system:authenticated` unless `system:authenticated` or
    /// `system:unauthenticated` is among the groups; `system:anonymous` gets
    /// `system:unauthenticated`.
    pub fn impersonated(user: &str, groups: &[String]) -> Subject {
        let mut all: Vec<String> = groups.to_vec();
        if all.is_empty()
            && let Some((namespace, _)) = service_account(user)
        {
            all = vec![
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{namespace}"),
            ];
        }
        if user == ANONYMOUS {
            if !all.iter().any(|g| g == ALL_UNAUTHENTICATED) {
                all.push(ALL_UNAUTHENTICATED.to_string());
            }
        } else if !all
            .iter()
            .any(|g| g == ALL_AUTHENTICATED || g == ALL_UNAUTHENTICATED)
        {
            all.push(ALL_AUTHENTICATED.to_string());
        }
        Subject {
            user: user.to_string(),
            groups: all,
        }
    }
}

/// `(namespace, name)` of a ServiceAccount user name
/// `system:serviceaccount:NS:NAME`, validated as the API server's
/// `serviceaccount.SplitUsername` does (a DNS label and a DNS subdomain).
pub fn service_account(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix(SERVICE_ACCOUNT_PREFIX)?;
    let mut parts = rest.split(':');
    let (namespace, name) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_dns_label(namespace) || !is_dns_subdomain(name) {
        return None;
    }
    Some((namespace, name))
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// What is asked: the attributes of one API request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// A request on an API resource.
    Resource(ResourceRequest),
    /// A request on a path that is not an API resource (`/healthz`, `/logs/`).
    NonResource { verb: String, path: String },
}

/// The attributes of a request on an API resource. An empty `namespace` is
/// a cluster-wide request (cluster-scoped resources, or all namespaces); an
/// empty `name` a request without a name (list, watch, create,
/// deletecollection); an empty `group` the core group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResourceRequest {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub namespace: String,
}

impl Request {
    pub fn verb(&self) -> &str {
        match self {
            Request::Resource(r) => &r.verb,
            Request::NonResource { verb, .. } => verb,
        }
    }

    /// The namespace whose RoleBindings count, empty for none.
    pub fn namespace(&self) -> &str {
        match self {
            Request::Resource(r) => &r.namespace,
            Request::NonResource { .. } => "",
        }
    }
}

impl fmt::Display for Request {
    /// `list pods in namespace "dev"`, `get deployments.apps/web (subresource
    /// scale) cluster-wide`, `get /healthz`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::NonResource { verb, path } => write!(f, "{verb} {path}"),
            Request::Resource(r) => {
                write!(f, "{} {}", r.verb, r.resource)?;
                if !r.group.is_empty() {
                    write!(f, ".{}", r.group)?;
                }
                if !r.name.is_empty() {
                    write!(f, "/{}", r.name)?;
                }
                if !r.subresource.is_empty() {
                    write!(f, " (subresource {})", r.subresource)?;
                }
                if r.namespace.is_empty() {
                    write!(f, " cluster-wide")
                } else {
                    write!(f, " in namespace {}", quote(&r.namespace))
                }
            }
        }
    }
}

/// The answer, and what gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// The subject is in `system:masters`, allowed everything before RBAC.
    Privileged,
    /// A rule of the role a binding grants to the subject matched.
    Allowed(Box<Allowance>),
    /// No rule matched: the API server denies. `errors` are the bindings
    /// naming the subject whose role could not be found, worded as the API
    /// server words them.
    NoOpinion { errors: Vec<String> },
}

impl Decision {
    pub fn allowed(&self) -> bool {
        !matches!(self, Decision::NoOpinion { .. })
    }

    /// The reason the API server gives in a SubjectAccessReview's status
    /// (`RBAC: allowed by …`; for a denial, the roles that could not be found,
    /// or nothing).
    pub fn reason(&self) -> String {
        match self {
            Decision::Privileged => String::new(),
            Decision::Allowed(a) => format!("RBAC: allowed by {}", a.binding.describe(&a.subject)),
            Decision::NoOpinion { errors } => match errors.as_slice() {
                [] => String::new(),
                [one] => format!("RBAC: {one}"),
                many => format!("RBAC: [{}]", many.join(", ")),
            },
        }
    }

    /// What decided, in a sentence: the binding and rule, the privileged
    /// group, or that no RBAC policy matched.
    pub fn explain(&self) -> Vec<String> {
        match self {
            Decision::Privileged => vec![format!(
                "allowed: the group {PRIVILEGED_GROUP} is allowed everything before RBAC is consulted"
            )],
            Decision::Allowed(a) => vec![
                format!("allowed by {}", a.binding.describe(&a.subject)),
                format!("rule: {}", a.rule),
            ],
            Decision::NoOpinion { errors } => {
                let mut lines = vec!["no RBAC policy matched".to_string()];
                lines.extend(
                    errors
                        .iter()
                        .map(|e| format!("binding grants nothing: {e}")),
                );
                lines
            }
        }
    }
}

/// The binding and rule that allowed a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowance {
    pub binding: Binding,
    /// The binding's subject that names the asking subject.
    pub subject: SubjectRef,
    pub rule: Rule,
}

/// May `subject` make `request`, under `policy`?
pub fn can_i(policy: &Policy, subject: &Subject, request: &Request) -> Decision {
    if subject.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
        return Decision::Privileged;
    }
    authorize::authorize(policy, subject, request)
}

/// Go's `%q` for the names in messages, as the API server quotes them.
fn quote(s: &str) -> String {
    crate::pod_security::go_quote(s)
}
