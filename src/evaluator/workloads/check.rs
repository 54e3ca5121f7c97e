//! The workload checks in a rubric: `rollout`, `hpa`, `job`, `cronjob`, `priority` and
//! `refs_resolve`.

use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::hpa::{
    HpaExpectation, ResourceMetric, Target as MetricTarget, as_v2, hpa, target_requests,
};
use super::jobs::{CronJobExpectation, JobExpectation, cronjob, job};
use super::priority::{PriorityExpectation, priority};
use super::refs::{Source, references, refs_resolve};
use super::rollout::{RolloutExpectation, rollout};
use crate::evaluator::objects::{self, values};
use crate::evaluator::pod_security::needs_kind;
use crate::evaluator::syntax::{flag, no_object, one_of, quantity};
use crate::evaluator::{Evaluator, EvaluatorCheck, Get, Input, Problem, Verdict};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::{Object, Snapshot};

fn subject_of(subject: Option<&str>, parts: &[String]) -> String {
    format!("{}: {}", subject.unwrap_or_default(), parts.join(", "))
}

/// `field value` words for the set fields of an expectation.
fn described(fields: &[(&str, Option<String>)]) -> Vec<String> {
    fields
        .iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name} {v}")))
        .collect()
}

fn nothing_to_check(input: &Input<'_>, key: &str) -> Problem {
    Problem::new(input.span(), format!("{key}: say what to check"))
}

/// `rollout = { current_image, images_seen = [...], revisions_at_least, container }` on a
/// Deployment.
pub struct Rollout;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolloutFile {
    #[serde(default)]
    current_image: Option<String>,
    #[serde(default)]
    images_seen: Vec<String>,
    #[serde(default)]
    revisions_at_least: Option<u64>,
    #[serde(default)]
    container: Option<String>,
}

#[derive(Debug)]
struct RolloutCheck(RolloutExpectation);

impl Evaluator for Rollout {
    fn key(&self) -> &'static str {
        "rollout"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: RolloutFile = input.deserialize()?;
        if f.current_image.is_none() && f.images_seen.is_empty() && f.revisions_at_least.is_none() {
            return Err(nothing_to_check(input, "rollout"));
        }
        Ok(Arc::new(RolloutCheck(RolloutExpectation {
            current_image: f.current_image,
            images_seen: f.images_seen,
            revisions_at_least: f.revisions_at_least,
            container: f.container,
        })))
    }
}

impl EvaluatorCheck for RolloutCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(target, |k| k == Kind::Deployment, "rollout", "Deployments")
    }

    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::ReplicaSet, target.and_then(|t| t.namespace.clone()))]
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let e = &self.0;
        let mut parts = described(&[
            ("runs", e.current_image.clone()),
            (
                "revisions at least",
                e.revisions_at_least.map(|n| n.to_string()),
            ),
            ("in container", e.container.clone()),
        ]);
        if !e.images_seen.is_empty() {
            parts.push(format!("ran {}", e.images_seen.join(", ")));
        }
        subject_of(subject, &parts)
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(d) = object else { return no_object() };
        let rs = values(snapshot, Kind::ReplicaSet, d.namespace.as_deref());
        rollout(&d.value, &rs, &self.0)
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        match target {
            Some(Get {
                target:
                    Target {
                        namespace: Some(ns),
                        select: crate::library::rubric::Selection::Name(n),
                        ..
                    },
                ..
            }) => {
                format!("kubectl rollout history deployment {n} -n {ns}")
            }
            Some(get) => get.command.clone(),
            None => String::new(),
        }
    }

    fn named_values(&self) -> Vec<String> {
        self.0
            .current_image
            .iter()
            .chain(&self.0.images_seen)
            .cloned()
            .collect()
    }
}

