//! Observation commands run in containers through the API (`pods/exec`
//! over a websocket, `v5.channel.k8s.io` or `v4.channel.k8s.io`) and logs
//! read (`pods/log`), each bounded in time, all concurrently, each result
//! recorded — never an error that stops a grade.

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::Api;
use kube::api::{AttachParams, LogParams};
use tokio::io::{AsyncRead, AsyncReadExt as _};

use super::failure::{Failed, What, seconds};
use super::{Cluster, Read, fetch, plan};
use crate::library::rubric::Rubric;
use crate::observe::server::ServerRead;
use crate::observe::{self, Exec, OUTPUT_CAP, Observation, RBAC_HINT, command_line};
use crate::snapshot::Snapshot;

/// The longest one observation command may take.
pub const EXEC_TIMEOUT: Duration = Duration::from_secs(5);

/// The rubric's lists and observations. The lists the observation checks
/// target are read first; their commands then run while the other lists are
/// still being read.
pub async fn fetch_observed(cluster: &Cluster, rubric: &Rubric) -> Snapshot {
    let first = observe::lists(rubric);
    let (early, rest): (Vec<Read>, Vec<Read>) = plan(rubric)
        .into_iter()
        .partition(|r| first.contains(&(r.kind(), r.namespace().map(str::to_string))));
    let observed = async {
        let snapshot = fetch::fetch(cluster, &early).await;
        let results = run_all(cluster, &observe::plan(rubric, &snapshot)).await;
        (snapshot, results)
    };
    let server = futures::future::join_all(
        observe::server::paths(rubric)
            .into_iter()
            .map(|p| async move { read_server(cluster, &p).await }),
    );
    let (mut snapshot, (early, results), reads) =
        futures::join!(fetch::fetch(cluster, &rest), observed, server);
    snapshot.absorb(early);
    for o in results {
        snapshot.add_observation(o);
    }
    for r in reads {
        snapshot.add_server_read(r);
    }
    snapshot
}

/// A GET of an API server path (`/version`, `/readyz?verbose`), bounded
/// like a command. An unhealthy answer (HTTP 5xx, its text body) is an
/// answer; a refusal (401, 403, 404) or no answer is recorded with why.
pub async fn read_server(cluster: &Cluster, path: &str) -> ServerRead {
    let limit = bound(cluster);
    let request = match http::Request::get(path).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return ServerRead::failed(path, &e.to_string()),
    };
    match tokio::time::timeout(limit, cluster.client.request_text(request)).await {
        Ok(Ok(body)) => ServerRead::answered(path, 200, &body),
        Ok(Err(kube::Error::Api(s))) if s.code >= 500 => {
            ServerRead::answered(path, s.code, &s.message)
        }
        Ok(Err(kube::Error::Api(s))) => ServerRead::failed(
            path,
            &format!(
                "the API server refused GET {path} (HTTP {}): {}",
                s.code,
                s.message.lines().next().unwrap_or_default()
            ),
        ),
        Ok(Err(e)) => ServerRead::failed(path, &format!("GET {path}: {e}")),
        Err(_) => ServerRead::failed(
            path,
            &format!(
                "no answer from the API server {} within {}",
                cluster.server,
                seconds(limit)
            ),
        ),
    }
}

/// Runs every command concurrently; one record each, in order.
pub async fn run_all(cluster: &Cluster, execs: &[Exec]) -> Vec<Observation> {
    futures::future::join_all(execs.iter().map(|e| run(cluster, e))).await
}

/// The bound on one command: the exec bound, or the cluster's request bound
/// when that is shorter.
fn bound(cluster: &Cluster) -> Duration {
    EXEC_TIMEOUT.min(cluster.timeout)
}

/// Runs one command and records what it printed and how it ended (or
/// reads the logs the plan names).
pub async fn run(cluster: &Cluster, e: &Exec) -> Observation {
    let limit = bound(cluster);
    if let Some(logs) = e.logs {
        return match tokio::time::timeout(limit, read_logs(cluster, e, logs.previous)).await {
            Ok(Ok(text)) => e.record(&text, "", None),
            Ok(Err(reason)) => e.failed(&reason),
            Err(_) => e.failed(&format!(
                "no answer from the API server {} within {}",
                cluster.server,
                seconds(limit)
            )),
        };
    }
    match tokio::time::timeout(limit, Box::pin(attempt(cluster, e))).await {
        Ok(Ok((stdout, stderr, status))) => {
            let (exit, error) = exit_of(status.as_ref());
            let mut o = e.record(&stdout, &stderr, exit);
            if let Some(error) = error {
                o.error = Some(observe::scrub(&error).0);
            }
            o
        }
        Ok(Err(reason)) => e.failed(&reason),
        Err(_) => e.failed(&format!(
            "no result within {} (the command may hang, or the API server {} did not answer)",
            seconds(limit),
            cluster.server
        )),
    }
}

