//! The cluster layer against a fake API server on 127.0.0.1 serving objects
//! captured from a real one: what a grade shows when lists are read, missing,
//! forbidden, not served, never answered, or the server is unreachable.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ckasim::cluster::{Cluster, ClusterError, ConnectOptions, Permission};
use ckasim::kind::Kind;
use ckasim::library::{Entry, Library};
use ckasim::report::{Report, Source, Status};
use ckasim::snapshot::Snapshot;
use support::apiserver::{FakeApiServer, Fault, closed_port, write_kubeconfig};

/// The solved capture, with what its pods' observation commands print.
fn solved() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/secure-workspace/solved.json")
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel)
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn entry() -> Entry {
    Library::builtin()
        .unwrap()
        .get("secure-workspace")
        .unwrap()
        .clone()
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn connect(kubeconfig: &Path, timeout: Duration) -> Cluster {
    Cluster::connect_with(&ConnectOptions {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        timeout,
        ..ConnectOptions::default()
    })
    .await
    .unwrap()
}

fn grade(snapshot: &Snapshot, source: Source) -> Report {
    ckasim::grade::grade(&entry(), snapshot, chrono::Utc::now(), source)
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn live_report(server: &FakeApiServer, timeout: Duration) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(&server.kubeconfig(dir.path(), "kind-fake"), timeout).await;
    let snapshot = cluster.fetch(&entry().rubric).await;
    grade(
        &snapshot,
        Source::Context {
            context: cluster.context().into(),
        },
    )
}

/// `criterion id / check title` → (status, actual), for every check.
fn checks(report: &Report) -> Vec<(String, Status, String)> {
    report
        .criteria
        .iter()
        .flat_map(|c| {
            c.checks.iter().map(move |k| {
                (
                    format!("{} / {}", c.id, k.title),
                    k.status,
                    k.actual.clone(),
                )
            })
        })
        .collect()
}

#[tokio::test]
async fn a_live_fetch_grades_exactly_like_the_snapshot_file_of_the_same_objects() {
    let file = solved();
    let server = FakeApiServer::start_with_file(&file);
    let live = live_report(&server, Duration::from_secs(5)).await;
    let from_file = grade(
        &Snapshot::read_files(&[&file]).unwrap(),
        Source::Snapshot { snapshot: vec![] },
    );
    assert_eq!(live.criteria, from_file.criteria);
    assert_eq!(live.notes, from_file.notes);
    assert_eq!((live.score, live.max_score), (100, 100));
    assert_eq!(
        live.source,
        Source::Context {
            context: "kind-fake".into()
        }
    );
}

#[tokio::test]
async fn a_redacted_snapshot_of_the_fetch_grades_the_same_and_holds_no_password() {
    let server = FakeApiServer::start_with_file(&solved());
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(
        &server.kubeconfig(dir.path(), "kind-fake"),
        Duration::from_secs(5),
    )
    .await;
    let snapshot = cluster.fetch(&entry().rubric).await;
    let written = serde_json::to_string(&snapshot.to_redacted_list()).unwrap();
    assert!(!written.contains("ci-token-123"));
    // base64 of the password, and of the `auth` pair
    assert!(!written.contains("Y2ktdG9rZW4tMTIz"));
    assert!(!written.contains("Y2ktYm90OmNpLXRva2VuLTEyMw"));
    let reread = Snapshot::default();
    let mut reread = reread;
    for v in ckasim::snapshot::parse_documents("snap.json", &written).unwrap() {
        reread.insert(v).unwrap();
    }
    let live = grade(&snapshot, Source::Snapshot { snapshot: vec![] });
    let saved = grade(&reread, Source::Snapshot { snapshot: vec![] });
    assert_eq!(live.criteria, saved.criteria);
    assert_eq!(saved.score, 100);
}

#[tokio::test]
async fn a_fetch_reads_one_list_per_kind_and_namespace_and_the_namespace_by_name() {
    let server = FakeApiServer::start_with_file(&solved());
    live_report(&server, Duration::from_secs(5)).await;
    // Besides the lists, one exec per observation command and running pod.
    let (execs, mut requests): (Vec<String>, Vec<String>) = server
        .requests()
        .into_iter()
        .partition(|r| r.contains("/exec?"));
    assert_eq!(execs.len(), 3 * 2, "{execs:?}");
    requests.sort();
    assert_eq!(
        requests,
        [
            "GET /api/v1/namespaces/secure-workspace",
            "GET /api/v1/namespaces/secure-workspace/pods?",
            "GET /api/v1/namespaces/secure-workspace/secrets?",
            "GET /api/v1/namespaces/secure-workspace/serviceaccounts?",
            "GET /apis/apps/v1/namespaces/secure-workspace/deployments?",
            "GET /apis/apps/v1/namespaces/secure-workspace/replicasets?",
        ]
    );
}

#[tokio::test]
async fn a_missing_namespace_is_the_candidates_missing_work_not_an_error() {
    let server = FakeApiServer::start_with_file(&fixture("secure-workspace/empty.json"));
    let report = live_report(&server, Duration::from_secs(5)).await;
    assert_eq!(report.errors().count(), 0);
    assert_eq!(report.score, 0);
    let first = &report.criteria[0].checks[0];
    assert_eq!(first.status, Status::Fail);
    assert_eq!(first.actual, "namespace secure-workspace not found");
}

#[tokio::test]
async fn a_forbidden_list_is_an_error_on_the_checks_that_read_it_only() {
    let server = FakeApiServer::start_with_file(&solved());
    server.fail(
        "/api/v1/namespaces/secure-workspace/secrets",
        Fault::Status(
            403,
            "Forbidden",
            "secrets is forbidden: User \"dev\" cannot list resource \"secrets\"".into(),
        ),
    );
    let report = live_report(&server, Duration::from_secs(5)).await;
    let reason = "forbidden: cannot list secrets in namespace 'secure-workspace' (grant the grader role: kubectl apply -f assets/grader-rbac.yaml)";
    let errors: Vec<(String, Status, String)> = checks(&report)
        .into_iter()
        .filter(|(_, s, _)| *s != Status::Pass)
        .collect();
    assert_eq!(
        errors,
        [
            "registry-secret / regcred is a docker-registry Secret for registry.internal.com",
            "registry-secret / regcred holds username ci-bot",
            "registry-secret / regcred holds the password",
        ]
        .map(|t| (t.to_string(), Status::Error, reason.to_string()))
    );
    assert_eq!(report.score, 88);
}

#[tokio::test]
async fn an_api_group_the_server_does_not_serve_is_an_error_naming_it() {
    let server = FakeApiServer::start_with_file(&solved());
    server.fail(
        "/apis/apps/",
        Fault::Status(
            404,
            "NotFound",
            "the server could not find the requested resource".into(),
        ),
    );
    let report = live_report(&server, Duration::from_secs(5)).await;
    let security = &report.criteria[2];
    assert!(security.checks.iter().all(|c| c.status == Status::Error));
    assert_eq!(
        security.checks[0].actual,
        "not served: the API server has no apps/v1 deployments (404 Not Found) to list deployments in namespace 'secure-workspace'"
    );
    // The pods of the Deployment cannot be found without it either.
    assert!(
        report.criteria[4]
            .checks
            .iter()
            .all(|c| c.status == Status::Error)
    );
    assert_eq!(report.criteria[0].score, 15);
}

#[tokio::test]
async fn a_server_that_never_answers_makes_every_check_an_error_within_the_timeout() {
    let server = FakeApiServer::start_with_file(&solved());
    server.fail("/", Fault::Hang);
    let report = live_report(&server, Duration::from_millis(300)).await;
    let all = checks(&report);
    assert!(all.iter().all(|(_, s, _)| *s == Status::Error), "{all:?}");
    let sa = all
        .iter()
        .find(|(t, ..)| t == "service-account / ServiceAccount secure-runner exists")
        .unwrap();
    assert_eq!(
        sa.2,
        format!(
            "no answer from the API server {} within 0.3s to list serviceaccounts in namespace 'secure-workspace' (is the cluster overloaded or paused?)",
            server.url()
        )
    );
    assert_eq!(report.score, 0);
}

#[tokio::test]
async fn connection_refused_makes_every_check_an_error_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let kubeconfig = write_kubeconfig(dir.path(), &url, "kind-gone");
    let cluster = connect(&kubeconfig, Duration::from_secs(5)).await;
    let report = grade(
        &cluster.fetch(&entry().rubric).await,
        Source::Context {
            context: "kind-gone".into(),
        },
    );
    let expected = format!(
        "cannot reach the API server {url}: connection refused (is the cluster running? see 'kind get clusters')"
    );
    for (title, status, actual) in checks(&report) {
        assert_eq!(
            (status, actual.as_str()),
            (Status::Error, expected.as_str()),
            "{title}"
        );
    }
    let err = cluster.version().await.unwrap_err();
    assert_eq!(err.to_string(), format!("context 'kind-gone': {expected}"));
}

