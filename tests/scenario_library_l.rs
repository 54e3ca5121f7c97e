//! What the `LoadBalancer` scenario `svc-loadbalancer` promises beyond the generic checks of
//! `scenario_library.rs`: its domain, weights and add-on, setup confined to its namespace, the
//! fixture's Service shaped as the API server and cloud-provider-kind leave it, the address
//! graded by reference (any address the load balancer gives, never a fixed one), a cluster
//! without the add-on still passing on the Service alone, and each mistake a candidate makes
//! costing only its own checks.
//!
//! The fixtures are `tests/fixtures/scenarios/svc-loadbalancer/{start,solved}.json`, written by
//! `generate_l.py` beside them from the scenario's setup and solution.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use std::path::PathBuf;

use ckasim::kind::Kind;
use ckasim::library::Library;
use ckasim::library::addon::Addon;
use ckasim::library::scenario::Domain;
use ckasim::report::{Source, Status};
use ckasim::snapshot::Snapshot;
use library_support::{entry, library};
use serde_json::{Value, json};
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name, status, words,
};

const ID: &str = "svc-loadbalancer";
const SCENARIOS: [(&str, Domain); 1] = [(ID, Domain::ServicesNetworking)];

const ADDRESS_ASSIGNED: &str =
    "the load balancer gave checkout-lb an external address (needs the load-balancer add-on)";
const ADDRESS_RECORDED: &str = "lb-info: external-ip is the external address of checkout-lb";
const ADDRESS_WRITTEN: &str = "lb-info: external-ip is written as an IPv4 address";
const POLICY: &str = "checkout-lb keeps client source IPs (externalTrafficPolicy Local)";
const HEALTH_CHECK: &str = "checkout-lb has a health-check node port allocated";
const NODE_PORT: &str = "the port 80 of checkout-lb has a node port allocated";
const NAMED_PORT: &str = "the port 80 of checkout-lb targets the container port app-http by name";
const ENDPOINTS: &str = "checkout-lb is backed by 2 ready endpoints on port 8080";

