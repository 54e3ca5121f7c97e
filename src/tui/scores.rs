//! Scores of earlier attempts, for the picker and the results screen. Kept
//! to one small lookup so a history module can replace it.

use chrono::{DateTime, Utc};

use crate::session::Store;

#[derive(Debug, Clone, PartialEq)]
pub struct PastScore {
    pub session_id: String,
    pub scenario: String,
    pub score: u32,
    pub max_score: u32,
    pub percent: f64,
    pub graded_at: DateTime<Utc>,
    /// Score per criterion id, to compare attempts criterion by criterion.
    pub criteria: Vec<(String, u32)>,
}

impl PastScore {
    pub fn of(session_id: &str, report: &crate::report::Report) -> PastScore {
        PastScore {
            session_id: session_id.to_string(),
            scenario: report.scenario.clone(),
            score: report.score,
            max_score: report.max_score,
            percent: report.percent,
            graded_at: report.graded_at,
            criteria: report
                .criteria
                .iter()
                .map(|c| (c.id.clone(), c.score))
                .collect(),
        }
    }

    /// This attempt's score for a criterion, if it had that criterion.
    pub fn criterion(&self, id: &str) -> Option<u32> {
        self.criteria.iter().find(|(c, _)| c == id).map(|(_, s)| *s)
    }
}

/// The result of every finished attempt in the store (unreadable session
/// files are skipped: the history command reports them).
pub fn past_scores(store: &Store) -> Vec<PastScore> {
    store
        .list()
        .0
        .iter()
        .filter(|s| s.is_finished())
        .filter_map(|s| Some(PastScore::of(&s.id, s.result()?)))
        .collect()
}

/// The other attempts at `scenario` (all but `excluding`).
fn others<'a>(
    scores: &'a [PastScore],
    scenario: &'a str,
    excluding: Option<&'a str>,
) -> impl Iterator<Item = &'a PastScore> + 'a {
    scores
        .iter()
        .filter(move |p| p.scenario == scenario && Some(p.session_id.as_str()) != excluding)
}

/// The latest attempt at `scenario` before this one (`excluding`), to show
/// what changed criterion by criterion.
pub fn previous<'a>(
    scores: &'a [PastScore],
    scenario: &'a str,
    excluding: Option<&'a str>,
) -> Option<&'a PastScore> {
    others(scores, scenario, excluding).max_by_key(|p| p.graded_at)
}

/// The best score of `scenario`, leaving out the attempt `excluding`.
pub fn best<'a>(
    scores: &'a [PastScore],
    scenario: &'a str,
    excluding: Option<&'a str>,
) -> Option<&'a PastScore> {
    others(scores, scenario, excluding).max_by(|a, b| a.percent.total_cmp(&b.percent))
}
