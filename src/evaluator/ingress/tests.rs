// JSON builders take owned values as `json!` reads them.
#![allow(clippy::needless_pass_by_value)]

use serde_json::{Value, json};

use super::*;
use crate::evaluator::testing;
use crate::report::Status;

fn meta(ns: &str, name: &str, created: &str) -> Value {
    json!({"name": name, "namespace": ns, "uid": "3c8b1f2e-6d4a-4f7e-9a1b-2c3d4e5f6a7b",
           "resourceVersion": "48213", "generation": 1, "creationTimestamp": created})
}

fn path(p: &str, t: &str, svc: &str, port: Value) -> Value {
    let port = if port.is_string() {
        json!({"name": port})
    } else {
        json!({"number": port})
    };
    json!({"path": p, "pathType": t, "backend": {"service": {"name": svc, "port": port}}})
}

/// An Ingress as the API server stores it, with the status ingress-nginx writes.
fn ingress(name: &str, created: &str, class: Option<&str>, rules: Value) -> Value {
    let mut spec = json!({"rules": rules});
    if let Some(c) = class {
        spec["ingressClassName"] = json!(c);
    }
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": meta("shop", name, created), "spec": spec,
           "status": {"loadBalancer": {"ingress": [{"hostname": "localhost"}]}}})
}

fn service(name: &str, ports: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": meta("shop", name, "2026-11-29T15:00:00Z"),
           "spec": {"type": "ClusterIP", "clusterIP": "10.96.33.7", "clusterIPs": ["10.96.33.7"],
                    "selector": {"app": name}, "ports": ports, "sessionAffinity": "None"},
           "status": {"loadBalancer": {}}})
}

fn class(name: &str, default: bool) -> Value {
    let mut m = json!({"name": name, "uid": "5d1f0b7a-2e3c-4b5d-8e9f-0a1b2c3d4e5f",
                       "labels": {"app.kubernetes.io/name": "ingress-nginx"}});
    if default {
        m["annotations"] = json!({DEFAULT_CLASS_ANNOTATION: "true"});
    }
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": m,
           "spec": {"controller": "k8s.io/ingress-nginx"}})
}

