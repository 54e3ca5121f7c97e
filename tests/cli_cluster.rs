//! `ckasim grade --context`, `snapshot`, `reset` and `doctor` as a user runs
//! them, against a fake API server on 127.0.0.1: output lines and exit codes.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use support::apiserver::{FakeApiServer, Fault};

fn solved() -> PathBuf {
    // The solved capture, with what its pods' observation commands print.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/secure-workspace/solved.json")
}

/// `ckasim` with its own home and the given kubeconfig, nothing of the user's.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn ckasim(home: &Path, kubeconfig: &Path) -> Command {
    let mut c = Command::cargo_bin("ckasim").unwrap();
    c.env("CKASIM_HOME", home)
        .env("KUBECONFIG", kubeconfig)
        .env_remove("NO_COLOR");
    c
}

#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn grade_reads_the_current_context_and_names_it_as_the_source() {
    let server = FakeApiServer::start_with_file(&solved());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "kind-cka");
    let out = ckasim(dir.path(), &kubeconfig)
        .args(["grade", "secure-workspace", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = stdout_json(&out);
    assert_eq!(
        report["source"],
        serde_json::json!({ "context": "kind-cka" })
    );
    assert_eq!(report["score"], 100);

    let text = ckasim(dir.path(), &kubeconfig)
        .args(["grade", "secure-workspace", "--context", "kind-cka"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = text.lines().take(2).collect();
    assert_eq!(
        lines[0],
        "secure-workspace: 100/100 (100.0%) — PASSED (pass mark 66%)"
    );
    assert!(lines[1].ends_with("from context kind-cka"), "{}", lines[1]);
}

#[test]
fn grade_exits_2_when_a_list_is_forbidden_and_says_why_on_the_check() {
    let server = FakeApiServer::start_with_file(&solved());
    server.fail(
        "/api/v1/namespaces/secure-workspace/secrets",
        Fault::Status(403, "Forbidden", "secrets is forbidden".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = ckasim(dir.path(), &server.kubeconfig(dir.path(), "kind-cka"))
        .args(["grade", "secure-workspace", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr.clone()).unwrap(),
        "ckasim: 3 of 23 checks could not be evaluated, the score is incomplete: forbidden: cannot list secrets in namespace 'secure-workspace' (grant the grader role: kubectl apply -f assets/grader-rbac.yaml)\n"
    );
    let report = stdout_json(&out);
    let check = &report["criteria"][1]["checks"][2];
    assert_eq!(check["title"], "regcred holds the password");
    assert_eq!(check["status"], "error");
    assert_eq!(
        check["actual"],
        "forbidden: cannot list secrets in namespace 'secure-workspace' (grant the grader role: kubectl apply -f assets/grader-rbac.yaml)"
    );
}

#[test]
fn grade_of_an_unknown_context_is_one_line_and_exit_2() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "kind-cka");
    let out = ckasim(dir.path(), &kubeconfig)
        .args(["grade", "secure-workspace", "--context", "kind-other"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "ckasim: context 'kind-other' not found in kubeconfig {} (contexts: kind-cka)\n",
            kubeconfig.display()
        )
    );
}

#[test]
fn a_snapshot_grades_like_the_live_cluster_and_holds_no_secret_in_clear() {
    let server = FakeApiServer::start_with_file(&solved());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "kind-cka");
    let file = dir.path().join("snap.json");
    let out = ckasim(dir.path(), &kubeconfig)
        .args(["snapshot", "secure-workspace", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "secure-workspace: 10 objects from context kind-cka written to {} (Secret values redacted)\n",
            file.display()
        )
    );
    let saved = std::fs::read_to_string(&file).unwrap();
    for clear in [
        "ci-token-123",
        "Y2ktdG9rZW4tMTIz",
        "Y2ktYm90OmNpLXRva2VuLTEyMw",
    ] {
        assert!(!saved.contains(clear), "{clear} in the snapshot");
    }
    let live = ckasim(dir.path(), &kubeconfig)
        .args(["grade", "secure-workspace", "--format", "json"])
        .output()
        .unwrap();
    let from_file = ckasim(dir.path(), &kubeconfig)
        .args([
            "grade",
            "secure-workspace",
            "--format",
            "json",
            "--snapshot",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(from_file.status.code(), live.status.code());
    assert_eq!(
        stdout_json(&live)["criteria"],
        stdout_json(&from_file)["criteria"]
    );
}

#[test]
fn a_snapshot_is_not_written_when_a_list_could_not_be_read() {
    let server = FakeApiServer::start_with_file(&solved());
    server.fail(
        "/apis/apps/",
        Fault::Status(500, "InternalError", "etcdserver: request timed out".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snap.json");
    let out = ckasim(dir.path(), &server.kubeconfig(dir.path(), "kind-cka"))
        .args(["snapshot", "secure-workspace", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "ckasim: the API server answered 500 InternalError to list deployments in namespace 'secure-workspace': etcdserver: request timed out\n\
         ckasim: the API server answered 500 InternalError to list replicasets in namespace 'secure-workspace': etcdserver: request timed out\n\
         ckasim: snapshot not written: secure-workspace could not be read fully from context kind-cka\n"
    );
    assert!(!file.exists());
}

#[test]
fn reset_refuses_a_context_not_named_kind_before_any_request() {
    let server = FakeApiServer::start_with_file(&solved());
    let dir = tempfile::tempdir().unwrap();
    let out = ckasim(dir.path(), &server.kubeconfig(dir.path(), "prod"))
        .args(["reset", "secure-workspace"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "ckasim: context 'prod' is not a kind cluster: ckasim changes only contexts named 'kind-*' (allow this one with --allow-context prod or allowed_contexts = [\"prod\"] in {})\n",
            dir.path().join("config.toml").display()
        )
    );
    assert_eq!(server.requests(), Vec::<String>::new());
}

#[test]
fn reset_on_an_allowed_context_prints_every_change() {
    let server = FakeApiServer::start_with_file(&solved());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "lab");
    let expected = "deleting namespace/secure-workspace\n\
                    namespace/secure-workspace deleted\n\
                    secure-workspace is reset on context lab in 0.0 s (no setup to apply)\n";
    let out = ckasim(dir.path(), &kubeconfig)
        .args(["reset", "secure-workspace", "--allow-context", "lab"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(without_duration(&out.stdout), expected);
    assert!(
        server
            .objects()
            .iter()
            .all(|o| o["metadata"]["namespace"] != "secure-workspace")
    );

    // Allowed through the config file instead of the flag.
    std::fs::write(
        dir.path().join("config.toml"),
        "allowed_contexts = [\"lab\"]\n",
    )
    .unwrap();
    let out = ckasim(dir.path(), &kubeconfig)
        .args(["reset", "secure-workspace"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        without_duration(&out.stdout),
        "namespace/secure-workspace was not there\n\
         secure-workspace is reset on context lab in 0.0 s (no setup to apply)\n"
    );
}

/// Standard output with the reset's duration (`in 1.3 s`) shown as `in 0.0 s`.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn without_duration(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    regex::Regex::new(r" in \d+\.\d s \(")
        .unwrap()
        .replace_all(&text, " in 0.0 s (")
        .into_owned()
}

/// A directory with executables named like the tools doctor looks for.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn path_with(dir: &Path, tools: &[&str]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for t in tools {
        let p = bin.join(t);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// A library of the built-in scenarios `ids`, in `dir/lib`.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn library_of(dir: &Path, ids: &[&str]) -> PathBuf {
    let lib = dir.join("lib");
    for sub in ["scenarios", "grading"] {
        std::fs::create_dir_all(lib.join(sub)).unwrap();
        for id in ids {
            let file = format!("{id}.toml");
            std::fs::copy(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(sub).join(&file),
                lib.join(sub).join(&file),
            )
            .unwrap();
        }
    }
    lib
}

#[test]
fn doctor_says_ok_for_each_thing_in_place() {
    let server = FakeApiServer::start(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "kind-cka");
    let bin = path_with(dir.path(), &["kind", "kubectl"]);
    // Only secure-workspace, so the permissions line does not follow the library's growth.
    let lib = library_of(dir.path(), &["secure-workspace"]);
    let out = ckasim(dir.path(), &kubeconfig)
        .env("PATH", &bin)
        .arg("doctor")
        .arg("--scenarios")
        .arg(&lib)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "ok   kubeconfig {}\n\
             ok   context kind-cka at {}\n\
             ok   server reachable, Kubernetes v1.33.1\n\
             ok   permissions: the grader may read deployments, namespaces, pods, replicasets, secrets, serviceaccounts (6 access reviews)\n\
             ok   exec: the grader may run observation commands (create pods/exec) in 1 namespace\n\
             ok   kind {}\n\
             ok   kubectl {}\n",
            kubeconfig.display(),
            server.url(),
            bin.join("kind").display(),
            bin.join("kubectl").display()
        )
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn doctor_says_what_to_do_for_each_thing_missing() {
    let server = FakeApiServer::start(Vec::new());
    server.fail(
        "/api/v1/namespaces/secure-workspace/secrets",
        Fault::Status(403, "Forbidden", "no".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "staging");
    let bin = path_with(dir.path(), &["kubectl"]);
    let out = ckasim(dir.path(), &kubeconfig)
        .env("PATH", &bin)
        .arg("doctor")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[1],
        format!(
            "ok   context staging at {} (not a kind cluster: start and reset need --allow-context staging)",
            server.url()
        )
    );
    assert_eq!(
        lines[3],
        "fix  permissions: cannot list secrets in namespace 'secure-workspace': grant the grader role: kubectl apply -f assets/grader-rbac.yaml"
    );
    // Every namespace the built-in rubrics run observation commands in.
    let library = ckasim::library::Library::builtin().unwrap();
    let observed = ckasim::cluster::exec_namespaces(library.entries().iter().map(|e| &e.rubric));
    assert!(observed.len() > 1);
    assert_eq!(
        lines[4],
        format!(
            "ok   exec: the grader may run observation commands (create pods/exec) in {} namespaces",
            observed.len()
        )
    );
    // The add-ons the library's scenarios declare: none is on this cluster.
    let missing = lines
        .iter()
        .find(|l| l.starts_with("miss add-on metrics-server"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        missing.starts_with("miss add-on metrics-server (metrics-server (kubectl top, HPA metrics)): metrics.k8s.io is not served (no APIService v1beta1.metrics.k8s.io); needed by "),
        "{missing}"
    );
    assert!(missing.contains("workloads-hpa"), "{missing}");
    assert!(
        lines.contains(
            &"fix  kind not found on PATH: install it: https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
        ),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn doctor_names_each_addon_in_place_or_missing_without_failing_for_a_missing_one() {
    let kindnet = serde_json::json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kindnet", "namespace": "kube-system"},
        "spec": {"template": {"spec": {"containers": [
            {"name": "kindnet-cni", "image": "docker.io/kindest/kindnetd:v20250512-df8de77b"}]}}}});
    let server = FakeApiServer::start(vec![kindnet]);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(dir.path(), "kind-cka");
    let bin = path_with(dir.path(), &["kind", "kubectl"]);
    let lib = library_of(dir.path(), &["netpol-default-deny", "workloads-hpa"]);
    let out = ckasim(dir.path(), &kubeconfig)
        .env("PATH", &bin)
        .arg("doctor")
        .arg("--scenarios")
        .arg(&lib)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let addons: Vec<&str> = stdout.lines().filter(|l| l.contains(" add-on ")).collect();
    assert_eq!(
        addons,
        [
            "miss add-on metrics-server (metrics-server (kubectl top, HPA metrics)): metrics.k8s.io is not served (no APIService v1beta1.metrics.k8s.io); needed by workloads-hpa; install: kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml && kubectl patch -n kube-system deployment metrics-server --type=json -p '[{\"op\":\"add\",\"path\":\"/spec/template/spec/containers/0/args/-\",\"value\":\"--kubelet-insecure-tls\"}]' (kind's kubelets serve self-signed certificates)",
            "ok   add-on network-policy: kindnet docker.io/kindest/kindnetd:v20250512-df8de77b enforces NetworkPolicies (kind v0.24+)",
        ],
        "{stdout}"
    );
    // A missing add-on concerns only the scenarios that need it.
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}

#[test]
fn doctor_without_a_kubeconfig_or_a_server_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let bin = path_with(dir.path(), &["kind", "kubectl"]);
    let missing = dir.path().join("no-kubeconfig");
    let out = ckasim(dir.path(), &missing)
        .env("PATH", &bin)
        .arg("doctor")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().next().unwrap(),
        format!(
            "fix  no kubeconfig found at {}: create a cluster with 'kind create cluster --config assets/kind-cluster.yaml' or set KUBECONFIG",
            missing.display()
        )
    );
    assert_eq!(out.status.code(), Some(1));

    let url = format!("http://127.0.0.1:{}", support::apiserver::closed_port());
    let kubeconfig = support::apiserver::write_kubeconfig(dir.path(), &url, "kind-cka");
    let out = ckasim(dir.path(), &kubeconfig)
        .env("PATH", &bin)
        .arg("doctor")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().nth(2).unwrap(),
        format!(
            "fix  context 'kind-cka': cannot reach the API server {url}: connection refused (is the cluster running? see 'kind get clusters')"
        )
    );
    assert_eq!(out.status.code(), Some(1));
}
