//! Observation checks against a fake API server: commands run through
//! `pods/exec` over a websocket (`v5.channel.k8s.io`, or `v4` from an older
//! server), their stdout, stderr and exit status read from the channels,
//! recorded in the snapshot, and judged — with what a user sees when the
//! exec is refused, the command is not in the image, or nothing answers.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ckasim::library::{Entry, Library, rubric};
use ckasim::report::{CheckResult, Report, Status};
use ckasim::snapshot::Snapshot;
use support::apiserver::{ExecReply, FakeApiServer, Fault, check};

const NS: &str = "secure-workspace";
const POD_A: &str = "secure-app-757c767995-44slf";
const POD_B: &str = "secure-app-757c767995-nvkdm";
const TOKEN_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
const ABSENT: &str =
    "ls: /var/run/secrets/kubernetes.io/serviceaccount: No such file or directory\n";

fn real_solved() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/real/secure-workspace/solved.json")
}

/// secure-workspace with a rubric of three observation checks: the uid,
/// the token directory, the capabilities.
fn rubric_text() -> String {
    let pods = "target = { pods_of = \"Deployment/secure-app\", namespace = \"secure-workspace\" }";
    format!(
        "pass_percent = 66\n[[criteria]]\nid = \"verification\"\ntitle = \"V\"\ntasks = [\"namespace\", \"service-account\", \"registry-secret\", \"deployment\", \"verify\"]\n\
         [[criteria.checks]]\ntitle = \"uid\"\npoints = 5\n{pods}\nobserve = {{ command = [\"id\", \"-u\"], stdout = {{ equals = \"1001\" }} }}\n\
         [[criteria.checks]]\ntitle = \"token\"\npoints = 5\n{pods}\nobserve = {{ command = [\"ls\", \"{TOKEN_DIR}\"], fails = true, stderr = {{ contains = \"No such file or directory\" }} }}\n\
         [[criteria.checks]]\ntitle = \"caps\"\npoints = 5\n{pods}\nobserve = {{ command = [\"grep\", \"CapEff\", \"/proc/1/status\"], stdout = {{ matches = \"CapEff:\\\\s+0+\\\\s*$\" }} }}\n"
    )
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn entry() -> Entry {
    let scenario = Library::builtin()
        .unwrap()
        .get("secure-workspace")
        .unwrap()
        .scenario
        .clone();
    let text = rubric_text();
    let rubric = rubric::parse("grading/secure-workspace.toml", &text, &scenario)
        .unwrap_or_else(|e| panic!("{e:?}"));
    Entry { scenario, rubric }
}

/// What a real cluster running the reference answer prints.
fn answer_all(server: &FakeApiServer) {
    for pod in [POD_A, POD_B] {
        server.exec(NS, pod, &["id", "-u"], ExecReply::ok("1001\n"));
        server.exec(NS, pod, &["ls", TOKEN_DIR], ExecReply::exit(1, ABSENT));
        server.exec(
            NS,
            pod,
            &["grep", "CapEff", "/proc/1/status"],
            ExecReply::ok("CapEff:\t0000000000000000\n"),
        );
    }
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn fetch(server: &FakeApiServer, timeout: Duration) -> Snapshot {
    fetch_for(server, timeout, &entry()).await
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn fetch_for(server: &FakeApiServer, timeout: Duration, entry: &Entry) -> Snapshot {
    server.fetch(&entry.rubric, timeout).await
}

fn grade(snapshot: &Snapshot) -> Report {
    support::apiserver::grade(&entry(), snapshot)
}

#[tokio::test]
async fn v5_exec_reads_stdout_stderr_and_exit_status_and_the_answer_earns_full_marks() {
    let server = FakeApiServer::start_with_file(&real_solved());
    answer_all(&server);
    let snapshot = fetch(&server, Duration::from_secs(5)).await;
    assert_eq!(snapshot.observations().len(), 6);
    let report = grade(&snapshot);
    assert_eq!(report.score, 15, "{report:#?}");
    assert_eq!(check(&report, "uid").actual, "'1001' in 2/2 pods (`id -u`)");
    assert_eq!(
        check(&report, "token").actual,
        format!("'No such file or directory' in 2/2 pods (`ls {TOKEN_DIR}`)")
    );
    assert_eq!(
        check(&report, "caps").actual,
        "'CapEff:\t0000000000000000' in 2/2 pods (`grep CapEff /proc/1/status`)"
    );
    let execs: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.contains("/exec?"))
        .collect();
    assert_eq!(execs.len(), 6, "{execs:?}");
    assert!(
        execs.contains(&format!(
            "GET /api/v1/namespaces/{NS}/pods/{POD_A}/exec?&stdout=true&stderr=true&container=nginx&command=id&command=-u"
        )),
        "{execs:?}"
    );
    let token = snapshot
        .observations()
        .iter()
        .find(|o| o.command[0] == "ls")
        .unwrap();
    assert_eq!(token.exit_code, Some(1));
    assert_eq!(token.stderr, ABSENT);
}

#[tokio::test]
async fn an_older_server_speaking_v4_only_gives_the_same_results() {
    let server = FakeApiServer::start_with_file(&real_solved());
    server.exec_protocols(&["v4.channel.k8s.io"]);
    answer_all(&server);
    let report = grade(&fetch(&server, Duration::from_secs(5)).await);
    assert_eq!(report.score, 15, "{report:#?}");
}

#[tokio::test]
async fn a_wrong_answer_is_a_failure_that_says_what_ran() {
    let server = FakeApiServer::start_with_file(&real_solved());
    answer_all(&server);
    // The token is mounted in one pod: `ls` lists it.
    server.exec(
        NS,
        POD_B,
        &["ls", TOKEN_DIR],
        ExecReply::ok("ca.crt\nnamespace\ntoken\n"),
    );
    // And one container runs as root.
    server.exec(NS, POD_A, &["id", "-u"], ExecReply::ok("0\n"));
    let report = grade(&fetch(&server, Duration::from_secs(5)).await);
    let token = check(&report, "token");
    assert_eq!(token.status, Status::Fail);
    assert_eq!(
        token.actual,
        format!("pod/{POD_B}: succeeded, printing 'ca.crt' (`ls {TOKEN_DIR}`)")
    );
    let uid = check(&report, "uid");
    assert_eq!(uid.status, Status::Fail);
    assert_eq!(uid.actual, format!("pod/{POD_A}: stdout '0' (`id -u`)"));
}

#[tokio::test]
async fn a_command_not_in_the_image_is_an_error_with_the_runtime_message() {
    let server = FakeApiServer::start_with_file(&real_solved());
    answer_all(&server);
    let missing = "OCI runtime exec failed: exec failed: unable to start container process: exec: \"grep\": executable file not found in $PATH: unknown";
    for pod in [POD_A, POD_B] {
        server.exec(
            NS,
            pod,
            &["grep", "CapEff", "/proc/1/status"],
            ExecReply {
                cannot_start: Some(missing.into()),
                ..ExecReply::default()
            },
        );
    }
    let report = grade(&fetch(&server, Duration::from_secs(5)).await);
    let caps = check(&report, "caps");
    assert_eq!(caps.status, Status::Error, "{caps:#?}");
    assert!(
        caps.actual.contains("executable file not found in $PATH"),
        "{}",
        caps.actual
    );
    assert_eq!(caps.points, 0);
}

#[tokio::test]
async fn a_forbidden_exec_is_an_error_pointing_to_the_grader_role() {
    let server = FakeApiServer::start_with_file(&real_solved());
    answer_all(&server);
    server.fail(
        &format!("/api/v1/namespaces/{NS}/pods/{POD_A}/exec"),
        Fault::Status(
            403,
            "Forbidden",
            format!("pods \"{POD_A}\" is forbidden: User \"grader\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"{NS}\""),
        ),
    );
    let report = grade(&fetch(&server, Duration::from_secs(5)).await);
    let uid = check(&report, "uid");
    assert_eq!(uid.status, Status::Error, "{uid:#?}");
    assert!(uid.actual.contains("forbidden"), "{}", uid.actual);
    assert!(
        uid.actual
            .contains("kubectl apply -f assets/grader-rbac.yaml"),
        "{}",
        uid.actual
    );
}

#[tokio::test]
async fn an_exec_never_answered_or_never_ending_is_an_error_after_the_bound() {
    let server = FakeApiServer::start_with_file(&real_solved());
    answer_all(&server);
    // The upgrade request is accepted and never answered …
    server.fail(
        &format!("/api/v1/namespaces/{NS}/pods/{POD_A}/exec"),
        Fault::Hang,
    );
    // … and a command that starts but never ends.
    server.exec(
        NS,
        POD_B,
        &["id", "-u"],
        ExecReply {
            stdout: "1001\n".into(),
            never_ends: true,
            ..ExecReply::default()
        },
    );
    let report = grade(&fetch(&server, Duration::from_secs(1)).await);
    let uid = check(&report, "uid");
    assert_eq!(uid.status, Status::Error, "{uid:#?}");
    assert!(uid.actual.contains("no result within 1s"), "{}", uid.actual);
    // The lists were read all the same: the other checks of the other pod stand.
    let token = check(&report, "token");
    assert_eq!(token.status, Status::Error);
    assert!(
        token.actual.contains(&format!("pod/{POD_A}")),
        "{}",
        token.actual
    );
}

#[tokio::test]
async fn a_saved_snapshot_grades_like_the_live_cluster_and_holds_no_token() {
    let server = FakeApiServer::start_with_file(&real_solved());
    answer_all(&server);
    let jwt =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2ln";
    server.exec(
        NS,
        POD_A,
        &["id", "-u"],
        ExecReply::ok(&format!("1001\n{jwt}\n")),
    );
    let live = fetch(&server, Duration::from_secs(5)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snapshot.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&live.to_redacted_list()).unwrap(),
    )
    .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("eyJ"), "a token reached the snapshot");
    assert!(text.contains("\"kind\": \"Observation\""));
    let saved = Snapshot::read_files(&[&file]).unwrap();
    let (live, saved) = (grade(&live), grade(&saved));
    assert_eq!(
        serde_json::to_value(&live.criteria).unwrap(),
        serde_json::to_value(&saved.criteria).unwrap()
    );
    assert_eq!(check(&live, "uid").status, Status::Fail);
}