/// One host, two Prefix paths and an Exact one, a wildcard rule, a catch-all
/// rule, and a second Ingress of the same class; Services with named ports.
fn cluster() -> Snapshot {
    testing::snapshot(&[
        ingress(
            "web",
            "2026-11-29T15:10:00Z",
            Some("nginx"),
            json!([
                {"host": "shop.local", "http": {"paths": [
                    path("/", "Prefix", "web", json!(80)),
                    path("/api", "Prefix", "api", json!(8080)),
                    path("/api/v2", "Exact", "api-v2", json!("http")),
                ]}},
                {"host": "*.shop.local", "http": {"paths": [path("/", "Prefix", "tenant", json!(80))]}},
                {"http": {"paths": [path("/status", "ImplementationSpecific", "status", json!(80))]}},
            ]),
        ),
        ingress(
            "admin",
            "2026-11-29T15:20:00Z",
            None,
            json!([{"host": "shop.local", "http": {"paths": [
                path("/admin/", "Prefix", "admin", json!(9000)),
            ]}}]),
        ),
        service(
            "api",
            json!([{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": 8080}]),
        ),
        service(
            "api-v2",
            json!([{"name": "http", "port": 8081, "protocol": "TCP", "targetPort": 8080}]),
        ),
        service(
            "web",
            json!([{"name": "web", "port": 80, "protocol": "TCP", "targetPort": 80}]),
        ),
        class("nginx", true),
        class("traefik", false),
    ])
}

fn routed(host: &str, p: &str) -> String {
    let snap = cluster();
    let all: Vec<&Object> = snap.list(Kind::Ingress, Some("shop")).collect();
    match route(&all, host, p) {
        Some(r) => format!(
            "{} by {}",
            r.backend.map_or_else(|| "-".into(), |b| b.to_string()),
            r.by
        ),
        None => "none".into(),
    }
}

#[test]
fn prefix_paths_match_by_element_and_the_longest_wins() {
    assert_eq!(
        routed("shop.local", "/api"),
        "api:8080 by ingress web: host shop.local, path /api (Prefix)"
    );
    assert!(routed("shop.local", "/api/").starts_with("api:8080 "));
    assert!(routed("shop.local", "/api/v1/items").starts_with("api:8080 "));
    // `/api` does not match `/apis`: elements, not characters.
    assert!(routed("shop.local", "/apis").starts_with("web:80 "));
    // A trailing slash in the rule is ignored.
    assert!(routed("shop.local", "/admin").starts_with("admin:9000 "));
    assert!(routed("shop.local", "/admin/users").starts_with("admin:9000 "));
}

#[test]
fn exact_matches_only_the_whole_path() {
    assert_eq!(
        routed("shop.local", "/api/v2"),
        "api-v2:http by ingress web: host shop.local, path /api/v2 (Exact)"
    );
    assert!(routed("shop.local", "/api/v2/").starts_with("api:8080 "));
    assert!(routed("shop.local", "/api/v2/x").starts_with("api:8080 "));
}

#[test]
fn exact_beats_prefix_of_the_same_length() {
    let ing = ingress(
        "tie",
        "2026-11-29T15:10:00Z",
        None,
        json!([{"http": {"paths": [
            path("/foo", "Prefix", "prefix", json!(80)),
            path("/foo", "Exact", "exact", json!(80)),
        ]}}]),
    );
    let snap = testing::snapshot(&[ing]);
    let all: Vec<&Object> = snap.list(Kind::Ingress, None).collect();
    let r = route(&all, "x.local", "/foo").unwrap();
    assert_eq!(r.backend.unwrap().service, "exact");
    let r = route(&all, "x.local", "/foo/bar").unwrap();
    assert_eq!(r.backend.unwrap().service, "prefix");
}

#[test]
fn wildcard_hosts_match_one_label_and_rank_below_exact_hosts() {
    assert!(
        routed("eu.shop.local", "/x").starts_with("tenant:80 by ingress web: host *.shop.local")
    );
    // Two labels: not the wildcard; the rule without host takes it.
    assert_eq!(
        routed("a.eu.shop.local", "/status/db"),
        "status:80 by ingress web: any host, path /status (ImplementationSpecific, read as Prefix)"
    );
    assert_eq!(
        routed("shop.local", "/status").split(' ').next(),
        Some("web:80")
    );
    assert_eq!(routed("other.local", "/nothing"), "none");
    // Host names compare without case.
    assert!(routed("SHOP.local", "/api").starts_with("api:8080 "));
}

#[test]
fn the_default_backend_serves_what_no_rule_matches() {
    let mut ing = ingress(
        "fallback",
        "2026-11-29T15:10:00Z",
        None,
        json!([{"host": "a.local", "http": {"paths": [path("/a", "Exact", "a", json!(80))]}}]),
    );
    ing["spec"]["defaultBackend"] = json!({"service": {"name": "catch", "port": {"number": 8000}}});
    let snap = testing::snapshot(&[ing]);
    let all: Vec<&Object> = snap.list(Kind::Ingress, None).collect();
    let r = route(&all, "a.local", "/b").unwrap();
    assert_eq!(r.backend.unwrap().to_string(), "catch:8000");
    assert_eq!(r.by, "ingress fallback: defaultBackend");
}

#[test]
fn element_prefix_follows_the_ingress_table() {
    // The examples of the Ingress documentation's table.
    assert!(element_prefix("/", "/aaa/bbb"));
    assert!(element_prefix("/foo", "/foo"));
    assert!(element_prefix("/foo/", "/foo"));
    assert!(element_prefix("/foo", "/foo/"));
    assert!(!element_prefix("/aaa/bb", "/aaa/bbb"));
    assert!(element_prefix("/aaa/bbb", "/aaa/bbb/ccc"));
    assert!(!element_prefix("/aaa/bbb/", "/aaa/bbbxyz"));
}

fn target(name: &str) -> String {
    format!("target = {{ kind = \"Ingress\", namespace = \"shop\", name = \"{name}\" }}\n")
}

#[test]
fn a_rubric_check_names_the_rule_that_serves() {
    let body = format!(
        "{}ingress_route = {{ host = \"shop.local\", path = \"/api\", backend = \"api:8080\", class = \"nginx\" }}",
        target("web")
    );
    let r = testing::grade(&["shop"], &body, &cluster());
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "ingress web in shop (class nginx): http://shop.local/api served by api:8080"
    );
    assert_eq!(
        r.actual,
        "routed to api:8080 by ingress web: host shop.local, path /api (Prefix)"
    );
    assert_eq!(
        r.inspect,
        "kubectl describe ingress web -n shop; kubectl get ingressclass"
    );
    let body = format!(
        "{}ingress_route = {{ host = \"shop.local\", path = \"/apis\", backend = \"api:8080\" }}",
        target("web")
    );
    let r = testing::grade(&["shop"], &body, &cluster());
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "routed to web:80 by ingress web: host shop.local, path / (Prefix)"
    );
}

#[test]
fn a_port_named_on_one_side_resolves_through_the_service() {
    let body = format!(
        "{}ingress_route = {{ host = \"shop.local\", path = \"/api/v2\", backend = \"api-v2:8081\", service_exists = true }}",
        target("web")
    );
    let r = testing::grade(&["shop"], &body, &cluster());
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    let body = format!(
        "{}ingress_route = {{ host = \"shop.local\", path = \"/api/v2\", backend = \"api-v2:8080\" }}",
        target("web")
    );
    assert_eq!(
        testing::grade(&["shop"], &body, &cluster()).status,
        Status::Fail
    );
}

#[test]
fn a_missing_service_or_port_fails_service_exists() {
    let body = format!(
        "{}ingress_route = {{ host = \"eu.shop.local\", path = \"/\", backend = \"tenant:80\", service_exists = true }}",
        target("web")
    );
    let r = testing::grade(&["shop"], &body, &cluster());
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.actual.ends_with("; service tenant does not exist"),
        "{}",
        r.actual
    );
}

