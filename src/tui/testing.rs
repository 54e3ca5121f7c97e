//! Drives the real `App` through keys, ticks and async results without a
//! terminal or a runtime: effects run synchronously against a temporary
//! session store and a cluster port serving a fixture snapshot, so grading
//! is the real grader (gitui's `gitui_starts` shape).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::future::BoxFuture;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::app::{App, AppEvent, Effect, Graded, Launch, ShellRequest};
use super::clock::{Clock, ManualClock};
use super::port::ClusterPort;
use super::{keys, update};
use crate::library::{Library, Rubric};
use crate::report::Source;
use crate::session::Store;
use crate::snapshot::Snapshot;

/// 2026-03-01 09:00:00 UTC: every test starts here.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    // The solved capture with what its pods' observation commands printed.
    if name == "solved.json" {
        return PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/scenarios/secure-workspace/solved.json");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/secure-workspace")
        .join(name)
}

/// A cluster that serves one snapshot file.
pub struct FixturePort {
    pub snapshot: Snapshot,
}

impl FixturePort {
    pub fn file(name: &str) -> FixturePort {
        FixturePort {
            snapshot: Snapshot::read_files(&[fixture(name)]).unwrap(),
        }
    }
}

impl ClusterPort for FixturePort {
    fn context(&self) -> Option<String> {
        Some("kind-cka".into())
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, String>> {
        Box::pin(async { Ok("v1.33.1".to_string()) })
    }

    fn fetch(&self, _rubric: Rubric) -> BoxFuture<'static, Snapshot> {
        let s = self.snapshot.clone();
        Box::pin(async move { s })
    }
}

pub struct Harness {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub store: Store,
    pub port: Box<dyn ClusterPort>,
    pub shells: Vec<ShellRequest>,
    pub quit: bool,
    /// Grades asked for but not yet delivered (`deliver` hands them over).
    pub held: Vec<Effect>,
    /// Hold grades instead of delivering them at once.
    pub hold_grades: bool,
    pub home: tempfile::TempDir,
}

impl Harness {
    /// A fresh home, the built-in library, a cluster serving `solved.json`.
    pub fn new(launch: Launch) -> Harness {
        Harness::with(
            launch,
            Box::new(FixturePort::file("solved.json")),
            None,
            t0(),
        )
    }

    /// Opens at `now` on `home` (reusing its sessions, as a restart does)
    /// with `port`.
    pub fn with(
        launch: Launch,
        port: Box<dyn ClusterPort>,
        home: Option<tempfile::TempDir>,
        now: DateTime<Utc>,
    ) -> Harness {
        let home = home.unwrap_or_else(|| tempfile::tempdir().unwrap());
        let store = Store::new(home.path());
        let clock = Arc::new(ManualClock::new(now));
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let app = App::new(
            Library::builtin().unwrap(),
            dyn_clock,
            port.context(),
            super::scores::past_scores(&store),
        );
        let mut h = Harness {
            app,
            clock,
            store,
            port,
            shells: Vec::new(),
            quit: false,
            held: Vec::new(),
            hold_grades: false,
            home,
        };
        let running = h.store.running();
        let first = h.app.open(launch, running);
        h.run(first);
        h.run(Some(Effect::Probe));
        h
    }

    /// Leaves the harness, keeping its home for a restart.
    pub fn into_home(self) -> tempfile::TempDir {
        self.home
    }

    pub fn key(&mut self, code: KeyCode) {
        self.key_event(KeyEvent::new(code, KeyModifiers::NONE));
    }

    pub fn key_event(&mut self, key: KeyEvent) {
        if let Some(action) = keys::action(&self.app, key) {
            let effect = update::update(&mut self.app, action);
            self.run(effect);
        }
    }

    /// Types each character as a key press.
    pub fn type_keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Moves the clock and delivers one tick.
    pub fn tick_after(&mut self, by: Duration) {
        self.clock.advance(by);
        self.event(AppEvent::Tick);
    }

    pub fn event(&mut self, event: AppEvent) {
        let effect = update::receive(&mut self.app, event);
        self.run(effect);
    }

    /// Delivers held grades.
    pub fn deliver(&mut self) {
        self.hold_grades = false;
        for e in std::mem::take(&mut self.held) {
            self.run(Some(e));
        }
    }

    fn run(&mut self, effect: Option<Effect>) {
        let Some(effect) = effect else { return };
        match effect {
            Effect::Save => self.save(),
            Effect::Quit => {
                self.save();
                self.quit = true;
            }
            Effect::Probe => {
                let r = futures::executor::block_on(self.port.probe());
                self.event(AppEvent::Probed(r));
            }
            Effect::Shell(r) => self.shells.push(r),
            Effect::Grade(_) if self.hold_grades => self.held.push(effect),
            Effect::Grade(request) => {
                self.save();
                let snapshot =
                    futures::executor::block_on(self.port.fetch(request.entry.rubric.clone()));
                let report = crate::grade::grade(
                    &request.entry,
                    &snapshot,
                    self.clock.now(),
                    Source::Context {
                        context: "kind-cka".into(),
                    },
                );
                self.event(AppEvent::Graded(Box::new(Graded {
                    session_id: request.session_id,
                    purpose: request.purpose,
                    requested_at: request.requested_at,
                    report,
                })));
            }
        }
    }

    fn save(&self) {
        if let Some(exam) = &self.app.exam {
            self.store.save(&exam.session).unwrap();
        }
    }

    /// The screen at `width`×`height`.
    pub fn render(&self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|f| f.render_widget(&self.app, f.area()))
            .unwrap();
        terminal
    }

    /// The screen as text lines.
    pub fn text(&self, width: u16, height: u16) -> String {
        let t = self.render(width, height);
        let buf = t.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                out.push_str(sym);
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            }
            out.push('\n');
        }
        out
    }
}
