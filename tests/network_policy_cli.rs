//! `ckasim network-policy` as a user runs it: real pods from a captured
//! cluster, network policies as `kubectl get netpol -o yaml` prints them.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn pods_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/real/cka-security-mock/solved.json")
}

/// `api` in mock-pss takes 8080/TCP from the catalog pods of mock-images
/// only; the rest of mock-pss is default-deny for ingress.
const POLICIES: &str = r"apiVersion: v1
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    creationTimestamp: '2026-11-29T14:20:00Z'
    generation: 1
    name: default-deny
    namespace: mock-pss
    resourceVersion: '11000'
    uid: 0b8f9a52-1d1c-4b55-9f0e-3c8f4a6f0c01
  spec:
    podSelector: {}
    policyTypes:
    - Ingress
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    creationTimestamp: '2026-11-29T14:20:01Z'
    generation: 1
    name: api-from-catalog
    namespace: mock-pss
    resourceVersion: '11001'
    uid: 0b8f9a52-1d1c-4b55-9f0e-3c8f4a6f0c02
  spec:
    ingress:
    - from:
      - namespaceSelector:
          matchLabels:
            kubernetes.io/metadata.name: mock-images
        podSelector:
          matchLabels:
            app: catalog
      ports:
      - port: 8080
        protocol: TCP
    podSelector:
      matchLabels:
        app: api
    policyTypes:
    - Ingress
kind: List
metadata:
  resourceVersion: ''
";

fn run(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("netpol.yaml");
    std::fs::write(&policies, POLICIES).unwrap();
    Command::cargo_bin("ckasim")
        .unwrap()
        .env("CKASIM_HOME", dir.path())
        .arg("network-policy")
        .arg("--snapshot")
        .arg(pods_fixture())
        .arg(&policies)
        .args(args)
        .output()
        .unwrap()
}

const CATALOG: &str = "mock-images/catalog-6db8b85758-jdflx";
const API: &str = "mock-pss/api-76897f9bb6-p4sbn";

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn allowed_connection_names_the_rule_and_exits_0() {
    let out = run(&["--from", CATALOG, "--to", API, "--port", "8080"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout,
        format!(
            "allowed: {CATALOG} -> {API} on 8080/TCP\n  \
             egress from {CATALOG}: allowed (no NetworkPolicy in 'mock-images' selects the pod for Egress)\n  \
             ingress to {API}: allowed by mock-pss/api-from-catalog ingress[0] (selected by mock-pss/default-deny, mock-pss/api-from-catalog)\n"
        )
    );
}

#[test]
fn denied_connection_says_which_policies_isolate_and_exits_1() {
    let out = run(&[
        "--from",
        "mock-triage/inventory-8558b97c65-pt44r",
        "--to",
        API,
        "--port",
        "8080/TCP",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("denied: mock-triage/inventory-8558b97c65-pt44r -> "),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "ingress to {API}: denied (selected by mock-pss/default-deny, mock-pss/api-from-catalog; no ingress rule allows mock-triage/inventory-8558b97c65-pt44r on 8080/TCP)"
        )),
        "{stdout}"
    );
}