async fn attempt(cluster: &Cluster, e: &Exec) -> Result<(String, String, Option<Status>), String> {
    let api: Api<Pod> = Api::namespaced(cluster.client.clone(), &e.namespace);
    let params = AttachParams::default()
        .container(e.container.clone())
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let what = What::Action(format!(
        "run `{}` in pod/{} container '{}' in namespace '{}'",
        command_line(&e.command),
        e.pod,
        e.container,
        e.namespace
    ));
    let mut process = api
        .exec(&e.pod, e.command.clone(), &params)
        .await
        .map_err(|err| {
            let failed = Failed::from_kube(&err, &what, cluster);
            match failed.code {
                Some(403) => format!("{} ({RBAC_HINT})", failed.reason),
                _ => failed.reason,
            }
        })?;
    let status = process.take_status();
    let stdout = process.stdout();
    let stderr = process.stderr();
    let (stdout, stderr) = futures::join!(read_capped(stdout), read_capped(stderr));
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    Ok((stdout, stderr, status))
}

async fn read_logs(cluster: &Cluster, e: &Exec, previous: bool) -> Result<String, String> {
    let params = LogParams {
        container: Some(e.container.clone()),
        previous,
        tail_lines: Some(i64::from(observe::logs::TAIL_LINES)),
        ..LogParams::default()
    };
    let request = kube::core::Request::new(format!("/api/v1/namespaces/{}/pods", e.namespace))
        .logs(&e.pod, &params)
        .map_err(|err| format!("cannot build the request: {err}"))?;
    let what = What::Action(format!(
        "read the {}logs of pod/{} container '{}' in namespace '{}'",
        if previous { "previous " } else { "" },
        e.pod,
        e.container,
        e.namespace
    ));
    cluster.client.request_text(request).await.map_err(|err| {
        let failed = Failed::from_kube(&err, &what, cluster);
        match failed.code {
            Some(403) => format!("{} ({LOGS_RBAC_HINT})", failed.reason),
            _ => failed.reason,
        }
    })
}

const LOGS_RBAC_HINT: &str =
    "the grader needs 'get' on pods/log: kubectl apply -f assets/grader-rbac.yaml";

/// A stream to its end, keeping what a record may hold (the rest is read
/// and dropped, so the command is never blocked on a full pipe).
async fn read_capped<R: AsyncRead + Unpin>(reader: Option<R>) -> String {
    let Some(mut reader) = reader else {
        return String::new();
    };
    // Room for the redaction to see a whole token at the cut.
    let keep = OUTPUT_CAP * 4;
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 8192];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = keep.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// The exit code and, when the command did not run, why — from the
/// error channel's `Status`: `Success`; `NonZeroExitCode` with the code as
/// the `ExitCode` cause; anything else is a failure to run (e.g. the binary
/// is not in the image).
pub fn exit_of(status: Option<&Status>) -> (Option<i64>, Option<String>) {
    let Some(status) = status else {
        return (
            None,
            Some("the connection closed without an exit status".into()),
        );
    };
    if status.status.as_deref() == Some("Success") {
        return (Some(0), None);
    }
    if status.reason.as_deref() == Some("NonZeroExitCode") {
        let code = status
            .details
            .as_ref()
            .and_then(|d| d.causes.as_ref())
            .into_iter()
            .flatten()
            .find(|c| c.reason.as_deref() == Some("ExitCode"))
            .and_then(|c| c.message.as_deref())
            .and_then(|m| m.trim().parse::<i64>().ok());
        if code.is_some() {
            return (code, None);
        }
    }
    let message = status
        .message
        .as_deref()
        .map(|m| m.lines().next().unwrap_or("").trim().to_string())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "the command failed without a message".into());
    (None, Some(message))
}

/// Namespaces where the library's observation checks run commands: what
/// `doctor` asks `create pods/exec` for.
pub fn exec_namespaces<'a>(rubrics: impl Iterator<Item = &'a Rubric>) -> BTreeSet<String> {
    rubrics
        .flat_map(observe::lists)
        .filter_map(|(_, ns)| ns)
        .collect()
}