#[test]
fn doctor_says_whether_the_grader_may_run_observation_commands() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "kind-cka");
    let lib = dir.path().join("lib");
    for sub in ["scenarios", "grading"] {
        std::fs::create_dir_all(lib.join(sub)).unwrap();
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/secure-workspace.toml"),
        lib.join("scenarios/secure-workspace.toml"),
    )
    .unwrap();
    std::fs::write(lib.join("grading/secure-workspace.toml"), rubric_text()).unwrap();
    let doctor = || {
        let out = assert_cmd::Command::cargo_bin("ckasim")
            .unwrap()
            .env("CKASIM_HOME", dir.path())
            .env("KUBECONFIG", &kubeconfig)
            .args(["doctor", "--scenarios"])
            .arg(&lib)
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.contains("exec"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        doctor(),
        "ok   exec: the grader may run observation commands (create pods/exec) in 1 namespace"
    );
    server.fail(
        &format!("/api/v1/namespaces/{NS}/pods/exec"),
        Fault::Status(403, "Forbidden", "denied".into()),
    );
    assert_eq!(
        doctor(),
        "fix  exec: cannot create pods/exec in namespace 'secure-workspace': observation checks will be errors: grant the grader role: kubectl apply -f assets/grader-rbac.yaml"
    );
}

