//! Rubric files (`grading/<id>.toml`): criteria, checks and points.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::LoadError;
use super::scenario::Scenario;
use crate::evaluator::{self, EvaluatorCheck, TargetUse};
use crate::jsonpath::JsonPath;
use crate::kind::Kind;
use crate::values::Selector;

/// A loaded, validated rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub scenario: String,
    pub pass_percent: u32,
    pub criteria: Vec<Criterion>,
    /// Say, alongside the score, which Pod Security Standards level the
    /// pods of these workloads reach (information only, no points).
    pub report_pod_security: Vec<Target>,
    pub file: String,
}

impl Rubric {
    pub fn max_score(&self) -> u32 {
        self.criteria.iter().map(Criterion::max_score).sum()
    }

    /// Every target (`None` for a check without one) with the expectation
    /// checked on it (`None` for the information-only Pod Security notes):
    /// what decides which lists a grade reads (`grade::target::check_reads`).
    pub fn reads(&self) -> impl Iterator<Item = (Option<&Target>, Option<&Expectation>)> {
        self.criteria
            .iter()
            .flat_map(|c| {
                c.checks
                    .iter()
                    .map(|k| (k.target.as_ref(), Some(&k.expect)))
            })
            .chain(self.report_pod_security.iter().map(|t| (Some(t), None)))
    }

    /// Every target the rubric reads, for fetching exactly what it needs.
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.criteria
            .iter()
            .flat_map(|c| c.checks.iter().filter_map(|k| k.target.as_ref()))
            .chain(&self.report_pod_security)
    }
}

#[derive(Debug, Clone)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    pub tasks: Vec<String>,
    pub checks: Vec<Check>,
}

impl Criterion {
    pub fn max_score(&self) -> u32 {
        self.checks.iter().map(|c| c.points).sum()
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub title: String,
    pub points: u32,
    /// `None` only for an evaluator whose checks judge the snapshot as a
    /// whole (`evaluator::TargetUse`).
    pub target: Option<Target>,
    pub expect: Expectation,
}

/// Which objects a check looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub select: Selection,
    /// Only pods in phase Running count (verification of what actually runs).
    pub running: bool,
    /// With several objects: must every one pass, or is one enough?
    pub quantifier: Quantifier,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Name(String),
    Labels(LabelSelector),
    /// The pods a workload runs, e.g. the pods of Deployment `secure-app`.
    PodsOf {
        kind: Kind,
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantifier {
    #[default]
    All,
    Any,
}

/// A label selector as kubectl takes it: `app=web,tier!=db,release,!canary`,
/// `env in (a,b)`, `env notin (c)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelector {
    pub text: String,
    pub selector: Selector,
}

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        if text.trim().is_empty() {
            return Err("a selector needs at least one requirement, e.g. 'app=web'".into());
        }
        Ok(LabelSelector {
            text: text.to_string(),
            selector: Selector::parse(text)?,
        })
    }

    /// Whether an object's `metadata.labels` match.
    pub fn matches(&self, labels: Option<&serde_json::Map<String, Value>>) -> bool {
        self.selector.matches_object_labels(labels)
    }
}

/// What a check expects of its target.
#[derive(Debug, Clone)]
pub enum Expectation {
    Exists(bool),
    Field {
        path: JsonPath,
        matcher: Matcher,
        over: Quantifier,
    },
    RegistryCredentials {
        server: String,
        username: Option<String>,
        password: Option<String>,
    },
    PullSecret(String),
    SecurityContext {
        container: Option<String>,
        expect: SecurityExpect,
    },
    Probe {
        container: Option<String>,
        probe: ProbeKind,
        handler: Option<ProbeHandler>,
    },
    Resources {
        container: Option<String>,
        requests: Vec<String>,
        limits: Vec<String>,
    },
    ReadyReplicas {
        at_least: u32,
    },
    TokenMounted(bool),
    /// A check of an evaluator module (`crate::evaluator`), e.g. `pod_security`.
    Evaluated(Arc<dyn EvaluatorCheck>),
}

