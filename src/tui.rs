//! The TUI: scenario picker, timed exam screen, results — ratatui on
//! crossterm, driven by tokio.
//!
//! Elm shape: one `App` (app.rs); `update`/`receive` (update.rs) turn an
//! `Action` (a key's meaning, keys.rs) or an `AppEvent` (tick, probe,
//! grade, signal) into state and at most one `Effect`; the view (view.rs)
//! only draws. This file is the loop: it owns the terminal, the event
//! channel and the session store, and runs effects.

pub mod app;
pub mod clock;
pub mod console;
pub mod event;
pub mod keys;
pub mod layout;
pub mod markdown;
pub mod port;
pub mod pty;
pub mod scores;
pub mod select;
pub mod shell;
pub mod strings;
pub mod terminal;
#[cfg(test)]
pub mod testing;
pub mod update;
pub mod view;
pub mod wrap;

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::library::Library;
use crate::report::Source;
use crate::session::{Lease, LockError, Session, Store};
use app::{App, AppEvent, Effect, GradeRequest, Graded, Launch, ShellRequest};
use clock::{Clock, SystemClock};
use event::Message;
pub use port::{ClusterPort, Offline};

/// What `ckasim` / `ckasim start` hand to the TUI.
pub struct Options {
    pub library: Library,
    pub launch: Launch,
    /// `CKASIM_HOME`: sessions are kept under it.
    pub home: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("{}", strings::NO_TERMINAL)]
    NoTerminal,
    #[error("cannot use the terminal: {0}")]
    Terminal(std::io::Error),
}

/// Runs the TUI until the user quits (exit code 0) or a signal arrives.
pub async fn run(options: Options, cluster: Arc<dyn ClusterPort>) -> Result<u8, TuiError> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(TuiError::NoTerminal);
    }
    let store = Store::new(&options.home);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut app = App::new(
        options.library,
        clock.clone(),
        cluster.context(),
        scores::past_scores(&store),
    );
    let (running, lease) = take_running(&store, &mut app);
    let first = app.open(options.launch, running);

    terminal::install_panic_hook();
    let mut tty = terminal::enter().map_err(TuiError::Terminal)?;
    let _restore = terminal::Restore;

    let (tx, mut rx) = unbounded_channel();
    let mut input = Some(event::spawn_input(tx.clone()));
    let ticks = event::spawn_ticks(tx.clone());
    let signals = event::spawn_signals(tx.clone());
    let mut runner = Runner {
        store,
        lease,
        cluster,
        clock,
        tx,
        shell_dir: options.home.join("shell"),
    };
    let mut shell: Option<shell::Running> = None;
    let mut terminal_pty: Option<pty::Pty> = None;
    if let Ok(size) = tty.size() {
        app.area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    }
    let mut pending: Vec<Effect> = std::iter::once(Effect::Probe).chain(first).collect();
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;

    loop {
        loop {
            pending.extend(update::console::sync(&mut app));
            if pending.is_empty() {
                break;
            }
            for effect in std::mem::take(&mut pending) {
                if let Effect::Console(c) = effect {
                    if let Some(event) = runner.console(c, &mut terminal_pty) {
                        pending.extend(update::receive(&mut app, AppEvent::Console(event)));
                    }
                    continue;
                }
                let Some(request) = runner.perform(effect, &mut app) else {
                    continue;
                };
                if shell.is_some() {
                    continue;
                }
                if let Some(task) = input.take() {
                    task.abort();
                }
                terminal::leave();
                match shell::spawn(&request, &runner.shell_dir) {
                    Ok(running) => shell = Some(running),
                    Err(e) => {
                        app.message = Some(e.to_string());
                        resume_terminal(&mut tty, &mut input, &runner.tx)?;
                    }
                }
            }
        }
        if app.quit {
            break;
        }
        // Redraws are coalesced to one a frame: a flood of terminal output
        // costs one draw per frame, not one per chunk.
        let drawable = dirty && shell.is_none();
        if drawable && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            tty.draw(|frame| frame.render_widget(&app, frame.area()))
                .map_err(TuiError::Terminal)?;
            dirty = false;
            last_draw = Some(Instant::now());
        }
        let next_frame = last_draw
            .filter(|_| dirty && shell.is_none())
            .map(|t| t + FRAME);
        let message = tokio::select! {
            m = rx.recv() => m,
            () = wait_shell(&mut shell) => {
                if let Some(done) = shell.take() {
                    done.cleanup();
                }
                resume_terminal(&mut tty, &mut input, &runner.tx)?;
                pending.push(Effect::Probe);
                dirty = true;
                continue;
            }
            () = sleep_until(next_frame) => continue,
        };
        let Some(message) = message else { break };
        // Apply what else is already waiting before drawing.
        let mut message = Some(message);
        for _ in 0..=BATCH {
            let Some(m) = message.take().or_else(|| rx.try_recv().ok()) else {
                break;
            };
            if matches!(m, Message::App(AppEvent::Tick)) && app.read_only.is_some() {
                runner.follow(&mut app);
                dirty = true;
            }
            dirty |= handle(&mut app, m, shell.is_some(), &mut pending);
        }
    }

    for task in [Some(ticks), Some(signals), input].into_iter().flatten() {
        task.abort();
    }
    drop(terminal_pty);
    if let Some(running) = shell {
        running.cleanup();
    }
    Ok(0)
}

