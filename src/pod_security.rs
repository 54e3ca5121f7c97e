//! Pod Security Standards evaluator whose verdicts and wording match the Kubernetes `PodSecurity`
//! admission plugin. Each check mirrors upstream
//! `staging/src/k8s.io/pod-security-admission/policy/check_*.go` (its versions, its reason and
//! detail strings, and how it lists containers with `pluralize`/`joinQuote`), and the check
//! order and per-version selection mirror `policy/registry.go`. The check registry is the one
//! shipped with Kubernetes v1.35 and v1.36, whose newest check revision is policy v1.35; that is
//! what `latest` (and any newer pinned version) resolves to, as upstream clamps to the
//! registry's maximum version.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

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

mod baseline;
mod message;
mod pod;
mod restricted;
#[cfg(test)]
mod tests;

use baseline::{
    app_armor_profile, capabilities_baseline, host_namespaces, host_path_volumes, host_ports,
    host_probes_and_host_lifecycle, privileged, proc_mount, proc_mount_1_35_baseline,
    se_linux_options_1_0, se_linux_options_1_31, seccomp_bad_setters_failure, seccomp_findings,
    seccomp_profile_baseline_1_0, seccomp_profile_baseline_1_19, sysctls_1_0, sysctls_1_27,
    sysctls_1_29, sysctls_1_32, windows_host_process,
};
pub(crate) use message::go_quote;
use message::{containers_phrase, join_quote, pluralize};
use pod::{Pod, array, boolean, field, object, string, strings};
use restricted::{
    allow_privilege_escalation_1_8, allow_privilege_escalation_1_25, capabilities_restricted_1_22,
    capabilities_restricted_1_25, restricted_volumes, run_as_non_root_1_0, run_as_non_root_1_35,
    run_as_user_1_23, run_as_user_1_35, seccomp_profile_restricted_1_19,
    seccomp_profile_restricted_1_25,
};

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
