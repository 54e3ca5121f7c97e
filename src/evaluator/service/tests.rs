use serde_json::{Value, json};

use super::*;
use crate::evaluator::testing;
use crate::report::Status;

/// The `cka-security-mock` objects as a real cluster reported them, plus
/// Services as the API server stores them: `catalog` in mock-images (two
/// ready pods, container port 80), `api` in mock-pss (two ready pods of the
/// new ReplicaSet on 8080, two terminating) with the `EndpointSlice` its
/// controller writes, and `broken` whose target port names no container port.
fn cluster() -> Snapshot {
    let mut objects = crate::evaluator::testing::real_solved("cka-security-mock");
    let service = |ns: &str, name: &str, app: &str, target: Value| {
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": name, "namespace": ns, "uid": "7d1b6c1e-5a41-4a8e-b0f4-2c1e3d4f5a61"},
               "spec": {"clusterIP": "10.96.4.20", "clusterIPs": ["10.96.4.20"], "type": "ClusterIP",
                        "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
                        "selector": {"app": app},
                        "ports": [{"port": 80, "protocol": "TCP", "targetPort": target}]},
               "status": {"loadBalancer": {}}})
    };
    objects.push(service("mock-images", "catalog", "catalog", json!(80)));
    objects.push(service("mock-images", "broken", "catalog", json!("http")));
    objects.push(service("mock-pss", "api", "api", json!(8080)));
    let endpoint = |ip: &str, pod: &str, ready: bool| {
        json!({"addresses": [ip], "nodeName": "cka-worker",
               "conditions": {"ready": ready, "serving": true, "terminating": !ready},
               "targetRef": {"kind": "Pod", "name": pod, "namespace": "mock-pss", "uid": "0f5e2f4c-1a7b-4c0e-9d1e-6b2a3c4d5e6f"}})
    };
    objects.push(json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
        "metadata": {"name": "api-7xk2p", "namespace": "mock-pss", "generateName": "api-",
                     "labels": {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                                "kubernetes.io/service-name": "api"}},
        "endpoints": [endpoint("10.244.1.241", "api-76897f9bb6-p4sbn", false),
                      endpoint("10.244.1.11", "api-798c4f66b-hgzvh", true),
                      endpoint("10.244.1.7", "api-798c4f66b-tjng6", true)],
        "ports": [{"name": "", "port": 8080, "protocol": "TCP"}]
    }));
    testing::snapshot(&objects)
}

const OWNED: &[&str] = &["mock-pss", "mock-images"];

fn svc(ns: &str, name: &str) -> String {
    format!("target = {{ kind = \"Service\", namespace = \"{ns}\", name = \"{name}\" }}\n")
}

#[test]
fn ready_endpoints_are_counted_from_the_endpoint_slices() {
    let body = format!(
        "{}endpoints = {{ ready_at_least = 2, port = 8080 }}",
        svc("mock-pss", "api")
    );
    let r = testing::grade(OWNED, &body, &cluster());
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "service api in mock-pss: at least 2 ready endpoints, every ready endpoint on port 8080"
    );
    assert_eq!(
        r.actual,
        "2 ready endpoints: api-798c4f66b-hgzvh (10.244.1.11:8080), api-798c4f66b-tjng6 (10.244.1.7:8080)"
    );
    assert_eq!(
        r.inspect,
        "kubectl get endpointslices -n mock-pss -l kubernetes.io/service-name=api -o wide"
    );
    let three = format!(
        "{}endpoints = {{ ready_at_least = 3 }}",
        svc("mock-pss", "api")
    );
    assert_eq!(
        testing::grade(OWNED, &three, &cluster()).status,
        Status::Fail
    );
}

#[test]
fn the_wrong_port_fails_and_says_where_the_endpoints_are() {
    let body = format!("{}endpoints = {{ port = 80 }}", svc("mock-pss", "api"));
    let r = testing::grade(OWNED, &body, &cluster());
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.actual.ends_with("; not on the expected port: api-798c4f66b-hgzvh on port 8080, api-798c4f66b-tjng6 on port 8080"),
        "{}",
        r.actual
    );
}

#[test]
fn without_slices_endpoints_are_computed_from_the_pods() {
    let body = format!(
        "{}endpoints = {{ ready_at_least = 2, ready_at_most = 2 }}",
        svc("mock-images", "catalog")
    );
    let r = testing::grade(OWNED, &body, &cluster());
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "service catalog in mock-images: exactly 2 ready endpoints"
    );
}

