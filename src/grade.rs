//! Grading: a rubric applied to a snapshot. Pure — no network, clock or
//! disk — so a live grade and a snapshot grade of the same state agree.

mod checks;
mod compare;
pub mod image;
mod inspect;
mod motion;
pub mod pod;
pub mod target;

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::library::Entry;
use crate::library::rubric::{
    Check, Condition, Expectation, Matcher, Operand, Quantifier, Selection, Target,
};
use crate::pod_security::pod_template;
use crate::pod_security::{self, Level};
use crate::report::{CheckResult, CriterionResult, Report, Source, Status};
use crate::snapshot::Snapshot;
use target::Resolved;

pub use checks::render_value;

/// Grades a scenario's rubric against a snapshot.
pub fn grade(
    entry: &Entry,
    snapshot: &Snapshot,
    graded_at: DateTime<Utc>,
    source: Source,
) -> Report {
    let rubric = &entry.rubric;
    let criteria = rubric
        .criteria
        .iter()
        .map(|c| {
            let checks: Vec<CheckResult> = c.checks.iter().map(|k| evaluate(k, snapshot)).collect();
            CriterionResult {
                id: c.id.clone(),
                title: c.title.clone(),
                score: checks.iter().map(|k| k.points).sum(),
                max_score: c.max_score(),
                tasks: c.tasks.clone(),
                checks,
            }
        })
        .collect();
    let notes = rubric
        .report_pod_security
        .iter()
        .filter_map(|t| pod_security_note(t, snapshot))
        .chain(motion::notes(snapshot))
        .collect();
    Report::new(
        &rubric.scenario,
        rubric.pass_percent,
        criteria,
        graded_at,
        source,
        notes,
    )
}

/// Grades one check.
pub fn evaluate(check: &Check, snapshot: &Snapshot) -> CheckResult {
    let target = check.target.as_ref();
    let expected = describe(target, &check.expect);
    let inspect = inspect::command(target, &check.expect, snapshot);
    // A list only the expectation reads (a template's ServiceAccount) may be
    // unreadable while the target itself was read.
    let unreadable = target::unavailable(target, Some(&check.expect), snapshot);
    let resolved = match (unreadable, target) {
        (Some(reason), _) => Resolved::Unavailable(reason.to_string()),
        (None, Some(t)) => target::resolve(t, snapshot),
        // A check without target judges the snapshot as a whole.
        (None, None) => Resolved::Objects(Vec::new()),
    };
    let (status, actual) = match resolved {
        Resolved::Unavailable(reason) => (Status::Error, reason),
        Resolved::Missing(why) => match check.expect {
            Expectation::Exists(false) => (Status::Pass, why),
            _ => (Status::Fail, why),
        },
        Resolved::Objects(objects) => judge_all(check, target, &objects, snapshot),
    };
    CheckResult {
        title: check.title.clone(),
        points: if status == Status::Pass {
            check.points
        } else {
            0
        },
        max_points: check.points,
        status,
        expected,
        actual,
        inspect,
    }
}

fn judge_all(
    check: &Check,
    target: Option<&Target>,
    objects: &[&crate::snapshot::Object],
    snapshot: &Snapshot,
) -> (Status, String) {
    let pass = |b: bool| if b { Status::Pass } else { Status::Fail };
    // An evaluator without target judges the snapshot once; one with a
    // target may judge the objects together.
    if let Expectation::Evaluated(c) = &check.expect {
        let whole = match target {
            None => Some(c.judge(None, snapshot)),
            Some(t) => c.judge_target(t, objects, snapshot),
        };
        if let Some(v) = whole {
            let status = if v.error { Status::Error } else { pass(v.pass) };
            return (status, v.found);
        }
    }
    // Ready pods are counted across the set, not judged one by one.
    if let (Expectation::ReadyReplicas { at_least }, Some(crate::kind::Kind::Pod)) =
        (&check.expect, target.map(|t| t.kind))
    {
        let ready = objects
            .iter()
            .filter(|p| target::running(p).is_ok())
            .count();
        let found = format!(
            "{ready} of {} pod{} ready",
            objects.len(),
            if objects.len() == 1 { "" } else { "s" }
        );
        return (pass(ready >= *at_least as usize), found);
    }
    let verdicts: Vec<(&crate::snapshot::Object, checks::Verdict)> = objects
        .iter()
        .map(|o| (*o, checks::judge(&check.expect, o, snapshot)))
        .collect();
    let ok = match target.map_or(Quantifier::All, |t| t.quantifier) {
        Quantifier::All => verdicts.iter().all(|(_, v)| v.pass),
        Quantifier::Any => verdicts.iter().any(|(_, v)| v.pass),
    };
    if let [(_, v)] = verdicts.as_slice() {
        return (pass(ok), v.found.clone());
    }
    let mut found = Vec::new();
    let (mut more, mut last) = (0, None);
    for (o, v) in verdicts.iter().filter(|(_, v)| v.pass == ok) {
        // Several pods of one workload usually fail the same way: say it once.
        if last == Some(v.found.as_str()) {
            continue;
        }
        last = Some(v.found.as_str());
        // Across a cluster, the first few say what was found; a count, the rest.
        if found.len() < SHOWN_OBJECTS {
            found.push(format!("{}: {}", o.display(), v.found));
        } else {
            more += 1;
        }
    }
    if more > 0 {
        found.push(format!("and {more} more"));
    }
    (pass(ok), found.join("; "))
}

