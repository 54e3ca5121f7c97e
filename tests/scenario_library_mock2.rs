//! What the mock exam `cka-mock-2` promises beyond the generic checks of `scenario_library.rs`
//! and `scenario_mocks.rs`: each domain worth exactly its curriculum weight, the add-ons its
//! tasks need, tasks over at least six namespaces it owns, setup confined to its namespaces, the
//! ClusterRole the candidate creates declared as its own and announced as deleted by `reset`, and
//! untouched starts whose grades name the fault each task starts from.
//!
//! The fixtures are `tests/fixtures/scenarios/cka-mock-2/{start,solved}.json`, written by
//! `generate_mock2.py` beside them from the exam's own setup and solution.

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

const ID: &str = "cka-mock-2";
const SCENARIOS: [(&str, Domain); 1] = [(ID, Domain::Troubleshooting)];

#[test]
fn the_exam_has_the_troubleshooting_domain_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

#[test]
fn the_domains_weigh_exactly_what_the_curriculum_gives_them_and_the_addons_are_declared() {
    let lib = library();
    let e = entry(&lib, ID);
    assert!(e.scenario.mock, "{ID} is a mock exam");
    let mut points = e.domain_points();
    points.sort();
    let mut want = vec![
        (Domain::Troubleshooting, 30),
        (Domain::ClusterArchitecture, 25),
        (Domain::ServicesNetworking, 20),
        (Domain::WorkloadsScheduling, 15),
        (Domain::Storage, 10),
    ];
    want.sort();
    assert_eq!(points, want);
    // The Gateway task needs a controller for the class eg; the egress task a plugin that
    // enforces NetworkPolicies.
    assert_eq!(
        e.scenario.addons,
        vec![Addon::GatewayApi, Addon::NetworkPolicy]
    );
}

#[test]
fn tasks_spread_over_at_least_six_namespaces_the_exam_owns() {
    let lib = library();
    let e = entry(&lib, ID);
    let mut used: Vec<&str> = e
        .scenario
        .tasks
        .iter()
        .filter_map(|t| t.body.get("en").split('`').nth(1))
        .collect();
    used.sort_unstable();
    used.dedup();
    assert!(used.len() >= 6, "namespaces of the tasks: {used:?}");
    for ns in used {
        assert!(
            ns.starts_with("m2-") && e.scenario.namespaces.iter().any(|n| n == ns),
            "{ns}: not an m2- namespace of the exam"
        );
    }
}

#[test]
fn setup_creates_objects_only_in_the_exams_namespaces() {
    assert_setup_in_namespaces(&library(), &SCENARIOS);
}

#[test]
fn the_clusterrole_the_candidate_creates_is_declared_and_reset_deletes_it() {
    let announced = assert_owned_objects_announced(&library(), &SCENARIOS, &[Kind::ClusterRole]);
    assert_eq!(announced, 1, "m2-deployment-manager");
}

#[test]
fn untouched_start_grades_name_the_fault_each_task_starts_from() {
    assert_starts_name(
        &library(),
        &[
            (ID, "the readiness probe of api checks port 8080", "8081"),
            (
                ID,
                "the Service fee-api has 2 ready endpoints on 8080",
                "not ready",
            ),
            (ID, "calc requests 250m cpu", "200"),
            (
                ID,
                "every Secret invoice-gen references exists with its keys",
                "report-creds",
            ),
            (
                ID,
                "report reads rg-7f3a9c from /etc/report/api-token",
                "ContainerCreating",
            ),
            (
                ID,
                "the worker logs that it consumes from orders-v2",
                "PAYMENT_QUEUE is not set",
            ),
            (ID, "dana may not get secrets in m2-apps", "dana-legacy"),
            (
                ID,
                "usage-reporter no longer reaches admin-web on 80",
                "reporter-egress",
            ),
            (ID, "usage-reporter reaches kube-dns on UDP 53", "denied"),
            (
                ID,
                "the running app sees the key in GATEWAY_API_KEY",
                "exit 1",
            ),
        ],
    );
}
