//! Screen tests: the real App at fixed sizes with a fixed clock, as insta
//! snapshots of the `TestBackend`, plus colour and wide-text checks.

use std::time::Duration;

use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

use crate::session::{Mode, Origin, Session};
use crate::tui::app::Launch;
use crate::tui::testing::{FixturePort, Harness, t0};

fn start(mode: Mode) -> Harness {
    Harness::new(Launch::Start {
        id: "secure-workspace".into(),
        mode,
    })
}

/// A home holding one earlier, finished attempt graded 85/100.
fn home_with_an_earlier_attempt() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let store = crate::session::Store::new(home.path());
    let lib = crate::library::Library::builtin().unwrap();
    let entry = lib.get("secure-workspace").unwrap();
    let earlier = t0() - chrono::Duration::days(2);
    let mut s = Session::new(
        "secure-workspace",
        Mode::Exam,
        Origin::Tui,
        Some("kind-cka".into()),
        entry.scenario.time_limit,
        earlier,
    );
    let snapshot = FixturePort::file("pods-pending.json").snapshot;
    s.grades.push(crate::grade::grade(
        entry,
        &snapshot,
        earlier + chrono::Duration::minutes(30),
        crate::report::Source::Context {
            context: "kind-cka".into(),
        },
    ));
    s.finish(earlier + chrono::Duration::minutes(30));
    store.save(&s).unwrap();
    home
}

#[test]
fn picker_80x24() {
    let h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        Some(home_with_an_earlier_attempt()),
        t0(),
    );
    insta::assert_snapshot!(h.render(80, 24).backend());
}

#[test]
fn picker_120x40_practice_filtered() {
    let mut h = Harness::new(Launch::Picker);
    h.type_keys("secure");
    h.key(KeyCode::Tab);
    insta::assert_snapshot!(h.render(120, 40).backend());
}

#[test]
fn exam_en_80x24() {
    let mut h = start(Mode::Exam);
    h.type_keys("djf");
    h.type_keys("jj");
    h.key(KeyCode::Tab);
    h.type_keys("regcred done");
    h.key(KeyCode::Esc);
    h.clock.advance(Duration::from_secs(4 * 60 + 17));
    insta::assert_snapshot!(h.render(80, 24).backend());
}

#[test]
fn exam_en_120x40() {
    let mut h = start(Mode::Exam);
    h.type_keys("jjj");
    h.clock.advance(Duration::from_secs(21 * 60));
    insta::assert_snapshot!(h.render(120, 40).backend());
}

#[test]
fn exam_zh_80x24() {
    let mut h = start(Mode::Exam);
    h.type_keys("ljj");
    insta::assert_snapshot!(h.render(80, 24).backend());
}

#[test]
fn exam_zh_120x40() {
    let mut h = start(Mode::Exam);
    h.type_keys("ljjj");
    insta::assert_snapshot!(h.render(120, 40).backend());
}

#[test]
fn practice_after_a_check_80x24() {
    let h = {
        let mut h = Harness::with(
            Launch::Start {
                id: "secure-workspace".into(),
                mode: Mode::Practice,
            },
            Box::new(FixturePort::file("pods-pending.json")),
            None,
            t0(),
        );
        h.type_keys("jjjjhc");
        h.key(KeyCode::Enter);
        h.key(KeyCode::PageDown);
        h
    };
    insta::assert_snapshot!(h.render(80, 24).backend());
}

#[test]
fn help_80x24() {
    let mut h = start(Mode::Exam);
    h.type_keys("?");
    insta::assert_snapshot!(h.render(80, 24).backend());
}

#[test]
fn quit_confirm_80x24() {
    let mut h = start(Mode::Exam);
    h.type_keys("q");
    insta::assert_snapshot!(h.render(80, 24).backend());
}

#[test]
fn results_solved_120x40() {
    let mut h = Harness::with(
        Launch::Start {
            id: "secure-workspace".into(),
            mode: Mode::Exam,
        },
        Box::new(FixturePort::file("solved.json")),
        Some(home_with_an_earlier_attempt()),
        t0(),
    );
    h.clock.advance(Duration::from_secs(28 * 60 + 5));
    h.type_keys("gy");
    insta::assert_snapshot!(h.render(120, 40).backend());
}

