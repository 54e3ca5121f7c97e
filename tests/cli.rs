//! The binary as a user runs it: what it prints and how it exits.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The solved capture with what its pods' observation commands printed.
fn solved_with_observations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/secure-workspace/solved.json")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

fn ckasim(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ckasim").unwrap();
    // A private home: no user library, no sessions of the person running the tests.
    cmd.env("CKASIM_HOME", home).env_remove("KUBECONFIG");
    cmd
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn grade(home: &Path, fixture: &str, format: &str) -> std::process::Output {
    ckasim(home)
        .args([
            "grade",
            "secure-workspace",
            "--format",
            format,
            "--snapshot",
        ])
        .arg(if fixture == "solved.json" {
            solved_with_observations()
        } else {
            fixtures().join("secure-workspace").join(fixture)
        })
        .output()
        .unwrap()
}

#[test]
fn grading_the_solved_fixture_scores_100_and_exits_0() {
    let home = tempfile::tempdir().unwrap();
    let out = grade(home.path(), "solved.json", "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["scenario"], "secure-workspace");
    assert_eq!(report["score"], 100);
    assert_eq!(report["max_score"], 100);
    assert_eq!(report["percent"], 100.0);
    assert_eq!(report["pass_percent"], 66);
    assert_eq!(report["passed"], true);
    assert!(
        report["source"]["snapshot"][0]
            .as_str()
            .unwrap()
            .ends_with("solved.json")
    );
    let ids: Vec<&str> = report["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "service-account",
            "registry-secret",
            "security-context",
            "probes",
            "verification"
        ]
    );
    let maxes: Vec<u64> = report["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["max_score"].as_u64().unwrap())
        .collect();
    assert_eq!(maxes, [15, 20, 35, 15, 15]);
    // RFC 3339 time.
    assert!(chrono::DateTime::parse_from_rfc3339(report["graded_at"].as_str().unwrap()).is_ok());
}

#[test]
fn grading_the_empty_fixture_scores_0_and_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let out = grade(home.path(), "empty.json", "text");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with("secure-workspace: 0/100 (0.0%) — NOT PASSED (pass mark 66%)"),
        "{text}"
    );
    assert!(
        text.contains("✗ ServiceAccount secure-runner exists (0/4)"),
        "{text}"
    );
    assert!(
        text.contains(
            "found: serviceaccount secure-runner not found in namespace secure-workspace"
        ),
        "{text}"
    );
    assert!(
        text.contains("inspect: kubectl get serviceaccount secure-runner -n secure-workspace"),
        "{text}"
    );
}

#[test]
fn pods_that_never_ran_lose_only_the_verification_points() {
    let home = tempfile::tempdir().unwrap();
    let out = grade(home.path(), "pods-pending.json", "json");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in report["criteria"].as_array().unwrap() {
        let expected = if c["id"] == "verification" {
            0
        } else {
            c["max_score"].as_u64().unwrap()
        };
        assert_eq!(c["score"].as_u64().unwrap(), expected, "{}", c["id"]);
    }
    assert_eq!(report["score"], 85);
    let text = stdout(&grade(home.path(), "pods-pending.json", "text"));
    assert!(
        text.contains("found: no running pod (2 pods in phase Pending)"),
        "{text}"
    );
    assert!(text.contains("found: 0 of 2 pods ready"), "{text}");
}

#[test]
fn the_report_never_shows_the_registry_password() {
    let home = tempfile::tempdir().unwrap();
    for f in ["solved.json", "pods-pending.json", "empty.json"] {
        for format in ["text", "json"] {
            let out = grade(home.path(), f, format);
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(!all.contains("ci-token-123"), "{f} {format}");
            assert!(!all.contains("Y2ktdG9rZW4tMTIz"), "{f} {format}");
        }
    }
}

