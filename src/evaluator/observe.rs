//! Observation checks as evaluators: `observe` (a command run in the pods
//! the target selects) and `logs_contain` (their containers' logs). Both are
//! live reads: `plan` names what to run in which container, the cluster
//! takes and records it (`cluster::exec`), and the verdict is judged from
//! the records of the snapshot only (`crate::observe`).
//!
//! ```toml
//! target = { pods_of = "Deployment/secure-app", namespace = "secure-workspace" }
//! observe = { command = ["id", "-u"], stdout = { equals = "1001" } }
//! # or
//! logs_contain = { text = "Permission denied" }
//! ```

use std::sync::Arc;

use super::{Evaluator, EvaluatorCheck, Get, Input, Live, Problem, Verdict};
use crate::kind::Kind;
use crate::library::rubric::{Quantifier, Target};
use crate::observe::logs::{self, LogsContain, LogsFile};
use crate::observe::{self, Exec, Observe, ObserveFile};
use crate::report::Status;
use crate::snapshot::{Object, Snapshot};

/// `observe = { command, container?, stdout?, stderr?, exit_code? | fails? }`
pub struct ObserveEvaluator;

/// `logs_contain = { text | matches, container? }`
pub struct LogsContainEvaluator;

/// A check that reads in its target's pods: an `observe` or a
/// `logs_contain`.
#[derive(Debug)]
struct InPods<T>(T);

/// What differs between the two.
trait PodRead: std::fmt::Debug + Send + Sync {
    /// Why a target of another kind does not fit, before "target pods …".
    const WHAT: &'static str;
    fn describe(&self) -> String;
    fn judge(&self, pods: &[&Object], snapshot: &Snapshot, q: Quantifier) -> (Status, String);
    fn plan(&self, t: &Target, snapshot: &Snapshot) -> Vec<Exec>;
    /// The command without a target at hand.
    fn inspect(&self) -> String;
    fn inspect_in(&self, t: &Target, snapshot: &Snapshot) -> String;
    fn container(&self) -> Option<&String>;
}

impl PodRead for Observe {
    const WHAT: &'static str = "observe runs in pods";

    fn describe(&self) -> String {
        observe::describe(self)
    }

    fn judge(&self, pods: &[&Object], snapshot: &Snapshot, q: Quantifier) -> (Status, String) {
        observe::judge(self, pods, snapshot, q)
    }

    fn plan(&self, t: &Target, snapshot: &Snapshot) -> Vec<Exec> {
        observe::plan_check(t, self, snapshot)
    }

    fn inspect(&self) -> String {
        format!(
            "kubectl exec POD -- {}",
            observe::command_line(&self.command)
        )
    }

    fn inspect_in(&self, t: &Target, snapshot: &Snapshot) -> String {
        observe::inspect(t, self, snapshot)
    }

    fn container(&self) -> Option<&String> {
        self.container.as_ref()
    }
}

impl PodRead for LogsContain {
    const WHAT: &'static str = "logs_contain reads pods' logs";

    fn describe(&self) -> String {
        logs::describe(self)
    }

    fn judge(&self, pods: &[&Object], snapshot: &Snapshot, q: Quantifier) -> (Status, String) {
        logs::judge(self, pods, snapshot, q)
    }

    fn plan(&self, t: &Target, snapshot: &Snapshot) -> Vec<Exec> {
        logs::plan_check(t, self, snapshot)
    }

    fn inspect(&self) -> String {
        "kubectl logs POD".into()
    }

    fn inspect_in(&self, t: &Target, snapshot: &Snapshot) -> String {
        logs::inspect(t, self, snapshot)
    }

    fn container(&self) -> Option<&String> {
        self.container.as_ref()
    }
}

impl Evaluator for ObserveEvaluator {
    fn key(&self) -> &'static str {
        "observe"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: ObserveFile = input.deserialize()?;
        file.parse()
            .map(|o| Arc::new(InPods(o)) as Arc<dyn EvaluatorCheck>)
            .map_err(|e| Problem::new(input.span(), format!("check '{}': {e}", input.title)))
    }
}

