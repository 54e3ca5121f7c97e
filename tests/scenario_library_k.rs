//! What the kubeadm scenario `kubeadm-join-token` promises beyond the generic checks of
//! `scenario_library.rs`: its domain and weights, setup confined to its namespace, an untouched
//! start (kind's own `kubeadm init` token) and a token left by an earlier attempt earning
//! nothing, the ConfigMap judged against the cluster's own kubeadm-config whatever its version,
//! and the token's secret half in no report and in no redacted snapshot.
//!
//! The fixtures are `tests/fixtures/scenarios/kubeadm-join-token/{start,solved}.json`, written
//! by `generate_k.py` beside them from the scenario's setup and solution.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ckasim::kind::Kind;
use ckasim::library::scenario::Domain;
use ckasim::report::{Source, Status};
use ckasim::snapshot::Snapshot;
use library_support::library;
use serde_json::Value;
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name, grade_check, words,
};

const ID: &str = "kubeadm-join-token";
const SCENARIOS: [(&str, Domain); 1] = [(ID, Domain::ClusterArchitecture)];

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

/// The candidate's token Secret of the solved fixture and its secret half, decoded.
fn new_token(solved: &Value) -> (String, String) {
    let token = solved["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["type"] == "bootstrap.kubernetes.io/token"
                && i["metadata"]["name"] != "bootstrap-token-abcdef"
        })
        .unwrap();
    let decode = |key: &str| {
        String::from_utf8(
            STANDARD
                .decode(token["data"][key].as_str().unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    (decode("token-id"), decode("token-secret"))
}

#[test]
fn the_scenario_is_cluster_architecture_with_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespace() {
    assert_setup_in_namespaces(&library(), &SCENARIOS);
}

#[test]
fn nothing_is_left_that_reset_must_delete_and_the_notes_say_who_deletes_the_token() {
    let lib = library();
    // The token is a kube-system Secret, never the scenario's: no rubric target names one, and
    // the scenario declares no cluster-scoped object.
    assert_eq!(
        assert_owned_objects_announced(&lib, &SCENARIOS, &[Kind::Secret]),
        0
    );
    let e = lib.get(ID).unwrap();
    assert!(e.scenario.cluster_objects.is_empty());
    for (lang, cleaner, expiry) in [("en", "token cleaner", "2h"), ("zh", "令牌清理器", "2h")]
    {
        let (tasks, notes) = words(e, lang);
        for text in [&tasks, &notes] {
            assert!(
                text.contains("`ckasim reset`") && text.contains(cleaner) && text.contains(expiry),
                "{lang}: {text}"
            );
        }
    }
}

#[test]
fn the_untouched_start_names_kinds_own_token_as_too_old() {
    assert_starts_name(
        &library(),
        &[
            (
                ID,
                "a new token described 'join cka-worker3'",
                "token abcdef: no description (expected 'join cka-worker3'), created before namespace kubeadm-ops",
            ),
            (
                ID,
                "a new token with a TTL of 2h",
                "token abcdef: TTL 23h59m59s (expected TTL 2h (within 60s))",
            ),
            (ID, "podSubnet as kubeadm-config says", "not found"),
        ],
    );
}

#[test]
fn a_token_from_an_earlier_attempt_does_not_count_after_reset() {
    // reset deletes kubeadm-ops and setup creates it again; the token stays until it expires.
    let mut solved = fixture("solved");
    item(&mut solved, "Namespace", "kubeadm-ops")["metadata"]["creationTimestamp"] =
        Value::String("2026-12-07T12:00:00Z".into());
    let snapshot = snapshot_of(&solved);
    let lib = library();
    let result = grade_check(&lib, ID, "a new token with a TTL of 2h", &snapshot);
    assert_eq!(result.status, Status::Fail);
    assert!(
        result
            .actual
            .contains("created before namespace kubeadm-ops (before this attempt)"),
        "{}",
        result.actual
    );
}

#[test]
fn cluster_facts_follow_the_clusters_own_kubeadm_config() {
    let mut solved = fixture("solved");
    let config = item(&mut solved, "ConfigMap", "kubeadm-config");
    let yaml = config["data"]["ClusterConfiguration"]
        .as_str()
        .unwrap()
        .replace("kubernetesVersion: v1.32.2", "kubernetesVersion: v1.35.0");
    config["data"]["ClusterConfiguration"] = Value::String(yaml);
    let lib = library();
    let title = "kubernetesVersion as kubeadm-config says";
    let result = grade_check(&lib, ID, title, &snapshot_of(&solved));
    assert_eq!(result.status, Status::Fail);
    assert_eq!(
        result.actual,
        "kubernetesVersion 'v1.32.2' (kubeadm-config's kubernetesVersion is 'v1.35.0')"
    );
    item(&mut solved, "ConfigMap", "cluster-facts")["data"]["kubernetesVersion"] =
        Value::String("v1.35.0".into());
    let result = grade_check(&lib, ID, title, &snapshot_of(&solved));
    assert_eq!(result.status, Status::Pass, "{}", result.actual);
}

#[test]
fn the_tokens_secret_half_is_in_no_report_and_no_redacted_snapshot() {
    let solved = fixture("solved");
    let (id, secret) = new_token(&solved);
    let original = snapshot_of(&solved);
    let redacted_list = original.to_redacted_list();
    let redacted_text = redacted_list.to_string();
    for leak in [
        secret.clone(),
        STANDARD.encode(&secret),
        format!("{id}.{secret}"),
        "0123456789abcdef".to_owned(),
    ] {
        assert!(
            !redacted_text.contains(&leak),
            "{leak} in the redacted snapshot"
        );
    }
    let redacted = snapshot_of(&redacted_list);
    let lib = library();
    let entry = lib.get(ID).unwrap();
    let at = chrono::Utc::now();
    let source = Source::Snapshot { snapshot: vec![] };
    let a = ckasim::grade::grade(entry, &original, at, source.clone());
    let b = ckasim::grade::grade(entry, &redacted, at, source);
    assert_eq!(a, b);
    assert_eq!(a.score, 100);
    let report = serde_json::to_string(&a).unwrap();
    assert!(report.contains(&format!("token {id}")), "{report}");
    assert!(!report.contains(&secret), "{report}");
    assert!(!report.contains(&STANDARD.encode(&secret)), "{report}");
}
