//! What the mock exam `cka-mock-2` promises beyond the generic checks of `scenario_library.rs`:
//! the exam's shape (one criterion per task, worth the weight its text announces in both
//! languages, over at least six namespaces it owns, each task naming the context), setup confined
//! to its namespaces, the ClusterRole the candidate creates declared as its own and announced as
//! deleted by `reset`, and untouched starts whose grades name the fault each task starts from.
//!
//! The fixtures are `tests/fixtures/scenarios/cka-mock-2/{start,solved}.json`, written by
//! `generate_mock2.py` beside them from the exam's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::scenario::Domain;
use library_support::{entry, library};
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name,
};

const ID: &str = "cka-mock-2";
const SCENARIOS: [(&str, Domain); 1] = [(ID, Domain::Troubleshooting)];

/// The weight a task body announces on its first line (`*Weight: 6%*`, `*权重：6%*`).
fn weight(body: &str, prefix: &str) -> Option<u32> {
    body.trim_start()
        .strip_prefix(prefix)?
        .split('%')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[test]
fn the_exam_has_the_troubleshooting_domain_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

#[test]
fn each_task_is_one_criterion_worth_the_weight_its_text_announces() {
    let lib = library();
    let e = entry(&lib, ID);
    assert!(
        (15..=20).contains(&e.scenario.tasks.len()),
        "a CKA has 15 to 20 tasks, this mock {}",
        e.scenario.tasks.len()
    );
    assert_eq!(e.scenario.time_limit.as_secs(), 2 * 3600, "2 hours");
    let mut problems = Vec::new();
    for task in &e.scenario.tasks {
        let criteria: Vec<_> = e
            .rubric
            .criteria
            .iter()
            .filter(|c| c.tasks.contains(&task.id))
            .collect();
        let [criterion] = criteria.as_slice() else {
            problems.push(format!("{}: {} criteria, not one", task.id, criteria.len()));
            continue;
        };
        for (lang, prefix, context) in [
            ("en", "*Weight:", "kubectl config use-context kind-cka"),
            ("zh", "*权重：", "kubectl config use-context kind-cka"),
        ] {
            let body = task.body.get(lang);
            if weight(body, prefix) != Some(criterion.max_score()) {
                problems.push(format!(
                    "{} ({lang}): announces {:?}%, its criterion is worth {}",
                    task.id,
                    weight(body, prefix),
                    criterion.max_score()
                ));
            }
            if !body.contains(context) {
                problems.push(format!("{} ({lang}): never names the context", task.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
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
                "the Service ledger-api has 2 ready endpoints on 8080",
                "not ready",
            ),
            (ID, "calc requests 250m cpu", "200"),
            (
                ID,
                "every Secret report-gen references exists with its keys",
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
                "reporter no longer reaches web on 80",
                "reporter-egress",
            ),
            (ID, "reporter reaches kube-dns on UDP 53", "denied"),
            (
                ID,
                "the running app sees the key in GATEWAY_API_KEY",
                "exit 1",
            ),
        ],
    );
}
