//! What the Cluster Architecture scenarios of `generate_g.py` promise beyond the generic checks
//! of `scenario_library.rs`: their domain and weights, setup confined to the scenario's
//! namespaces, the `CertificateSigningRequest` and the `RuntimeClass` the candidate creates
//! declared as the scenario's own and announced as deleted by `reset`, and untouched starts
//! whose grades name what is missing.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_g.py` beside them from the scenario's own setup and solution.

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

const SCENARIOS: [(&str, Domain); 4] = [
    ("helm-install-release", Domain::ClusterArchitecture),
    ("kustomize-overlay", Domain::ClusterArchitecture),
    ("csr-user-access", Domain::ClusterArchitecture),
    ("cluster-extension-interfaces", Domain::ClusterArchitecture),
];

/// Cluster-scoped kinds whose objects a scenario's candidate creates: the scenario owns them
/// and `reset` deletes them.
const OWNED: [Kind; 2] = [Kind::CertificateSigningRequest, Kind::RuntimeClass];

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
    assert_eq!(announced, 2, "the CSR and RuntimeClass scenarios");
}

#[test]
fn untouched_starts_are_graded_with_what_is_missing() {
    assert_starts_name(
        &library(),
        &[
            (
                "helm-install-release",
                "frontend is a release of the chart podinfo at version 6.7.1",
                "no helm release frontend in helm-apps",
            ),
            ("csr-user-access", "jane may create pods in csr-dev", "no"),
            (
                "cluster-extension-interfaces",
                "runtime is the container runtime and version cka-worker reports",
                "not found",
            ),
        ],
    );
}
