//! What the TUI needs from a cluster, as a small port: the live kube-rs
//! layer implements it, `Offline` stands in when there is no cluster, and
//! tests serve fixture snapshots through it.

use futures::future::BoxFuture;

use crate::cluster::addons::{Presence, detect, find_on_path};
use crate::grade::target::check_reads;
use crate::kind::Kind;
use crate::library::Rubric;
use crate::library::addon::Addon;
use crate::snapshot::Snapshot;

/// The cluster as the TUI sees it. Every method returns at once; the work
/// runs in the returned future, which the event loop drives on a tokio task
/// so that input is never blocked by the network.
pub trait ClusterPort: Send + Sync + 'static {
    /// The kubeconfig context graded, if there is one (shown in the status bar
    /// and set in the shell opened with `s`).
    fn context(&self) -> Option<String>;
    /// Reachability for the status bar: the server version, or why not.
    fn probe(&self) -> BoxFuture<'static, Result<String, String>>;
    /// Reads what the rubric needs. Lists that cannot be read are marked
    /// unavailable in the Snapshot, so grading turns them into `error` checks
    /// (never the candidate's mistake) instead of failing as a whole.
    fn fetch(&self, rubric: Rubric) -> BoxFuture<'static, Snapshot>;
    /// Whether each add-on of `wanted` is in place. Without a cluster, nothing
    /// is known: the picker then only names what a scenario needs.
    fn addons(&self, wanted: Vec<Addon>) -> BoxFuture<'static, Vec<(Addon, Presence)>> {
        let _ = wanted;
        Box::pin(async { Vec::new() })
    }
}

/// No cluster: the exam and its timer run, and grading reports every check
/// as `error` with `reason`.
#[derive(Debug, Clone)]
pub struct Offline {
    pub context: Option<String>,
    pub reason: String,
}

impl Offline {
    pub fn new(context: Option<String>, reason: impl Into<String>) -> Offline {
        Offline {
            context,
            reason: reason.into(),
        }
    }
}

impl ClusterPort for Offline {
    fn context(&self) -> Option<String> {
        self.context.clone()
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, String>> {
        let reason = self.reason.clone();
        Box::pin(async move { Err(reason) })
    }

    fn fetch(&self, rubric: Rubric) -> BoxFuture<'static, Snapshot> {
        let snapshot = unavailable_snapshot(&rubric, &self.reason);
        Box::pin(async move { snapshot })
    }

    /// Without a cluster only what is local is known: the helm command.
    fn addons(&self, wanted: Vec<Addon>) -> BoxFuture<'static, Vec<(Addon, Presence)>> {
        let found = wanted
            .contains(&Addon::Helm)
            .then(|| {
                let helm = find_on_path("helm", std::env::var_os("PATH").as_deref());
                let presence = detect(Addon::Helm, &Snapshot::default(), helm.as_deref());
                (Addon::Helm, presence)
            })
            .into_iter()
            .collect();
        Box::pin(async move { found })
    }
}

/// Every kind the rubric reads, in every namespace: what a grader without a
/// cluster must mark unavailable.
pub fn kinds_read(rubric: &Rubric) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = rubric
        .reads()
        .flat_map(|(t, e)| check_reads(t, e))
        .map(|(kind, _)| kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

/// A snapshot in which every list `rubric` needs is unavailable for `reason`.
pub fn unavailable_snapshot(rubric: &Rubric, reason: &str) -> Snapshot {
    let mut snapshot = Snapshot::default();
    for kind in kinds_read(rubric) {
        snapshot.mark_unavailable(kind, None, reason.to_string());
    }
    snapshot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Source, Status};

    #[test]
    fn offline_only_helm_is_known_as_it_is_local() {
        let port = Offline::new(None, "no cluster");
        let found = futures::executor::block_on(port.addons(vec![Addon::IngressNginx]));
        assert!(found.is_empty(), "{found:?}");
        let found =
            futures::executor::block_on(port.addons(vec![Addon::IngressNginx, Addon::Helm]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Addon::Helm);
        assert!(!matches!(found[0].1, Presence::Unknown(_)), "{found:?}");
    }

    #[test]
    fn offline_grading_is_all_error_checks_with_the_reason() {
        let lib = crate::library::Library::builtin().unwrap();
        let entry = lib.get("secure-workspace").unwrap();
        let port = Offline::new(Some("kind-cka".into()), "no kubeconfig found");
        let snapshot = futures::executor::block_on(port.fetch(entry.rubric.clone()));
        let report = crate::grade::grade(
            entry,
            &snapshot,
            chrono::DateTime::UNIX_EPOCH,
            Source::Context {
                context: "kind-cka".into(),
            },
        );
        let checks: Vec<_> = report.criteria.iter().flat_map(|c| &c.checks).collect();
        assert!(!checks.is_empty());
        for c in checks {
            assert_eq!(c.status, Status::Error, "{}", c.title);
            assert_eq!(c.actual, "no kubeconfig found");
        }
        assert_eq!(
            futures::executor::block_on(port.probe()),
            Err("no kubeconfig found".to_string())
        );
        assert_eq!(port.context().as_deref(), Some("kind-cka"));
    }
}
