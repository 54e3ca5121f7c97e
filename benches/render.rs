//! One exam frame at 200×60 into a `TestBackend`: the cost of a redraw (the
//! TUI redraws on input, on the 1 Hz tick and on background results).

use std::sync::Arc;

use chrono::TimeZone as _;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ckasim::library::Library;
use ckasim::session::Mode;
use ckasim::tui::app::{Action, App, Launch};
use ckasim::tui::clock::ManualClock;

#[allow(
    clippy::expect_used,
    reason = "a benchmark has no one to report a setup failure to but its panic"
)]
fn exam_frame(c: &mut Criterion) {
    let start = chrono::Utc
        .with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
        .single()
        .expect("a valid date");
    let clock = Arc::new(ManualClock::new(start));
    let library = Library::builtin().expect("the built-in library loads");
    let mut app = App::new(library, clock.clone(), Some("kind-cka".into()), Vec::new());
    let _ = app.open(
        Launch::Start {
            id: "secure-workspace".into(),
            mode: Mode::Exam,
        },
        None,
    );
    // The longest task text (lists, nested lists).
    for _ in 0..3 {
        let _ = ckasim::tui::update::update(&mut app, Action::Down);
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("a test terminal");
    c.bench_function("exam frame 200x60", |b| {
        b.iter(|| {
            clock.advance(std::time::Duration::from_secs(1));
            terminal
                .draw(|f| f.render_widget(&app, f.area()))
                .expect("draws");
        });
    });
    // The view alone, without the terminal's diff.
    let area = ratatui::layout::Rect::new(0, 0, 200, 60);
    let mut buffer = ratatui::buffer::Buffer::empty(area);
    c.bench_function("exam view 200x60", |b| {
        b.iter(|| {
            buffer.reset();
            ratatui::widgets::Widget::render(&app, area, &mut buffer);
        });
    });
}

criterion_group!(benches, exam_frame);
criterion_main!(benches);