#[test]
fn output_file_is_written_and_the_score_summarised() {
    let home = tempfile::tempdir().unwrap();
    let dest = home.path().join("out/report.json");
    let out = ckasim(home.path())
        .args(["grade", "secure-workspace", "--format", "json", "--output"])
        .arg(&dest)
        .arg("--snapshot")
        .arg(solved_with_observations())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("secure-workspace: 100/100 (100.0%), report written to"),
        "{}",
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&dest).unwrap()).unwrap();
    assert_eq!(report["score"], 100);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    std::fs::write(dir.join("cut.json"), "{\"kind\": \"List\", \"items\": [").unwrap();
    std::fs::write(dir.join("bin.json"), [0u8, 159, 146, 150, 255]).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "grade".into(),
                "nope".into(),
                "--snapshot".into(),
                "x.json".into(),
            ],
            "ckasim: unknown scenario 'nope' (known: ",
        ),
        (
            vec![
                "grade".into(),
                "secure-workspace".into(),
                "--snapshot".into(),
                dir.join("missing.json").display().to_string(),
            ],
            "missing.json: cannot read: no such file",
        ),
        (
            vec![
                "grade".into(),
                "secure-workspace".into(),
                "--snapshot".into(),
                dir.join("cut.json").display().to_string(),
            ],
            "cut.json:1:27: EOF while parsing a list",
        ),
        (
            vec![
                "grade".into(),
                "secure-workspace".into(),
                "--snapshot".into(),
                dir.join("bin.json").display().to_string(),
            ],
            "bin.json: not a JSON or YAML snapshot: not UTF-8 text",
        ),
    ];
    for (args, message) in cases {
        let out = ckasim(dir).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = ckasim(dir)
        .args(["grade", "secure-workspace", "--format", "pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid value 'pdf' for '--format"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_prints_the_library_as_text_and_json() {
    let home = tempfile::tempdir().unwrap();
    let out = ckasim(home.path())
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ws = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "secure-workspace")
        .unwrap();
    assert_eq!(ws["title"], "Secure workspace");
    assert_eq!(ws["time_limit_minutes"], 35);
    assert_eq!(ws["max_score"], 100);
    assert_eq!(ws["domain"], "workloads-scheduling");
    assert_eq!(ws["difficulty"], "medium");
    assert_eq!(ws["tasks"].as_array().unwrap().len(), 5);
    assert_eq!(ws["mock"], false);
    let task_points: u64 = ws["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["domain"], "workloads-scheduling");
            t["points"].as_u64().unwrap()
        })
        .sum();
    // Criteria covering several tasks count for each of them.
    assert!(
        task_points >= 100,
        "every point covers a task: {task_points}"
    );
    // A mock exam: tasks in their own domains, weights per domain.
    let mock = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "cka-mock-1")
        .unwrap();
    assert_eq!(mock["mock"], true);
    assert_eq!(mock["domain_points"]["troubleshooting"], 30);
    assert!(
        mock["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["domain"] == "storage" && t["points"].as_u64() > Some(0))
    );
    assert!(
        mock["addons"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("ingress-nginx"))
    );
    let text = stdout(&ckasim(home.path()).arg("list").output().unwrap());
    assert!(text.lines().next().unwrap().starts_with("ID"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("secure-workspace") && l.contains("35m") && l.contains("100")),
        "{text}"
    );
}

/// A copy of the built-in library in a temporary directory, to break.
fn library_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["scenarios", "grading"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        std::fs::copy(
            root.join(sub).join("secure-workspace.toml"),
            dir.path().join(sub).join("secure-workspace.toml"),
        )
        .unwrap();
    }
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn validate_reports_every_problem_with_file_line_and_column() {
    let home = tempfile::tempdir().unwrap();
    let out = ckasim(home.path()).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("ok: "), "{}", stdout(&out));

    let lib = library_copy();
    let rubric = lib.path().join("grading/secure-workspace.toml");
    edit(
        &rubric,
        "tasks = [\"registry-secret\"]",
        "tasks = [\"registry-secrets\"]",
    );
    edit(
        &rubric,
        "path = \"{.spec.replicas}\"",
        "path = \"{.spec.replicas\"",
    );
    edit(&rubric, "points = 15\n", "points = 16\n");
    edit(
        &rubric,
        "pull_secret = \"regcred\"",
        "pull_secret = \"regcred\"\ncolour = \"red\"",
    );
    let out = ckasim(home.path())
        .arg("validate")
        .arg("--scenarios")
        .arg(lib.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let shown = rubric.display().to_string();
    let lines: Vec<&str> = text.lines().collect();
    // A syntax-level problem (unknown key) stops the file at the first error.
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].starts_with(&format!("{shown}:")), "{text}");
    assert!(lines[0].contains("unknown field `colour`"), "{text}");

    edit(&rubric, "\ncolour = \"red\"", "");
    let out = ckasim(home.path())
        .arg("validate")
        .arg("--scenarios")
        .arg(lib.path())
        .output()
        .unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(out.status.code(), Some(1));
    assert!(lines.iter().any(|l| l.starts_with(&format!("{shown}:")) && l.ends_with("criterion 'registry-secret' names task 'registry-secrets' that scenario 'secure-workspace' does not have")), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("unclosed") || l.contains("JSONPath")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.ends_with(
            "criterion 'service-account' declares 16 points but its checks add up to 15"
        )),
        "{text}"
    );
    for l in &lines {
        let rest = l
            .strip_prefix(&format!("{shown}:"))
            .unwrap_or_else(|| panic!("{l}"));
        let mut parts = rest.splitn(3, ':');
        assert!(
            parts.next().unwrap().parse::<u32>().is_ok(),
            "line number in {l}"
        );
        assert!(
            parts.next().unwrap().parse::<u32>().is_ok(),
            "column in {l}"
        );
    }
}

