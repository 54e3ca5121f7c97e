//! Evaluators: check kinds that are modules of their own. Each one owns its
//! rubric syntax (the TOML value under its key in a check), what it reads,
//! whether it takes a target, its verdict, the words for what it expects and
//! the `kubectl` command that shows it. The rubric loader looks up every key
//! of a check it does not know in [`EVALUATORS`]; the grader, the fetch plan
//! and the offline port ask the parsed check what it reads.
//!
//! Adding one is a module under `evaluator/` and one line in [`EVALUATORS`]
//! (docs/architecture.md, "Adding an evaluator").

pub mod crd;
pub mod gateway;
pub mod helm;
pub mod ingress;
pub mod kubeadm;
pub mod netpol;
pub mod nodes;
pub mod objects;
pub mod observe;
pub mod pod_security;
pub mod quantity;
pub mod rbac;
pub mod server;
pub mod service;
pub mod storage;
pub mod syntax;
pub mod workloads;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::DeValue;

use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::library::scenario::Scenario;
use crate::observe::Exec;
use crate::snapshot::{Object, Snapshot};

/// Every evaluator, by the key a rubric check names it with.
pub static EVALUATORS: &[&dyn Evaluator] = &[
    &pod_security::PodSecurity,
    &pod_security::PodSecurityLabels,
    &rbac::CanI,
    &rbac::RbacRules,
    &netpol::NetpolAllows,
    &ingress::IngressRoute,
    &helm::HelmRelease,
    &crd::Crd,
    &kubeadm::BootstrapToken,
    &kubeadm::KubeadmConfig,
    &gateway::HttpRoute,
    &gateway::GatewayReady,
    &service::EndpointsEvaluator,
    &service::ServiceResolves,
    &storage::check::PvcBound,
    &storage::check::Storage,
    &storage::check::DefaultStorageClass,
    &storage::check::PvcMounted,
    &nodes::check::NodeState,
    &nodes::check::Drained,
    &nodes::check::PlacementOf,
    &nodes::check::StaticPod,
    &workloads::check::Rollout,
    &workloads::check::Hpa,
    &workloads::check::JobCheck,
    &workloads::check::CronJob,
    &workloads::check::Priority,
    &workloads::check::RefsResolve,
    &observe::ObserveEvaluator,
    &observe::LogsContainEvaluator,
    &server::ServerVersion,
    &server::ComponentHealthy,
    #[cfg(test)]
    &testing::PodCount,
];

/// The evaluator a check key names, if any.
pub fn find(key: &str) -> Option<&'static dyn Evaluator> {
    EVALUATORS.iter().copied().find(|e| e.key() == key)
}

/// Whether a check of an evaluator names a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetUse {
    /// The check judges the objects its target selects (a Service check).
    Required,
    /// The check judges the snapshot as a whole (an RBAC `can_i` check).
    Forbidden,
    /// Either.
    Optional,
}

/// A check kind: its key in a rubric check and how to read its value.
pub trait Evaluator: Sync {
    /// The key in a `[[criteria.checks]]` table, e.g. `pod_security`.
    fn key(&self) -> &'static str;

    /// Whether its checks take a target.
    fn target(&self) -> TargetUse {
        TargetUse::Required
    }

    /// Parses and validates the value under the key. A problem carries the
    /// byte span it is about (`Input::span`, a span of a `Spanned` field of
    /// what `Input::deserialize` returned), reported as `file:line:col`.
    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem>;
}

/// One parsed check of an evaluator. Pure: it sees only the snapshot.
pub trait EvaluatorCheck: fmt::Debug + Send + Sync {
    /// Why the check cannot apply to its target (`None`: the check has
    /// none), checked when the rubric loads.
    fn fits(&self, _target: Option<&Target>) -> Result<(), String> {
        Ok(())
    }

