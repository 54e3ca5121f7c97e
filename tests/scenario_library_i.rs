//! What the scenarios of `generate_i.py` promise beyond the generic checks of
//! `scenario_library.rs`: pod connectivity behind a multi-port Service, an Ingress with TLS, and
//! an egress `NetworkPolicy` that keeps a Deployment from being ready. Their domain and weights,
//! the add-on each relies on, setup confined to their namespaces, untouched starts whose grades
//! name what the task changes, starts broken exactly as the task says, no Secret value in a
//! fixture, and wrong answers that a candidate would try scoring below the pass mark.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_i.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use std::path::{Path, PathBuf};

use ckasim::kind::Kind;
use ckasim::library::addon::Addon;
use ckasim::library::scenario::Domain;
use ckasim::report::Source;
use ckasim::snapshot::Snapshot;
use library_support::library;
use serde_json::{Value, json};
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name,
};

const SCENARIOS: [(&str, Domain); 3] = [
    ("svc-pod-connectivity", Domain::ServicesNetworking),
    ("ingress-tls", Domain::ServicesNetworking),
    ("troubleshoot-netpol-blocked", Domain::Troubleshooting),
];

fn fixture(id: &str, stage: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios")
        .join(id)
        .join(format!("{stage}.json"))
}

/// The items of a fixture, as JSON.
fn items(id: &str, stage: &str) -> Vec<Value> {
    let path = fixture(id, stage);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc["items"].as_array().cloned().unwrap_or_default()
}

/// The score of scenario `id` on these objects.
fn score(id: &str, objects: Vec<Value>) -> u32 {
    let mut snapshot = Snapshot::default();
    for o in objects {
        snapshot.insert(o).unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    let lib = library();
    let report = ckasim::grade::grade(
        library_support::entry(&lib, id),
        &snapshot,
        chrono::Utc::now(),
        Source::Snapshot { snapshot: vec![] },
    );
    report.score
}

fn named<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

#[test]
fn each_scenario_has_its_domain_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

/// Pod-to-pod and Service traffic needs nothing beyond kind; the Ingress needs its controller,
/// and the policies a network plugin that enforces them.
#[test]
fn each_scenario_declares_the_addon_its_grading_relies_on() {
    let lib = library();
    for (id, addons) in [
        ("svc-pod-connectivity", vec![]),
        ("ingress-tls", vec![Addon::IngressNginx]),
        ("troubleshoot-netpol-blocked", vec![Addon::NetworkPolicy]),
    ] {
        assert_eq!(
            library_support::entry(&lib, id).scenario.addons,
            addons,
            "{id}"
        );
    }
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespaces_and_nothing_cluster_scoped() {
    let lib = library();
    assert_setup_in_namespaces(&lib, &SCENARIOS);
    // The Ingress reads ingress-nginx's IngressClass, which the add-on owns.
    let announced = assert_owned_objects_announced(&lib, &SCENARIOS, &[Kind::IngressClass]);
    assert_eq!(announced, 0);
    for (id, _) in SCENARIOS {
        let e = library_support::entry(&lib, id);
        assert!(
            e.scenario.cluster_objects.is_empty(),
            "{id}: cluster_objects"
        );
        assert!(e.scenario.node_paths.is_empty(), "{id}: node_paths");
    }
}

#[test]
fn untouched_starts_are_graded_with_what_the_task_changes() {
    assert_starts_name(
        &library(),
        &[
            (
                "svc-pod-connectivity",
                "client reaches web by its DNS name on port 80",
                "bad address 'web.conn-lab.svc.cluster.local'",
            ),
            (
                "svc-pod-connectivity",
                "client saved web-2's answer, fetched by pod IP, in /tmp/web-2.json",
                "No such file or directory",
            ),
            (
                "ingress-tls",
                "secure-web-tls has the type kubernetes.io/tls (so it holds tls.crt and tls.key)",
                "not found",
            ),
            (
                "troubleshoot-netpol-blocked",
                "app=orders reaches k8s-app=kube-dns in kube-system on 53/UDP",
                "denied",
            ),
            (
                "troubleshoot-netpol-blocked",
                "app=orders cannot reach web on 8080",
                "allowed by tshoot-netpol/orders-egress egress[0]",
            ),
            (
                "troubleshoot-netpol-blocked",
                "orders has 2 ready replicas",
                "0 of 2 ready",
            ),
        ],
    );
}

/// The pods the candidate connects sit on different nodes, so the pod-IP request crosses nodes.
#[test]
fn connectivity_crosses_nodes() {
    let start = items("svc-pod-connectivity", "start");
    let node = |name: &str| named(&start, "Pod", name)["spec"]["nodeName"].clone();
    assert_eq!(node("web-1"), json!("cka-worker"));
    assert_eq!(node("web-2"), json!("cka-worker2"));
    assert_eq!(node("client"), json!("cka-worker"));
    for pod in ["web-1", "web-2", "client"] {
        assert!(
            ready(named(&start, "Pod", pod)),
            "{pod} is ready at the start"
        );
    }
}

/// A Service on the container port's number works, but the task asks for the name; a request
/// through the Service does not count as reaching web-2 by its IP.
#[test]
fn numbered_target_ports_and_service_answers_lose_their_checks() {
    let id = "svc-pod-connectivity";
    let mut numbered = items(id, "solved");
    for o in &mut numbered {
        if o["kind"] == "Service" && o["metadata"]["name"] == "web" {
            o["spec"]["ports"][0]["targetPort"] = json!(8080);
        }
    }
    assert_eq!(score(id, numbered), 95);
    let mut through_service = items(id, "solved");
    for o in &mut through_service {
        if o["kind"] == "Observation" && o["command"] == json!(["cat", "/tmp/web-2.json"]) {
            o["stdout"] = json!(o["stdout"].as_str().unwrap_or("").replace("web-2", "web-1"));
        }
    }
    assert_eq!(score(id, through_service), 85);
}

/// The TLS Secret is in the fixture only as digests, as `ckasim snapshot` writes it, and grades
/// all the same; no private key appears anywhere in the scenario.
#[test]
fn the_tls_secret_holds_no_value_in_clear() {
    let solved = items("ingress-tls", "solved");
    let secret = named(&solved, "Secret", "secure-web-tls");
    assert_eq!(secret["type"], "kubernetes.io/tls");
    assert_eq!(
        secret["metadata"]["annotations"]["ckasim.io/redacted"],
        "sha256"
    );
    let data = secret["data"].as_object().expect("data");
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["tls.crt", "tls.key"]);
    for (k, v) in data {
        assert!(
            v.as_str().is_some_and(|s| s.starts_with("sha256:")),
            "{k}: {v}"
        );
    }
    let scenario = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ingress-tls.toml"),
    )
    .expect("scenario file");
    assert!(!scenario.contains("PRIVATE KEY"));
    assert_eq!(score("ingress-tls", solved), 100);
}

