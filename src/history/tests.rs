use chrono::TimeZone as _;

use super::*;
use crate::library::Files;
use crate::report::{CriterionResult, Source};
use crate::session::Mode;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0).single().unwrap()
}

/// A library of three scenarios in three domains, written the way a user
/// writes their own.
fn library() -> Library {
    let dir = tempfile::tempdir().unwrap();
    for (id, domain, limit) in [
        ("alpha", "workloads-scheduling", "30m"),
        ("beta", "troubleshooting", "20m"),
        ("gamma", "storage", "10m"),
    ] {
        std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
        std::fs::create_dir_all(dir.path().join("grading")).unwrap();
        std::fs::write(
            dir.path().join(format!("scenarios/{id}.toml")),
            format!(
                "id = \"{id}\"\ntitle = \"{id}\"\nsummary = \"s\"\ndomain = \"{domain}\"\n\
                 difficulty = \"easy\"\ntime_limit = \"{limit}\"\nnamespaces = [\"{id}\"]\n\n\
                 [[tasks]]\nid = \"one\"\ntitle = \"One\"\nbody = \"Do it.\"\n"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(format!("grading/{id}.toml")),
            format!(
                "pass_percent = 66\n\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"one\"]\n\
                 points = 1\n\n[[criteria.checks]]\ntitle = \"ns\"\npoints = 1\n\
                 target = {{ kind = \"Namespace\", name = \"{id}\" }}\nexists = true\n"
            ),
        )
        .unwrap();
    }
    match Library::load(&Files::from_dir(dir.path()).unwrap()) {
        Ok(lib) => lib,
        Err(e) => panic!("{e:?}"),
    }
}

fn report(scenario: &str, score: u32, max_score: u32, at: DateTime<Utc>) -> Report {
    Report::new(
        scenario,
        66,
        vec![CriterionResult {
            id: "c".into(),
            title: "C".into(),
            score,
            max_score,
            tasks: vec![],
            checks: vec![],
        }],
        at,
        Source::Snapshot { snapshot: vec![] },
        vec![],
    )
}

/// A recorded grade at `at`.
fn recorded(scenario: &str, score: u32, max_score: u32, at: i64) -> Session {
    let mut s = Session::new(
        scenario,
        Mode::Exam,
        Origin::GradeRecord,
        None,
        Duration::from_secs(1800),
        t(at),
    );
    s.finish(t(at));
    s.grades.push(report(scenario, score, max_score, t(at)));
    s
}

/// A TUI session of `limit` seconds started at `start`.
fn tui(scenario: &str, mode: Mode, start: i64, limit: u64) -> Session {
    Session::new(
        scenario,
        mode,
        Origin::Tui,
        Some("kind-cka".into()),
        Duration::from_secs(limit),
        t(start),
    )
}

fn graded(mut s: Session, score: u32, max_score: u32, at: i64) -> Session {
    let scenario = s.scenario.clone();
    s.grades.push(report(&scenario, score, max_score, t(at)));
    s
}

struct Fixture {
    sessions: Vec<Session>,
    lib: Library,
}

/// Attempts at known times (seconds after the epoch of `t`):
/// alpha recorded 40 at 0, alpha exam 85 at 1000 (20m used), alpha practice
/// 85 at 5000 (10m used, 5m paused), beta 30/50 at 3000, beta running with
/// 50/50 so far at 9000, alpha given up ungraded at 7000, and a scenario the
/// library no longer has at 200.
fn fixture() -> Fixture {
    let a1 = recorded("alpha", 40, 100, 0);
    let mut a2 = graded(tui("alpha", Mode::Exam, 1000, 1800), 85, 100, 2200);
    a2.finish(t(2200));
    let mut a3 = tui("alpha", Mode::Practice, 5000, 1800);
    a3.pause(t(5100));
    a3.resume(t(5400));
    let mut a3 = graded(a3, 85, 100, 5900);
    a3.finish(t(5900));
    let mut b1 = graded(tui("beta", Mode::Exam, 3000, 1200), 30, 50, 4100);
    b1.finish(t(4100));
    let b2 = graded(tui("beta", Mode::Practice, 9000, 1200), 50, 50, 9200);
    let mut x1 = tui("alpha", Mode::Exam, 7000, 1800);
    x1.finish(t(7060));
    let z1 = recorded("removed", 10, 10, 200);
    Fixture {
        sessions: vec![a1, a2, a3, b1, b2, x1, z1],
        lib: library(),
    }
}

const NOW: i64 = 9300;

/// (start, scenario, state, seconds used, score)
type Row<'a> = (i64, &'a str, State, Option<u64>, Option<u32>);

