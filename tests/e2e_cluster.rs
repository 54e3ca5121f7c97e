//! End to end against a real cluster: only when `CKASIM_E2E_CONTEXT` names
//! a kubeconfig context (e.g. `kind-cka` from `kind create cluster --config
//! assets/kind-cluster.yaml`). These tests change that cluster: they delete
//! and recreate the namespace `secure-workspace`, and the timing of reset
//! resets every built-in scenario's namespaces.
//!
//! ```text
//! CKASIM_E2E_CONTEXT=kind-cka cargo test --test e2e_cluster -- --nocapture
//! ```

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use base64::Engine as _;
use ckasim::cluster::{Cluster, ConnectOptions};
use ckasim::kind::Kind;
use ckasim::library::scenario::SetupManifest;
use ckasim::library::{Entry, Library, Scenario};
use ckasim::report::{Report, Source};
use serde_json::Value;

/// The tests share one cluster: one at a time.
static CLUSTER: Mutex<()> = Mutex::new(());

fn context() -> Option<String> {
    let ctx = std::env::var("CKASIM_E2E_CONTEXT")
        .ok()
        .filter(|c| !c.is_empty());
    if ctx.is_none() {
        eprintln!(
            "skipped: set CKASIM_E2E_CONTEXT to a kubeconfig context (e.g. kind-cka) to run the end-to-end tests"
        );
    }
    ctx
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn entry() -> Entry {
    Library::builtin()
        .unwrap()
        .get("secure-workspace")
        .unwrap()
        .clone()
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn ckasim(home: &Path) -> Command {
    let mut c = Command::cargo_bin("ckasim").unwrap();
    c.env("CKASIM_HOME", home);
    c
}

/// The scenario's reference answer as setup objects: what its shell commands
/// create, then its manifests.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn reference_answer(scenario: &Scenario) -> Scenario {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let config = serde_json::json!({ "auths": { "registry.internal.com": {
        "username": "ci-bot", "password": "ci-token-123", "auth": b64("ci-bot:ci-token-123") } } });
    let shell = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: secure-workspace\n---\n\
         apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: secure-runner\n  namespace: secure-workspace\n\
         automountServiceAccountToken: false\nimagePullSecrets:\n- name: regcred\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: secure-workspace\n\
         type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
        b64(&config.to_string())
    );
    let manifests = scenario
        .solution
        .as_ref()
        .and_then(|s| s.manifests.clone())
        .unwrap();
    let mut answer = scenario.clone();
    answer.setup = vec![
        SetupManifest {
            origin: "reference answer (shell)".into(),
            yaml: shell,
        },
        SetupManifest {
            origin: "reference answer (manifests)".into(),
            yaml: manifests,
        },
    ];
    answer
}

