//! Pod Security Standards evaluator whose verdicts and wording match the Kubernetes `PodSecurity`
//! admission plugin. Each check mirrors upstream
//! `staging/src/k8s.io/pod-security-admission/policy/check_*.go` (its versions, its reason and
//! detail strings, and how it lists containers with `pluralize`/`joinQuote`), and the check
//! order and per-version selection mirror `policy/registry.go`. The check registry is the one
//! shipped with Kubernetes v1.35 and v1.36, whose newest check revision is policy v1.35; that is
//! what `latest` (and any newer pinned version) resolves to, as upstream clamps to the
//! registry's maximum version.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde_json::{Map, Value};

/// Newest policy minor any upstream check revision targets (procMount, `procMount_restricted`,
/// runAsNonRoot and runAsUser gained v1.35 revisions); `latest` resolves to it.
pub const LATEST_POLICY_MINOR: u32 = 35;

/// A Pod Security Standards level, ordered from least to most strict.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    /// The lowercase name used in namespace labels and by `kubectl`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Privileged => "privileged",
            Self::Baseline => "baseline",
            Self::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = PodSecurityError;

    // Case-sensitive, like upstream `api.ParseLevel`: the label value must be exact.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Self::Privileged),
            "baseline" => Ok(Self::Baseline),
            "restricted" => Ok(Self::Restricted),
            _ => Err(PodSecurityError::UnknownLevel(s.to_owned())),
        }
    }
}

/// A policy version as written in `pod-security.kubernetes.io/*-version` labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVersion {
    Latest,
    /// `v1.<minor>`.
    V1(u32),
}

impl PolicyVersion {
    /// The policy minor the checks are evaluated at: `latest` and versions newer than the
    /// registry's newest revision both resolve to [`LATEST_POLICY_MINOR`], as upstream does.
    #[must_use]
    pub fn effective_minor(self) -> u32 {
        match self {
            Self::Latest => LATEST_POLICY_MINOR,
            Self::V1(minor) => minor.min(LATEST_POLICY_MINOR),
        }
    }
}

impl fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Latest => f.write_str("latest"),
            Self::V1(minor) => write!(f, "v1.{minor}"),
        }
    }
}

impl FromStr for PolicyVersion {
    type Err = PodSecurityError;

    // Same grammar as upstream `api.ParseVersion`: `latest` or `^v1\.([0-9]|[1-9][0-9]*)$`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "latest" {
            return Ok(Self::Latest);
        }
        let invalid = || PodSecurityError::InvalidVersion(s.to_owned());
        let minor = s.strip_prefix("v1.").ok_or_else(invalid)?;
        let well_formed = !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
            && (minor == "0" || !minor.starts_with('0'));
        if !well_formed {
            return Err(invalid());
        }
        minor.parse().map(Self::V1).map_err(|_| invalid())
    }
}

/// Errors from parsing a level or a policy version.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum PodSecurityError {
    #[error("unknown Pod Security level '{0}': expected 'privileged', 'baseline' or 'restricted'")]
    UnknownLevel(String),
    #[error(
        "invalid Pod Security version '{0}': expected 'latest' or 'v1.<minor>', such as 'v1.30'"
    )]
    InvalidVersion(String),
}

/// Violation messages, each worded as one item of the admission plugin's violation list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Violations {
    /// Every failing check of the baseline level.
    pub baseline: Vec<String>,
    /// Every failing check when restricted is enforced, baseline ones included.
    pub restricted: Vec<String>,
}

/// The outcome of evaluating one pod at one policy version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The strictest level whose admission check the pod passes.
    pub level: Level,
    pub violations: Violations,
}

/// Evaluates a pod against baseline and restricted at `version`. `metadata` is the pod's (or
/// template's) `ObjectMeta` and `spec` its `PodSpec`, both as `kubectl get -o json` shows them;
/// values of the wrong JSON type are treated as absent.
#[must_use]
pub fn evaluate(metadata: &Value, spec: &Value, version: PolicyVersion) -> Evaluation {
    let minor = version.effective_minor();
    let pod = Pod::new(metadata, spec);
    let baseline_checks = active_checks(Level::Baseline, minor);
    let restricted_checks = active_checks(Level::Restricted, minor);
    let overridden: BTreeSet<&str> = restricted_checks
        .iter()
        .flat_map(|(_, versioned)| versioned.overrides.iter().copied())
        .collect();

    // Each baseline check runs once; restricted reuses the results it does not override.
    let baseline_results: Vec<(&str, Option<String>)> = baseline_checks
        .iter()
        .map(|(id, versioned)| (*id, (versioned.check)(&pod).map(Failure::message)))
        .collect();
    let baseline: Vec<String> = baseline_results
        .iter()
        .filter_map(|(_, message)| message.clone())
        .collect();
    let restricted: Vec<String> = baseline_results
        .into_iter()
        .filter(|(id, _)| !overridden.contains(id))
        .filter_map(|(_, message)| message)
        .chain(
            restricted_checks
                .iter()
                .filter_map(|(_, versioned)| (versioned.check)(&pod).map(Failure::message)),
        )
        .collect();

    // Restricted is judged on its own list, as admission does, so a pod restricted admits is
    // reported as restricted even in the (API-invalid) Windows cases baseline would reject.
    let level = if restricted.is_empty() {
        Level::Restricted
    } else if baseline.is_empty() {
        Level::Baseline
    } else {
        Level::Privileged
    };
    Evaluation {
        level,
        violations: Violations {
            baseline,
            restricted,
        },
    }
}

static NULL: Value = Value::Null;

/// The pod metadata and spec inside a workload object: Pod (`.metadata`/`.spec`),
/// Deployment, `ReplicaSet`, `StatefulSet`, `DaemonSet`, Job and `ReplicationController`
/// (`.spec.template`), `CronJob` (`.spec.jobTemplate.spec.template`) and `PodTemplate`
/// (`.template`), the kinds upstream admission extracts pods from. `None` for other kinds
/// or when the pod spec is missing; missing metadata comes back as JSON null.
#[must_use]
pub fn pod_template(object: &Value) -> Option<(&Value, &Value)> {
    let template = match object.get("kind")?.as_str()? {
        "Pod" => object,
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => object.get("spec")?.get("template")?,
        "CronJob" => object
            .get("spec")?
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?,
        "PodTemplate" => object.get("template")?,
        _ => return None,
    };
    let spec = template.get("spec").filter(|spec| spec.is_object())?;
    let metadata = template
        .get("metadata")
        .filter(|metadata| metadata.is_object())
        .unwrap_or(&NULL);
    Some((metadata, spec))
}

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

/// A failed check: upstream's `ForbiddenReason` and `ForbiddenDetail`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    reason: String,
    detail: String,
}

