//! `ckasim auth can-i`: kubectl's question, answered from the RBAC objects in
//! snapshot files as the API server's authorizer would answer it.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::Failure;
use crate::rbac::resource::{self, ResourceTypes};
use crate::rbac::{Decision, Policy, Request, Subject, can_i};
use crate::snapshot::read_documents;

#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Whether a subject may do an action, from the RBAC objects in snapshot files (yes: exit 0, no: exit 1).
    CanI(CanIArgs),
}

#[derive(Debug, Args)]
pub struct CanIArgs {
    /// get, list, watch, create, update, patch, delete, deletecollection, use, bind, escalate, impersonate, '*', …
    pub verb: String,
    /// TYPE, TYPE/NAME (pods, po/web, deployments.apps, '*') or a non-resource URL (/logs/).
    #[arg(value_name = "TYPE[/NAME]|URL")]
    pub target: String,
    /// A subresource, such as log (pods/log) or scale (deployments/scale).
    #[arg(long, value_name = "SUBRESOURCE")]
    pub subresource: Option<String>,
    /// The namespace the request is made in.
    #[arg(short = 'n', long, value_name = "NS", default_value = "default")]
    pub namespace: String,
    /// Ask for all namespaces at once (only ClusterRoleBindings count); wins over -n, as in kubectl.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// The user to ask for: a name, or system:serviceaccount:NS:NAME.
    #[arg(long = "as", value_name = "SUBJECT")]
    pub as_user: Option<String>,
    /// A group of the subject (repeatable); replaces a ServiceAccount's own groups.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_group: Vec<String>,
    /// Files holding the cluster's Roles, ClusterRoles and bindings (kubectl get -o json|yaml output or manifests).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub snapshot: Vec<PathBuf>,
    /// Also print the binding and rule that decided.
    #[arg(long)]
    pub explain: bool,
    /// Print nothing; answer with the exit code only.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The answer to one question, with what kubectl would warn about.
#[derive(Debug)]
pub struct Answer {
    pub subject: Subject,
    pub request: Request,
    pub decision: Decision,
    pub warnings: Vec<String>,
}

// kubectl's lists of the verbs it knows (it warns about others, then asks anyway).
const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];
const NON_RESOURCE_VERBS: &[&str] = &["get", "put", "post", "head", "options", "delete", "patch"];

pub fn run(args: &AuthArgs) -> Result<u8, Failure> {
    match &args.command {
        AuthCommand::CanI(c) => {
            let answer = can_i_answer(c)?;
            for w in &answer.warnings {
                eprintln!("Warning: {w}");
            }
            if !c.quiet {
                crate::out!("{}", render(&answer, c.explain));
            }
            Ok(u8::from(!answer.decision.allowed()))
        }
    }
}

/// Reads the snapshot files and answers the question.
pub fn can_i_answer(args: &CanIArgs) -> Result<Answer, Failure> {
    let Some(user) = args.as_user.as_deref().filter(|u| !u.is_empty()) else {
        return Err(Failure(
            "auth can-i needs --as SUBJECT (a user name, or system:serviceaccount:NS:NAME)".into(),
        ));
    };
    if args.snapshot.is_empty() {
        return Err(Failure(
            "auth can-i answers from the RBAC objects in files: give --snapshot FILE...".into(),
        ));
    }
    let mut objects: Vec<Value> = Vec::new();
    for path in &args.snapshot {
        objects.extend(read_documents(path).map_err(|e| Failure(e.to_string()))?);
    }
    let types = ResourceTypes::with_definitions(&objects);
    let namespace = if args.all_namespaces {
        ""
    } else {
        args.namespace.as_str()
    };
    let request = resource::request(
        &types,
        &args.verb,
        &args.target,
        args.subresource.as_deref(),
        namespace,
    )
    .map_err(Failure)?;
    let mut warnings = Vec::new();
    let known = match &request {
        Request::NonResource { .. } => NON_RESOURCE_VERBS,
        Request::Resource(r) => {
            let scoped = types
                .resolve(&r.resource)
                .filter(|t| t.group == r.group)
                .is_none_or(|t| t.namespaced);
            if !scoped && !args.all_namespaces {
                warnings.push(if r.group.is_empty() {
                    format!("resource '{}' is not namespace scoped", r.resource)
                } else {
                    format!(
                        "resource '{}' is not namespace scoped in group '{}'",
                        r.resource, r.group
                    )
                });
            }
            RESOURCE_VERBS
        }
    };
    if !known.contains(&args.verb.as_str()) {
        warnings.push(format!("verb '{}' is not a known verb", args.verb));
    }
    let subject = Subject::impersonated(user, &args.as_group);
    let decision = can_i(&Policy::from_objects(&objects), &subject, &request);
    Ok(Answer {
        subject,
        request,
        decision,
        warnings,
    })
}

/// `yes`, or `no` with the API server's reason when it gives one, as kubectl
/// prints them; with `explain`, who asked, what, and what decided.
pub fn render(answer: &Answer, explain: bool) -> String {
    let mut out = String::new();
    let reason = answer.decision.reason();
    if answer.decision.allowed() {
        out.push_str("yes\n");
    } else if reason.is_empty() {
        out.push_str("no\n");
    } else {
        let _ = writeln!(out, "no - {reason}");
    }
    if explain {
        let groups: Vec<String> = answer
            .subject
            .groups
            .iter()
            .map(|g| format!("'{g}'"))
            .collect();
        let _ = writeln!(
            out,
            "subject: '{}' in groups {}",
            answer.subject.user,
            groups.join(", ")
        );
        let _ = writeln!(out, "request: {}", answer.request);
        for line in answer.decision.explain() {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}
