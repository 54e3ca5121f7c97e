//! Sessions: one attempt at a scenario — its clock, marks, notes and every
//! grade — kept as one JSON file per session under `<home>/sessions/`,
//! rewritten atomically after every change so that a crash or a kill loses
//! nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::report::Report;

mod lock;
pub use lock::{Holder, Lease, LockError};

/// Version of the session file format; files of other versions are skipped.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Rubric hidden, one grade at the end (or when time runs out).
    Exam,
    /// Check tasks any time, hints, pause.
    Practice,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Exam => "exam",
            Mode::Practice => "practice",
        })
    }
}

/// How the attempt was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A timed session in the TUI.
    Tui,
    /// `ckasim grade … --record`.
    GradeRecord,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    /// Unique, sortable by start time: `20261123T160700Z-secure-workspace`.
    pub id: String,
    pub scenario: String,
    pub mode: Mode,
    pub origin: Origin,
    /// Kubeconfig context graded, if any.
    pub context: Option<String>,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    /// Set when the exam ended (graded at the end, time ran out, or given up).
    pub finished_at: Option<DateTime<Utc>>,
    /// Practice mode: when the current pause began. Time paused is added to
    /// the deadline when the pause ends.
    #[serde(default)]
    pub paused_at: Option<DateTime<Utc>>,
    /// Task ids the candidate flagged for review.
    #[serde(default)]
    pub flagged: BTreeSet<String>,
    /// Task ids the candidate marked done.
    #[serde(default)]
    pub done: BTreeSet<String>,
    /// The candidate's notes pane.
    #[serde(default)]
    pub notes: String,
    /// Every grade, oldest first; the last one is the attempt's result.
    #[serde(default)]
    pub grades: Vec<Report>,
}

impl Session {
    /// A new session starting `now`.
    pub fn new(
        scenario: &str,
        mode: Mode,
        origin: Origin,
        context: Option<String>,
        limit: Duration,
        now: DateTime<Utc>,
    ) -> Session {
        let limit = chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::zero());
        Session {
            version: FORMAT_VERSION,
            id: format!("{}-{scenario}", now.format("%Y%m%dT%H%M%S%.3fZ")),
            scenario: scenario.to_string(),
            mode,
            origin,
            context,
            started_at: now,
            deadline: now + limit,
            finished_at: None,
            paused_at: None,
            flagged: BTreeSet::new(),
            done: BTreeSet::new(),
            notes: String::new(),
            grades: Vec::new(),
        }
    }

    /// Time left at `now`: `deadline − now`, frozen while paused, never negative.
    pub fn time_left(&self, now: DateTime<Utc>) -> Duration {
        let at = self.paused_at.unwrap_or(now);
        let at = self.finished_at.map_or(at, |f| f.min(at));
        (self.deadline - at).to_std().unwrap_or(Duration::ZERO)
    }

    pub fn is_finished(&self) -> bool {
        self.finished_at.is_some()
    }

    /// Whether the clock has run out on an unfinished session.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        !self.is_finished() && self.time_left(now).is_zero()
    }

    pub fn pause(&mut self, now: DateTime<Utc>) {
        if self.paused_at.is_none() && !self.is_finished() {
            self.paused_at = Some(now);
        }
    }

    pub fn resume(&mut self, now: DateTime<Utc>) {
        if let Some(p) = self.paused_at.take() {
            self.deadline += (now - p).max(chrono::Duration::zero());
        }
    }

    pub fn finish(&mut self, now: DateTime<Utc>) {
        self.resume(now);
        if self.finished_at.is_none() {
            self.finished_at = Some(now.min(self.deadline));
        }
    }

    /// The attempt's result: the last grade.
    pub fn result(&self) -> Option<&Report> {
        self.grades.last()
    }

    /// Time used: from start to the end (or `now`), pauses excluded.
    pub fn time_used(&self, now: DateTime<Utc>, limit: Duration) -> Duration {
        limit.saturating_sub(self.time_left(now))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("{file}: cannot read session: {reason}")]
    Read { file: String, reason: String },
    #[error("{file}: not a session file: {reason}")]
    Corrupt { file: String, reason: String },
    #[error(
        "{file}: session format version {found} is not supported (this ckasim reads version {FORMAT_VERSION})"
    )]
    Version { file: String, found: u64 },
    #[error("{file}: cannot write session: {reason}")]
    Write { file: String, reason: String },
    #[error("no session '{0}' (see 'ckasim history')")]
    NotFound(String),
}

