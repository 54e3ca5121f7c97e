//! The split screen with a real pseudo-terminal: layouts by size, focus,
//! keys reaching the shell, zoom and resize, the mouse, and the terminal
//! after the exam. The shells are scripted (`sh -c …`, `cat`), so the
//! screens are the same on every machine.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEventKind};
use ratatui::style::Color;

use crate::session::Mode;
use crate::tui::app::{App, Focus, Launch, Screen};
use crate::tui::console::{ConsoleEffect, Shell};
use crate::tui::testing::{FixturePort, Harness, t0};

/// An exam on a `width`×`height` screen whose terminal runs `program`.
fn exam_with(program: &[&str], width: u16, height: u16) -> Harness {
    let mut h = Harness::new(Launch::Start {
        id: "secure-workspace".into(),
        mode: Mode::Exam,
    });
    h.resize(width, height);
    h.with_terminal(program)
}

fn terminal_shows(text: &'static str) -> impl Fn(&App) -> bool {
    move |app| {
        app.console
            .as_ref()
            .is_some_and(|c| c.text().contains(text))
    }
}

fn focus(h: &Harness) -> Focus {
    h.app.exam.as_ref().unwrap().focus
}

#[test]
fn wide_screens_put_the_terminal_beside_the_task() {
    let mut h = exam_with(&["sh", "-c", "printf hello; exec cat"], 140, 32);
    h.pump_terminal(terminal_shows("hello"));
    let (rows, cols) = h.app.console.as_ref().unwrap().size();
    // The pseudo-terminal has the panel's inner size.
    assert_eq!((rows, cols), (26, 80));
    insta::assert_snapshot!(h.render(140, 32).backend());
}

#[test]
fn narrow_screens_stack_the_terminal_under_the_task() {
    let mut h = exam_with(&["sh", "-c", "printf hello; exec cat"], 80, 24);
    h.pump_terminal(terminal_shows("hello"));
    h.key(KeyCode::F(6));
    insta::assert_snapshot!(h.render(80, 24).backend());
    // The focused panel is framed in cyan.
    let t = h.render(80, 24);
    let buf = t.backend().buffer();
    assert_eq!(buf[(0, 11)].fg, Color::Cyan, "terminal frame");
    assert_ne!(buf[(0, 1)].fg, Color::Cyan, "task list frame");
}

