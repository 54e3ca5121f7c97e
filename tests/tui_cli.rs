//! `ckasim` and `ckasim start` outside a terminal: one clear line, exit 2.

use assert_cmd::Command;

fn ckasim(home: &tempfile::TempDir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ckasim"));
    c.env("CKASIM_HOME", home.path())
        .env("KUBECONFIG", "/nonexistent");
    c
}

#[test]
fn without_a_terminal_the_tui_says_so_and_exits_2() {
    let home = tempfile::tempdir().unwrap();
    for args in [&[][..], &["start", "secure-workspace"][..]] {
        let out = ckasim(&home).args(args).write_stdin("").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim_end(),
            "ckasim: the TUI needs a terminal (standard input and output are not a TTY); use 'ckasim list' or 'ckasim grade' in scripts"
        );
    }
    // Nothing was started.
    assert!(!home.path().join("sessions").exists());
}

#[test]
fn start_names_an_unknown_scenario() {
    let home = tempfile::tempdir().unwrap();
    let out = ckasim(&home).args(["start", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("ckasim: unknown scenario 'nope' (known: "),
        "{err}"
    );
    assert!(err.contains("secure-workspace"), "{err}");
}

#[test]
fn start_rejects_an_unknown_mode() {
    let home = tempfile::tempdir().unwrap();
    let out = ckasim(&home)
        .args(["start", "secure-workspace", "--mode", "timed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'timed' for '--mode"));
}

#[test]
fn replay_without_an_attempt_says_so() {
    let home = tempfile::tempdir().unwrap();
    let out = ckasim(&home).arg("replay").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "ckasim: no session 'last' (see 'ckasim history')"
    );
}

#[test]
fn replay_of_a_recorded_attempt_needs_a_terminal_before_touching_a_cluster() {
    let home = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/scenarios/secure-workspace/solved.json"
    );
    let out = ckasim(&home)
        .args([
            "grade",
            "secure-workspace",
            "--record",
            "--snapshot",
            fixture,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = ckasim(&home).args(["replay", "last"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("ckasim: the TUI needs a terminal"), "{err}");
}