/// The session files under `<home>/sessions`.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(home: &Path) -> Store {
        Store {
            dir: home.join("sessions"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Writes the session atomically (temporary file, fsync, rename).
    pub fn save(&self, session: &Session) -> Result<(), SessionError> {
        let path = self.path(&session.id);
        let json = serde_json::to_vec_pretty(session).map_err(|e| SessionError::Write {
            file: path.display().to_string(),
            reason: e.to_string(),
        })?;
        crate::paths::write_atomic(&path, &json).map_err(|e| SessionError::Write {
            file: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    pub fn load(&self, id: &str) -> Result<Session, SessionError> {
        let path = self.path(id);
        if !path.exists() {
            return Err(SessionError::NotFound(id.to_string()));
        }
        read(&path)
    }

    /// Every readable session, newest first, and a problem per unreadable
    /// file (named, skipped, never deleted).
    pub fn list(&self) -> (Vec<Session>, Vec<SessionError>) {
        let mut sessions = Vec::new();
        let mut problems = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return (sessions, problems);
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_session = path.extension().is_some_and(|e| e == "json")
                && !path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'));
            if !is_session {
                continue;
            }
            match read(&path) {
                Ok(s) => sessions.push(s),
                Err(e) => problems.push(e),
            }
        }
        sessions.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        (sessions, problems)
    }

    /// The newest TUI session that is still running (not finished), if any.
    pub fn running(&self) -> Option<Session> {
        self.list()
            .0
            .into_iter()
            .find(|s| s.origin == Origin::Tui && !s.is_finished())
    }

    /// `last` or a session id.
    pub fn resolve(&self, which: &str) -> Result<Session, SessionError> {
        if which == "last" {
            return self
                .list()
                .0
                .into_iter()
                .next()
                .ok_or_else(|| SessionError::NotFound("last".into()));
        }
        self.load(which)
    }
}

fn read(path: &Path) -> Result<Session, SessionError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SessionError::Read {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| SessionError::Corrupt {
            file: file.clone(),
            reason: e.to_string(),
        })?;
    let version = value
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if version != u64::from(FORMAT_VERSION) {
        return Err(SessionError::Version {
            file,
            found: version,
        });
    }
    serde_json::from_value(value).map_err(|e| SessionError::Corrupt {
        file,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).single().unwrap()
    }

    #[test]
    fn time_left_is_deadline_minus_now_and_pauses_freeze_it() {
        let mut s = Session::new(
            "x",
            Mode::Practice,
            Origin::Tui,
            None,
            Duration::from_secs(600),
            t(0),
        );
        assert_eq!(s.time_left(t(60)), Duration::from_secs(540));
        s.pause(t(60));
        assert_eq!(s.time_left(t(300)), Duration::from_secs(540));
        s.resume(t(300));
        assert_eq!(s.time_left(t(300)), Duration::from_secs(540));
        assert_eq!(s.time_left(t(10_000)), Duration::ZERO);
        assert!(s.is_expired(t(10_000)));
        s.finish(t(400));
        assert_eq!(s.time_left(t(10_000)), Duration::from_secs(440));
        assert!(!s.is_expired(t(10_000)));
    }

    #[test]
    fn store_round_trips_lists_newest_first_and_skips_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let a = Session::new(
            "a",
            Mode::Exam,
            Origin::Tui,
            None,
            Duration::from_secs(60),
            t(0),
        );
        let mut b = Session::new(
            "b",
            Mode::Exam,
            Origin::GradeRecord,
            None,
            Duration::from_secs(60),
            t(10),
        );
        b.finish(t(20));
        store.save(&a).unwrap();
        store.save(&b).unwrap();
        std::fs::write(store.dir().join("broken.json"), b"{ not json").unwrap();
        std::fs::write(store.dir().join("future.json"), br#"{"version": 99}"#).unwrap();
        let (sessions, problems) = store.list();
        assert_eq!(
            sessions
                .iter()
                .map(|s| s.scenario.as_str())
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(problems.len(), 2);
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|p| p.contains("broken.json: not a session file")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|p| p.contains("future.json: session format version 99")),
            "{text:?}"
        );
        // Bad files are left where they are.
        assert!(store.dir().join("broken.json").exists());
        assert_eq!(store.load(&a.id).unwrap(), a);
        assert_eq!(store.running().unwrap().id, a.id);
        assert_eq!(store.resolve("last").unwrap().id, b.id);
        assert!(matches!(
            store.resolve("nope"),
            Err(SessionError::NotFound(_))
        ));
    }
}
