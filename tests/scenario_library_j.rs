//! What the troubleshooting scenarios of `generate_j.py` promise beyond the generic checks of
//! `scenario_library.rs`: their domain and weights, setup confined to the scenario's namespaces,
//! untouched starts that are broken as the task says (an OOM-killed crash loop whose pods stay in
//! phase Running; a Service name that does not resolve from the caller's namespace) and whose
//! grades name the fault, memory graded as quantities, restarts judged by the container's current
//! state rather than its restart history, and every name of the Service that resolves from
//! another namespace accepted, no other.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_j.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::scenario::Domain;
use ckasim::report::Status;
use ckasim::snapshot::Snapshot;
use library_support::{entry, library};
use serde_json::json;
use start_grades::{
    assert_domains_and_marks, assert_found_not_told, assert_owned_objects_announced,
    assert_setup_in_namespaces, assert_starts_name, edited, fixture, status,
};

const OOM: &str = "troubleshoot-oom-killed";
const DNS: &str = "troubleshoot-dns-service-name";

const SCENARIOS: [(&str, Domain); 2] = [
    (OOM, Domain::Troubleshooting),
    (DNS, Domain::Troubleshooting),
];

/// The names of the pods of `namespace` whose name starts with `prefix`.
fn pod_names(snapshot: &Snapshot, namespace: &str, prefix: &str) -> Vec<String> {
    snapshot
        .list(Kind::Pod, Some(namespace))
        .filter(|p| p.name.starts_with(prefix))
        .map(|p| p.name.clone())
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
fn the_start_is_an_oom_killed_crash_loop_in_phase_running() {
    let start = fixture(OOM, "start.json");
    let pods = pod_names(&start, "tshoot-oom", "report-cache-");
    assert_eq!(pods.len(), 2, "{pods:?}");
    for name in pods {
        let pod = &start
            .get(Kind::Pod, Some("tshoot-oom"), &name)
            .unwrap_or_else(|| panic!("no pod {name}"))
            .value;
        let cache = &pod["status"]["containerStatuses"][0];
        assert_eq!(pod["status"]["phase"], "Running", "{name}");
        assert_eq!(
            cache["lastState"]["terminated"]["reason"], "OOMKilled",
            "{name}"
        );
        assert_eq!(cache["lastState"]["terminated"]["exitCode"], 137, "{name}");
        assert_eq!(cache["state"]["waiting"]["reason"], "CrashLoopBackOff");
        assert!(cache["restartCount"].as_u64() > Some(0), "{name}");
    }
}

#[test]
fn untouched_starts_are_graded_with_the_fault_the_task_describes() {
    assert_starts_name(
        &library(),
        &[
            (
                OOM,
                "the template of report-cache limits cache to 192Mi of memory",
                "64Mi",
            ),
            (
                OOM,
                "the running pods of report-cache have the 192Mi memory limit",
                "CrashLoopBackOff",
            ),
            (
                OOM,
                "the logs of report-cache's pods show the cache loaded",
                "report-cache: loading the reports into memory",
            ),
            (
                DNS,
                "the logs of storefront's pods show the connection to inventory",
                "storefront: cannot reach inventory at inventory:8080",
            ),
            (
                DNS,
                "the template of storefront sets INVENTORY_HOST to inventory's name in tshoot-data",
                "inventory",
            ),
            // The name resolves from anywhere; the pods that would run the lookup are not Ready.
            (
                DNS,
                "nslookup of inventory.tshoot-data.svc.cluster.local answers in storefront's pods",
                "not ready",
            ),
        ],
    );
}

#[test]
fn memory_is_graded_as_a_quantity() {
    let lib = library();
    let limit = "the template of report-cache limits cache to 192Mi of memory";
    let request = "the template of report-cache requests 128Mi of memory for cache";
    let sized = |limit: &str, request: &str| {
        let (limit, request) = (limit.to_owned(), request.to_owned());
        edited(
            fixture(OOM, "solved.json"),
            Kind::Deployment,
            Some("tshoot-oom"),
            "report-cache",
            move |d| {
                let resources = &mut d["spec"]["template"]["spec"]["containers"][0]["resources"];
                resources["limits"]["memory"] = json!(limit);
                resources["requests"]["memory"] = json!(request);
            },
        )
    };
    // The same amounts written otherwise.
    let same = sized("0.1875Gi", "134217728");
    assert_eq!(status(&lib, OOM, limit, &same).0, Status::Pass);
    assert_eq!(status(&lib, OOM, request, &same).0, Status::Pass);
    // More than asked is not what the team measured.
    let more = sized("256Mi", "192Mi");
    assert_eq!(status(&lib, OOM, limit, &more).0, Status::Fail);
    assert_eq!(status(&lib, OOM, request, &more).0, Status::Fail);
}

#[test]
fn restarts_are_judged_by_the_current_state_not_the_restart_history() {
    let lib = library();
    let title = "the container cache of every current pod of report-cache is running, not waiting to restart";
    let solved = fixture(OOM, "solved.json");
    let pod = pod_names(&solved, "tshoot-oom", "report-cache-")
        .into_iter()
        .next()
        .unwrap_or_default();
    // Restarted before, running now: the restarts have stopped.
    let recovered = edited(solved.clone(), Kind::Pod, Some("tshoot-oom"), &pod, |p| {
        let cache = &mut p["status"]["containerStatuses"][0];
        cache["restartCount"] = json!(4);
        cache["lastState"] = json!({ "terminated": {
            "exitCode": 137, "reason": "OOMKilled",
            "startedAt": "2026-12-08T09:05:08Z", "finishedAt": "2026-12-08T09:05:09Z" } });
    });
    assert_eq!(status(&lib, OOM, title, &recovered).0, Status::Pass);
    // One current pod waiting to be restarted fails it, whatever its count.
    let looping = edited(solved, Kind::Pod, Some("tshoot-oom"), &pod, |p| {
        p["status"]["containerStatuses"][0]["state"] = json!({ "waiting": {
            "reason": "CrashLoopBackOff", "message": "back-off 10s restarting failed container" } });
    });
    assert_eq!(status(&lib, OOM, title, &looping).0, Status::Fail);
}

#[test]
fn every_name_of_inventory_that_resolves_from_tshoot_web_is_accepted() {
    let lib = library();
    let title = "the template of storefront sets INVENTORY_HOST to inventory's name in tshoot-data";
    let with_host = |host: &str| {
        let host = host.to_owned();
        edited(
            fixture(DNS, "solved.json"),
            Kind::Deployment,
            Some("tshoot-web"),
            "storefront",
            move |d| {
                d["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = json!(host);
            },
        )
    };
    for host in [
        "inventory.tshoot-data",
        "inventory.tshoot-data.svc",
        "inventory.tshoot-data.svc.cluster.local",
        "inventory.tshoot-data.svc.cluster.local.",
    ] {
        assert_eq!(
            status(&lib, DNS, title, &with_host(host)).0,
            Status::Pass,
            "{host}"
        );
    }
    // The short name, the caller's own namespace, another domain: none reaches inventory.
    for host in [
        "inventory",
        "inventory.tshoot-web.svc.cluster.local",
        "inventory.tshoot-data.example.com",
        "inventory.svc.cluster.local",
    ] {
        assert_eq!(
            status(&lib, DNS, title, &with_host(host)).0,
            Status::Fail,
            "{host}"
        );
    }
}

/// What the candidate must find out, which the task text and hints (seen during the exam) never
/// say, in either language.
const FOUND_NOT_TOLD: [(&str, &str); 3] = [(OOM, "OOMKilled"), (OOM, "137"), (DNS, "bad address")];

#[test]
fn the_task_text_leaves_the_fault_to_be_found() {
    assert_found_not_told(&library(), &FOUND_NOT_TOLD);
}

#[test]
fn no_add_on_and_nothing_cluster_wide() {
    let lib = library();
    // The candidate creates no cluster-scoped object: nothing for reset to own.
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
        let e = entry(&lib, id);
        assert!(e.scenario.addons.is_empty(), "{id}");
        assert!(e.scenario.cluster_objects.is_empty(), "{id}");
        assert!(e.scenario.node_paths.is_empty(), "{id}");
    }
}
