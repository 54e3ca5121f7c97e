//! What the storage, workloads & scheduling and troubleshooting scenarios promise beyond the
//! generic checks of `scenario_library.rs`: their domains and weights, setup confined to the
//! scenario's namespaces, every change that `reset` cannot undo (nodes, cluster-scoped objects)
//! announced with its undo, and untouched starts whose grades name the fault the task describes.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_c.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;

use std::path::Path;

use ckasim::grade;
use ckasim::kind::Kind;
use ckasim::library::scenario::Domain;
use ckasim::library::{Entry, Library};
use ckasim::report::Status;
use ckasim::snapshot::Snapshot;
use library_support::{entry, library, setup_outside_namespaces};

const SCENARIOS: [(&str, Domain); 10] = [
    ("storage-static-pv", Domain::Storage),
    ("storage-default-class", Domain::Storage),
    ("workloads-rollout-undo", Domain::WorkloadsScheduling),
    ("workloads-node-placement", Domain::WorkloadsScheduling),
    ("workloads-hpa", Domain::WorkloadsScheduling),
    ("workloads-priority-class", Domain::WorkloadsScheduling),
    ("troubleshoot-readiness-probe", Domain::Troubleshooting),
    ("troubleshoot-service-endpoints", Domain::Troubleshooting),
    ("troubleshoot-configmap-key", Domain::Troubleshooting),
    ("troubleshoot-node-drain", Domain::Troubleshooting),
];

/// Kinds a scenario may change without owning them: `reset` leaves them as they are.
const NOT_RESET: [Kind; 4] = [
    Kind::Node,
    Kind::PersistentVolume,
    Kind::StorageClass,
    Kind::PriorityClass,
];

#[test]
fn each_scenario_has_its_domain_100_points_and_the_cka_pass_mark() {
    let lib = library();
    for (id, domain) in SCENARIOS {
        let e = entry(&lib, id);
        assert_eq!(e.scenario.domain, domain, "{id}");
        assert_eq!(e.rubric.max_score(), 100, "{id}");
        assert_eq!(e.rubric.pass_percent, 66, "{id}");
    }
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespaces() {
    let lib = library();
    let outside: Vec<String> = SCENARIOS
        .iter()
        .flat_map(|(id, _)| setup_outside_namespaces(entry(&lib, id)))
        .collect();
    assert!(outside.is_empty(), "{}", outside.join("\n"));
}

/// The task text and the solution notes, in one language.
fn words(e: &Entry, lang: &str) -> (String, String) {
    let tasks = e
        .scenario
        .tasks
        .iter()
        .map(|t| t.body.get(lang))
        .collect::<Vec<_>>()
        .join("\n");
    let notes = e
        .scenario
        .solution
        .as_ref()
        .and_then(|s| s.notes.as_ref())
        .map_or_else(String::new, |n| n.get(lang).to_owned());
    (tasks, notes)
}

#[test]
fn changes_reset_leaves_are_announced_with_their_undo_in_both_languages() {
    let lib = library();
    let mut announced = 0;
    for (id, _) in SCENARIOS {
        let e = entry(&lib, id);
        let touches: Vec<Kind> = e
            .rubric
            .targets()
            .map(|t| t.kind)
            .filter(|k| NOT_RESET.contains(k))
            .collect();
        if touches.is_empty() {
            continue;
        }
        announced += 1;
        for (lang, reset) in [("en", "reset"), ("zh", "重置")] {
            let (tasks, notes) = words(e, lang);
            let (tasks, notes) = (tasks.to_lowercase(), notes.to_lowercase());
            assert!(
                tasks.contains(reset) && tasks.contains("`kubectl "),
                "{id}: the {lang} task text changes {touches:?} but does not say that {reset} leaves them, with the kubectl command that undoes them"
            );
            assert!(
                notes.contains(reset),
                "{id}: the {lang} solution notes do not say what {reset} leaves"
            );
        }
    }
    assert_eq!(
        announced, 5,
        "the node, PV, StorageClass and PriorityClass scenarios"
    );
}

/// What the grade of the untouched start says for the check titled `title`.
fn found_on_start(lib: &Library, id: &str, title: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios")
        .join(id)
        .join("start.json");
    let snapshot = Snapshot::read_files(&[&path]).unwrap_or_else(|e| panic!("{e}"));
    let check = entry(lib, id)
        .rubric
        .criteria
        .iter()
        .flat_map(|c| &c.checks)
        .find(|k| k.title == title)
        .unwrap_or_else(|| panic!("{id}: no check '{title}'"));
    let result = grade::evaluate(check, &snapshot);
    assert_eq!(result.status, Status::Fail, "{id}: '{title}'");
    result.actual
}

#[test]
fn untouched_starts_are_graded_with_the_fault_the_task_describes() {
    let lib = library();
    for (id, title, fault) in [
        (
            "troubleshoot-readiness-probe",
            "2 pods of api are ready",
            "0 of 2 pods ready",
        ),
        (
            "troubleshoot-configmap-key",
            "the running pods of reporter mount reporter-config as the volume config",
            "CrashLoopBackOff",
        ),
        (
            "troubleshoot-service-endpoints",
            "catalog is backed by 2 ready endpoints on port 80",
            "selector app=catalog-api matches no pod",
        ),
        (
            "troubleshoot-node-drain",
            "only DaemonSet and mirror pods are left on kind-cka-worker",
            "1 pod(s) still on it: ts-drain/ledger-",
        ),
        (
            "workloads-node-placement",
            "the running pods of analytics are all on kind-cka-worker2",
            "1 on kind-cka-worker, 1 on kind-cka-worker2",
        ),
        (
            "storage-default-class",
            "fast-local is the default StorageClass and standard is not",
            "standard",
        ),
        (
            "workloads-priority-class",
            "the running pods of nightly-batch have the priority 100000",
            ": 0",
        ),
    ] {
        let found = found_on_start(&lib, id, title);
        assert!(
            found.contains(fault),
            "{id}: '{title}' found '{found}', which does not name '{fault}'"
        );
    }
}
