//! `ckasim grade … --record` twice, then `history` and `export last` in every
//! format, read back the way their users read them.

#![allow(
    clippy::unwrap_used,
    reason = "the helpers are part of the tests: an unexpected value fails the test loudly"
)]

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

mod xml {
    include!("support/xml.rs");
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures");

fn fixture(name: &str) -> PathBuf {
    // The solved capture with what its pods' observation commands printed.
    if name == "solved.json" {
        return Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/scenarios/secure-workspace/solved.json");
    }
    Path::new(FIXTURES).join("secure-workspace").join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn ckasim(home: &Path, args: &[&str]) -> Run {
    let out = cargo_bin_cmd!("ckasim")
        .env("CKASIM_HOME", home)
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Records 85 (pods pending) then 100 (solved).
fn two_attempts() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    for (file, score) in [("pods-pending.json", "85/100"), ("solved.json", "100/100")] {
        let snap = fixture(file);
        let run = ckasim(
            home.path(),
            &[
                "grade",
                "secure-workspace",
                "--snapshot",
                snap.to_str().unwrap(),
                "--record",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout
                .starts_with(&format!("secure-workspace: {score}"))
        );
        assert!(
            run.stderr.starts_with("recorded attempt ") && run.stderr.contains("secure-workspace"),
            "{}",
            run.stderr
        );
    }
    home
}

fn lines_after<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| !l.starts_with(heading))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn history_shows_both_attempts_the_best_and_the_trend() {
    let home = two_attempts();
    let run = ckasim(home.path(), &["history"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let attempts = lines_after(&run.stdout, "ATTEMPTS");
    assert_eq!(attempts.len(), 3, "{}", run.stdout);
    assert!(attempts[0].starts_with("STARTED (UTC)"));
    let cells = |l: &str| {
        l.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let newest = cells(attempts[1]);
    let oldest = cells(attempts[2]);
    assert_eq!(
        newest[1..],
        [
            "secure-workspace",
            "exam",
            "grade",
            "-",
            "100/100 (100.0%)",
            "passed"
        ]
    );
    assert_eq!(
        oldest[1..],
        [
            "secure-workspace",
            "exam",
            "grade",
            "-",
            "85/100 (85.0%)",
            "passed"
        ]
    );
    let best = lines_after(&run.stdout, "BEST AND TREND");
    assert_eq!(
        cells(best[1]),
        [
            "secure-workspace",
            "2",
            "100/100 (100.0%)",
            "85 → 100 (+15)"
        ]
    );
    let domains = lines_after(&run.stdout, "DOMAINS");
    // Coverage: one scenario tried of the domain's drills in the library (mock exams span
    // the domains and count apart).
    let in_library = ckasim::library::Library::builtin()
        .unwrap()
        .entries()
        .iter()
        .filter(|e| {
            !e.scenario.mock
                && e.scenario.domain == ckasim::library::scenario::Domain::WorkloadsScheduling
        })
        .count();
    assert_eq!(
        cells(domains[1]),
        [
            "Workloads & Scheduling".to_string(),
            "92.5%".into(),
            "2".into(),
            format!("1/{in_library}")
        ]
    );
}

#[test]
fn history_as_json_and_csv() {
    let home = two_attempts();
    let run = ckasim(home.path(), &["history", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let h: Value = serde_json::from_str(&run.stdout).unwrap();
    let attempts = h["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["score"], 100);
    assert_eq!(attempts[1]["score"], 85);
    assert_eq!(attempts[0]["origin"], "grade-record");
    assert_eq!(attempts[0]["mode"], "exam");
    assert_eq!(attempts[0]["passed"], true);
    assert_eq!(attempts[0]["time_used_seconds"], Value::Null);
    assert_eq!(attempts[0]["started_at"], attempts[0]["finished_at"]);
    let s = &h["scenarios"][0];
    assert_eq!(s["scenario"], "secure-workspace");
    assert_eq!(s["attempts"], 2);
    assert_eq!(s["best"]["score"], 100);
    assert_eq!(s["best"]["session"], attempts[0]["session"]);
    assert_eq!(s["trend"], serde_json::json!([85, 100]));
    assert_eq!(s["change"], 15);
    assert_eq!(h["domains"][0]["domain"], "workloads-scheduling");
    assert_eq!(h["domains"][0]["average_percent"], 92.5);

    let run = ckasim(home.path(), &["history", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        ckasim::cli::history::CSV_HEADER.as_slice()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], attempts[0]["session"].as_str().unwrap());
    assert_eq!(&rows[0][1], "secure-workspace");
    assert_eq!(&rows[0][3], "grade-record");
    assert_eq!(&rows[0][4], "finished");
    assert_eq!(&rows[0][7], "");
    assert_eq!(
        (&rows[0][8], &rows[0][9], &rows[0][11]),
        ("100", "100", "true")
    );
    assert_eq!((&rows[1][8], &rows[1][10]), ("85", "85.0"));
}

#[test]
fn export_last_as_json_is_the_report_with_the_session_around_it() {
    let home = two_attempts();
    let run = ckasim(home.path(), &["export", "last", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let e: Value = serde_json::from_str(&run.stdout).unwrap();
    let session = &e["session"];
    assert_eq!(session["scenario"], "secure-workspace");
    assert_eq!(session["mode"], "exam");
    assert_eq!(session["origin"], "grade-record");
    assert_eq!(session["grades"], 1);
    assert_eq!(session["context"], Value::Null);
    assert!(
        session["id"]
            .as_str()
            .unwrap()
            .ends_with("-secure-workspace")
    );
    // The deadline is the scenario's 35 minutes after the graded moment.
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(
        (at(&session["deadline"]) - at(&session["started_at"])).num_minutes(),
        35
    );

    // The report is exactly what `grade --format json` writes for that state.
    let report = &e["report"];
    let solved = fixture("solved.json");
    let grade = ckasim(
        home.path(),
        &[
            "grade",
            "secure-workspace",
            "--snapshot",
            solved.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let mut fresh: Value = serde_json::from_str(&grade.stdout).unwrap();
    fresh["graded_at"] = report["graded_at"].clone();
    assert_eq!(report, &fresh);
    assert_eq!(report["score"], 100);
    assert_eq!(report["criteria"].as_array().unwrap().len(), 5);

    // By id, the first attempt.
    let h: Value =
        serde_json::from_str(&ckasim(home.path(), &["history", "--format", "json"]).stdout)
            .unwrap();
    let first = h["attempts"][1]["session"].as_str().unwrap().to_string();
    let run = ckasim(home.path(), &["export", &first]);
    let e: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(e["session"]["id"], first.as_str());
    assert_eq!(e["report"]["score"], 85);
}

#[test]
fn export_last_as_csv_has_a_row_per_check() {
    let home = two_attempts();
    let run = ckasim(home.path(), &["export", "last", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        ckasim::report::csv::HEADER.as_slice()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 23);
    assert!(rows.iter().all(|r| &r[4] == "pass" && r[5] == r[6]));
    let points: u32 = rows.iter().map(|r| r[5].parse::<u32>().unwrap()).sum();
    assert_eq!(points, 100);
    let token = rows
        .iter()
        .find(|r| &r[3] == "secure-runner disables token automount")
        .unwrap();
    assert_eq!(&token[2], "service-account");
    assert_eq!(&token[1], "secure-workspace");
    assert!(token[9].starts_with("kubectl get serviceaccount secure-runner -n secure-workspace"));
}

#[test]
fn export_as_markdown_and_junit_show_what_failed() {
    let home = two_attempts();
    let h: Value =
        serde_json::from_str(&ckasim(home.path(), &["history", "--format", "json"]).stdout)
            .unwrap();
    let first = h["attempts"][1]["session"].as_str().unwrap().to_string();

    let run = ckasim(home.path(), &["export", &first, "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut headings = Vec::new();
    let mut items = Vec::new();
    let mut text = String::new();
    for event in Parser::new_ext(&run.stdout, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. } | Tag::Item) => text.clear(),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::End(TagEnd::Heading(_)) => headings.push(std::mem::take(&mut text)),
            Event::Start(Tag::List(_)) | Event::End(TagEnd::Item) if !text.is_empty() => {
                items.push(std::mem::take(&mut text));
            }
            _ => {}
        }
    }
    assert_eq!(headings[0], "secure-workspace: 85/100 (85.0%) — passed");
    assert!(
        headings.contains(
            &"verification: The running pods: ready, no token, uid 1001, not root, no capability (0/15)"
                .to_string()
        ),
        "{headings:?}"
    );
    assert!(
        items.contains(&"2 pods of secure-app are ready (0/4)".to_string()),
        "{items:?}"
    );
    assert!(
        items.contains(&"found: 0 of 2 pods ready".to_string()),
        "{items:?}"
    );
    assert!(
        items.contains(
            &"inspect: kubectl get pods -n secure-workspace -l app=secure-app".to_string()
        ),
        "{items:?}"
    );
    assert!(run.stdout.contains(&format!("| Session | {first} |")));

    let run = ckasim(home.path(), &["export", &first, "--format", "junit"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = xml::parse(&run.stdout);
    assert_eq!(root.attr("name"), first);
    assert_eq!(
        (
            root.attr("tests"),
            root.attr("failures"),
            root.attr("errors")
        ),
        ("23", "5", "0")
    );
    let verification = root
        .all("testsuite")
        .find(|s| s.attr("name") == "verification")
        .unwrap();
    assert_eq!(verification.attr("failures"), "5");
    let ready = verification
        .all("testcase")
        .find(|c| c.attr("name") == "2 pods of secure-app are ready")
        .unwrap();
    let failure = ready.one("failure");
    assert!(
        failure.text.contains("found: 0 of 2 pods ready"),
        "{}",
        failure.text
    );
    assert!(
        failure
            .text
            .contains("inspect: kubectl get pods -n secure-workspace -l app=secure-app")
    );
    assert_eq!(ready.properties()["max_points"], "4");
    let passed = root
        .all("testsuite")
        .find(|s| s.attr("name") == "security-context")
        .unwrap();
    assert_eq!((passed.attr("tests"), passed.attr("failures")), ("9", "0"));
}

#[test]
fn export_writes_a_file_with_output_and_grade_speaks_junit_and_markdown() {
    let home = two_attempts();
    let out = home.path().join("reports/last.xml");
    let run = ckasim(
        home.path(),
        &[
            "export",
            "last",
            "--format",
            "junit",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains(&format!("exported to {}", out.display())),
        "{}",
        run.stderr
    );
    let root = xml::parse(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(root.attr("failures"), "0");

    let pending = fixture("pods-pending.json");
    let run = ckasim(
        home.path(),
        &[
            "grade",
            "secure-workspace",
            "--snapshot",
            pending.to_str().unwrap(),
            "--format",
            "junit",
        ],
    );
    assert_eq!(run.code, 0);
    assert_eq!(xml::parse(&run.stdout).attr("failures"), "5");
    let run = ckasim(
        home.path(),
        &[
            "grade",
            "secure-workspace",
            "--snapshot",
            pending.to_str().unwrap(),
            "--format",
            "markdown",
        ],
    );
    assert!(
        run.stdout
            .starts_with("# secure-workspace: 85/100 (85.0%) — passed\n")
    );
    // Grading without --record keeps nothing.
    let h: Value =
        serde_json::from_str(&ckasim(home.path(), &["history", "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(h["attempts"].as_array().unwrap().len(), 2);
}

#[test]
fn corrupt_and_future_session_files_are_named_and_skipped() {
    let home = two_attempts();
    let sessions = home.path().join("sessions");
    std::fs::write(sessions.join("broken.json"), b"{ not json").unwrap();
    std::fs::write(sessions.join("future.json"), br#"{"version": 99}"#).unwrap();
    let run = ckasim(home.path(), &["history"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        lines_after(&run.stdout, "ATTEMPTS").len(),
        3,
        "{}",
        run.stdout
    );
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    let broken = sessions.join("broken.json");
    let future = sessions.join("future.json");
    assert!(
        warnings.iter().any(|w| w.starts_with(&format!(
            "ckasim: warning: skipped {}: not a session file",
            broken.display()
        ))),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with(&format!(
            "ckasim: warning: skipped {}: session format version 99",
            future.display()
        ))),
        "{warnings:?}"
    );
    assert!(broken.exists() && future.exists());

    let run = ckasim(home.path(), &["export", "last", "--format", "csv"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().count(), 24);
    assert_eq!(run.stderr.lines().count(), 2);
}

#[test]
fn empty_history_and_unknown_sessions_say_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let run = ckasim(home.path(), &["history"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("No attempts yet."), "{}", run.stdout);
    let run = ckasim(home.path(), &["export", "last"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("ckasim: no attempts yet: nothing to export"),
        "{}",
        run.stderr
    );
    let run = ckasim(home.path(), &["export", "20260101T000000.000Z-nope"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "ckasim: no session '20260101T000000.000Z-nope' (see 'ckasim history')\n"
    );
}