impl Failure {
    fn new(reason: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            detail: detail.into(),
        }
    }

    /// One item of the admission message, as `AggregateCheckResult.ForbiddenDetail` joins it.
    fn message(self) -> String {
        if self.detail.is_empty() {
            self.reason
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

type CheckFn = fn(&Pod<'_>) -> Option<Failure>;

struct VersionedCheck {
    min_minor: u32,
    check: CheckFn,
    /// Baseline check IDs this restricted revision replaces when restricted is enforced.
    overrides: &'static [&'static str],
}

struct Check {
    id: &'static str,
    level: Level,
    /// Strictly increasing `min_minor`.
    versions: &'static [VersionedCheck],
}

const fn rev(min_minor: u32, check: CheckFn) -> VersionedCheck {
    VersionedCheck {
        min_minor,
        check,
        overrides: &[],
    }
}

const fn rev_overriding(
    min_minor: u32,
    check: CheckFn,
    overrides: &'static [&'static str],
) -> VersionedCheck {
    VersionedCheck {
        min_minor,
        check,
        overrides,
    }
}

const CHECKS: &[Check] = &[
    Check {
        id: "appArmorProfile",
        level: Level::Baseline,
        versions: &[rev(0, app_armor_profile)],
    },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        versions: &[rev(0, capabilities_baseline)],
    },
    Check {
        id: "hostNamespaces",
        level: Level::Baseline,
        versions: &[rev(0, host_namespaces)],
    },
    Check {
        id: "hostPathVolumes",
        level: Level::Baseline,
        versions: &[rev(0, host_path_volumes)],
    },
    Check {
        id: "hostPorts",
        level: Level::Baseline,
        versions: &[rev(0, host_ports)],
    },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        versions: &[rev(34, host_probes_and_host_lifecycle)],
    },
    Check {
        id: "privileged",
        level: Level::Baseline,
        versions: &[rev(0, privileged)],
    },
    Check {
        id: "procMount",
        level: Level::Baseline,
        versions: &[rev(0, proc_mount), rev(35, proc_mount_1_35_baseline)],
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        versions: &[rev(0, se_linux_options_1_0), rev(31, se_linux_options_1_31)],
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        versions: &[
            rev(0, seccomp_profile_baseline_1_0),
            rev(19, seccomp_profile_baseline_1_19),
        ],
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        versions: &[
            rev(0, sysctls_1_0),
            rev(27, sysctls_1_27),
            rev(29, sysctls_1_29),
            rev(32, sysctls_1_32),
        ],
    },
    Check {
        id: "windowsHostProcess",
        level: Level::Baseline,
        versions: &[rev(0, windows_host_process)],
    },
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        versions: &[
            rev(8, allow_privilege_escalation_1_8),
            rev(25, allow_privilege_escalation_1_25),
        ],
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        versions: &[
            rev_overriding(22, capabilities_restricted_1_22, &["capabilities_baseline"]),
            rev_overriding(25, capabilities_restricted_1_25, &["capabilities_baseline"]),
        ],
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        versions: &[rev_overriding(35, proc_mount, &["procMount"])],
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        versions: &[rev_overriding(0, restricted_volumes, &["hostPathVolumes"])],
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        versions: &[rev(0, run_as_non_root_1_0), rev(35, run_as_non_root_1_35)],
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        versions: &[rev(23, run_as_user_1_23), rev(35, run_as_user_1_35)],
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        versions: &[
            rev_overriding(
                19,
                seccomp_profile_restricted_1_19,
                &["seccompProfile_baseline"],
            ),
            rev_overriding(
                25,
                seccomp_profile_restricted_1_25,
                &["seccompProfile_baseline"],
            ),
        ],
    },
];

/// The revision of each check of `level` in force at `minor`, sorted by check ID as
/// `registry.go` sorts them (byte order, so `seLinuxOptions` precedes `seccompProfile_*`).
fn active_checks(level: Level, minor: u32) -> Vec<(&'static str, &'static VersionedCheck)> {
    let mut active: Vec<_> = CHECKS
        .iter()
        .filter(|check| check.level == level)
        .filter_map(|check| {
            check
                .versions
                .iter()
                .rev()
                .find(|versioned| versioned.min_minor <= minor)
                .map(|versioned| (check.id, versioned))
        })
        .collect();
    active.sort_by(|a, b| a.0.cmp(b.0));
    active
}

// ---------------------------------------------------------------------------------------------
// Tolerant JSON access: a value of the wrong type reads as absent, as if the field were unset.
// ---------------------------------------------------------------------------------------------

fn field<'a>(value: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    value?
        .as_object()?
        .get(key)
        .filter(|found| !found.is_null())
}

fn object<'a>(value: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    field(value, key).filter(|found| found.is_object())
}

fn string<'a>(value: Option<&'a Value>, key: &str) -> &'a str {
    field(value, key)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn boolean(value: Option<&Value>, key: &str) -> Option<bool> {
    field(value, key).and_then(Value::as_bool)
}

fn array<'a>(value: Option<&'a Value>, key: &str) -> &'a [Value] {
    field(value, key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn strings<'a>(value: Option<&'a Value>, key: &str) -> impl Iterator<Item = &'a str> {
    array(value, key).iter().filter_map(Value::as_str)
}

/// A read-only view of the pod fields the checks look at.
struct Pod<'a> {
    annotations: Option<&'a Map<String, Value>>,
    spec: Option<&'a Value>,
    /// Init, regular then ephemeral containers, the order of upstream `visitContainers`.
    containers: Vec<Container<'a>>,
}

struct Container<'a> {
    name: &'a str,
    value: &'a Value,
}

impl<'a> Container<'a> {
    fn security_context(&self) -> Option<&'a Value> {
        object(Some(self.value), "securityContext")
    }
}

impl<'a> Pod<'a> {
    fn new(metadata: &'a Value, spec: &'a Value) -> Self {
        let spec = Some(spec).filter(|spec| spec.is_object());
        let containers = ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .flat_map(|key| array(spec, key))
            .filter(|container| container.is_object())
            .map(|container| Container {
                name: string(Some(container), "name"),
                value: container,
            })
            .collect();
        Self {
            annotations: object(Some(metadata), "annotations").and_then(Value::as_object),
            spec,
            containers,
        }
    }

    fn security_context(&self) -> Option<&'a Value> {
        object(self.spec, "securityContext")
    }

    /// String-valued annotations; others could not come from a real API object.
    fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.annotations
            .into_iter()
            .flatten()
            .filter_map(|(key, value)| Some((key.as_str(), value.as_str()?)))
    }

    fn annotation(&self, key: &str) -> Option<&'a str> {
        self.annotations?.get(key)?.as_str()
    }

    fn is_windows(&self) -> bool {
        string(object(self.spec, "os"), "name") == "windows"
    }

    /// `spec.hostUsers: false` (KEP-127 user namespaces), which relaxes some checks from v1.35.
    fn in_user_namespace(&self) -> bool {
        boolean(self.spec, "hostUsers") == Some(false)
    }

    fn volumes(&self) -> impl Iterator<Item = &'a Value> {
        array(self.spec, "volumes")
            .iter()
            .filter(|volume| volume.is_object())
    }
}

// ---------------------------------------------------------------------------------------------
// Upstream message helpers (`policy/helpers.go`, Go's `%q`).
// ---------------------------------------------------------------------------------------------

fn pluralize<'a>(singular: &'a str, plural: &'a str, count: usize) -> &'a str {
    if count == 1 { singular } else { plural }
}

fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let joined: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", joined.join("\", \""))
}

/// `"<container|containers> \"a\", \"b\""`, the subject most details start with.
fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// Go's `strconv.Quote`, which upstream uses (`%q`) to print annotation values.
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_printable(c) => out.push(c),
            // Writing to a String cannot fail.
            c if u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if u32::from(c) < 0x1_0000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

/// Approximates Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the
/// ASCII space; controls, other spaces, format characters and private use are escaped.
fn go_printable(c: char) -> bool {
    c == ' '
        || !(c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                '\u{ad}'
                    | '\u{600}'..='\u{605}'
                    | '\u{61c}'
                    | '\u{6dd}'
                    | '\u{70f}'
                    | '\u{180e}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2060}'..='\u{2064}'
                    | '\u{2066}'..='\u{206f}'
                    | '\u{feff}'
                    | '\u{fff9}'..='\u{fffb}'
                    | '\u{e000}'..='\u{f8ff}'
            ))
}

// ---------------------------------------------------------------------------------------------
// Baseline checks
// ---------------------------------------------------------------------------------------------

/// `check_appArmorProfile.go`: one revision at v1.0 that inspects both the v1.30 fields and
/// the deprecated beta annotations, so it applies at every pinned version.
fn app_armor_profile(pod: &Pod<'_>) -> Option<Failure> {
    const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
    fn allowed_type(profile_type: &str) -> bool {
        matches!(profile_type, "RuntimeDefault" | "Localhost")
    }
    fn allowed_annotation(value: &str) -> bool {
        value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
    }

    let mut bad_setters = Vec::new();
    let mut bad_values = BTreeSet::new();
    if let Some(profile) = object(pod.security_context(), "appArmorProfile") {
        let profile_type = string(Some(profile), "type");
        if !allowed_type(profile_type) {
            bad_setters.push("pod".to_owned());
            bad_values.insert(profile_type);
        }
    }
    let mut bad_containers = Vec::new();
    for container in &pod.containers {
        if let Some(profile) = object(container.security_context(), "appArmorProfile") {
            let profile_type = string(Some(profile), "type");
            if !allowed_type(profile_type) {
                bad_containers.push(container.name);
                bad_values.insert(profile_type);
            }
        }
    }
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }

    let mut forbidden_annotations: Vec<String> = pod
        .annotations()
        .filter(|(key, value)| key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(value))
        .map(|(key, value)| format!("{key}={}", go_quote(value)))
        .collect();
    let mut bad_value_list: Vec<String> = bad_values.into_iter().map(str::to_owned).collect();
    if !forbidden_annotations.is_empty() {
        forbidden_annotations.sort();
        bad_setters
            .push(pluralize("annotation", "annotations", forbidden_annotations.len()).to_owned());
        bad_value_list.extend(forbidden_annotations);
    }

    if bad_setters.is_empty() {
        return None;
    }
    Some(Failure::new(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            bad_value_list.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            bad_setters.join(" and "),
            join_quote(&bad_value_list)
        ),
    ))
}

