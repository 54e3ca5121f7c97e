//! Observations: what a command prints inside a running container, the way
//! an examiner verifies with `kubectl exec`. A rubric names the command and
//! what its output must show (`Observe`); `cluster` runs it in the pods the
//! check targets and records each result in the snapshot as an
//! `Observation` (`apiVersion: ckasim.dev/v1`); grading judges the recorded
//! results only, so a saved snapshot grades like the live cluster.
//!
//! Everything here is pure: the plan of what to run, the record, its
//! redaction (size cap, token-like text digested) and the verdict.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::evaluator::Live;
use crate::grade::target::{self, Resolved};
use crate::kind::Kind;
use crate::library::rubric::{Expectation, Quantifier, Rubric, Selection, Target};
use crate::report::Status;
use crate::snapshot::secret::digest;
use crate::snapshot::{Object, Snapshot};

/// `apiVersion` of an observation record in a snapshot.
pub const API_VERSION: &str = "ckasim.dev/v1";
/// `kind` of an observation record in a snapshot.
pub const KIND: &str = "Observation";
/// The most of each output stream a record keeps, in bytes.
pub const OUTPUT_CAP: usize = 4096;
/// Where to point when the API server forbids an exec.
pub const RBAC_HINT: &str =
    "the grader needs 'create' on pods/exec: kubectl apply -f assets/grader-rbac.yaml";

// ---- what a rubric asks ---------------------------------------------------

/// An observation check: run `command` in each pod the target selects and
/// judge what it printed and how it exited.
#[derive(Debug, Clone)]
pub struct Observe {
    pub command: Vec<String>,
    /// The container to run in (default: the pod's default container, as
    /// `kubectl exec` picks it).
    pub container: Option<String>,
    pub stdout: Option<TextMatch>,
    pub stderr: Option<TextMatch>,
    pub exit: Exit,
}

/// What an output stream must show. Outputs are compared without their
/// trailing newline.
#[derive(Debug, Clone)]
pub enum TextMatch {
    Equals(String),
    Contains(String),
    /// A regex that must match somewhere in the output (`(?m)` lets `^`/`$`
    /// anchor lines).
    Matches(Regex),
}

/// How the command must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i64),
    /// It ran and exited non-zero (a command that could not run at all —
    /// not in the image — is never a failure that passes).
    Fails,
}

/// `observe = { … }` as written in a rubric.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObserveFile {
    command: Vec<String>,
    #[serde(default)]
    container: Option<String>,
    #[serde(default)]
    stdout: Option<TextFile>,
    #[serde(default)]
    stderr: Option<TextFile>,
    #[serde(default)]
    exit_code: Option<i64>,
    #[serde(default)]
    fails: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextFile {
    #[serde(default)]
    equals: Option<String>,
    #[serde(default)]
    contains: Option<String>,
    #[serde(default)]
    matches: Option<String>,
}

impl ObserveFile {
    /// The validated check, or one message saying what to fix.
    pub fn parse(self) -> Result<Observe, String> {
        if self.command.first().is_none_or(String::is_empty) {
            return Err("observe needs a command, e.g. command = [\"id\", \"-u\"]".into());
        }
        if self.container.as_deref() == Some("") {
            return Err("observe container must not be empty".into());
        }
        let exit = match (self.exit_code, self.fails) {
            (Some(_), Some(_)) => {
                return Err("observe takes exit_code or fails, not both".into());
            }
            (Some(code), None) => Exit::Code(code),
            (None, Some(true)) => Exit::Fails,
            (None, Some(false) | None) => Exit::Code(0),
        };
        Ok(Observe {
            command: self.command,
            container: self.container,
            stdout: self.stdout.map(|t| t.parse("stdout")).transpose()?,
            stderr: self.stderr.map(|t| t.parse("stderr")).transpose()?,
            exit,
        })
    }
}

impl TextFile {
    fn parse(self, stream: &str) -> Result<TextMatch, String> {
        match (self.equals, self.contains, self.matches) {
            (Some(s), None, None) => Ok(TextMatch::Equals(s)),
            (None, Some(s), None) => Ok(TextMatch::Contains(s)),
            (None, None, Some(r)) => Regex::new(&r).map(TextMatch::Matches).map_err(|e| {
                let why = e.to_string();
                let why = why.lines().last().unwrap_or("invalid regex").trim();
                format!("observe {stream}: invalid regex '{r}': {why}")
            }),
            _ => Err(format!(
                "observe {stream} needs exactly one of equals, contains, matches"
            )),
        }
    }
}

