//! What the storage, workloads & scheduling and troubleshooting scenarios promise beyond the
//! generic checks of `scenario_library.rs`: their domains and weights, setup confined to the
//! scenario's namespaces, the cluster-scoped objects the candidate creates declared as the
//! scenario's own (which `reset` deletes), every change to nodes (which `reset` cannot undo)
//! announced with its undo, and untouched starts whose grades name the fault the task describes.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_c.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::Entry;
use ckasim::library::scenario::Domain;
use library_support::{entry, library};
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name, words,
};

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

/// Cluster-scoped kinds whose objects a scenario's candidate creates: the scenario owns them
/// and `reset` deletes them.
const OWNED: [Kind; 3] = [
    Kind::PersistentVolume,
    Kind::StorageClass,
    Kind::PriorityClass,
];

/// Nodes belong to no scenario: `reset` leaves their labels, taints and cordons as they are.
const NOT_RESET: [Kind; 1] = [Kind::Node];

/// The kinds among `not_reset` that the rubric of `e` reads.
fn kinds_reset_leaves(e: &Entry, not_reset: &[Kind]) -> Vec<Kind> {
    e.rubric
        .targets()
        .map(|t| t.kind)
        .filter(|k| not_reset.contains(k))
        .collect()
}

#[test]
fn each_scenario_has_its_domain_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespaces() {
    assert_setup_in_namespaces(&library(), &SCENARIOS);
}

#[test]
fn changes_reset_leaves_are_announced_with_their_undo_in_both_languages() {
    let lib = library();
    let mut announced = 0;
    for (id, _) in SCENARIOS {
        let e = entry(&lib, id);
        let touches = kinds_reset_leaves(e, &NOT_RESET);
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
    assert_eq!(announced, 2, "the node scenarios");
}

#[test]
fn cluster_objects_the_candidate_creates_are_declared_and_reset_deletes_them() {
    let announced = assert_owned_objects_announced(&library(), &SCENARIOS, &OWNED);
    assert_eq!(
        announced, 3,
        "the PV, StorageClass and PriorityClass scenarios"
    );
}

#[test]
fn what_reset_leaves_or_removes_of_the_storage_scenarios_is_announced_in_both_languages() {
    let lib = library();
    for (id, lang, left) in [
        // The default annotation taken from `standard`, which no scenario owns.
        (
            "storage-default-class",
            "en",
            "`kubectl annotate storageclass standard ",
        ),
        (
            "storage-default-class",
            "zh",
            "`kubectl annotate storageclass standard ",
        ),
        // The provisioned volume is not left: reset switches it to `Delete` first.
        (
            "storage-default-class",
            "en",
            "switches the reclaim policy of the volume provisioned for `cache`",
        ),
        (
            "storage-default-class",
            "zh",
            "把为 `cache` 供应的卷（即从 `st-class` 声明的任何卷）的回收策略改为 `delete`",
        ),
        // The hostPath directory on the node, which reset removes.
        (
            "storage-static-pv",
            "en",
            "reset removes the directory `/mnt/app-data`",
        ),
        (
            "storage-static-pv",
            "zh",
            "重置还会从每个节点上删除目录 `/mnt/app-data`",
        ),
    ] {
        let (tasks, notes) = words(entry(&lib, id), lang);
        let all = format!("{tasks}\n{notes}").to_lowercase();
        assert!(
            all.contains(left),
            "{id}: the {lang} text does not say what reset leaves: '{left}'"
        );
    }
    // Which reset can, since the scenario declares it.
    assert_eq!(
        entry(&lib, "storage-static-pv").scenario.node_paths,
        ["/mnt/app-data"]
    );
}

#[test]
fn untouched_starts_are_graded_with_the_fault_the_task_describes() {
    let lib = library();
    assert_starts_name(
        &lib,
        &[
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
                "only DaemonSet and mirror pods are left on cka-worker",
                "1 pod(s) still on it: ts-drain/ledger-",
            ),
            (
                "workloads-node-placement",
                "the running pods of analytics are all on cka-worker2",
                "1 on cka-worker, 1 on cka-worker2",
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
        ],
    );
}
