//! RBAC expectations: `can_i` (may a subject make a request, decided as the
//! API server's authorizer decides, by `crate::rbac`) and `rbac_rules` (what
//! a Role or ClusterRole grants, compared as expanded permissions).

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, Verdict, sh};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::rbac::resource::ResourceTypes;
use crate::rbac::{
    Decision, GrantComparison, Mode, Policy, Request, ResourceRequest, Rule, Subject, can_i,
    compare_grants, service_account,
};
use crate::snapshot::{Object, Snapshot};

/// `can_i = { as = "system:serviceaccount:ns:sa", verb = "list", resource = "pods", namespace = "ns", allowed = true }`
pub struct CanI;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanIFile {
    #[serde(rename = "as")]
    user: Spanned<String>,
    #[serde(default)]
    groups: Vec<String>,
    verb: Spanned<String>,
    #[serde(default)]
    resource: Option<Spanned<String>>,
    #[serde(default)]
    subresource: Option<Spanned<String>>,
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    namespace: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    allowed: bool,
}

#[derive(Debug)]
struct CanICheck {
    user: String,
    groups: Vec<String>,
    subject: Subject,
    request: Request,
    /// The TYPE kubectl is given (`pods`, `deployments.apps`), or the URL.
    target: String,
    allowed: bool,
}

impl Evaluator for CanI {
    fn key(&self) -> &'static str {
        "can_i"
    }

    fn target(&self) -> super::TargetUse {
        super::TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: CanIFile = input.deserialize()?;
        let user = file.user.get_ref();
        if user.is_empty() {
            return Err(Problem::new(file.user.span(), "can_i: 'as' names no one"));
        }
        if user.starts_with("system:serviceaccount:") && service_account(user).is_none() {
            return Err(Problem::new(
                file.user.span(),
                format!(
                    "can_i: '{user}' is not a ServiceAccount name: system:serviceaccount:NAMESPACE:NAME"
                ),
            ));
        }
        if file.verb.get_ref().is_empty() {
            return Err(Problem::new(file.verb.span(), "can_i: the verb is empty"));
        }
        let (request, target) = match (&file.resource, &file.url) {
            (Some(_), Some(url)) => {
                return Err(Problem::new(
                    url.span(),
                    "can_i: give a resource or a url, not both",
                ));
            }
            (None, Some(url)) => non_resource(&file, url)?,
            (Some(r), None) => resource_request(&file, r)?,
            (None, None) => {
                return Err(Problem::new(
                    input.span(),
                    "can_i needs a resource (kubectl's TYPE: pods, deployments.apps) or a url (/healthz)",
                ));
            }
        };
        Ok(Arc::new(CanICheck {
            subject: Subject::impersonated(user, &file.groups),
            user: user.clone(),
            groups: file.groups,
            request,
            target,
            allowed: file.allowed,
        }))
    }
}

fn non_resource(file: &CanIFile, url: &Spanned<String>) -> Result<(Request, String), Problem> {
    let path = url.get_ref();
    if !path.starts_with('/') {
        return Err(Problem::new(
            url.span(),
            format!("can_i: url '{path}' must start with '/'"),
        ));
    }
    if let Some(extra) = [&file.subresource, &file.name, &file.namespace]
        .into_iter()
        .flatten()
        .next()
    {
        return Err(Problem::new(
            extra.span(),
            "can_i: a url takes no subresource, name or namespace",
        ));
    }
    let request = Request::NonResource {
        verb: file.verb.get_ref().clone(),
        path: path.clone(),
    };
    Ok((request, path.clone()))
}

fn resource_request(
    file: &CanIFile,
    type_arg: &Spanned<String>,
) -> Result<(Request, String), Problem> {
    let arg = type_arg.get_ref();
    let (group, resource, namespaced) = if arg == "*" {
        (String::new(), "*".to_string(), true)
    } else if let Some(t) = ResourceTypes::default().resolve(arg) {
        (t.group.clone(), t.resource.clone(), t.namespaced)
    } else if let Some((plural, group)) = arg.split_once('.')
        && !arg.contains('/')
    {
        // plural.group of a custom resource: kubectl resolves it from the
        // cluster's discovery, which a rubric has no access to.
        (
            group.to_ascii_lowercase(),
            plural.to_ascii_lowercase(),
            true,
        )
    } else {
        return Err(Problem::new(
            type_arg.span(),
            format!(
                "can_i: unknown resource type '{arg}' (a plural, singular or short name, optionally with its group: pods, po, deployments.apps, deploy; or plural.group of a custom resource)"
            ),
        ));
    };
    let qualified = if group.is_empty() {
        resource.clone()
    } else {
        format!("{resource}.{group}")
    };
    if let (false, Some(ns)) = (namespaced, &file.namespace) {
        return Err(Problem::new(
            ns.span(),
            format!(
                "can_i: {qualified} are cluster-scoped: a request for them has no namespace, drop 'namespace'"
            ),
        ));
    }
    let text =
        |v: &Option<Spanned<String>>| v.as_ref().map(|s| s.get_ref().clone()).unwrap_or_default();
    let request = Request::Resource(ResourceRequest {
        verb: file.verb.get_ref().clone(),
        group,
        resource,
        subresource: text(&file.subresource),
        name: text(&file.name),
        namespace: text(&file.namespace),
    });
    Ok((request, qualified))
}

