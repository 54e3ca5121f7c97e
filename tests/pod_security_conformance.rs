//! Conformance of `ckasim::pod_security` against upstream's generated Pod Security fixtures
//! (`<level>/<version>/{pass,fail}/*.yaml`, one Pod each): every pass fixture must satisfy its
//! level at its version, every fail fixture must not and must report a violation there.

use std::fs;
use std::path::{Path, PathBuf};

use ckasim::pod_security::{Level, PolicyVersion, evaluate, pod_template};

/// The shared fixtures sit beside the crate checkout; the absolute path covers a crate built
/// from elsewhere (such as a scratch copy).
fn fixtures_root() -> Option<PathBuf> {
    [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/pod-security"),
        PathBuf::from("/work/shared/fixtures/pod-security"),
    ]
    .into_iter()
    .find(|path| path.is_dir())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths = entries
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    paths.sort();
    Ok(paths)
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
}

#[derive(Default)]
struct Tally {
    pass: usize,
    fail: usize,
    mismatches: Vec<String>,
}

/// Checks one fixture, recording a mismatch instead of stopping so every problem is reported.
fn check_fixture(
    path: &Path,
    level: Level,
    version: PolicyVersion,
    expect_pass: bool,
    tally: &mut Tally,
) {
    let shown = path.display();
    let object: serde_json::Value = match fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_saphyr::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(object) => object,
        Err(e) => {
            tally.mismatches.push(format!("{shown}: cannot load: {e}"));
            return;
        }
    };
    let Some((metadata, spec)) = pod_template(&object) else {
        tally
            .mismatches
            .push(format!("{shown}: not a Pod manifest"));
        return;
    };
    let evaluation = evaluate(metadata, spec, version);
    let violations = match level {
        Level::Restricted => &evaluation.violations.restricted,
        Level::Baseline | Level::Privileged => &evaluation.violations.baseline,
    };
    if expect_pass {
        tally.pass += 1;
        if evaluation.level < level {
            tally.mismatches.push(format!(
                "{shown}: got level {} with {violations:?}, expected at least {level}",
                evaluation.level
            ));
        }
    } else {
        tally.fail += 1;
        if evaluation.level >= level || violations.is_empty() {
            tally.mismatches.push(format!(
                "{shown}: got level {} with {violations:?}, expected below {level} with a violation",
                evaluation.level
            ));
        }
    }
}

fn check_tree(root: &Path, tally: &mut Tally) -> Result<(), String> {
    for level_dir in sorted_entries(root)?.into_iter().filter(|p| p.is_dir()) {
        let level: Level = file_name(&level_dir)
            .parse()
            .map_err(|e| format!("{}: {e}", level_dir.display()))?;
        for version_dir in sorted_entries(&level_dir)?
            .into_iter()
            .filter(|p| p.is_dir())
        {
            let version: PolicyVersion = file_name(&version_dir)
                .parse()
                .map_err(|e| format!("{}: {e}", version_dir.display()))?;
            for (outcome, expect_pass) in [("pass", true), ("fail", false)] {
                let dir = version_dir.join(outcome);
                if !dir.is_dir() {
                    continue;
                }
                for path in sorted_entries(&dir)? {
                    if path.extension().is_some_and(|ext| ext == "yaml") {
                        check_fixture(&path, level, version, expect_pass, tally);
                    }
                }
            }
        }
    }
    Ok(())
}

#[test]
fn upstream_fixtures_conform() {
    let Some(root) = fixtures_root() else {
        println!(
            "skipped: no pod-security fixtures at {}/../shared/fixtures/pod-security or /work/shared/fixtures/pod-security",
            env!("CARGO_MANIFEST_DIR")
        );
        return;
    };
    let mut tally = Tally::default();
    if let Err(e) = check_tree(&root, &mut tally) {
        panic!("cannot walk {}: {e}", root.display());
    }
    println!(
        "checked {} pod-security fixtures from {} ({} pass, {} fail), {} mismatches",
        tally.pass + tally.fail,
        root.display(),
        tally.pass,
        tally.fail,
        tally.mismatches.len()
    );
    assert!(
        tally.pass + tally.fail > 0,
        "no fixtures found under {}",
        root.display()
    );
    assert!(
        tally.mismatches.is_empty(),
        "{} of {} fixtures disagree:\n{}",
        tally.mismatches.len(),
        tally.pass + tally.fail,
        tally.mismatches.join("\n")
    );
}
