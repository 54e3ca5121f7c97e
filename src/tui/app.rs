//! The TUI's one state (`App`) and the messages that change it: `Action`
//! (what the user meant), `AppEvent` (a result of async work or the clock)
//! and `Effect` (a side effect for the event loop to run).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::clock::Clock;
use super::console::{Console, ConsoleAction, ConsoleEffect, ConsoleEvent};
use super::scores::PastScore;
use super::select::Selection;
use crate::cluster::addons::Presence;
use crate::library::addon::Addon;
use crate::library::scenario::{Domain, Scenario};
use crate::library::{Entry, Library};
use crate::report::Report;
use crate::session::{Mode, Session};

/// What the user meant, decoded from a key by `keys::action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    /// Enter: start the scenario (picker), zoom the task text (exam).
    Select,
    /// Esc: close, clear, go back.
    Back,
    Help,
    Quit,
    /// `y` in a confirmation.
    Confirm,
    /// `n` / Esc in a confirmation.
    Cancel,
    Flag,
    Done,
    Grade,
    /// Practice: grade now and show the selected task's criteria.
    Check,
    Shell,
    Pause,
    Hints,
    Language,
    /// Tab: into or out of the notes pane.
    Notes,
    /// Picker: exam ↔ practice.
    ToggleMode,
    /// Picker: the next or previous curriculum domain tab (←/→).
    NextDomain,
    PrevDomain,
    Type(char),
    Backspace,
    /// For the embedded terminal (while it has focus: every key).
    Console(ConsoleAction),
    /// F6: task panel ↔ terminal.
    FocusNext,
    /// F7: the focused panel over the whole body, and back.
    Zoom,
    /// `y`: type the selected text or the task's next object name into the
    /// terminal.
    TypeNames,
    /// Results: the finished attempt's terminal ↔ the results.
    ShowTerminal,
    /// A click, drag or wheel turn (moves alone are dropped by `keys::mouse`).
    Mouse(crossterm::event::MouseEvent),
}

/// A result of async work or of the clock, sent through the event channel.
#[derive(Debug)]
pub enum AppEvent {
    /// The once-a-second tick.
    Tick,
    /// The cluster's reachability: server version or why not.
    Probed(Result<String, String>),
    /// Whether the add-ons the library's scenarios declare are in place.
    AddonsFound(Vec<(Addon, Presence)>),
    Graded(Box<Graded>),
    /// The grade could not be computed at all (the grading task died).
    GradeFailed {
        session_id: String,
        reason: String,
    },
    /// SIGTERM, SIGHUP or SIGINT: save and leave.
    Signal(&'static str),
    /// The embedded terminal's shell: output, exit.
    Console(ConsoleEvent),
}

#[derive(Debug)]
pub struct Graded {
    pub session_id: String,
    pub purpose: Purpose,
    pub requested_at: DateTime<Utc>,
    pub report: Report,
}

/// Why a grade was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// The end of the attempt: finish the session, show the results.
    Final,
    /// Practice: a check of one task; the session goes on.
    Task(String),
}

/// A side effect for the event loop to run.
#[derive(Debug)]
pub enum Effect {
    /// Write the open session (atomically).
    Save,
    /// Save the session, fetch what the rubric needs, grade in the
    /// background, send `AppEvent::Graded`.
    Grade(Box<GradeRequest>),
    /// Check the cluster's reachability in the background.
    Probe,
    /// Suspend the TUI and run the user's shell.
    Shell(ShellRequest),
    /// Save and leave.
    Quit,
    /// Start, type into, resize or end the embedded terminal's shell.
    Console(ConsoleEffect),
}

