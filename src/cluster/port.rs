//! The live cluster as the TUI's `ClusterPort`.

use futures::future::BoxFuture;

use super::Cluster;
use crate::library::Rubric;
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
}
