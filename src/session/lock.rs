//! One writer per attempt: an advisory lock (`flock`) on `<id>.lock` beside
//! the session file, with the holder's pid written in it. The operating
//! system releases the lock when the holder exits, however it exits, so a
//! `kill -9` never leaves an attempt locked; a lock file left behind by a
//! crash is taken over by the next ckasim.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::PathBuf;

use super::{Session, SessionError, Store};

/// Who holds an attempt: a process id, when its lock file names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder(pub Option<u32>);

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(pid) => write!(f, "ckasim process {pid}"),
            None => f.write_str("another ckasim process"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("session {id} is open in {holder}")]
    Held { id: String, holder: Holder },
    #[error("{file}: cannot lock session: {reason}")]
    Io { file: String, reason: String },
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// The right to write one attempt, held until dropped (or the process ends).
#[derive(Debug)]
pub struct Lease {
    store: Store,
    id: String,
    // Holds the lock; closing it releases the lock.
    _file: File,
}

impl Lease {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Saves the attempt this lease holds; any other session is refused.
    pub fn save(&self, session: &Session) -> Result<(), SessionError> {
        if session.id != self.id {
            return Err(SessionError::Write {
                file: self.store.path(&session.id).display().to_string(),
                reason: format!("this ckasim holds session {}, not this one", self.id),
            });
        }
        self.store.save(session)
    }
}