#[derive(Debug, Clone)]
pub enum Matcher {
    Equals(Value),
    OneOf(Vec<Value>),
    Contains(Value),
    Matches(Regex),
    Range {
        at_least: Option<f64>,
        at_most: Option<f64>,
    },
    Present(bool),
}

/// The effective securityContext fields a check requires, named as in the
/// Kubernetes API. Each field given must hold for every container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecurityExpect {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    pub privileged: Option<bool>,
    pub read_only_root_filesystem: Option<bool>,
    pub fs_group: Option<i64>,
    /// `type` of the effective seccompProfile, e.g. `RuntimeDefault`.
    pub seccomp_profile: Option<String>,
    pub capabilities: Option<CapabilitiesExpect>,
    /// Only this container (default: every container, init containers too).
    #[serde(default)]
    pub container: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilitiesExpect {
    /// Each of these must be dropped.
    #[serde(default)]
    pub drop: Option<Vec<String>>,
    /// Exactly these are added (no more).
    #[serde(default)]
    pub add: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

impl ProbeKind {
    pub fn field(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Startup => "startupProbe",
        }
    }
}

impl fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProbeKind::Liveness => "liveness",
            ProbeKind::Readiness => "readiness",
            ProbeKind::Startup => "startup",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeHandler {
    Http,
    Tcp,
    Exec,
    Grpc,
}

impl ProbeHandler {
    pub fn field(self) -> &'static str {
        match self {
            ProbeHandler::Http => "httpGet",
            ProbeHandler::Tcp => "tcpSocket",
            ProbeHandler::Exec => "exec",
            ProbeHandler::Grpc => "grpc",
        }
    }
}

// ---- file format -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RubricFile {
    pass_percent: Spanned<u32>,
    /// Optional declared total; must equal the sum of the checks.
    #[serde(default)]
    total_points: Option<Spanned<u32>>,
    #[serde(default)]
    report_pod_security: Vec<Spanned<TargetFile>>,
    criteria: Spanned<Vec<Spanned<CriterionFile>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CriterionFile {
    id: Spanned<String>,
    title: String,
    tasks: Vec<Spanned<String>>,
    /// Optional declared total; must equal the sum of the checks.
    #[serde(default)]
    points: Option<Spanned<u32>>,
    checks: Vec<Spanned<CheckFile>>,
}

/// The built-in keys of a check; any other key names an evaluator.
const CHECK_KEYS: [&str; 12] = [
    "title",
    "points",
    "target",
    "exists",
    "field",
    "registry_credentials",
    "pull_secret",
    "security_context",
    "probe",
    "resources",
    "ready_replicas",
    "token_mounted",
];