fn fixture(stage: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios")
        .join(ID)
        .join(format!("{stage}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn snapshot_of(list: &Value) -> Snapshot {
    let mut s = Snapshot::default();
    for item in list["items"].as_array().unwrap() {
        s.insert(item.clone()).unwrap();
    }
    s
}

fn item<'a>(list: &'a mut Value, kind: &str, name: &str) -> &'a mut Value {
    list["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["kind"] == kind && i["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn score(lib: &Library, list: &Value) -> u32 {
    let source = Source::Snapshot { snapshot: vec![] };
    ckasim::grade::grade(
        entry(lib, ID),
        &snapshot_of(list),
        chrono::Utc::now(),
        source,
    )
    .score
}

#[test]
fn the_scenario_is_services_networking_with_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespace_and_nothing_cluster_scoped() {
    let lib = library();
    assert_setup_in_namespaces(&lib, &SCENARIOS);
    let e = entry(&lib, ID);
    assert!(e.scenario.cluster_objects.is_empty());
    // The rubric reads no cluster-scoped object by name: nothing for reset to delete.
    assert_eq!(
        assert_owned_objects_announced(&lib, &SCENARIOS, &[Kind::Namespace, Kind::Node]),
        0
    );
    assert_eq!(e.scenario.namespaces, vec!["svc-lb".to_owned()]);
}

/// The address comes from a controller outside kind; `list`, `doctor` and the picker say so.
#[test]
fn the_scenario_declares_the_load_balancer_addon() {
    assert_eq!(
        entry(&library(), ID).scenario.addons,
        vec![Addon::LoadBalancer]
    );
}

#[test]
fn the_untouched_start_has_no_service_and_no_answer() {
    assert_starts_name(
        &library(),
        &[
            (ID, POLICY, "not found"),
            (ID, ADDRESS_ASSIGNED, "not found"),
            (ID, ADDRESS_RECORDED, "not found"),
        ],
    );
}

/// What the generator models: the API server's additions to a `LoadBalancer` Service with the
/// Local policy, and cloud-provider-kind's finalizer and address.
#[test]
fn the_solved_service_is_what_the_api_server_and_cloud_provider_kind_leave() {
    let mut solved = fixture("solved");
    let svc = item(&mut solved, "Service", "checkout-lb").clone();
    let spec = &svc["spec"];
    assert_eq!(spec["allocateLoadBalancerNodePorts"], true);
    assert_eq!(spec["ipFamilies"], json!(["IPv4"]));
    assert!(spec["clusterIP"].as_str().unwrap().starts_with("10.96."));
    let node_port = spec["ports"][0]["nodePort"].as_u64().unwrap();
    let health = spec["healthCheckNodePort"].as_u64().unwrap();
    for port in [node_port, health] {
        assert!((30000..=32767).contains(&port), "{port}");
    }
    assert_ne!(node_port, health);
    assert_eq!(
        svc["metadata"]["finalizers"],
        json!(["service.kubernetes.io/load-balancer-cleanup"])
    );
    assert_eq!(
        svc["status"]["loadBalancer"]["ingress"],
        json!([{ "ip": "172.18.0.5", "ipMode": "Proxy" }])
    );
}

/// Whatever address the load balancer hands out, the answer that copies it earns the points,
/// and one that does not (with a port, the cluster IP) earns none, saying what it compared.
#[test]
fn the_recorded_address_is_judged_against_the_services_own() {
    let lib = library();
    let mut other = fixture("solved");
    item(&mut other, "Service", "checkout-lb")["status"]["loadBalancer"]["ingress"][0]["ip"] =
        json!("172.18.0.9");
    item(&mut other, "ConfigMap", "lb-info")["data"]["external-ip"] = json!("172.18.0.9");
    assert_eq!(score(&lib, &other), 100);

    for wrong in ["172.18.0.5:80", "10.96.198.234", "172.18.0.5"] {
        let mut answer = other.clone();
        item(&mut answer, "ConfigMap", "lb-info")["data"]["external-ip"] = json!(wrong);
        let (st, found) = status(&lib, ID, ADDRESS_RECORDED, &snapshot_of(&answer));
        assert_eq!(st, Status::Fail, "{wrong}");
        assert!(found.contains(wrong), "{wrong}: {found}");
    }
}

/// Without cloud-provider-kind the Service stays `<pending>`: the address and the answer are
/// lost (not errors: the add-on line of the picker says why), the Service alone still passes.
#[test]
fn without_the_addon_the_service_alone_passes() {
    let lib = library();
    let mut pending = fixture("solved");
    let svc = item(&mut pending, "Service", "checkout-lb");
    svc["status"] = json!({ "loadBalancer": {} });
    svc["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("finalizers");
    item(&mut pending, "ConfigMap", "lb-info")["data"]["external-ip"] = json!("<pending>");
    let snapshot = snapshot_of(&pending);
    for title in [ADDRESS_ASSIGNED, ADDRESS_RECORDED, ADDRESS_WRITTEN] {
        assert_eq!(
            status(&lib, ID, title, &snapshot).0,
            Status::Fail,
            "{title}"
        );
    }
    assert_eq!(score(&lib, &pending), 70);
}

/// The default policy (Cluster) loses the policy and the health-check port the API server
/// allocates only for Local; a numeric target port loses only the named-port check.
#[test]
fn each_mistake_costs_only_its_own_checks() {
    let lib = library();
    let mut cluster = fixture("solved");
    let spec = &mut item(&mut cluster, "Service", "checkout-lb")["spec"];
    spec["externalTrafficPolicy"] = json!("Cluster");
    spec.as_object_mut().unwrap().remove("healthCheckNodePort");
    let snapshot = snapshot_of(&cluster);
    for title in [POLICY, HEALTH_CHECK] {
        assert_eq!(
            status(&lib, ID, title, &snapshot).0,
            Status::Fail,
            "{title}"
        );
    }
    assert_eq!(status(&lib, ID, NODE_PORT, &snapshot).0, Status::Pass);
    assert_eq!(score(&lib, &cluster), 80);

    let mut numeric = fixture("solved");
    item(&mut numeric, "Service", "checkout-lb")["spec"]["ports"][0]["targetPort"] = json!(8080);
    let snapshot = snapshot_of(&numeric);
    assert_eq!(status(&lib, ID, NAMED_PORT, &snapshot).0, Status::Fail);
    assert_eq!(status(&lib, ID, ENDPOINTS, &snapshot).0, Status::Pass);
    assert_eq!(score(&lib, &numeric), 90);
}

/// The notes explain what Local costs and what the health-check node port is for.
#[test]
fn the_notes_explain_the_local_policy_and_its_health_check_port() {
    let lib = library();
    let e = entry(&lib, ID);
    for (lang, words_wanted) in [
        (
            "en",
            [
                "healthCheckNodePort",
                "only to ready pods on that same node",
                "source IP",
            ],
        ),
        (
            "zh",
            ["healthCheckNodePort", "同一节点上的就绪 Pod", "源 IP"],
        ),
    ] {
        let (_, notes) = words(e, lang);
        for w in words_wanted {
            assert!(notes.contains(w), "{lang}: the notes never say '{w}'");
        }
    }
}
