//! A fake Kubernetes API server on 127.0.0.1 serving the objects of a
//! `kubectl get -o json` List file, for measuring graders without a cluster
//! (scripts/bench-grade.sh). It writes a kubeconfig for itself and runs
//! until killed.
//!
//! ```text
//! cargo run --release --example fake_apiserver -- FIXTURE.json DIR [CONTEXT]
//! ```
//! prints the kubeconfig path (`DIR/kubeconfig-CONTEXT`) on its first line.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[allow(clippy::unwrap_used, reason = "test support: a panic is how it fails")]
#[path = "../tests/support/apiserver.rs"]
mod apiserver;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(fixture), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: fake_apiserver FIXTURE.json DIR [CONTEXT]");
        return ExitCode::from(2);
    };
    let context = args.get(2).map_or("kind-fake", String::as_str);
    let server = apiserver::FakeApiServer::start_with_file(&PathBuf::from(fixture));
    let kubeconfig = server.kubeconfig(&PathBuf::from(dir), context);
    println!("{}", kubeconfig.display());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