    /// The lists it reads beyond its target's own, as `(kind, namespace)`;
    /// namespace `None` is a cluster-scoped kind or every namespace. A check
    /// is an `error` when one of these lists could not be read.
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        Vec::new()
    }

    /// What the check expects, in words (the report's `expected`). `subject`
    /// names the target, e.g. "every pod of deployment web in shop".
    fn expected(&self, subject: Option<&str>) -> String;

    /// The verdict on one object of the target, or on the snapshot when the
    /// check has no target (`object` is then `None`).
    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict;

    /// A verdict over all the target's objects together (counting across
    /// them, say). `None`: each object is judged and the target's `match`
    /// decides.
    fn judge_set(&self, _objects: &[&Object], _snapshot: &Snapshot) -> Option<Verdict> {
        None
    }

    /// `judge_set` for a check that needs its target too (its `match`, say).
    fn judge_target(
        &self,
        _target: &Target,
        objects: &[&Object],
        snapshot: &Snapshot,
    ) -> Option<Verdict> {
        self.judge_set(objects, snapshot)
    }

    /// What the check reads live at grade time besides lists: commands run
    /// or logs read in its target's pods, or an API server endpoint. Every
    /// live read is recorded in the snapshot, and judged from the record.
    fn live(&self) -> Live {
        Live::None
    }

    /// For `Live::Pods`: the reads to take in the pods the target selects in
    /// `snapshot` (which holds the target's lists), planned before they run.
    fn plan(&self, _target: Option<&Target>, _snapshot: &Snapshot) -> Vec<Exec> {
        Vec::new()
    }

    /// The `kubectl` command that shows what the check looks at (the
    /// report's `inspect`).
    fn inspect(&self, target: Option<&Get<'_>>) -> String;

    /// `inspect` for a command that names an object of the snapshot (a pod
    /// to `kubectl exec` in).
    fn inspect_in(&self, target: Option<&Get<'_>>, _snapshot: &Snapshot) -> String {
        self.inspect(target)
    }

    /// Names and values the check looks for that the task text must spell
    /// out (object names, levels, label values).
    fn named_values(&self) -> Vec<String> {
        Vec::new()
    }
}

/// One object's (or the snapshot's) verdict and what was found, in words.
pub struct Verdict {
    pub pass: bool,
    pub found: String,
    /// Not judged: a live read gave no result (`found` says why). The
    /// check is an `error`.
    pub error: bool,
}

impl Verdict {
    pub fn new(pass: bool, found: impl Into<String>) -> Verdict {
        Verdict {
            pass,
            found: found.into(),
            error: false,
        }
    }

    /// No verdict, and why (the check is an `error`).
    pub fn error(why: impl Into<String>) -> Verdict {
        Verdict {
            pass: false,
            found: why.into(),
            error: true,
        }
    }
}

/// What a check reads live, besides lists (`EvaluatorCheck::live`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    None,
    /// Commands or logs in the target's pods (`EvaluatorCheck::plan`),
    /// taken once the target's lists are read.
    Pods,
    /// A GET of this API server path (`/version`, `/readyz`), taken while
    /// the lists are read.
    Server(String),
}

/// A problem in a check's value: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
}

impl Problem {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Problem {
        Problem {
            span,
            message: message.into(),
        }
    }
}

/// The value under an evaluator's key, with byte spans into the rubric file.
pub struct Input<'a> {
    pub key: &'static str,
    /// The check's title, to name it in messages.
    pub title: &'a str,
    pub scenario: &'a Scenario,
    value: Spanned<DeValue<'a>>,
}

impl<'a> Input<'a> {
    pub fn new(
        key: &'static str,
        title: &'a str,
        scenario: &'a Scenario,
        value: Spanned<DeValue<'a>>,
    ) -> Input<'a> {
        Input {
            key,
            title,
            scenario,
            value,
        }
    }

    /// The span of the whole value.
    pub fn span(&self) -> Range<usize> {
        self.value.span()
    }

    /// The value as `T` (derive `Deserialize`, with `deny_unknown_fields`
    /// and `Spanned` fields for precise messages). A type or unknown-key
    /// error is located where the TOML parser found it.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        T::deserialize(toml::de::ValueDeserializer::from(self.value.clone())).map_err(|e| {
            Problem::new(
                e.span().unwrap_or_else(|| self.span()),
                format!("{}: {}", self.key, e.message().trim()),
            )
        })
    }
}

/// How the report's `inspect` names a check's target: `kubectl get …`, and
/// whether that prints a list.
pub struct Get<'a> {
    pub target: &'a Target,
    pub command: String,
    pub list: bool,
}

impl Get<'_> {
    /// `kubectl get … -o jsonpath='…'` printing `expr` (a JSONPath template
    /// such as `{.spec.replicas}`), one line per object for a list.
    pub fn jsonpath(&self, expr: &str) -> String {
        let template = if self.list {
            format!("{{range .items[*]}}{{.metadata.name}}{{\"\\t\"}}{expr}{{\"\\n\"}}{{end}}")
        } else {
            format!("{expr}{{\"\\n\"}}")
        };
        format!("{} -o jsonpath={}", self.command, sh(&template))
    }
}

/// Quotes for a POSIX shell: single quotes, with `'` written as `'\''`.
pub fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Helpers for evaluator tests: a check parsed from rubric TOML exactly as
/// `ckasim validate` loads it, and graded as `ckasim grade` grades it.
#[cfg(test)]
pub mod testing {
    use crate::library::rubric::{self, Check};
    use crate::library::scenario;
    use crate::report::CheckResult;
    use crate::snapshot::Snapshot;

