use serde_json::{Value, json};

use crate::evaluator::testing;
use crate::kind::Kind;
use crate::report::Status;
use crate::snapshot::Snapshot;
use crate::snapshot::helm::testing::release_secret;

const NGINX: (&str, &str, &str) = ("nginx", "15.1.0", "1.25.3");

/// Release `web` installed, then upgraded with overrides (revision 1
/// superseded, revision 2 deployed), and another release beside it.
fn cluster() -> Snapshot {
    let values = json!({"replicaCount": 3, "service": {"type": "NodePort"},
                        "auth": {"rootPassword": "hunter2-root"}});
    testing::snapshot(&[
        release_secret(
            "web",
            "web",
            1,
            "superseded",
            ("nginx", "15.0.2", "1.25.2"),
            &json!({}),
        ),
        release_secret("web", "web", 2, "deployed", NGINX, &values),
        release_secret(
            "web",
            "cache",
            1,
            "failed",
            ("redis", "18.0.0", "7.2.0"),
            &json!({}),
        ),
        json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
               "metadata": {"name": "other", "namespace": "web"}, "data": {"k": "dg=="}}),
    ])
}

fn grade(body: &str, snapshot: &Snapshot) -> crate::report::CheckResult {
    testing::grade(&["web"], body, snapshot)
}

#[test]
fn the_latest_revision_is_judged() {
    let body = "helm_release = { name = \"web\", namespace = \"web\", chart = \"nginx\", chart_version = \"15.1.0\", status = \"deployed\", revision_at_least = 2, values = { \"service.type\" = \"NodePort\", replicaCount = 3 } }";
    let r = grade(body, &cluster());
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "helm release web in web: chart nginx, chart version 15.1.0, status deployed, revision at least 2, user-supplied values replicaCount, service.type"
    );
    assert_eq!(
        r.actual,
        "release web revision 2 (deployed), chart nginx-15.1.0: chart nginx, chart version 15.1.0, status deployed, revision 2, value replicaCount as expected, value service.type as expected"
    );
    assert_eq!(r.inspect, "helm list -a -n web; helm get values web -n web");
}

#[test]
fn values_grade_nested_or_dotted_and_never_show_in_clear() {
    let body = "helm_release = { name = \"web\", namespace = \"web\", values = { service = { type = \"LoadBalancer\" }, auth = { rootPassword = \"wrong\" }, ingress = { enabled = true } } }";
    let r = grade(body, &cluster());
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "release web revision 2 (deployed), chart nginx-15.1.0: value auth.rootPassword differs, value ingress.enabled not set by the user, value service.type differs"
    );
    for clear in ["hunter2", "NodePort"] {
        assert!(!r.actual.contains(clear) && !r.expected.contains(clear));
    }
    let body = "helm_release = { name = \"web\", namespace = \"web\", values = { auth = { rootPassword = \"hunter2-root\" } } }";
    assert_eq!(grade(body, &cluster()).status, Status::Pass);
}

#[test]
fn a_redacted_snapshot_grades_the_same() {
    let Value::Object(list) = cluster().to_redacted_list() else {
        panic!("not a list");
    };
    let text = Value::Object(list.clone()).to_string();
    assert!(!text.contains("hunter2"));
    let mut redacted = Snapshot::default();
    for item in list["items"].as_array().unwrap() {
        redacted.insert(item.clone()).unwrap();
    }
    for body in [
        "helm_release = { name = \"web\", namespace = \"web\", chart_version = \"15.1.0\", values = { replicaCount = 3, \"auth.rootPassword\" = \"hunter2-root\" } }",
        "helm_release = { name = \"web\", namespace = \"web\", values = { replicaCount = 4 } }",
        "helm_release = { name = \"cache\", namespace = \"web\", status = \"deployed\" }",
    ] {
        let (live, offline) = (grade(body, &cluster()), grade(body, &redacted));
        assert_eq!(
            (live.status, &live.actual),
            (offline.status, &offline.actual)
        );
    }
}

#[test]
fn a_missing_or_failed_release_says_what_is_there() {
    let r = grade(
        "helm_release = { name = \"cache\", namespace = \"web\", status = \"deployed\" }",
        &cluster(),
    );
    assert_eq!(
        (r.status, r.actual.as_str()),
        (
            Status::Fail,
            "release cache revision 1 (failed), chart redis-18.0.0: status failed (expected deployed)"
        )
    );
    let r = grade(
        "helm_release = { name = \"api\", namespace = \"web\" }",
        &cluster(),
    );
    assert_eq!(
        (r.status, r.actual.as_str()),
        (
            Status::Fail,
            "no helm release api in web (releases there: cache, web)"
        )
    );
}

#[test]
fn bad_values_are_located() {
    let err = testing::check(
        &["web"],
        "helm_release = { name = \"web\", namespace = \"web\", status = \"running\" }",
    )
    .unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(
        err[0].starts_with(
            "grading/t.toml:9:60: helm_release: status 'running' is not a Helm status"
        ),
        "{err:?}"
    );
    let err = testing::check(
        &["web"],
        "helm_release = { name = \"web\", namespace = \"web\", revision_at_least = 0 }",
    )
    .unwrap_err();
    assert!(err[0].starts_with("grading/t.toml:9:"), "{err:?}");
    let err = testing::check(&["web"], "helm_release = { name = \"web\" }").unwrap_err();
    assert!(err[0].contains("missing field `namespace`"), "{err:?}");
}

#[test]
fn unreadable_secrets_make_the_check_an_error() {
    let check = testing::check(
        &["web"],
        "helm_release = { name = \"web\", namespace = \"web\" }",
    )
    .unwrap();
    testing::assert_reads(
        &check,
        &cluster(),
        &[(Kind::Secret, Some("web"))],
        (Kind::Secret, "web"),
    );
}