#[tokio::test]
async fn a_tls_failure_is_named_as_such() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://{}", server.addr);
    let kubeconfig = write_kubeconfig(dir.path(), &url, "kind-tls");
    let cluster = connect(&kubeconfig, Duration::from_secs(5)).await;
    let err = cluster.version().await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "context 'kind-tls': TLS handshake with the API server {url} failed: "
        )),
        "{err}"
    );
}

#[tokio::test]
async fn the_server_version_is_read() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(
        &server.kubeconfig(dir.path(), "kind-fake"),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(cluster.version().await.unwrap(), "v1.33.1");
    assert_eq!(cluster.context(), "kind-fake");
}

#[tokio::test]
async fn kubeconfig_and_context_errors_name_them() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), "http://127.0.0.1:1", "kind-a");
    let err = Cluster::connect_with(&ConnectOptions {
        kubeconfig: Some(kubeconfig.clone()),
        context: Some("kind-b".into()),
        ..ConnectOptions::default()
    })
    .await
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "context 'kind-b' not found in kubeconfig {} (contexts: kind-a)",
            kubeconfig.display()
        )
    );
    let missing = dir.path().join("nope");
    let err = Cluster::connect_with(&ConnectOptions {
        kubeconfig: Some(missing.clone()),
        ..ConnectOptions::default()
    })
    .await
    .err()
    .unwrap();
    assert!(matches!(err, ClusterError::NoKubeconfig { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "no kubeconfig found at {}: create a cluster with 'kind create cluster --config assets/kind-cluster.yaml' or set KUBECONFIG",
            missing.display()
        )
    );
}