#[test]
fn f6_moves_focus_and_then_every_key_goes_to_the_shell() {
    let mut h = exam_with(&["cat"], 100, 30);
    h.pump_terminal(|app| {
        app.console
            .as_ref()
            .is_some_and(|c| c.shell == Shell::Running)
    });
    h.key(KeyCode::F(6));
    assert_eq!(focus(&h), Focus::Terminal);
    // Letters that are commands in the task panel (`q` quits, `g` grades)
    // are typed.
    h.type_keys("qg jk");
    h.key(KeyCode::Enter);
    h.pump_terminal(terminal_shows("qg jk\nqg jk"));
    assert_eq!(h.app.overlay, None);
    assert_eq!(h.app.exam.as_ref().unwrap().selected, 0);
    assert!(h.text(100, 30).contains("qg jk"));
    // F6 again: keys are the task panel's.
    h.key(KeyCode::F(6));
    assert_eq!(focus(&h), Focus::Tasks);
    h.type_keys("j");
    assert_eq!(h.app.exam.as_ref().unwrap().selected, 1);
    // Ctrl-C goes to the shell (cat dies of it) instead of asking to quit.
    h.key(KeyCode::F(6));
    h.key_event(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    h.pump_terminal(|_| false);
    assert_eq!(h.app.overlay, None);
    let console = h.app.console.as_ref().unwrap();
    assert!(
        matches!(console.shell, Shell::Exited(_)),
        "{:?}",
        console.shell
    );
    assert!(
        console.text().contains("Enter starts a new shell"),
        "{}",
        console.text()
    );
    // Enter starts a new one.
    h.key(KeyCode::Enter);
    h.pump_terminal(|app| {
        app.console
            .as_ref()
            .is_some_and(|c| c.shell == Shell::Running)
    });
    assert_eq!(h.app.console.as_ref().unwrap().shell_id, 2);
}

#[test]
fn zoom_and_screen_size_resize_the_pseudo_terminal() {
    let mut h = exam_with(&["sh", "-c", "while read l; do stty size; done"], 100, 30);
    h.pump_terminal(|app| {
        app.console
            .as_ref()
            .is_some_and(|c| c.shell == Shell::Running)
    });
    h.key(KeyCode::F(6));
    h.key(KeyCode::F(7));
    // Zoomed: the body less the frame (30 rows less title, status, keys).
    assert_eq!(h.app.console.as_ref().unwrap().size(), (24, 98));
    assert!(!h.text(100, 30).contains("Tasks"));
    h.key(KeyCode::Enter);
    h.pump_terminal(terminal_shows("24 98"));
    h.resize(90, 40);
    assert_eq!(h.app.console.as_ref().unwrap().size(), (34, 88));
    assert!(
        h.console_effects
            .contains(&ConsoleEffect::Resize { rows: 34, cols: 88 })
    );
    h.key(KeyCode::Enter);
    h.pump_terminal(terminal_shows("34 88"));
    // F6 takes the zoom to the task panel.
    h.key(KeyCode::F(6));
    let screen = h.text(90, 40);
    assert!(screen.contains("Create the namespace"), "{screen}");
    assert!(!screen.contains("Terminal"), "{screen}");
}

#[test]
fn the_mouse_focuses_panels_scrolls_and_copies_task_text() {
    let mut h = exam_with(&["sh", "-c", "seq 1 100; exec cat"], 80, 24);
    h.pump_terminal(terminal_shows("100"));
    h.mouse(MouseEventKind::Down(MouseButton::Left), 40, 15);
    assert_eq!(focus(&h), Focus::Terminal);
    h.mouse(MouseEventKind::ScrollUp, 40, 15);
    assert_eq!(h.app.console.as_ref().unwrap().scrolled(), 3);
    assert!(h.text(80, 24).contains("scrolled back 3"));
    // A click in the task list selects the task and focuses the panel.
    h.mouse(MouseEventKind::Down(MouseButton::Left), 5, 3);
    assert_eq!(focus(&h), Focus::Tasks);
    assert_eq!(h.app.exam.as_ref().unwrap().selected, 1);
    // A drag over the task text copies what it covers.
    let screen = h.text(80, 24);
    let row = screen
        .lines()
        .position(|l| l.contains("named secure-runner"))
        .unwrap() as u16;
    let line = screen.lines().nth(usize::from(row)).unwrap();
    let col = line[..line.find("secure-runner").unwrap()].chars().count() as u16;
    h.mouse(MouseEventKind::Down(MouseButton::Left), col, row);
    h.mouse(MouseEventKind::Drag(MouseButton::Left), col + 12, row);
    h.mouse(MouseEventKind::Up(MouseButton::Left), col + 12, row);
    assert!(
        h.console_effects
            .contains(&ConsoleEffect::Copy("secure-runner".into())),
        "{:?}",
        h.console_effects
    );
}

#[test]
fn y_types_the_tasks_object_names_into_the_terminal() {
    let mut h = exam_with(&["cat"], 100, 30);
    h.pump_terminal(|app| {
        app.console
            .as_ref()
            .is_some_and(|c| c.shell == Shell::Running)
    });
    h.type_keys("j");
    h.type_keys("yy");
    h.pump_terminal(terminal_shows("secure-runner secure-workspace"));
    assert_eq!(focus(&h), Focus::Tasks);
    assert_eq!(
        h.app.message.as_deref(),
        Some("Typed 'secure-workspace' into the terminal.")
    );
}

#[test]
fn the_shell_ends_with_the_exam_and_its_screen_stays_readable() {
    let mut h = exam_with(&["sh", "-c", "echo before-grading; exec cat"], 100, 30);
    h.pump_terminal(terminal_shows("before-grading"));
    h.type_keys("gy");
    assert_eq!(h.app.screen, Screen::Results);
    assert_eq!(h.console_effects.last(), Some(&ConsoleEffect::Close));
    assert_eq!(h.app.console.as_ref().unwrap().shell, Shell::Closed);
    assert!(!h.text(100, 30).contains("before-grading"));
    h.type_keys("t");
    let screen = h.text(100, 30);
    assert!(screen.contains("before-grading"), "{screen}");
    assert!(screen.contains("the exam is over"), "{screen}");
    h.type_keys("t");
    assert!(h.text(100, 30).contains("100/100"));
    // Back to the scenarios: the attempt and its terminal are gone.
    h.key(KeyCode::Esc);
    assert!(h.app.console.is_none());
}

#[test]
fn a_resumed_attempt_gets_a_new_shell() {
    let h = exam_with(&["cat"], 100, 30);
    let home = h.into_home();
    let h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        Some(home),
        t0() + chrono::Duration::minutes(3),
    );
    assert_eq!(h.app.screen, Screen::Exam);
    assert!(matches!(
        h.console_effects.first(),
        Some(ConsoleEffect::Open(crate::tui::console::OpenShell {
            shell: 1,
            ..
        }))
    ));
}

