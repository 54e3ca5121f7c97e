//! `ckasim`, `ckasim start` and `ckasim replay`: the TUI on the live
//! cluster, after preparing it — setup before a new exam, reset and setup
//! before a replay — on a context the Safety rules allow.

use std::io::IsTerminal as _;
use std::sync::Arc;

use clap::Args;

use super::Failure;
use crate::cluster::{Cluster, allowed_contexts, check_changes_allowed, config_file};
use crate::library::{Library, Scenario};
use crate::session::{Mode, Store};
use crate::tui::app::Launch;
use crate::tui::{self, ClusterPort, Offline};

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Scenario id (see `ckasim list`).
    pub id: String,
    #[arg(long, value_enum, default_value_t = Mode::Exam)]
    pub mode: Mode,
    /// Kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Allow setup on this context although it is not named kind-* (repeatable).
    #[arg(long = "allow-context", value_name = "NAME")]
    pub allow_context: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A session id (see `ckasim history`) or `last`.
    #[arg(default_value = "last")]
    pub session: String,
    /// Kubeconfig context to reset and use (default: the session's).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Allow the reset on this context although it is not named kind-* (repeatable).
    #[arg(long = "allow-context", value_name = "NAME")]
    pub allow_context: Vec<String>,
}

/// What the cluster needs before the clock starts.
enum Prepare<'a> {
    /// Resuming a running exam, or the picker: nothing.
    Nothing,
    /// A new exam: apply the scenario's setup.
    Setup(&'a Scenario),
    /// A replay: delete the scenario's namespaces, then apply its setup.
    Reset(&'a Scenario),
}

/// `ckasim` with no subcommand: the picker (or the running exam, resumed).
pub fn picker(library: Library) -> Result<u8, Failure> {
    run(library, Launch::Picker, &Prepare::Nothing, None, Vec::new())
}

pub fn start(library: Library, args: &StartArgs) -> Result<u8, Failure> {
    let entry = library
        .get(&args.id)
        .ok_or_else(|| super::unknown_scenario(&library, &args.id))?;
    let scenario = entry.scenario.clone();
    // A running exam is resumed as it is: its cluster was set up when it began.
    let resuming = Store::new(&crate::paths::home()).running().is_some();
    let prepare = if resuming {
        Prepare::Nothing
    } else {
        Prepare::Setup(&scenario)
    };
    let launch = Launch::Start {
        id: args.id.clone(),
        mode: args.mode,
    };
    let allowed = allowed(&args.allow_context)?;
    run(library, launch, &prepare, args.context.clone(), allowed)
}

pub fn replay(library: Library, args: &ReplayArgs) -> Result<u8, Failure> {
    let store = Store::new(&crate::paths::home());
    if let Some(running) = store.running() {
        return Err(Failure(format!(
            "an exam of '{}' is still running (session {}): finish it with g in 'ckasim' before replaying",
            running.scenario, running.id
        )));
    }
    let session = store
        .resolve(&args.session)
        .map_err(|e| Failure(e.to_string()))?;
    let entry = library.get(&session.scenario).ok_or_else(|| {
        Failure(format!(
            "session {} is an attempt at '{}', which is not in the scenario library",
            session.id, session.scenario
        ))
    })?;
    let scenario = entry.scenario.clone();
    let launch = Launch::Start {
        id: session.scenario.clone(),
        mode: session.mode,
    };
    let context = args.context.clone().or(session.context.clone());
    let allowed = allowed(&args.allow_context)?;
    run(
        library,
        launch,
        &Prepare::Reset(&scenario),
        context,
        allowed,
    )
}

fn allowed(by_flag: &[String]) -> Result<Vec<String>, Failure> {
    let mut allowed = by_flag.to_vec();
    allowed.extend(allowed_contexts(&config_file()).map_err(|e| Failure(e.to_string()))?);
    Ok(allowed)
}

fn run(
    library: Library,
    launch: Launch,
    prepare: &Prepare<'_>,
    context: Option<String>,
    allowed: Vec<String>,
) -> Result<u8, Failure> {
    // Before any change to a cluster: without a terminal there will be no exam.
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(Failure(tui::TuiError::NoTerminal.to_string()));
    }
    // The kube client's connection lives on the runtime it was made on, so
    // the TUI runs on the same one: a single thread also keeps idle cost low.
    super::live::runtime()?.block_on(async move {
        let scenario = match prepare {
            Prepare::Setup(s) | Prepare::Reset(s) => s.id.as_str(),
            Prepare::Nothing => "",
        };
        let prepared = connect_and_prepare(prepare, context, &allowed);
        let Some(port) = super::live::interruptible(scenario, prepared).await? else {
            return Ok(super::live::INTERRUPTED);
        };
        let options = tui::Options {
            library,
            launch,
            home: crate::paths::home(),
        };
        tui::run(options, port)
            .await
            .map_err(|e| Failure(e.to_string()))
    })
}

async fn connect_and_prepare(
    prepare: &Prepare<'_>,
    context: Option<String>,
    allowed: &[String],
) -> Result<Arc<dyn ClusterPort>, Failure> {
    let cluster = match Cluster::connect(context.as_deref()).await {
        Ok(c) => c,
        Err(e) => {
            return match prepare {
                Prepare::Reset(_) => Err(Failure(format!(
                    "replay starts from a clean cluster, and there is none: {e}"
                ))),
                Prepare::Setup(s) if !s.setup.is_empty() => {
                    eprintln!(
                        "ckasim: {e}: setup skipped; grading will report the cluster as unreachable"
                    );
                    Ok(Arc::new(Offline::new(context, e.to_string())))
                }
                _ => Ok(Arc::new(Offline::new(context, e.to_string()))),
            };
        }
    };
    let mut log = |line: String| crate::outln!("{line}");
    match prepare {
        Prepare::Nothing => {}
        // Nothing to apply: the exam only reads the cluster, on any context.
        Prepare::Setup(s) if s.setup.is_empty() => {}
        Prepare::Setup(s) => {
            check_changes_allowed(cluster.context(), allowed)
                .map_err(|e| Failure(e.to_string()))?;
            match cluster.apply_setup(s, &mut log).await {
                Ok(()) => settle(&cluster, s, &mut log).await,
                // The exam still runs; the status bar and grading say why.
                Err(e) => eprintln!(
                    "ckasim: setup of '{}' failed: {e} (fix the cluster, then 'ckasim reset {}')",
                    s.id, s.id
                ),
            }
        }
        Prepare::Reset(s) => {
            check_changes_allowed(cluster.context(), allowed)
                .map_err(|e| Failure(e.to_string()))?;
            cluster
                .reset(s, &mut log)
                .await
                .map_err(|e| Failure(format!("cannot reset '{}': {e}", s.id)))?;
            settle(&cluster, s, &mut log).await;
        }
    }
    Ok(Arc::new(cluster))
}

/// How long the pods of a setup may take to settle before the clock starts.
const SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The setup's pods followed until they are ready or settled: the candidate
/// starts on the state the scenario describes, not a half-started one.
async fn settle(cluster: &Cluster, scenario: &Scenario, log: &mut (dyn FnMut(String) + Send)) {
    if let Err(e) = cluster
        .wait_for_setup_pods(scenario, SETTLE_LIMIT, log)
        .await
    {
        log(format!("not waiting for the pods: {e}"));
    }
}
