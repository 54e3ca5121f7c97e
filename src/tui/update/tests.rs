//! State tests: key presses and events through `update`/`receive`, checked
//! on the App, the saved session and the screen.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::session::Mode;
use crate::tui::app::{AppEvent, Focus, Grading, Launch, Overlay, Purpose, Screen};
use crate::tui::strings;
use crate::tui::testing::{FixturePort, Harness, t0};

const MIN: Duration = Duration::from_secs(60);

fn start(mode: Mode) -> Harness {
    Harness::new(Launch::Start {
        id: "secure-workspace".into(),
        mode,
    })
}

fn saved(h: &Harness) -> crate::session::Session {
    let id = &h.app.exam.as_ref().unwrap().session.id;
    h.store.load(id).unwrap()
}

#[test]
fn starting_writes_the_session_with_a_deadline_from_the_time_limit() {
    let h = start(Mode::Exam);
    assert_eq!(h.app.screen, Screen::Exam);
    let s = saved(&h);
    assert_eq!(s.scenario, "secure-workspace");
    assert_eq!(s.context.as_deref(), Some("kind-cka"));
    assert_eq!(s.deadline - s.started_at, chrono::Duration::minutes(35));
    assert!(h.text(80, 24).contains("time left  35:00"));
}

#[test]
fn flag_and_done_toggle_on_the_selected_task_and_are_saved() {
    let mut h = start(Mode::Exam);
    h.type_keys("jf");
    h.type_keys("d");
    let s = saved(&h);
    assert_eq!(s.flagged.iter().collect::<Vec<_>>(), ["service-account"]);
    assert_eq!(s.done.iter().collect::<Vec<_>>(), ["service-account"]);
    h.type_keys("f");
    assert!(saved(&h).flagged.is_empty());
    let screen = h.text(80, 24);
    assert!(screen.contains("▸✓  2. A ServiceAccount"), "{screen}");
}

#[test]
fn navigation_stays_inside_the_task_list_and_enter_zooms() {
    let mut h = start(Mode::Exam);
    h.type_keys("k");
    assert_eq!(h.app.exam.as_ref().unwrap().selected, 0);
    h.type_keys("jjjjjjjj");
    assert_eq!(h.app.exam.as_ref().unwrap().selected, 4);
    h.key(KeyCode::Up);
    assert_eq!(h.app.exam.as_ref().unwrap().selected, 3);
    h.key(KeyCode::Enter);
    assert!(h.app.exam.as_ref().unwrap().zoom);
    assert!(!h.text(80, 24).contains("Tasks"));
    h.key(KeyCode::Esc);
    assert!(!h.app.exam.as_ref().unwrap().zoom);
}

#[test]
fn the_picker_filters_by_typing_and_starts_the_selection() {
    let mut h = Harness::new(Launch::Picker);
    assert_eq!(h.app.screen, Screen::Picker);
    h.type_keys("zzz");
    assert!(h.app.filtered().is_empty());
    assert!(h.text(80, 24).contains(strings::NO_MATCH));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Picker);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.picker.filter, "");
    // `q` is typed once a filter is under way, and quits only when none is.
    h.type_keys("secure-work");
    h.type_keys("q");
    assert_eq!(h.app.picker.filter, "secure-workq");
    h.key(KeyCode::Backspace);
    assert_eq!(h.app.filtered().len(), 1);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Exam);
    assert_eq!(saved(&h).mode, Mode::Practice);
}

#[test]
fn quit_asks_first_and_saves_notes_on_the_way_out() {
    let mut h = start(Mode::Exam);
    h.key(KeyCode::Tab);
    h.type_keys("check sa");
    h.key(KeyCode::Esc);
    h.type_keys("q");
    assert_eq!(h.app.overlay, Some(Overlay::ConfirmQuit));
    assert!(h.text(80, 24).contains("The exam keeps running"));
    h.type_keys("n");
    assert_eq!(h.app.overlay, None);
    assert!(!h.quit);
    h.key_event(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    h.type_keys("y");
    assert!(h.quit);
    assert_eq!(saved(&h).notes, "check sa");
    assert!(!saved(&h).is_finished());
}

#[test]
fn notes_typed_are_saved_by_the_next_tick() {
    let mut h = start(Mode::Exam);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.exam.as_ref().unwrap().focus, Focus::Notes);
    // In the notes pane, letters are text, not commands.
    h.type_keys("fq");
    h.key(KeyCode::Enter);
    h.type_keys("x");
    assert_eq!(h.app.overlay, None);
    assert_eq!(saved(&h).notes, "");
    h.tick_after(Duration::from_secs(1));
    assert_eq!(saved(&h).notes, "fq\nx");
    assert!(saved(&h).flagged.is_empty());
}

