//! The built-in scenarios graded against captures of a real cluster.
//!
//! `../shared/fixtures/real/<scenario>/` holds, for every built-in scenario,
//! `start.json` (after `ckasim reset`, the pods settled) and `solved.json`
//! (after the reference solution, the pods settled), captured with a real
//! kubelet on containerd: defaulted fields, container states, restart counts
//! and conditions are the cluster's own. For every such directory:
//! - the real `solved.json` earns every point;
//! - the real `start.json` earns what a fair examiner gives the untouched
//!   start, written below per scenario with the reason.
//!
//! What only the running containers show (`id`, `grep Cap /proc/1/status`,
//! `touch /` on a read-only root, whether the token directory exists) is in
//! each capture's `README.md`, not in the JSON. For the solved captures those
//! outputs are recorded as observations in
//! `tests/fixtures/real-observations/<scenario>.json` and graded with the
//! capture (uid 1001, 1000 or 2000 where the rubrics ask for them, `CapEff` 0
//! after dropping `ALL` and `0x401` (`NET_BIND_SERVICE` and `CHOWN`) for
//! net-tool, no token directory where automount is off). The start captures
//! have no recorded observations: an observation check on them is an `error`
//! for want of a record (0 points), never a pass.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ckasim::grade;
use ckasim::library::Library;
use ckasim::report::{Report, Source, Status};
use ckasim::snapshot::Snapshot;

/// The score the untouched start earns, and why a fair examiner gives it.
const START: &[(&str, u32, &str)] = &[
    (
        "cka-security-mock",
        0,
        "mock-accounts and mock-registry are empty; catalog runs nginx:latest, legacy-agent is privileged, api is unhardened, inventory pulls a tag that does not exist and log-writer crash-loops",
    ),
    (
        "img-pull-policy",
        0,
        "web runs nginx:latest; audit, offline and the pull-defaults ConfigMap do not exist",
    ),
    (
        "pss-restricted-namespace",
        0,
        "pss-web has no Pod Security labels and web runs as root with every default capability",
    ),
    (
        "reg-default-sa",
        0,
        "default lists no pull secret, worker carries none, api does not exist",
    ),
    ("reg-pull-secret", 0, "reg-private is empty"),
    ("sa-custom-token", 0, "sa-tokens is empty"),
    ("sa-token-automount", 0, "sa-automount is empty"),
    (
        "sc-capabilities",
        0,
        "only the privileged debug-shell exists: it may escalate and has every capability",
    ),
    ("sc-readonly-root", 0, "sc-readonly is empty"),
    ("sc-user-group", 0, "sc-users is empty"),
    ("secure-workspace", 0, "secure-workspace does not exist"),
    (
        "troubleshoot-image-tag",
        0,
        "frontend's template names the misspelt tag 1.27-alpline; its pods are in ErrImagePull",
    ),
    (
        "troubleshoot-permission-denied",
        0,
        "report-writer writes to a hostPath as root and crash-loops (phase Running, not ready)",
    ),
    (
        "troubleshoot-pss-rejected",
        0,
        "metrics-agent's privileged template is rejected by the namespace's restricted policy: no pod runs",
    ),
    (
        "troubleshoot-pull-secret",
        0,
        "billing-regcred does not exist and billing-api's pod is in ErrImagePull",
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real")
}

/// Every capture directory, sorted.
fn captures() -> Vec<String> {
    let root = root();
    let mut ids: Vec<String> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

fn library() -> Library {
    Library::builtin().unwrap_or_else(|errors| panic!("the built-in library: {errors:?}"))
}

fn grade(library: &Library, id: &str, which: &str) -> Report {
    let entry = library
        .get(id)
        .unwrap_or_else(|| panic!("real/{id}: no built-in scenario '{id}'"));
    let mut files = vec![root().join(id).join(format!("{which}.json"))];
    let records = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-observations")
        .join(format!("{id}.json"));
    if which == "solved" && records.exists() {
        files.push(records);
    }
    let snapshot = Snapshot::read_files(&files).unwrap_or_else(|e| panic!("{e}"));
    grade::grade(
        entry,
        &snapshot,
        chrono::Utc::now(),
        Source::Snapshot {
            snapshot: files.iter().map(|f| f.display().to_string()).collect(),
        },
    )
}

/// The checks with `status`, one line each with what was found.
fn checks_with(report: &Report, status: Status) -> String {
    let mut out = String::new();
    for c in &report.criteria {
        for k in c.checks.iter().filter(|k| k.status == status) {
            let _ = writeln!(
                out,
                "  {} / {} ({} pts): expected {}; found {}",
                c.id, k.title, k.max_points, k.expected, k.actual
            );
        }
    }
    out
}

#[test]
fn every_real_capture_is_a_built_in_scenario_with_a_start_score() {
    let library = library();
    let captured = captures();
    let expected: Vec<&str> = START.iter().map(|(id, _, _)| *id).collect();
    for id in &captured {
        assert!(
            library.get(id).is_some(),
            "real/{id}/ is not a built-in scenario"
        );
    }
    assert_eq!(
        expected, captured,
        "START needs one entry per real capture, sorted"
    );
    // A scenario without a real capture is graded on generated fixtures
    // (tests/scenario_library.rs): none is left untested.
    let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios");
    for id in library.ids() {
        assert!(
            captured.iter().any(|c| c == id) || generated.join(id).join("solved.json").is_file(),
            "{id} has neither a real capture nor generated fixtures"
        );
    }
}

#[test]
fn the_real_reference_solution_earns_every_point() {
    let library = library();
    let mut failures = String::new();
    for id in captures() {
        let report = grade(&library, &id, "solved");
        if report.score != report.max_score {
            let _ = write!(
                failures,
                "real/{id}/solved.json: {}/{}\n{}{}",
                report.score,
                report.max_score,
                checks_with(&report, Status::Fail),
                checks_with(&report, Status::Error)
            );
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn the_real_start_earns_what_a_fair_examiner_gives() {
    let library = library();
    let mut failures = String::new();
    for id in captures() {
        let Some((_, want, why)) = START.iter().find(|(s, _, _)| *s == id) else {
            let _ = writeln!(failures, "real/{id}: no expected start score in START");
            continue;
        };
        let report = grade(&library, &id, "start");
        if report.score != *want {
            let _ = write!(
                failures,
                "real/{id}/start.json: {} points, expected {want} ({why}); passing:\n{}",
                report.score,
                checks_with(&report, Status::Pass)
            );
        }
        // Nothing in a real capture is unreadable: no check may be an error,
        // but for an observation that has no record in a start capture.
        let errors: String = checks_with(&report, Status::Error)
            .lines()
            .filter(|l| !l.contains(" recorded for pod/"))
            .fold(String::new(), |mut out, l| {
                let _ = writeln!(out, "{l}");
                out
            });
        if !errors.is_empty() {
            let _ = write!(failures, "real/{id}/start.json: errors\n{errors}");
        }
    }
    assert!(failures.is_empty(), "{failures}");
}