/// How many objects' findings a result lists before counting the rest.
const SHOWN_OBJECTS: usize = 10;

fn subject(t: &Target) -> String {
    let ns = match t.namespace.as_deref() {
        Some(n) => format!(" in {n}"),
        None if t.kind.namespaced() && t.kind.is_well_known() => " in all namespaces".into(),
        None => String::new(),
    };
    let running = if t.running { "running " } else { "" };
    let which = match t.quantifier {
        Quantifier::All => "every",
        Quantifier::Any => "at least one",
    };
    match &t.select {
        Selection::Name(n) => format!("{} {n}{ns}", t.kind.kubectl_name()),
        Selection::Labels(sel) => format!(
            "{which} {running}{} with -l {}{ns}",
            t.kind.kubectl_name(),
            sel.text
        ),
        Selection::PodsOf { kind, name } => {
            format!("{which} {running}pod of {} {name}{ns}", kind.kubectl_name())
        }
    }
}

fn quote(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

/// What the check expects, in words.
pub fn describe(t: Option<&Target>, e: &Expectation) -> String {
    if let Expectation::Evaluated(check) = e {
        return check.expected(t.map(subject).as_deref());
    }
    let Some(t) = t else {
        return String::new();
    };
    let who = subject(t);
    match e {
        Expectation::Exists(true) => format!("{who} exists"),
        Expectation::Exists(false) => format!("{who} does not exist"),
        Expectation::Field {
            path,
            matcher,
            over,
        } => {
            let each = match over {
                Quantifier::All => "",
                Quantifier::Any => "any of ",
            };
            let m = match matcher {
                Matcher::Equals(v) => format!("= {}", quote(v)),
                Matcher::OneOf(vs) => format!(
                    "one of {}",
                    vs.iter().map(quote).collect::<Vec<_>>().join(", ")
                ),
                Matcher::Contains(v) => format!("contains {}", quote(v)),
                Matcher::Matches(re) => {
                    let s = re.as_str();
                    let s = s
                        .strip_prefix("^(?:")
                        .and_then(|s| s.strip_suffix(")$"))
                        .unwrap_or(s);
                    format!("matches /{s}/")
                }
                Matcher::Range { at_least, at_most } => match (at_least, at_most) {
                    (Some(l), Some(h)) => format!("between {l} and {h}"),
                    (Some(l), None) => format!(">= {l}"),
                    (None, Some(h)) => format!("<= {h}"),
                    (None, None) => "any number".into(),
                },
                Matcher::Present(true) => "is set".into(),
                Matcher::Present(false) => "is not set".into(),
                Matcher::Compare {
                    meaning,
                    conditions,
                } => compare_words(*meaning, conditions),
            };
            format!("{who}: {each}{path} {m}")
        }
        Expectation::RegistryCredentials {
            server,
            username,
            password,
        } => {
            let mut parts = Vec::new();
            if let Some(u) = username {
                parts.push(format!("username '{u}'"));
            }
            if password.is_some() {
                parts.push("the password the task gives (not shown)".into());
            }
            let with = if parts.is_empty() {
                String::new()
            } else {
                format!(" with {}", parts.join(", "))
            };
            format!("{who}: docker-registry credentials the kubelet sends for '{server}'{with}")
        }
        Expectation::PullSecret(name) => format!("{who}: imagePullSecrets includes '{name}'"),
        Expectation::SecurityContext { container, expect } => {
            let mut parts = Vec::new();
            let mut push = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    parts.push(format!("{k}={v}"));
                }
            };
            push("runAsUser", expect.run_as_user.map(|v| v.to_string()));
            push("runAsGroup", expect.run_as_group.map(|v| v.to_string()));
            push(
                "runAsNonRoot",
                expect.run_as_non_root.map(|v| v.to_string()),
            );
            push(
                "allowPrivilegeEscalation",
                expect.allow_privilege_escalation.map(|v| v.to_string()),
            );
            push("privileged", expect.privileged.map(|v| v.to_string()));
            push(
                "readOnlyRootFilesystem",
                expect.read_only_root_filesystem.map(|v| v.to_string()),
            );
            push("fsGroup", expect.fs_group.map(|v| v.to_string()));
            push("seccompProfile.type", expect.seccomp_profile.clone());
            if let Some(c) = &expect.capabilities {
                push(
                    "capabilities.drop includes",
                    c.drop.as_ref().map(|d| format!("[{}]", d.join(","))),
                );
                push(
                    "capabilities.add",
                    c.add.as_ref().map(|a| format!("[{}]", a.join(","))),
                );
            }
            let scope = container
                .as_ref()
                .map_or("every container".into(), |c| format!("container \"{c}\""));
            format!("{who}: {scope} effectively has {}", parts.join(", "))
        }
        Expectation::Probe {
            container,
            probe,
            handler,
        } => {
            let scope = container
                .as_ref()
                .map_or("every container".into(), |c| format!("container \"{c}\""));
            let h = handler
                .map(|h| format!(" ({})", h.field()))
                .unwrap_or_default();
            format!("{who}: {scope} has a {probe} probe{h}")
        }
        Expectation::Resources {
            container,
            requests,
            limits,
        } => {
            let scope = container
                .as_ref()
                .map_or("every container".into(), |c| format!("container \"{c}\""));
            let mut parts = Vec::new();
            if !requests.is_empty() {
                parts.push(format!("requests {}", requests.join(", ")));
            }
            if !limits.is_empty() {
                parts.push(format!("limits {}", limits.join(", ")));
            }
            format!("{who}: {scope} sets {}", parts.join(" and "))
        }
        Expectation::ReadyReplicas { at_least } => format!("{who}: at least {at_least} ready"),
        Expectation::TokenMounted(true) => format!("{who}: service-account token mounted"),
        Expectation::TokenMounted(false) => format!("{who}: no service-account token mounted"),
        Expectation::Evaluated(_) => String::new(),
    }
}