    /// The rubric file a check body (the TOML lines of one
    /// `[[criteria.checks]]` table after `title` and `points`) is put in;
    /// the check (`[[criteria.checks]]`) is line 6, the body starts on line 9.
    pub fn rubric_with(body: &str) -> String {
        format!(
            "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n[[criteria.checks]]\ntitle = \"k\"\npoints = 1\n{body}\n"
        )
    }

    /// Parses one check for a scenario owning `namespaces`; errors as
    /// `validate` prints them (`grading/t.toml:LINE:COL: message`).
    pub fn check(namespaces: &[&str], body: &str) -> Result<Check, Vec<String>> {
        let ns = namespaces
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let scen = format!(
            "id = \"t\"\ntitle = \"T\"\nsummary = \"S\"\ndomain = \"storage\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [{ns}]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n"
        );
        let s = scenario::parse("scenarios/t.toml", &scen, &|_| None)
            .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        rubric::parse("grading/t.toml", &rubric_with(body), &s)
            .map(|mut r| r.criteria.remove(0).checks.remove(0))
            .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    /// Grades one check (see [`check`]) against a snapshot.
    pub fn grade(namespaces: &[&str], body: &str, snapshot: &Snapshot) -> CheckResult {
        match check(namespaces, body) {
            Ok(c) => crate::grade::evaluate(&c, snapshot),
            Err(e) => panic!("{}", e.join("\n")),
        }
    }

    /// `test_pod_count = { at_least = N }`: a check without target over
    /// every pod of the cluster, registered in test builds only, to test
    /// the loader and grader paths of such checks.
    pub struct PodCount;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct AtLeast {
        at_least: usize,
    }

    impl super::Evaluator for PodCount {
        fn key(&self) -> &'static str {
            "test_pod_count"
        }

        fn target(&self) -> super::TargetUse {
            super::TargetUse::Forbidden
        }

        fn parse(
            &self,
            input: &super::Input<'_>,
        ) -> Result<std::sync::Arc<dyn super::EvaluatorCheck>, super::Problem> {
            let n: AtLeast = input.deserialize()?;
            Ok(std::sync::Arc::new(n))
        }
    }

    impl super::EvaluatorCheck for AtLeast {
        fn reads(
            &self,
            _target: Option<&rubric::Target>,
        ) -> Vec<(crate::kind::Kind, Option<String>)> {
            vec![(crate::kind::Kind::Pod, None)]
        }

        fn expected(&self, _subject: Option<&str>) -> String {
            format!("at least {} pods in the cluster", self.at_least)
        }

        fn judge(
            &self,
            object: Option<&crate::snapshot::Object>,
            snapshot: &Snapshot,
        ) -> super::Verdict {
            assert!(object.is_none(), "a check without target judges no object");
            let n = snapshot.list(crate::kind::Kind::Pod, None).count();
            super::Verdict::new(n >= self.at_least, format!("{n} pods"))
        }

        fn inspect(&self, _target: Option<&super::Get<'_>>) -> String {
            "kubectl get pods -A".into()
        }
    }