// ---- logs -------------------------------------------------------------------

const TRIAGE: &str = "mock-triage";
const WRITER: &str = "log-writer-dff57f847-8c95b";

/// cka-security-mock at its start (log-writer crash-looping) with one
/// `logs_contain` check.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn logs_entry() -> Entry {
    let scenario = Library::builtin()
        .unwrap()
        .get("cka-security-mock")
        .unwrap()
        .scenario
        .clone();
    let tasks: Vec<String> = scenario
        .tasks
        .iter()
        .map(|t| format!("\"{}\"", t.id))
        .collect();
    let text = format!(
        "pass_percent = 66\n[[criteria]]\nid = \"logs\"\ntitle = \"L\"\ntasks = [{}]\n\
         [[criteria.checks]]\ntitle = \"denied\"\npoints = 1\n\
         target = {{ pods_of = \"Deployment/log-writer\", namespace = \"{TRIAGE}\" }}\n\
         logs_contain = {{ text = \"Permission denied\" }}\n",
        tasks.join(", ")
    );
    let rubric = rubric::parse("grading/cka-security-mock.toml", &text, &scenario)
        .unwrap_or_else(|e| panic!("{e:?}"));
    Entry { scenario, rubric }
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn logs_report(server: &FakeApiServer, timeout: Duration) -> CheckResult {
    let entry = logs_entry();
    let snapshot = fetch_for(server, timeout, &entry).await;
    let report = support::apiserver::grade(&entry, &snapshot);
    report.criteria[0].checks[0].clone()
}

fn triage_server() -> FakeApiServer {
    FakeApiServer::start_with_file(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/real/cka-security-mock/start.json"),
    )
}

#[tokio::test]
async fn logs_are_read_from_the_current_and_the_previous_instance() {
    let server = triage_server();
    server.logs(TRIAGE, WRITER, "writer", false, "starting\n");
    server.logs(
        TRIAGE,
        WRITER,
        "writer",
        true,
        "starting\nsh: can't create /logs/app.log: Permission denied\n",
    );
    let check = logs_report(&server, Duration::from_secs(5)).await;
    assert_eq!(check.status, Status::Pass, "{check:#?}");
    assert_eq!(
        check.actual,
        "'sh: can't create /logs/app.log: Permission denied' in the previous logs in 1/1 pod (logs)"
    );
    let reads: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.contains("/log?"))
        .collect();
    assert_eq!(reads.len(), 2, "{reads:?}");
    assert!(
        reads.iter().any(|r| r.contains("previous=true")),
        "{reads:?}"
    );
}

#[tokio::test]
async fn unreadable_logs_are_an_error_with_the_reason() {
    let server = triage_server();
    server.fail(
        &format!("/api/v1/namespaces/{TRIAGE}/pods/{WRITER}/log"),
        Fault::Status(403, "Forbidden", "cannot get pods/log".into()),
    );
    let check = logs_report(&server, Duration::from_secs(5)).await;
    assert_eq!(check.status, Status::Error, "{check:#?}");
    assert!(
        check.actual.contains("'get' on pods/log"),
        "{}",
        check.actual
    );

    let server = triage_server();
    server.fail(
        &format!("/api/v1/namespaces/{TRIAGE}/pods/{WRITER}/log"),
        Fault::Hang,
    );
    let check = logs_report(&server, Duration::from_secs(1)).await;
    assert_eq!(check.status, Status::Error, "{check:#?}");
    assert!(check.actual.contains("within 1s"), "{}", check.actual);
}
