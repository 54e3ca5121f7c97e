//! Jobs and CronJobs: completions, parallelism, backoff limit and what ran (succeeded pods, the
//! `Complete` condition); a CronJob's schedule, history limits, suspend and concurrency policy,
//! and its job template. Unset fields read as the API server defaults them.

use serde_json::Value;

use super::{compare_int, compare_str, int_at, verdict_of};
use crate::evaluator::Verdict;
use crate::evaluator::objects::{condition, qualified, str_at};

/// What a Job (or a CronJob's job template) must be; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobExpectation {
    pub completions: Option<i64>,
    pub parallelism: Option<i64>,
    pub backoff_limit: Option<i64>,
    /// At least this many pods succeeded (`status.succeeded`); Jobs only.
    pub succeeded_at_least: Option<i64>,
    /// The `Complete` condition is `True` (or, with `false`, is not); Jobs only.
    pub complete: Option<bool>,
}

/// `completions`, `parallelism`, `backoffLimit` of a Job spec with the server's defaults: with
/// neither completions nor parallelism both are 1; parallelism alone leaves completions unset
/// (a work queue); the backoff limit is 6.
fn job_spec_parts(spec: &Value, expect: &JobExpectation) -> Vec<(bool, String)> {
    let completions = int_at(spec, "/completions");
    let parallelism = int_at(spec, "/parallelism");
    let completions = completions.or(parallelism.is_none().then_some(1));
    let parallelism = parallelism.or(Some(1));
    let backoff = int_at(spec, "/backoffLimit").or(Some(6));
    [
        compare_int("completions", completions, expect.completions),
        compare_int("parallelism", parallelism, expect.parallelism),
        compare_int("backoffLimit", backoff, expect.backoff_limit),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Whether a Job is what `expect` says.
pub fn job(job: &Value, expect: &JobExpectation) -> Verdict {
    let spec = job.get("spec").unwrap_or(&Value::Null);
    let mut parts = job_spec_parts(spec, expect);
    let succeeded = int_at(job, "/status/succeeded").unwrap_or(0);
    if let Some(at_least) = expect.succeeded_at_least {
        parts.push((
            succeeded >= at_least,
            format!("{succeeded} succeeded (expected at least {at_least})"),
        ));
    }
    if let Some(want) = expect.complete {
        let complete = condition(job, "Complete") == Some("True");
        let failed = condition(job, "Failed") == Some("True");
        let state = match (complete, failed) {
            (true, _) => "complete",
            (_, true) => "failed",
            _ => "not complete",
        };
        parts.push((complete == want, state.to_owned()));
    }
    verdict_of(&format!("Job {}", qualified(job)), &parts)
}

/// The five fields of a cron schedule, the `@hourly` style macros spelled out as the CronJob
/// controller reads them.
pub fn normalise_schedule(schedule: &str) -> String {
    let spelled = match schedule.trim() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        other => other,
    };
    spelled.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a CronJob must be; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CronJobExpectation {
    pub schedule: Option<String>,
    pub successful_jobs_history_limit: Option<i64>,
    pub failed_jobs_history_limit: Option<i64>,
    pub suspend: Option<bool>,
    pub concurrency_policy: Option<String>,
    /// The job template's completions, parallelism and backoff limit.
    pub job: JobExpectation,
}

/// Whether a CronJob is what `expect` says (history limits default to 3 and 1, concurrency to
/// `Allow`, suspend to false).
pub fn cronjob(cronjob: &Value, expect: &CronJobExpectation) -> Verdict {
    let mut parts = Vec::new();
    if let Some(want) = &expect.schedule {
        let found = str_at(cronjob, "/spec/schedule").unwrap_or("");
        let ok = normalise_schedule(found) == normalise_schedule(want);
        let words = if ok {
            format!("schedule '{found}'")
        } else {
            format!("schedule '{found}' (expected '{want}')")
        };
        parts.push((ok, words));
    }
    parts.extend(compare_int(
        "successfulJobsHistoryLimit",
        int_at(cronjob, "/spec/successfulJobsHistoryLimit").or(Some(3)),
        expect.successful_jobs_history_limit,
    ));
    parts.extend(compare_int(
        "failedJobsHistoryLimit",
        int_at(cronjob, "/spec/failedJobsHistoryLimit").or(Some(1)),
        expect.failed_jobs_history_limit,
    ));
    if let Some(want) = expect.suspend {
        let found = cronjob.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
        let words = if found { "suspended" } else { "not suspended" };
        parts.push((found == want, words.to_owned()));
    }
    parts.extend(compare_str(
        "concurrencyPolicy",
        str_at(cronjob, "/spec/concurrencyPolicy").unwrap_or("Allow"),
        expect.concurrency_policy.as_deref(),
    ));
    let template = cronjob
        .pointer("/spec/jobTemplate/spec")
        .unwrap_or(&Value::Null);
    parts.extend(job_spec_parts(template, &expect.job));
    verdict_of(&format!("CronJob {}", qualified(cronjob)), &parts)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A Job as the server stores it after `kubectl create job` and a successful run.
    fn finished_job() -> Value {
        json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "pi", "namespace": "batch", "uid": "7f3e2d1c-0b9a-4877-a665-544332211000",
                          "labels": {"batch.kubernetes.io/job-name": "pi", "job-name": "pi"}},
            "spec": {
                "backoffLimit": 4,
                "completionMode": "NonIndexed",
                "completions": 3,
                "manualSelector": false,
                "parallelism": 2,
                "podReplacementPolicy": "TerminatingOrFailed",
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "7f3e2d1c-0b9a-4877-a665-544332211000"}},
                "suspend": false,
                "template": {"spec": {"containers": [{"image": "perl:5.34", "name": "pi"}], "restartPolicy": "Never"}}
            },
            "status": {
                "completionTime": "2026-11-29T14:12:40Z",
                "conditions": [
                    {"lastProbeTime": "2026-11-29T14:12:40Z", "lastTransitionTime": "2026-11-29T14:12:40Z",
                     "message": "Reached expected number of succeeded pods", "reason": "CompletionsReached",
                     "status": "True", "type": "SuccessCriteriaMet"},
                    {"lastProbeTime": "2026-11-29T14:12:40Z", "lastTransitionTime": "2026-11-29T14:12:40Z",
                     "message": "Reached expected number of succeeded pods", "reason": "CompletionsReached",
                     "status": "True", "type": "Complete"}
                ],
                "ready": 0,
                "startTime": "2026-11-29T14:12:01Z",
                "succeeded": 3,
                "terminating": 0,
                "uncountedTerminatedPods": {}
            }
        })
    }

    #[test]
    fn a_finished_job() {
        let expect = JobExpectation {
            completions: Some(3),
            parallelism: Some(2),
            backoff_limit: Some(4),
            succeeded_at_least: Some(3),
            complete: Some(true),
        };
        let v = job(&finished_job(), &expect);
        assert!(v.pass, "{}", v.found);
        assert_eq!(
            v.found,
            "Job batch/pi: completions 3, parallelism 2, backoffLimit 4, 3 succeeded (expected at least 3), complete"
        );
    }

    #[test]
    fn a_running_job_is_not_complete() {
        let mut j = finished_job();
        j["status"] =
            json!({"active": 2, "ready": 2, "startTime": "2026-11-29T14:12:01Z", "succeeded": 1});
        let v = job(
            &j,
            &JobExpectation {
                complete: Some(true),
                succeeded_at_least: Some(3),
                ..JobExpectation::default()
            },
        );
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "Job batch/pi: 1 succeeded (expected at least 3), not complete"
        );
    }

    #[test]
    fn unset_job_fields_read_as_defaulted() {
        let j =
            json!({"kind": "Job", "metadata": {"name": "once", "namespace": "batch"}, "spec": {}});
        let expect = JobExpectation {
            completions: Some(1),
            parallelism: Some(1),
            backoff_limit: Some(6),
            ..JobExpectation::default()
        };
        assert!(job(&j, &expect).pass);
        let queue = json!({"kind": "Job", "metadata": {"name": "q", "namespace": "batch"}, "spec": {"parallelism": 3}});
        let v = job(
            &queue,
            &JobExpectation {
                completions: Some(1),
                ..JobExpectation::default()
            },
        );
        assert_eq!(v.found, "Job batch/q: completions not set (expected 1)");
    }

    fn cron() -> Value {
        json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "report", "namespace": "batch", "uid": "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"},
            "spec": {
                "concurrencyPolicy": "Forbid",
                "failedJobsHistoryLimit": 1,
                "jobTemplate": {"metadata": {"name": "report"}, "spec": {
                    "backoffLimit": 2,
                    "template": {"spec": {"containers": [{"image": "busybox:1.36", "name": "report"}],
                                          "restartPolicy": "OnFailure"}}
                }},
                "schedule": "*/30 * * * *",
                "successfulJobsHistoryLimit": 5,
                "suspend": false
            },
            "status": {"lastScheduleTime": "2026-11-29T14:00:00Z", "lastSuccessfulTime": "2026-11-29T14:00:09Z"}
        })
    }

    #[test]
    fn a_cronjob_with_its_schedule_and_limits() {
        let expect = CronJobExpectation {
            schedule: Some("*/30  * * * *".into()),
            successful_jobs_history_limit: Some(5),
            failed_jobs_history_limit: Some(1),
            suspend: Some(false),
            concurrency_policy: Some("Forbid".into()),
            job: JobExpectation {
                backoff_limit: Some(2),
                completions: Some(1),
                ..JobExpectation::default()
            },
        };
        let v = cronjob(&cron(), &expect);
        assert!(v.pass, "{}", v.found);
        let expect = CronJobExpectation {
            schedule: Some("0 * * * *".into()),
            successful_jobs_history_limit: Some(3),
            ..CronJobExpectation::default()
        };
        let v = cronjob(&cron(), &expect);
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "CronJob batch/report: schedule '*/30 * * * *' (expected '0 * * * *'), \
             successfulJobsHistoryLimit 5 (expected 3)"
        );
    }

    #[test]
    fn schedule_macros_are_spelled_out() {
        assert_eq!(normalise_schedule("@hourly"), "0 * * * *");
        assert_eq!(
            normalise_schedule(" 0  0 * * 0 "),
            normalise_schedule("@weekly")
        );
    }
}