/// A report without what differs between two gradings of one state.
fn comparable(report: &Value) -> Value {
    let mut r = report.clone();
    if let Value::Object(m) = &mut r {
        m.remove("graded_at");
        m.remove("source");
    }
    r
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn json_report(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Resets secure-workspace, applies its reference answer and waits
/// (bounded) until the pods run and two gradings agree.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn settle_reference_answer(ctx: &str, home: &Path, entry: &Entry) -> Report {
    let reset = ckasim(home)
        .args([
            "reset",
            "secure-workspace",
            "--context",
            ctx,
            "--allow-context",
            ctx,
        ])
        .output()
        .unwrap();
    assert_eq!(
        reset.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let cluster = Cluster::connect(Some(ctx)).await.unwrap();
        cluster
            .apply_setup(&reference_answer(&entry.scenario), &mut |l| {
                eprintln!("{l}");
            })
            .await
            .unwrap();
        // Wait (bounded) until the pods run and two gradings agree.
        let deadline = Instant::now() + Duration::from_secs(180);
        let mut last: Option<Report> = None;
        loop {
            let snapshot = cluster.fetch(&entry.rubric).await;
            let report = ckasim::grade::grade(
                entry,
                &snapshot,
                chrono::Utc::now(),
                Source::Context {
                    context: ctx.to_string(),
                },
            );
            let stable = last.as_ref().is_some_and(|l| l.criteria == report.criteria);
            if (stable && report.score == report.max_score) || Instant::now() > deadline {
                break report;
            }
            last = Some(report);
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    })
}

#[test]
fn the_reference_answer_grades_the_same_live_and_from_its_snapshot() {
    let Some(ctx) = context() else { return };
    let _one = CLUSTER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let home = tempfile::tempdir().unwrap();
    let entry = entry();
    let settled = settle_reference_answer(&ctx, home.path(), &entry);
    // Verification included: its observation commands ran in the pods.
    for c in &settled.criteria {
        assert_eq!(c.score, c.max_score, "{}: {:?}", c.id, c.checks);
    }
    eprintln!(
        "reference answer: {}/{} on {ctx}",
        settled.score, settled.max_score
    );

    let live = json_report(ckasim(home.path()).args([
        "grade",
        "secure-workspace",
        "--context",
        &ctx,
        "--format",
        "json",
    ]));
    let file = home.path().join("snapshot.json");
    let snap = ckasim(home.path())
        .args([
            "snapshot",
            "secure-workspace",
            "--context",
            &ctx,
            "--output",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(snap.status.code(), Some(0));
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(!saved.contains("ci-token-123"));
    let from_file = json_report(
        ckasim(home.path())
            .args([
                "grade",
                "secure-workspace",
                "--format",
                "json",
                "--snapshot",
            ])
            .arg(&file),
    );
    assert_eq!(comparable(&live), comparable(&from_file));
    assert_eq!(live["source"], serde_json::json!({ "context": ctx }));
}

#[test]
fn reset_refuses_a_context_not_named_kind() {
    let Some(ctx) = context() else { return };
    let _one = CLUSTER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let home = tempfile::tempdir().unwrap();

    // The same cluster and credentials under a name that is not kind-*.
    let mut config = kube::config::Kubeconfig::read().unwrap();
    let named = config
        .contexts
        .iter()
        .find(|c| c.name == ctx)
        .cloned()
        .unwrap();
    let renamed = "e2e-not-kind".to_string();
    config.contexts = vec![kube::config::NamedContext {
        name: renamed.clone(),
        ..named
    }];
    config.current_context = Some(renamed.clone());
    let kubeconfig = home.path().join("kubeconfig");
    std::fs::write(&kubeconfig, serde_json::to_string(&config).unwrap()).unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let namespace_uid = || {
        rt.block_on(async {
            let cluster = Cluster::connect_with(&ConnectOptions {
                kubeconfig: Some(kubeconfig.clone()),
                ..ConnectOptions::default()
            })
            .await
            .unwrap();
            let snapshot = cluster.fetch(&entry().rubric).await;
            snapshot
                .get(Kind::Namespace, None, "secure-workspace")
                .and_then(|o| o.uid().map(str::to_string))
        })
    };
    let before = namespace_uid();

    let out = ckasim(home.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["reset", "secure-workspace"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "ckasim: context 'e2e-not-kind' is not a kind cluster: ckasim changes only contexts named 'kind-*'"
        ),
        "{stderr}"
    );
    assert_eq!(namespace_uid(), before, "the namespace was touched");
}

/// Seconds until the pods in `namespaces` run (or 90 s pass): a reset
/// timed after this deletes pods a kubelet really runs.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
async fn settle(ctx: &str, namespaces: &[String]) {
    let options = kube::config::KubeConfigOptions {
        context: Some(ctx.to_string()),
        ..Default::default()
    };
    let config = kube::Config::from_kubeconfig(&options).await.unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let mut waiting = 0;
        for ns in namespaces {
            let pods: kube::Api<k8s_openapi::api::core::v1::Pod> =
                kube::Api::namespaced(client.clone(), ns);
            let list = pods.list(&kube::api::ListParams::default()).await.unwrap();
            waiting += list
                .items
                .iter()
                .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending"))
                .count();
        }
        if waiting == 0 || Instant::now() > deadline {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// `ckasim reset` of every built-in scenario, timed on a real cluster once
/// its setup's pods run (a kubelet, grace periods, the namespace
/// controller): the figures are printed (run with --nocapture).
#[test]
fn reset_of_every_builtin_scenario_is_timed() {
    let Some(ctx) = context() else { return };
    let _one = CLUSTER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let home = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let reset = |id: &str| {
        let began = Instant::now();
        let out = ckasim(home.path())
            .args(["reset", id, "--context", &ctx, "--allow-context", &ctx])
            .output()
            .unwrap();
        let took = began.elapsed();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        took
    };
    let mut times = Vec::new();
    for entry in Library::builtin().unwrap().entries() {
        let id = &entry.scenario.id;
        reset(id);
        rt.block_on(settle(&ctx, &entry.scenario.namespaces));
        let took = reset(id);
        eprintln!("reset {id}: {:.1} s", took.as_secs_f64());
        times.push(took);
    }
    times.sort();
    eprintln!(
        "reset on {ctx}: median {:.1} s, max {:.1} s over {} scenarios",
        times[times.len() / 2].as_secs_f64(),
        times.last().unwrap().as_secs_f64(),
        times.len()
    );
}

/// Observation commands through the real API server and kubelet: the
/// reference answer's pods run as uid 1001, without a token, with no
/// capability; a command not in the image is an error, never a pass.
#[test]
fn observation_commands_run_in_the_reference_answers_pods() {
    let Some(ctx) = context() else { return };
    let _one = CLUSTER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let home = tempfile::tempdir().unwrap();
    let builtin = entry();
    settle_reference_answer(&ctx, home.path(), &builtin);
    let pods = "target = { pods_of = \"Deployment/secure-app\", namespace = \"secure-workspace\" }";
    let text = format!(
        "pass_percent = 66\n[[criteria]]\nid = \"verification\"\ntitle = \"V\"\n\
         tasks = [\"namespace\", \"service-account\", \"registry-secret\", \"deployment\", \"verify\"]\n\
         [[criteria.checks]]\ntitle = \"uid\"\npoints = 1\n{pods}\nobserve = {{ command = [\"id\", \"-u\"], stdout = {{ equals = \"1001\" }} }}\n\
         [[criteria.checks]]\ntitle = \"token\"\npoints = 1\n{pods}\nobserve = {{ command = [\"ls\", \"/var/run/secrets/kubernetes.io/serviceaccount\"], fails = true, stderr = {{ contains = \"No such file or directory\" }} }}\n\
         [[criteria.checks]]\ntitle = \"caps\"\npoints = 1\n{pods}\nobserve = {{ command = [\"grep\", \"CapEff\", \"/proc/1/status\"], stdout = {{ matches = \"CapEff:\\\\s+0+\\\\s*$\" }} }}\n\
         [[criteria.checks]]\ntitle = \"missing\"\npoints = 1\n{pods}\nobserve = {{ command = [\"no-such-binary\"] }}\n"
    );
    let rubric = ckasim::library::rubric::parse("grading/e2e.toml", &text, &builtin.scenario)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let entry = Entry {
        scenario: builtin.scenario.clone(),
        rubric,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let snapshot = rt.block_on(async {
        let cluster = Cluster::connect(Some(&ctx)).await.unwrap();
        cluster.fetch(&entry.rubric).await
    });
    let report = ckasim::grade::grade(
        &entry,
        &snapshot,
        chrono::Utc::now(),
        Source::Context { context: ctx },
    );
    let checks = &report.criteria[0].checks;
    for c in &checks[..3] {
        assert_eq!(c.status, ckasim::report::Status::Pass, "{c:#?}");
    }
    assert_eq!(
        checks[3].status,
        ckasim::report::Status::Error,
        "{:#?}",
        checks[3]
    );
    eprintln!("{}", checks[3].actual);
}