impl TextMatch {
    fn holds(&self, output: &str) -> bool {
        match self {
            TextMatch::Equals(want) => trim_end(output) == trim_end(want),
            TextMatch::Contains(want) => output.contains(want.as_str()),
            TextMatch::Matches(re) => re.is_match(output),
        }
    }
}

fn trim_end(s: &str) -> &str {
    s.trim_end_matches(['\n', '\r'])
}

// ---- the record ---------------------------------------------------------

/// One command's result in one container, as recorded in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub namespace: String,
    pub pod: String,
    /// The pod's uid when it ran, so a later pod of the same name does not
    /// inherit the result.
    pub pod_uid: Option<String>,
    pub container: String,
    /// The command run (empty for a logs read).
    pub command: Vec<String>,
    /// A read of the container's logs instead of a command: the log text is
    /// `stdout`.
    pub logs: Option<Logs>,
    pub stdout: String,
    pub stderr: String,
    /// `None` when the command did not run or did not finish.
    pub exit_code: Option<i64>,
    /// Why there is no result (forbidden, timeout, not in the image …).
    pub error: Option<String>,
    /// An output was longer than `OUTPUT_CAP` and was cut.
    pub truncated: bool,
}

/// Which instance's logs a record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Logs {
    /// The previous instance of a restarted container (`kubectl logs -p`).
    pub previous: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    api_version: String,
    kind: String,
    metadata: Metadata,
    #[serde(flatten)]
    observation: RecordBody,
}

#[derive(Serialize, Deserialize)]
struct Metadata {
    name: String,
    namespace: String,
}

/// The record's fields besides `metadata` (the namespace lives there).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordBody {
    pod: String,
    #[serde(default, rename = "podUID", skip_serializing_if = "Option::is_none")]
    pod_uid: Option<String>,
    container: String,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    logs: Option<Logs>,
    #[serde(default)]
    stdout: String,
    #[serde(default)]
    stderr: String,
    #[serde(default)]
    exit_code: Option<i64>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

impl Observation {
    /// Whether a snapshot object is an observation record.
    pub fn is_record(value: &Value) -> bool {
        is_record_of(value, KIND)
    }

    /// Reads a record; its outputs are scrubbed again, so a hand-made record
    /// holds no token in clear either.
    pub fn from_value(value: Value) -> Result<Observation, String> {
        let r: Record =
            serde_json::from_value(value).map_err(|e| format!("an {KIND} record: {e}"))?;
        let b = r.observation;
        let mut o = Observation {
            namespace: r.metadata.namespace,
            pod: b.pod,
            pod_uid: b.pod_uid,
            container: b.container,
            command: b.command,
            logs: b.logs,
            stdout: b.stdout,
            stderr: b.stderr,
            exit_code: b.exit_code,
            error: b.error,
            truncated: b.truncated,
        };
        o.scrub();
        Ok(o)
    }

    /// The record as a snapshot object.
    pub fn to_value(&self) -> Value {
        let r = Record {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            metadata: Metadata {
                name: self.name(),
                namespace: self.namespace.clone(),
            },
            observation: RecordBody {
                pod: self.pod.clone(),
                pod_uid: self.pod_uid.clone(),
                container: self.container.clone(),
                command: self.command.clone(),
                logs: self.logs,
                stdout: self.stdout.clone(),
                stderr: self.stderr.clone(),
                exit_code: self.exit_code,
                error: self.error.clone(),
                truncated: self.truncated,
            },
        };
        serde_json::to_value(r).unwrap_or(Value::Null)
    }

    /// `pod.container.<digest of what was read>`: one name per result.
    fn name(&self) -> String {
        let what = match self.logs {
            Some(Logs { previous: true }) => "logs --previous".to_string(),
            Some(Logs { previous: false }) => "logs".to_string(),
            None => self.command.join("\0"),
        };
        let d = digest(what.as_bytes());
        let short = d.strip_prefix("sha256:").unwrap_or(&d);
        format!(
            "{}.{}.{}",
            self.pod,
            self.container,
            &short[..10.min(short.len())]
        )
    }

