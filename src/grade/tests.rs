//! Each check kind against snapshots captured from a real API server.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value, json};

use super::*;
use crate::library::{rubric, scenario};
use crate::report::Status;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel)
}

fn seed() -> &'static Snapshot {
    static S: OnceLock<Snapshot> = OnceLock::new();
    S.get_or_init(|| Snapshot::read_files(&[fixture("seed-exercises.json")]).unwrap())
}

fn solved_value() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("secure-workspace/solved.json")).unwrap())
        .unwrap()
}

fn snapshot_of(list: &Value) -> Snapshot {
    let mut s = Snapshot::default();
    for item in list["items"].as_array().unwrap() {
        s.insert(item.clone()).unwrap();
    }
    s
}

/// Parses one check (TOML body of a `[[criteria.checks]]` table) for a
/// scenario owning `ns`.
fn check(ns: &str, body: &str) -> rubric::Check {
    let scen = format!(
        "id = \"t\"\ntitle = \"T\"\nsummary = \"S\"\ndomain = \"storage\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [\"{ns}\"]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n"
    );
    let s = scenario::parse("scenarios/t.toml", &scen, &|_| None).unwrap();
    let rub = format!(
        "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n[[criteria.checks]]\ntitle = \"k\"\npoints = 1\n{body}\n"
    );
    match rubric::parse("grading/t.toml", &rub, &s) {
        Ok(mut r) => r.criteria.remove(0).checks.remove(0),
        Err(e) => panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn run(ns: &str, body: &str, s: &Snapshot) -> CheckResult {
    evaluate(&check(ns, body), s)
}

fn pod(name: &str) -> String {
    format!("target = {{ kind = \"Pod\", namespace = \"seed-exercises\", name = \"{name}\" }}")
}

#[track_caller]
fn assert_status(r: &CheckResult, status: Status) {
    assert_eq!(r.status, status, "expected {status:?}: {r:#?}");
}

#[test]
fn exists_and_absent() {
    let r = run(
        "seed-exercises",
        &format!("{}\nexists = true", pod("caps-pod")),
        seed(),
    );
    assert_status(&r, Status::Pass);
    let r = run(
        "seed-exercises",
        &format!("{}\nexists = true", pod("nope")),
        seed(),
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "pod nope not found in namespace seed-exercises");
    assert_eq!(r.inspect, "kubectl get pod nope -n seed-exercises");
    let r = run(
        "seed-exercises",
        &format!("{}\nexists = false", pod("nope")),
        seed(),
    );
    assert_status(&r, Status::Pass);
}

#[test]
fn field_matchers_on_image_pull_policy_defaults() {
    // The API server defaults imagePullPolicy from the tag.
    let policy = |name: &str, want: &str| {
        run(
            "seed-exercises",
            &format!(
                "{}\nfield = {{ path = \"{{.spec.containers[0].imagePullPolicy}}\", equals = \"{want}\" }}",
                pod(name)
            ),
            seed(),
        )
    };
    assert_status(&policy("latest-pod", "Always"), Status::Pass);
    assert_status(&policy("untagged-pod", "Always"), Status::Pass);
    assert_status(&policy("pinned-pod", "IfNotPresent"), Status::Pass);
    let r = policy("pinned-pod", "Always");
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "IfNotPresent");
    assert_eq!(
        r.inspect,
        "kubectl get pod pinned-pod -n seed-exercises -o jsonpath='{.spec.containers[0].imagePullPolicy}{\"\\n\"}'"
    );

    let pinned = |name: &str| {
        run(
            "seed-exercises",
            &format!(
                "{}\nfield = {{ path = \"{{.spec.containers[*].image}}\", matches = '[^:]+:[0-9][^:]*' }}",
                pod(name)
            ),
            seed(),
        )
    };
    assert_status(&pinned("pinned-pod"), Status::Pass);
    assert_status(&pinned("latest-pod"), Status::Fail);
    assert_status(&pinned("untagged-pod"), Status::Fail);

    let r = run(
        "seed-exercises",
        &format!(
            "{}\nfield = {{ path = \"{{.spec.securityContext.fsGroup}}\", at_least = 1000, at_most = 3000 }}",
            pod("non-root-pod")
        ),
        seed(),
    );
    assert_status(&r, Status::Pass);
    let r = run(
        "seed-exercises",
        &format!(
            "{}\nfield = {{ path = \"{{.spec.securityContext.fsGroup}}\", present = false }}",
            pod("caps-pod")
        ),
        seed(),
    );
    assert_status(&r, Status::Pass);
    let r = run(
        "seed-exercises",
        &format!(
            "{}\nfield = {{ path = \"{{.spec.containers[0].securityContext.capabilities.add}}\", contains = \"CHOWN\" }}",
            pod("caps-pod")
        ),
        seed(),
    );
    assert_status(&r, Status::Pass);
    let r = run(
        "seed-exercises",
        "target = { kind = \"Namespace\", name = \"seed-exercises\" }\nfield = { path = '{.metadata.labels.pod-security\\.kubernetes\\.io/warn}', one_of = [\"baseline\", \"restricted\"] }",
        seed(),
    );
    assert_status(&r, Status::Pass);
}

#[test]
fn effective_run_as_user_inherits_and_overrides() {
    let uid = |name: &str, want: i64| {
        run(
            "seed-exercises",
            &format!("{}\nsecurity_context = {{ runAsUser = {want} }}", pod(name)),
            seed(),
        )
    };
    // Pod level, inherited by the container.
    let r = uid("web-pod", 1000);
    assert_status(&r, Status::Pass);
    assert_eq!(
        r.actual,
        "container \"ubuntu\": runAsUser=1000 (from pod level)"
    );
    // Container level only.
    assert_status(&uid("web-pod-container-level", 1000), Status::Pass);
    // Nothing set: the image decides, which is not what the task asked.
    let r = uid("caps-pod", 1000);
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "container \"app\": runAsUser=not set");
}