/// `check_capabilities_baseline.go`.
fn capabilities_baseline(pod: &Pod<'_>) -> Option<Failure> {
    const ALLOWED: [&str; 13] = [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ];
    let mut bad_containers = Vec::new();
    let mut non_default = BTreeSet::new();
    for container in &pod.containers {
        let capabilities = object(container.security_context(), "capabilities");
        let mut valid = true;
        for capability in strings(capabilities, "add") {
            if !ALLOWED.contains(&capability) {
                valid = false;
                non_default.insert(capability);
            }
        }
        if !valid {
            bad_containers.push(container.name);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad_containers),
            join_quote(&non_default.into_iter().collect::<Vec<_>>())
        ),
    ))
}

/// `check_hostNamespaces.go`.
fn host_namespaces(pod: &Pod<'_>) -> Option<Failure> {
    let host_namespaces: Vec<&str> = [
        ("hostNetwork", "hostNetwork=true"),
        ("hostPID", "hostPID=true"),
        ("hostIPC", "hostIPC=true"),
    ]
    .into_iter()
    .filter(|(key, _)| boolean(pod.spec, key) == Some(true))
    .map(|(_, shown)| shown)
    .collect();
    if host_namespaces.is_empty() {
        return None;
    }
    Some(Failure::new("host namespaces", host_namespaces.join(", ")))
}

/// `check_hostPathVolumes.go`.
fn host_path_volumes(pod: &Pod<'_>) -> Option<Failure> {
    let host_volumes: Vec<&str> = pod
        .volumes()
        .filter(|volume| object(Some(volume), "hostPath").is_some())
        .map(|volume| string(Some(volume), "name"))
        .collect();
    if host_volumes.is_empty() {
        return None;
    }
    Some(Failure::new(
        "hostPath volumes",
        format!(
            "{} {}",
            pluralize("volume", "volumes", host_volumes.len()),
            join_quote(&host_volumes)
        ),
    ))
}

/// `check_hostPorts.go`.
fn host_ports(pod: &Pod<'_>) -> Option<Failure> {
    let mut bad_containers = Vec::new();
    // Upstream keeps the ports in a string set, so they sort as text ("10" < "9").
    let mut forbidden_ports = BTreeSet::new();
    for container in &pod.containers {
        let mut valid = true;
        for port in array(Some(container.value), "ports") {
            if let Some(host_port) = field(Some(port), "hostPort").and_then(Value::as_i64)
                && host_port != 0
            {
                valid = false;
                forbidden_ports.insert(host_port.to_string());
            }
        }
        if !valid {
            bad_containers.push(container.name);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let ports: Vec<String> = forbidden_ports.into_iter().collect();
    Some(Failure::new(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
    ))
}

/// `check_hostProbesAndhostLifecycle.go` (v1.34+): any explicit host on an HTTP or TCP probe or
/// lifecycle handler, loopback included.
fn host_probes_and_host_lifecycle(pod: &Pod<'_>) -> Option<Failure> {
    fn handler_hosts<'a>(handler: Option<&'a Value>, hosts: &mut Vec<&'a str>) {
        for action in ["httpGet", "tcpSocket"] {
            let host = string(object(handler, action), "host");
            if !host.is_empty() {
                hosts.push(host);
            }
        }
    }

    let mut bad_containers = BTreeSet::new();
    let mut forbidden = BTreeSet::new();
    for container in &pod.containers {
        let mut hosts = Vec::new();
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            handler_hosts(object(Some(container.value), probe), &mut hosts);
        }
        let lifecycle = object(Some(container.value), "lifecycle");
        for hook in ["postStart", "preStop"] {
            handler_hosts(object(lifecycle, hook), &mut hosts);
        }
        if !hosts.is_empty() {
            bad_containers.insert(container.name);
            forbidden.extend(hosts);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let hosts: Vec<&str> = forbidden.into_iter().collect();
    let names: Vec<&str> = bad_containers.into_iter().collect();
    Some(Failure::new(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
    ))
}

/// `check_privileged.go`.
fn privileged(pod: &Pod<'_>) -> Option<Failure> {
    let bad_containers: Vec<&str> = pod
        .containers
        .iter()
        .filter(|container| boolean(container.security_context(), "privileged") == Some(true))
        .map(|container| container.name)
        .collect();
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad_containers)
        ),
    ))
}

/// `procMount_1_0`, also the whole of `procMount_restricted` (v1.35+), which keeps restricted
/// strict after baseline relaxed it for user-namespace pods.
fn proc_mount(pod: &Pod<'_>) -> Option<Failure> {
    let mut bad_containers = Vec::new();
    let mut forbidden_types = BTreeSet::new();
    for container in &pod.containers {
        if let Some(proc_mount) =
            field(container.security_context(), "procMount").and_then(Value::as_str)
            && proc_mount != "Default"
        {
            bad_containers.push(container.name);
            forbidden_types.insert(proc_mount);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad_containers),
            join_quote(&forbidden_types.into_iter().collect::<Vec<_>>())
        ),
    ))
}

/// `procMount1_35baseline`: any procMount is fine for a pod in a user namespace.
fn proc_mount_1_35_baseline(pod: &Pod<'_>) -> Option<Failure> {
    if pod.in_user_namespace() {
        return None;
    }
    proc_mount(pod)
}

const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn se_linux_options_1_0(pod: &Pod<'_>) -> Option<Failure> {
    se_linux_options(pod, SELINUX_TYPES_1_0)
}

fn se_linux_options_1_31(pod: &Pod<'_>) -> Option<Failure> {
    se_linux_options(pod, SELINUX_TYPES_1_31)
}

/// `check_seLinuxOptions.go`; `container_engine_t` joined the allowed types in v1.31.
fn se_linux_options<'a>(pod: &Pod<'a>, allowed_types: &[&str]) -> Option<Failure> {
    let mut bad_types = BTreeSet::new();
    let mut set_user = false;
    let mut set_role = false;
    let mut valid = |options: &'a Value| {
        let mut valid = true;
        let option_type = string(Some(options), "type");
        if !allowed_types.contains(&option_type) {
            valid = false;
            bad_types.insert(option_type);
        }
        if !string(Some(options), "user").is_empty() {
            valid = false;
            set_user = true;
        }
        if !string(Some(options), "role").is_empty() {
            valid = false;
            set_role = true;
        }
        valid
    };

    let mut bad_setters = Vec::new();
    if let Some(options) = object(pod.security_context(), "seLinuxOptions")
        && !valid(options)
    {
        bad_setters.push("pod".to_owned());
    }
    let bad_containers: Vec<&str> = pod
        .containers
        .iter()
        .filter(|container| {
            object(container.security_context(), "seLinuxOptions")
                .is_some_and(|options| !valid(options))
        })
        .map(|container| container.name)
        .collect();
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }
    if bad_setters.is_empty() {
        return None;
    }

    let mut bad_data = Vec::new();
    if !bad_types.is_empty() {
        let types: Vec<&str> = bad_types.into_iter().collect();
        bad_data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if set_user {
        bad_data.push("user may not be set".to_owned());
    }
    if set_role {
        bad_data.push("role may not be set".to_owned());
    }
    Some(Failure::new(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            bad_setters.join(" and "),
            bad_data.join("; ")
        ),
    ))
}

/// `seccompProfileBaseline_1_0`: before v1.19 seccomp was set through alpha annotations.
fn seccomp_profile_baseline_1_0(pod: &Pod<'_>) -> Option<Failure> {
    const POD_KEY: &str = "seccomp.security.alpha.kubernetes.io/pod";
    const CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
    fn valid(value: &str) -> bool {
        value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
    }

    let mut forbidden = BTreeSet::new();
    if let Some(value) = pod.annotation(POD_KEY)
        && !valid(value)
    {
        forbidden.insert(format!("{POD_KEY}={}", go_quote(value)));
    }
    for container in &pod.containers {
        let key = format!("{CONTAINER_PREFIX}{}", container.name);
        if let Some(value) = pod.annotation(&key)
            && !valid(value)
        {
            forbidden.insert(format!("{key}={}", go_quote(value)));
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    Some(Failure::new(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            forbidden.into_iter().collect::<Vec<_>>().join(", ")
        ),
    ))
}

fn valid_seccomp_type(profile_type: &str) -> bool {
    matches!(profile_type, "RuntimeDefault" | "Localhost")
}

/// Who explicitly set a bad `seccompProfile.type` ("pod", "containers ...") and the bad values,
/// shared by the baseline and restricted field checks.
struct SeccompFindings<'a> {
    bad_setters: Vec<String>,
    bad_values: BTreeSet<&'a str>,
    pod_valid: bool,
    /// Containers with no profile of their own.
    unset_containers: Vec<&'a str>,
}