#[test]
fn attempts_are_listed_newest_first_with_time_used_and_result() {
    let f = fixture();
    let list = attempts(&f.sessions, &f.lib, t(NOW));
    let rows: Vec<Row> = list
        .iter()
        .map(|a| {
            (
                a.session.started_at.timestamp() - 1_800_000_000,
                a.session.scenario.as_str(),
                a.state,
                a.time_used.map(|d| d.as_secs()),
                a.result.map(|r| r.score),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (9000, "beta", State::Running, Some(300), Some(50)),
            (7000, "alpha", State::Finished, Some(60), None),
            (5000, "alpha", State::Finished, Some(600), Some(85)),
            (3000, "beta", State::Finished, Some(1100), Some(30)),
            (1000, "alpha", State::Finished, Some(1200), Some(85)),
            (200, "removed", State::Finished, None, Some(10)),
            (0, "alpha", State::Finished, None, Some(40)),
        ]
    );
    // Later the running beta session is out of time: all of its 20 minutes used.
    let later = attempts(&f.sessions, &f.lib, t(9000 + 5000));
    assert_eq!(later[0].state, State::TimeUp);
    assert_eq!(later[0].time_used, Some(Duration::from_secs(1200)));
}

#[test]
fn the_order_does_not_depend_on_the_order_sessions_are_given_in() {
    let f = fixture();
    let mut reversed = f.sessions.clone();
    reversed.reverse();
    let ids = |s: &[Session]| -> Vec<String> {
        attempts(s, &f.lib, t(NOW))
            .iter()
            .map(|a| a.session.id.clone())
            .collect()
    };
    assert_eq!(ids(&f.sessions), ids(&reversed));
}

#[test]
fn best_and_trend_count_finished_graded_attempts_only() {
    let f = fixture();
    let p = progress(&f.sessions);
    assert_eq!(
        p.iter().map(|p| p.scenario).collect::<Vec<_>>(),
        ["alpha", "beta", "removed"]
    );
    let alpha = &p[0];
    assert_eq!(alpha.attempts, 3);
    assert_eq!(alpha.best.score, 85);
    // Among equal scores the newest is the best.
    assert_eq!(alpha.best_session, f.sessions[2].id);
    assert_eq!(
        alpha.trend.iter().map(|r| r.score).collect::<Vec<_>>(),
        [40, 85, 85]
    );
    assert_eq!(alpha.change(), Some(45));
    // The running beta session (50/50 so far) does not count yet.
    let beta = &p[1];
    assert_eq!((beta.attempts, beta.best.score), (1, 30));
    assert_eq!(beta.change(), None);

    let best = best_by_scenario(&f.sessions);
    assert_eq!(best.len(), 3);
    assert_eq!(best["alpha"].graded_at, t(5900));
    assert_eq!(best["beta"].score, 30);
    assert_eq!((best["removed"].score, best["removed"].max_score), (10, 10));
}

#[test]
fn the_best_is_by_percent_and_a_trend_shows_the_latest_scores() {
    // Scores 10, 20, …, 70 with one that is a better percent on fewer points.
    let mut sessions: Vec<Session> = (1..=7)
        .map(|i| recorded("alpha", i * 10, 100, i64::from(i) * 100))
        .collect();
    sessions.push(recorded("alpha", 45, 50, 50));
    let p = progress(&sessions);
    assert_eq!(p[0].attempts, 8);
    assert_eq!((p[0].best.score, p[0].best.max_score), (45, 50));
    assert_eq!(
        p[0].trend.iter().map(|r| r.score).collect::<Vec<_>>(),
        [30, 40, 50, 60, 70]
    );
    assert_eq!(p[0].change(), Some(40));
    let best = best_by_scenario(&sessions);
    assert_eq!((best["alpha"].score, best["alpha"].max_score), (45, 50));
}

#[test]
fn domains_are_averaged_weakest_first_and_untried_ones_named() {
    let f = fixture();
    let d = domain_averages(&f.sessions, &f.lib);
    assert_eq!(
        d,
        [
            DomainAverage {
                domain: Domain::Troubleshooting,
                attempts: 1,
                scenarios: 1,
                library_scenarios: 1,
                average_percent: 60.0,
            },
            DomainAverage {
                domain: Domain::WorkloadsScheduling,
                attempts: 3,
                scenarios: 1,
                library_scenarios: 1,
                average_percent: 70.0,
            },
        ]
    );
    assert_eq!(untried(&f.sessions, &f.lib), [Domain::Storage]);
    let h = history(&f.sessions, &f.lib, t(NOW));
    assert_eq!(h.attempts.len(), 7);
    assert_eq!(h.scenarios.len(), 3);
    assert_eq!(h.domains, d);
}

#[test]
fn no_sessions_make_an_empty_history() {
    let lib = library();
    let h = history(&[], &lib, t(0));
    assert!(h.attempts.is_empty() && h.scenarios.is_empty() && h.domains.is_empty());
    assert_eq!(
        h.untried,
        [
            Domain::WorkloadsScheduling,
            Domain::Storage,
            Domain::Troubleshooting
        ]
    );
    assert!(best_by_scenario(&[]).is_empty());
}

#[test]
fn a_mock_exam_counts_in_each_domain_with_its_points_there_but_not_in_coverage() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    std::fs::create_dir_all(dir.path().join("grading")).unwrap();
    std::fs::write(
        dir.path().join("scenarios/mock.toml"),
        "id = \"mock\"\ntitle = \"Mock\"\nsummary = \"s\"\ndomain = \"troubleshooting\"\n\
         difficulty = \"hard\"\ntime_limit = \"2h\"\nmock = true\nnamespaces = [\"mock\"]\n\n\
         [[tasks]]\nid = \"fix\"\ndomain = \"troubleshooting\"\ntitle = \"Fix\"\nbody = \"Fix it.\"\n\n\
         [[tasks]]\nid = \"claim\"\ndomain = \"storage\"\ntitle = \"Claim\"\nbody = \"Claim it.\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("grading/mock.toml"),
        "pass_percent = 66\n\n\
         [[criteria]]\nid = \"fix\"\ntitle = \"Fix\"\ntasks = [\"fix\"]\n\n\
         [[criteria.checks]]\ntitle = \"ns\"\npoints = 20\n\
         target = { kind = \"Namespace\", name = \"mock\" }\nexists = true\n\n\
         [[criteria]]\nid = \"claim\"\ntitle = \"Claim\"\ntasks = [\"claim\"]\n\n\
         [[criteria.checks]]\ntitle = \"ns\"\npoints = 10\n\
         target = { kind = \"Namespace\", name = \"mock\" }\nexists = true\n",
    )
    .unwrap();
    let lib = Library::load(&Files::from_dir(dir.path()).unwrap()).unwrap();
    let criterion = |id: &str, score, max_score| CriterionResult {
        id: id.into(),
        title: id.into(),
        score,
        max_score,
        tasks: vec![id.into()],
        checks: vec![],
    };
    let mut s = Session::new(
        "mock",
        Mode::Exam,
        Origin::GradeRecord,
        None,
        Duration::from_secs(7200),
        t(0),
    );
    s.finish(t(0));
    s.grades.push(Report::new(
        "mock",
        66,
        vec![criterion("fix", 20, 20), criterion("claim", 5, 10)],
        t(0),
        Source::Snapshot { snapshot: vec![] },
        vec![],
    ));
    let sessions = [s];
    assert_eq!(
        domain_averages(&sessions, &lib),
        [
            DomainAverage {
                domain: Domain::Storage,
                attempts: 1,
                scenarios: 0,
                library_scenarios: 0,
                average_percent: 50.0,
            },
            DomainAverage {
                domain: Domain::Troubleshooting,
                attempts: 1,
                scenarios: 0,
                library_scenarios: 0,
                average_percent: 100.0,
            },
        ]
    );
    assert!(untried(&sessions, &lib).is_empty());
    assert_eq!(
        untried(&[], &lib),
        [Domain::Storage, Domain::Troubleshooting]
    );
}