#[test]
fn practice_check_grades_now_and_shows_the_task_criteria() {
    let mut h = start(Mode::Practice);
    h.type_keys("jc");
    assert_eq!(
        h.app.message.as_deref(),
        Some("Checked 'service-account': 15/15.")
    );
    let s = saved(&h);
    assert_eq!(s.grades.len(), 1);
    assert!(!s.is_finished());
    assert_eq!(h.app.screen, Screen::Exam);
    let screen = h.text(120, 40);
    assert!(
        screen.contains("15/15 Namespace and ServiceAccount"),
        "{screen}"
    );
    assert!(
        screen.contains("▸   2. A ServiceAccount without a… 15/15┃"),
        "{screen}"
    );
}

#[test]
fn exam_mode_has_no_checks_hints_or_pause() {
    let mut h = start(Mode::Exam);
    h.type_keys("c");
    assert_eq!(h.app.message.as_deref(), Some(strings::PRACTICE_ONLY));
    h.type_keys("hp");
    let s = saved(&h);
    assert!(s.grades.is_empty());
    assert!(s.paused_at.is_none());
}

#[test]
fn pause_freezes_the_clock_in_practice() {
    let mut h = start(Mode::Practice);
    h.tick_after(5 * MIN);
    h.type_keys("p");
    h.tick_after(10 * MIN);
    assert_eq!(h.app.time_left(), Some(30 * MIN));
    assert!(h.text(80, 24).contains("PAUSED 30:00"));
    h.type_keys("c");
    assert_eq!(h.app.message.as_deref(), Some(strings::PAUSED_NO_CHECK));
    h.type_keys("p");
    h.tick_after(MIN);
    assert_eq!(h.app.time_left(), Some(29 * MIN));
    assert_eq!(saved(&h).deadline, t0() + chrono::Duration::minutes(45));
}

#[test]
fn grade_asks_first_then_shows_the_results() {
    let mut h = start(Mode::Exam);
    h.type_keys("g");
    assert_eq!(h.app.overlay, Some(Overlay::ConfirmGrade));
    h.type_keys("n");
    assert_eq!(h.app.screen, Screen::Exam);
    h.clock.advance(10 * MIN);
    h.type_keys("gy");
    assert_eq!(h.app.screen, Screen::Results);
    let s = saved(&h);
    assert_eq!(s.finished_at, Some(t0() + chrono::Duration::minutes(10)));
    assert_eq!(s.result().unwrap().score, 100);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.screen, Screen::Picker);
    // The best score stands beside the scenario in the picker.
    h.type_keys("secure-work");
    assert!(h.text(80, 24).contains("100/100"));
}

#[test]
fn grading_in_progress_is_shown_and_freezes_the_clock() {
    let mut h = start(Mode::Exam);
    h.hold_grades = true;
    h.clock.advance(3 * MIN);
    h.type_keys("gy");
    assert!(matches!(
        h.app.exam.as_ref().unwrap().grading,
        Grading::Running {
            purpose: Purpose::Final,
            ..
        }
    ));
    h.tick_after(Duration::from_secs(2));
    let screen = h.text(80, 24);
    assert!(
        screen.contains("Grading the exam: reading the cluster… 2s"),
        "{screen}"
    );
    assert!(screen.contains("32:00"), "{screen}");
    // A second `g` does not start a second grade.
    h.type_keys("g");
    assert_eq!(h.app.overlay, None);
    h.deliver();
    assert_eq!(h.app.screen, Screen::Results);
}

#[test]
fn time_running_out_grades_automatically() {
    let mut h = start(Mode::Exam);
    h.tick_after(34 * MIN);
    assert_eq!(h.app.screen, Screen::Exam);
    h.tick_after(MIN + Duration::from_secs(2));
    assert_eq!(h.app.screen, Screen::Results);
    let s = saved(&h);
    assert_eq!(s.finished_at, Some(s.deadline));
    assert_eq!(s.result().unwrap().score, 100);
}