/// The RBAC objects a request is decided on: every ClusterRole and
/// ClusterRoleBinding, and the Roles and RoleBindings of its namespace.
fn rbac_lists(namespace: &str) -> Vec<(Kind, Option<String>)> {
    let mut lists = vec![(Kind::ClusterRole, None), (Kind::ClusterRoleBinding, None)];
    if !namespace.is_empty() {
        lists.push((Kind::Role, Some(namespace.to_string())));
        lists.push((Kind::RoleBinding, Some(namespace.to_string())));
    }
    lists
}

fn policy_of<'a>(snapshot: &'a Snapshot, lists: &[(Kind, Option<String>)]) -> Policy<'a> {
    Policy::from_objects(
        lists
            .iter()
            .flat_map(|(kind, ns)| snapshot.list(*kind, ns.as_deref()))
            .map(|o| &o.value),
    )
}

impl EvaluatorCheck for CanICheck {
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        rbac_lists(self.request.namespace())
    }

    fn expected(&self, _subject: Option<&str>) -> String {
        let groups = if self.groups.is_empty() {
            String::new()
        } else {
            format!(" (groups {})", self.groups.join(", "))
        };
        let may = if self.allowed { "may" } else { "may not" };
        format!("{}{groups} {may} {}", self.user, self.request)
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let policy = policy_of(snapshot, &rbac_lists(self.request.namespace()));
        let decision = can_i(&policy, &self.subject, &self.request);
        let found = match &decision {
            Decision::Privileged => {
                "yes: in group system:masters, allowed everything before RBAC".to_string()
            }
            Decision::Allowed(a) => format!(
                "yes: allowed by {} (rule {})",
                a.binding.describe(&a.subject),
                a.rule
            ),
            Decision::NoOpinion { errors } => {
                let mut s = "no: no RBAC policy matched".to_string();
                for e in errors {
                    let _ = write!(s, "; a binding grants nothing: {e}");
                }
                s
            }
        };
        Verdict::new(decision.allowed() == self.allowed, found)
    }

    /// `kubectl auth can-i` asking the same question of the API server.
    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        let arg = |s: &str| {
            if s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b))
            {
                s.to_string()
            } else {
                sh(s)
            }
        };
        let mut cmd = format!("kubectl auth can-i {}", arg(self.request.verb()));
        match &self.request {
            Request::NonResource { path, .. } => {
                cmd.push(' ');
                cmd.push_str(&arg(path));
            }
            Request::Resource(r) => {
                cmd.push(' ');
                if r.name.is_empty() {
                    cmd.push_str(&arg(&self.target));
                } else {
                    cmd.push_str(&arg(&format!("{}/{}", self.target, r.name)));
                }
                if !r.subresource.is_empty() {
                    let _ = write!(cmd, " --subresource {}", arg(&r.subresource));
                }
                if r.namespace.is_empty() {
                    cmd.push_str(" -A");
                } else {
                    let _ = write!(cmd, " -n {}", arg(&r.namespace));
                }
            }
        }
        let _ = write!(cmd, " --as {}", arg(&self.user));
        for g in &self.groups {
            let _ = write!(cmd, " --as-group {}", arg(g));
        }
        cmd
    }

    fn named_values(&self) -> Vec<String> {
        let mut out = match service_account(&self.user) {
            Some((ns, name)) => vec![ns.to_string(), name.to_string()],
            None => vec![self.user.clone()],
        };
        if let Request::Resource(r) = &self.request
            && !r.name.is_empty()
        {
            out.push(r.name.clone());
        }
        out
    }
}

/// `rbac_rules = { exactly | at_least | at_most = [ { apiGroups = [""], resources = ["pods"], verbs = ["get"] } ] }`
pub struct RbacRules;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    exactly: Option<Vec<Spanned<RuleFile>>>,
    #[serde(default)]
    at_least: Option<Vec<Spanned<RuleFile>>>,
    #[serde(default)]
    at_most: Option<Vec<Spanned<RuleFile>>>,
}

/// A rule as a Role writes it (`apiGroups`); `api_groups` and the like are accepted too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default, rename = "apiGroups", alias = "api_groups")]
    api_groups: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default, rename = "resourceNames", alias = "resource_names")]
    resource_names: Vec<String>,
    #[serde(default, rename = "nonResourceURLs", alias = "non_resource_urls")]
    non_resource_urls: Vec<String>,
    #[serde(default)]
    verbs: Vec<String>,
}

#[derive(Debug)]
struct RulesCheck {
    mode: Mode,
    rules: Vec<Rule>,
}