impl Evaluator for LogsContainEvaluator {
    fn key(&self) -> &'static str {
        "logs_contain"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: LogsFile = input.deserialize()?;
        file.parse()
            .map(|l| Arc::new(InPods(l)) as Arc<dyn EvaluatorCheck>)
            .map_err(|e| Problem::new(input.span(), format!("check '{}': {e}", input.title)))
    }
}

/// The report's verdict from what `crate::observe` judged.
fn verdict((status, found): (Status, String)) -> Verdict {
    match status {
        Status::Error => Verdict::error(found),
        s => Verdict::new(s == Status::Pass, found),
    }
}

impl<T: PodRead> EvaluatorCheck for InPods<T> {
    /// Both run in pods: the target must select pods.
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        match target {
            Some(t) if t.kind != Kind::Pod => Err(format!(
                "{}: target pods (kind = 'Pod', or pods_of), not a {}",
                T::WHAT,
                t.kind
            )),
            _ => Ok(()),
        }
    }

    fn expected(&self, subject: Option<&str>) -> String {
        let what = self.0.describe();
        subject.map_or_else(|| what.clone(), |s| format!("{s}: {what}"))
    }

    /// Judged across the target's pods (`judge_target`).
    fn judge(&self, _object: Option<&Object>, _snapshot: &Snapshot) -> Verdict {
        Verdict::new(false, self.0.describe())
    }

    fn judge_target(
        &self,
        target: &Target,
        objects: &[&Object],
        snapshot: &Snapshot,
    ) -> Option<Verdict> {
        Some(verdict(self.0.judge(objects, snapshot, target.quantifier)))
    }

    fn live(&self) -> Live {
        Live::Pods
    }

    fn plan(&self, target: Option<&Target>, snapshot: &Snapshot) -> Vec<Exec> {
        target.map_or_else(Vec::new, |t| self.0.plan(t, snapshot))
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        self.0.inspect()
    }

    fn inspect_in(&self, target: Option<&Get<'_>>, snapshot: &Snapshot) -> String {
        target.map_or_else(
            || self.0.inspect(),
            |g| self.0.inspect_in(g.target, snapshot),
        )
    }

    /// The command is the examiner's way of verifying, not a value the task
    /// asks for; the container is.
    fn named_values(&self) -> Vec<String> {
        self.0.container().into_iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::evaluator::Live;
    use crate::library::rubric::Expectation;

    const PODS: &str = "target = { pods_of = \"Deployment/web\", namespace = \"a\" }";

    #[test]
    fn both_plug_in_through_the_registry_as_live_reads_in_pods() {
        for body in [
            "observe = { command = [\"id\", \"-u\"], stdout = { equals = \"1001\" } }",
            "logs_contain = { text = \"Permission denied\", container = \"app\" }",
        ] {
            let check = testing::check(&["a"], &format!("{PODS}\n{body}")).unwrap();
            let Expectation::Evaluated(c) = &check.expect else {
                panic!("{body}: not an evaluator check");
            };
            assert_eq!(c.live(), Live::Pods, "{body}");
        }
    }

    #[test]
    fn misuse_is_named_where_it_is_written() {
        let svc = "target = { kind = \"Service\", namespace = \"a\", name = \"web\" }";
        let err = testing::check(
            &["a"],
            &format!("{svc}\nobserve = {{ command = [\"id\"] }}"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            [
                "grading/t.toml:9:10: check 'k': observe runs in pods: target pods (kind = 'Pod', or pods_of), not a Service"
            ]
        );
        let err =
            testing::check(&["a"], &format!("{PODS}\nobserve = {{ command = [] }}")).unwrap_err();
        assert!(
            err[0].starts_with("grading/t.toml:10:11: check 'k': "),
            "{err:?}"
        );
        let err = testing::check(&["a"], &format!("{PODS}\nlogs_contain = {{ txt = \"x\" }}"))
            .unwrap_err();
        assert!(err[0].starts_with("grading/t.toml:10:"), "{err:?}");
        assert!(err[0].contains("unknown field `txt`"), "{err:?}");
    }
}
