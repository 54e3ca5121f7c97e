//! The live cluster as the TUI's `ClusterPort`.

use futures::future::BoxFuture;

use super::Cluster;
use super::addons::{Presence, find_on_path, probe};
use crate::library::Rubric;
use crate::library::addon::Addon;
use crate::snapshot::Snapshot;
use crate::tui::ClusterPort;

impl ClusterPort for Cluster {
    fn context(&self) -> Option<String> {
        Some(Cluster::context(self).to_string())
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, String>> {
        let cluster = self.clone();
        Box::pin(async move { cluster.version().await.map_err(|e| e.to_string()) })
    }

    fn fetch(&self, rubric: Rubric) -> BoxFuture<'static, Snapshot> {
        let cluster = self.clone();
        Box::pin(async move { cluster.fetch(&rubric).await })
    }

    fn addons(&self, wanted: Vec<Addon>) -> BoxFuture<'static, Vec<(Addon, Presence)>> {
        let cluster = self.clone();
        Box::pin(async move {
            let helm = find_on_path("helm", std::env::var_os("PATH").as_deref());
            probe(&cluster, &wanted, helm.as_deref()).await
        })
    }
}
