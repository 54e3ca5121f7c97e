//! History: every attempt, the best score and the trend per scenario, and
//! the average per curriculum domain. Pure rollups over the sessions (the
//! store reads them) and the library (titles, domains, time limits); the
//! clock is passed in.
//!
//! An attempt counts towards best, trend and averages once it is finished
//! and graded: a running session's grades are work in progress.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::library::scenario::Domain;
use crate::library::{Entry, Library};
use crate::report::Report;
use crate::session::{Origin, Session};

/// How many of the latest scores a trend shows.
pub const TREND_LEN: usize = 5;

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Running,
    /// Not finished, but the clock has run out (it is graded when resumed).
    TimeUp,
    Finished,
}

/// One attempt as the history lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt<'a> {
    pub session: &'a Session,
    pub state: State,
    /// Time on the clock, pauses excluded (up to `now` while running);
    /// `None` for a recorded grade, which has no clock.
    pub time_used: Option<Duration>,
    /// The last grade, if any.
    pub result: Option<&'a Report>,
}

/// Best score and recent scores of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioProgress<'a> {
    pub scenario: &'a str,
    /// Finished, graded attempts.
    pub attempts: usize,
    pub best: &'a Report,
    /// The session that reached the best score.
    pub best_session: &'a str,
    /// The latest scores, oldest first, at most `TREND_LEN`.
    pub trend: Vec<&'a Report>,
}

impl ScenarioProgress<'_> {
    /// Points gained (or lost) from the first to the last score of the trend;
    /// `None` with a single attempt.
    pub fn change(&self) -> Option<i64> {
        match (self.trend.first(), self.trend.last()) {
            (Some(first), Some(last)) if self.trend.len() > 1 => {
                Some(i64::from(last.score) - i64::from(first.score))
            }
            _ => None,
        }
    }
}

/// The average of one curriculum domain over its finished, graded attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainAverage {
    pub domain: Domain,
    pub attempts: usize,
    /// Distinct scenarios attempted.
    pub scenarios: usize,
    /// Scenarios of this domain in the library: `scenarios` of these is the
    /// domain's coverage.
    pub library_scenarios: usize,
    /// Mean percent, one decimal.
    pub average_percent: f64,
}

/// Everything `ckasim history` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct History<'a> {
    /// Newest first.
    pub attempts: Vec<Attempt<'a>>,
    /// By scenario id.
    pub scenarios: Vec<ScenarioProgress<'a>>,
    /// Weakest first.
    pub domains: Vec<DomainAverage>,
    /// Domains the library has scenarios for but no finished attempt yet.
    pub untried: Vec<Domain>,
}

pub fn history<'a>(sessions: &'a [Session], lib: &Library, now: DateTime<Utc>) -> History<'a> {
    History {
        attempts: attempts(sessions, lib, now),
        scenarios: progress(sessions),
        domains: domain_averages(sessions, lib),
        untried: untried(sessions, lib),
    }
}

/// Every session, newest first.
pub fn attempts<'a>(
    sessions: &'a [Session],
    lib: &Library,
    now: DateTime<Utc>,
) -> Vec<Attempt<'a>> {
    let mut list: Vec<Attempt> = sessions
        .iter()
        .map(|s| Attempt {
            session: s,
            state: if s.is_finished() {
                State::Finished
            } else if s.is_expired(now) {
                State::TimeUp
            } else {
                State::Running
            },
            time_used: time_used(s, lib, now),
            result: s.result(),
        })
        .collect();
    list.sort_by(|a, b| {
        b.session
            .started_at
            .cmp(&a.session.started_at)
            .then_with(|| b.session.id.cmp(&a.session.id))
    });
    list
}

/// Time on the clock: the scenario's time limit minus the time left. The
/// limit comes from the library; for a scenario no longer there, from the
/// session's own deadline (which then includes any pauses).
pub fn time_used(session: &Session, lib: &Library, now: DateTime<Utc>) -> Option<Duration> {
    if session.origin == Origin::GradeRecord {
        return None;
    }
    let limit = lib.get(&session.scenario).map_or_else(
        || {
            (session.deadline - session.started_at)
                .to_std()
                .unwrap_or(Duration::ZERO)
        },
        |e| e.scenario.time_limit,
    );
    Some(session.time_used(now, limit))
}