#[test]
fn results_compare_each_criterion_with_the_last_attempt() {
    let mut h = Harness::with(
        Launch::Start {
            id: "secure-workspace".into(),
            mode: Mode::Exam,
        },
        Box::new(FixturePort::file("solved.json")),
        Some(home_with_an_earlier_attempt()),
        t0(),
    );
    h.type_keys("gy");
    let screen = h.text(120, 40);
    assert!(screen.contains("Last attempt: 85/100 on "), "{screen}");
    assert!(screen.contains("(+15 now)"), "{screen}");
    let line = |id: &str| {
        screen
            .lines()
            .find(|l| l.contains(id) && l.contains('/'))
            .unwrap_or("")
            .to_string()
    };
    assert!(
        line("verification").contains("15/15  +15 The running pods"),
        "{screen}"
    );
    assert!(
        line("service-account").contains("15/15  ±0  Namespace"),
        "{screen}"
    );
}

#[test]
fn results_pods_pending_80x24_scrolled_to_the_failures() {
    let mut h = Harness::with(
        Launch::Start {
            id: "secure-workspace".into(),
            mode: Mode::Exam,
        },
        Box::new(FixturePort::file("pods-pending.json")),
        None,
        t0(),
    );
    h.clock.advance(Duration::from_secs(33 * 60));
    h.type_keys("gy");
    let top = h.render(80, 24);
    insta::assert_snapshot!("results_pods_pending_80x24_top", top.backend());
    let screen = h.text(80, 24);
    assert!(screen.contains("NOT PASSED") || screen.contains("PASSED"));
    // Scroll to the verification criterion, where the failures are.
    while !h
        .text(80, 24)
        .lines()
        .nth(1)
        .unwrap_or("")
        .contains("verification")
    {
        h.type_keys("j");
        assert!(h.app.exam.as_ref().unwrap().results_scroll < 200);
    }
    insta::assert_snapshot!(h.render(80, 24).backend());
}

#[test]
fn results_offline_says_not_your_mistake() {
    let mut h = Harness::with(
        Launch::Start {
            id: "secure-workspace".into(),
            mode: Mode::Exam,
        },
        Box::new(crate::tui::Offline::new(
            Some("kind-cka".into()),
            "cluster unreachable: connection refused",
        )),
        None,
        t0(),
    );
    h.type_keys("gy");
    let screen = h.text(120, 40);
    assert!(screen.contains("Score 0/100"), "{screen}");
    assert!(
        screen.contains("   error: cluster unreachable: connection refused"),
        "{screen}"
    );
    assert!(
        screen.contains("they score 0 but are not your mistake"),
        "{screen}"
    );
}

/// The cells of the countdown's digits in the top line.
fn timer_colour(h: &Harness) -> Color {
    let t = h.render(80, 24);
    let buf = t.backend().buffer();
    let text: String = (0..80).map(|x| buf[(x, 0)].symbol().to_string()).collect();
    let col = text.rfind(':').unwrap() as u16;
    buf[(col - 1, 0)].fg
}

#[test]
fn the_countdown_turns_yellow_then_red() {
    let h = start(Mode::Exam);
    assert_eq!(timer_colour(&h), Color::Green);
    h.clock.advance(Duration::from_secs(21 * 60));
    assert_eq!(timer_colour(&h), Color::Yellow);
    h.clock.advance(Duration::from_secs(10 * 60));
    assert_eq!(timer_colour(&h), Color::Red);
    h.clock.advance(Duration::from_secs(3 * 60 + 30));
    let t = h.render(80, 24);
    let buf = t.backend().buffer();
    assert!(h.text(80, 24).lines().next().unwrap().ends_with(" 00:30 "));
    let col = 80 - 3;
    assert_eq!(buf[(col, 0)].fg, Color::Red);
    assert!(
        buf[(col, 0)]
            .modifier
            .contains(ratatui::style::Modifier::BOLD)
    );
}

/// Every Chinese character of the task text appears, in order, at any width.
#[test]
fn chinese_task_text_is_not_cut_at_odd_widths() {
    let lib = crate::library::Library::builtin().unwrap();
    let entry = lib.get("secure-workspace").unwrap();
    let is_cjk = |c: &char| ('\u{4e00}'..='\u{9fff}').contains(c);
    for (task_index, task) in entry.scenario.tasks.iter().enumerate() {
        let expected: String = task.body.get("zh").chars().filter(is_cjk).collect();
        for width in [77u16, 80, 81, 99, 120] {
            let mut h = start(Mode::Exam);
            h.type_keys("l");
            for _ in 0..task_index {
                h.type_keys("j");
            }
            // Over the whole body, so that the text fits beside the terminal.
            h.key(KeyCode::Enter);
            let t = h.render(width, 60);
            let buf = t.backend().buffer();
            let pane =
                crate::tui::layout::exam(&h.app, ratatui::layout::Rect::new(0, 0, width, 60)).text;
            let mut shown = String::new();
            for y in pane.y + 1..pane.bottom() - 1 {
                for x in pane.x + 1..pane.right() - 1 {
                    shown.extend(buf[(x, y)].symbol().chars().filter(is_cjk));
                }
            }
            let screen = h.text(width, 60);
            // The right border is whole: nothing spilled over it.
            for y in pane.y + 1..pane.bottom() - 1 {
                let edge = buf[(pane.right() - 1, y)].symbol();
                assert!(
                    ["│", "┐", "┘"].contains(&edge),
                    "task {} at width {width}, row {y}: '{edge}'\n{screen}",
                    task.id
                );
            }
            assert!(
                shown.contains(&expected),
                "task {} at width {width}:\n{screen}",
                task.id
            );
        }
    }
}