/// `hpa = { target = "Deployment/web", min, max, cpu_utilization, memory_utilization,
/// cpu_average, memory_average, scale_down_window }` on a HorizontalPodAutoscaler.
pub struct Hpa;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HpaFile {
    #[serde(default)]
    target: Option<Spanned<String>>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
    #[serde(default)]
    cpu_utilization: Option<i64>,
    #[serde(default)]
    memory_utilization: Option<i64>,
    #[serde(default)]
    cpu_average: Option<Spanned<String>>,
    #[serde(default)]
    memory_average: Option<Spanned<String>>,
    #[serde(default)]
    scale_down_window: Option<i64>,
    #[serde(default)]
    target_requests: bool,
}

#[derive(Debug)]
struct HpaCheck {
    expect: HpaExpectation,
    /// The scale target must request what the HPA scales on by utilization.
    target_requests: bool,
}

impl Evaluator for Hpa {
    fn key(&self) -> &'static str {
        "hpa"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: HpaFile = input.deserialize()?;
        if let Some(t) = &f.target
            && !t
                .get_ref()
                .split_once('/')
                .is_some_and(|(k, n)| !k.is_empty() && !n.is_empty())
        {
            return Err(Problem::new(
                t.span(),
                format!(
                    "hpa target '{}' must be 'Kind/name', e.g. 'Deployment/web'",
                    t.get_ref()
                ),
            ));
        }
        let metric = |resource: &str, target| ResourceMetric {
            resource: resource.to_owned(),
            target,
        };
        let mut metrics = Vec::new();
        metrics.extend(
            f.cpu_utilization
                .map(|p| metric("cpu", MetricTarget::Utilization(p))),
        );
        metrics.extend(
            f.memory_utilization
                .map(|p| metric("memory", MetricTarget::Utilization(p))),
        );
        if let Some(q) = &f.cpu_average {
            metrics.push(metric("cpu", MetricTarget::AverageValue(quantity(q)?)));
        }
        if let Some(q) = &f.memory_average {
            metrics.push(metric("memory", MetricTarget::AverageValue(quantity(q)?)));
        }
        // `deploy/web` names the same target as `Deployment/web`.
        let target = f
            .target
            .map(Spanned::into_inner)
            .map(|t| match t.split_once('/') {
                Some((kind, name)) => match kind.parse::<Kind>() {
                    Ok(k) => format!("{k}/{name}"),
                    Err(_) => t.clone(),
                },
                None => t,
            });
        let e = HpaExpectation {
            target,
            min: f.min,
            max: f.max,
            metrics,
            scale_down_window: f.scale_down_window,
        };
        if e == HpaExpectation::default() && !f.target_requests {
            return Err(nothing_to_check(input, "hpa"));
        }
        Ok(Arc::new(HpaCheck {
            expect: e,
            target_requests: f.target_requests,
        }))
    }
}

impl EvaluatorCheck for HpaCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::HorizontalPodAutoscaler,
            "hpa",
            "HorizontalPodAutoscalers",
        )
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let e = &self.expect;
        let mut parts = described(&[
            ("target", e.target.clone()),
            ("min", e.min.map(|n| n.to_string())),
            ("max", e.max.map(|n| n.to_string())),
        ]);
        parts.extend(e.metrics.iter().map(ToString::to_string));
        if self.target_requests {
            parts.push("the target requests what it scales on".to_owned());
        }
        parts.extend(described(&[(
            "scale-down window",
            e.scale_down_window.map(|s| format!("{s}s")),
        )]));
        subject_of(subject, &parts)
    }

    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        if !self.target_requests {
            return Vec::new();
        }
        let ns = target.and_then(|t| t.namespace.clone());
        [Kind::Deployment, Kind::StatefulSet, Kind::ReplicaSet]
            .into_iter()
            .map(|k| (k, ns.clone()))
            .collect()
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(o) = object else { return no_object() };
        let verdict = hpa(&o.value, &self.expect);
        if !self.target_requests {
            return verdict;
        }
        let scaled = as_v2(&o.value).target;
        let workload = scaled.split_once('/').and_then(|(kind, name)| {
            let kind = kind.parse::<Kind>().ok()?;
            snapshot.get(kind, o.namespace.as_deref(), name)
        });
        let requests = target_requests(&o.value, workload.map(|w| &w.value));
        objects::all(&[verdict, requests])
    }

    fn named_values(&self) -> Vec<String> {
        let e = &self.expect;
        e.target
            .iter()
            .filter_map(|t| t.split_once('/').map(|(_, n)| n.to_owned()))
            .chain(e.min.iter().chain(&e.max).map(ToString::to_string))
            .collect()
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        objects::yaml_of(target)
    }
}