/// The running attempt, if any, taken for writing; when another ckasim
/// holds it, it is shown read-only and the app says who holds it.
fn take_running(store: &Store, app: &mut App) -> (Option<Session>, Option<Lease>) {
    let Some(running) = store.running() else {
        return (None, None);
    };
    match store.open_for_writing(&running.id) {
        Ok((lease, session)) => (Some(session), Some(lease)),
        Err(LockError::Held { holder, .. }) => {
            app.read_only = Some(strings::read_only(&holder.to_string()));
            (Some(running), None)
        }
        Err(e) => {
            app.read_only = Some(strings::cannot_lock(&e.to_string()));
            (Some(running), None)
        }
    }
}

/// At most one frame this often (60 per second).
const FRAME: Duration = Duration::from_millis(16);
/// Messages applied between two draws at most.
const BATCH: usize = 256;

/// Applies one message; says whether the screen may have changed.
fn handle(app: &mut App, message: Message, in_shell: bool, pending: &mut Vec<Effect>) -> bool {
    use crossterm::event::Event;
    match message {
        Message::Input(Event::Key(key)) if !in_shell => {
            let Some(action) = keys::action(app, key) else {
                return false;
            };
            // A key typed into the live terminal changes nothing on screen
            // until its echo arrives: drawing now would only delay that
            // echo's frame.
            let typed = matches!(action, app::Action::Console(console::ConsoleAction::Key(_)))
                && app.console.as_ref().is_some_and(|c| c.scrolled() == 0);
            pending.extend(update::update(app, action));
            return !typed;
        }
        Message::Input(Event::Mouse(m)) if !in_shell => match keys::mouse(app, m) {
            Some(action) => pending.extend(update::update(app, action)),
            None => return false,
        },
        Message::Input(Event::Paste(text)) if !in_shell => {
            pending.extend(update::console::paste(app, &text));
        }
        Message::Input(Event::Resize(w, h)) => {
            app.area = ratatui::layout::Rect::new(0, 0, w, h);
        }
        Message::Input(_) => {}
        // Ctrl-C inside the shell belongs to the shell.
        Message::App(AppEvent::Signal("SIGINT")) if in_shell => {}
        Message::App(event) => pending.extend(update::receive(app, event)),
        Message::Pty(event, _permit) => {
            pending.extend(update::receive(app, AppEvent::Console(event)));
        }
    }
    true
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

async fn wait_shell(shell: &mut Option<shell::Running>) {
    match shell {
        Some(running) => {
            let _ = running.child.wait().await;
        }
        None => std::future::pending().await,
    }
}

fn resume_terminal(
    tty: &mut terminal::Tty,
    input: &mut Option<tokio::task::JoinHandle<()>>,
    tx: &UnboundedSender<Message>,
) -> Result<(), TuiError> {
    let fresh = terminal::enter().map_err(TuiError::Terminal)?;
    *tty = fresh;
    tty.clear().map_err(TuiError::Terminal)?;
    *input = Some(event::spawn_input(tx.clone()));
    Ok(())
}

/// Runs effects: the only place the TUI writes sessions or talks to the
/// cluster.
struct Runner {
    store: Store,
    /// The attempt this ckasim may write.
    lease: Option<Lease>,
    cluster: Arc<dyn ClusterPort>,
    clock: Arc<dyn Clock>,
    tx: UnboundedSender<Message>,
    shell_dir: PathBuf,
}

impl Runner {
    /// Runs `effect`; a shell request is handed back because it needs the
    /// terminal, which the loop owns.
    fn perform(&mut self, effect: Effect, app: &mut App) -> Option<ShellRequest> {
        match effect {
            Effect::Save | Effect::Quit => self.save(app),
            Effect::Grade(request) => {
                self.save(app);
                self.grade(*request);
            }
            Effect::Probe => {
                let probe = self.cluster.probe();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Message::App(AppEvent::Probed(probe.await)));
                });
                if app.addons_to_probe() {
                    let wanted = app.library.addons();
                    if !wanted.is_empty() {
                        let found = self.cluster.addons(wanted);
                        let tx = self.tx.clone();
                        tokio::spawn(async move {
                            let _ = tx.send(Message::App(AppEvent::AddonsFound(found.await)));
                        });
                    }
                }
            }
            Effect::Shell(request) => return Some(request),
            // Run by the loop, which owns the pseudo-terminal.
            Effect::Console(_) => {}
        }
        None
    }

    /// A read-only attempt, once a second: shown as its holder last saved
    /// it, and taken over (read again under the lock) once the holder is
    /// gone and the attempt still runs.
    fn follow(&mut self, app: &mut App) {
        let Some(exam) = app.exam.as_mut() else {
            return;
        };
        match self.store.open_for_writing(&exam.session.id) {
            Ok((lease, session)) if !session.is_finished() => {
                exam.session = session;
                self.lease = Some(lease);
                app.read_only = None;
                app.message = Some(strings::TAKEN_OVER.into());
            }
            Ok((_, session)) => exam.session = session,
            Err(_) => {
                if let Ok(session) = self.store.load(&exam.session.id) {
                    exam.session = session;
                }
            }
        }
    }

    /// Runs a side effect on the embedded terminal; starting one answers
    /// with an event (started or failed).
    fn console(
        &self,
        effect: console::ConsoleEffect,
        pty: &mut Option<pty::Pty>,
    ) -> Option<console::ConsoleEvent> {
        use console::ConsoleEffect;
        match effect {
            ConsoleEffect::Open(open) => {
                // The earlier shell ends (and its kubeconfig goes) first.
                *pty = None;
                let tx = self.tx.clone();
                let sink: pty::Sink =
                    Box::new(move |event, permit| tx.send(Message::Pty(event, permit)).is_ok());
                let (started, event) =
                    pty::open(&open, &self.shell_dir, &pty::Program::default(), sink);
                *pty = started;
                Some(event)
            }
            ConsoleEffect::Input(bytes) => {
                if let Some(p) = pty.as_mut() {
                    let _ = p.write(&bytes);
                }
                None
            }
            ConsoleEffect::Resize { rows, cols } => {
                if let Some(p) = pty.as_ref() {
                    p.resize(rows, cols);
                }
                None
            }
            ConsoleEffect::Close => {
                *pty = None;
                None
            }
            ConsoleEffect::Copy(text) => {
                use std::io::Write as _;
                let mut out = std::io::stdout();
                let _ = out.write_all(select::osc52(&text).as_bytes());
                let _ = out.flush();
                None
            }
        }
    }

    /// Saves the open attempt under its lease, taking the lease of a new
    /// attempt first; a read-only attempt is never written.
    fn save(&mut self, app: &mut App) {
        let Some(exam) = &app.exam else { return };
        if app.read_only.is_some() {
            return;
        }
        if self
            .lease
            .as_ref()
            .is_none_or(|l| l.id() != exam.session.id)
        {
            self.lease = None;
            match self.store.lock(&exam.session.id) {
                Ok(lease) => self.lease = Some(lease),
                Err(e) => {
                    app.message = Some(strings::save_failed(&e.to_string()));
                    return;
                }
            }
        }
        if let Some(lease) = &self.lease
            && let Err(e) = lease.save(&exam.session)
        {
            app.message = Some(strings::save_failed(&e.to_string()));
        }
    }

    fn grade(&self, request: GradeRequest) {
        let fetch = self.cluster.fetch(request.entry.rubric.clone());
        let source = Source::Context {
            context: self
                .cluster
                .context()
                .unwrap_or_else(|| strings::NO_CONTEXT.into()),
        };
        let clock = self.clock.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let snapshot = fetch.await;
            let GradeRequest {
                session_id,
                purpose,
                requested_at,
                entry,
            } = request;
            let graded = tokio::task::spawn_blocking(move || {
                crate::grade::grade(&entry, &snapshot, clock.now(), source)
            })
            .await;
            let event = match graded {
                Ok(report) => AppEvent::Graded(Box::new(Graded {
                    session_id,
                    purpose,
                    requested_at,
                    report,
                })),
                Err(e) => AppEvent::GradeFailed {
                    session_id,
                    reason: e.to_string(),
                },
            };
            let _ = tx.send(Message::App(event));
        });
    }
}
