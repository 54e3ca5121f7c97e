//! The mock exams (`mock = true`) are shaped like the real CKA: 15–20
//! weighted tasks in 2 hours, pass mark 66 %, each task's weight stated in its
//! text and graded by one criterion of that many points, tasks in several
//! namespaces, no task text shared with another mock. A mock of the whole CKA
//! (tasks in all five domains) weighs the domains as the curriculum does,
//! within 5 points.

#[path = "support/library.rs"]
#[allow(dead_code, reason = "shared with the other library tests")]
mod library_support;

use ckasim::library::Entry;
use ckasim::library::scenario::Domain;
use library_support::library;

/// The CKA curriculum's weights (v1.35), in percent.
const CURRICULUM: [(Domain, u32); 5] = [
    (Domain::Troubleshooting, 30),
    (Domain::ClusterArchitecture, 25),
    (Domain::ServicesNetworking, 20),
    (Domain::WorkloadsScheduling, 15),
    (Domain::Storage, 10),
];

fn mocks(lib: &ckasim::library::Library) -> Vec<&Entry> {
    lib.entries().iter().filter(|e| e.scenario.mock).collect()
}

fn whole_cka(e: &Entry) -> bool {
    Domain::ALL
        .iter()
        .all(|d| e.scenario.tasks.iter().any(|t| t.domain == *d))
}

#[test]
fn every_mock_has_the_exam_format() {
    let lib = library();
    let mocks = mocks(&lib);
    assert!(!mocks.is_empty(), "no mock exam in the library");
    for e in mocks {
        let (s, r) = (&e.scenario, &e.rubric);
        let id = &s.id;
        assert!(
            (15..=20).contains(&s.tasks.len()),
            "{id}: {} tasks, the exam has 15–20",
            s.tasks.len()
        );
        assert_eq!(s.time_limit.as_secs(), 2 * 3600, "{id}: 2 hours");
        assert_eq!(r.pass_percent, 66, "{id}: pass mark");
        assert_eq!(r.max_score(), 100, "{id}: weights add up to 100");
        assert!(
            s.namespaces.len() >= 4,
            "{id}: tasks in several namespaces, found {:?}",
            s.namespaces
        );
        for t in &s.tasks {
            let criteria: Vec<_> = r
                .criteria
                .iter()
                .filter(|c| c.tasks.contains(&t.id))
                .collect();
            assert_eq!(
                criteria.len(),
                1,
                "{id}/{}: one criterion grades each task",
                t.id
            );
            let weight = criteria[0].max_score();
            assert!(
                t.body.en.contains(&format!("*Weight: {weight}%*")),
                "{id}/{}: the text states the weight {weight}%",
                t.id
            );
            assert!(
                t.body.get("zh").contains(&format!("*权重：{weight}%*")),
                "{id}/{}: the Chinese text states the weight {weight}%",
                t.id
            );
            assert!(
                t.body.en.contains("kind-cka") && t.body.get("zh").contains("kind-cka"),
                "{id}/{}: the task names the context to use, in both languages",
                t.id
            );
        }
    }
}

#[test]
fn a_mock_of_the_whole_cka_weighs_the_domains_as_the_curriculum() {
    let lib = library();
    for e in mocks(&lib).into_iter().filter(|e| whole_cka(e)) {
        let points = e.domain_points();
        for (domain, weight) in CURRICULUM {
            let got = points
                .iter()
                .find(|(d, _)| *d == domain)
                .map_or(0, |(_, p)| *p);
            assert!(
                got.abs_diff(weight) <= 5,
                "{}: {} has {got} points, the curriculum {weight} (±5): {points:?}",
                e.scenario.id,
                domain.code()
            );
        }
    }
}

#[test]
fn no_two_mocks_share_a_task_text() {
    let lib = library();
    let mocks = mocks(&lib);
    for (i, a) in mocks.iter().enumerate() {
        for b in &mocks[i + 1..] {
            for ta in &a.scenario.tasks {
                for tb in &b.scenario.tasks {
                    assert_ne!(
                        ta.body.en.trim(),
                        tb.body.en.trim(),
                        "{}/{} and {}/{} share their text",
                        a.scenario.id,
                        ta.id,
                        b.scenario.id,
                        tb.id
                    );
                }
            }
        }
    }
}
