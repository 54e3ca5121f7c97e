//! What the Pod Security, troubleshooting and mock-exam scenarios promise
//! beyond the generic checks of `scenario_library.rs`: every reference
//! solution earns full marks, running-pod checks included; the mock exam's
//! weights; setup confined to owned namespaces; admission wording.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`,
//! written by `generate_b.py` beside them from the scenario's own setup and
//! solution.

#[path = "support/library.rs"]
mod library_support;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use ckasim::grade::grade;
use ckasim::kind::Kind;
use ckasim::library::Entry;
use ckasim::pod_security::{PolicyVersion, evaluate, pod_template};
use ckasim::report::{Report, Source, Status};
use ckasim::snapshot::Snapshot;
use library_support::{entry, library, setup_outside_namespaces};

const SCENARIOS: [&str; 6] = [
    "pss-restricted-namespace",
    "troubleshoot-image-tag",
    "troubleshoot-pull-secret",
    "troubleshoot-permission-denied",
    "troubleshoot-pss-rejected",
    "cka-security-mock",
];

fn fixture(id: &str, stage: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios")
        .join(id)
        .join(format!("{stage}.json"))
}

fn graded(entry: &Entry, stage: &str) -> Report {
    let path = fixture(&entry.scenario.id, stage);
    let snapshot = Snapshot::read_files(&[&path]).unwrap_or_else(|e| panic!("{e}"));
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-24T18:00:00Z")
        .map_or_else(|e| panic!("{e}"), |t| t.with_timezone(&Utc));
    grade(
        entry,
        &snapshot,
        at,
        Source::Snapshot {
            snapshot: vec![path.display().to_string()],
        },
    )
}

fn checks_with(report: &Report, status: Status) -> Vec<String> {
    report
        .criteria
        .iter()
        .flat_map(|c| c.checks.iter().map(move |k| (c, k)))
        .filter(|(_, k)| k.status == status)
        .map(|(c, k)| {
            format!(
                "{}/{} '{}': expected {}; found {}",
                report.scenario, c.id, k.title, k.expected, k.actual
            )
        })
        .collect()
}

#[test]
fn reference_solutions_earn_full_marks() {
    let lib = library();
    for id in SCENARIOS {
        let report = graded(entry(&lib, id), "solved");
        let failed = checks_with(&report, Status::Fail);
        let errors = checks_with(&report, Status::Error);
        assert!(
            failed.is_empty() && errors.is_empty(),
            "{failed:#?}\n{errors:#?}"
        );
        assert_eq!(report.score, report.max_score, "{id}");
        assert!(report.passed, "{id}");
    }
}

#[test]
fn every_scenario_is_worth_100_points_and_passes_at_66_percent() {
    let lib = library();
    for id in SCENARIOS {
        let e = entry(&lib, id);
        assert_eq!(e.rubric.max_score(), 100, "{id}");
        assert_eq!(e.rubric.pass_percent, 66, "{id}");
    }
}

#[test]
fn the_mock_exam_has_weighted_tasks_across_the_material() {
    let lib = library();
    let mock = entry(&lib, "cka-security-mock");
    let s = &mock.scenario;
    assert!(
        (15..=20).contains(&s.tasks.len()),
        "{} tasks",
        s.tasks.len()
    );
    assert_eq!(s.time_limit_minutes(), 120);
    assert!(s.namespaces.len() >= 5, "{:?}", s.namespaces);
    let report = graded(mock, "solved");
    for t in &s.tasks {
        // The weight a candidate reads is the points the task's criteria give.
        let (_, weight) = report.task_points(&t.id);
        assert!(weight > 0, "{}", t.id);
        assert!(
            t.body.en.starts_with(&format!("*Weight: {weight}%*")),
            "{}: {}",
            t.id,
            t.body.en.lines().next().unwrap_or_default()
        );
        assert!(
            t.body.get("zh").starts_with(&format!("*权重：{weight}%*")),
            "{}: {}",
            t.id,
            t.body.get("zh").lines().next().unwrap_or_default()
        );
    }
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespaces() {
    let lib = library();
    let outside: Vec<String> = SCENARIOS
        .iter()
        .flat_map(|id| setup_outside_namespaces(entry(&lib, id)))
        .collect();
    assert!(outside.is_empty(), "{}", outside.join("\n"));
}

#[test]
fn the_rejected_pods_fixture_words_violations_as_pod_security_does() {
    let start = Snapshot::read_files(&[fixture("troubleshoot-pss-rejected", "start")]).unwrap();
    assert_eq!(start.list(Kind::Pod, Some("tshoot-pss")).count(), 0);
    let rs = start
        .list(Kind::ReplicaSet, Some("tshoot-pss"))
        .next()
        .expect("the ReplicaSet of metrics-agent");
    let condition = &rs.value["status"]["conditions"][0];
    assert_eq!(condition["type"], "ReplicaFailure");
    assert_eq!(condition["reason"], "FailedCreate");
    let (meta, spec) = pod_template(&rs.value).unwrap();
    let violations = evaluate(meta, spec, PolicyVersion::Latest)
        .violations
        .restricted
        .join(", ");
    let message = condition["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!(
            "is forbidden: violates PodSecurity \"restricted:latest\": {violations}"
        )),
        "{message}\n{violations}"
    );
}
