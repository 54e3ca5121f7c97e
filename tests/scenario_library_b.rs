//! The scenarios of the library's part B (Pod Security, troubleshooting, the
//! mock exam) graded from their fixtures: each reference solution earns full
//! marks, each untouched start earns nothing, and every value a rubric checks
//! is named in the task text it grades.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`,
//! written by `generate.py` beside them from the scenario's own setup and
//! solution.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use ckasim::grade::grade;
use ckasim::kind::Kind;
use ckasim::library::rubric::{Check, Expectation, Matcher, Selection};
use ckasim::library::{Entry, Library};
use ckasim::pod_security::{PolicyVersion, evaluate, pod_template};
use ckasim::report::{Report, Source, Status};
use ckasim::snapshot::{Snapshot, parse_documents};

const SCENARIOS: [&str; 6] = [
    "pss-restricted-namespace",
    "troubleshoot-image-tag",
    "troubleshoot-pull-secret",
    "troubleshoot-permission-denied",
    "troubleshoot-pss-rejected",
    "cka-security-mock",
];

fn library() -> Library {
    match Library::builtin() {
        Ok(lib) => lib,
        Err(errors) => panic!(
            "the built-in library is invalid:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn entry<'a>(lib: &'a Library, id: &str) -> &'a Entry {
    lib.get(id)
        .unwrap_or_else(|| panic!("scenario '{id}' is not built in"))
}

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
fn untouched_starts_earn_no_points() {
    let lib = library();
    for id in SCENARIOS {
        let report = graded(entry(&lib, id), "start");
        let passed = checks_with(&report, Status::Pass);
        assert!(passed.is_empty(), "{passed:#?}");
        assert!(checks_with(&report, Status::Error).is_empty(), "{id}");
        assert_eq!(report.score, 0, "{id}");
        assert!(!report.passed, "{id}");
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
fn every_task_reads_in_english_and_chinese() {
    let lib = library();
    for id in SCENARIOS {
        let s = &entry(&lib, id).scenario;
        assert!(s.title.translations.contains_key("zh"), "{id}: title");
        assert!(s.summary.translations.contains_key("zh"), "{id}: summary");
        for t in &s.tasks {
            for (what, text) in [("title", &t.title), ("body", &t.body)] {
                let zh = text.translations.get("zh").map(String::as_str);
                assert!(
                    zh.is_some_and(|z| !z.trim().is_empty() && z != text.en),
                    "{id}/{}: {what} has no Chinese text",
                    t.id
                );
            }
        }
        let solution = s
            .solution
            .as_ref()
            .unwrap_or_else(|| panic!("{id}: no reference solution"));
        assert!(solution.shell.is_some(), "{id}: no solution commands");
        let notes = solution
            .notes
            .as_ref()
            .unwrap_or_else(|| panic!("{id}: no solution notes"));
        assert!(notes.translations.contains_key("zh"), "{id}: notes");
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
    for id in SCENARIOS {
        let s = &entry(&lib, id).scenario;
        for manifest in &s.setup {
            for doc in parse_documents(&manifest.origin, &manifest.yaml).unwrap() {
                let kind = doc["kind"].as_str().unwrap_or_default();
                let ns = if kind == "Namespace" {
                    doc.pointer("/metadata/name")
                } else {
                    doc.pointer("/metadata/namespace")
                };
                let ns = ns.and_then(Value::as_str).unwrap_or("(none)");
                assert!(
                    s.namespaces.iter().any(|n| n == ns),
                    "{id}: {kind} in namespace '{ns}', not one of {:?}",
                    s.namespaces
                );
            }
        }
    }
}

/// Kind, namespace and name of every object in the YAML.
fn objects_of(file: &str, yaml: &str) -> Vec<(Kind, Option<String>, String)> {
    let docs = parse_documents(file, yaml).unwrap_or_else(|e| panic!("{e}"));
    docs.into_iter()
        .map(|doc| {
            let kind = doc["kind"].as_str().and_then(Kind::from_api_kind);
            let name = doc.pointer("/metadata/name").and_then(Value::as_str);
            let (Some(kind), Some(name)) = (kind, name) else {
                panic!("{file}: an object ckasim cannot name: {doc}");
            };
            let ns = doc
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_string);
            (kind, ns, name.to_string())
        })
        .collect()
}

#[test]
fn fixtures_hold_the_setup_and_the_solution_objects() {
    let lib = library();
    for id in SCENARIOS {
        let s = &entry(&lib, id).scenario;
        let start = Snapshot::read_files(&[fixture(id, "start")]).unwrap();
        let solved = Snapshot::read_files(&[fixture(id, "solved")]).unwrap();
        for manifest in &s.setup {
            for (kind, ns, name) in objects_of(&manifest.origin, &manifest.yaml) {
                assert!(
                    start.get(kind, ns.as_deref(), &name).is_some(),
                    "{id}: start.json has no {kind} {name}"
                );
                assert!(
                    solved.get(kind, ns.as_deref(), &name).is_some(),
                    "{id}: solved.json has no {kind} {name}"
                );
            }
        }
        let answers = s
            .solution
            .as_ref()
            .and_then(|sol| sol.manifests.as_deref())
            .unwrap_or_default();
        for (kind, ns, name) in objects_of("solution", answers) {
            assert!(
                solved.get(kind, ns.as_deref(), &name).is_some(),
                "{id}: solved.json has no {kind} {name} of the solution"
            );
        }
    }
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

// ---- every value a check tests is named in its tasks' text ------------------

/// The words a candidate must have read to pass the check.
fn named_in_check(check: &Check) -> Vec<Vec<String>> {
    let mut words: Vec<Vec<String>> = Vec::new();
    let mut one = |w: &str| words.push(vec![w.to_string()]);
    let t = &check.target;
    if let Some(ns) = &t.namespace {
        one(ns);
    }
    match &t.select {
        Selection::Name(n) => one(n),
        Selection::Labels(sel) => one(&sel.text),
        Selection::PodsOf { name, .. } => one(name),
    }
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match &check.expect {
        Expectation::Field { path, matcher, .. } => {
            // Names a filter selects by, e.g. the volume in [?(@.name=="data")].
            for literal in path.as_str().split('"').skip(1).step_by(2) {
                one(literal);
            }
            let field = path
                .as_str()
                .trim_end_matches('}')
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_string();
            match matcher {
                Matcher::Equals(Value::Bool(b)) => {
                    one(&field);
                    one(&b.to_string());
                }
                Matcher::Equals(v) | Matcher::Contains(v) => one(&text(v)),
                Matcher::OneOf(vs) => words.push(vs.iter().map(text).collect()),
                Matcher::Present(_) => one(&field),
                Matcher::Matches(_) | Matcher::Range { .. } => {}
            }
        }
        Expectation::RegistryCredentials {
            server,
            username,
            password,
        } => {
            one(server);
            for v in [username, password].into_iter().flatten() {
                one(v);
            }
        }
        Expectation::PullSecret(name) => one(name),
        Expectation::SecurityContext { container, expect } => {
            for v in [expect.run_as_user, expect.run_as_group, expect.fs_group]
                .into_iter()
                .flatten()
            {
                one(&v.to_string());
            }
            for (field, v) in [
                ("runAsNonRoot", expect.run_as_non_root),
                (
                    "allowPrivilegeEscalation",
                    expect.allow_privilege_escalation,
                ),
                ("privileged", expect.privileged),
                ("readOnlyRootFilesystem", expect.read_only_root_filesystem),
            ] {
                if v.is_some() {
                    one(field);
                }
            }
            if let Some(caps) = &expect.capabilities {
                for c in caps.drop.iter().chain(&caps.add).flatten() {
                    one(c);
                }
            }
            for v in [container, &expect.container, &expect.seccomp_profile]
                .into_iter()
                .flatten()
            {
                one(v);
            }
        }
        Expectation::PodSecurity { level, .. } => one(&level.to_string()),
        Expectation::PodSecurityLabels(labels) => {
            for (k, v) in labels {
                one(&format!("pod-security.kubernetes.io/{k}"));
                one(v);
            }
        }
        Expectation::ReadyReplicas { at_least } if *at_least > 1 => one(&at_least.to_string()),
        _ => {}
    }
    words
}

#[test]
fn every_value_a_check_tests_is_named_in_its_tasks() {
    let lib = library();
    let mut missing = BTreeSet::new();
    for id in SCENARIOS {
        let e = entry(&lib, id);
        for criterion in &e.rubric.criteria {
            let tasks: Vec<_> = criterion
                .tasks
                .iter()
                .filter_map(|t| e.scenario.task(t))
                .collect();
            for lang in ["en", "zh"] {
                let text = tasks
                    .iter()
                    .flat_map(|t| [t.title.get(lang), t.body.get(lang)])
                    .collect::<Vec<_>>()
                    .join("\n");
                for check in &criterion.checks {
                    for any_of in named_in_check(check) {
                        if !any_of.iter().any(|w| text.contains(w.as_str())) {
                            missing.insert(format!(
                                "{id}/{} '{}' ({lang}): task text never names {any_of:?}",
                                criterion.id, check.title
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