    /// Caps each output and replaces token-like text by its digest. Logs
    /// keep their end (the latest lines), command outputs their start.
    pub fn scrub(&mut self) {
        let (stdout, cut_out) = if self.logs.is_some() {
            scrub_tail(&self.stdout)
        } else {
            scrub(&self.stdout)
        };
        let (stderr, cut_err) = scrub(&self.stderr);
        self.stdout = stdout;
        self.stderr = stderr;
        self.truncated |= cut_out || cut_err;
        if let Some(e) = &self.error {
            self.error = Some(scrub(e).0);
        }
    }

    /// Whether two records are results of the same read in the same container.
    pub fn same_read(&self, other: &Observation) -> bool {
        (
            &self.namespace,
            &self.pod,
            &self.container,
            &self.command,
            self.logs,
        ) == (
            &other.namespace,
            &other.pod,
            &other.container,
            &other.command,
            other.logs,
        )
    }

    fn is_for(&self, pod: &Object, container: &str, command: &[String]) -> bool {
        self.logs.is_none() && self.command == command && self.is_in(pod, container)
    }

    /// Whether the record was taken in this container of this pod (the
    /// same pod: same name and, when both are known, same uid).
    fn is_in(&self, pod: &Object, container: &str) -> bool {
        self.namespace == pod.namespace.as_deref().unwrap_or_default()
            && self.pod == pod.name
            && self.container == container
            && match (&self.pod_uid, pod.uid()) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// JWTs and anything shaped like one (`eyJ…`, base64url, dot-separated),
/// also a piece of one cut by the size cap.
static TOKEN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"eyJ[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*){0,2}").ok());

/// Text as a record may keep it: token-like runs replaced by their digest,
/// then cut to `OUTPUT_CAP` bytes on a character boundary. Returns whether
/// it was cut.
pub fn scrub(text: &str) -> (String, bool) {
    let redacted = redact(text);
    if redacted.len() <= OUTPUT_CAP {
        return (redacted, false);
    }
    let mut end = OUTPUT_CAP;
    while !redacted.is_char_boundary(end) {
        end -= 1;
    }
    (redacted[..end].to_string(), true)
}

/// Like `scrub`, keeping the last `OUTPUT_CAP` bytes (from a line start
/// when there is one).
pub fn scrub_tail(text: &str) -> (String, bool) {
    let redacted = redact(text);
    if redacted.len() <= OUTPUT_CAP {
        return (redacted, false);
    }
    let mut start = redacted.len() - OUTPUT_CAP;
    while !redacted.is_char_boundary(start) {
        start += 1;
    }
    let tail = &redacted[start..];
    let tail = tail.find('\n').map_or(tail, |i| &tail[i + 1..]);
    (tail.to_string(), true)
}

fn redact(text: &str) -> String {
    match TOKEN.as_ref() {
        Some(re) => re
            .replace_all(text, |c: &regex::Captures<'_>| {
                format!("<redacted token {}>", digest(c[0].as_bytes()))
            })
            .into_owned(),
        None => String::new(),
    }
}

/// Whether a snapshot object is a ckasim record of `kind`.
pub fn is_record_of(value: &Value, kind: &str) -> bool {
    value.get("kind").and_then(Value::as_str) == Some(kind)
        && value.get("apiVersion").and_then(Value::as_str) == Some(API_VERSION)
}

// ---- what to run ----------------------------------------------------------

/// One command to run in one container, or one read of its logs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Exec {
    pub namespace: String,
    pub pod: String,
    pub pod_uid: Option<String>,
    pub container: String,
    pub command: Vec<String>,
    /// Read these logs instead of running a command.
    pub logs: Option<Logs>,
}

impl Exec {
    /// The record of a result of this command.
    pub fn record(&self, stdout: &str, stderr: &str, exit_code: Option<i64>) -> Observation {
        let mut o = Observation {
            namespace: self.namespace.clone(),
            pod: self.pod.clone(),
            pod_uid: self.pod_uid.clone(),
            container: self.container.clone(),
            command: self.command.clone(),
            logs: self.logs,
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
            exit_code,
            error: None,
            truncated: false,
        };
        o.scrub();
        o
    }

