//! A fake Kubernetes API server on 127.0.0.1 serving the objects of a
//! `kubectl get -o json` List file, for measuring graders without a cluster
//! (scripts/bench-grade.sh). It writes a kubeconfig for itself and runs
//! until killed.
//!
//! ```text
//! cargo run --release --example fake_apiserver -- [--grace SECONDS] FIXTURE.json DIR [CONTEXT]
//! ```
//! prints the kubeconfig path (`DIR/kubeconfig-CONTEXT`) on its first line.
//! With `--grace`, a pod deleted with a grace period above 0 stays
//! Terminating that long, as on a real cluster (scripts/bench-reset.sh).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[allow(clippy::unwrap_used, reason = "test support: a panic is how it fails")]
#[path = "../tests/support/apiserver.rs"]
mod apiserver;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut grace = std::time::Duration::ZERO;
    if args.first().is_some_and(|a| a == "--grace") {
        let Some(seconds) = args.get(1).and_then(|s| s.parse::<f64>().ok()) else {
            eprintln!("usage: fake_apiserver [--grace SECONDS] FIXTURE.json DIR [CONTEXT]");
            return ExitCode::from(2);
        };
        grace = std::time::Duration::from_secs_f64(seconds);
        args.drain(..2);
    }
    let (Some(fixture), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: fake_apiserver [--grace SECONDS] FIXTURE.json DIR [CONTEXT]");
        return ExitCode::from(2);
    };
    let context = args.get(2).map_or("kind-fake", String::as_str);
    let server = apiserver::FakeApiServer::start_with_file(&PathBuf::from(fixture));
    server.set_grace(grace);
    let kubeconfig = server.kubeconfig(&PathBuf::from(dir), context);
    println!("{}", kubeconfig.display());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
