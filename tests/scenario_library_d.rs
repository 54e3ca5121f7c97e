//! What the Services & Networking and Cluster Architecture scenarios promise beyond the generic
//! checks of `scenario_library.rs`: their domains and weights, setup confined to the scenario's
//! namespaces, every cluster-scoped object the candidate creates declared as the scenario's own
//! and announced as deleted by `reset`, and untouched starts whose grades name what the task asks
//! to change.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_d.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::scenario::Domain;
use library_support::library;
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name,
};

const SCENARIOS: [(&str, Domain); 7] = [
    ("rbac-least-privilege", Domain::ClusterArchitecture),
    ("netpol-default-deny", Domain::ServicesNetworking),
    ("svc-nodeport", Domain::ServicesNetworking),
    ("rbac-cluster-reader", Domain::ClusterArchitecture),
    ("troubleshoot-rbac-forbidden", Domain::Troubleshooting),
    ("svc-headless-statefulset", Domain::ServicesNetworking),
    ("crd-custom-object", Domain::ClusterArchitecture),
];

/// Cluster-scoped kinds whose objects a scenario's candidate creates: the scenario owns them
/// and `reset` deletes them.
const OWNED: [Kind; 3] = [
    Kind::ClusterRole,
    Kind::ClusterRoleBinding,
    Kind::CustomResourceDefinition,
];

#[test]
fn each_scenario_has_its_domain_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespaces() {
    assert_setup_in_namespaces(&library(), &SCENARIOS);
}

#[test]
fn cluster_objects_the_candidate_creates_are_declared_and_reset_deletes_them() {
    let announced = assert_owned_objects_announced(&library(), &SCENARIOS, &OWNED);
    assert_eq!(announced, 2, "the ClusterRole and CRD scenarios");
}

#[test]
fn untouched_starts_are_graded_with_what_the_task_changes() {
    let lib = library();
    assert_starts_name(
        &lib,
        &[
            (
                "rbac-least-privilege",
                "release-bot may not delete deployments in rbac-release",
                "legacy-ops",
            ),
            (
                "rbac-least-privilege",
                "release-bot may not get secrets in rbac-release",
                "legacy-ops",
            ),
        ],
    );
}