impl Evaluator for RbacRules {
    fn key(&self) -> &'static str {
        "rbac_rules"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: RulesFile = input.deserialize()?;
        let given: Vec<(Mode, Vec<Spanned<RuleFile>>)> = [
            (Mode::Exactly, file.exactly),
            (Mode::AtLeast, file.at_least),
            (Mode::AtMost, file.at_most),
        ]
        .into_iter()
        .filter_map(|(m, r)| r.map(|r| (m, r)))
        .collect();
        let [(mode, rules)] = <[_; 1]>::try_from(given).map_err(|_| {
            Problem::new(
                input.span(),
                "rbac_rules takes one of exactly, at_least, at_most: a list of rules",
            )
        })?;
        let rules = rules
            .into_iter()
            .map(|r| {
                let span = r.span();
                let r = r.into_inner();
                let problem = |m: &str| Err(Problem::new(span.clone(), format!("rbac_rules: {m}")));
                if r.verbs.is_empty() {
                    return problem("a rule needs verbs");
                }
                match (r.resources.is_empty(), r.non_resource_urls.is_empty()) {
                    (false, false) => {
                        return problem("a rule has resources or nonResourceURLs, not both");
                    }
                    (true, true) => return problem("a rule needs resources or nonResourceURLs"),
                    (false, true) if r.api_groups.is_empty() => {
                        return problem(
                            "a rule with resources needs apiGroups ([\"\"] is the core group)",
                        );
                    }
                    (true, false) if !r.api_groups.is_empty() || !r.resource_names.is_empty() => {
                        return problem(
                            "a rule with nonResourceURLs takes no apiGroups or resourceNames",
                        );
                    }
                    _ => {}
                }
                if let Some(bad) = r
                    .non_resource_urls
                    .iter()
                    .find(|u| *u != "*" && !u.starts_with('/'))
                {
                    return problem(&format!("nonResourceURL '{bad}' must start with '/'"));
                }
                Ok(Rule {
                    api_groups: r.api_groups,
                    resources: r.resources,
                    resource_names: r.resource_names,
                    non_resource_urls: r.non_resource_urls,
                    verbs: r.verbs,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Arc::new(RulesCheck { mode, rules }))
    }
}

/// `get, list pods, deployments.apps`, `get secrets named "db"`, `get /healthz`.
fn phrase(rule: &Rule) -> String {
    let mut what: Vec<String> = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            what.push(if group.is_empty() {
                resource.clone()
            } else {
                format!("{resource}.{group}")
            });
        }
    }
    what.extend(rule.non_resource_urls.iter().cloned());
    let mut s = format!("{} {}", rule.verbs.join(", "), what.join(", "));
    if !rule.resource_names.is_empty() {
        let names: Vec<String> = rule
            .resource_names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect();
        let _ = write!(s, " named {}", names.join(", "));
    }
    s
}

impl EvaluatorCheck for RulesCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        match target {
            Some(t) if matches!(t.kind, Kind::Role | Kind::ClusterRole) => Ok(()),
            Some(t) => Err(format!(
                "rbac_rules applies to a Role or ClusterRole, not to a {}",
                t.kind
            )),
            None => Err("rbac_rules needs a target (a Role or ClusterRole)".into()),
        }
    }

    /// A ClusterRole's aggregated rules come from the other ClusterRoles.
    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        match target {
            Some(t) if t.kind == Kind::ClusterRole => vec![(Kind::ClusterRole, None)],
            _ => Vec::new(),
        }
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let rules: Vec<String> = self.rules.iter().map(phrase).collect();
        let rules = if rules.is_empty() {
            "nothing".to_string()
        } else {
            rules.join("; ")
        };
        format!(
            "{}: grants {}: {rules}",
            subject.unwrap_or_default(),
            self.mode.as_str()
        )
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(object) = object else {
            return Verdict::new(false, "no object to judge");
        };
        let granted: Vec<Rule> = if object.kind == Kind::ClusterRole {
            policy_of(snapshot, &[(Kind::ClusterRole, None)])
                .cluster_role(&object.name)
                .map(<[Rule]>::to_vec)
                .unwrap_or_default()
        } else {
            Policy::from_objects([&object.value])
                .role(
                    object.namespace.as_deref().unwrap_or("default"),
                    &object.name,
                )
                .map(<[Rule]>::to_vec)
                .unwrap_or_default()
        };
        let comparison: GrantComparison = compare_grants(&granted, &self.rules, self.mode);
        if comparison.holds() {
            let found = match self.mode {
                Mode::Exactly => "grants exactly these",
                Mode::AtLeast => "grants all of these",
                Mode::AtMost => "grants nothing beyond these",
            };
            Verdict::new(true, found)
        } else {
            Verdict::new(false, comparison.to_string())
        }
    }

    /// `kubectl describe` prints a role's rules as a table.
    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        target.map_or_else(String::new, |get| {
            get.command.replacen("kubectl get", "kubectl describe", 1)
        })
    }

    fn named_values(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rules {
            for v in r.verbs.iter().chain(&r.resources).chain(&r.resource_names) {
                if v != "*" && !out.contains(v) {
                    out.push(v.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