    /// The record of a command that gave no result, and why.
    pub fn failed(&self, error: &str) -> Observation {
        let mut o = self.record("", "", None);
        o.error = Some(scrub(error).0);
        o
    }
}

/// The rubric's checks that read live in their target's pods.
fn live_checks(rubric: &Rubric) -> impl Iterator<Item = (Option<&Target>, &Expectation)> {
    rubric.reads().filter_map(|(t, e)| match e {
        Some(e @ Expectation::Evaluated(c)) if c.live() == Live::Pods => Some((t, e)),
        _ => None,
    })
}

/// The lists the live checks in pods need before anything can run: their
/// targets' pods (and what links pods to workloads).
pub fn lists(rubric: &Rubric) -> BTreeSet<(Kind, Option<String>)> {
    live_checks(rubric)
        .flat_map(|(t, e)| target::check_reads(t, Some(e)))
        .collect()
}

/// Every command the rubric's observation checks run (and every log read),
/// in the pods their targets select in this snapshot, in containers that
/// are running — the others are judged from the pod itself. No duplicates.
pub fn plan(rubric: &Rubric, snapshot: &Snapshot) -> Vec<Exec> {
    let execs: BTreeSet<Exec> = live_checks(rubric)
        .flat_map(|(t, e)| match e {
            Expectation::Evaluated(c) => c.plan(t, snapshot),
            _ => Vec::new(),
        })
        .collect();
    execs.into_iter().collect()
}

/// The commands one observation check runs in the pods `t` selects.
pub fn plan_check(t: &Target, o: &Observe, snapshot: &Snapshot) -> Vec<Exec> {
    let Resolved::Objects(pods) = target::resolve(t, snapshot) else {
        return Vec::new();
    };
    let mut execs = Vec::new();
    for pod in pods {
        let Ok(container) = container_of(pod, o.container.as_deref()) else {
            continue;
        };
        if not_running(pod, &container).is_none() {
            execs.push(Exec {
                namespace: pod.namespace.clone().unwrap_or_default(),
                pod: pod.name.clone(),
                pod_uid: pod.uid().map(str::to_string),
                container,
                command: o.command.clone(),
                logs: None,
            });
        }
    }
    execs
}

/// The container a command runs in: the one named, or the one `kubectl
/// exec` picks (the `kubectl.kubernetes.io/default-container` annotation,
/// else the first).
fn container_of(pod: &Object, requested: Option<&str>) -> Result<String, String> {
    let names: Vec<&str> = pod
        .value
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .collect();
    let annotated = pod
        .value
        .pointer("/metadata/annotations/kubectl.kubernetes.io~1default-container")
        .and_then(Value::as_str);
    let wanted = requested.or(annotated).or(names.first().copied());
    match wanted {
        Some(c) if names.contains(&c) => Ok(c.to_string()),
        Some(c) => Err(format!("{} has no container '{c}'", pod.display())),
        None => Err(format!("{} has no containers", pod.display())),
    }
}

/// Why a command cannot run in this container now, if it cannot.
fn not_running(pod: &Object, container: &str) -> Option<String> {
    let phase = target::phase(pod);
    if pod.value.pointer("/metadata/deletionTimestamp").is_some() {
        return Some(format!("{} is terminating", pod.display()));
    }
    if phase != "Running" {
        return Some(format!("{} is not running (phase {phase})", pod.display()));
    }
    let status = pod
        .value
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|s| s.get("name").and_then(Value::as_str) == Some(container));
    let Some(status) = status else {
        return Some(format!(
            "{} has no status for container '{container}'",
            pod.display()
        ));
    };
    if status.pointer("/state/running").is_some() {
        return None;
    }
    let (state, detail) = status
        .get("state")
        .and_then(Value::as_object)
        .and_then(|m| m.iter().next())
        .map_or(("unknown", None), |(k, v)| {
            (k.as_str(), v.get("reason").and_then(Value::as_str))
        });
    Some(format!(
        "container '{container}' of {} is {state}{}",
        pod.display(),
        detail.map(|d| format!(" ({d})")).unwrap_or_default()
    ))
}

// ---- the verdict ------------------------------------------------------------