#[derive(Debug, Clone)]
pub struct GradeRequest {
    pub session_id: String,
    pub purpose: Purpose,
    pub requested_at: DateTime<Utc>,
    pub entry: Entry,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellRequest {
    pub scenario: String,
    /// The first namespace the scenario owns.
    pub namespace: Option<String>,
    pub context: Option<String>,
    /// For the banner printed before the shell starts.
    pub time_left: std::time::Duration,
    pub session_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Picker,
    Exam,
    Results,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
    ConfirmGrade,
}

/// The cluster's reachability, checked in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Checking,
    Reachable(String),
    Unreachable(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Picker {
    pub filter: String,
    /// Only this curriculum domain (None: every domain).
    pub domain: Option<Domain>,
    /// Index into the filtered list.
    pub selected: usize,
    pub practice: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Tasks,
    Notes,
    Terminal,
}

/// A grade in flight (`async-github`'s loading state, per attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grading {
    Idle,
    Running {
        purpose: Purpose,
        since: DateTime<Utc>,
    },
}

/// The open attempt.
#[derive(Debug, Clone)]
pub struct Exam {
    pub session: Session,
    pub selected: usize,
    pub focus: Focus,
    /// Task text shown over the whole body.
    pub zoom: bool,
    pub text_scroll: u16,
    pub hints: bool,
    pub grading: Grading,
    /// Notes typed since the last save (saved on the next tick).
    pub notes_dirty: bool,
    pub results_scroll: u16,
    /// Which of the selected task's object names `y` types next.
    pub next_name: usize,
}

impl Exam {
    pub fn new(session: Session) -> Exam {
        Exam {
            session,
            selected: 0,
            focus: Focus::Tasks,
            zoom: false,
            text_scroll: 0,
            hints: false,
            grading: Grading::Idle,
            notes_dirty: false,
            results_scroll: 0,
            next_name: 0,
        }
    }

    pub fn is_grading(&self) -> bool {
        matches!(self.grading, Grading::Running { .. })
    }

    /// The newest grade (a practice check or the final one).
    pub fn last_grade(&self) -> Option<&Report> {
        self.session.result()
    }
}

/// Where the TUI opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    Picker,
    Start { id: String, mode: Mode },
}

pub struct App {
    pub library: Library,
    pub clock: Arc<dyn Clock>,
    pub context: Option<String>,
    pub reach: Reach,
    /// The add-ons found on the cluster (empty until the first probe answers).
    pub addons: BTreeMap<Addon, Presence>,
    pub lang: Lang,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub picker: Picker,
    pub exam: Option<Exam>,
    /// Finished attempts, for best scores.
    pub history: Vec<PastScore>,
    /// One line for the status bar (resumed, saved failed, checked…).
    pub message: Option<String>,
    pub quit: bool,
    /// Ticks since start, for the periodic reachability probe.
    pub ticks: u64,
    /// Set when another ckasim holds the open attempt: it is shown, never
    /// changed or saved here. The line says who holds it.
    pub read_only: Option<String>,
    /// The embedded terminal of the open attempt.
    pub console: Option<Console>,
    /// The screen's size, for the layout the terminal and the mouse follow.
    pub area: ratatui::layout::Rect,
    /// Task text selected with the mouse.
    pub selection: Option<Selection>,
}

