//! The command line: what each subcommand takes.

pub mod auth;
pub mod doctor;
pub mod export;
pub mod grade;
pub mod history;
pub mod list;
pub mod live;
pub mod network_policy;
pub mod pod_security;
pub mod reset;
pub mod snapshot;
pub mod start;
pub mod validate;

use std::path::PathBuf;

/// Standard output for the command line. A reader that went away
/// (`ckasim list | head -1`) ends the program quietly with status 141, as a
/// shell tool ended by SIGPIPE, instead of a panic; any other failure to
/// write is one line on standard error and status 2.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("ckasim: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

/// `print!` through `write_stdout`.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(format_args!($($arg)*)) };
}

/// `println!` through `write_stdout`.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

use clap::{Parser, Subcommand, ValueEnum};

use crate::library::{Files, Library, LoadError};

#[derive(Debug, Parser)]
#[command(
    name = "ckasim",
    version,
    about = "CKA practice exams in the terminal, graded against a live kind cluster"
)]
pub struct Cli {
    /// A directory laid out like the repository (scenarios/, grading/, assets/)
    /// to use instead of the built-in library.
    #[arg(long, global = true, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the scenarios.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Check the scenario library; every problem as `file:line:col: message`.
    Validate,
    /// Grade a scenario against a snapshot or a live cluster.
    Grade(grade::GradeArgs),
    /// The Pod Security Standards level of every workload in the files, with the violations.
    PodSecurity(pod_security::PodSecurityArgs),
    /// Whether the network policies in the files allow a connection between two pods, and why
    /// (exit 0 allowed, 1 denied).
    NetworkPolicy(network_policy::NetworkPolicyArgs),
    /// Every attempt, the best and the trend per scenario, averages per domain.
    History(history::HistoryArgs),
    /// Export an attempt's result (json, csv, markdown, junit).
    Export(export::ExportArgs),
    /// Save what a scenario's rubric reads from a cluster (Secret values redacted).
    Snapshot(snapshot::SnapshotArgs),
    /// Delete a scenario's namespaces, wait until they are gone, apply its setup again.
    Reset(reset::ResetArgs),
    /// Check the kubeconfig, the cluster, the grader's permissions, kind and kubectl.
    Doctor(doctor::DoctorArgs),
    /// Inspect authorization: `auth can-i`, answered from snapshot files.
    Auth(auth::AuthArgs),
    /// Start a timed attempt at a scenario in the TUI.
    Start(start::StartArgs),
    /// The same scenario and mode again, from a clean cluster state.
    Replay(start::ReplayArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// The library the user chose: `--scenarios DIR` alone, or the built-in one
/// with the user's own directory over it.
pub fn load_library(dir: Option<&std::path::Path>) -> Result<Library, Vec<LoadError>> {
    let files = if let Some(d) = dir {
        Files::from_dir(d).map_err(|e| vec![e])?
    } else {
        let mut files = Files::builtin();
        let user = crate::paths::user_library();
        if user.is_dir() {
            files.overlay(Files::from_dir(&user).map_err(|e| vec![e])?);
        }
        files
    };
    Library::load(&files)
}

/// A user-facing failure: one line, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Failure(pub String);

/// Loads the library or explains, in one line per problem, why not.
pub fn library_or_fail(dir: Option<&std::path::Path>) -> Result<Library, Failure> {
    load_library(dir).map_err(|errors| {
        let mut lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        lines.push(
            "(the scenario library is invalid: run 'ckasim validate' for the full list)".into(),
        );
        Failure(lines.join("\n"))
    })
}

pub fn unknown_scenario(lib: &Library, id: &str) -> Failure {
    Failure(format!(
        "unknown scenario '{id}' (known: {})",
        lib.ids().join(", ")
    ))
}