#[test]
fn json_has_the_verdict_of_each_direction() {
    let out = run(&[
        "--from", CATALOG, "--to", API, "--port", "8080/udp", "--format", "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["protocol"], "UDP");
    assert_eq!(v["port"], 8080);
    assert_eq!(v["egress"]["allowed"], true);
    assert_eq!(v["egress"]["isolated"], false);
    assert_eq!(v["ingress"]["allowed"], false);
    assert_eq!(v["ingress"]["pod"], API);
    assert_eq!(
        v["ingress"]["policies"],
        serde_json::json!(["mock-pss/default-deny", "mock-pss/api-from-catalog"])
    );
    assert_eq!(v["ingress"]["allowed_by"], serde_json::json!([]));
}

#[test]
fn unknown_pod_is_one_line_and_exit_2() {
    let out = run(&["--from", "mock-pss/nope", "--to", API, "--port", "80"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "ckasim: no pod 'mock-pss/nope' in the snapshot files (pods in 'mock-pss': api-"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_port_or_pod_argument_is_one_line_and_exit_2() {
    for args in [
        ["--from", CATALOG, "--to", API, "--port", "80/icmp"],
        ["--from", CATALOG, "--to", API, "--port", "http"],
        ["--from", "catalog", "--to", API, "--port", "80"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("ckasim: "), "{stderr}");
    }
}

const SCENARIO: &str = r#"id = "netsvc"
title = "Policies and Services"
summary = "Open the API to the catalog only; expose the catalog."
domain = "services-networking"
difficulty = "medium"
time_limit = "20m"
namespaces = ["mock-pss", "mock-images"]

[[tasks]]
id = "policy"
title = "API policy"
body = "Only the catalog pods (app=catalog) of mock-images reach the api pods of mock-pss, on 8080; mock-triage does not."

[[tasks]]
id = "service"
title = "Catalog Service"
body = "Service catalog in mock-images, port 80, backed by 2 ready pods."
"#;

const RUBRIC: &str = r#"pass_percent = 66

[[criteria]]
id = "policy"
title = "API policy"
tasks = ["policy"]

[[criteria.checks]]
title = "catalog reaches api on 8080"
points = 2
netpol_allows = { from = { namespace = "mock-images", selector = { app = "catalog" } }, to = { namespace = "mock-pss", selector = { app = "api" } }, port = 8080 }

[[criteria.checks]]
title = "mock-triage does not reach api"
points = 2
netpol_allows = { from = { namespace = "mock-triage", selector = { app = "inventory" } }, to = { namespace = "mock-pss", selector = { app = "api" } }, port = 8080, allowed = false }

[[criteria]]
id = "service"
title = "Catalog Service"
tasks = ["service"]

[[criteria.checks]]
title = "catalog has 2 ready endpoints"
points = 2
target = { kind = "Service", namespace = "mock-images", name = "catalog" }
endpoints = { ready_at_least = 2 }

[[criteria.checks]]
title = "catalog resolves"
points = 2
target = { kind = "Service", namespace = "mock-images", name = "catalog" }
service_resolves = true
"#;

/// `catalog` as the API server stores it, but pointing at a port name the
/// catalog containers do not declare.
const SERVICE: &str = r#"{"apiVersion": "v1", "kind": "Service",
  "metadata": {"name": "catalog", "namespace": "mock-images", "uid": "7d1b6c1e-5a41-4a8e-b0f4-2c1e3d4f5a61"},
  "spec": {"clusterIP": "10.96.4.20", "clusterIPs": ["10.96.4.20"], "type": "ClusterIP",
           "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
           "selector": {"app": "catalog"},
           "ports": [{"port": 80, "protocol": "TCP", "targetPort": "http"}]},
  "status": {"loadBalancer": {}}}"#;

#[test]
fn grade_judges_policy_and_service_checks_from_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("lib/scenarios/netsvc.toml", SCENARIO),
        ("lib/grading/netsvc.toml", RUBRIC),
        ("netpol.yaml", POLICIES),
        ("service.json", SERVICE),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = Command::cargo_bin("ckasim")
        .unwrap()
        .env("CKASIM_HOME", dir.path())
        .arg("--scenarios")
        .arg(dir.path().join("lib"))
        .args(["grade", "netsvc", "--format", "json", "--snapshot"])
        .arg(pods_fixture())
        .arg(dir.path().join("netpol.yaml"))
        .arg(dir.path().join("service.json"))
        .output()
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out.stderr)));
    let checks: Vec<&serde_json::Value> = report["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["checks"].as_array().unwrap())
        .collect();
    let status: Vec<&str> = checks
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["pass", "pass", "fail", "fail"], "{report:#}");
    assert_eq!(report["score"], 4);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        checks[3]["actual"],
        "no ready endpoint: selector app=catalog matches 2 pods: 2 where the target port does not resolve"
    );
    assert_eq!(
        checks[3]["inspect"],
        "kubectl get endpointslices -n mock-images -l kubernetes.io/service-name=catalog -o wide"
    );
}