/// The command as a shell would show it: `ls /var/run/secrets`.
pub fn command_line(command: &[String]) -> String {
    command
        .iter()
        .map(|w| {
            let plain = !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the check expects, after "the pods …:": "`id -u` prints '1001'",
/// "`ls …` fails with 'No such file or directory' on stderr".
pub fn describe(o: &Observe) -> String {
    let scope = o
        .container
        .as_ref()
        .map(|c| format!(" in container \"{c}\""))
        .unwrap_or_default();
    let mut parts = Vec::new();
    let shows = o.stdout.is_some() || o.stderr.is_some();
    match o.exit {
        Exit::Code(0) if shows => {}
        Exit::Code(0) => parts.push("succeeds".to_string()),
        Exit::Code(n) => parts.push(format!("exits with {n}")),
        Exit::Fails => parts.push("fails".to_string()),
    }
    if let Some(m) = &o.stdout {
        parts.push(match m {
            TextMatch::Equals(s) => format!("prints '{}'", trim_end(s)),
            TextMatch::Contains(s) => format!("prints text containing '{s}'"),
            TextMatch::Matches(re) => format!("prints a match of /{}/", re.as_str()),
        });
    }
    if let Some(m) = &o.stderr {
        parts.push(match m {
            TextMatch::Equals(s) => format!("with stderr '{}'", trim_end(s)),
            TextMatch::Contains(s) => format!("with '{s}' on stderr"),
            TextMatch::Matches(re) => format!("with a match of /{}/ on stderr", re.as_str()),
        });
    }
    format!("`{}`{scope} {}", command_line(&o.command), parts.join(" "))
}

/// One pod's outcome: passed with what was seen, failed or not judged, with why.
enum Outcome {
    Pass(String),
    Fail(String),
    Error(String),
}

fn first_line(s: &str) -> &str {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = line.trim();
    match line.char_indices().nth(100) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// What an output showed, for a report: its first line, or "nothing".
fn shown(s: &str) -> String {
    match first_line(s) {
        "" => "nothing".into(),
        line => format!("'{line}'"),
    }
}

fn outcome(o: &Observe, pod: &Object, snapshot: &Snapshot) -> Outcome {
    let cmd = command_line(&o.command);
    let container = match container_of(pod, o.container.as_deref()) {
        Ok(c) => c,
        Err(why) => return Outcome::Fail(why),
    };
    if let Some(why) = not_running(pod, &container) {
        return Outcome::Fail(format!("{why}: `{cmd}` cannot run"));
    }
    let Some(r) = snapshot
        .observations()
        .iter()
        .find(|r| r.is_for(pod, &container, &o.command))
    else {
        return Outcome::Error(format!(
            "no result of `{cmd}` recorded for {} (grade the live cluster, or a snapshot written by 'ckasim snapshot')",
            pod.display()
        ));
    };
    if let Some(e) = &r.error {
        return Outcome::Error(format!("`{cmd}` in {}: {e}", pod.display()));
    }
    let Some(code) = r.exit_code else {
        return Outcome::Error(format!("`{cmd}` in {}: no exit status", pod.display()));
    };
    if code == 126 || code == 127 {
        let why = match first_line(&r.stderr) {
            "" => "not found or not executable in the image".to_string(),
            line => line.to_string(),
        };
        return Outcome::Error(format!(
            "`{cmd}` cannot run in {} (exit {code}): {why}",
            pod.display()
        ));
    }
    match o.exit {
        Exit::Code(want) if code != want => {
            let err = match first_line(&r.stderr) {
                "" => String::new(),
                line => format!(": {line}"),
            };
            return Outcome::Fail(format!("exit {code}{err}"));
        }
        Exit::Fails if code == 0 => {
            return Outcome::Fail(format!("succeeded, printing {}", shown(&r.stdout)));
        }
        _ => {}
    }
    for (name, m, out) in [
        ("stdout", &o.stdout, &r.stdout),
        ("stderr", &o.stderr, &r.stderr),
    ] {
        if let Some(m) = m
            && !m.holds(out)
        {
            return Outcome::Fail(format!("{name} {}", shown(out)));
        }
    }
    // What was seen: the output the check is about.
    let seen = if let Some(m) = &o.stdout {
        seen_of(m, &r.stdout)
    } else if let Some(m) = &o.stderr {
        seen_of(m, &r.stderr)
    } else if code == 0 {
        "succeeded".into()
    } else {
        format!("exit {code}")
    };
    Outcome::Pass(seen)
}

/// The part of an output a passing matcher is about.
fn seen_of(m: &TextMatch, out: &str) -> String {
    match m {
        TextMatch::Equals(_) => shown(out),
        TextMatch::Contains(s) => format!("'{s}'"),
        TextMatch::Matches(re) => re
            .find(out)
            .map_or_else(|| shown(out), |x| format!("'{}'", first_line(x.as_str()))),
    }
}

/// The verdict over the pods a target selected, and what was seen: "'1001'
/// in 2/2 pods (`id -u`)".
pub fn judge(
    o: &Observe,
    pods: &[&Object],
    snapshot: &Snapshot,
    q: Quantifier,
) -> (Status, String) {
    let outcomes: Vec<(&Object, Outcome)> =
        pods.iter().map(|p| (*p, outcome(o, p, snapshot))).collect();
    verdict(&outcomes, &format!("`{}`", command_line(&o.command)), q)
}

/// The verdict over each pod's outcome, and what was seen, naming `what`
/// was looked at. Every pod must pass (`match = "any"`: one); a pod that
/// fails decides against an error elsewhere, an error is never a pass.
fn verdict(outcomes: &[(&Object, Outcome)], what: &str, q: Quantifier) -> (Status, String) {
    let total = outcomes.len();
    let passed: Vec<&str> = outcomes
        .iter()
        .filter_map(|(_, x)| match x {
            Outcome::Pass(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let failed: Vec<String> = outcomes
        .iter()
        .filter_map(|(p, x)| match x {
            Outcome::Fail(s) if total == 1 => Some(s.clone()),
            Outcome::Fail(s) => Some(format!("{}: {s}", p.display())),
            _ => None,
        })
        .collect();
    let errors: Vec<&str> = outcomes
        .iter()
        .filter_map(|(_, x)| match x {
            Outcome::Error(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    let plural = if total == 1 { "" } else { "s" };
    let pass_line = || {
        let mut seen: Vec<&str> = passed.clone();
        seen.sort_unstable();
        seen.dedup();
        let mut line = seen.join(", ");
        let _ = write!(line, " in {}/{total} pod{plural} ({what})", passed.len());
        line
    };
    let fail_line = || {
        let mut f = failed.clone();
        f.dedup_by(|a, b| a.split_once(": ").map(|x| x.1) == b.split_once(": ").map(|x| x.1));
        format!("{} ({what})", f.join("; "))
    };
    let all = q == Quantifier::All;
    if (all && !failed.is_empty()) || (!all && passed.is_empty() && errors.is_empty()) {
        return (Status::Fail, fail_line());
    }
    if (all || passed.is_empty()) && !errors.is_empty() {
        let mut e: Vec<&str> = errors.clone();
        e.dedup();
        return (Status::Error, e.join("; "));
    }
    (Status::Pass, pass_line())
}

/// `kubectl exec` of the check's command in the first pod it selects.
pub fn inspect(t: &Target, o: &Observe, snapshot: &Snapshot) -> String {
    format!(
        "kubectl exec {} -- {}",
        pod_arguments(t, o.container.as_deref(), snapshot),
        command_line(&o.command)
    )
}

/// `POD -n NS -c CONTAINER` for `kubectl exec` or `logs`: a Deployment's
/// pods as `deploy/NAME` (kubectl picks one), else the first pod selected.
fn pod_arguments(t: &Target, container: Option<&str>, snapshot: &Snapshot) -> String {
    let ns = t
        .namespace
        .as_deref()
        .map(|n| format!(" -n {n}"))
        .unwrap_or_default();
    let pod = match &t.select {
        Selection::PodsOf { kind, name } if *kind == Kind::Deployment => format!("deploy/{name}"),
        Selection::Name(name) => name.clone(),
        _ => match target::resolve(t, snapshot) {
            Resolved::Objects(pods) => pods.first().map_or("POD".into(), |p| p.name.clone()),
            _ => "POD".into(),
        },
    };
    let container = container.map(|c| format!(" -c {c}")).unwrap_or_default();
    format!("{pod}{ns}{container}")
}

pub mod logs;
pub mod server;
#[cfg(test)]
mod tests;