#[test]
fn validate_names_broken_toml_and_missing_pieces() {
    let home = tempfile::tempdir().unwrap();
    let lib = library_copy();
    std::fs::write(
        lib.path().join("scenarios/broken.toml"),
        "id = \"broken\"\ntitle = [unclosed\n",
    )
    .unwrap();
    std::fs::write(
        lib.path().join("grading/orphan.toml"),
        "pass_percent = 66\n",
    )
    .unwrap();
    let out = ckasim(home.path())
        .args(["validate", "--scenarios"])
        .arg(lib.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.contains("scenarios/broken.toml:2:")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("grading/orphan.toml: rubric 'orphan' has no scenario")),
        "{text}"
    );
    // Other commands refuse an invalid library with exit 2.
    let out = ckasim(home.path())
        .args(["list", "--scenarios"])
        .arg(lib.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("run 'ckasim validate'"),
        "{}",
        stderr(&out)
    );
    let out = ckasim(home.path())
        .args(["validate", "--scenarios", "/nonexistent/lib"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim(),
        "/nonexistent/lib: not a directory (expected one with scenarios/ and grading/ inside)"
    );
}

#[test]
fn pod_security_reports_levels_in_the_admission_plugins_words() {
    let home = tempfile::tempdir().unwrap();
    let out = ckasim(home.path())
        .arg("pod-security")
        .arg(solved_with_observations())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dep = list
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["kind"] == "Deployment")
        .unwrap();
    assert_eq!(dep["name"], "secure-app");
    assert_eq!(dep["namespace"], "secure-workspace");
    assert_eq!(dep["level"], "baseline");
    assert!(dep["violations"].get("baseline").is_none());
    assert_eq!(
        dep["violations"]["restricted"][0],
        "seccompProfile (pod or container \"nginx\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    // Upstream's own fixtures: a restricted pass fixture is restricted.
    let pass = fixtures().join("pod-security/restricted/v1.23/pass/base.yaml");
    let text = stdout(
        &ckasim(home.path())
            .arg("pod-security")
            .arg(&pass)
            .output()
            .unwrap(),
    );
    assert!(text.ends_with(": restricted (latest)\n"), "{text}");
    let out = ckasim(home.path())
        .args(["pod-security", "--version", "v1.x"])
        .arg(&pass)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    // `true` reads nothing and exits at once; half a second later `ckasim list` writes into
    // the closed pipe, as `ckasim list | head -1` does for all but its first line.
    let bin = assert_cmd::cargo::cargo_bin("ckasim");
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "(sleep 0.5; CKASIM_HOME='{}' '{}' list) | true; echo \"${{PIPESTATUS[0]}}\"",
            home.path().display(),
            bin.display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "141",
        "{stderr}"
    );
}
