//! The built-in rubrics' observation checks on the captures of a real
//! cluster (`../shared/fixtures/real/<scenario>/solved.json`), each graded
//! together with what its pods' commands printed there
//! (`tests/fixtures/real-observations/<scenario>.json`, built from the
//! captures' READMEs): every observation check passes, and without the
//! records none can pass; with them, each reference answer earns full marks.

use std::path::{Path, PathBuf};

use ckasim::evaluator::Live;
use ckasim::library::rubric::Expectation;
use ckasim::library::{Entry, Library};
use ckasim::report::{Report, Source, Status};
use ckasim::snapshot::Snapshot;

fn records_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-observations")
}

fn capture(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/real")
        .join(id)
        .join("solved.json")
}

fn grade(entry: &Entry, files: &[PathBuf]) -> Report {
    let snapshot = Snapshot::read_files(files).unwrap_or_else(|e| panic!("{e}"));
    ckasim::grade::grade(
        entry,
        &snapshot,
        chrono::DateTime::UNIX_EPOCH,
        Source::Snapshot {
            snapshot: files.iter().map(|f| f.display().to_string()).collect(),
        },
    )
}

/// `criterion / title` → (status, what was found) of every observation check.
fn observation_results(entry: &Entry, report: &Report) -> Vec<(String, Status, String)> {
    entry
        .rubric
        .criteria
        .iter()
        .zip(&report.criteria)
        .flat_map(|(c, r)| c.checks.iter().zip(&r.checks).map(move |(k, x)| (c, k, x)))
        .filter(
            |(_, k, _)| matches!(&k.expect, Expectation::Evaluated(c) if c.live() == Live::Pods),
        )
        .map(|(c, _, x)| {
            (
                format!("{} / {}", c.id, x.title),
                x.status,
                x.actual.clone(),
            )
        })
        .collect()
}

#[test]
fn every_observation_check_passes_on_the_real_captures_with_their_records() {
    let lib = Library::builtin().unwrap_or_else(|e| panic!("{e:?}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(records_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 9, "{files:?}");
    let mut checked = 0;
    for records in files {
        let id = records
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let entry = lib
            .get(&id)
            .unwrap_or_else(|| panic!("{id}: not a built-in scenario"));
        let report = grade(entry, &[capture(&id), records.clone()]);
        let results = observation_results(entry, &report);
        assert!(!results.is_empty(), "{id}: no observation check");
        for (check, status, actual) in &results {
            assert_eq!(*status, Status::Pass, "{id}: {check}: {actual}");
        }
        checked += results.len();
        // And the reference answer, as it ran, earns every point.
        assert_eq!(report.score, report.max_score, "{id}: {report:#?}");
        // The capture alone (a kubectl snapshot) cannot say what runs.
        let alone = grade(entry, &[capture(&id)]);
        for (check, status, actual) in observation_results(entry, &alone) {
            assert_ne!(
                status,
                Status::Pass,
                "{id}: {check} passed without records: {actual}"
            );
        }
        println!(
            "{id}: {} observation checks pass, {}/{}",
            results.len(),
            report.score,
            report.max_score
        );
    }
    assert!(checked >= 18, "{checked}");
}

#[test]
fn the_secure_workspace_answer_says_what_each_pod_showed() {
    let lib = Library::builtin().unwrap_or_else(|e| panic!("{e:?}"));
    let entry = lib
        .get("secure-workspace")
        .unwrap_or_else(|| panic!("secure-workspace"));
    let report = grade(
        entry,
        &[
            capture("secure-workspace"),
            records_dir().join("secure-workspace.json"),
        ],
    );
    let found: Vec<String> = observation_results(entry, &report)
        .into_iter()
        .map(|(_, _, actual)| actual)
        .collect();
    assert_eq!(
        found,
        [
            "'No such file or directory' in 2/2 pods (`ls /var/run/secrets/kubernetes.io/serviceaccount`)",
            "'1001' in 2/2 pods (`id -u`)",
            "'CapEff:\t0000000000000000' in 2/2 pods (`grep CapEff /proc/1/status`)",
        ]
    );
}