impl Store {
    fn lock_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.lock"))
    }

    /// Takes the attempt `id` for writing, or says who holds it.
    pub fn lock(&self, id: &str) -> Result<Lease, LockError> {
        let path = self.lock_path(id);
        let io = |e: std::io::Error| LockError::Io {
            file: path.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    id: id.to_string(),
                    holder: Holder(read_pid(&mut file)),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        // Ours now: whatever pid a crashed holder left is replaced.
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Lease {
            store: self.clone(),
            id: id.to_string(),
            _file: file,
        })
    }

    /// Takes the attempt `id` and reads it as it is now on disk: whatever
    /// a previous holder saved before letting go is what the new one edits.
    pub fn open_for_writing(&self, id: &str) -> Result<(Lease, Session), LockError> {
        let lease = self.lock(id)?;
        let session = self.load(id)?;
        Ok((lease, session))
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use chrono::{DateTime, TimeZone as _, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::report::{CriterionResult, Report};
    use crate::session::{Mode, Origin};

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).single().unwrap()
    }

    fn session(at: i64) -> Session {
        Session::new(
            "drill",
            Mode::Practice,
            Origin::Tui,
            None,
            Duration::from_secs(600),
            t(at),
        )
    }

    #[test]
    fn a_second_lock_names_the_holder_and_a_released_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let s = session(0);
        store.save(&s).unwrap();
        let first = store.lock(&s.id).unwrap();
        let Err(LockError::Held { holder, .. }) = store.lock(&s.id) else {
            panic!("a second writer was let in");
        };
        assert_eq!(holder, Holder(Some(std::process::id())));
        assert_eq!(
            LockError::Held {
                id: s.id.clone(),
                holder
            }
            .to_string(),
            format!(
                "session {} is open in ckasim process {}",
                s.id,
                std::process::id()
            )
        );
        drop(first);
        // The lock file stays behind, as after a crash: it is taken over.
        assert!(dir.path().join(format!("sessions/{}.lock", s.id)).exists());
        let (_lease, read) = store.open_for_writing(&s.id).unwrap();
        assert_eq!(read, s);
    }

    #[test]
    fn a_lease_saves_only_its_own_attempt() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let (a, b) = (session(0), session(1));
        let lease = store.lock(&a.id).unwrap();
        lease.save(&a).unwrap();
        let err = lease.save(&b).unwrap_err().to_string();
        assert!(err.contains("this ckasim holds session"), "{err}");
        assert!(store.load(&b.id).is_err());
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// Process p starts ckasim: it resumes the running attempt or begins one.
        Open(usize),
        Note(usize, char),
        Flag(usize, u8),
        Done(usize, u8),
        Grade(usize),
        Finish(usize),
        /// kill -9 (or quit: every change is already saved).
        Kill(usize),
        /// A read-only process's tick: re-read the attempt, take it over
        /// once its holder is gone and it still runs.
        Follow(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let p = 0..2usize;
        prop_oneof![
            2 => p.clone().prop_map(Op::Open),
            2 => (p.clone(), proptest::char::range('a', 'e')).prop_map(|(p, c)| Op::Note(p, c)),
            1 => (p.clone(), 0..3u8).prop_map(|(p, i)| Op::Flag(p, i)),
            1 => (p.clone(), 0..3u8).prop_map(|(p, i)| Op::Done(p, i)),
            1 => p.clone().prop_map(Op::Grade),
            1 => p.clone().prop_map(Op::Finish),
            2 => p.clone().prop_map(Op::Kill),
            2 => p.prop_map(Op::Follow),
        ]
    }

    /// One ckasim process: the attempt it shows, and the lease if it may write.
    struct Process {
        session: Session,
        lease: Option<Lease>,
    }

    fn report(at: DateTime<Utc>) -> Report {
        Report::new(
            "drill",
            66,
            vec![CriterionResult {
                id: "c".into(),
                title: "C".into(),
                score: 1,
                max_score: 1,
                tasks: vec![],
                checks: vec![],
            }],
            at,
            crate::report::Source::Context {
                context: "kind-cka".into(),
            },
            vec![],
        )
    }

    fn toggle(set: &mut std::collections::BTreeSet<String>, i: u8) {
        let id = format!("t{i}");
        if !set.remove(&id) {
            set.insert(id);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Whatever two processes do, in any order, with kills in between,
        /// every change accepted by a writer is on disk, and at most one
        /// process writes an attempt.
        #[test]
        fn no_sequence_of_two_processes_and_kills_loses_a_change(ops in proptest::collection::vec(op(), 1..40)) {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::new(dir.path());
            let mut procs: [Option<Process>; 2] = [None, None];
            // What each attempt must hold: every accepted change.
            let mut model: BTreeMap<String, Session> = BTreeMap::new();
            for (step, op) in ops.into_iter().enumerate() {
                let now = t(i64::try_from(step).unwrap() + 1);
                match op {
                    Op::Open(p) if procs[p].is_none() => {
                        let process = if let Some(running) = store.running() {
                            match store.open_for_writing(&running.id) {
                                Ok((lease, session)) => Process { session, lease: Some(lease) },
                                Err(LockError::Held { .. }) => Process { session: running, lease: None },
                                Err(e) => panic!("{e}"),
                            }
                        } else {
                            let session = session(i64::try_from(step).unwrap() + 1);
                            let lease = store.lock(&session.id).unwrap();
                            lease.save(&session).unwrap();
                            model.insert(session.id.clone(), session.clone());
                            Process { session, lease: Some(lease) }
                        };
                        procs[p] = Some(process);
                    }
                    Op::Open(_) => {}
                    Op::Kill(p) => procs[p] = None,
                    Op::Follow(p) => {
                        let Some(process) = procs[p].as_mut().filter(|p| p.lease.is_none()) else { continue };
                        match store.open_for_writing(&process.session.id) {
                            Ok((lease, session)) if !session.is_finished() => {
                                process.session = session;
                                process.lease = Some(lease);
                            }
                            Ok((_, session)) => process.session = session,
                            Err(LockError::Held { .. }) => process.session = store.load(&process.session.id).unwrap(),
                            Err(e) => panic!("{e}"),
                        }
                    }
                    Op::Note(p, _) | Op::Flag(p, _) | Op::Done(p, _) | Op::Grade(p) | Op::Finish(p) => {
                        let Some(process) = procs[p].as_mut() else { continue };
                        let Some(lease) = &process.lease else {
                            // Read-only: the change is refused, nothing is written.
                            continue;
                        };
                        // The change is made to what the process shows and,
                        // independently, to what the attempt must hold.
                        let edit = |s: &mut Session| match op {
                            Op::Note(_, c) => s.notes.push(c),
                            Op::Flag(_, i) => toggle(&mut s.flagged, i),
                            Op::Done(_, i) => toggle(&mut s.done, i),
                            Op::Grade(_) => s.grades.push(report(now)),
                            _ => s.finish(now),
                        };
                        edit(&mut process.session);
                        lease.save(&process.session).unwrap();
                        edit(model.get_mut(&process.session.id).unwrap());
                    }
                }
                let writers: Vec<&str> = procs.iter().flatten().filter_map(|p| p.lease.as_ref().map(Lease::id)).collect();
                let mut unique = writers.clone();
                unique.dedup();
                prop_assert_eq!(writers.len(), unique.len(), "two writers on one attempt");
                for (id, expected) in &model {
                    prop_assert_eq!(&store.load(id).unwrap(), expected);
                }
            }
        }
    }
}