/// `> the {.value} of priorityclass low and < 1000 (as quantity)`.
fn compare_words(meaning: crate::values::Meaning, conditions: &[Condition]) -> String {
    let operand = |o: &Operand| match o {
        Operand::Value(v) => quote(v),
        Operand::Ref(r) => format!("the {} of {}", r.path.as_str(), compare::ref_name(r)),
    };
    let words: Vec<String> = conditions
        .iter()
        .map(|c| {
            let operands: Vec<String> = c.operands.iter().map(operand).collect();
            if operands.len() == 1 {
                format!("{} {}", c.op.words(), operands[0])
            } else {
                format!("{} one of {}", c.op.words(), operands.join(", "))
            }
        })
        .collect();
    let meaning = match meaning {
        crate::values::Meaning::Plain => String::new(),
        m => format!(" (as {m})"),
    };
    format!("{}{meaning}", words.join(" and "))
}

/// The Pod Security Standards level the target's pods reach, as a sentence.
fn pod_security_note(t: &Target, snapshot: &Snapshot) -> Option<String> {
    let Resolved::Objects(objects) = target::resolve(t, snapshot) else {
        return None;
    };
    let o = objects.first()?;
    let (meta, spec) = pod_template(&o.value)?;
    let eval = pod_security::evaluate(meta, spec, pod_security::PolicyVersion::Latest);
    let mut note = format!(
        "Pod Security Standards: {} meets level '{}' (latest)",
        subject(t)
            .replace("every ", "")
            .replace("at least one ", ""),
        eval.level
    );
    if eval.level < Level::Restricted && !eval.violations.restricted.is_empty() {
        let _ = write!(
            note,
            "; not 'restricted' because: {}",
            eval.violations.restricted.join("; ")
        );
    }
    note.push_str(" — information only, no points.");
    Some(note)
}

#[cfg(test)]
mod tests;
