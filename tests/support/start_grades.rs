//! Task texts and untouched-start grades of built-in scenarios, for the library tests.

use std::path::Path;

use ckasim::grade;
use ckasim::kind::Kind;
use ckasim::library::rubric::Selection;
use ckasim::library::scenario::Domain;
use ckasim::library::{Entry, Library};
use ckasim::report::{CheckResult, Status};
use ckasim::snapshot::Snapshot;

use super::library_support::{entry, setup_outside_namespaces};

/// The task text and the solution notes, in one language.
pub fn words(e: &Entry, lang: &str) -> (String, String) {
    let tasks = e
        .scenario
        .tasks
        .iter()
        .map(|t| t.body.get(lang))
        .collect::<Vec<_>>()
        .join("\n");
    let notes = e
        .scenario
        .solution
        .as_ref()
        .and_then(|s| s.notes.as_ref())
        .map_or_else(String::new, |n| n.get(lang).to_owned());
    (tasks, notes)
}

/// For each `(id, title, fault)`: the check titled `title` fails on the untouched start of `id`,
/// and what it found names `fault`.
pub fn assert_starts_name(lib: &Library, cases: &[(&str, &str, &str)]) {
    for &(id, title, fault) in cases {
        let found = found_on_start(lib, id, title);
        assert!(
            found.contains(fault),
            "{id}: '{title}' found '{found}', which does not name '{fault}'"
        );
    }
}

/// What the grade of the untouched start says for the check titled `title`; the check must fail.
fn found_on_start(lib: &Library, id: &str, title: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios")
        .join(id)
        .join("start.json");
    let snapshot = Snapshot::read_files(&[&path]).unwrap_or_else(|e| panic!("{e}"));
    let result = grade_check(lib, id, title, &snapshot);
    assert_eq!(result.status, Status::Fail, "{id}: '{title}'");
    result.actual
}

/// The grade of the check titled `title` of scenario `id` on `snapshot`.
pub fn grade_check(lib: &Library, id: &str, title: &str, snapshot: &Snapshot) -> CheckResult {
    let check = entry(lib, id)
        .rubric
        .criteria
        .iter()
        .flat_map(|c| &c.checks)
        .find(|k| k.title == title)
        .unwrap_or_else(|| panic!("{id}: no check '{title}'"));
    grade::evaluate(check, snapshot)
}

/// Each scenario has its domain, 100 points and the CKA pass mark of 66 %.
pub fn assert_domains_and_marks(lib: &Library, scenarios: &[(&str, Domain)]) {
    for &(id, domain) in scenarios {
        let e = entry(lib, id);
        assert_eq!(e.scenario.domain, domain, "{id}");
        assert_eq!(e.rubric.max_score(), 100, "{id}");
        assert_eq!(e.rubric.pass_percent, 66, "{id}");
    }
}

/// No scenario's setup creates an object outside the scenario's namespaces.
pub fn assert_setup_in_namespaces(lib: &Library, scenarios: &[(&str, Domain)]) {
    let outside: Vec<String> = scenarios
        .iter()
        .flat_map(|(id, _)| setup_outside_namespaces(entry(lib, id)))
        .collect();
    assert!(outside.is_empty(), "{}", outside.join("\n"));
}

/// The objects of the kinds `owned` that the rubric of `e` reads by name.
fn named_targets(e: &Entry, owned: &[Kind]) -> Vec<(Kind, String)> {
    let mut named: Vec<(Kind, String)> = e
        .rubric
        .targets()
        .filter(|t| owned.contains(&t.kind))
        .filter_map(|t| match &t.select {
            Selection::Name(n) => Some((t.kind, n.clone())),
            _ => None,
        })
        .collect();
    named.sort();
    named.dedup();
    named
}

/// Every object of the kinds `owned` that a scenario's rubric reads by name is one of the
/// `cluster_objects` it declares, and its task text and solution notes name it and say, in both
/// languages, that `ckasim reset` deletes it. Returns how many scenarios create such objects.
pub fn assert_owned_objects_announced(
    lib: &Library,
    scenarios: &[(&str, Domain)],
    owned: &[Kind],
) -> usize {
    let mut announced = 0;
    for &(id, _) in scenarios {
        let e = entry(lib, id);
        let named = named_targets(e, owned);
        if named.is_empty() {
            continue;
        }
        announced += 1;
        let mut declared: Vec<(Kind, String)> = e
            .scenario
            .cluster_objects
            .iter()
            .map(|o| (o.kind(), o.name.clone()))
            .collect();
        declared.sort();
        assert_eq!(declared, named, "{id}: cluster_objects");
        for (lang, deletes) in [("en", "deletes"), ("zh", "删除")] {
            let (tasks, notes) = words(e, lang);
            for (text, what) in [(&tasks, "task text"), (&notes, "solution notes")] {
                assert!(
                    text.contains("`ckasim reset`") && text.contains(deletes),
                    "{id}: the {lang} {what} do not say that `ckasim reset` {deletes} {named:?}"
                );
                for (kind, name) in &named {
                    assert!(
                        text.contains(&format!("`{name}`")),
                        "{id}: the {lang} {what} do not name the {kind} `{name}` reset deletes"
                    );
                }
            }
        }
    }
    announced
}

/// What the candidate must find out (`secret`: a faulty value, an answer) is never said by the
/// task text or hints seen during the exam, in either language, and the solution notes shown
/// after grading explain it.
#[allow(dead_code, reason = "only the troubleshooting batches hide a fault")]
pub fn assert_found_not_told(lib: &Library, cases: &[(&str, &str)]) {
    for &(id, secret) in cases {
        let e = entry(lib, id);
        for lang in ["en", "zh"] {
            let (tasks, notes) = words(e, lang);
            let hints: Vec<&str> = e
                .scenario
                .tasks
                .iter()
                .flat_map(|t| t.hints.iter().map(|h| h.get(lang)))
                .collect();
            assert!(
                !tasks.contains(secret) && hints.iter().all(|h| !h.contains(secret)),
                "{id}: the {lang} task text or hints give away '{secret}'"
            );
            assert!(
                notes.contains(secret),
                "{id}: the {lang} notes never explain '{secret}'"
            );
        }
    }
}

/// The snapshot `file` (`start.json`, `solved.json`) of scenario `id`'s fixtures.
#[allow(dead_code, reason = "not every batch edits its fixtures")]
pub fn fixture(id: &str, file: &str) -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios")
        .join(id)
        .join(file);
    Snapshot::read_files(&[&path]).unwrap_or_else(|e| panic!("{e}"))
}

/// `snapshot` with the object of `kind` `namespace/name` changed by `change`.
#[allow(dead_code, reason = "not every batch edits its fixtures")]
pub fn edited(
    mut snapshot: Snapshot,
    kind: Kind,
    namespace: Option<&str>,
    name: &str,
    change: impl FnOnce(&mut serde_json::Value),
) -> Snapshot {
    let mut value = snapshot
        .get(kind, namespace, name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
        .value
        .clone();
    change(&mut value);
    snapshot.insert(value).unwrap_or_else(|e| panic!("{e}"));
    snapshot
}

/// The status of the check titled `title` of scenario `id` on `snapshot`, and what it found.
#[allow(dead_code, reason = "not every batch edits its fixtures")]
pub fn status(lib: &Library, id: &str, title: &str, snapshot: &Snapshot) -> (Status, String) {
    let r = grade_check(lib, id, title, snapshot);
    (r.status, r.actual)
}
