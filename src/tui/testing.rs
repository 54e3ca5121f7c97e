//! Drives the real `App` through keys, ticks and async results without a
//! terminal or a runtime: effects run synchronously against a temporary
//! session store and a cluster port serving a fixture snapshot, so grading
//! is the real grader (gitui's `gitui_starts` shape).

use crate::cluster::addons::Presence;
use crate::library::addon::Addon;
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
use super::console::{ConsoleEffect, ConsoleEvent};
use super::port::ClusterPort;
use super::pty::{self, Program, Pty, Sink};
use super::{keys, update};
use crate::library::{Library, Rubric};
use crate::report::Source;
use crate::session::Store;
use crate::snapshot::Snapshot;
use std::sync::mpsc::Receiver;

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
    /// What the add-on probe answers (nothing: not known).
    pub addons: Vec<(Addon, Presence)>,
}

impl FixturePort {
    pub fn file(name: &str) -> FixturePort {
        FixturePort {
            snapshot: Snapshot::read_files(&[fixture(name)]).unwrap(),
            addons: Vec::new(),
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

    fn addons(&self, wanted: Vec<Addon>) -> BoxFuture<'static, Vec<(Addon, Presence)>> {
        let found = self
            .addons
            .iter()
            .filter(|(a, _)| wanted.contains(a))
            .cloned()
            .collect();
        Box::pin(async move { found })
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
    /// What the embedded terminal runs; None: no shell is started and its
    /// effects are only recorded.
    pub terminal: Option<Program>,
    pub console_effects: Vec<ConsoleEffect>,
    pty: Option<(Pty, Receiver<ConsoleEvent>)>,
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
            terminal: None,
            console_effects: Vec::new(),
            pty: None,
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

    /// A mouse event at column `x`, row `y`.
    pub fn mouse(&mut self, kind: crossterm::event::MouseEventKind, x: u16, y: u16) {
        let event = crossterm::event::MouseEvent {
            kind,
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        };
        if let Some(action) = keys::mouse(&self.app, event) {
            let effect = update::update(&mut self.app, action);
            self.run(effect);
        }
    }

    /// Text pasted into the outer terminal (bracketed paste).
    pub fn paste(&mut self, text: &str) {
        let effect = update::console::paste(&mut self.app, text);
        self.run(effect);
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

    /// Runs `effect`, then what the terminal needs after the change (as
    /// the event loop does).
    fn run(&mut self, effect: Option<Effect>) {
        if let Some(effect) = effect {
            self.perform(effect);
        }
        if let Some(next) = update::console::sync(&mut self.app) {
            self.run(Some(next));
        }
    }

    /// A terminal running `program` from the start: the one started with
    /// the attempt is replaced.
    #[must_use]
    pub fn with_terminal(mut self, program: &[&str]) -> Harness {
        // No kubeconfig files: the same screens on every machine.
        self.terminal = Some(Program {
            argv: program.iter().map(ToString::to_string).collect(),
            kubeconfigs: Some(Vec::new()),
        });
        self.app.console = None;
        self.pty = None;
        let next = update::console::sync(&mut self.app);
        self.run(next);
        self
    }

    /// Delivers the terminal's output until `done` holds for the App or the
    /// shell exits (a guard of 10 s against a hung test, not a timing).
    pub fn pump_terminal(&mut self, done: impl Fn(&App) -> bool) {
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while !done(&self.app) {
            let Some((_, rx)) = &self.pty else { return };
            let left = until.saturating_duration_since(std::time::Instant::now());
            let Ok(event) = rx.recv_timeout(left) else {
                return;
            };
            let exited = matches!(event, ConsoleEvent::Exited { .. });
            self.event(AppEvent::Console(event));
            if exited {
                return;
            }
        }
    }

    /// The size of the screen the app is drawn on (the terminal follows).
    pub fn resize(&mut self, width: u16, height: u16) {
        self.app.area = ratatui::layout::Rect::new(0, 0, width, height);
        let next = update::console::sync(&mut self.app);
        self.run(next);
    }

    fn console(&mut self, effect: ConsoleEffect) {
        self.console_effects.push(effect.clone());
        let Some(program) = self.terminal.clone() else {
            return;
        };
        match effect {
            ConsoleEffect::Open(open) => {
                self.pty = None;
                let (tx, rx) = std::sync::mpsc::channel();
                let sink: Sink = Box::new(move |e, _permit| tx.send(e).is_ok());
                let dir = self.home.path().join("shell");
                let (started, event) = pty::open(&open, &dir, &program, sink);
                self.pty = started.map(|p| (p, rx));
                self.event(AppEvent::Console(event));
            }
            ConsoleEffect::Input(bytes) => {
                if let Some((p, _)) = self.pty.as_mut() {
                    p.write(&bytes).unwrap();
                }
            }
            ConsoleEffect::Resize { rows, cols } => {
                if let Some((p, _)) = self.pty.as_ref() {
                    p.resize(rows, cols);
                }
            }
            ConsoleEffect::Close => self.pty = None,
            ConsoleEffect::Copy(_) => {}
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Console(c) => self.console(c),
            Effect::Save => self.save(),
            Effect::Quit => {
                self.save();
                self.quit = true;
            }
            Effect::Probe => {
                let r = futures::executor::block_on(self.port.probe());
                self.event(AppEvent::Probed(r));
                // As the runner: the add-ons once, with the first probe.
                let wanted = self.app.library.addons();
                if self.app.addons_to_probe() && !wanted.is_empty() {
                    let found = futures::executor::block_on(self.port.addons(wanted));
                    self.event(AppEvent::AddonsFound(found));
                }
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