#[test]
fn container_override_breaks_pod_level_setting() {
    let mut v = solved_value();
    for item in v["items"].as_array_mut().unwrap() {
        if item["kind"] == "Deployment" {
            let spec = &mut item["spec"]["template"]["spec"];
            // Pod level says 1001, the container says 0: the container wins.
            spec["securityContext"]["runAsUser"] = json!(1001);
            spec["containers"][0]["securityContext"]["runAsUser"] = json!(0);
        }
    }
    let body = "target = { kind = \"Deployment\", namespace = \"secure-workspace\", name = \"secure-app\" }\nsecurity_context = { runAsUser = 1001 }";
    let r = run("secure-workspace", body, &snapshot_of(&v));
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "container \"nginx\": runAsUser=0");
}

#[test]
fn pod_level_setting_earns_the_points() {
    let mut v = solved_value();
    for item in v["items"].as_array_mut().unwrap() {
        if item["kind"] == "Deployment" {
            let spec = &mut item["spec"]["template"]["spec"];
            spec["securityContext"] =
                json!({"runAsUser": 1001, "runAsNonRoot": true, "fsGroup": 2000});
            let sc = spec["containers"][0]["securityContext"]
                .as_object_mut()
                .unwrap();
            sc.remove("runAsUser");
            sc.remove("runAsNonRoot");
        }
    }
    let s = snapshot_of(&v);
    let body = "target = { kind = \"Deployment\", namespace = \"secure-workspace\", name = \"secure-app\" }\nsecurity_context = { runAsUser = 1001, runAsNonRoot = true, fsGroup = 2000 }";
    let r = run("secure-workspace", body, &s);
    assert_status(&r, Status::Pass);
    assert!(
        r.actual.contains("runAsUser=1001 (from pod level)"),
        "{}",
        r.actual
    );
}

