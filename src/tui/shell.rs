//! `s`: the user's `$SHELL` with the scenario's context and namespace set.
//!
//! kubectl's default namespace lives in the kubeconfig, and ckasim must not
//! edit the user's kubeconfig files. So the shell gets `KUBECONFIG` =
//! a temporary file, then the user's own files. kubectl merges them and the
//! first file to define a context wins: the temporary file redefines the
//! context under its own name (same cluster and user) with the scenario's
//! namespace and makes it current. Credentials stay in the user's files;
//! whatever kubectl writes (`config use-context`, …) lands in the temporary
//! file, which is removed when the shell exits.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::app::ShellRequest;
use super::strings;

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    #[error("cannot start the shell '{shell}': {reason}")]
    Spawn { shell: String, reason: String },
}

/// A shell running in the foreground of the terminal.
pub struct Running {
    pub child: tokio::process::Child,
    kubeconfig: Option<PathBuf>,
}

impl Running {
    /// Removes the temporary kubeconfig.
    pub fn cleanup(self) {
        if let Some(p) = self.kubeconfig {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `$SHELL`, else `/bin/sh`.
pub fn user_shell() -> String {
    std::env::var("SHELL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "/bin/sh".into())
}

/// The user's kubeconfig files: `$KUBECONFIG` (colon-separated) or
/// `~/.kube/config`.
pub fn kubeconfig_files() -> Vec<PathBuf> {
    match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(v) => std::env::split_paths(&v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        None => std::env::var_os("HOME")
            .map(|h| vec![PathBuf::from(h).join(".kube").join("config")])
            .unwrap_or_default(),
    }
}

fn read_kubeconfig(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_saphyr::from_str::<Value>(&text).ok()
}

/// The current context as kubectl would pick it (first file that sets it).
pub fn current_context(files: &[PathBuf]) -> Option<String> {
    files.iter().find_map(|f| {
        read_kubeconfig(f)?
            .get("current-context")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    })
}

/// A kubeconfig that redefines `context` with `namespace` and makes it
/// current; None when no file defines that context.
pub fn namespaced_kubeconfig(files: &[PathBuf], context: &str, namespace: &str) -> Option<Value> {
    let definition = files.iter().find_map(|f| {
        read_kubeconfig(f)?
            .get("contexts")?
            .as_array()?
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(context))?
            .get("context")
            .cloned()
    })?;
    let mut definition = definition;
    definition
        .as_object_mut()?
        .insert("namespace".into(), Value::String(namespace.into()));
    Some(json!({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": context,
        "contexts": [{ "name": context, "context": definition }],
    }))
}

/// Prints the banner and starts the shell; the terminal must already be
/// restored. `dir` holds the temporary kubeconfig.
pub fn spawn(request: &ShellRequest, dir: &Path) -> Result<Running, ShellError> {
    let shell = user_shell();
    let files = kubeconfig_files();
    let mut kubeconfig = None;
    let mut command = tokio::process::Command::new(&shell);
    command.env("CKASIM_SCENARIO", &request.scenario);
    command.env("CKASIM_SESSION", &request.session_id);
    if let Some(ns) = &request.namespace {
        command.env("CKASIM_NAMESPACE", ns);
    }
    if let (Some(ctx), Some(ns)) = (&request.context, &request.namespace)
        && let Some(config) = namespaced_kubeconfig(&files, ctx, ns)
    {
        let path = dir.join(format!("{}.kubeconfig", request.session_id));
        let text = serde_json::to_string_pretty(&config).unwrap_or_default();
        if write_private(&path, &text).is_ok() {
            let all = std::iter::once(path.clone()).chain(files.iter().cloned());
            if let Ok(joined) = std::env::join_paths(all) {
                command.env("KUBECONFIG", joined);
                kubeconfig = Some(path);
            }
        }
    }
    println!(
        "{}",
        strings::shell_banner(
            &request.scenario,
            request.namespace.as_deref(),
            request.context.as_deref(),
            kubeconfig.is_some(),
            request.time_left,
        )
    );
    match command.spawn() {
        Ok(child) => Ok(Running { child, kubeconfig }),
        Err(e) => {
            if let Some(p) = kubeconfig {
                let _ = std::fs::remove_file(p);
            }
            Err(ShellError::Spawn {
                shell,
                reason: e.to_string(),
            })
        }
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_kubeconfig_redefines_the_context_with_the_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("config");
        std::fs::write(
            &user,
            "apiVersion: v1\nkind: Config\ncurrent-context: kind-cka\ncontexts:\n- name: kind-cka\n  context:\n    cluster: kind-cka\n    user: kind-cka\nclusters: []\nusers: []\n",
        )
        .unwrap();
        let before = std::fs::read(&user).unwrap();
        let files = vec![user.clone()];
        assert_eq!(current_context(&files).as_deref(), Some("kind-cka"));
        let config = namespaced_kubeconfig(&files, "kind-cka", "secure-workspace").unwrap();
        assert_eq!(config["current-context"], "kind-cka");
        assert_eq!(
            config["contexts"][0]["context"],
            json!({"cluster": "kind-cka", "user": "kind-cka", "namespace": "secure-workspace"})
        );
        assert!(namespaced_kubeconfig(&files, "other", "x").is_none());
        assert_eq!(std::fs::read(&user).unwrap(), before);
    }
}
