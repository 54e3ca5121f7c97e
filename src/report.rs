//! Grade reports: the result of grading, and how it is written out.

pub mod csv;
pub mod junit;
pub mod markdown;
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

/// A report that could not be written out in a format.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot write the report as CSV: {0}")]
    Csv(String),
    #[error("cannot write the report as JUnit XML: {0}")]
    Junit(String),
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

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
        })
    }
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

/// A small report with a passed, a failed and an unevaluated check, and
/// text that needs escaping in every format.
#[cfg(test)]
pub(crate) fn sample() -> Report {
    use chrono::TimeZone as _;
    let check =
        |title: &str, points, max_points, status, expected: &str, actual: &str| CheckResult {
            title: title.into(),
            points,
            max_points,
            status,
            expected: expected.into(),
            actual: actual.into(),
            inspect: format!("kubectl get {title}"),
        };
    Report::new(
        "secure-workspace",
        66,
        vec![
            CriterionResult {
                id: "service-account".into(),
                title: "ServiceAccount <secure-runner> & token".into(),
                score: 3,
                max_score: 7,
                tasks: vec!["service-account".into()],
                checks: vec![
                    check("sa exists", 3, 3, Status::Pass, "exists", "exists"),
                    CheckResult {
                        inspect: "kubectl get sa secure-runner -n secure-workspace -o jsonpath='{.automountServiceAccountToken}' | grep -c `x`".into(),
                        ..check(
                            "automount | disabled, \"quoted\"",
                            0,
                            4,
                            Status::Fail,
                            "automountServiceAccountToken equals false",
                            "true,\nset by *you*",
                        )
                    },
                ],
            },
            CriterionResult {
                id: "verification".into(),
                title: "Running pods".into(),
                score: 0,
                max_score: 5,
                tasks: vec!["verification".into()],
                checks: vec![check(
                    "pods ready",
                    0,
                    5,
                    Status::Error,
                    "2 ready",
                    "pods is forbidden: User 'grader' cannot list pods",
                )],
            },
        ],
        Utc.with_ymd_and_hms(2026, 11, 23, 16, 7, 0)
            .single()
            .unwrap_or_default(),
        Source::Snapshot {
            snapshot: vec!["pods-pending.json".into()],
        },
        vec!["Pod Security Standards: level 'baseline'".into()],
    )
}
