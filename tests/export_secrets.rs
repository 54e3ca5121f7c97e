//! No Secret value leaves ckasim: a snapshot holding a docker-registry
//! password (in `.dockerconfigjson` and in kubectl's last-applied
//! annotation) is graded, recorded and exported in every format, and
//! neither the password nor any base64 form of it appears anywhere the user
//! or a CI system can read, session files included.

#![allow(
    clippy::unwrap_used,
    reason = "the helpers are part of the tests: an unexpected value fails the test loudly"
)]

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

fn ckasim(home: &Path, args: &[&str]) -> (i32, String) {
    let out = cargo_bin_cmd!("ckasim")
        .env("CKASIM_HOME", home)
        .args(args)
        .output()
        .unwrap();
    let mut all = String::from_utf8(out.stdout).unwrap();
    all.push_str(&String::from_utf8(out.stderr).unwrap());
    (out.status.code().unwrap_or(-1), all)
}

/// The solved snapshot with regcred holding `password` for ci-bot, and the
/// manifest kubectl applied kept in the last-applied annotation.
fn snapshot_with_password(dir: &Path, password: &str) -> PathBuf {
    // The solved capture, with what its pods' observation commands printed.
    let solved = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/secure-workspace/solved.json");
    let mut list: Value = serde_json::from_str(&std::fs::read_to_string(solved).unwrap()).unwrap();
    let config = json!({ "auths": { "registry.internal.com": {
        "username": "ci-bot",
        "password": password,
        "auth": STANDARD.encode(format!("ci-bot:{password}")),
    } } })
    .to_string();
    let encoded = STANDARD.encode(&config);
    let secret = list["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["kind"] == "Secret" && o["metadata"]["name"] == "regcred")
        .unwrap();
    secret["data"][".dockerconfigjson"] = json!(encoded);
    let applied = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": { "name": "regcred", "namespace": "secure-workspace" },
        "data": { ".dockerconfigjson": encoded },
    });
    secret["metadata"]["annotations"] = json!({
        "kubectl.kubernetes.io/last-applied-configuration": applied.to_string(),
    });
    let path = dir.join(format!("snapshot-{}.json", password.len()));
    std::fs::write(&path, serde_json::to_vec_pretty(&list).unwrap()).unwrap();
    path
}

/// Every string by which a password could be recovered.
fn forms(password: &str) -> Vec<String> {
    let config = json!({ "auths": { "registry.internal.com": {
        "username": "ci-bot",
        "password": password,
        "auth": STANDARD.encode(format!("ci-bot:{password}")),
    } } })
    .to_string();
    vec![
        password.to_string(),
        STANDARD.encode(password),
        STANDARD.encode(format!("ci-bot:{password}")),
        STANDARD.encode(config),
    ]
}

fn assert_clean(what: &str, text: &str, password: &str) {
    for form in forms(password) {
        assert!(
            !text.contains(&form),
            "{what} contains '{form}' (a form of the password):\n{text}"
        );
    }
}

#[test]
fn no_report_history_export_or_session_file_holds_the_password() {
    let home = tempfile::tempdir().unwrap();
    // The rubric's password (the check passes) and a wrong one (it fails).
    for (password, earned) in [("ci-token-123", "4/4"), ("Hunter2-correct-horse", "0/4")] {
        let snapshot = snapshot_with_password(home.path(), password);
        let snap = snapshot.to_str().unwrap();
        // The forms searched for are the ones the snapshot really holds.
        let raw = std::fs::read_to_string(&snapshot).unwrap();
        assert!(raw.contains(&forms(password)[3]));
        let (code, text) = ckasim(
            home.path(),
            &["grade", "secure-workspace", "--snapshot", snap, "--record"],
        );
        assert!(code <= 1, "{text}");
        // The check really looked at the password.
        assert!(
            text.contains(&format!("regcred holds the password ({earned})")),
            "{text}"
        );
        assert_clean("grade (text)", &text, password);
        for format in ["json", "junit", "markdown"] {
            let (_, text) = ckasim(
                home.path(),
                &[
                    "grade",
                    "secure-workspace",
                    "--snapshot",
                    snap,
                    "--format",
                    format,
                ],
            );
            assert_clean(&format!("grade --format {format}"), &text, password);
        }
        for format in ["json", "csv", "markdown", "junit"] {
            let (code, text) = ckasim(home.path(), &["export", "last", "--format", format]);
            assert_eq!(code, 0, "{text}");
            assert!(
                text.contains("regcred holds the password"),
                "{format}: {text}"
            );
            assert_clean(&format!("export --format {format}"), &text, password);
        }
        for format in ["text", "json", "csv"] {
            let (_, text) = ckasim(home.path(), &["history", "--format", format]);
            assert_clean(&format!("history --format {format}"), &text, password);
        }
    }
    let sessions: Vec<_> = std::fs::read_dir(home.path().join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(sessions.len(), 2);
    for path in sessions {
        let text = std::fs::read_to_string(&path).unwrap();
        for password in ["ci-token-123", "Hunter2-correct-horse"] {
            assert_clean(&path.display().to_string(), &text, password);
        }
    }
}