fn seccomp_findings<'a>(pod: &Pod<'a>) -> SeccompFindings<'a> {
    let mut findings = SeccompFindings {
        bad_setters: Vec::new(),
        bad_values: BTreeSet::new(),
        pod_valid: false,
        unset_containers: Vec::new(),
    };
    if let Some(profile) = object(pod.security_context(), "seccompProfile") {
        let profile_type = string(Some(profile), "type");
        if valid_seccomp_type(profile_type) {
            findings.pod_valid = true;
        } else {
            findings.bad_setters.push("pod".to_owned());
            findings.bad_values.insert(profile_type);
        }
    }
    let mut explicitly_bad = Vec::new();
    for container in &pod.containers {
        match object(container.security_context(), "seccompProfile") {
            Some(profile) => {
                let profile_type = string(Some(profile), "type");
                if !valid_seccomp_type(profile_type) {
                    explicitly_bad.push(container.name);
                    findings.bad_values.insert(profile_type);
                }
            }
            None => findings.unset_containers.push(container.name),
        }
    }
    if !explicitly_bad.is_empty() {
        findings
            .bad_setters
            .push(containers_phrase(&explicitly_bad));
    }
    findings
}

fn seccomp_bad_setters_failure(findings: &SeccompFindings<'_>) -> Option<Failure> {
    if findings.bad_setters.is_empty() {
        return None;
    }
    let values: Vec<&str> = findings.bad_values.iter().copied().collect();
    Some(Failure::new(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            findings.bad_setters.join(" and "),
            join_quote(&values)
        ),
    ))
}

/// `seccompProfileBaseline_1_19`: explicit profiles must be `RuntimeDefault` or `Localhost`.
fn seccomp_profile_baseline_1_19(pod: &Pod<'_>) -> Option<Failure> {
    seccomp_bad_setters_failure(&seccomp_findings(pod))
}

/// Allowed sysctls by the policy version that first allowed them.
const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_ADDED_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_ADDED_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_ADDED_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

fn sysctls_1_0(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0])
}

fn sysctls_1_27(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27])
}

fn sysctls_1_29(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27, SYSCTLS_ADDED_1_29])
}

fn sysctls_1_32(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(
        pod,
        &[
            SYSCTLS_1_0,
            SYSCTLS_ADDED_1_27,
            SYSCTLS_ADDED_1_29,
            SYSCTLS_ADDED_1_32,
        ],
    )
}

/// `check_sysctls.go`: forbidden names are listed in spec order, duplicates kept.
fn sysctls(pod: &Pod<'_>, allowed: &[&[&str]]) -> Option<Failure> {
    let forbidden: Vec<&str> = array(pod.security_context(), "sysctls")
        .iter()
        .filter(|sysctl| sysctl.is_object())
        .map(|sysctl| string(Some(sysctl), "name"))
        .filter(|name| !allowed.iter().any(|set| set.contains(name)))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    Some(Failure::new("forbidden sysctls", forbidden.join(", ")))
}

/// `check_windowsHostProcess.go`.
fn windows_host_process(pod: &Pod<'_>) -> Option<Failure> {
    let host_process =
        |context: Option<&Value>| boolean(object(context, "windowsOptions"), "hostProcess");
    let bad_containers: Vec<&str> = pod
        .containers
        .iter()
        .filter(|container| host_process(container.security_context()) == Some(true))
        .map(|container| container.name)
        .collect();
    let mut setters = Vec::new();
    if host_process(pod.security_context()) == Some(true) {
        setters.push("pod".to_owned());
    }
    if !bad_containers.is_empty() {
        setters.push(containers_phrase(&bad_containers));
    }
    if setters.is_empty() {
        return None;
    }
    Some(Failure::new(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
    ))
}

// ---------------------------------------------------------------------------------------------
// Restricted checks
// ---------------------------------------------------------------------------------------------

/// `allowPrivilegeEscalation_1_8`: every container must set it to false explicitly.
fn allow_privilege_escalation_1_8(pod: &Pod<'_>) -> Option<Failure> {
    let bad_containers: Vec<&str> = pod
        .containers
        .iter()
        .filter(|container| {
            boolean(container.security_context(), "allowPrivilegeEscalation") != Some(false)
        })
        .map(|container| container.name)
        .collect();
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad_containers)
        ),
    ))
}

/// From v1.25 a pod with `spec.os.name: windows` is exempt: API validation forbids the field.
fn allow_privilege_escalation_1_25(pod: &Pod<'_>) -> Option<Failure> {
    if pod.is_windows() {
        return None;
    }
    allow_privilege_escalation_1_8(pod)
}

/// `capabilitiesRestricted_1_22`: drop ALL, add nothing but `NET_BIND_SERVICE`.
fn capabilities_restricted_1_22(pod: &Pod<'_>) -> Option<Failure> {
    let mut missing_drop_all = Vec::new();
    let mut adding_forbidden = Vec::new();
    let mut forbidden_capabilities = BTreeSet::new();
    for container in &pod.containers {
        let Some(capabilities) = object(container.security_context(), "capabilities") else {
            missing_drop_all.push(container.name);
            continue;
        };
        if !strings(Some(capabilities), "drop").any(|capability| capability == "ALL") {
            missing_drop_all.push(container.name);
        }
        let mut added_forbidden = false;
        for capability in strings(Some(capabilities), "add") {
            if capability != "NET_BIND_SERVICE" {
                added_forbidden = true;
                forbidden_capabilities.insert(capability);
            }
        }
        if added_forbidden {
            adding_forbidden.push(container.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop_all)
        ));
    }
    if !adding_forbidden.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding_forbidden),
            join_quote(&forbidden_capabilities.into_iter().collect::<Vec<_>>())
        ));
    }
    if details.is_empty() {
        return None;
    }
    Some(Failure::new(
        "unrestricted capabilities",
        details.join("; "),
    ))
}

fn capabilities_restricted_1_25(pod: &Pod<'_>) -> Option<Failure> {
    if pod.is_windows() {
        return None;
    }
    capabilities_restricted_1_22(pod)
}

/// `check_restrictedVolumes.go`. The `image` type was allowed in place (Kubernetes v1.33),
/// so it applies at every pinned version, like upstream's single v1.0 revision.
fn restricted_volumes(pod: &Pod<'_>) -> Option<Failure> {
    const ALLOWED: [&str; 9] = [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    // Upstream's switch order: the first source found names the volume's type.
    const RESTRICTED: [&str; 21] = [
        "hostPath",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "nfs",
        "iscsi",
        "glusterfs",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "fc",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
    ];
    let mut bad_volumes = Vec::new();
    let mut bad_types = BTreeSet::new();
    for volume in pod.volumes() {
        let has = |source: &&str| object(Some(volume), source).is_some();
        if ALLOWED.iter().any(has) {
            continue;
        }
        // The API server defaults a volume that names no source to emptyDir
        // (`SetDefaults_Volume`) before admission runs, so upstream's "unknown" type never
        // reaches the plugin and such a volume is allowed.
        let Some(restricted_type) = RESTRICTED.into_iter().find(|source| has(source)) else {
            continue;
        };
        bad_volumes.push(string(Some(volume), "name"));
        bad_types.insert(restricted_type);
    }
    if bad_volumes.is_empty() {
        return None;
    }
    let types: Vec<&str> = bad_types.into_iter().collect();
    Some(Failure::new(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", bad_volumes.len()),
            join_quote(&bad_volumes),
            pluralize("uses", "use", bad_volumes.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
    ))
}

/// `runAsNonRoot_1_0`: pod-level true covers containers that leave it unset.
fn run_as_non_root_1_0(pod: &Pod<'_>) -> Option<Failure> {
    const REASON: &str = "runAsNonRoot != true";
    let mut bad_setters = Vec::new();
    let mut pod_run_as_non_root = false;
    match boolean(pod.security_context(), "runAsNonRoot") {
        Some(false) => bad_setters.push("pod".to_owned()),
        Some(true) => pod_run_as_non_root = true,
        None => {}
    }
    let mut explicitly_bad = Vec::new();
    let mut implicitly_bad = Vec::new();
    for container in &pod.containers {
        match boolean(container.security_context(), "runAsNonRoot") {
            Some(false) => explicitly_bad.push(container.name),
            None if !pod_run_as_non_root => implicitly_bad.push(container.name),
            Some(true) | None => {}
        }
    }
    if !explicitly_bad.is_empty() {
        bad_setters.push(containers_phrase(&explicitly_bad));
    }
    if !bad_setters.is_empty() {
        return Some(Failure::new(
            REASON,
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                bad_setters.join(" and ")
            ),
        ));
    }
    if !implicitly_bad.is_empty() {
        return Some(Failure::new(
            REASON,
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicitly_bad)
            ),
        ));
    }
    None
}