impl App {
    pub fn new(
        library: Library,
        clock: Arc<dyn Clock>,
        context: Option<String>,
        history: Vec<PastScore>,
    ) -> App {
        App {
            library,
            clock,
            context,
            reach: Reach::Checking,
            addons: BTreeMap::new(),
            lang: Lang::En,
            screen: Screen::Picker,
            overlay: None,
            picker: Picker::default(),
            exam: None,
            history,
            message: None,
            quit: false,
            ticks: 0,
            read_only: None,
            console: None,
            area: ratatui::layout::Rect::new(0, 0, 80, 24),
            selection: None,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The scenario of the open attempt.
    pub fn entry(&self) -> Option<&Entry> {
        self.library.get(&self.exam.as_ref()?.session.scenario)
    }

    /// Library entries matching the picker's filter (id, title in any
    /// language, domain or difficulty, case-insensitive).
    pub fn filtered(&self) -> Vec<&Entry> {
        self.matching()
            .into_iter()
            .filter(|e| in_tab(self.picker.domain, &e.scenario))
            .collect()
    }

    /// Whether the add-ons are still to be looked for: none answered yet, or
    /// one could not be told (the cluster was unreachable).
    pub fn addons_to_probe(&self) -> bool {
        self.addons.is_empty()
            || self
                .addons
                .values()
                .any(|p| matches!(p, Presence::Unknown(_)))
    }

    /// Library entries matching the typed filter, in every domain.
    /// (A mock exam spans the domains: it is listed under All only.)
    pub fn matching(&self) -> Vec<&Entry> {
        let needle = self.picker.filter.to_lowercase();
        self.library
            .entries()
            .iter()
            .filter(|e| {
                let s = &e.scenario;
                needle.is_empty()
                    || s.id.to_lowercase().contains(&needle)
                    || s.title.en.to_lowercase().contains(&needle)
                    || s.title.translations.values().any(|t| t.contains(&needle))
                    || s.domain.title().to_lowercase().contains(&needle)
                    || s.difficulty.to_string().contains(&needle)
            })
            .collect()
    }

    /// Opens the TUI where the user asked, unless an attempt is still
    /// running: that one is resumed (graded at once if its time ran out).
    pub fn open(&mut self, launch: Launch, running: Option<Session>) -> Option<Effect> {
        if let Some(session) = running {
            if self.library.get(&session.scenario).is_some() {
                let expired = session.is_expired(self.now());
                self.message = Some(
                    self.read_only
                        .clone()
                        .unwrap_or_else(|| super::strings::resumed(&session.scenario, expired)),
                );
                self.screen = Screen::Exam;
                self.exam = Some(Exam::new(session));
                if expired {
                    return self.start_final_grade();
                }
                return None;
            }
            self.message = Some(super::strings::unknown_running(&session.scenario));
        }
        match launch {
            Launch::Picker => None,
            Launch::Start { id, mode } => self.start(&id, mode),
        }
    }

    /// Starts a new attempt at `id` now.
    pub fn start(&mut self, id: &str, mode: Mode) -> Option<Effect> {
        let Some(entry) = self.library.get(id) else {
            self.message = Some(super::strings::unknown_scenario(id));
            return None;
        };
        let session = Session::new(
            id,
            mode,
            crate::session::Origin::Tui,
            self.context.clone(),
            entry.scenario.time_limit,
            self.now(),
        );
        self.exam = Some(Exam::new(session));
        self.screen = Screen::Exam;
        self.overlay = None;
        Some(Effect::Save)
    }

    /// Ends the attempt: asks for the final grade (the session is finished
    /// when the grade arrives, at the time it was asked for, so a kill while
    /// grading leaves a running attempt to resume rather than a lost one).
    pub fn start_final_grade(&mut self) -> Option<Effect> {
        self.request_grade(Purpose::Final)
    }

    pub fn request_grade(&mut self, purpose: Purpose) -> Option<Effect> {
        if self.read_only.is_some() {
            return None;
        }
        let now = self.now();
        let entry = self.entry()?.clone();
        let exam = self.exam.as_mut()?;
        if exam.is_grading() || exam.session.is_finished() {
            return None;
        }
        exam.grading = Grading::Running {
            purpose: purpose.clone(),
            since: now,
        };
        exam.notes_dirty = false;
        Some(Effect::Grade(Box::new(GradeRequest {
            session_id: exam.session.id.clone(),
            purpose,
            requested_at: now,
            entry,
        })))
    }

    /// Time left on the open attempt; frozen while a final grade runs.
    pub fn time_left(&self) -> Option<std::time::Duration> {
        let exam = self.exam.as_ref()?;
        let at = match &exam.grading {
            Grading::Running {
                purpose: Purpose::Final,
                since,
            } => *since,
            _ => self.now(),
        };
        Some(exam.session.time_left(at))
    }
}

/// Whether the picker's domain tab `tab` (None = All) lists `scenario`: a
/// mock exam spans every domain, so only All lists it.
pub fn in_tab(tab: Option<Domain>, scenario: &Scenario) -> bool {
    match tab {
        None => true,
        Some(d) => !scenario.mock && scenario.domain == d,
    }
}
