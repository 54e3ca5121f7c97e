//! The built-in scenario library graded against its snapshots.
//!
//! For every directory `tests/fixtures/scenarios/<id>/` with `start.json` (the untouched start)
//! and `solved.json` (the state after the reference solution), both shaped like
//! `kubectl get -o json` output:
//! - the reference solution earns every check; a check that needs running pods (`running = true`,
//!   `ready_replicas`) may only be skipped when the snapshot reports no pod status at all;
//! - the untouched start earns nothing: a check that passes there is a rubric bug;
//! - the setup manifests are in `start.json` and the solution manifests in `solved.json`, so the
//!   snapshots show what the scenario really applies.
//!
//! Every built-in scenario also needs Chinese task text, and its task text must name what its
//! rubric checks.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use ckasim::grade;
use ckasim::kind::Kind;
use ckasim::library::rubric::{Check, Expectation, Matcher, Selection};
use ckasim::library::{Entry, Library};
use ckasim::report::Status;
use ckasim::snapshot::Snapshot;
use serde_json::Value;

fn library() -> Library {
    match Library::builtin() {
        Ok(library) => library,
        Err(errors) => panic!(
            "the built-in library does not load:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios")
}

/// `(scenario id, directory)` of every fixture directory, sorted.
fn fixture_dirs() -> Vec<(String, PathBuf)> {
    let root = fixtures_root();
    let mut dirs: Vec<(String, PathBuf)> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
                .path()
        })
        .filter(|path| path.is_dir())
        .filter_map(|path| {
            let id = path.file_name()?.to_string_lossy().into_owned();
            Some((id, path))
        })
        .collect();
    dirs.sort();
    dirs
}

fn snapshot(dir: &Path, file: &str) -> Snapshot {
    let path = dir.join(file);
    Snapshot::read_files(&[&path]).unwrap_or_else(|e| panic!("{e}"))
}

fn entry<'a>(library: &'a Library, id: &str) -> &'a Entry {
    library
        .get(id)
        .unwrap_or_else(|| panic!("tests/fixtures/scenarios/{id}: no built-in scenario '{id}'"))
}

/// Whether a check can only pass while pods actually run.
fn needs_running_pods(check: &Check) -> bool {
    check.target.as_ref().is_some_and(|t| t.running)
        || matches!(check.expect, Expectation::ReadyReplicas { .. })
}

/// Whether any pod in the snapshot carries a kubelet-reported status.
fn reports_pod_status(snapshot: &Snapshot) -> bool {
    snapshot
        .objects()
        .iter()
        .any(|o| o.kind == Kind::Pod && o.value.pointer("/status/phase").is_some())
}

/// Every check of the rubric, graded: `(criterion id, check, result)`.
fn grade_checks<'a>(
    entry: &'a Entry,
    snapshot: &Snapshot,
) -> Vec<(&'a str, &'a Check, ckasim::report::CheckResult)> {
    entry
        .rubric
        .criteria
        .iter()
        .flat_map(|c| {
            c.checks
                .iter()
                .map(move |k| (c.id.as_str(), k, grade::evaluate(k, snapshot)))
        })
        .collect()
}

#[test]
fn the_builtin_library_loads_clean_with_domains_and_difficulty() {
    let library = library();
    assert!(
        library.entries().len() >= 9,
        "expected the drills and secure-workspace, found {:?}",
        library.ids()
    );
    for e in library.entries() {
        assert!(
            e.rubric.max_score() > 0,
            "{}: the rubric has no points",
            e.scenario.id
        );
        assert_eq!(
            e.rubric.pass_percent, 66,
            "{}: the CKA pass mark is 66%",
            e.scenario.id
        );
    }
}

