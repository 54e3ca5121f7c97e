//! Finding the kubeconfig and the context, the way kubectl does.

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClusterError;
use super::failure::chain;

/// The kubeconfig files kubectl would read: `explicit`, else every file of
/// `$KUBECONFIG`, else `~/.kube/config`.
pub fn kubeconfig_files(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(p) = explicit {
        return vec![p.to_path_buf()];
    }
    if let Some(v) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        return std::env::split_paths(&v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
    }
    directories::BaseDirs::new()
        .map(|b| b.home_dir().join(".kube").join("config"))
        .into_iter()
        .collect()
}

fn show(files: &[PathBuf]) -> String {
    if files.is_empty() {
        "~/.kube/config".into()
    } else {
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The client configuration of a context, and the context's name.
pub async fn load(
    explicit: Option<&Path>,
    context: Option<&str>,
) -> Result<(kube::Config, String), ClusterError> {
    let files = kubeconfig_files(explicit);
    let existing: Vec<&PathBuf> = files.iter().filter(|f| f.is_file()).collect();
    if existing.is_empty() {
        return Err(ClusterError::NoKubeconfig {
            looked: show(&files),
        });
    }
    let file = show(&existing.iter().map(|p| (*p).clone()).collect::<Vec<_>>());
    let mut merged = Kubeconfig::default();
    for f in &existing {
        let one = Kubeconfig::read_from(f).map_err(|e| ClusterError::Kubeconfig {
            file: f.display().to_string(),
            reason: chain(&e),
        })?;
        merged = merged.merge(one).map_err(|e| ClusterError::Kubeconfig {
            file: file.clone(),
            reason: chain(&e),
        })?;
    }
    let known = || {
        let names: Vec<&str> = merged.contexts.iter().map(|c| c.name.as_str()).collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let name = match context {
        Some(c) => c.to_string(),
        None => match merged.current_context.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => c.to_string(),
            None => {
                return Err(ClusterError::NoCurrentContext {
                    file,
                    known: known(),
                });
            }
        },
    };
    if !merged.contexts.iter().any(|c| c.name == name) {
        return Err(ClusterError::UnknownContext {
            context: name,
            file,
            known: known(),
        });
    }
    let options = KubeConfigOptions {
        context: Some(name.clone()),
        ..KubeConfigOptions::default()
    };
    let config = kube::Config::from_custom_kubeconfig(merged, &options)
        .await
        .map_err(|e| ClusterError::Context {
            context: name.clone(),
            file,
            reason: chain(&e),
        })?;
    Ok((config, name))
}
