//! SPEC "Safety": which contexts ckasim may change, which namespaces it may
//! delete, and the user's list of allowed contexts.

use std::path::{Path, PathBuf};

use super::ClusterError;

/// `<home>/config.toml`, where `allowed_contexts = ["name"]` lives.
pub fn config_file() -> PathBuf {
    crate::paths::home().join("config.toml")
}

/// Changes only on contexts named `kind-*`, unless the user allowed this
/// context by name.
pub fn check_changes_allowed(context: &str, allowed: &[String]) -> Result<(), ClusterError> {
    if context.starts_with("kind-") || allowed.iter().any(|a| a == context) {
        Ok(())
    } else {
        Err(ClusterError::NotAllowed {
            context: context.to_string(),
            config: config_file().display().to_string(),
        })
    }
}

/// `default` and `kube-*` hold the cluster itself: never ckasim's to delete.
pub fn is_protected_namespace(namespace: &str) -> bool {
    namespace == "default" || namespace.starts_with("kube-")
}

pub fn check_deletable(namespace: &str) -> Result<(), ClusterError> {
    if is_protected_namespace(namespace) {
        Err(ClusterError::ProtectedNamespace(namespace.to_string()))
    } else {
        Ok(())
    }
}

/// The contexts the user allowed in a config file (`allowed_contexts`); no
/// file means none. Other keys belong to other parts of ckasim.
pub fn allowed_contexts(file: &Path) -> Result<Vec<String>, ClusterError> {
    let shown = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(ClusterError::Config {
                file: shown,
                reason: format!("cannot read: {e}"),
            });
        }
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
        ClusterError::Config {
            file: format!("{shown}:{line}:{col}"),
            reason: e.message().to_string(),
        }
    })?;
    let bad = || ClusterError::Config {
        file: shown.clone(),
        reason:
            "allowed_contexts must be a list of context names, e.g. allowed_contexts = [\"my-lab\"]"
                .into(),
    };
    match table.get("allowed_contexts") {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_contexts_may_be_changed() {
        assert_eq!(check_changes_allowed("kind-cka", &[]), Ok(()));
    }

    #[test]
    fn other_contexts_are_refused_with_the_way_to_allow_them() {
        let err = check_changes_allowed("prod-eu", &[]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("context 'prod-eu' is not a kind cluster: ckasim changes only contexts named 'kind-*' (allow this one with --allow-context prod-eu or allowed_contexts = [\"prod-eu\"] in "),
            "{text}"
        );
        assert!(text.ends_with("config.toml)"), "{text}");
    }

    #[test]
    fn a_context_allowed_by_name_may_be_changed_and_only_that_one() {
        let allowed = vec!["my-lab".to_string()];
        assert_eq!(check_changes_allowed("my-lab", &allowed), Ok(()));
        assert!(check_changes_allowed("my-lab-2", &allowed).is_err());
        assert!(check_changes_allowed("kind", &allowed).is_err());
        assert!(check_changes_allowed("minikube", &allowed).is_err());
    }

    #[test]
    fn default_and_kube_namespaces_are_never_deleted() {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            assert_eq!(
                check_deletable(ns).unwrap_err().to_string(),
                format!(
                    "refusing to delete namespace '{ns}': ckasim never deletes 'default' or 'kube-*' namespaces"
                )
            );
        }
        assert_eq!(check_deletable("secure-workspace"), Ok(()));
        assert_eq!(check_deletable("kubernetes-dashboard-lab"), Ok(()));
    }

    #[test]
    fn allowed_contexts_come_from_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        assert_eq!(allowed_contexts(&file).unwrap(), Vec::<String>::new());
        std::fs::write(
            &file,
            "theme = \"dark\"\nallowed_contexts = [\"lab\", \"minikube\"]\n",
        )
        .unwrap();
        assert_eq!(allowed_contexts(&file).unwrap(), ["lab", "minikube"]);
    }

    #[test]
    fn a_bad_config_file_is_named_with_the_position() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "allowed_contexts = \"lab\"\n").unwrap();
        assert_eq!(
            allowed_contexts(&file).unwrap_err().to_string(),
            format!(
                "{}: allowed_contexts must be a list of context names, e.g. allowed_contexts = [\"my-lab\"]",
                file.display()
            )
        );
        std::fs::write(&file, "x = 1\nallowed_contexts = [\n").unwrap();
        let text = allowed_contexts(&file).unwrap_err().to_string();
        assert!(
            text.starts_with(&format!("{}:2:", file.display())),
            "{text}"
        );
    }
}
