//! `ckasim reset`: the scenario's namespaces deleted and its setup applied
//! again, on a context the Safety rules allow; every change printed.

use clap::Args;

use super::Failure;
use crate::cluster::{Cluster, allowed_contexts, check_changes_allowed, config_file};
use crate::library::Library;

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Scenario id (see `ckasim list`).
    pub id: String,
    /// Kubeconfig context to reset (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Allow changes on this context although it is not named kind-* (repeatable).
    #[arg(long = "allow-context", value_name = "NAME")]
    pub allow_context: Vec<String>,
}

pub fn run(lib: &Library, args: &ResetArgs) -> Result<u8, Failure> {
    let entry = lib
        .get(&args.id)
        .ok_or_else(|| super::unknown_scenario(lib, &args.id))?;
    let mut allowed = args.allow_context.clone();
    allowed.extend(allowed_contexts(&config_file()).map_err(|e| Failure(e.to_string()))?);
    let scenario = &entry.scenario;
    super::live::runtime()?.block_on(async {
        let fail = |e: crate::cluster::ClusterError| Failure(e.to_string());
        let cluster = Cluster::connect(args.context.as_deref())
            .await
            .map_err(fail)?;
        // Refused before the first request: nothing reaches a cluster that
        // is not ckasim's to change.
        check_changes_allowed(cluster.context(), &allowed).map_err(fail)?;
        let mut applied = 0usize;
        let mut log = |line: String| {
            if line.starts_with("applied ") {
                applied += 1;
            }
            crate::outln!("{line}");
        };
        let began = std::time::Instant::now();
        let work = async { cluster.reset(scenario, &mut log).await.map_err(fail) };
        if super::live::interruptible(&scenario.id, work)
            .await?
            .is_none()
        {
            return Ok(super::live::INTERRUPTED);
        }
        let took = began.elapsed().as_secs_f64();
        let setup = match applied {
            0 => "no setup to apply".to_string(),
            1 => "1 object applied".to_string(),
            n => format!("{n} objects applied"),
        };
        crate::outln!(
            "{} is reset on context {} in {took:.1} s ({setup})",
            scenario.id,
            cluster.context()
        );
        Ok(0)
    })
}