#[test]
fn container_only_fields_and_their_defaults() {
    let sc = |name: &str, expect: &str| {
        run(
            "seed-exercises",
            &format!("{}\nsecurity_context = {{ {expect} }}", pod(name)),
            seed(),
        )
    };
    assert_status(
        &sc("non-root-pod", "allowPrivilegeEscalation = false"),
        Status::Pass,
    );
    // Unset means escalation is allowed.
    let r = sc("caps-pod", "allowPrivilegeEscalation = false");
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "container \"app\": allowPrivilegeEscalation not set (defaults to true)"
    );
    assert_status(
        &sc("readonly-pod", "readOnlyRootFilesystem = true"),
        Status::Pass,
    );
    // Unset read-only root filesystem is false, as the task may ask.
    assert_status(
        &sc("caps-pod", "readOnlyRootFilesystem = false"),
        Status::Pass,
    );
    assert_status(&sc("caps-pod", "privileged = false"), Status::Pass);
    assert_status(
        &sc(
            "caps-pod",
            "capabilities = { drop = [\"ALL\"], add = [\"CHOWN\", \"NET_BIND_SERVICE\"] }",
        ),
        Status::Pass,
    );
    // Added capabilities must be exactly those asked for.
    let r = sc(
        "caps-pod",
        "capabilities = { add = [\"NET_BIND_SERVICE\"] }",
    );
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "container \"app\": capabilities added: [CHOWN,NET_BIND_SERVICE]"
    );
    assert_status(
        &sc(
            "web-pod-container-level",
            "capabilities = { add = [\"MAC_ADMIN\"] }",
        ),
        Status::Pass,
    );
    assert_status(
        &sc("non-root-pod", "runAsGroup = 3000, fsGroup = 2000"),
        Status::Pass,
    );
}

#[test]
fn token_mounted_judged_from_the_pod() {
    let tok = |name: &str, want: bool| {
        run(
            "seed-exercises",
            &format!("{}\ntoken_mounted = {want}", pod(name)),
            seed(),
        )
    };
    assert_status(&tok("no-sa-mount", false), Status::Pass);
    let r = tok("sa-test", false);
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "token mounted at /var/run/secrets/kubernetes.io/serviceaccount in \"sa-test\""
    );
    assert_status(&tok("custom-sa-pod", true), Status::Pass);
}

#[test]
fn token_automount_of_a_template_follows_the_service_account() {
    let s = Snapshot::read_files(&[fixture("secure-workspace/solved.json")]).unwrap();
    let body = "target = { kind = \"Deployment\", namespace = \"secure-workspace\", name = \"secure-app\" }\ntoken_mounted = false";
    let r = run("secure-workspace", body, &s);
    assert_status(&r, Status::Pass);
    assert_eq!(
        r.actual,
        "ServiceAccount secure-runner sets automountServiceAccountToken=false"
    );
}

#[test]
fn pull_secrets_on_accounts_pods_and_templates() {
    let r = run(
        "seed-exercises",
        "target = { kind = \"ServiceAccount\", namespace = \"seed-exercises\", name = \"default\" }\npull_secret = \"regcred\"",
        seed(),
    );
    assert_status(&r, Status::Pass);
    // Pods created after the default ServiceAccount was patched inherited it.
    assert_status(
        &run(
            "seed-exercises",
            &format!("{}\npull_secret = \"regcred\"", pod("latest-pod")),
            seed(),
        ),
        Status::Pass,
    );
    // A pod of another ServiceAccount did not.
    let r = run(
        "seed-exercises",
        &format!("{}\npull_secret = \"regcred\"", pod("custom-sa-pod")),
        seed(),
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "imagePullSecrets: none");
    // A template inherits from its ServiceAccount.
    let s = Snapshot::read_files(&[fixture("secure-workspace/solved.json")]).unwrap();
    let r = run(
        "secure-workspace",
        "target = { kind = \"Deployment\", namespace = \"secure-workspace\", name = \"secure-app\" }\npull_secret = \"regcred\"",
        &s,
    );
    assert_status(&r, Status::Pass);
    assert_eq!(
        r.actual,
        "none in the pod template; from ServiceAccount secure-runner: regcred"
    );
}