#[test]
fn the_class_comes_from_the_default_ingress_class_when_unset() {
    // `admin` names no class: the default class nginx serves it.
    let body = format!(
        "{}ingress_route = {{ host = \"shop.local\", path = \"/admin\", backend = \"admin:9000\", class = \"nginx\" }}",
        target("admin")
    );
    let r = testing::grade(&["shop"], &body, &cluster());
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    let body = format!(
        "{}ingress_route = {{ host = \"shop.local\", path = \"/admin\", backend = \"admin:9000\", class = \"traefik\" }}",
        target("admin")
    );
    let r = testing::grade(&["shop"], &body, &cluster());
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "no rule of 0 ingresses serves shop.local/admin and none has a defaultBackend; not served by traefik: ingress admin is of class nginx (default class)"
    );
}

#[test]
fn bad_values_are_located() {
    let err = testing::check(
        &["shop"],
        &format!(
            "{}ingress_route = {{ host = \"*.shop.local\", path = \"/\", backend = \"a:80\" }}",
            target("web")
        ),
    )
    .unwrap_err();
    assert_eq!(
        err,
        [
            "grading/t.toml:10:26: ingress_route: host '*.shop.local' is not a host name a client would send (no '*', no port)"
        ]
    );
    let err = testing::check(
        &["shop"],
        &format!(
            "{}ingress_route = {{ host = \"a\", path = \"api\", backend = \"a:80\" }}",
            target("web")
        ),
    )
    .unwrap_err();
    assert!(err[0].starts_with("grading/t.toml:10:"), "{err:?}");
    let err = testing::check(
        &["shop"],
        &format!(
            "{}ingress_route = {{ host = \"a\", path = \"/\", backend = \"api\" }}",
            target("web")
        ),
    )
    .unwrap_err();
    assert!(
        err[0].ends_with("ingress_route: backend 'api' is not 'service:port'"),
        "{err:?}"
    );
    let err = testing::check(
        &["shop"],
        "target = { kind = \"Service\", namespace = \"shop\", name = \"web\" }\ningress_route = { host = \"a\", path = \"/\", backend = \"a:1\" }",
    )
    .unwrap_err();
    assert!(
        err[0].contains("ingress_route applies to an Ingress, not to a Service"),
        "{err:?}"
    );
}

#[test]
fn unreadable_services_make_the_check_an_error() {
    let check = testing::check(
        &["shop"],
        &format!(
            "{}ingress_route = {{ host = \"shop.local\", path = \"/\", backend = \"web:80\", class = \"nginx\" }}",
            target("web")
        ),
    )
    .unwrap();
    testing::assert_reads(
        &check,
        &cluster(),
        &[(Kind::Service, Some("shop")), (Kind::IngressClass, None)],
        (Kind::Service, "shop"),
    );
}

/// The examples of docs/rubrics.md for the Ingress, Gateway API, CRD and Helm
/// checks load as written.
#[test]
fn the_reference_examples_load() {
    let headings = [
        "### Ingress: `ingress_route`",
        "### Gateway API: `http_route`",
        "### CRDs and custom objects: `crd`",
        "### Helm releases: `helm_release`",
    ];
    assert_eq!(
        testing::reference_examples(&headings, &["shop", "logistics"]),
        6
    );
}
