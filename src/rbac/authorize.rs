//! The RBAC authorizer: which bindings apply to a subject, and whether a
//! rule allows a request (`RuleAllows` and the `rbac/v1` evaluation helpers).

use super::policy::{Binding, BindingKind, BindingView, Policy, Rule, SubjectRef};
use super::{Allowance, Decision, Request, SERVICE_ACCOUNT_PREFIX, Subject};

/// Visits the rules of every ClusterRoleBinding, then of every RoleBinding of
/// the request's namespace, that names the subject; allows on the first rule
/// that matches.
pub(super) fn authorize(policy: &Policy<'_>, subject: &Subject, request: &Request) -> Decision {
    let namespace = request.namespace();
    let mut errors: Vec<String> = Vec::new();
    let mut visit = |bindings: &[BindingView<'_>], kind: BindingKind, namespace: &str| {
        for binding in bindings {
            let Some(&(kind_of, name, subject_ns)) = binding
                .subjects
                .iter()
                .find(|(k, n, ns)| applies_to(subject, k, n, ns, namespace))
            else {
                continue;
            };
            match policy.role_ref_rules(binding, namespace) {
                Err(e) => {
                    if !errors.contains(&e) {
                        errors.push(e);
                    }
                }
                Ok(rules) => {
                    if let Some(rule) = rules.iter().find(|r| rule_allows(request, r)) {
                        let binding = Binding::from_value(kind, binding.value);
                        return Some(Decision::Allowed(Box::new(Allowance {
                            subject: SubjectRef {
                                kind: kind_of.to_string(),
                                name: name.to_string(),
                                namespace: subject_ns.to_string(),
                            },
                            binding,
                            rule: rule.clone(),
                        })));
                    }
                }
            }
        }
        None
    };
    if let Some(d) = visit(
        policy.cluster_role_bindings(),
        BindingKind::ClusterRoleBinding,
        "",
    ) {
        return d;
    }
    if !namespace.is_empty()
        && let Some(d) = visit(
            policy.role_bindings(namespace),
            BindingKind::RoleBinding,
            namespace,
        )
    {
        return d;
    }
    Decision::NoOpinion { errors }
}

/// Whether a binding subject names the asking subject. A ServiceAccount
/// subject without a namespace means the binding's own namespace (none for a
/// ClusterRoleBinding, where it then names nobody).
fn applies_to(
    subject: &Subject,
    kind: &str,
    name: &str,
    namespace: &str,
    binding_namespace: &str,
) -> bool {
    match kind {
        "User" => subject.user == name,
        "Group" => subject.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let ns = if namespace.is_empty() {
                binding_namespace
            } else {
                namespace
            };
            // `serviceaccount.MatchesUsername`: compared in place, no allocation.
            !ns.is_empty()
                && subject
                    .user
                    .strip_prefix(SERVICE_ACCOUNT_PREFIX)
                    .and_then(|rest| rest.strip_prefix(ns))
                    .and_then(|rest| rest.strip_prefix(':'))
                    == Some(name)
        }
        _ => false,
    }
}

/// `RuleAllows`: for a resource request the verb, API group,
/// `resource[/subresource]` and name must match; for a non-resource request
/// the verb and the path.
pub(super) fn rule_allows(request: &Request, rule: &Rule) -> bool {
    match request {
        Request::Resource(r) => {
            let combined = if r.subresource.is_empty() {
                r.resource.clone()
            } else {
                format!("{}/{}", r.resource, r.subresource)
            };
            verb_matches(rule, &r.verb)
                && api_group_matches(rule, &r.group)
                && resource_matches(rule, &combined, &r.subresource)
                && resource_name_matches(rule, &r.name)
        }
        Request::NonResource { verb, path } => {
            verb_matches(rule, verb) && non_resource_url_matches(rule, path)
        }
    }
}

fn verb_matches(rule: &Rule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

fn api_group_matches(rule: &Rule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `*` matches every resource and subresource; `resource/subresource` only
/// itself; `*/subresource` that subresource of every resource.
fn resource_matches(rule: &Rule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty() && r.strip_prefix("*/") == Some(subresource))
    })
}

/// A rule without resourceNames matches any request; one with them only a
/// request for one of those names, so never a request without a name (list,
/// watch, create, deletecollection).
fn resource_name_matches(rule: &Rule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `*` matches every path; a URL ending in `*` every path with that prefix;
/// any other URL only itself.
fn non_resource_url_matches(rule: &Rule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}