/// From v1.35 a user-namespace pod is exempt: its root is unprivileged on the host.
fn run_as_non_root_1_35(pod: &Pod<'_>) -> Option<Failure> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_non_root_1_0(pod)
}

/// `runAsUser_1_23`: nothing may set `runAsUser: 0`; leaving it unset is fine.
fn run_as_user_1_23(pod: &Pod<'_>) -> Option<Failure> {
    let is_root =
        |context: Option<&Value>| field(context, "runAsUser").and_then(Value::as_i64) == Some(0);
    let mut bad_setters = Vec::new();
    if is_root(pod.security_context()) {
        bad_setters.push("pod".to_owned());
    }
    let bad_containers: Vec<&str> = pod
        .containers
        .iter()
        .filter(|container| is_root(container.security_context()))
        .map(|container| container.name)
        .collect();
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }
    if bad_setters.is_empty() {
        return None;
    }
    Some(Failure::new(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", bad_setters.join(" and ")),
    ))
}

fn run_as_user_1_35(pod: &Pod<'_>) -> Option<Failure> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_user_1_23(pod)
}

/// `seccompProfileRestricted_1_19`: a valid profile is required, at pod level or on every
/// container.
fn seccomp_profile_restricted_1_19(pod: &Pod<'_>) -> Option<Failure> {
    let findings = seccomp_findings(pod);
    if let Some(failure) = seccomp_bad_setters_failure(&findings) {
        return Some(failure);
    }
    if findings.pod_valid || findings.unset_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "seccompProfile",
        format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&findings.unset_containers)
        ),
    ))
}