#[test]
fn resizing_redraws_at_the_new_size() {
    let h = start(Mode::Exam);
    let mut t = h.render(80, 24);
    t.backend_mut().resize(100, 30);
    t.draw(|f| f.render_widget(&h.app, f.area())).unwrap();
    let buf = t.backend().buffer();
    assert_eq!(buf.area.width, 100);
    let top: String = (0..100).map(|x| buf[(x, 0)].symbol().to_string()).collect();
    assert!(top.trim_end().ends_with("35:00"), "{top}");
}

#[test]
fn picker_one_domain_at_a_time_with_its_coverage() {
    let mut h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        Some(home_with_an_earlier_attempt()),
        t0(),
    );
    // → twice: past "All" and "Troubleshoot" to "Cluster"; ← back to "Troubleshoot".
    h.key(KeyCode::Right);
    h.key(KeyCode::Right);
    h.key(KeyCode::Left);
    let screen = h.render(100, 30).backend().to_string();
    assert!(screen.contains("troubleshoot-image-tag"), "{screen}");
    assert!(!screen.contains("secure-workspace "), "{screen}");
    // The chosen tab stands out; the others do not.
    let terminal = h.render(100, 30);
    let buf = terminal.backend().buffer();
    let row: Vec<&str> = (0..100).map(|x| buf[(x, 2)].symbol()).collect();
    let at = |word: &str| {
        (0..row.len())
            .find(|&x| row[x..].concat().starts_with(word))
            .unwrap() as u16
    };
    let reversed = |x: u16| buf[(x, 2)].modifier.contains(Modifier::REVERSED);
    assert!(reversed(at("Troubleshoot")));
    assert!(!reversed(at("All")) && !reversed(at("Cluster")));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn picker_names_the_addons_a_scenario_needs_and_how_to_install_the_missing_ones() {
    use crate::cluster::addons::Presence;
    use crate::library::addon::Addon;
    let mut port = FixturePort::file("solved.json");
    port.addons = vec![(
        Addon::MetricsServer,
        Presence::Missing("metrics.k8s.io is not served".into()),
    )];
    let mut h = Harness::with(Launch::Picker, Box::new(port), None, t0());
    h.type_keys("hpa");
    let screen = h.text(120, 30);
    assert!(screen.contains("workloads-hpa"), "{screen}");
    assert!(
        screen.contains("Needs: metrics-server ✗ missing"),
        "{screen}"
    );
    assert!(
        screen.contains("Install metrics-server: kubectl apply -f"),
        "{screen}"
    );
    assert!(
        screen.contains("kubelet-insecure-tls"),
        "the whole install line is shown: {screen}"
    );

    // Not known yet (no answer from the cluster): named, with a question mark.
    let mut h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        None,
        t0(),
    );
    h.type_keys("default-deny");
    let screen = h.text(120, 30);
    assert!(screen.contains("Needs: network-policy ?"), "{screen}");
    assert!(!screen.contains("Install"), "{screen}");
}

#[test]
fn a_mock_exam_is_listed_under_all_only_and_called_a_mock_exam() {
    let mut h = Harness::with(
        Launch::Picker,
        Box::new(FixturePort::file("solved.json")),
        None,
        t0(),
    );
    h.type_keys("mock");
    let screen = h.text(120, 30);
    assert!(screen.contains("cka-security-mock"), "{screen}");
    assert!(screen.contains("Mock exam"), "{screen}");
    // → to Troubleshoot, → to Cluster, … : no domain tab lists it.
    for _ in 0..5 {
        h.key(KeyCode::Right);
        let screen = h.text(120, 30);
        assert!(!screen.contains("cka-security-mock"), "{screen}");
    }
}