#[test]
fn service_resolves_says_why_not() {
    let body = format!("{}service_resolves = true", svc("mock-images", "broken"));
    let r = testing::grade(OWNED, &body, &cluster());
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.expected,
        "service broken in mock-images: reaches at least one ready endpoint"
    );
    assert_eq!(
        r.actual,
        "no ready endpoint: selector app=catalog matches 2 pods: 2 where the target port does not resolve"
    );
    let body = format!("{}service_resolves = false", svc("mock-images", "broken"));
    assert_eq!(
        testing::grade(OWNED, &body, &cluster()).status,
        Status::Pass
    );
    let body = format!("{}service_resolves = true", svc("mock-pss", "api"));
    assert_eq!(
        testing::grade(OWNED, &body, &cluster()).status,
        Status::Pass
    );
}

#[test]
fn what_it_reads_is_the_namespace_pods_and_slices() {
    let body = format!("{}service_resolves = true", svc("mock-pss", "api"));
    let check = testing::check(OWNED, &body).unwrap();
    testing::assert_reads(
        &check,
        &cluster(),
        &[
            (Kind::Service, Some("mock-pss")),
            (Kind::Pod, Some("mock-pss")),
            (Kind::EndpointSlice, Some("mock-pss")),
        ],
        (Kind::EndpointSlice, "mock-pss"),
    );
}

#[test]
fn misuse_is_located_at_the_value() {
    let err = |body: &str| testing::check(OWNED, body).unwrap_err();
    let target = svc("mock-pss", "api");
    assert_eq!(
        err(&format!("{target}endpoints = {{}}")),
        [
            "grading/t.toml:10:13: endpoints needs at least one of ready_at_least, ready_at_most, port"
        ]
    );
    assert_eq!(
        err(&format!("{target}endpoints = {{ ready_at_least = -1 }}")),
        ["grading/t.toml:10:32: endpoints: ready_at_least must be 0 or more"]
    );
    assert_eq!(
        err(&format!(
            "{target}endpoints = {{ ready_at_least = 3, ready_at_most = 2 }}"
        )),
        ["grading/t.toml:10:51: endpoints: ready_at_most (2) is below ready_at_least (3)"]
    );
    assert_eq!(
        err(&format!("{target}endpoints = {{ port = 0 }}")),
        ["grading/t.toml:10:22: endpoints: port 0 is not a port number (1-65535)"]
    );
    let typo = err(&format!("{target}endpoints = {{ ready = 2 }}"));
    assert!(
        typo[0].starts_with("grading/t.toml:10:15: endpoints: unknown field `ready`"),
        "{typo:?}"
    );
    let not_bool = err(&format!("{target}service_resolves = \"yes\""));
    assert!(
        not_bool[0].starts_with("grading/t.toml:10:20: service_resolves: invalid type"),
        "{not_bool:?}"
    );
    assert_eq!(
        err(
            "target = { kind = \"Pod\", namespace = \"mock-pss\", name = \"a\" }\nendpoints = { ready_at_least = 1 }"
        ),
        ["grading/t.toml:9:10: check 'k': endpoints applies to a Service, not to a Pod"]
    );
    assert_eq!(
        err("service_resolves = true"),
        ["grading/t.toml:6:1: check 'k' has no target"]
    );
}

/// The examples of docs/rubrics.md for these checks load as written.
#[test]
fn the_reference_examples_load() {
    let doc = include_str!("../../../docs/rubrics.md");
    let scenario = "id = \"t\"\ntitle = \"T\"\nsummary = \"S\"\ndomain = \"storage\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [\"shop\", \"tools\"]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n";
    let scenario =
        crate::library::scenario::parse("scenarios/t.toml", scenario, &|_| None).unwrap();
    let mut loaded = 0;
    for heading in [
        "### NetworkPolicy: `netpol_allows`",
        "### Services: `endpoints`",
    ] {
        let section = &doc[doc.find(heading).unwrap()..];
        let start = section.find("```toml\n").unwrap() + "```toml\n".len();
        let block = &section[start..start + section[start..].find("```").unwrap()];
        let rubric = format!(
            "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n{block}"
        );
        let r = crate::library::rubric::parse("grading/t.toml", &rubric, &scenario).unwrap_or_else(
            |e| {
                panic!(
                    "{heading}: {:?}",
                    e.iter().map(ToString::to_string).collect::<Vec<_>>()
                )
            },
        );
        loaded += r.criteria[0].checks.len();
    }
    assert_eq!(loaded, 4);
}
