//! `logs_contain`: what a container wrote to its log, read like `kubectl
//! logs` — the current instance and, after a restart, the previous one too
//! (a crash-looping container's last words are in the previous instance).

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use super::{Exec, Logs, Outcome, container_of, first_line, pod_arguments, verdict};
use crate::grade::target::{self, Resolved};
use crate::library::rubric::{Quantifier, Target};
use crate::report::Status;
use crate::snapshot::{Object, Snapshot};

/// The most recent log lines a read asks for.
pub const TAIL_LINES: u32 = 500;

/// A `logs_contain` check.
#[derive(Debug, Clone)]
pub struct LogsContain {
    pub text: LogText,
    pub container: Option<String>,
}

#[derive(Debug, Clone)]
pub enum LogText {
    Contains(String),
    Matches(Regex),
}

/// `logs_contain = { text = "…" | matches = "…", container? }` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsFile {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    matches: Option<String>,
    #[serde(default)]
    container: Option<String>,
}

impl LogsFile {
    pub fn parse(self) -> Result<LogsContain, String> {
        let text = match (self.text, self.matches) {
            (Some(t), None) if !t.is_empty() => LogText::Contains(t),
            (None, Some(r)) => Regex::new(&r).map(LogText::Matches).map_err(|e| {
                let why = e.to_string();
                let why = why.lines().last().unwrap_or("invalid regex").trim();
                format!("logs_contain: invalid regex '{r}': {why}")
            })?,
            _ => return Err("logs_contain needs exactly one of text, matches".into()),
        };
        Ok(LogsContain {
            text,
            container: self.container,
        })
    }
}

impl LogText {
    fn found<'a>(&self, logs: &'a str) -> Option<&'a str> {
        match self {
            // The line it is on (a text spanning lines: where it starts).
            LogText::Contains(t) => logs.find(t.as_str()).map(|i| {
                let start = logs[..i].rfind('\n').map_or(0, |n| n + 1);
                &logs[start..]
            }),
            LogText::Matches(re) => re.find(logs).map(|m| m.as_str()),
        }
    }
}

pub fn describe(l: &LogsContain) -> String {
    let of = l
        .container
        .as_ref()
        .map(|c| format!(" of container \"{c}\""))
        .unwrap_or_default();
    match &l.text {
        LogText::Contains(t) => format!("the logs{of} contain '{t}'"),
        LogText::Matches(re) => format!("the logs{of} match /{}/", re.as_str()),
    }
}

/// The container's status, if the pod reports one.
fn status<'a>(pod: &'a Object, container: &str) -> Option<&'a Value> {
    pod.value
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)?
        .iter()
        .find(|s| s.get("name").and_then(Value::as_str) == Some(container))
}

fn restarted(pod: &Object, container: &str) -> bool {
    status(pod, container)
        .and_then(|s| s.get("restartCount"))
        .and_then(Value::as_u64)
        .is_some_and(|n| n > 0)
}

/// Whether the container ever started, so that it has logs.
fn started(pod: &Object, container: &str) -> Result<(), String> {
    let Some(s) = status(pod, container) else {
        return Err(format!(
            "{} has no status for container '{container}': no logs",
            pod.display()
        ));
    };
    let ran = s.pointer("/state/running").is_some()
        || s.pointer("/state/terminated").is_some()
        || s.pointer("/lastState/terminated").is_some();
    if ran {
        return Ok(());
    }
    let why = s
        .pointer("/state/waiting/reason")
        .and_then(Value::as_str)
        .unwrap_or("waiting");
    Err(format!(
        "container '{container}' of {} never started ({why}): no logs",
        pod.display()
    ))
}

/// The logs reads of one `logs_contain` check: the current instance of
/// every started container of the pods `t` selects, and the previous one of
/// a restarted container.
pub fn plan_check(t: &Target, l: &LogsContain, snapshot: &Snapshot) -> Vec<Exec> {
    let Resolved::Objects(pods) = target::resolve(t, snapshot) else {
        return Vec::new();
    };
    let mut reads = Vec::new();
    for pod in pods {
        let Ok(container) = container_of(pod, l.container.as_deref()) else {
            continue;
        };
        if started(pod, &container).is_err() {
            continue;
        }
        let previous = [false]
            .into_iter()
            .chain(restarted(pod, &container).then_some(true));
        for previous in previous {
            reads.push(Exec {
                namespace: pod.namespace.clone().unwrap_or_default(),
                pod: pod.name.clone(),
                pod_uid: pod.uid().map(str::to_string),
                container: container.clone(),
                command: Vec::new(),
                logs: Some(Logs { previous }),
            });
        }
    }
    reads
}

fn outcome(l: &LogsContain, pod: &Object, snapshot: &Snapshot) -> Outcome {
    let container = match container_of(pod, l.container.as_deref()) {
        Ok(c) => c,
        Err(why) => return Outcome::Fail(why),
    };
    if let Err(why) = started(pod, &container) {
        return Outcome::Fail(why);
    }
    let instances = [false]
        .into_iter()
        .chain(restarted(pod, &container).then_some(true));
    let mut errors = Vec::new();
    let mut last = None;
    for previous in instances {
        let which = if previous { "previous" } else { "current" };
        let record = snapshot
            .observations()
            .iter()
            .find(|r| r.logs == Some(Logs { previous }) && r.is_in(pod, &container));
        let Some(r) = record else {
            errors.push(format!(
                "no {which} logs of {} recorded (grade the live cluster, or a snapshot written by 'ckasim snapshot')",
                pod.display()
            ));
            continue;
        };
        if let Some(e) = &r.error {
            errors.push(format!("{which} logs of {}: {e}", pod.display()));
            continue;
        }
        if let Some(line) = l.text.found(&r.stdout) {
            return Outcome::Pass(format!("'{}' in the {which} logs", first_line(line)));
        }
        if !previous {
            last = r.stdout.lines().rev().find(|x| !x.trim().is_empty());
        }
    }
    if !errors.is_empty() {
        return Outcome::Error(errors.join("; "));
    }
    Outcome::Fail(match last {
        Some(line) => format!("not in the logs (last line: '{}')", first_line(line)),
        None => "the logs are empty".into(),
    })
}

pub fn judge(
    l: &LogsContain,
    pods: &[&Object],
    snapshot: &Snapshot,
    q: Quantifier,
) -> (Status, String) {
    let outcomes: Vec<(&Object, Outcome)> =
        pods.iter().map(|p| (*p, outcome(l, p, snapshot))).collect();
    verdict(&outcomes, "logs", q)
}

/// `kubectl logs` of the check's pods.
pub fn inspect(t: &Target, l: &LogsContain, snapshot: &Snapshot) -> String {
    format!(
        "kubectl logs {} (add --previous for the instance before a restart)",
        pod_arguments(t, l.container.as_deref(), snapshot)
    )
}
