//! `ckasim snapshot`: what the rubric looks at, saved to a file that grades
//! like the cluster did, Secret values redacted.

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::cluster::{Cluster, plan};
use crate::library::Library;

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Scenario id (see `ckasim list`): the objects its rubric reads are saved.
    pub id: String,
    /// Kubeconfig context to read (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Where to write the snapshot (a kubectl-style List, JSON).
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
}

pub fn run(lib: &Library, args: &SnapshotArgs) -> Result<u8, Failure> {
    let entry = lib
        .get(&args.id)
        .ok_or_else(|| super::unknown_scenario(lib, &args.id))?;
    let (snapshot, context) = super::live::runtime()?.block_on(async {
        let cluster = Cluster::connect(args.context.as_deref())
            .await
            .map_err(|e| Failure(e.to_string()))?;
        Ok::<_, Failure>((
            cluster.fetch(&entry.rubric).await,
            cluster.context().to_string(),
        ))
    })?;
    // A list that could not be read would grade as missing objects: a
    // snapshot without it would not grade like the cluster.
    let mut unreadable: Vec<&str> = plan(&entry.rubric)
        .iter()
        .filter_map(|r| snapshot.unavailable(r.kind(), r.namespace()))
        .collect();
    unreadable.dedup();
    if !unreadable.is_empty() {
        let mut lines: Vec<String> = unreadable.iter().map(|r| (*r).to_string()).collect();
        lines.push(format!(
            "snapshot not written: {} could not be read fully from context {context}",
            args.id
        ));
        return Err(Failure(lines.join("\n")));
    }
    let list = snapshot.to_redacted_list();
    let mut text = serde_json::to_string_pretty(&list)
        .map_err(|e| Failure(format!("cannot encode the snapshot: {e}")))?;
    text.push('\n');
    crate::paths::write_atomic(&args.output, text.as_bytes())
        .map_err(|e| Failure(format!("{}: cannot write: {e}", args.output.display())))?;
    let n = snapshot.objects().len();
    eprintln!(
        "{}: {n} object{} from context {context} written to {} (Secret values redacted)",
        args.id,
        if n == 1 { "" } else { "s" },
        args.output.display()
    );
    Ok(0)
}
