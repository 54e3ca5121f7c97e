//! `update`: how an action or an event changes the `App`, and which side
//! effect, if any, the event loop must run.

use super::app::{
    Action, App, AppEvent, Effect, Exam, Focus, Graded, Grading, Lang, Overlay, Purpose, Reach,
    Screen,
};
use super::scores::PastScore;
use super::strings;
use crate::library::scenario::Domain;
use crate::session::Mode;

pub mod console;

/// Probe the cluster's reachability this often (in ticks, i.e. seconds).
const PROBE_EVERY: u64 = 30;

/// Applies what the user meant.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    if let Some(overlay) = app.overlay {
        return on_overlay(app, overlay, action);
    }
    if app.read_only.is_some()
        && app.screen == Screen::Exam
        && matches!(
            action,
            Action::Flag
                | Action::Done
                | Action::Grade
                | Action::Check
                | Action::Pause
                | Action::Notes
        )
    {
        app.message.clone_from(&app.read_only);
        return None;
    }
    if let Some(effect) = console::update(app, action) {
        return effect;
    }
    match action {
        Action::Help => {
            app.overlay = Some(Overlay::Help);
            return None;
        }
        Action::Quit => {
            app.overlay = Some(Overlay::ConfirmQuit);
            return None;
        }
        Action::Language => {
            app.lang = match app.lang {
                Lang::En => Lang::Zh,
                Lang::Zh => Lang::En,
            };
            return None;
        }
        _ => {}
    }
    match app.screen {
        Screen::Picker => on_picker(app, action),
        Screen::Exam => on_exam(app, action),
        Screen::Results => on_results(app, action),
    }
}

fn on_overlay(app: &mut App, overlay: Overlay, action: Action) -> Option<Effect> {
    match (overlay, action) {
        (Overlay::Help, Action::Back | Action::Help | Action::Quit | Action::Cancel)
        | (Overlay::ConfirmQuit | Overlay::ConfirmGrade, Action::Cancel | Action::Back) => {
            app.overlay = None;
            None
        }
        (Overlay::ConfirmQuit, Action::Confirm | Action::Quit) => {
            app.overlay = None;
            app.quit = true;
            Some(Effect::Quit)
        }
        (Overlay::ConfirmGrade, Action::Confirm) => {
            app.overlay = None;
            app.start_final_grade()
        }
        _ => None,
    }
}

fn on_picker(app: &mut App, action: Action) -> Option<Effect> {
    let count = app.filtered().len();
    let p = &mut app.picker;
    match action {
        Action::Up => p.selected = p.selected.saturating_sub(1),
        Action::Down => p.selected = (p.selected + 1).min(count.saturating_sub(1)),
        Action::ToggleMode => p.practice = !p.practice,
        Action::NextDomain | Action::PrevDomain => {
            // Tabs: every domain, then each in the curriculum's order.
            let tabs: Vec<Option<Domain>> =
                std::iter::once(None).chain(Domain::ALL.map(Some)).collect();
            let at = tabs.iter().position(|d| *d == p.domain).unwrap_or(0);
            let step = if action == Action::NextDomain {
                1
            } else {
                tabs.len() - 1
            };
            p.domain = tabs[(at + step) % tabs.len()];
            p.selected = 0;
        }
        Action::Type(c) => {
            p.filter.push(c);
            p.selected = 0;
        }
        Action::Backspace => {
            p.filter.pop();
            p.selected = 0;
        }
        Action::Back if !p.filter.is_empty() => {
            p.filter.clear();
            p.selected = 0;
        }
        Action::Back => app.overlay = Some(Overlay::ConfirmQuit),
        Action::Select => {
            let id = app
                .filtered()
                .get(app.picker.selected)
                .map(|e| e.scenario.id.clone())?;
            let mode = if app.picker.practice {
                Mode::Practice
            } else {
                Mode::Exam
            };
            app.message = None;
            return app.start(&id, mode);
        }
        _ => {}
    }
    None
}