#[tokio::test]
async fn access_reviews_answer_what_the_grader_may_read() {
    let server = FakeApiServer::start(Vec::new());
    server.fail(
        "/api/v1/namespaces/secure-workspace/secrets",
        Fault::Status(403, "Forbidden", "no".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(
        &server.kubeconfig(dir.path(), "kind-fake"),
        Duration::from_secs(5),
    )
    .await;
    let p = |kind| Permission {
        verb: "list".into(),
        kind,
        namespace: Some("secure-workspace".into()),
    };
    assert!(cluster.can(&p(Kind::Pod)).await.unwrap());
    assert!(!cluster.can(&p(Kind::Secret)).await.unwrap());
    assert_eq!(
        p(Kind::Secret).to_string(),
        "list secrets in namespace 'secure-workspace'"
    );
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn scenario_with_setup() -> ckasim::library::Scenario {
    let mut s = entry().scenario;
    s.namespaces = vec!["broken-web".into()];
    s.setup = vec![ckasim::library::scenario::SetupManifest {
        origin: "assets/setup/broken-web.yaml".into(),
        yaml: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: broken-web\nspec:\n  containers: [{name: web, image: 'nginx:1.0-typo'}]\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: broken-web\n".into(),
    }];
    s
}

#[tokio::test]
async fn setup_is_applied_server_side_and_every_change_is_reported() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(
        &server.kubeconfig(dir.path(), "kind-fake"),
        Duration::from_secs(5),
    )
    .await;
    let mut lines = Vec::new();
    cluster
        .apply_setup(&scenario_with_setup(), &mut |l| lines.push(l))
        .await
        .unwrap();
    assert_eq!(
        lines,
        [
            "applied namespace/broken-web",
            "applied pod/web in namespace broken-web"
        ]
    );
    let patches: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("PATCH"))
        .collect();
    assert_eq!(
        patches,
        [
            "PATCH /api/v1/namespaces/broken-web?&force=true&fieldManager=ckasim",
            "PATCH /api/v1/namespaces/broken-web/pods/web?&force=true&fieldManager=ckasim",
        ]
    );
    let pod = server
        .objects()
        .into_iter()
        .find(|o| o["kind"] == "Pod")
        .unwrap();
    assert_eq!(pod["spec"]["containers"][0]["image"], "nginx:1.0-typo");
}

#[tokio::test]
async fn reset_deletes_the_namespaces_waits_and_applies_the_setup_again() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(
        &server.kubeconfig(dir.path(), "kind-fake"),
        Duration::from_secs(5),
    )
    .await;
    let scenario = scenario_with_setup();
    cluster.apply_setup(&scenario, &mut |_| {}).await.unwrap();
    let mut lines = Vec::new();
    cluster
        .reset(&scenario, &mut |l| lines.push(l))
        .await
        .unwrap();
    assert_eq!(
        lines,
        [
            "deleting namespace/broken-web",
            "namespace/broken-web deleted",
            "applied namespace/broken-web",
            "applied pod/web in namespace broken-web",
        ]
    );
    // From nothing: a namespace that is not there is said so.
    let empty = FakeApiServer::start(Vec::new());
    let cluster = connect(
        &empty.kubeconfig(dir.path(), "kind-empty"),
        Duration::from_secs(5),
    )
    .await;
    let mut lines = Vec::new();
    cluster
        .reset(&entry().scenario, &mut |l| lines.push(l))
        .await
        .unwrap();
    assert_eq!(lines, ["namespace/secure-workspace was not there"]);
}

#[tokio::test]
async fn reset_refuses_a_protected_namespace_before_any_request() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let cluster = connect(
        &server.kubeconfig(dir.path(), "kind-fake"),
        Duration::from_secs(5),
    )
    .await;
    let mut scenario = entry().scenario;
    scenario.namespaces = vec!["secure-workspace".into(), "kube-system".into()];
    let err = cluster.reset(&scenario, &mut |_| {}).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "refusing to delete namespace 'kube-system': ckasim never deletes 'default' or 'kube-*' namespaces"
    );
    assert_eq!(server.requests(), Vec::<String>::new());
}

#[tokio::test]
async fn rejected_credentials_are_named_with_the_context() {
    let server = FakeApiServer::start_with_file(&solved());
    server.fail(
        "/",
        Fault::Status(401, "Unauthorized", "Unauthorized".into()),
    );
    let report = live_report(&server, Duration::from_secs(5)).await;
    for (title, status, actual) in checks(&report) {
        assert_eq!(status, Status::Error, "{title}");
        assert_eq!(
            actual,
            "unauthorized: the API server rejected the credentials of context 'kind-fake' (renew them, e.g. 'kind export kubeconfig --name NAME')"
        );
    }
}