#[test]
fn time_up_ends_the_shell_and_an_expired_attempt_gets_none() {
    let mut h = exam_with(&["cat"], 100, 30);
    h.hold_grades = true;
    h.tick_after(std::time::Duration::from_secs(35 * 60));
    // Grading is under way; the shell has ended already.
    assert_eq!(h.app.screen, Screen::Exam);
    assert_eq!(h.console_effects.last(), Some(&ConsoleEffect::Close));
    assert_eq!(h.app.console.as_ref().unwrap().shell, Shell::Closed);

    let h = exam_with(&["cat"], 100, 30);
    let h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        Some(h.into_home()),
        t0() + chrono::Duration::hours(1),
    );
    assert_eq!(h.app.screen, Screen::Results);
    assert!(h.console_effects.is_empty(), "{:?}", h.console_effects);
}

#[test]
fn a_paste_goes_to_the_focused_terminal_or_notes_and_never_runs_commands() {
    let mut h = exam_with(&["cat"], 100, 30);
    h.pump_terminal(|app| {
        app.console
            .as_ref()
            .is_some_and(|c| c.shell == Shell::Running)
    });
    // In the task panel `g` then `y` would finish the exam.
    h.paste("gy\nq");
    assert_eq!(h.app.overlay, None);
    assert_eq!(h.app.screen, Screen::Exam);
    h.key(KeyCode::F(6));
    h.paste("pasted line\n");
    h.pump_terminal(terminal_shows("pasted line\npasted line"));
    h.key(KeyCode::F(6));
    h.key(KeyCode::Tab);
    h.paste("a note\r\nsecond");
    assert_eq!(h.app.exam.as_ref().unwrap().session.notes, "a note\nsecond");
}

#[test]
fn the_wheel_over_a_full_screen_program_sends_arrow_keys() {
    // Alternate screen and application cursor keys, as less and vim set them.
    let mut h = exam_with(
        &["sh", "-c", "printf '\\033[?1049h\\033[?1h'; exec cat"],
        100,
        30,
    );
    h.pump_terminal(|app| {
        app.console
            .as_ref()
            .is_some_and(|c| c.parser.screen().alternate_screen())
    });
    h.mouse(MouseEventKind::ScrollUp, 80, 15);
    assert_eq!(
        h.console_effects.last(),
        Some(&ConsoleEffect::Input(b"\x1bOA\x1bOA\x1bOA".to_vec()))
    );
    assert_eq!(h.app.console.as_ref().unwrap().scrolled(), 0);
}