fn seccomp_profile_restricted_1_25(pod: &Pod<'_>) -> Option<Failure> {
    if pod.is_windows() {
        return None;
    }
    seccomp_profile_restricted_1_19(pod)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Runs one check function on a pod built from `metadata` and `spec`, returning
    /// `(reason, detail)` when it fails.
    fn run(check: CheckFn, metadata: &Value, spec: &Value) -> Option<(String, String)> {
        check(&Pod::new(metadata, spec)).map(|failure| (failure.reason, failure.detail))
    }

    fn fails(check: CheckFn, spec: &Value, reason: &str, detail: &str) {
        assert_eq!(
            run(check, &json!({}), spec),
            Some((reason.to_owned(), detail.to_owned())),
            "spec: {spec}"
        );
    }

    fn passes(check: CheckFn, spec: &Value) {
        assert_eq!(run(check, &json!({}), spec), None, "spec: {spec}");
    }

    fn sc(name: &str, security_context: &Value) -> Value {
        json!({"name": name, "securityContext": security_context})
    }

    // ---- API surface -------------------------------------------------------------------

    #[test]
    fn level_round_trips_and_orders() {
        for level in [Level::Privileged, Level::Baseline, Level::Restricted] {
            assert_eq!(level.to_string().parse::<Level>(), Ok(level));
        }
        assert!(Level::Privileged < Level::Baseline && Level::Baseline < Level::Restricted);
        assert_eq!(
            "Restricted".parse::<Level>(),
            Err(PodSecurityError::UnknownLevel("Restricted".to_owned()))
        );
        assert_eq!(
            PodSecurityError::UnknownLevel("strict".to_owned()).to_string(),
            "unknown Pod Security level 'strict': expected 'privileged', 'baseline' or 'restricted'"
        );
        assert_eq!(
            serde_json::to_value(Level::Baseline).ok(),
            Some(json!("baseline"))
        );
    }

    #[test]
    fn policy_version_parses_like_upstream() {
        assert_eq!("latest".parse(), Ok(PolicyVersion::Latest));
        assert_eq!("v1.0".parse(), Ok(PolicyVersion::V1(0)));
        assert_eq!("v1.23".parse(), Ok(PolicyVersion::V1(23)));
        for bad in [
            "",
            "v1",
            "v1.",
            "v1.01",
            "1.23",
            "v2.0",
            "v1.x",
            "v1.-1",
            "Latest",
            "v1.99999999999",
        ] {
            assert_eq!(
                bad.parse::<PolicyVersion>(),
                Err(PodSecurityError::InvalidVersion(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(PolicyVersion::V1(30).to_string(), "v1.30");
        assert_eq!(PolicyVersion::Latest.to_string(), "latest");
        assert_eq!(
            PodSecurityError::InvalidVersion("1.30".to_owned()).to_string(),
            "invalid Pod Security version '1.30': expected 'latest' or 'v1.<minor>', such as 'v1.30'"
        );
    }

    #[test]
    fn newer_versions_clamp_to_latest() {
        assert_eq!(PolicyVersion::Latest.effective_minor(), LATEST_POLICY_MINOR);
        assert_eq!(PolicyVersion::V1(99).effective_minor(), LATEST_POLICY_MINOR);
        assert_eq!(PolicyVersion::V1(21).effective_minor(), 21);
    }

    #[test]
    fn registry_is_well_formed() {
        let mut ids = BTreeSet::new();
        for check in CHECKS {
            assert!(ids.insert(check.id), "duplicate {}", check.id);
            assert!(check.level != Level::Privileged);
            assert!(
                check
                    .versions
                    .windows(2)
                    .all(|w| w[0].min_minor < w[1].min_minor)
            );
            assert!(
                check
                    .versions
                    .iter()
                    .all(|v| v.min_minor <= LATEST_POLICY_MINOR)
            );
            for versioned in check.versions {
                for id in versioned.overrides {
                    assert_eq!(check.level, Level::Restricted);
                    assert!(
                        CHECKS
                            .iter()
                            .any(|c| c.id == *id && c.level == Level::Baseline),
                        "{id}"
                    );
                }
            }
        }
        assert_eq!(
            CHECKS
                .iter()
                .flat_map(|c| c.versions)
                .map(|v| v.min_minor)
                .max(),
            Some(LATEST_POLICY_MINOR)
        );
    }

    #[test]
    fn checks_run_in_registry_order() {
        let ids = |level, minor| -> Vec<&str> {
            active_checks(level, minor)
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        assert_eq!(
            ids(Level::Baseline, 35),
            [
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPathVolumes",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
            ]
        );
        assert_eq!(
            ids(Level::Restricted, 35),
            [
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]
        );
        assert_eq!(
            ids(Level::Restricted, 0),
            ["restrictedVolumes", "runAsNonRoot"]
        );
        assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
    }

    // ---- evaluate ------------------------------------------------------------------------

    #[test]
    fn bare_pod_reads_like_kubectl_warning() {
        let spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
        let evaluation = evaluate(&json!({"name": "p"}), &spec, PolicyVersion::Latest);
        assert_eq!(evaluation.level, Level::Baseline);
        assert!(evaluation.violations.baseline.is_empty());
        assert_eq!(
            evaluation.violations.restricted,
            [
                r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)"#,
                r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])"#,
                r#"runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)"#,
                r#"seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
            ]
        );
    }

    #[test]
    fn baseline_failures_are_part_of_restricted() {
        let spec = json!({
            "hostNetwork": true,
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
            "containers": [sc("app", &json!({
                "privileged": true,
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
                "runAsNonRoot": true,
                "seccompProfile": {"type": "RuntimeDefault"},
            }))],
        });
        let evaluation = evaluate(&json!({}), &spec, PolicyVersion::Latest);
        assert_eq!(evaluation.level, Level::Privileged);
        assert_eq!(
            evaluation.violations.baseline,
            [
                "host namespaces (hostNetwork=true)",
                r#"hostPath volumes (volume "root")"#,
                r#"privileged (container "app" must not set securityContext.privileged=true)"#,
            ]
        );
        // restrictedVolumes replaces hostPathVolumes when restricted is enforced.
        assert_eq!(
            evaluation.violations.restricted,
            [
                "host namespaces (hostNetwork=true)",
                r#"privileged (container "app" must not set securityContext.privileged=true)"#,
                r#"restricted volume types (volume "root" uses restricted volume type "hostPath")"#,
            ]
        );
    }

    #[test]
    fn compliant_pod_is_restricted() {
        let spec = json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [sc("app", &json!({
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
            }))],
        });
        let evaluation = evaluate(&json!({}), &spec, PolicyVersion::Latest);
        assert_eq!(evaluation.level, Level::Restricted);
        assert_eq!(evaluation.violations, Violations::default());
    }

    #[test]
    fn version_selects_revisions() {
        // hostProbesAndHostLifecycle only exists from v1.34.
        let spec = json!({"containers": [{"name": "a", "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}}]});
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(33)).level,
            Level::Baseline
        );
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(34)).level,
            Level::Privileged
        );
        // runAsUser=0 is only checked from v1.23.
        let spec = json!({
            "securityContext": {"runAsUser": 0, "runAsNonRoot": true, "seccompProfile": {"type": "Localhost"}},
            "containers": [sc("a", &json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}))],
        });
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(22)).level,
            Level::Restricted
        );
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(23))
                .violations
                .restricted,
            ["runAsUser=0 (pod must not set runAsUser=0)"]
        );
        // Before v1.22 restricted checks capabilities with the baseline rule only.
        let spec = json!({"securityContext": {"runAsNonRoot": true}, "containers": [sc("a", &json!({"allowPrivilegeEscalation": false}))]});
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(18)).level,
            Level::Restricted
        );
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(19))
                .violations
                .restricted,
            [
                r#"seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
            ]
        );
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(22))
                .violations
                .restricted
                .len(),
            2
        );
        // allowPrivilegeEscalation only exists from v1.8.
        let spec =
            json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]});
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(7)).level,
            Level::Restricted
        );
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(8)).level,
            Level::Baseline
        );
    }

    #[test]
    fn windows_pods_skip_linux_only_restricted_checks_from_1_25() {
        let spec = json!({"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]});
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(25)).level,
            Level::Restricted
        );
        assert_eq!(
            evaluate(&json!({}), &spec, PolicyVersion::V1(24))
                .violations
                .restricted
                .len(),
            3
        );
    }

    #[test]
    fn user_namespaces_relax_from_1_35() {
        let spec = json!({
            "hostUsers": false,
            "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [sc("a", &json!({
                "procMount": "Unmasked",
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]},
            }))],
        });
        let latest = evaluate(&json!({}), &spec, PolicyVersion::Latest);
        assert!(latest.violations.baseline.is_empty());
        // procMount_restricted keeps restricted strict; runAsNonRoot and runAsUser are relaxed.
        assert_eq!(
            latest.violations.restricted,
            [r#"procMount (container "a" must not set securityContext.procMount to "Unmasked")"#]
        );
        let v1_34 = evaluate(&json!({}), &spec, PolicyVersion::V1(34));
        assert_eq!(v1_34.level, Level::Privileged);
        assert_eq!(
            v1_34.violations.restricted,
            [
                r#"procMount (container "a" must not set securityContext.procMount to "Unmasked")"#,
                r#"runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true)"#,
                "runAsUser=0 (pod must not set runAsUser=0)",
            ]
        );
    }

    #[test]
    fn any_json_shape_is_tolerated() {
        let shapes = [
            json!(null),
            json!([]),
            json!("spec"),
            json!(7),
            json!({"containers": "x", "initContainers": [1, null, "c"], "volumes": {"a": 1}}),
            json!({"containers": [{"name": 5, "securityContext": [], "ports": [{"hostPort": "80"}, 3]}]}),
            json!({"securityContext": {"sysctls": [1, {"name": 2}], "seLinuxOptions": "x", "runAsUser": "0"}}),
            json!({"containers": [{"securityContext": {"capabilities": {"add": [1, null], "drop": "ALL"}, "seccompProfile": {"type": 3}}}]}),
        ];
        for spec in &shapes {
            for metadata in [
                json!(null),
                json!({"annotations": []}),
                json!({"annotations": {"a": 1}}),
            ] {
                let evaluation = evaluate(&metadata, spec, PolicyVersion::Latest);
                assert!(evaluation.level <= Level::Restricted);
            }
        }
        // A nameless container is reported with an empty name, as upstream does.
        fails(
            privileged,
            &json!({"containers": [{"securityContext": {"privileged": true}}]}),
            "privileged",
            r#"container "" must not set securityContext.privileged=true"#,
        );
    }

    // ---- baseline checks, with upstream's test expectations --------------------------------

    #[test]
    fn app_armor_profile_fields_and_annotations() {
        fails(
            app_armor_profile,
            &json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}),
            "forbidden AppArmor profile",
            r#"pod must not set AppArmor profile type to "Unconfined""#,
        );
        fails(
            app_armor_profile,
            &json!({
                "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "foo"}],
                "initContainers": [sc("bar", &json!({"appArmorProfile": {"type": "Unconfined"}}))],
            }),
            "forbidden AppArmor profile",
            r#"container "bar" must not set AppArmor profile type to "Unconfined""#,
        );
        let metadata = json!({"annotations": {
            "container.apparmor.security.beta.kubernetes.io/": "bogus",
            "container.apparmor.security.beta.kubernetes.io/a": "",
            "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
            "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
            "container.apparmor.security.beta.kubernetes.io/d": "localhost/foo",
            "container.apparmor.security.beta.kubernetes.io/e": "unconfined",
            "container.apparmor.security.beta.kubernetes.io/f": "unknown",
        }});
        assert_eq!(
            run(app_armor_profile, &metadata, &json!({})),
            Some((
                "forbidden AppArmor profiles".to_owned(),
                concat!(
                    r#"annotations must not set AppArmor profile type to "#,
                    r#""container.apparmor.security.beta.kubernetes.io/="bogus"", "#,
                    r#""container.apparmor.security.beta.kubernetes.io/e="unconfined"", "#,
                    r#""container.apparmor.security.beta.kubernetes.io/f="unknown"""#,
                )
                .to_owned()
            ))
        );
        let metadata = json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "un\"conf\n"}});
        assert_eq!(
            run(app_armor_profile, &metadata, &json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}})),
            Some((
                "forbidden AppArmor profiles".to_owned(),
                r#"pod and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="un\"conf\n"""#.to_owned()
            ))
        );
        passes(
            app_armor_profile,
            &json!({"securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}}, "containers": [sc("a", &json!({"appArmorProfile": {"type": "RuntimeDefault"}}))]}),
        );
    }

    #[test]
    fn capabilities_baseline_lists_non_default() {
        fails(
            capabilities_baseline,
            &json!({"containers": [
                sc("a", &json!({"capabilities": {"add": ["CHOWN", "NET_RAW"]}})),
                sc("b", &json!({"capabilities": {"add": ["SYS_ADMIN", "NET_RAW"]}})),
                sc("c", &json!({"capabilities": {"add": ["KILL"], "drop": ["ALL"]}})),
            ]}),
            "non-default capabilities",
            r#"containers "a", "b" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add"#,
        );
    }

    #[test]
    fn host_namespaces_lists_each() {
        fails(
            host_namespaces,
            &json!({"hostNetwork": true, "hostPID": true, "hostIPC": true}),
            "host namespaces",
            "hostNetwork=true, hostPID=true, hostIPC=true",
        );
        passes(host_namespaces, &json!({"hostNetwork": false}));
    }

    #[test]
    fn host_path_volumes_lists_volumes() {
        fails(
            host_path_volumes,
            &json!({"volumes": [
                {"name": "a", "hostPath": {"path": "/a"}},
                {"name": "b", "emptyDir": {}},
                {"name": "c", "hostPath": {"path": "/c"}},
            ]}),
            "hostPath volumes",
            r#"volumes "a", "c""#,
        );
    }

    #[test]
    fn host_ports_sort_as_text() {
        fails(
            host_ports,
            &json!({"containers": [
                {"name": "a", "ports": [{"hostPort": 0}]},
                {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 20}]},
            ]}),
            "hostPort",
            r#"container "b" uses hostPort 20"#,
        );
        fails(
            host_ports,
            &json!({"containers": [
                {"name": "a", "ports": [{"hostPort": 0}]},
                {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 20}]},
                {"name": "c", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 30}]},
            ]}),
            "hostPort",
            r#"containers "b", "c" use hostPorts 10, 20, 30"#,
        );
        fails(
            host_ports,
            &json!({"containers": [{"name": "a", "ports": [{"hostPort": 9}, {"hostPort": 10}]}]}),
            "hostPort",
            r#"container "a" uses hostPorts 10, 9"#,
        );
    }

    #[test]
    fn host_probes_and_lifecycle_hosts() {
        let http = |host: &str| json!({"httpGet": {"host": host, "port": 80}});
        let tcp = |host: &str| json!({"tcpSocket": {"host": host, "port": 80}});
        passes(
            host_probes_and_host_lifecycle,
            &json!({"containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": 80}}, "readinessProbe": {"tcpSocket": {"port": 80}}, "lifecycle": {"postStart": {"httpGet": {"port": 80}}}}]}),
        );
        fails(
            host_probes_and_host_lifecycle,
            &json!({"containers": [{"name": "a", "livenessProbe": http("127.0.0.1"), "readinessProbe": tcp("::1"), "startupProbe": http("localhost")}]}),
            "probe or lifecycle host",
            r#"container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost""#,
        );
        fails(
            host_probes_and_host_lifecycle,
            &json!({"containers": [{"name": "d", "lifecycle": {"postStart": tcp("invalid.host")}}]}),
            "probe or lifecycle host",
            r#"container "d" uses probe or lifecycle host "invalid.host""#,
        );
        fails(
            host_probes_and_host_lifecycle,
            &json!({"containers": [
                {"name": "valid"},
                {"name": "invalid1", "livenessProbe": http("a.com")},
                {"name": "invalid2", "lifecycle": {"preStop": tcp("b.com")}, "startupProbe": http("a.com")},
            ]}),
            "probe or lifecycle host",
            r#"containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com""#,
        );
        fails(
            host_probes_and_host_lifecycle,
            &json!({"initContainers": [{"name": "init", "livenessProbe": http("invalid.init.host")}]}),
            "probe or lifecycle host",
            r#"container "init" uses probe or lifecycle host "invalid.init.host""#,
        );
    }

    #[test]
    fn privileged_containers() {
        fails(
            privileged,
            &json!({"containers": [
                sc("a", &json!({"privileged": false})),
                sc("b", &json!({"privileged": true})),
                sc("c", &json!({"privileged": true})),
            ]}),
            "privileged",
            r#"containers "b", "c" must not set securityContext.privileged=true"#,
        );
    }

    #[test]
    fn proc_mount_types() {
        let spec = json!({"containers": [
            sc("a", &json!({"procMount": "Default"})),
            sc("b", &json!({"procMount": "Unmasked"})),
            sc("c", &json!({"procMount": "other"})),
        ]});
        let detail =
            r#"containers "b", "c" must not set securityContext.procMount to "Unmasked", "other""#;
        fails(proc_mount, &spec, "procMount", detail);
        fails(proc_mount_1_35_baseline, &spec, "procMount", detail);
        let mut in_user_namespace = spec;
        in_user_namespace["hostUsers"] = json!(false);
        passes(proc_mount_1_35_baseline, &in_user_namespace);
        fails(proc_mount, &in_user_namespace, "procMount", detail);
    }

    #[test]
    fn se_linux_options_details() {
        let spec = json!({
            "securityContext": {"seLinuxOptions": {"type": "foo", "user": "bar", "role": "baz"}},
            "containers": [
                sc("a", &json!({"seLinuxOptions": {"type": "container_t"}})),
                sc("b", &json!({"seLinuxOptions": {"type": "container_init_t"}})),
                sc("c", &json!({"seLinuxOptions": {"type": "container_kvm_t"}})),
                sc("d", &json!({"seLinuxOptions": {"type": "container_engine_t"}})),
                sc("e", &json!({"seLinuxOptions": {"type": "bar"}})),
                sc("f", &json!({"seLinuxOptions": {"user": "bar"}})),
                sc("g", &json!({"seLinuxOptions": {"role": "baz"}})),
            ],
        });
        fails(
            se_linux_options_1_31,
            &spec,
            "seLinuxOptions",
            r#"pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#,
        );
        // container_engine_t is only allowed from v1.31.
        fails(
            se_linux_options_1_0,
            &spec,
            "seLinuxOptions",
            r#"pod and containers "d", "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "container_engine_t", "foo"; user may not be set; role may not be set"#,
        );
        fails(
            se_linux_options_1_31,
            &json!({"securityContext": {"seLinuxOptions": {"user": "bad"}}}),
            "seLinuxOptions",
            "pod set forbidden securityContext.seLinuxOptions: user may not be set",
        );
        fails(
            se_linux_options_1_31,
            &json!({"securityContext": {"seLinuxOptions": {"role": "bad"}}}),
            "seLinuxOptions",
            "pod set forbidden securityContext.seLinuxOptions: role may not be set",
        );
        passes(
            se_linux_options_1_31,
            &json!({"securityContext": {"seLinuxOptions": {"level": "s0:c1"}}}),
        );
    }

    #[test]
    fn seccomp_profile_baseline_annotations_before_1_19() {
        let metadata = json!({"annotations": {
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
        }});
        let spec = json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]});
        assert_eq!(
            run(seccomp_profile_baseline_1_0, &metadata, &spec),
            Some((
                "seccompProfile".to_owned(),
                concat!(
                    r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", "#,
                    r#"container.seccomp.security.alpha.kubernetes.io/b="unknown", "#,
                    r#"seccomp.security.alpha.kubernetes.io/pod="unconfined""#,
                )
                .to_owned()
            ))
        );
        let metadata = json!({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "docker/default", "container.seccomp.security.alpha.kubernetes.io/a": "localhost/p"}});
        assert_eq!(run(seccomp_profile_baseline_1_0, &metadata, &spec), None);
        // The field revision ignores the annotations.
        let metadata =
            json!({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}});
        assert_eq!(run(seccomp_profile_baseline_1_19, &metadata, &spec), None);
    }

    #[test]
    fn seccomp_profile_baseline_fields() {
        let unconfined = json!({"seccompProfile": {"type": "Unconfined"}});
        let runtime_default = json!({"seccompProfile": {"type": "RuntimeDefault"}});
        fails(
            seccomp_profile_baseline_1_19,
            &json!({"securityContext": unconfined, "containers": [{"name": "a"}]}),
            "seccompProfile",
            r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        let containers = json!([
            {"name": "a"},
            sc("b", &json!({})),
            sc("c", &unconfined),
            sc("d", &unconfined),
            sc("e", &runtime_default),
        ]);
        fails(
            seccomp_profile_baseline_1_19,
            &json!({"securityContext": runtime_default, "containers": containers}),
            "seccompProfile",
            r#"containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        fails(
            seccomp_profile_baseline_1_19,
            &json!({"securityContext": unconfined, "containers": containers}),
            "seccompProfile",
            r#"pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
    }

    #[test]
    fn sysctls_grow_by_version() {
        fails(
            sysctls_1_0,
            &json!({"securityContext": {"sysctls": [{"name": "a"}, {"name": "b"}]}}),
            "forbidden sysctls",
            "a, b",
        );
        let reserved = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1024-4999"}]}});
        fails(
            sysctls_1_0,
            &reserved,
            "forbidden sysctls",
            "net.ipv4.ip_local_reserved_ports",
        );
        passes(sysctls_1_27, &reserved);
        let keepalive = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "60"}]}});
        fails(
            sysctls_1_27,
            &keepalive,
            "forbidden sysctls",
            "net.ipv4.tcp_keepalive_time",
        );
        passes(sysctls_1_29, &keepalive);
        let rmem = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 16777216"}]}});
        fails(
            sysctls_1_29,
            &rmem,
            "forbidden sysctls",
            "net.ipv4.tcp_rmem",
        );
        passes(sysctls_1_32, &rmem);
        passes(
            sysctls_1_0,
            &json!({"securityContext": {"sysctls": [{"name": "kernel.shm_rmid_forced", "value": "0"}]}}),
        );
    }

    #[test]
    fn windows_host_process_setters() {
        fails(
            windows_host_process,
            &json!({
                "securityContext": {"windowsOptions": {"hostProcess": true}},
                "containers": [
                    {"name": "a"},
                    sc("b", &json!({})),
                    sc("c", &json!({"windowsOptions": {}})),
                    sc("d", &json!({"windowsOptions": {"hostProcess": false}})),
                    sc("e", &json!({"windowsOptions": {"hostProcess": true}})),
                    sc("f", &json!({"windowsOptions": {"hostProcess": true}})),
                ],
            }),
            "hostProcess",
            r#"pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true"#,
        );
    }

    // ---- restricted checks ---------------------------------------------------------------

    #[test]
    fn allow_privilege_escalation_must_be_false() {
        fails(
            allow_privilege_escalation_1_8,
            &json!({"containers": [
                {"name": "a"},
                sc("b", &json!({})),
                sc("c", &json!({"allowPrivilegeEscalation": true})),
                sc("d", &json!({"allowPrivilegeEscalation": false})),
            ]}),
            "allowPrivilegeEscalation != false",
            r#"containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false"#,
        );
        passes(
            allow_privilege_escalation_1_25,
            &json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
        );
        fails(
            allow_privilege_escalation_1_25,
            &json!({"os": {"name": "linux"}, "containers": [{"name": "a"}]}),
            "allowPrivilegeEscalation != false",
            r#"container "a" must set securityContext.allowPrivilegeEscalation=false"#,
        );
    }

    #[test]
    fn capabilities_restricted_details() {
        fails(
            capabilities_restricted_1_22,
            &json!({"containers": [
                sc("a", &json!({"capabilities": {"add": ["FOO", "BAR"]}})),
                sc("b", &json!({"capabilities": {"add": ["BAR", "BAZ"]}})),
                sc("c", &json!({"capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL", "FOO"]}})),
            ]}),
            "unrestricted capabilities",
            r#"containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add"#,
        );
        passes(
            capabilities_restricted_1_25,
            &json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
        );
    }

    #[test]
    fn restricted_volume_types() {
        let mut volumes: Vec<Value> = [
            "emptyDir",
            "secret",
            "persistentVolumeClaim",
            "downwardAPI",
            "configMap",
            "projected",
            "csi",
            "ephemeral",
            "image",
        ]
        .iter()
        .enumerate()
        .map(|(i, source)| json!({"name": format!("a{}", i + 1), source.to_owned(): {}}))
        .collect();
        let restricted = [
            "hostPath",
            "gcePersistentDisk",
            "awsElasticBlockStore",
            "gitRepo",
            "nfs",
            "iscsi",
            "glusterfs",
            "rbd",
            "flexVolume",
            "cinder",
            "cephfs",
            "flocker",
            "fc",
            "azureFile",
            "vsphereVolume",
            "quobyte",
            "azureDisk",
            "photonPersistentDisk",
            "portworxVolume",
            "scaleIO",
            "storageos",
        ];
        volumes.extend(
            restricted
                .iter()
                .enumerate()
                .map(|(i, source)| json!({"name": format!("b{}", i + 1), source.to_owned(): {}})),
        );
        fails(
            restricted_volumes,
            &json!({"volumes": volumes}),
            "restricted volume types",
            concat!(
                r#"volumes "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21""#,
                r#" use restricted volume types "#,
                r#""awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "#,
                r#""hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume""#,
            ),
        );
        // Upstream's unit test reports a source-less volume as "unknown", but the API server
        // defaults it to emptyDir first, which is what upstream's pass fixtures rely on.
        passes(
            restricted_volumes,
            &json!({"volumes": [{"name": "c1"}, {"name": "c2", "hostPath": null}]}),
        );
    }

    #[test]
    fn run_as_non_root_details() {
        fails(
            run_as_non_root_1_35,
            &json!({"containers": [{"name": "a"}]}),
            "runAsNonRoot != true",
            r#"pod or container "a" must set securityContext.runAsNonRoot=true"#,
        );
        fails(
            run_as_non_root_1_35,
            &json!({"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}),
            "runAsNonRoot != true",
            "pod must not set securityContext.runAsNonRoot=false",
        );
        fails(
            run_as_non_root_1_35,
            &json!({"securityContext": {"runAsNonRoot": true}, "containers": [
                {"name": "a"},
                sc("b", &json!({})),
                sc("c", &json!({"runAsNonRoot": false})),
                sc("d", &json!({"runAsNonRoot": false})),
                sc("e", &json!({"runAsNonRoot": true})),
            ]}),
            "runAsNonRoot != true",
            r#"containers "c", "d" must not set securityContext.runAsNonRoot=false"#,
        );
        fails(
            run_as_non_root_1_35,
            &json!({"containers": [
                {"name": "a"},
                sc("b", &json!({})),
                sc("d", &json!({"runAsNonRoot": true})),
            ]}),
            "runAsNonRoot != true",
            r#"pod or containers "a", "b" must set securityContext.runAsNonRoot=true"#,
        );
        passes(run_as_non_root_1_35, &json!({"hostUsers": false}));
        fails(
            run_as_non_root_1_0,
            &json!({"hostUsers": false, "containers": [{"name": "a"}]}),
            "runAsNonRoot != true",
            r#"pod or container "a" must set securityContext.runAsNonRoot=true"#,
        );
    }

    #[test]
    fn run_as_user_details() {
        fails(
            run_as_user_1_35,
            &json!({"securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}),
            "runAsUser=0",
            "pod must not set runAsUser=0",
        );
        passes(
            run_as_user_1_35,
            &json!({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "a"}]}),
        );
        fails(
            run_as_user_1_35,
            &json!({"securityContext": {"runAsUser": 1000}, "containers": [
                {"name": "a"},
                sc("b", &json!({})),
                sc("c", &json!({"runAsUser": 0})),
                sc("d", &json!({"runAsUser": 0})),
                sc("e", &json!({"runAsUser": 1})),
            ]}),
            "runAsUser=0",
            r#"containers "c", "d" must not set runAsUser=0"#,
        );
        passes(
            run_as_user_1_35,
            &json!({"hostUsers": false, "securityContext": {"runAsUser": 0}}),
        );
        fails(
            run_as_user_1_35,
            &json!({"hostUsers": true, "securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}),
            "runAsUser=0",
            "pod must not set runAsUser=0",
        );
    }

    #[test]
    fn seccomp_profile_restricted_details() {
        fails(
            seccomp_profile_restricted_1_19,
            &json!({"containers": [{"name": "a"}, sc("b", &json!({"seccompProfile": {"type": "RuntimeDefault"}}))]}),
            "seccompProfile",
            r#"pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
        );
        fails(
            seccomp_profile_restricted_1_19,
            &json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}]}),
            "seccompProfile",
            r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        fails(
            seccomp_profile_restricted_1_19,
            &json!({"containers": [sc("a", &json!({"seccompProfile": {}}))]}),
            "seccompProfile",
            r#"container "a" must not set securityContext.seccompProfile.type to """#,
        );
        passes(
            seccomp_profile_restricted_1_19,
            &json!({"securityContext": {"seccompProfile": {"type": "Localhost"}}, "containers": [{"name": "a"}]}),
        );
        passes(
            seccomp_profile_restricted_1_25,
            &json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
        );
    }

    #[test]
    fn go_quote_matches_strconv_quote() {
        assert_eq!(go_quote("plain"), r#""plain""#);
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\t\n\u{1}\u{7f}"), r#""\t\n\x01\x7f""#);
        assert_eq!(go_quote("é\u{a0}\u{200b}"), r#""é\u00a0\u200b""#);
    }

    // ---- pod_template -------------------------------------------------------------------

    #[test]
    fn pod_template_for_each_workload_kind() {
        let template =
            json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c"}]}});
        let expect = |object: &Value| {
            let Some((metadata, spec)) = pod_template(object) else {
                panic!("no template in {object}");
            };
            assert_eq!(metadata, &template["metadata"]);
            assert_eq!(spec, &template["spec"]);
        };
        let mut pod = template.clone();
        pod["kind"] = json!("Pod");
        expect(&pod);
        for kind in [
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "ReplicationController",
        ] {
            expect(&json!({"kind": kind, "spec": {"template": template}}));
        }
        expect(
            &json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}),
        );
        expect(&json!({"kind": "PodTemplate", "template": template}));
    }

    #[test]
    fn pod_template_rejects_other_shapes() {
        for object in [
            json!({"kind": "Service", "spec": {"template": {"spec": {}}}}),
            json!({"kind": "Deployment", "spec": {}}),
            json!({"kind": "Deployment", "spec": {"template": {"spec": "x"}}}),
            json!({"kind": "CronJob", "spec": {"template": {"spec": {}}}}),
            json!({"spec": {}}),
            json!({"kind": 3}),
            json!([]),
        ] {
            assert!(pod_template(&object).is_none(), "{object}");
        }
        let bare_pod = json!({"kind": "Pod", "spec": {}});
        let Some((metadata, spec)) = pod_template(&bare_pod) else {
            panic!("a pod without metadata still has a template");
        };
        assert!(metadata.is_null());
        assert_eq!(spec, &json!({}));
    }
}
