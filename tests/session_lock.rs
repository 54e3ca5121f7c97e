//! One writer per attempt across processes: a second process is refused
//! and told the holder's pid; after `kill -9` of the holder its lock file
//! is left behind, stale, and the next process takes the attempt over with
//! everything the holder saved.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ckasim::report::{CriterionResult, Report, Source};
use ckasim::session::{Holder, LockError, Mode, Origin, Session, Store};

const HOME: &str = "CKASIM_LOCK_TEST_HOME";
const ID: &str = "CKASIM_LOCK_TEST_ID";

/// Not a test on its own: the other process. Run by
/// `a_killed_holder_leaves_a_stale_lock_that_the_next_process_takes_over`
/// with the environment naming the attempt; it takes the attempt, saves a
/// note, says so, and waits to be killed.
#[test]
#[ignore = "the holder process of another test"]
fn holder_process() {
    let (Ok(home), Ok(id)) = (std::env::var(HOME), std::env::var(ID)) else {
        return;
    };
    let store = Store::new(std::path::Path::new(&home));
    let (lease, mut session) = store.open_for_writing(&id).unwrap();
    session.notes.push_str("saved by the holder");
    lease.save(&session).unwrap();
    println!("holding");
    std::thread::sleep(Duration::from_secs(600));
}

/// The holder process, killed when the test ends however it ends.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn spawn_holder(home: &std::path::Path, id: &str) -> Spawned {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "holder_process", "--ignored", "--nocapture"])
        .env(HOME, home)
        .env(ID, id)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    assert!(
        lines.any(|l| l.is_ok_and(|l| l.contains("holding"))),
        "the holder never took the attempt"
    );
    Spawned(child)
}

#[test]
fn a_killed_holder_leaves_a_stale_lock_that_the_next_process_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut session = Session::new(
        "secure-workspace",
        Mode::Practice,
        Origin::Tui,
        None,
        Duration::from_secs(600),
        chrono::Utc::now(),
    );
    session.grades.push(Report::new(
        "secure-workspace",
        66,
        vec![CriterionResult {
            id: "c".into(),
            title: "C".into(),
            score: 1,
            max_score: 2,
            tasks: vec![],
            checks: vec![],
        }],
        chrono::Utc::now(),
        Source::Context {
            context: "kind-cka".into(),
        },
        vec![],
    ));
    store.save(&session).unwrap();

    let mut holder = spawn_holder(dir.path(), &session.id);
    let pid = holder.0.id();
    // Two processes: this one is refused and told who holds it.
    match store.open_for_writing(&session.id) {
        Err(LockError::Held { holder: who, .. }) => assert_eq!(who, Holder(Some(pid))),
        other => panic!("a second writer was let in: {other:?}"),
    }
    // Reading is never refused: `history` and `export` show the attempt.
    assert_eq!(
        store.load(&session.id).unwrap().notes,
        "saved by the holder"
    );
    for args in [
        vec!["history", "--format", "json"],
        vec!["export", &session.id, "--format", "json"],
    ] {
        let out = assert_cmd::Command::cargo_bin("ckasim")
            .unwrap()
            .env("CKASIM_HOME", dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&session.id), "{args:?}: {text}");
    }

    // kill -9: the OS releases the lock; the lock file, naming a dead
    // process, stays behind.
    holder.0.kill().unwrap();
    holder.0.wait().unwrap();
    let lock_file = dir
        .path()
        .join("sessions")
        .join(format!("{}.lock", session.id));
    assert_eq!(
        std::fs::read_to_string(&lock_file).unwrap().trim(),
        pid.to_string()
    );
    let (lease, taken) = store.open_for_writing(&session.id).unwrap();
    assert_eq!(taken.notes, "saved by the holder");
    assert_eq!(
        std::fs::read_to_string(&lock_file).unwrap().trim(),
        std::process::id().to_string()
    );
    drop(lease);
}