#[test]
fn restarting_resumes_the_running_exam_with_the_stored_deadline() {
    let mut h = start(Mode::Exam);
    h.type_keys("jf");
    let id = saved(&h).id;
    // The process dies without another save (kill -9).
    let home = h.into_home();
    let later = t0() + chrono::Duration::minutes(12);
    let h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        Some(home),
        later,
    );
    assert_eq!(h.app.screen, Screen::Exam);
    let exam = h.app.exam.as_ref().unwrap();
    assert_eq!(exam.session.id, id);
    assert!(exam.session.flagged.contains("service-account"));
    assert_eq!(h.app.time_left(), Some(23 * MIN));
    let screen = h.text(80, 24);
    assert!(screen.contains("23:00"), "{screen}");
    assert!(screen.contains("Resumed the running attempt"), "{screen}");
}

#[test]
fn an_expired_attempt_found_at_start_is_graded_at_once() {
    let h = start(Mode::Exam);
    let home = h.into_home();
    let h = Harness::with(
        Launch::Start {
            id: "secure-workspace".into(),
            mode: Mode::Exam,
        },
        Box::new(FixturePort::file("pods-pending.json")),
        Some(home),
        t0() + chrono::Duration::hours(3),
    );
    assert_eq!(h.app.screen, Screen::Results);
    let s = saved(&h);
    assert_eq!(s.finished_at, Some(s.deadline));
    assert_eq!(s.result().unwrap().score, 85);
    // No second attempt was started.
    assert_eq!(h.store.list().0.len(), 1);
}

#[test]
fn a_kill_while_grading_leaves_an_attempt_to_resume() {
    let mut h = start(Mode::Exam);
    h.hold_grades = true;
    h.type_keys("gy");
    let home = h.into_home();
    let h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        Some(home),
        t0() + MIN,
    );
    assert_eq!(h.app.screen, Screen::Exam);
}

#[test]
fn shell_is_an_effect_with_the_scenario_namespace_and_context() {
    let mut h = start(Mode::Exam);
    h.clock.advance(MIN);
    h.type_keys("s");
    assert_eq!(h.shells.len(), 1);
    let r = &h.shells[0];
    assert_eq!(r.scenario, "secure-workspace");
    assert_eq!(r.namespace.as_deref(), Some("secure-workspace"));
    assert_eq!(r.context.as_deref(), Some("kind-cka"));
    assert_eq!(r.time_left, 34 * MIN);
}

#[test]
fn a_signal_saves_and_leaves() {
    let mut h = start(Mode::Exam);
    h.key(KeyCode::Tab);
    h.type_keys("n");
    h.event(AppEvent::Signal("SIGTERM"));
    assert!(h.quit);
    assert_eq!(saved(&h).notes, "n");
}

#[test]
fn help_opens_and_closes() {
    let mut h = start(Mode::Exam);
    h.type_keys("?");
    assert_eq!(h.app.overlay, Some(Overlay::Help));
    assert!(h.text(80, 24).contains("flag the task for review"));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay, None);
}

#[test]
fn language_toggles_the_task_text() {
    let mut h = start(Mode::Exam);
    h.type_keys("l");
    assert!(h.text(80, 24).contains("创建命名空间"));
    h.type_keys("l");
    assert!(h.text(80, 24).contains("Create the namespace"));
}

#[test]
fn a_read_only_attempt_refuses_changes_and_says_who_holds_it() {
    let mut h = start(Mode::Practice);
    h.app.read_only = Some(strings::read_only("ckasim process 4242"));
    h.type_keys("jfd");
    h.key(KeyCode::Tab);
    h.type_keys("c");
    let exam = h.app.exam.as_ref().unwrap();
    assert_eq!(exam.selected, 1, "moving around still works");
    assert!(exam.session.flagged.is_empty() && exam.session.done.is_empty());
    assert!(exam.session.notes.is_empty());
    assert!(!exam.is_grading());
    let screen = h.text(120, 30);
    assert!(
        screen.contains("Read-only: this attempt is open in ckasim process 4242"),
        "{screen}"
    );
}

#[test]
fn a_read_only_attempt_has_no_shell_until_it_is_taken_over() {
    let mut h = start(Mode::Exam);
    let live = |h: &Harness| {
        h.app
            .console
            .as_ref()
            .is_some_and(crate::tui::console::Console::is_live)
    };
    assert!(live(&h), "the holder's attempt has its shell");
    h.app.read_only = Some(strings::read_only("ckasim process 4242"));
    h.type_keys("j");
    assert!(!live(&h), "a read-only view runs no shell");
    h.app.read_only = None;
    h.type_keys("k");
    assert!(live(&h), "taken over, it gets its shell");
}