/// Only the pods of `orders` are broken at the start, and only by the egress policy: every
/// other pod is ready, and both policies the task names are there.
#[test]
fn the_troubleshooting_start_is_broken_only_as_the_task_says() {
    let start = items("troubleshoot-netpol-blocked", "start");
    for pod in start.iter().filter(|o| o["kind"] == "Pod") {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let orders = pod["metadata"]["labels"]["app"] == "orders";
        assert_eq!(ready(pod), !orders, "{name}");
        if orders {
            let status = &pod["status"]["containerStatuses"][0];
            assert!(status["state"]["running"].is_object(), "{name} runs");
            assert_eq!(status["restartCount"], 0, "{name} is not restarted");
        }
    }
    for policy in ["default-deny-egress", "orders-egress"] {
        named(&start, "NetworkPolicy", policy);
    }
}

/// What opens too much earns the connectivity and the readiness, never the pass mark: deleting
/// the policies, allowing all egress of `orders`, or adding the right rules beside the old one.
#[test]
fn opening_too_much_does_not_pass() {
    let id = "troubleshoot-netpol-blocked";
    let solved = items(id, "solved");
    let without_policies: Vec<Value> = solved
        .iter()
        .filter(|o| o["kind"] != "NetworkPolicy")
        .cloned()
        .collect();
    assert_eq!(score(id, without_policies), 60);

    let with_rule = |rule: Value| -> Vec<Value> {
        let mut objects = solved.clone();
        for o in &mut objects {
            if o["kind"] == "NetworkPolicy"
                && o["metadata"]["name"] == "orders-egress"
                && let Some(rules) = o["spec"]["egress"].as_array_mut()
            {
                rules.push(rule.clone());
            }
        }
        objects
    };
    assert_eq!(score(id, with_rule(json!({}))), 60, "all egress allowed");
    let old_rule =
        json!({"to": [{"podSelector": {}}], "ports": [{"protocol": "TCP", "port": 8080}]});
    assert_eq!(score(id, with_rule(old_rule)), 60, "the 8080 rule kept");
    assert_eq!(score(id, solved), 100);
}
