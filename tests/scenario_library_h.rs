//! What the troubleshooting scenarios of `generate_h.py` promise beyond the generic checks of
//! `scenario_library.rs`: their domain and weights, setup confined to the scenario's namespaces,
//! untouched starts whose grades name the fault the candidate must find (the crashed instance's
//! last words, the scheduler's verdict, the scheduler the pods wait for), and answers graded
//! against what the cluster itself says rather than a value fixed in the rubric: the top CPU
//! consumer's pod by its Deployment, the scheduler's node and the API server's version of
//! whatever kind release runs.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_h.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::addon::Addon;
use ckasim::library::scenario::Domain;
use ckasim::report::Status;
use ckasim::snapshot::Snapshot;
use library_support::{entry, library};
use serde_json::Value;
use start_grades::{
    assert_domains_and_marks, assert_found_not_told, assert_owned_objects_announced,
    assert_setup_in_namespaces, assert_starts_name, edited, fixture, status, words,
};

const SCENARIOS: [(&str, Domain); 4] = [
    ("troubleshoot-crashloop-logs", Domain::Troubleshooting),
    ("troubleshoot-pending-resources", Domain::Troubleshooting),
    ("troubleshoot-top-pods", Domain::Troubleshooting),
    ("troubleshoot-control-plane", Domain::Troubleshooting),
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
fn untouched_starts_are_graded_with_the_fault_the_task_describes() {
    assert_starts_name(
        &library(),
        &[
            // Only the crashed instance says why; the grade quotes it.
            (
                "troubleshoot-crashloop-logs",
                "the logs of ledger's pods show it ready in readwrite mode",
                "FATAL: LEDGER_MODE 'read-write' is not a valid mode",
            ),
            (
                "troubleshoot-crashloop-logs",
                "the template of ledger sets LEDGER_MODE to readwrite",
                "read-write",
            ),
            (
                "troubleshoot-pending-resources",
                "the template of batch-api selects the node cka-worker2 by host name",
                "cka-worker-2",
            ),
            (
                "troubleshoot-pending-resources",
                "the container api of batch-api requests 250m CPU",
                "250",
            ),
            (
                "troubleshoot-control-plane",
                "the template of reports asks for default-scheduler",
                "batch-scheduler",
            ),
        ],
    );
}

#[test]
fn the_top_consumer_is_any_pod_of_its_deployment_and_no_other() {
    let lib = library();
    let id = "troubleshoot-top-pods";
    let title = "top-report's pod is a pod of feed-blue";
    let solved = fixture(id, "solved.json");
    // The limit rolls out a new pod: the one reported before it still counts.
    let reported = solved
        .get(Kind::ConfigMap, Some("tshoot-top"), "top-report")
        .and_then(|cm| cm.value.pointer("/data/pod"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    assert!(
        solved
            .list(Kind::Pod, Some("tshoot-top"))
            .all(|p| p.name != reported),
        "the reported pod {reported} should be gone after the rollout"
    );
    assert_eq!(status(&lib, id, title, &solved).0, Status::Pass);
    let idle = solved
        .list(Kind::Pod, Some("tshoot-top"))
        .find(|p| p.name.starts_with("feed-amber-"))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let wrong = edited(
        solved,
        Kind::ConfigMap,
        Some("tshoot-top"),
        "top-report",
        |cm| {
            cm["data"]["pod"] = Value::String(idle);
        },
    );
    assert_eq!(status(&lib, id, title, &wrong).0, Status::Fail);
}

#[test]
fn the_cluster_report_is_graded_against_the_cluster_it_runs_on() {
    let lib = library();
    let id = "troubleshoot-control-plane";
    let version = "the control plane runs the version cluster-report's apiserver-version names";
    let node = "kube-scheduler runs on the node cluster-report's scheduler-node names";
    let solved = fixture(id, "solved.json");
    for title in [version, node] {
        assert_eq!(status(&lib, id, title, &solved).0, Status::Pass, "{title}");
    }

    // Another kind release: the same answer is now wrong, the cluster's own is right.
    let newer = |s: Snapshot| {
        edited(s, Kind::Node, None, "cka-control-plane", |n| {
            n["status"]["nodeInfo"]["kubeletVersion"] = Value::String("v1.34.0".into());
        })
    };
    let (stale, found) = status(&lib, id, version, &newer(solved.clone()));
    assert_eq!(stale, Status::Fail);
    assert!(found.contains("v1.34.0"), "{found}");
    let answered = edited(
        newer(solved.clone()),
        Kind::ConfigMap,
        Some("tshoot-sched"),
        "cluster-report",
        |cm| cm["data"]["apiserver-version"] = Value::String("v1.34.0".into()),
    );
    assert_eq!(status(&lib, id, version, &answered).0, Status::Pass);

    // Nodes named otherwise (kind names them after the cluster): the cluster's own name counts.
    let scheduler = solved
        .list(Kind::Pod, Some("kube-system"))
        .find(|p| p.name.starts_with("kube-scheduler-"))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let renamed = edited(
        edited(
            solved.clone(),
            Kind::Pod,
            Some("kube-system"),
            &scheduler,
            |p| p["spec"]["nodeName"] = Value::String("cka-control-plane".into()),
        ),
        Kind::ConfigMap,
        Some("tshoot-sched"),
        "cluster-report",
        |cm| cm["data"]["scheduler-node"] = Value::String("cka-control-plane".into()),
    );
    assert_eq!(status(&lib, id, node, &renamed).0, Status::Pass);

    // A worker's name is not where the scheduler runs.
    let worker = edited(
        solved,
        Kind::ConfigMap,
        Some("tshoot-sched"),
        "cluster-report",
        |cm| cm["data"]["scheduler-node"] = Value::String("cka-worker".into()),
    );
    assert_eq!(status(&lib, id, node, &worker).0, Status::Fail);
}

/// What the candidate must find out, which the task text and hints (seen during the exam) never
/// say, in either language: the faulty value, or the answer the report is graded against.
const FOUND_NOT_TOLD: [(&str, &str); 4] = [
    ("troubleshoot-crashloop-logs", "read-write"),
    ("troubleshoot-pending-resources", "cka-worker-2"),
    ("troubleshoot-control-plane", "batch-scheduler"),
    ("troubleshoot-control-plane", "cka-control-plane"),
];

#[test]
fn the_task_text_leaves_the_fault_and_the_answer_to_be_found() {
    assert_found_not_told(&library(), &FOUND_NOT_TOLD);
}

#[test]
fn the_metrics_task_declares_metrics_server_and_nothing_cluster_wide_is_created() {
    let lib = library();
    for lang in ["en", "zh"] {
        let (tasks, _) = words(entry(&lib, "troubleshoot-top-pods"), lang);
        assert!(tasks.contains("metrics-server"), "{lang}: {tasks}");
    }
    // kubectl top needs metrics-server, which a plain kind cluster lacks; the others need nothing.
    for (id, _) in SCENARIOS {
        let wanted: &[Addon] = if id == "troubleshoot-top-pods" {
            &[Addon::MetricsServer]
        } else {
            &[]
        };
        assert_eq!(entry(&lib, id).scenario.addons, wanted, "{id}");
    }
    // The candidate creates no cluster-scoped object in any of them: nothing for reset to own.
    let created = [
        Kind::ClusterRole,
        Kind::ClusterRoleBinding,
        Kind::PriorityClass,
        Kind::StorageClass,
        Kind::PersistentVolume,
    ];
    assert_eq!(
        assert_owned_objects_announced(&lib, &SCENARIOS, &created),
        0
    );
    for (id, _) in SCENARIOS {
        assert!(entry(&lib, id).scenario.cluster_objects.is_empty(), "{id}");
    }
}