/// The Job fields a `job` or a `cronjob` check may name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobFile {
    #[serde(default)]
    completions: Option<i64>,
    #[serde(default)]
    parallelism: Option<i64>,
    #[serde(default)]
    backoff_limit: Option<i64>,
    #[serde(default)]
    succeeded_at_least: Option<i64>,
    #[serde(default)]
    complete: Option<bool>,
}

impl From<JobFile> for JobExpectation {
    fn from(f: JobFile) -> Self {
        JobExpectation {
            completions: f.completions,
            parallelism: f.parallelism,
            backoff_limit: f.backoff_limit,
            succeeded_at_least: f.succeeded_at_least,
            complete: f.complete,
        }
    }
}

fn job_words(e: &JobExpectation) -> Vec<String> {
    described(&[
        ("completions", e.completions.map(|n| n.to_string())),
        ("parallelism", e.parallelism.map(|n| n.to_string())),
        ("backoffLimit", e.backoff_limit.map(|n| n.to_string())),
        (
            "succeeded at least",
            e.succeeded_at_least.map(|n| n.to_string()),
        ),
        ("complete", e.complete.map(|c| c.to_string())),
    ])
}

/// `job = { completions, parallelism, backoff_limit, succeeded_at_least, complete }` on a Job.
pub struct JobCheck;

#[derive(Debug)]
struct JobSpecCheck(JobExpectation);

impl Evaluator for JobCheck {
    fn key(&self) -> &'static str {
        "job"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let e: JobExpectation = input.deserialize::<JobFile>()?.into();
        if e == JobExpectation::default() {
            return Err(nothing_to_check(input, "job"));
        }
        Ok(Arc::new(JobSpecCheck(e)))
    }
}

impl EvaluatorCheck for JobSpecCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(target, |k| k == Kind::Job, "job", "Jobs")
    }

    fn expected(&self, subject: Option<&str>) -> String {
        subject_of(subject, &job_words(&self.0))
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        object.map_or_else(no_object, |o| job(&o.value, &self.0))
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        objects::yaml_of(target)
    }
}

/// `cronjob = { schedule, successful_jobs_history_limit, failed_jobs_history_limit, suspend,
/// concurrency_policy, completions, parallelism, backoff_limit }` on a CronJob.
pub struct CronJob;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CronJobFile {
    #[serde(default)]
    schedule: Option<Spanned<String>>,
    #[serde(default)]
    successful_jobs_history_limit: Option<i64>,
    #[serde(default)]
    failed_jobs_history_limit: Option<i64>,
    #[serde(default)]
    suspend: Option<bool>,
    #[serde(default)]
    concurrency_policy: Option<Spanned<String>>,
    #[serde(default)]
    completions: Option<i64>,
    #[serde(default)]
    parallelism: Option<i64>,
    #[serde(default)]
    backoff_limit: Option<i64>,
}

#[derive(Debug)]
struct CronJobCheck(CronJobExpectation);

impl Evaluator for CronJob {
    fn key(&self) -> &'static str {
        "cronjob"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: CronJobFile = input.deserialize()?;
        if let Some(s) = &f.schedule {
            let fields = super::jobs::normalise_schedule(s.get_ref())
                .split(' ')
                .count();
            if fields != 5 {
                return Err(Problem::new(
                    s.span(),
                    format!(
                        "schedule '{}' must have five fields (minute hour day month weekday) or be a macro like @hourly",
                        s.get_ref()
                    ),
                ));
            }
        }
        let concurrency_policy = f
            .concurrency_policy
            .as_ref()
            .map(|p| one_of(p, "concurrency policy", &["Allow", "Forbid", "Replace"]))
            .transpose()?;
        let e = CronJobExpectation {
            schedule: f.schedule.map(Spanned::into_inner),
            successful_jobs_history_limit: f.successful_jobs_history_limit,
            failed_jobs_history_limit: f.failed_jobs_history_limit,
            suspend: f.suspend,
            concurrency_policy,
            job: JobExpectation {
                completions: f.completions,
                parallelism: f.parallelism,
                backoff_limit: f.backoff_limit,
                ..JobExpectation::default()
            },
        };
        if e == CronJobExpectation::default() {
            return Err(nothing_to_check(input, "cronjob"));
        }
        Ok(Arc::new(CronJobCheck(e)))
    }
}

