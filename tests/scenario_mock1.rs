//! What the mock exam `cka-mock-1` promises beyond the generic checks of `scenario_library.rs`:
//! 100 points and the CKA pass mark, the add-ons its tasks need, setup confined to its eight namespaces, every cluster-scoped
//! object the candidate creates declared as its own and announced as deleted by `reset`, and an
//! untouched start whose grade names each fault the troubleshooting tasks plant.
//!
//! The fixtures are `tests/fixtures/scenarios/cka-mock-1/{start,solved}.json`, written by
//! `generate_mock1.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::addon::Addon;
use ckasim::library::scenario::Domain;
use library_support::{entry, library};
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name,
};

const SCENARIOS: [(&str, Domain); 1] = [("cka-mock-1", Domain::Troubleshooting)];

/// Cluster-scoped kinds whose objects the candidate creates: the exam owns them and `reset`
/// deletes them.
const OWNED: [Kind; 4] = [
    Kind::CustomResourceDefinition,
    Kind::ClusterRole,
    Kind::StorageClass,
    Kind::PriorityClass,
];

#[test]
fn the_mock_has_100_points_the_cka_pass_mark_and_declares_its_add_ons() {
    let lib = library();
    assert_domains_and_marks(&lib, &SCENARIOS);
    let e = entry(&lib, "cka-mock-1");
    assert!(e.scenario.mock);
    assert_eq!(e.scenario.tasks.len(), 16);
    // The Ingress, the HPA's metrics and the NetworkPolicy need them.
    assert_eq!(
        e.scenario.addons,
        [
            Addon::IngressNginx,
            Addon::MetricsServer,
            Addon::NetworkPolicy
        ]
    );
}

#[test]
fn setup_creates_objects_only_in_the_exams_namespaces() {
    assert_setup_in_namespaces(&library(), &SCENARIOS);
}

#[test]
fn cluster_objects_the_candidate_creates_are_declared_and_reset_deletes_them() {
    let announced = assert_owned_objects_announced(&library(), &SCENARIOS, &OWNED);
    assert_eq!(announced, 1);
}

#[test]
fn the_untouched_start_is_graded_with_the_planted_faults() {
    assert_starts_name(
        &library(),
        &[
            (
                "cka-mock-1",
                "the running pods of invoice-worker have not restarted",
                "CrashLoopBackOff",
            ),
            (
                "cka-mock-1",
                "ledger-api is backed by 2 ready endpoints on port 8080",
                "app=ledger-api matches no pod",
            ),
            (
                "cka-mock-1",
                "the running pod of node-probe is on cka-control-plane",
                "Pending",
            ),
            (
                "cka-mock-1",
                "app=web no longer reaches app=db on 8080/TCP",
                "db-legacy",
            ),
            (
                "cka-mock-1",
                "the running pods of report-gen are not on cka-worker",
                "1 on cka-worker",
            ),
        ],
    );
}