    /// The objects of `../shared/fixtures/real/<scenario>/solved.json`: a
    /// real cluster's pods, namespaces and workloads after the scenario's
    /// reference solution.
    pub fn real_solved(scenario: &str) -> Vec<serde_json::Value> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/real")
            .join(scenario)
            .join("solved.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(mut list)) => match list.remove("items") {
                Some(serde_json::Value::Array(items)) => items,
                _ => panic!("{}: not a List", path.display()),
            },
            _ => panic!("{}: not a List", path.display()),
        }
    }

    /// Asserts that `check` reads each of `reads`, and that it is an
    /// `error` with the reason when `unreadable` could not be read.
    pub fn assert_reads(
        check: &Check,
        snapshot: &Snapshot,
        reads: &[(crate::kind::Kind, Option<&str>)],
        unreadable: (crate::kind::Kind, &str),
    ) {
        let have = crate::grade::target::check_reads(check.target.as_ref(), Some(&check.expect));
        for (kind, ns) in reads {
            let read = (*kind, ns.map(str::to_string));
            assert!(have.contains(&read), "{read:?} not in {have:?}");
        }
        let mut snap = snapshot.clone();
        snap.mark_unavailable(unreadable.0, Some(unreadable.1.into()), "forbidden".into());
        let r = crate::grade::evaluate(check, &snap);
        assert_eq!(
            (r.status, r.actual.as_str()),
            (crate::report::Status::Error, "forbidden")
        );
    }

    /// Loads the first TOML example under each of `headings` in
    /// docs/rubrics.md as rubric checks of a scenario owning `namespaces`;
    /// the number of checks loaded.
    pub fn reference_examples(headings: &[&str], namespaces: &[&str]) -> usize {
        let doc = include_str!("../docs/rubrics.md");
        let ns = namespaces
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let scenario = format!(
            "id = \"t\"\ntitle = \"T\"\nsummary = \"S\"\ndomain = \"storage\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [{ns}]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n"
        );
        let scenario = match scenario::parse("scenarios/t.toml", &scenario, &|_| None) {
            Ok(s) => s,
            Err(e) => panic!("{e:?}"),
        };
        let mut loaded = 0;
        for heading in headings {
            let Some(at) = doc.find(heading) else {
                panic!("no {heading} in docs/rubrics.md");
            };
            let section = &doc[at..];
            let Some(start) = section.find("```toml\n").map(|i| i + "```toml\n".len()) else {
                panic!("{heading}: no TOML example");
            };
            let end = section[start..]
                .find("```")
                .map_or(section.len(), |e| start + e);
            let rubric = format!(
                "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n{}",
                &section[start..end]
            );
            match rubric::parse("grading/t.toml", &rubric, &scenario) {
                Ok(r) => loaded += r.criteria[0].checks.len(),
                Err(e) => panic!(
                    "{heading}: {:?}",
                    e.iter().map(ToString::to_string).collect::<Vec<_>>()
                ),
            }
        }
        loaded
    }

    /// A snapshot of the given objects.
    pub fn snapshot(objects: &[serde_json::Value]) -> Snapshot {
        let mut s = Snapshot::default();
        for o in objects {
            if let Err(e) = s.insert(o.clone()) {
                panic!("{e}");
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = EVALUATORS.iter().map(|e| e.key()).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "two evaluators share a key");
        assert!(find("pod_security").is_some());
        assert!(find("no_such_check").is_none());
    }

    fn pod(ns: &str, name: &str) -> serde_json::Value {
        serde_json::json!({ "apiVersion": "v1", "kind": "Pod",
            "metadata": { "name": name, "namespace": ns } })
    }

    #[test]
    fn a_check_without_target_judges_the_whole_snapshot() {
        let body = "test_pod_count = { at_least = 2 }";
        let snap = testing::snapshot(&[pod("a", "p"), pod("kube-system", "q")]);
        let r = testing::grade(&["a"], body, &snap);
        assert_eq!(r.status, crate::report::Status::Pass, "{}", r.actual);
        assert_eq!(r.expected, "at least 2 pods in the cluster");
        assert_eq!(r.actual, "2 pods");
        assert_eq!(r.inspect, "kubectl get pods -A");
        let r = testing::grade(&["a"], body, &testing::snapshot(&[pod("a", "p")]));
        assert_eq!(
            (r.status, r.actual.as_str()),
            (crate::report::Status::Fail, "1 pods")
        );
    }

    #[test]
    fn what_it_reads_is_fetched_and_marks_it_error_when_unreadable() {
        let check = testing::check(&["a"], "test_pod_count = { at_least = 1 }").unwrap();
        let mut snap = testing::snapshot(&[pod("a", "p")]);
        snap.mark_unavailable(crate::kind::Kind::Pod, None, "forbidden".into());
        let r = crate::grade::evaluate(&check, &snap);
        assert_eq!(r.status, crate::report::Status::Error);
        assert_eq!(r.actual, "forbidden");
        assert_eq!(
            crate::grade::target::check_reads(check.target.as_ref(), Some(&check.expect)),
            [(crate::kind::Kind::Pod, None)]
        );
    }

    #[test]
    fn target_use_is_enforced_when_loading() {
        let err = testing::check(
            &["a"],
            "target = { kind = \"Pod\", namespace = \"a\", name = \"p\" }\ntest_pod_count = { at_least = 1 }",
        )
        .unwrap_err();
        assert_eq!(
            err,
            ["grading/t.toml:9:10: check 'k': this expectation takes no target"]
        );
        let err = testing::check(&["a"], "test_pod_count = { at_least = -1 }").unwrap_err();
        assert!(err[0].starts_with("grading/t.toml:9:"), "{err:?}");
        let err = testing::check(&["a"], "test_pod_cuont = { at_least = 1 }").unwrap_err();
        assert!(
            err[0].starts_with(
                "grading/t.toml:9:1: unknown field `test_pod_cuont`, expected one of `title`"
            ),
            "{err:?}"
        );
    }

    #[test]
    fn shell_quoting_survives_single_quotes() {
        assert_eq!(sh("{.a}"), "'{.a}'");
        assert_eq!(sh("it's"), r"'it'\''s'");
    }
}