#[test]
fn registry_credentials_from_a_real_secret() {
    let target =
        "target = { kind = \"Secret\", namespace = \"seed-exercises\", name = \"regcred\" }";
    let cred = |spec: &str| {
        run(
            "seed-exercises",
            &format!("{target}\nregistry_credentials = {{ {spec} }}"),
            seed(),
        )
    };
    let auths = crate::snapshot::secret::registry_auths(
        &seed()
            .get(crate::kind::Kind::Secret, Some("seed-exercises"), "regcred")
            .unwrap()
            .value,
    )
    .unwrap();
    let server = auths[0].server.clone();
    assert_status(&cred(&format!("server = \"{server}\"")), Status::Pass);
    let r = cred(&format!(
        "server = \"{server}\", password = \"definitely-wrong\""
    ));
    assert_status(&r, Status::Fail);
    assert!(
        r.actual.ends_with("password does not match"),
        "{}",
        r.actual
    );
    assert!(!r.actual.contains("definitely-wrong") && !r.expected.contains("definitely-wrong"));
    let r = cred("server = \"elsewhere.example\"");
    assert_status(&r, Status::Fail);
    assert!(
        r.actual
            .starts_with("no credentials for 'elsewhere.example'"),
        "{}",
        r.actual
    );
}

#[test]
fn a_hand_written_secret_earns_the_points() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    // Only the `auth` form, and the server written as a URL.
    let cfg =
        json!({"auths": {"https://registry.internal.com": {"auth": b64("ci-bot:ci-token-123")}}});
    let mut s = Snapshot::default();
    s.insert(
        json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "regcred", "namespace": "secure-workspace"},
        "data": {".dockerconfigjson": b64(&cfg.to_string())}}),
    )
    .unwrap();
    let r = run(
        "secure-workspace",
        "target = { kind = \"Secret\", namespace = \"secure-workspace\", name = \"regcred\" }\nregistry_credentials = { server = \"registry.internal.com\", username = \"ci-bot\", password = \"ci-token-123\" }",
        &s,
    );
    assert_status(&r, Status::Pass);
}

#[test]
fn probes_resources_and_ready_pods() {
    let s = Snapshot::read_files(&[fixture("secure-workspace/solved.json")]).unwrap();
    let dep = "target = { kind = \"Deployment\", namespace = \"secure-workspace\", name = \"secure-app\" }";
    assert_status(
        &run(
            "secure-workspace",
            &format!("{dep}\nprobe = {{ type = \"liveness\", handler = \"http\" }}"),
            &s,
        ),
        Status::Pass,
    );
    let r = run(
        "secure-workspace",
        &format!("{dep}\nprobe = {{ type = \"readiness\", handler = \"exec\" }}"),
        &s,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "container \"nginx\": readinessProbe uses httpGet");
    let r = run(
        "secure-workspace",
        &format!("{dep}\nprobe = {{ type = \"startup\" }}"),
        &s,
    );
    assert_eq!(r.actual, "container \"nginx\" has no startupProbe");
    assert_status(
        &run(
            "secure-workspace",
            &format!("{dep}\nresources = {{ requests = [\"cpu\"], limits = [\"memory\"] }}"),
            &s,
        ),
        Status::Pass,
    );
    let r = run(
        "secure-workspace",
        &format!("{dep}\nresources = {{ limits = [\"ephemeral-storage\"] }}"),
        &s,
    );
    assert_eq!(
        r.actual,
        "container \"nginx\" has no limits.ephemeral-storage"
    );
    let r = run(
        "secure-workspace",
        &format!("{dep}\nready_replicas = {{ at_least = 2 }}"),
        &s,
    );
    assert_status(&r, Status::Pass);
    assert_eq!(r.actual, "2 of 2 ready");
    let pending = Snapshot::read_files(&[fixture("secure-workspace/pods-pending.json")]).unwrap();
    let r = run(
        "secure-workspace",
        &format!("{dep}\nready_replicas = {{ at_least = 1 }}"),
        &pending,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "0 of 2 ready");
}