/// Unknown keys are not denied here: `evaluator_values` hands them to the
/// evaluators, and reports the keys no evaluator has.
#[derive(Deserialize)]
struct CheckFile {
    title: String,
    points: Spanned<u32>,
    #[serde(default)]
    target: Option<Spanned<TargetFile>>,
    #[serde(default)]
    exists: Option<bool>,
    #[serde(default)]
    field: Option<Spanned<FieldFile>>,
    #[serde(default)]
    registry_credentials: Option<RegistryFile>,
    #[serde(default)]
    pull_secret: Option<String>,
    #[serde(default)]
    security_context: Option<SecurityExpect>,
    #[serde(default)]
    probe: Option<ProbeFile>,
    #[serde(default)]
    resources: Option<ResourcesFile>,
    #[serde(default)]
    ready_replicas: Option<ReadyFile>,
    #[serde(default)]
    token_mounted: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    #[serde(default)]
    kind: Option<Spanned<String>>,
    /// For a kind ckasim does not know offline: `group/version`, resolved by
    /// API discovery when read.
    #[serde(default)]
    api_version: Option<Spanned<String>>,
    #[serde(default)]
    namespace: Option<String>,
    /// Every namespace at once (kubectl's `-A`).
    #[serde(default)]
    all_namespaces: bool,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    selector: Option<Spanned<String>>,
    /// `Deployment/secure-app`
    #[serde(default)]
    pods_of: Option<Spanned<String>>,
    #[serde(default)]
    running: bool,
    #[serde(default, rename = "match")]
    quantifier: Quantifier,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    path: Spanned<String>,
    #[serde(default)]
    equals: Option<toml::Value>,
    #[serde(default)]
    one_of: Option<Vec<toml::Value>>,
    #[serde(default)]
    contains: Option<toml::Value>,
    #[serde(default)]
    matches: Option<Spanned<String>>,
    #[serde(default)]
    at_least: Option<f64>,
    #[serde(default)]
    at_most: Option<f64>,
    #[serde(default)]
    present: Option<bool>,
    #[serde(default)]
    over: Quantifier,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    server: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeFile {
    #[serde(rename = "type")]
    probe: ProbeKind,
    #[serde(default)]
    handler: Option<ProbeHandler>,
    #[serde(default)]
    container: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourcesFile {
    #[serde(default)]
    requests: Vec<String>,
    #[serde(default)]
    limits: Vec<String>,
    #[serde(default)]
    container: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadyFile {
    at_least: u32,
}

/// The expectation keys a check may give, built in and evaluators'.
fn expectations() -> String {
    CHECK_KEYS[3..]
        .iter()
        .copied()
        .chain(evaluator::EVALUATORS.iter().map(|e| e.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A check key that is no built-in one, with its value.
type ExtraKey<'a> = (Spanned<String>, Spanned<DeValue<'a>>);

/// Per criterion, per check: the keys that are not built in, with their
/// values and exact spans, in file order.
fn evaluator_values(source: &str) -> Vec<Vec<Vec<ExtraKey<'_>>>> {
    let Ok(doc) = DeTable::parse(source) else {
        return Vec::new();
    };
    let doc = doc.into_inner();
    criteria_tables(doc, "criteria")
        .into_iter()
        .map(|criterion| {
            criteria_tables(criterion, "checks")
                .into_iter()
                .map(|check| {
                    check
                        .into_iter()
                        .filter(|(k, _)| !CHECK_KEYS.contains(&k.get_ref().as_ref()))
                        .map(|(k, v)| {
                            let span = k.span();
                            (Spanned::new(span, k.into_inner().into_owned()), v)
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The tables of an array of tables (`[[criteria]]`) under `key`.
fn criteria_tables<'a>(table: DeTable<'a>, key: &str) -> Vec<DeTable<'a>> {
    let Some((_, value)) = table.into_iter().find(|(k, _)| k.get_ref() == key) else {
        return Vec::new();
    };
    match value.into_inner() {
        DeValue::Array(items) => items
            .into_iter()
            .filter_map(|item| match item.into_inner() {
                DeValue::Table(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Parses and validates one rubric against its scenario.
pub fn parse(file: &str, source: &str, scenario: &Scenario) -> Result<Rubric, Vec<LoadError>> {
    let raw: RubricFile =
        toml::from_str(source).map_err(|e| vec![super::error::from_toml(file, source, &e)])?;
    let mut v = Validator {
        file,
        source,
        scenario,
        errors: Vec::new(),
    };

    if *raw.pass_percent.get_ref() > 100 {
        v.error(
            raw.pass_percent.span(),
            "pass_percent must be between 0 and 100".into(),
        );
    }
    let report_pod_security = raw
        .report_pod_security
        .into_iter()
        .filter_map(|t| v.target(t.span(), t.into_inner()))
        .collect();

    let criteria_span = raw.criteria.span();
    // Coverage counts the criteria as written, so that an error inside one
    // does not also report its tasks as uncovered.
    let covered: Vec<String> = raw
        .criteria
        .get_ref()
        .iter()
        .flat_map(|c| c.get_ref().tasks.iter().map(|t| t.get_ref().clone()))
        .collect();
    let extra = evaluator_values(source);
    // Like any unknown key of the file, one no evaluator has stops the file.
    if let Some(key) = extra
        .iter()
        .flatten()
        .flatten()
        .map(|(key, _)| key)
        .find(|key| evaluator::find(key.get_ref()).is_none())
    {
        let known: Vec<String> = CHECK_KEYS
            .iter()
            .copied()
            .chain(evaluator::EVALUATORS.iter().map(|e| e.key()))
            .map(|k| format!("`{k}`"))
            .collect();
        return Err(vec![LoadError::at(
            file,
            source,
            Some(key.span()),
            format!(
                "unknown field `{}`, expected one of {}",
                key.get_ref(),
                known.join(", ")
            ),
        )]);
    }
    let mut extra = extra.into_iter();
    let mut criteria: Vec<Criterion> = Vec::new();
    for c in raw.criteria.into_inner() {
        let span = c.span();
        let extra = extra.next().unwrap_or_default();
        if let Some(criterion) = v.criterion(span.clone(), c.into_inner(), extra) {
            if criteria.iter().any(|o| o.id == criterion.id) {
                v.error(span, format!("duplicate criterion id '{}'", criterion.id));
            }
            criteria.push(criterion);
        }
    }
    if criteria.is_empty() && v.errors.is_empty() {
        v.error(
            criteria_span.clone(),
            "a rubric needs at least one criterion".into(),
        );
    }
    for task in &scenario.tasks {
        if !covered.contains(&task.id) {
            v.error(
                criteria_span.clone(),
                format!(
                    "task '{}' of scenario '{}' is not covered by any criterion",
                    task.id, scenario.id
                ),
            );
        }
    }
    let sum: u32 = criteria.iter().map(Criterion::max_score).sum();
    if let Some(total) = raw.total_points
        && *total.get_ref() != sum
        && v.errors.is_empty()
    {
        v.error(
            total.span(),
            format!(
                "total_points is {} but the checks add up to {sum}",
                total.get_ref()
            ),
        );
    }

    if !v.errors.is_empty() {
        return Err(v.errors);
    }
    Ok(Rubric {
        scenario: scenario.id.clone(),
        pass_percent: raw.pass_percent.into_inner(),
        criteria,
        report_pod_security,
        file: file.to_string(),
    })
}

struct Validator<'a> {
    file: &'a str,
    source: &'a str,
    scenario: &'a Scenario,
    errors: Vec<LoadError>,
}

impl<'a> Validator<'a> {
    fn error(&mut self, span: Range<usize>, message: String) {
        self.errors
            .push(LoadError::at(self.file, self.source, Some(span), message));
    }

    fn criterion(
        &mut self,
        span: Range<usize>,
        c: CriterionFile,
        extra: Vec<Vec<ExtraKey<'a>>>,
    ) -> Option<Criterion> {
        let before = self.errors.len();
        let id = c.id.get_ref().clone();
        if !super::scenario::is_dns_label(&id) {
            self.error(
                c.id.span(),
                format!("criterion id '{id}' must be lowercase letters, digits and '-'"),
            );
        }
        if c.tasks.is_empty() {
            self.error(
                span.clone(),
                format!("criterion '{id}' must name the tasks it covers"),
            );
        }
        for t in &c.tasks {
            if self.scenario.task(t.get_ref()).is_none() {
                self.error(
                    t.span(),
                    format!(
                        "criterion '{id}' names task '{}' that scenario '{}' does not have",
                        t.get_ref(),
                        self.scenario.id
                    ),
                );
            }
        }
        if c.checks.is_empty() {
            self.error(span.clone(), format!("criterion '{id}' has no checks"));
        }
        let mut extra = extra.into_iter();
        let checks: Vec<Check> = c
            .checks
            .into_iter()
            .filter_map(|k| {
                let span = k.span();
                let extra = extra.next().unwrap_or_default();
                self.check(span, k.into_inner(), extra)
            })
            .collect();
        let sum: u32 = checks.iter().map(|k| k.points).sum();
        if let Some(points) = &c.points
            && *points.get_ref() != sum
            && self.errors.len() == before
        {
            self.error(
                points.span(),
                format!(
                    "criterion '{id}' declares {} points but its checks add up to {sum}",
                    points.get_ref()
                ),
            );
        }
        (self.errors.len() == before).then(|| Criterion {
            id,
            title: c.title,
            tasks: c.tasks.into_iter().map(Spanned::into_inner).collect(),
            checks,
        })
    }

    fn check(
        &mut self,
        span: Range<usize>,
        k: CheckFile,
        extra: Vec<ExtraKey<'a>>,
    ) -> Option<Check> {
        let before = self.errors.len();
        if *k.points.get_ref() == 0 {
            self.error(
                k.points.span(),
                format!("check '{}' must be worth at least 1 point", k.title),
            );
        }
        let target_span = k.target.as_ref().map(Spanned::span);
        let target = k.target.map(|t| {
            let span = t.span();
            self.target(span, t.into_inner())
        });

        let mut found: Vec<Expectation> = Vec::new();
        // What the expectation needs of the target: built-in ones need one.
        let mut target_use = TargetUse::Required;
        for (key, value) in extra {
            // `parse` has rejected keys no evaluator has.
            let Some(e) = evaluator::find(key.get_ref()) else {
                continue;
            };
            let input = evaluator::Input::new(e.key(), &k.title, self.scenario, value);
            // Known even when the value is wrong, so no "has no target" follows.
            target_use = e.target();
            match e.parse(&input) {
                Ok(check) => found.push(Expectation::Evaluated(check)),
                Err(p) => self.error(p.span, p.message),
            }
        }
        if let Some(e) = k.exists {
            found.push(Expectation::Exists(e));
        }
        if let Some(f) = k.field {
            let fspan = f.span();
            if let Some(e) = self.field(fspan, f.into_inner()) {
                found.push(e);
            }
        }
        if let Some(r) = k.registry_credentials {
            found.push(Expectation::RegistryCredentials {
                server: r.server,
                username: r.username,
                password: r.password,
            });
        }
        if let Some(p) = k.pull_secret {
            found.push(Expectation::PullSecret(p));
        }
        if let Some(mut s) = k.security_context {
            let container = s.container.take();
            found.push(Expectation::SecurityContext {
                container,
                expect: s,
            });
        }
        if let Some(p) = k.probe {
            found.push(Expectation::Probe {
                container: p.container,
                probe: p.probe,
                handler: p.handler,
            });
        }
        if let Some(r) = k.resources {
            if r.requests.is_empty() && r.limits.is_empty() {
                self.error(
                    span.clone(),
                    format!("check '{}': resources needs requests or limits", k.title),
                );
            }
            found.push(Expectation::Resources {
                container: r.container,
                requests: r.requests,
                limits: r.limits,
            });
        }
        if let Some(r) = k.ready_replicas {
            found.push(Expectation::ReadyReplicas {
                at_least: r.at_least,
            });
        }
        if let Some(t) = k.token_mounted {
            found.push(Expectation::TokenMounted(t));
        }
        if found.len() != 1 && self.errors.len() == before {
            let what = if found.is_empty() {
                "no expectation"
            } else {
                "more than one expectation"
            };
            self.error(
                span.clone(),
                format!(
                    "check '{}' has {what}: give exactly one of {}",
                    k.title,
                    expectations()
                ),
            );
        }
        let target = match (target, target_use) {
            // An expectation that failed to parse has said what is wrong already.
            (None, TargetUse::Required) if self.errors.len() == before => {
                self.error(span, format!("check '{}' has no target", k.title));
                return None;
            }
            (Some(_), TargetUse::Forbidden) => {
                self.error(
                    target_span.unwrap_or(span),
                    format!("check '{}': this expectation takes no target", k.title),
                );
                return None;
            }
            (Some(t), _) => Some(t?),
            (None, _) => None,
        };
        let expect = found.pop()?;
        if let Some(problem) = incompatible(target.as_ref(), &expect) {
            self.error(
                target_span.unwrap_or(span),
                format!("check '{}': {problem}", k.title),
            );
        }
        (self.errors.len() == before).then(|| Check {
            title: k.title,
            points: k.points.into_inner(),
            target,
            expect,
        })
    }

    fn target(&mut self, span: Range<usize>, t: TargetFile) -> Option<Target> {
        let before = self.errors.len();
        let (kind, select) = match (&t.name, &t.selector, &t.pods_of) {
            (Some(name), None, None) => (
                self.kind(&span, t.kind.as_ref(), t.api_version.as_ref())?,
                Selection::Name(name.clone()),
            ),
            (None, Some(sel), None) => match LabelSelector::parse(sel.get_ref()) {
                Ok(s) => (
                    self.kind(&span, t.kind.as_ref(), t.api_version.as_ref())?,
                    Selection::Labels(s),
                ),
                Err(e) => {
                    self.error(sel.span(), e);
                    return None;
                }
            },
            (None, None, Some(owner)) => {
                if let Some(k) = &t.kind
                    && k.get_ref().parse::<Kind>() != Ok(Kind::Pod)
                {
                    self.error(
                        k.span(),
                        "a pods_of target selects pods: leave kind out or write 'Pod'".into(),
                    );
                }
                let parsed = owner
                    .get_ref()
                    .split_once('/')
                    .and_then(|(k, n)| Some((k.parse::<Kind>().ok()?, n.to_string())))
                    .filter(|(k, n)| k.has_pod_spec() && *k != Kind::Pod && !n.is_empty());
                let Some((kind, name)) = parsed else {
                    self.error(
                        owner.span(),
                        format!(
                            "pods_of '{}' must be 'Kind/name' of a workload, e.g. 'Deployment/web'",
                            owner.get_ref()
                        ),
                    );
                    return None;
                };
                (Kind::Pod, Selection::PodsOf { kind, name })
            }
            _ => {
                self.error(
                    span,
                    "a target needs exactly one of name, selector or pods_of".into(),
                );
                return None;
            }
        };
        // Reads go anywhere: any namespace, every namespace, cluster scope.
        let by_name = matches!(select, Selection::Name(_) | Selection::PodsOf { .. });
        match (t.namespace.is_some(), t.all_namespaces) {
            (true, true) => self.error(
                span.clone(),
                "give namespace or all_namespaces = true, not both".into(),
            ),
            _ if !kind.namespaced() && (t.namespace.is_some() || t.all_namespaces) => {
                self.error(
                    span.clone(),
                    format!("{kind} is not namespaced: remove namespace"),
                );
            }
            (false, true) if by_name => self.error(
                span.clone(),
                format!("a {kind} target by name needs its namespace, not all_namespaces"),
            ),
            (false, false) if kind.namespaced() && kind.is_well_known() => self.error(
                span.clone(),
                format!(
                    "a {kind} target needs a namespace (or all_namespaces = true for every namespace)"
                ),
            ),
            _ => {}
        }
        if t.running && kind != Kind::Pod {
            self.error(span, "running = true applies to pods only".into());
        }
        (self.errors.len() == before).then_some(Target {
            kind,
            namespace: t.namespace,
            select,
            running: t.running,
            quantifier: t.quantifier,
        })
    }

    fn kind(
        &mut self,
        span: &Range<usize>,
        kind: Option<&Spanned<String>>,
        api_version: Option<&Spanned<String>>,
    ) -> Option<Kind> {
        let Some(kind) = kind else {
            self.error(span.clone(), "a target needs a kind".into());
            return None;
        };
        if let Some(av) = api_version {
            let text = av.get_ref();
            let well_formed = match text.split_once('/') {
                Some((group, version)) => {
                    group.contains('.') && is_version(version) && !version.contains('/')
                }
                None => is_version(text),
            };
            let name = kind.get_ref();
            if !well_formed {
                self.error(
                    av.span(),
                    format!("api_version '{text}' must be 'group/version' (e.g. 'logistics.sim.dev/v1') or a core version ('v1')"),
                );
                return None;
            }
            if !name.starts_with(|c: char| c.is_ascii_uppercase())
                || !name.chars().all(|c| c.is_ascii_alphanumeric())
            {
                self.error(
                    kind.span(),
                    format!("kind '{name}' must be spelled as the API does with api_version (e.g. 'Shipment')"),
                );
                return None;
            }
            return Some(Kind::of_object(Some(text), name));
        }
        match kind.get_ref().parse::<Kind>() {
            Ok(k) => Some(k),
            Err(e) => {
                self.error(kind.span(), e.to_string());
                None
            }
        }
    }

    fn field(&mut self, span: Range<usize>, f: FieldFile) -> Option<Expectation> {
        let path = match JsonPath::parse(f.path.get_ref()) {
            Ok(p) => p,
            Err(e) => {
                // +1 skips the opening quote of the TOML string.
                let start = f.path.span().start + 1 + e.offset;
                self.error(start..start + 1, e.message);
                return None;
            }
        };
        let mut matchers = Vec::new();
        if let Some(v) = f.equals {
            matchers.push(Matcher::Equals(to_json(v)));
        }
        if let Some(v) = f.one_of {
            matchers.push(Matcher::OneOf(v.into_iter().map(to_json).collect()));
        }
        if let Some(v) = f.contains {
            matchers.push(Matcher::Contains(to_json(v)));
        }
        if let Some(r) = f.matches {
            match Regex::new(&format!("^(?:{})$", r.get_ref())) {
                Ok(re) => matchers.push(Matcher::Matches(re)),
                Err(e) => {
                    let msg = e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("invalid regex")
                        .trim()
                        .to_string();
                    self.error(r.span(), format!("invalid regex '{}': {msg}", r.get_ref()));
                    return None;
                }
            }
        }
        if f.at_least.is_some() || f.at_most.is_some() {
            matchers.push(Matcher::Range {
                at_least: f.at_least,
                at_most: f.at_most,
            });
        }
        if let Some(p) = f.present {
            matchers.push(Matcher::Present(p));
        }
        if matchers.len() != 1 {
            self.error(
                span,
                "a field check needs exactly one of equals, one_of, contains, matches, at_least/at_most, present".into(),
            );
            return None;
        }
        Some(Expectation::Field {
            path,
            matcher: matchers.remove(0),
            over: f.over,
        })
    }
}

/// `v1`, `v1beta1`, `v2alpha3`: a Kubernetes API version.
fn is_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (major, suffix) = rest.split_at(digits);
    let suffix_ok = suffix.is_empty()
        || ["alpha", "beta"].iter().any(|s| {
            suffix
                .strip_prefix(s)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        });
    !major.is_empty() && !major.starts_with('0') && suffix_ok
}

/// Why an expectation cannot apply to a target, if it cannot.
fn incompatible(target: Option<&Target>, expect: &Expectation) -> Option<String> {
    if let Expectation::Evaluated(check) = expect {
        return check.fits(target).err();
    }
    let kind = target?.kind;
    let needs_pods = |what: &str| {
        (!kind.has_pod_spec())
            .then(|| format!("{what} applies to pods and workloads, not to a {kind}"))
    };
    match expect {
        // Secret values are digests in a saved snapshot: a field matcher on
        // them would grade a snapshot differently from the live cluster.
        Expectation::Field { path, .. }
            if kind == Kind::Secret
                && (path.as_str().contains("data") || path.as_str().contains("..")) =>
        {
            Some(
                "a field check cannot read Secret values (they are redacted in snapshots); use registry_credentials"
                    .into(),
            )
        }
        Expectation::Exists(_) | Expectation::Field { .. } | Expectation::Evaluated(_) => None,
        Expectation::RegistryCredentials { .. } => {
            (kind != Kind::Secret).then(|| format!("registry_credentials applies to a Secret, not to a {kind}"))
        }
        Expectation::PullSecret(_) => (kind != Kind::ServiceAccount)
            .then(|| needs_pods("pull_secret"))
            .flatten()
            .map(|m| m.replace("pods and workloads", "ServiceAccounts, pods and workloads")),
        Expectation::SecurityContext { .. } => needs_pods("security_context"),
        Expectation::Probe { .. } => needs_pods("probe"),
        Expectation::Resources { .. } => needs_pods("resources"),
        Expectation::TokenMounted(_) => needs_pods("token_mounted"),
        Expectation::ReadyReplicas { .. } => (!matches!(
            kind,
            Kind::Pod | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet
        ))
        .then(|| format!("ready_replicas applies to pods and Deployments, ReplicaSets, StatefulSets, DaemonSets, not to a {kind}")),
    }
}

fn to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
    }
}
