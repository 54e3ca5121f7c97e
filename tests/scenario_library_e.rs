//! What the Services & Networking scenarios of the fifth batch (Ingress, Gateway API, network
//! policies, cluster DNS) promise beyond the generic checks of `scenario_library.rs`: their domain
//! and weights, the add-on each relies on, setup confined to the scenario's namespaces, no
//! cluster-scoped object of theirs (the add-ons own the ingress and gateway classes), and
//! untouched starts whose grades name what the task asks to change.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_e.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::addon::Addon;
use ckasim::library::scenario::Domain;
use library_support::library;
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name,
};

const SCENARIOS: [(&str, Domain); 4] = [
    ("ingress-path-routing", Domain::ServicesNetworking),
    ("gateway-httproute", Domain::ServicesNetworking),
    ("netpol-allow-frontend", Domain::ServicesNetworking),
    ("svc-dns-names", Domain::ServicesNetworking),
];

/// Cluster-scoped kinds these scenarios read: the add-ons install them, the candidate creates
/// none, so no scenario owns one.
const CLUSTER_SCOPED: [Kind; 2] = [Kind::IngressClass, Kind::GatewayClass];

#[test]
fn each_scenario_has_its_domain_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

/// What each scenario needs beyond a plain kind cluster: the controller that serves its
/// Ingress or Gateway, or a network plugin that enforces its policies; cluster DNS comes with
/// every cluster.
#[test]
fn each_scenario_declares_the_addon_its_grading_relies_on() {
    let lib = library();
    for (id, addons) in [
        ("ingress-path-routing", vec![Addon::IngressNginx]),
        ("gateway-httproute", vec![Addon::GatewayApi]),
        ("netpol-allow-frontend", vec![Addon::NetworkPolicy]),
        ("svc-dns-names", vec![]),
    ] {
        assert_eq!(
            library_support::entry(&lib, id).scenario.addons,
            addons,
            "{id}"
        );
    }
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespaces() {
    assert_setup_in_namespaces(&library(), &SCENARIOS);
}

#[test]
fn no_scenario_creates_a_cluster_scoped_object() {
    let announced = assert_owned_objects_announced(&library(), &SCENARIOS, &CLUSTER_SCOPED);
    assert_eq!(announced, 0, "the add-ons own the classes");
    let lib = library();
    for (id, _) in SCENARIOS {
        let e = library_support::entry(&lib, id);
        assert!(
            e.scenario.cluster_objects.is_empty(),
            "{id}: cluster_objects"
        );
    }
}

#[test]
fn untouched_starts_are_graded_with_what_the_task_changes() {
    let lib = library();
    assert_starts_name(
        &lib,
        &[
            (
                "svc-dns-names",
                "client has the DNS policy ClusterFirst",
                "Default",
            ),
            (
                "svc-dns-names",
                "nslookup of the Service catalog answers in client",
                "exit 1",
            ),
            (
                "netpol-allow-frontend",
                "the old frontend in np-app (not a team=web namespace) cannot reach app=api on 9898",
                "allowed",
            ),
            (
                "netpol-allow-frontend",
                "app=frontend in np-web reaches app=api in np-app on 9898/TCP",
                "np-web",
            ),
            (
                "gateway-httproute",
                "store.example.com/v2 reaches catalog-v2:8080 through store-gw",
                "no gateway store-gw",
            ),
            (
                "ingress-path-routing",
                "api is backed by 2 ready endpoints on port 9898",
                "service api not found",
            ),
        ],
    );
}
