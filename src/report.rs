//! Grade reports: the result of grading, and how it is written out.

pub mod text;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A graded attempt, in the shape of SPEC.md's report JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    pub score: u32,
    pub max_score: u32,
    pub percent: f64,
    pub pass_percent: u32,
    pub passed: bool,
    #[serde(with = "rfc3339")]
    pub graded_at: DateTime<Utc>,
    pub source: Source,
    pub criteria: Vec<CriterionResult>,
    /// Information that changes no score (e.g. the Pod Security level reached).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Source {
    Context { context: String },
    Snapshot { snapshot: Vec<String> },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Context { context } => write!(f, "context {context}"),
            Source::Snapshot { snapshot } => write!(f, "snapshot {}", snapshot.join(", ")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub id: String,
    pub title: String,
    pub score: u32,
    pub max_score: u32,
    /// The scenario tasks this criterion covers.
    #[serde(default)]
    pub tasks: Vec<String>,
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Could not be evaluated (cluster unreachable, forbidden): scores 0 but
    /// is not the candidate's mistake.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub title: String,
    pub points: u32,
    pub max_points: u32,
    pub status: Status,
    pub expected: String,
    pub actual: String,
    pub inspect: String,
}

impl Report {
    /// Total and percentage from the criteria; pass mark applied.
    pub fn new(
        scenario: &str,
        pass_percent: u32,
        criteria: Vec<CriterionResult>,
        graded_at: DateTime<Utc>,
        source: Source,
        notes: Vec<String>,
    ) -> Report {
        let score = criteria.iter().map(|c| c.score).sum();
        let max_score: u32 = criteria.iter().map(|c| c.max_score).sum();
        let percent = if max_score == 0 {
            0.0
        } else {
            (f64::from(score) * 1000.0 / f64::from(max_score)).round() / 10.0
        };
        Report {
            scenario: scenario.to_string(),
            score,
            max_score,
            percent,
            pass_percent,
            passed: percent >= f64::from(pass_percent),
            graded_at,
            source,
            criteria,
            notes,
        }
    }

    /// Checks that could not be evaluated.
    pub fn errors(&self) -> impl Iterator<Item = &CheckResult> {
        self.criteria
            .iter()
            .flat_map(|c| &c.checks)
            .filter(|c| c.status == Status::Error)
    }

    /// Points earned and available per task (a criterion's points count for
    /// each task it covers).
    pub fn task_points(&self, task: &str) -> (u32, u32) {
        self.criteria
            .iter()
            .filter(|c| c.tasks.iter().any(|t| t == task))
            .fold((0, 0), |(s, m), c| (s + c.score, m + c.max_score))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}
