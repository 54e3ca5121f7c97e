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

/// What a shell for `request` gets: the program, its environment and the
/// temporary kubeconfig (removed when the shell is done with it). Shared by
/// the full-screen shell and the embedded terminal; `file` names the
/// temporary kubeconfig so that both can run at once.
pub struct Prepared {
    pub shell: String,
    pub env: Vec<(String, std::ffi::OsString)>,
    pub kubeconfig: Option<PathBuf>,
}

impl Prepared {
    /// `files`: the user's kubeconfig files (`kubeconfig_files()`).
    pub fn new(request: &ShellRequest, dir: &Path, file: &str, files: &[PathBuf]) -> Prepared {
        let mut env = vec![
            (
                "CKASIM_SCENARIO".to_string(),
                request.scenario.clone().into(),
            ),
            (
                "CKASIM_SESSION".to_string(),
                request.session_id.clone().into(),
            ),
        ];
        if let Some(ns) = &request.namespace {
            env.push(("CKASIM_NAMESPACE".into(), ns.clone().into()));
        }
        let mut kubeconfig = None;
        if let (Some(ctx), Some(ns)) = (&request.context, &request.namespace)
            && let Some(config) = namespaced_kubeconfig(files, ctx, ns)
        {
            let path = dir.join(file);
            let text = serde_json::to_string_pretty(&config).unwrap_or_default();
            if write_private(&path, &text).is_ok() {
                let all = std::iter::once(path.clone()).chain(files.iter().cloned());
                if let Ok(joined) = std::env::join_paths(all) {
                    env.push(("KUBECONFIG".into(), joined));
                    kubeconfig = Some(path);
                } else {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        Prepared {
            shell: user_shell(),
            env,
            kubeconfig,
        }
    }

    /// The banner printed before the shell starts.
    pub fn banner(&self, request: &ShellRequest) -> String {
        strings::shell_banner(
            &request.scenario,
            request.namespace.as_deref(),
            request.context.as_deref(),
            self.kubeconfig.is_some(),
            request.time_left,
        )
    }

    /// Removes the temporary kubeconfig.
    pub fn cleanup(&self) {
        if let Some(p) = &self.kubeconfig {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Prints the banner and starts the shell; the terminal must already be
/// restored. `dir` holds the temporary kubeconfig.
pub fn spawn(request: &ShellRequest, dir: &Path) -> Result<Running, ShellError> {
    let prepared = Prepared::new(
        request,
        dir,
        &format!("{}.kubeconfig", request.session_id),
        &kubeconfig_files(),
    );
    let mut command = tokio::process::Command::new(&prepared.shell);
    command.envs(prepared.env.iter().map(|(k, v)| (k, v)));
    println!("{}", prepared.banner(request));
    match command.spawn() {
        Ok(child) => Ok(Running {
            child,
            kubeconfig: prepared.kubeconfig,
        }),
        Err(e) => {
            prepared.cleanup();
            Err(ShellError::Spawn {
                shell: prepared.shell,
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