impl EvaluatorCheck for CronJobCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(target, |k| k == Kind::CronJob, "cronjob", "CronJobs")
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let e = &self.0;
        let mut parts = described(&[
            ("schedule", e.schedule.as_ref().map(|s| format!("'{s}'"))),
            (
                "successfulJobsHistoryLimit",
                e.successful_jobs_history_limit.map(|n| n.to_string()),
            ),
            (
                "failedJobsHistoryLimit",
                e.failed_jobs_history_limit.map(|n| n.to_string()),
            ),
            ("suspend", e.suspend.map(|s| s.to_string())),
            ("concurrencyPolicy", e.concurrency_policy.clone()),
        ]);
        parts.extend(job_words(&e.job));
        subject_of(subject, &parts)
    }

    fn judge(&self, object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        object.map_or_else(no_object, |o| cronjob(&o.value, &self.0))
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        objects::yaml_of(target)
    }
}

/// `priority = { value, greater_than = [...], less_than = [...], global_default,
/// preemption_policy }` on a PriorityClass.
pub struct Priority;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorityFile {
    #[serde(default)]
    value: Option<i64>,
    #[serde(default)]
    greater_than: Vec<String>,
    #[serde(default)]
    less_than: Vec<String>,
    #[serde(default)]
    global_default: Option<bool>,
    #[serde(default)]
    preemption_policy: Option<Spanned<String>>,
}

#[derive(Debug)]
struct PriorityCheck(PriorityExpectation);

impl Evaluator for Priority {
    fn key(&self) -> &'static str {
        "priority"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: PriorityFile = input.deserialize()?;
        let preemption_policy = f
            .preemption_policy
            .as_ref()
            .map(|p| one_of(p, "preemption policy", &["PreemptLowerPriority", "Never"]))
            .transpose()?;
        let e = PriorityExpectation {
            value: f.value,
            greater_than: f.greater_than,
            less_than: f.less_than,
            global_default: f.global_default,
            preemption_policy,
        };
        if e == PriorityExpectation::default() {
            return Err(nothing_to_check(input, "priority"));
        }
        Ok(Arc::new(PriorityCheck(e)))
    }
}

impl EvaluatorCheck for PriorityCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::PriorityClass,
            "priority",
            "PriorityClasses",
        )
    }

    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::PriorityClass, None)]
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let e = &self.0;
        let mut parts = described(&[
            ("value", e.value.map(|n| n.to_string())),
            ("globalDefault", e.global_default.map(|g| g.to_string())),
            ("preemptionPolicy", e.preemption_policy.clone()),
        ]);
        if !e.greater_than.is_empty() {
            parts.push(format!("value above {}", e.greater_than.join(", ")));
        }
        if !e.less_than.is_empty() {
            parts.push(format!("value below {}", e.less_than.join(", ")));
        }
        subject_of(subject, &parts)
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let classes = values(snapshot, Kind::PriorityClass, None);
        object.map_or_else(no_object, |o| priority(&o.value, &classes, &self.0))
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        "kubectl get priorityclass".to_owned()
    }

    fn named_values(&self) -> Vec<String> {
        let e = &self.0;
        e.greater_than
            .iter()
            .chain(&e.less_than)
            .cloned()
            .chain(e.value.map(|v| v.to_string()))
            .collect()
    }
}

/// `refs_resolve = true`: every ConfigMap and Secret a pod spec references exists with the keys
/// it needs.
pub struct RefsResolve;

#[derive(Debug)]
struct RefsCheck;