#[test]
fn selectors_and_quantifiers_over_pods() {
    let all = run(
        "seed-exercises",
        "target = { kind = \"Pod\", namespace = \"seed-exercises\", selector = \"app=web\" }\nexists = true",
        seed(),
    );
    // Whatever the labels, a selector that matches nothing says so.
    if all.status == Status::Fail {
        assert!(
            all.actual.starts_with("no pod matches -l app=web"),
            "{}",
            all.actual
        );
    }
    let any = run(
        "seed-exercises",
        "target = { kind = \"Pod\", namespace = \"seed-exercises\", selector = \"!nonexistent-label\", match = \"any\" }\ntoken_mounted = false",
        seed(),
    );
    assert_status(&any, Status::Pass);
    let every = run(
        "seed-exercises",
        "target = { kind = \"Pod\", namespace = \"seed-exercises\", selector = \"!nonexistent-label\" }\ntoken_mounted = false",
        seed(),
    );
    assert_status(&every, Status::Fail);
}

#[test]
fn an_unreadable_list_is_an_error_not_a_mistake() {
    let mut s = Snapshot::default();
    s.mark_unavailable(
        crate::kind::Kind::ServiceAccount,
        Some("secure-workspace".into()),
        "forbidden: serviceaccounts is forbidden".into(),
    );
    let r = run(
        "secure-workspace",
        "target = { kind = \"ServiceAccount\", namespace = \"secure-workspace\", name = \"secure-runner\" }\nexists = true",
        &s,
    );
    assert_status(&r, Status::Error);
    assert_eq!(r.points, 0);
    assert_eq!(r.actual, "forbidden: serviceaccounts is forbidden");
}

#[test]
fn pods_of_a_deployment_follow_its_current_replica_set() {
    let s = Snapshot::read_files(&[fixture("secure-workspace/solved.json")]).unwrap();
    let dep = s
        .get(
            crate::kind::Kind::Deployment,
            Some("secure-workspace"),
            "secure-app",
        )
        .unwrap();
    let pods = target::pods_of(dep, &s);
    assert_eq!(pods.len(), 2);
    assert!(
        pods.iter()
            .all(|p| p.name.starts_with("secure-app-757c767995-"))
    );
}

#[test]
fn an_unreadable_service_account_list_makes_an_inherited_pull_secret_an_error() {
    let mut s = snapshot_of(&solved_value());
    s.mark_unavailable(
        crate::kind::Kind::ServiceAccount,
        Some("secure-workspace".into()),
        "forbidden: cannot list serviceaccounts in namespace 'secure-workspace'".into(),
    );
    let r = run(
        "secure-workspace",
        "target = { kind = \"Deployment\", namespace = \"secure-workspace\", name = \"secure-app\" }\npull_secret = \"regcred\"",
        &s,
    );
    assert_status(&r, Status::Error);
    assert_eq!(
        r.actual,
        "forbidden: cannot list serviceaccounts in namespace 'secure-workspace'"
    );
}

#[test]
fn a_field_check_on_secret_values_is_refused_at_load() {
    let scen = "id = \"t\"\ntitle = \"T\"\nsummary = \"S\"\ndomain = \"storage\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [\"ns\"]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n";
    let s = scenario::parse("scenarios/t.toml", scen, &|_| None).unwrap();
    let rub = "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n[[criteria.checks]]\ntitle = \"k\"\npoints = 1\ntarget = { kind = \"Secret\", namespace = \"ns\", name = \"x\" }\nfield = { path = \"{.data.password}\", present = true }\n";
    let errors = rubric::parse("grading/t.toml", rub, &s).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "grading/t.toml:9:10: check 'k': a field check cannot read Secret values (they are redacted in snapshots); use registry_credentials"
    );
}

mod runtime;