/// Finished, graded attempts with their result, oldest first.
fn scored(sessions: &[Session]) -> Vec<(&Session, &Report)> {
    let mut list: Vec<(&Session, &Report)> = sessions
        .iter()
        .filter(|s| s.is_finished())
        .filter_map(|s| s.result().map(|r| (s, r)))
        .collect();
    list.sort_by(|(a, _), (b, _)| {
        a.started_at
            .cmp(&b.started_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    list
}

/// Whether `candidate` beats (or, being newer, ties) `best`: higher percent,
/// then more points.
fn at_least_as_good(candidate: &Report, best: &Report) -> bool {
    candidate
        .percent
        .total_cmp(&best.percent)
        .then(candidate.score.cmp(&best.score))
        .is_ge()
}

/// The best finished result per scenario (the newest among equals).
pub fn best_by_scenario(sessions: &[Session]) -> BTreeMap<String, &Report> {
    let mut best: BTreeMap<String, &Report> = BTreeMap::new();
    for (s, r) in scored(sessions) {
        match best.get(&s.scenario) {
            Some(b) if !at_least_as_good(r, b) => {}
            _ => {
                best.insert(s.scenario.clone(), r);
            }
        }
    }
    best
}

/// Best and trend per scenario, by scenario id.
pub fn progress(sessions: &[Session]) -> Vec<ScenarioProgress<'_>> {
    let mut by_scenario: BTreeMap<&str, Vec<(&Session, &Report)>> = BTreeMap::new();
    for (s, r) in scored(sessions) {
        by_scenario.entry(&s.scenario).or_default().push((s, r));
    }
    by_scenario
        .into_iter()
        .filter_map(|(scenario, list)| {
            let (best_session, best) = list
                .iter()
                .copied()
                .reduce(|b, c| if at_least_as_good(c.1, b.1) { c } else { b })?;
            let trend = list[list.len().saturating_sub(TREND_LEN)..]
                .iter()
                .map(|(_, r)| *r)
                .collect();
            Some(ScenarioProgress {
                scenario,
                attempts: list.len(),
                best,
                best_session: &best_session.id,
                trend,
            })
        })
        .collect()
}

/// The percent of a graded attempt in each domain it practises: a drill's
/// whole percent in its domain; a mock exam's points per domain, from the
/// criteria of the tasks of each domain (`Entry::domain_points` weighs the
/// same way).
pub fn domain_percents(entry: &Entry, report: &Report) -> Vec<(Domain, f64)> {
    if !entry.scenario.mock {
        return vec![(entry.scenario.domain, report.percent)];
    }
    let mut points: BTreeMap<Domain, (u32, u32)> = BTreeMap::new();
    for c in &report.criteria {
        let domain = c
            .tasks
            .first()
            .and_then(|t| entry.scenario.task(t))
            .map_or(entry.scenario.domain, |t| t.domain);
        let (score, max) = points.entry(domain).or_default();
        *score += c.score;
        *max += c.max_score;
    }
    points
        .into_iter()
        .filter(|(_, (_, max))| *max > 0)
        .map(|(d, (score, max))| {
            let percent = f64::from(score) * 100.0 / f64::from(max);
            (d, (percent * 10.0).round() / 10.0)
        })
        .collect()
}

/// Average percent per curriculum domain, weakest first: a mock exam's
/// attempt counts in every domain it has tasks in, with its points there.
/// Coverage (`scenarios` of `library_scenarios`) counts the drills, not the
/// mocks. Scenarios the library no longer has are left out: their domain is
/// unknown.
pub fn domain_averages(sessions: &[Session], lib: &Library) -> Vec<DomainAverage> {
    let mut by_domain: BTreeMap<Domain, (Vec<f64>, Vec<&str>)> = BTreeMap::new();
    for (s, r) in scored(sessions) {
        let Some(entry) = lib.get(&s.scenario) else {
            continue;
        };
        for (domain, percent) in domain_percents(entry, r) {
            let (percents, scenarios) = by_domain.entry(domain).or_default();
            percents.push(percent);
            if !entry.scenario.mock && !scenarios.contains(&s.scenario.as_str()) {
                scenarios.push(&s.scenario);
            }
        }
    }
    let mut list: Vec<DomainAverage> = by_domain
        .into_iter()
        .map(|(domain, (percents, scenarios))| {
            let mean = percents.iter().sum::<f64>() / percents.len() as f64;
            DomainAverage {
                domain,
                attempts: percents.len(),
                scenarios: scenarios.len(),
                library_scenarios: lib
                    .entries()
                    .iter()
                    .filter(|e| !e.scenario.mock && e.scenario.domain == domain)
                    .count(),
                average_percent: (mean * 10.0).round() / 10.0,
            }
        })
        .collect();
    list.sort_by(|a, b| {
        a.average_percent
            .total_cmp(&b.average_percent)
            .then(a.domain.cmp(&b.domain))
    });
    list
}

/// Domains with scenarios in the library but no finished, graded attempt
/// (a mock exam's attempt tries every domain it has tasks in).
pub fn untried(sessions: &[Session], lib: &Library) -> Vec<Domain> {
    let tried: Vec<Domain> = scored(sessions)
        .iter()
        .filter_map(|(s, r)| lib.get(&s.scenario).map(|e| domain_percents(e, r)))
        .flatten()
        .map(|(d, _)| d)
        .collect();
    let mut list: Vec<Domain> = lib
        .entries()
        .iter()
        .flat_map(|e| e.scenario.tasks.iter().map(|t| t.domain))
        .filter(|d| !tried.contains(d))
        .collect();
    list.sort();
    list.dedup();
    list
}

#[cfg(test)]
mod tests;