impl Evaluator for RefsResolve {
    fn key(&self) -> &'static str {
        "refs_resolve"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        flag(input, "refs_resolve = false checks nothing")?;
        Ok(Arc::new(RefsCheck))
    }
}

impl EvaluatorCheck for RefsCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            Kind::has_pod_spec,
            "refs_resolve",
            "pods and workloads",
        )
    }

    fn reads(&self, target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        let ns = target.and_then(|t| t.namespace.clone());
        vec![(Kind::ConfigMap, ns.clone()), (Kind::Secret, ns)]
    }

    fn expected(&self, subject: Option<&str>) -> String {
        format!(
            "{}: every ConfigMap and Secret it references (env, envFrom, volumes) exists with the keys it needs",
            subject.unwrap_or_default()
        )
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(o) = object else { return no_object() };
        let Some((_, spec)) = crate::pod_security::pod_template(&o.value) else {
            return Verdict::new(false, format!("{} has no pod template", o.display()));
        };
        let ns = o.namespace.as_deref().unwrap_or_default();
        // Only the objects the spec names are looked up (by index), so that judging every pod
        // of a large cluster does not scan every ConfigMap and Secret once per pod.
        let (mut cms, mut secrets) = (Vec::new(), Vec::new());
        for r in references(spec) {
            let (kind, into) = match r.source {
                Source::ConfigMap => (Kind::ConfigMap, &mut cms),
                Source::Secret => (Kind::Secret, &mut secrets),
            };
            into.extend(snapshot.get(kind, Some(ns), &r.name).map(|o| &o.value));
        }
        refs_resolve(spec, ns, &cms, &secrets)
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        match target.and_then(|g| g.target.namespace.as_ref()) {
            Some(ns) => format!("kubectl get configmaps,secrets -n {ns}"),
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::evaluator::testing;
    use crate::report::Status;

    /// The `troubleshoot-image-tag` scenario solved on a real cluster.
    fn real() -> crate::snapshot::Snapshot {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/real/troubleshoot-image-tag/solved.json"
        );
        crate::snapshot::Snapshot::read_files(&[path]).unwrap()
    }

    const FRONTEND: &str =
        r#"target = { kind = "Deployment", namespace = "tshoot-image", name = "frontend" }"#;

    #[test]
    fn rollout_of_a_real_deployment() {
        let body = format!(
            "{FRONTEND}\nrollout = {{ current_image = \"nginx:1.27-alpine\", images_seen = [\"nginx:1.27-alpline\"] }}"
        );
        let r = testing::grade(&["tshoot-image"], &body, &real());
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.inspect,
            "kubectl rollout history deployment frontend -n tshoot-image"
        );
        let body = format!("{FRONTEND}\nrollout = {{ current_image = \"nginx:1.25\" }}");
        let r = testing::grade(&["tshoot-image"], &body, &real());
        assert_eq!(r.status, Status::Fail);
    }

    #[test]
    fn the_real_pods_references_resolve() {
        let body = format!("{FRONTEND}\nrefs_resolve = true");
        let r = testing::grade(&["tshoot-image"], &body, &real());
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(r.actual, "all 0 ConfigMap/Secret reference(s) resolve");
        let pods = "target = { kind = \"Pod\", namespace = \"tshoot-image\", selector = \"app=frontend\" }\nrefs_resolve = true";
        let r = testing::grade(&["tshoot-image"], pods, &real());
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert!(
            r.actual
                .contains("all 1 ConfigMap/Secret reference(s) resolve"),
            "{}",
            r.actual
        );
    }

    fn hpa_v1() -> Value {
        json!({
            "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "api", "namespace": "scale"},
            "spec": {"maxReplicas": 10, "minReplicas": 2, "targetCPUUtilizationPercentage": 65,
                     "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}}
        })
    }

    #[test]
    fn hpa_through_a_rubric() {
        let body = "target = { kind = \"HorizontalPodAutoscaler\", namespace = \"scale\", name = \"api\" }\nhpa = { target = \"deploy/api\", min = 2, max = 10, cpu_utilization = 65 }";
        let r = testing::grade(&["scale"], body, &testing::snapshot(&[hpa_v1()]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.expected,
            "horizontalpodautoscaler api in scale: target Deployment/api, min 2, max 10, cpu 65%"
        );
        let err = testing::check(&["scale"], "target = { kind = \"hpa\", namespace = \"scale\", name = \"api\" }\nhpa = { target = \"api\" }").unwrap_err();
        assert_eq!(
            err,
            ["grading/t.toml:10:18: hpa target 'api' must be 'Kind/name', e.g. 'Deployment/web'"]
        );
        let err = testing::check(&["scale"], "target = { kind = \"hpa\", namespace = \"scale\", name = \"api\" }\nhpa = { memory_average = \"1 Gi\" }").unwrap_err();
        assert!(
            err[0].starts_with("grading/t.toml:10:26: '1 Gi' is not a quantity"),
            "{err:?}"
        );
    }

    #[test]
    fn hpa_target_must_request_cpu() {
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "namespace": "scale"},
            "spec": {"template": {"spec": {"containers": [{"name": "api", "image": "api:1"}]}}}});
        let body = "target = { kind = \"hpa\", namespace = \"scale\", name = \"api\" }\nhpa = { cpu_utilization = 65, target_requests = true }";
        let r = testing::grade(
            &["scale"],
            body,
            &testing::snapshot(&[hpa_v1(), deploy.clone()]),
        );
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.actual,
            "Deployment/api: container api requests no cpu (utilization is a share of requests); \
             HPA scale/api: metrics cpu 65%"
        );
        let mut with_requests = deploy;
        with_requests["spec"]["template"]["spec"]["containers"][0]["resources"] =
            json!({"requests": {"cpu": "200m"}});
        let r = testing::grade(
            &["scale"],
            body,
            &testing::snapshot(&[hpa_v1(), with_requests]),
        );
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
    }

    #[test]
    fn jobs_and_cronjobs() {
        let j = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "namespace": "batch"},
            "spec": {"backoffLimit": 4, "completions": 3, "parallelism": 2},
            "status": {"succeeded": 3, "conditions": [{"type": "Complete", "status": "True"}]}});
        let body = "target = { kind = \"Job\", namespace = \"batch\", name = \"pi\" }\njob = { completions = 3, parallelism = 2, complete = true }";
        let r = testing::grade(&["batch"], body, &testing::snapshot(&[j]));
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        let err = testing::check(&["batch"], "target = { kind = \"CronJob\", namespace = \"batch\", name = \"r\" }\ncronjob = { schedule = \"*/5 * * *\" }").unwrap_err();
        assert!(
            err[0].starts_with("grading/t.toml:10:24: schedule '*/5 * * *' must have five fields"),
            "{err:?}"
        );
        let err = testing::check(&["batch"], "target = { kind = \"CronJob\", namespace = \"batch\", name = \"r\" }\njob = { completions = 1 }").unwrap_err();
        assert!(
            err[0].ends_with("job applies to Jobs, not to a CronJob"),
            "{err:?}"
        );
    }

    #[test]
    fn priority_relative_to_other_classes() {
        let pc = |name: &str, value: i64| {
            json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value, "preemptionPolicy": "PreemptLowerPriority"})
        };
        let snap = testing::snapshot(&[pc("bulk", 100), pc("standard", 500), pc("urgent", 1000)]);
        let body = "target = { kind = \"PriorityClass\", name = \"urgent\" }\npriority = { greater_than = [\"bulk\", \"standard\"], preemption_policy = \"Never\" }";
        let r = testing::grade(&["batch"], body, &snap);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(
            r.actual,
            "PriorityClass urgent: preemptionPolicy PreemptLowerPriority (expected Never), 1000 > bulk (100), 1000 > standard (500)"
        );
        let err = testing::check(&["batch"], "target = { kind = \"PriorityClass\", name = \"urgent\" }\npriority = { preemption_policy = \"never\" }").unwrap_err();
        assert!(err[0].starts_with("grading/t.toml:10:34: preemption policy 'never' is not one of PreemptLowerPriority, Never"), "{err:?}");
    }
}
