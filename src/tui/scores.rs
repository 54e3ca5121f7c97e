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
}

/// The result of every finished attempt in the store (unreadable session
/// files are skipped: the history command reports them).
pub fn past_scores(store: &Store) -> Vec<PastScore> {
    store
        .list()
        .0
        .iter()
        .filter(|s| s.is_finished())
        .filter_map(|s| {
            let r = s.result()?;
            Some(PastScore {
                session_id: s.id.clone(),
                scenario: s.scenario.clone(),
                score: r.score,
                max_score: r.max_score,
                percent: r.percent,
                graded_at: r.graded_at,
            })
        })
        .collect()
}

/// The best score of `scenario`, leaving out the attempt `excluding`.
pub fn best<'a>(
    scores: &'a [PastScore],
    scenario: &str,
    excluding: Option<&str>,
) -> Option<&'a PastScore> {
    scores
        .iter()
        .filter(|p| p.scenario == scenario && Some(p.session_id.as_str()) != excluding)
        .max_by(|a, b| a.percent.total_cmp(&b.percent))
}
