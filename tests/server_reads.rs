//! Live reads of the API server's `/version` and health endpoints
//! (`server_version`, `component_healthy`) against a fake API server: taken
//! with the lists, recorded in the snapshot so that a saved snapshot grades
//! the same, and an `error` check with the reason when unreadable.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::time::Duration;

use ckasim::library::{Entry, Library, rubric};
use ckasim::report::{Report, Status};
use ckasim::snapshot::Snapshot;
use support::apiserver::{FakeApiServer, Fault, check};

const FAILING_ETCD: &str = "[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\nreadyz check failed\n";

/// secure-workspace with checks on the server only.
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
    let text = "pass_percent = 66\n[[criteria]]\nid = \"server\"\ntitle = \"S\"\ntasks = [\"namespace\", \"service-account\", \"registry-secret\", \"deployment\", \"verify\"]\n\
         [[criteria.checks]]\ntitle = \"version\"\npoints = 2\nserver_version = { at_least = \"1.33\" }\n\
         [[criteria.checks]]\ntitle = \"not newer\"\npoints = 1\nserver_version = { at_most = \"1.33\" }\n\
         [[criteria.checks]]\ntitle = \"ready\"\npoints = 2\ncomponent_healthy = { endpoint = \"/readyz\" }\n\
         [[criteria.checks]]\ntitle = \"etcd\"\npoints = 2\ncomponent_healthy = { endpoint = \"/readyz\", check = \"etcd\" }\n\
         [[criteria.checks]]\ntitle = \"live\"\npoints = 1\ncomponent_healthy = { endpoint = \"/livez\" }\n";
    let rubric = rubric::parse("grading/secure-workspace.toml", text, &scenario)
        .unwrap_or_else(|e| panic!("{e:?}"));
    Entry { scenario, rubric }
}

async fn fetch(server: &FakeApiServer, timeout: Duration) -> Snapshot {
    server.fetch(&entry().rubric, timeout).await
}

fn grade(snapshot: &Snapshot) -> Report {
    support::apiserver::grade(&entry(), snapshot)
}

fn statuses(report: &Report) -> Vec<(&str, Status)> {
    report.criteria[0]
        .checks
        .iter()
        .map(|c| (c.title.as_str(), c.status))
        .collect()
}

#[tokio::test]
async fn a_healthy_server_of_the_right_version_earns_every_point() {
    let server = FakeApiServer::start(Vec::new());
    let snapshot = fetch(&server, Duration::from_secs(5)).await;
    let report = grade(&snapshot);
    assert_eq!(report.score, report.max_score, "{report:#?}");
    assert_eq!(check(&report, "version").actual, "version v1.33.1");
    assert_eq!(
        check(&report, "version").expected,
        "the API server's version is at least 1.33"
    );
    assert_eq!(check(&report, "version").inspect, "kubectl version -o json");
    assert_eq!(
        check(&report, "ready").actual,
        "ok: 3 checks passed (HTTP 200)"
    );
    assert_eq!(check(&report, "etcd").actual, "[+]etcd ok (HTTP 200)");
    assert_eq!(
        check(&report, "ready").inspect,
        "kubectl get --raw '/readyz?verbose'"
    );
    // Each path is read once, whatever the number of checks on it.
    let requests = server.requests();
    let readyz = requests
        .iter()
        .filter(|r| r.starts_with("GET /readyz"))
        .count();
    assert_eq!(readyz, 1, "{requests:?}");
}

#[tokio::test]
async fn an_unhealthy_server_fails_naming_the_failing_check_and_an_old_one_fails_on_version() {
    let server = FakeApiServer::start(Vec::new());
    server.set_version("v1.32.4");
    server.set_health("/readyz", 500, FAILING_ETCD);
    let report = grade(&fetch(&server, Duration::from_secs(5)).await);
    assert_eq!(
        statuses(&report),
        [
            ("version", Status::Fail),
            ("not newer", Status::Pass),
            ("ready", Status::Fail),
            ("etcd", Status::Fail),
            ("live", Status::Pass),
        ]
    );
    assert_eq!(check(&report, "version").actual, "version v1.32.4");
    assert_eq!(
        check(&report, "ready").actual,
        "HTTP 500: [-]etcd failed: reason withheld"
    );
    assert_eq!(
        check(&report, "etcd").actual,
        "[-]etcd failed: reason withheld (HTTP 500)"
    );
    server.set_version("v1.34.0");
    let report = grade(&fetch(&server, Duration::from_secs(5)).await);
    assert_eq!(check(&report, "version").status, Status::Pass);
    assert_eq!(check(&report, "not newer").status, Status::Fail);
}

#[tokio::test]
async fn an_unreadable_endpoint_is_an_error_with_the_reason_never_a_verdict() {
    let server = FakeApiServer::start(Vec::new());
    server.fail(
        "/version",
        Fault::Status(
            403,
            "Forbidden",
            "forbidden: User \"grader\" cannot get path \"/version\"".into(),
        ),
    );
    server.fail("/livez", Fault::Hang);
    let report = grade(&fetch(&server, Duration::from_secs(1)).await);
    let version = check(&report, "version");
    assert_eq!(version.status, Status::Error, "{version:#?}");
    assert!(
        version
            .actual
            .starts_with("/version: the API server refused GET /version (HTTP 403): forbidden"),
        "{}",
        version.actual
    );
    let live = check(&report, "live");
    assert_eq!(live.status, Status::Error, "{live:#?}");
    assert!(
        live.actual
            .starts_with("/livez?verbose: no answer from the API server"),
        "{}",
        live.actual
    );
    assert_eq!(check(&report, "ready").status, Status::Pass);
}

#[tokio::test]
async fn a_saved_snapshot_grades_like_the_live_read_and_a_snapshot_without_records_is_an_error() {
    let server = FakeApiServer::start(Vec::new());
    server.set_health("/readyz", 500, FAILING_ETCD);
    let live = fetch(&server, Duration::from_secs(5)).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("snap.json");
    let text =
        serde_json::to_string_pretty(&live.to_redacted_list()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
    let saved = Snapshot::read_files(&[&file]).unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (grade(&live), grade(&saved));
    assert_eq!(a.criteria, b.criteria);
    assert_eq!(check(&b, "etcd").status, Status::Fail);
    // A snapshot of objects alone cannot say what the server answered.
    let bare = grade(&Snapshot::default());
    for c in &bare.criteria[0].checks {
        assert_eq!(c.status, Status::Error, "{c:#?}");
        assert!(c.actual.starts_with("no read of /"), "{}", c.actual);
    }
}
