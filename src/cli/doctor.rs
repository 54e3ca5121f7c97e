//! `ckasim doctor`: is everything in place to practise? One line per
//! finding: `ok …`, `fix …` with what to do, or `miss …` for an add-on some
//! scenarios need that is not installed (with how to install it on kind; the
//! other scenarios do not need it, so it does not fail the run).

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::PathBuf;

use clap::Args;

use crate::cluster::addons::{self, Presence, find_on_path};
use crate::cluster::{
    Cluster, ConnectOptions, Permission, allowed_contexts, check_changes_allowed, config_file,
    exec_namespaces, kubeconfig_files, plan,
};
use crate::library::Library;
use crate::library::addon::Addon;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Kubeconfig context to check (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
}

/// How a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    /// Something to do before practising.
    Fix,
    /// An add-on only some scenarios need.
    Missing,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub mark: Mark,
    pub text: String,
}

impl Finding {
    fn ok(text: impl Into<String>) -> Finding {
        Finding {
            mark: Mark::Ok,
            text: text.into(),
        }
    }

    fn fix(text: impl Into<String>) -> Finding {
        Finding {
            mark: Mark::Fix,
            text: text.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match self.mark {
            Mark::Ok => "ok  ",
            Mark::Fix => "fix ",
            Mark::Missing => "miss",
        };
        write!(f, "{mark} {}", self.text)
    }
}

/// Prints the findings; exit code 0 when all are ok, 1 otherwise.
pub fn run(lib: &Library, args: &DoctorArgs) -> Result<u8, super::Failure> {
    let options = ConnectOptions {
        context: args.context.clone(),
        ..ConnectOptions::default()
    };
    let path = std::env::var_os("PATH");
    let findings = super::live::runtime()?.block_on(diagnose(lib, &options, path));
    for f in &findings {
        crate::outln!("{f}");
    }
    Ok(u8::from(findings.iter().any(|f| f.mark == Mark::Fix)))
}

pub async fn diagnose(
    lib: &Library,
    options: &ConnectOptions,
    path: Option<OsString>,
) -> Vec<Finding> {
    let mut findings = cluster_findings(lib, options, path.as_deref()).await;
    findings.push(tool(
        "kind",
        path.as_ref(),
        "https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
    ));
    findings.push(tool(
        "kubectl",
        path.as_ref(),
        "https://kubernetes.io/docs/tasks/tools/",
    ));
    findings
}

async fn cluster_findings(
    lib: &Library,
    options: &ConnectOptions,
    path: Option<&OsStr>,
) -> Vec<Finding> {
    let files: Vec<PathBuf> = kubeconfig_files(options.kubeconfig.as_deref())
        .into_iter()
        .filter(|f| f.is_file())
        .collect();
    if files.is_empty() {
        // connect() words what is missing and what to do.
        return Cluster::connect_with(options)
            .await
            .err()
            .map(|e| Finding::fix(e.to_string()))
            .into_iter()
            .collect();
    }
    let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut findings = vec![Finding::ok(format!("kubeconfig {}", shown.join(", ")))];
    findings.extend(context_findings(lib, options, path).await);
    findings
}

async fn context_findings(
    lib: &Library,
    options: &ConnectOptions,
    path: Option<&OsStr>,
) -> Vec<Finding> {
    let cluster = match Cluster::connect_with(options).await {
        Ok(c) => c,
        Err(e) => return vec![Finding::fix(e.to_string())],
    };
    let mut findings = Vec::new();
    let allowed = allowed_contexts(&config_file()).unwrap_or_default();
    let changes = if check_changes_allowed(cluster.context(), &allowed).is_ok() {
        String::new()
    } else {
        format!(
            " (not a kind cluster: start and reset need --allow-context {})",
            cluster.context()
        )
    };
    findings.push(Finding::ok(format!(
        "context {} at {}{changes}",
        cluster.context(),
        cluster.server()
    )));
    match cluster.version().await {
        Ok(v) => findings.push(Finding::ok(format!("server reachable, Kubernetes {v}"))),
        Err(e) => {
            findings.push(Finding::fix(e.to_string()));
            return findings;
        }
    }
    findings.push(permissions(lib, &cluster).await);
    if let Some(f) = exec_permission(lib, &cluster).await {
        findings.push(f);
    }
    findings.extend(addon_findings(lib, &cluster, path).await);
    findings
}

/// One line per add-on the library's scenarios declare: in place, or which
/// scenarios need it and how to install it on kind.
async fn addon_findings(lib: &Library, cluster: &Cluster, path: Option<&OsStr>) -> Vec<Finding> {
    let needed: BTreeSet<Addon> = lib
        .entries()
        .iter()
        .flat_map(|e| e.scenario.addons.iter().copied())
        .collect();
    let needed: Vec<Addon> = needed.into_iter().collect();
    let helm = find_on_path("helm", path);
    addons::probe(cluster, &needed, helm.as_deref())
        .await
        .into_iter()
        .map(|(addon, presence)| {
            let users: Vec<&str> = lib
                .entries()
                .iter()
                .filter(|e| e.scenario.addons.contains(&addon))
                .map(|e| e.scenario.id.as_str())
                .collect();
            match presence {
                Presence::Present(how) => Finding::ok(format!("add-on {addon}: {how}")),
                Presence::Missing(what) => Finding {
                    mark: Mark::Missing,
                    text: format!(
                        "add-on {addon} ({}): {what}; needed by {}; install: {}",
                        addon.what(),
                        users.join(", "),
                        addon.install()
                    ),
                },
                Presence::Unknown(why) => Finding::fix(format!("add-on {addon}: {why}")),
            }
        })
        .collect()
}

/// Whether the observation checks may run their commands (`create` on
/// `pods/exec` in the namespaces they look at); nothing when none does.
async fn exec_permission(lib: &Library, cluster: &Cluster) -> Option<Finding> {
    let namespaces = exec_namespaces(lib.entries().iter().map(|e| &e.rubric));
    if namespaces.is_empty() {
        return None;
    }
    let answers = futures::future::join_all(namespaces.iter().map(|ns| cluster.can_exec(ns))).await;
    let mut denied = Vec::new();
    for (ns, answer) in namespaces.iter().zip(answers) {
        match answer {
            Ok(true) => {}
            Ok(false) => denied.push(format!("'{ns}'")),
            Err(e) => return Some(Finding::fix(format!("exec permission: {e}"))),
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Some(if denied.is_empty() {
        Finding::ok(format!(
            "exec: the grader may run observation commands (create pods/exec) in {} namespace{}",
            namespaces.len(),
            plural(namespaces.len())
        ))
    } else {
        Finding::fix(format!(
            "exec: cannot create pods/exec in namespace{} {}: observation checks will be errors: grant the grader role: kubectl apply -f assets/grader-rbac.yaml",
            plural(denied.len()),
            denied.join(", ")
        ))
    })
}

/// Every read the library's rubrics make, asked of the API server.
async fn permissions(lib: &Library, cluster: &Cluster) -> Finding {
    let needed: BTreeSet<Permission> = lib
        .entries()
        .iter()
        .flat_map(|e| plan(&e.rubric))
        .map(|r| Permission::of_read(&r))
        .collect();
    let answers = futures::future::join_all(needed.iter().map(|p| cluster.can(p))).await;
    let mut denied = Vec::new();
    for (p, answer) in needed.iter().zip(answers) {
        match answer {
            Ok(true) => {}
            Ok(false) => denied.push(p.to_string()),
            Err(e) => return Finding::fix(format!("permissions: {e}")),
        }
    }
    if denied.is_empty() {
        let kinds: BTreeSet<&str> = needed.iter().map(|p| p.kind.api().plural).collect();
        Finding::ok(format!(
            "permissions: the grader may read {} ({} access reviews)",
            kinds.into_iter().collect::<Vec<_>>().join(", "),
            needed.len()
        ))
    } else {
        Finding::fix(format!(
            "permissions: cannot {}: grant the grader role: kubectl apply -f assets/grader-rbac.yaml",
            denied.join(", ")
        ))
    }
}

fn tool(name: &str, path: Option<&OsString>, install: &str) -> Finding {
    match find_on_path(name, path.map(OsString::as_os_str)) {
        Some(p) => Finding::ok(format!("{name} {}", p.display())),
        None => Finding::fix(format!("{name} not found on PATH: install it: {install}")),
    }
}
