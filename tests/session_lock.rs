//! One writer per attempt across processes: a second process is refused
//! and told the holder's pid; after `kill -9` of the holder its lock file
//! is left behind, stale, and the next process takes the attempt over with
//! everything the holder saved.

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn spawn_holder(home: &std::path::Path, id: &str) -> Child {
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
    child
}

#[test]
fn a_killed_holder_leaves_a_stale_lock_that_the_next_process_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let session = Session::new(
        "secure-workspace",
        Mode::Practice,
        Origin::Tui,
        None,
        Duration::from_secs(600),
        chrono::Utc::now(),
    );
    store.save(&session).unwrap();

    let mut holder = spawn_holder(dir.path(), &session.id);
    // Two processes: this one is refused and told who holds it.
    match store.open_for_writing(&session.id) {
        Err(LockError::Held { holder: who, .. }) => assert_eq!(who, Holder(Some(holder.id()))),
        other => panic!("a second writer was let in: {other:?}"),
    }
    // Reading is never refused (history, export).
    assert_eq!(
        store.load(&session.id).unwrap().notes,
        "saved by the holder"
    );

    // kill -9: the OS releases the lock; the lock file, naming a dead
    // process, stays behind.
    holder.kill().unwrap();
    holder.wait().unwrap();
    let lock_file = dir
        .path()
        .join("sessions")
        .join(format!("{}.lock", session.id));
    assert_eq!(
        std::fs::read_to_string(&lock_file).unwrap().trim(),
        holder.id().to_string()
    );
    let (lease, taken) = store.open_for_writing(&session.id).unwrap();
    assert_eq!(taken.notes, "saved by the holder");
    assert_eq!(
        std::fs::read_to_string(&lock_file).unwrap().trim(),
        std::process::id().to_string()
    );
    drop(lease);
}