fn on_exam(app: &mut App, action: Action) -> Option<Effect> {
    let now = app.now();
    let task_count = app.entry().map_or(0, |e| e.scenario.tasks.len());
    let task_id = app
        .entry()
        .zip(app.exam.as_ref())
        .and_then(|(e, x)| e.scenario.tasks.get(x.selected))
        .map(|t| t.id.clone());
    let exam = app.exam.as_mut()?;
    let practice = exam.session.mode == Mode::Practice;

    if exam.focus == Focus::Notes {
        match action {
            Action::Notes | Action::Back => exam.focus = Focus::Tasks,
            Action::Type(c) => {
                exam.session.notes.push(c);
                exam.notes_dirty = true;
            }
            Action::Backspace => {
                exam.notes_dirty |= exam.session.notes.pop().is_some();
            }
            _ => {}
        }
        return None;
    }

    match action {
        Action::Up => select(exam, exam.selected.saturating_sub(1)),
        Action::Down => select(exam, (exam.selected + 1).min(task_count.saturating_sub(1))),
        Action::PageDown => exam.text_scroll = exam.text_scroll.saturating_add(10),
        Action::PageUp => exam.text_scroll = exam.text_scroll.saturating_sub(10),
        Action::Select => exam.zoom = !exam.zoom,
        Action::Back => exam.zoom = false,
        Action::Notes => exam.focus = Focus::Notes,
        Action::Flag => {
            toggle(&mut exam.session.flagged, task_id?);
            return Some(Effect::Save);
        }
        Action::Done => {
            toggle(&mut exam.session.done, task_id?);
            return Some(Effect::Save);
        }
        Action::Hints | Action::Pause | Action::Check if !practice => {
            app.message = Some(strings::PRACTICE_ONLY.into());
        }
        Action::Hints => exam.hints = !exam.hints,
        Action::Pause => {
            if exam.session.paused_at.is_some() {
                exam.session.resume(now);
            } else {
                exam.session.pause(now);
            }
            return Some(Effect::Save);
        }
        Action::Check => {
            if exam.session.paused_at.is_some() {
                app.message = Some(strings::PAUSED_NO_CHECK.into());
                return None;
            }
            return app.request_grade(Purpose::Task(task_id?));
        }
        Action::Grade if !exam.is_grading() => app.overlay = Some(Overlay::ConfirmGrade),
        Action::Shell => return console::shell_request(app).map(Effect::Shell),
        _ => {}
    }
    None
}

fn toggle(set: &mut std::collections::BTreeSet<String>, id: String) {
    if !set.remove(&id) {
        set.insert(id);
    }
}

fn select(exam: &mut Exam, index: usize) {
    if exam.selected != index {
        exam.selected = index;
        exam.text_scroll = 0;
        exam.next_name = 0;
    }
}

fn on_results(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Back | Action::Select => {
            app.screen = Screen::Picker;
            app.exam = None;
            None
        }
        _ => {
            let exam = app.exam.as_mut()?;
            match action {
                Action::Down => exam.results_scroll = exam.results_scroll.saturating_add(1),
                Action::Up => exam.results_scroll = exam.results_scroll.saturating_sub(1),
                Action::PageDown => exam.results_scroll = exam.results_scroll.saturating_add(10),
                Action::PageUp => exam.results_scroll = exam.results_scroll.saturating_sub(10),
                _ => {}
            }
            None
        }
    }
}

/// Applies a result of async work or a tick of the clock.
pub fn receive(app: &mut App, event: AppEvent) -> Option<Effect> {
    match event {
        AppEvent::Tick => on_tick(app),
        AppEvent::AddonsFound(found) => {
            app.addons.extend(found);
            None
        }
        AppEvent::Probed(result) => {
            app.reach = match result {
                Ok(version) => Reach::Reachable(version),
                Err(reason) => Reach::Unreachable(reason),
            };
            None
        }
        AppEvent::Graded(graded) => on_graded(app, *graded),
        AppEvent::GradeFailed { session_id, reason } => {
            if let Some(exam) = app.exam.as_mut()
                && exam.session.id == session_id
            {
                exam.grading = Grading::Idle;
                app.message = Some(strings::grade_failed(&reason));
            }
            None
        }
        AppEvent::Signal(_) => {
            app.quit = true;
            Some(Effect::Quit)
        }
        AppEvent::Console(event) => console::receive(app, event),
    }
}

fn on_tick(app: &mut App) -> Option<Effect> {
    app.ticks += 1;
    let now = app.now();
    if let Some(exam) = &app.exam
        && app.screen == Screen::Exam
        && !exam.is_grading()
        && exam.session.is_expired(now)
    {
        app.message = Some(strings::TIME_UP.into());
        app.overlay = None;
        return app.start_final_grade();
    }
    if let Some(exam) = app.exam.as_mut()
        && exam.notes_dirty
    {
        exam.notes_dirty = false;
        return Some(Effect::Save);
    }
    app.ticks
        .is_multiple_of(PROBE_EVERY)
        .then_some(Effect::Probe)
}

fn on_graded(app: &mut App, graded: Graded) -> Option<Effect> {
    let exam = app.exam.as_mut()?;
    if exam.session.id != graded.session_id {
        return None;
    }
    exam.grading = Grading::Idle;
    let report = graded.report;
    match &graded.purpose {
        Purpose::Final => {
            exam.session.finish(graded.requested_at);
            exam.results_scroll = 0;
            app.history.push(PastScore::of(&exam.session.id, &report));
            app.screen = Screen::Results;
            app.overlay = None;
            app.message = None;
        }
        Purpose::Task(task) => {
            let (score, max) = report.task_points(task);
            app.message = Some(strings::checked(task, score, max, report.errors().count()));
        }
    }
    exam.session.grades.push(report);
    Some(Effect::Save)
}

#[cfg(test)]
mod tests;