#[test]
fn every_task_has_chinese_title_and_body() {
    let mut missing = Vec::new();
    for e in library().entries() {
        for task in &e.scenario.tasks {
            for (what, text) in [("title", &task.title), ("body", &task.body)] {
                let zh = text.translations.get("zh").map_or("", |s| s.trim());
                if zh.is_empty() {
                    missing.push(format!(
                        "{} task '{}': no zh {what}",
                        e.scenario.file, task.id
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_fixture_directory_is_a_builtin_scenario_with_both_snapshots() {
    let library = library();
    let dirs = fixture_dirs();
    assert!(
        !dirs.is_empty(),
        "no fixtures under {}",
        fixtures_root().display()
    );
    for (id, dir) in &dirs {
        entry(&library, id);
        for file in ["start.json", "solved.json"] {
            assert!(
                dir.join(file).is_file(),
                "{}: missing {file}",
                dir.display()
            );
        }
    }
}

#[test]
fn reference_solutions_earn_every_check() {
    let library = library();
    let mut failures = Vec::new();
    let mut graded = 0;
    for (id, dir) in fixture_dirs() {
        let entry = entry(&library, &id);
        let solved = snapshot(&dir, "solved.json");
        let pods_report_status = reports_pod_status(&solved);
        for (criterion, check, result) in grade_checks(entry, &solved) {
            graded += 1;
            if result.status == Status::Pass {
                continue;
            }
            if needs_running_pods(check) && !pods_report_status {
                println!(
                    "{id}/{criterion}: skipped '{}': solved.json reports no pod status",
                    check.title
                );
                continue;
            }
            failures.push(format!(
                "{id}/{criterion}: '{}' is {:?}\n    expected: {}\n       found: {}",
                check.title, result.status, result.expected, result.actual
            ));
        }
    }
    assert!(graded > 0, "no checks graded");
    assert!(
        failures.is_empty(),
        "reference solutions that miss points:\n{}",
        failures.join("\n")
    );
}

#[test]
fn untouched_starts_earn_nothing() {
    let library = library();
    let mut failures = Vec::new();
    for (id, dir) in fixture_dirs() {
        let entry = entry(&library, &id);
        let start = snapshot(&dir, "start.json");
        for (criterion, check, result) in grade_checks(entry, &start) {
            if result.status != Status::Fail || result.points != 0 {
                failures.push(format!(
                    "{id}/{criterion}: '{}' is {:?} on the untouched start ({})",
                    check.title, result.status, result.actual
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "checks that do not fail on the start state (rubric bugs):\n{}",
        failures.join("\n")
    );
}

// ---- manifests versus snapshots ---------------------------------------------

/// The objects of a YAML text with one or more documents.
fn documents(origin: &str, yaml: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(yaml)
        .unwrap_or_else(|e| panic!("{origin}: not YAML: {e}"))
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

/// Secrets written with `stringData` are stored base64-encoded in `data`.
fn as_stored(mut manifest: Value) -> Value {
    let Some(object) = manifest.as_object_mut() else {
        return manifest;
    };
    let Some(Value::Object(plain)) = object.remove("stringData") else {
        return manifest;
    };
    let data = object
        .entry("data")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Value::Object(data) = data {
        for (k, v) in plain {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(v.as_str().unwrap_or_default());
            data.insert(k, Value::String(encoded));
        }
    }
    manifest
}

/// Where `stored` lacks or contradicts what `written` says. Lists may grow at the end (the
/// server appends the token mount, tolerations, …); quantities may come back as strings.
fn differences(written: &Value, stored: &Value, at: &str, out: &mut Vec<String>) {
    match (written, stored) {
        (Value::Object(w), Value::Object(s)) => {
            for (k, v) in w {
                match s.get(k) {
                    Some(sv) => differences(v, sv, &format!("{at}.{k}"), out),
                    None => out.push(format!("{at}.{k} is missing")),
                }
            }
        }
        (Value::Array(w), Value::Array(s)) => {
            if s.len() < w.len() {
                out.push(format!(
                    "{at} has {} items, the manifest {}",
                    s.len(),
                    w.len()
                ));
            }
            for (i, (wv, sv)) in w.iter().zip(s).enumerate() {
                differences(wv, sv, &format!("{at}[{i}]"), out);
            }
        }
        (Value::Number(w), Value::String(s)) if w.to_string() == *s => {}
        (w, s) if w == s => {}
        (Value::Number(w), Value::Number(s)) if w.as_f64() == s.as_f64() => {}
        (w, s) => out.push(format!("{at} is {s}, the manifest says {w}")),
    }
}

/// Checks that every object of `yaml` is in `snapshot` as written (plus defaults).
fn manifests_in_snapshot(
    entry: &Entry,
    origin: &str,
    yaml: &str,
    snapshot: &Snapshot,
    file: &str,
    failures: &mut Vec<String>,
) {
    for manifest in documents(origin, yaml) {
        let kind_name = manifest["kind"].as_str().unwrap_or_default().to_string();
        let Some(kind) = Kind::from_api_kind(&kind_name) else {
            continue;
        };
        let name = manifest
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{origin}: a {kind_name} without a name"));
        let namespace = kind.namespaced().then(|| {
            manifest
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or(&entry.scenario.namespaces[0])
                .to_string()
        });
        let Some(stored) = snapshot.get(kind, namespace.as_deref(), name) else {
            failures.push(format!("{origin}: {kind_name} {name} is not in {file}"));
            continue;
        };
        let mut out = Vec::new();
        differences(&as_stored(manifest.clone()), &stored.value, "", &mut out);
        for d in out {
            failures.push(format!("{origin}: {kind_name} {name} in {file}: {d}"));
        }
    }
}

#[test]
fn setup_and_solution_manifests_are_what_the_snapshots_hold() {
    let library = library();
    let mut failures = Vec::new();
    for (id, dir) in fixture_dirs() {
        let entry = entry(&library, &id);
        let start_file = format!("{id}/start.json");
        let start = snapshot(&dir, "start.json");
        for setup in &entry.scenario.setup {
            manifests_in_snapshot(
                entry,
                &setup.origin,
                &setup.yaml,
                &start,
                &start_file,
                &mut failures,
            );
        }
        if let Some(yaml) = entry
            .scenario
            .solution
            .as_ref()
            .and_then(|s| s.manifests.as_ref())
        {
            let solved = snapshot(&dir, "solved.json");
            let origin = format!("{} [solution]", entry.scenario.file);
            manifests_in_snapshot(
                entry,
                &origin,
                yaml,
                &solved,
                &format!("{id}/solved.json"),
                &mut failures,
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- task text versus rubric --------------------------------------------------

fn literal(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        _ => {}
    }
}

/// The names and values a check looks for, each of which its task text must spell out. The
/// namespace is left out: a scenario states it once for all its tasks.
fn named_by(check: &Check) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match check.target.as_ref().map(|t| &t.select) {
        Some(Selection::Name(name) | Selection::PodsOf { name, .. }) => {
            out.insert(name.clone());
        }
        Some(Selection::Labels(_)) | None => {}
    }
    match &check.expect {
        Expectation::Field { path, matcher, .. } => {
            let text = path.as_str();
            // Literals in filters: `[?(@.name=="data")]` names the volume `data`.
            for quoted in text.split(['"', '\'']).skip(1).step_by(2) {
                out.insert(quoted.to_string());
            }
            let field_name = || {
                text.trim_matches(['{', '}'])
                    .rsplit('.')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            };
            match matcher {
                // "Leave X unset" can only be said by naming X; a boolean can be asked in words
                // ("disable token automount").
                Matcher::Present(_) => {
                    out.insert(field_name());
                }
                Matcher::Equals(v) | Matcher::Contains(v) => literal(v, &mut out),
                // The first is the value the task names; the others are
                // equivalent spellings accepted in the candidate's favour
                // (`docker.io/library/nginx:…` for `nginx:…`).
                Matcher::OneOf(vs) => vs.iter().take(1).for_each(|v| literal(v, &mut out)),
                Matcher::Matches(_) | Matcher::Range { .. } => {}
            }
        }
        Expectation::RegistryCredentials {
            server,
            username,
            password,
        } => {
            out.insert(server.clone());
            out.extend(username.iter().cloned());
            out.extend(password.iter().cloned());
        }
        Expectation::PullSecret(name) => {
            out.insert(name.clone());
        }
        Expectation::SecurityContext { container, expect } => {
            out.extend(container.iter().cloned());
            for id in [expect.run_as_user, expect.run_as_group, expect.fs_group]
                .into_iter()
                .flatten()
            {
                out.insert(id.to_string());
            }
            out.extend(expect.seccomp_profile.iter().cloned());
            if let Some(caps) = &expect.capabilities {
                out.extend(caps.drop.iter().flatten().cloned());
                out.extend(caps.add.iter().flatten().cloned());
            }
        }
        Expectation::Probe {
            container, probe, ..
        } => {
            out.extend(container.iter().cloned());
            out.insert(probe.to_string());
        }
        Expectation::Resources {
            container,
            requests,
            limits,
        } => {
            out.extend(container.iter().cloned());
            out.extend(requests.iter().cloned());
            out.extend(limits.iter().cloned());
        }
        Expectation::Evaluated(check) => out.extend(check.named_values()),
        Expectation::Exists(_)
        | Expectation::ReadyReplicas { .. }
        | Expectation::TokenMounted(_) => {}
    }
    out
}

#[test]
fn task_text_names_every_object_and_value_its_rubric_checks() {
    let mut unnamed = Vec::new();
    for e in library().entries() {
        for lang in ["en", "zh"] {
            let all = e.scenario.tasks.iter().fold(String::new(), |mut acc, t| {
                let _ = writeln!(acc, "{}\n{}", t.title.get(lang), t.body.get(lang));
                acc
            });
            let namespaces: BTreeSet<&String> = e
                .rubric
                .targets()
                .filter_map(|t| t.namespace.as_ref())
                .collect();
            for ns in namespaces {
                if !all.contains(ns.as_str()) {
                    unnamed.push(format!(
                        "{}: the {lang} task text never names the namespace '{ns}' its rubric checks",
                        e.scenario.file
                    ));
                }
            }
        }
        for criterion in &e.rubric.criteria {
            let tasks: Vec<_> = criterion
                .tasks
                .iter()
                .filter_map(|t| e.scenario.task(t))
                .collect();
            for lang in ["en", "zh"] {
                let text = tasks.iter().fold(String::new(), |mut acc, t| {
                    let _ = write!(acc, "{}\n{}\n", t.title.get(lang), t.body.get(lang));
                    acc
                });
                for check in &criterion.checks {
                    for word in named_by(check) {
                        if !text.contains(&word) {
                            unnamed.push(format!(
                                "{} criterion '{}', check '{}': the {lang} text of task(s) {:?} never says '{word}'",
                                e.rubric.file, criterion.id, check.title, criterion.tasks
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(unnamed.is_empty(), "{}", unnamed.join("\n"));
}
