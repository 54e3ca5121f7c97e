// JSON builders take owned values as `json!` reads them.
#![allow(clippy::needless_pass_by_value)]

use serde_json::{Value, json};

use super::*;
use crate::evaluator::testing;
use crate::report::Status;

const T0: &str = "2026-11-29T15:40:00Z";

fn condition(kind: &str, status: &str, reason: &str, generation: i64) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": "",
           "observedGeneration": generation, "lastTransitionTime": T0})
}

/// A Gateway as nginx-gateway-fabric leaves it: an HTTP listener for
/// namespaces labelled `gateway-access=true`, an HTTPS one for
/// `*.example.com` from all namespaces, and a TCP one.
fn gateway(status: bool) -> Value {
    let mut gw = json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "gw", "namespace": "infra", "generation": 1, "creationTimestamp": T0,
                     "uid": "2f3e4d5c-6b7a-4988-a7b6-c5d4e3f2a1b0"},
        "spec": {"gatewayClassName": "nginx", "listeners": [
            {"name": "http", "protocol": "HTTP", "port": 80,
             "allowedRoutes": {"namespaces": {"from": "Selector",
                                              "selector": {"matchLabels": {"gateway-access": "true"}}}}},
            {"name": "https-shop", "protocol": "HTTPS", "port": 443, "hostname": "*.example.com",
             "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "shop-tls"}]},
             "allowedRoutes": {"namespaces": {"from": "All"}}},
            {"name": "db", "protocol": "TCP", "port": 9000}]}
    });
    if status {
        gw["status"] = json!({
            "addresses": [{"type": "IPAddress", "value": "172.18.0.240"}],
            "conditions": [condition("Accepted", "True", "Accepted", 1),
                           condition("Programmed", "True", "Programmed", 1)],
            "listeners": [{"name": "http", "attachedRoutes": 1, "conditions": [],
                           "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]}]
        });
    }
    gw
}

fn backend(name: &str, port: i64, weight: Option<i64>) -> Value {
    let mut b = json!({"group": "", "kind": "Service", "name": name, "port": port});
    if let Some(w) = weight {
        b["weight"] = json!(w);
    }
    b
}

fn route(
    ns: &str,
    name: &str,
    created: &str,
    section: Option<&str>,
    hostnames: Value,
    rules: Value,
    resolved: &str,
) -> Value {
    let mut parent = json!({"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gw", "namespace": "infra"});
    if let Some(s) = section {
        parent["sectionName"] = json!(s);
    }
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": ns, "generation": 1, "creationTimestamp": created,
                     "uid": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"},
        "spec": {"parentRefs": [parent], "hostnames": hostnames, "rules": rules},
        "status": {"parents": [{"parentRef": parent,
                                "controllerName": "gateway.nginx.org/nginx-gateway-controller",
                                "conditions": [condition("Accepted", "True", "Accepted", 1),
                                               condition("ResolvedRefs", resolved, if resolved == "True" { "ResolvedRefs" } else { "BackendNotFound" }, 1)]}]}
    })
}

fn namespace(name: &str, access: bool) -> Value {
    let mut labels = json!({"kubernetes.io/metadata.name": name});
    if access {
        labels["gateway-access"] = json!("true");
    }
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels},
           "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
}

fn cluster() -> Snapshot {
    let path = |kind: &str, value: &str| json!({"path": {"type": kind, "value": value}});
    testing::snapshot(&[
        namespace("infra", false),
        namespace("shop", true),
        namespace("other", false),
        gateway(true),
        route(
            "shop",
            "store",
            T0,
            Some("http"),
            json!(["store.example.com"]),
            json!([
                {"matches": [path("PathPrefix", "/api")], "backendRefs": [backend("api", 8080, None)]},
                {"matches": [{"path": {"type": "PathPrefix", "value": "/api"},
                              "headers": [{"type": "Exact", "name": "User-Agent", "value": "mobile"}]}],
                 "backendRefs": [backend("api-mobile", 8080, None)]},
                {"matches": [path("Exact", "/api/health"), {"path": {"type": "PathPrefix", "value": "/"}, "method": "POST"}],
                 "backendRefs": [backend("health", 80, None)]},
                {"backendRefs": [backend("web", 80, Some(90)), backend("web-canary", 80, Some(10)), backend("old", 80, Some(0))]},
            ]),
            "True",
        ),
        route(
            "other",
            "sneaky",
            T0,
            Some("http"),
            json!([]),
            json!([
            {"matches": [path("PathPrefix", "/admin")], "backendRefs": [backend("admin", 80, None)]}]),
            "True",
        ),
        route(
            "shop",
            "broken",
            "2026-11-29T15:45:00Z",
            None,
            json!(["broken.example.com"]),
            json!([
            {"matches": [path("RegularExpression", "/v[0-9]+/.*")], "backendRefs": [backend("missing", 80, None)]}]),
            "False",
        ),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "shop"},
               "spec": {"ports": [{"name": "http", "port": 8080, "targetPort": 8080, "protocol": "TCP"}],
                        "selector": {"app": "api"}, "type": "ClusterIP"}}),
    ])
}

fn check(body: &str) -> crate::report::CheckResult {
    testing::grade(&["shop"], body, &cluster())
}

#[test]
fn the_longest_prefix_then_most_headers_then_exact_path_win() {
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/api/items\", backend = \"api:8080\" }",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "GET store.example.com/api/items through gateway infra/gw served by api:8080, the route Accepted with its refs resolved"
    );
    assert_eq!(
        r.actual,
        "routed to api:8080 by httproute shop/store rule 1 (PathPrefix /api) on listener http"
    );
    assert_eq!(
        r.inspect,
        "kubectl describe gateway gw -n infra; kubectl get httproute -A -o yaml"
    );
    // Header names compare without case; one more header match wins.
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/api\", headers = { \"user-agent\" = \"mobile\" }, backend = \"api:8080\" }",
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "routed to api-mobile:8080 by httproute shop/store rule 2 (PathPrefix /api, header user-agent) on listener http"
    );
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/api/health\", headers = { \"User-Agent\" = \"mobile\" }, backend = \"health:80\" }",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    // The method match ranks above a shorter prefix only where paths tie.
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/cart\", method = \"post\", backend = \"health:80\" }",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    // A port named in the rubric resolves through the Service.
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/api\", backend = \"api:http\" }",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
}

#[test]
fn weighted_backends_are_listed_and_a_zero_weight_gets_nothing() {
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/\", backend = \"web-canary:80\" }",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.actual,
        "routed to web:80 (weight 90 of 100), web-canary:80 (weight 10 of 100), old:80 (weight 0 of 100) by httproute shop/store rule 4 (PathPrefix /) on listener http"
    );
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/\", backend = \"old:80\" }",
    );
    assert_eq!(r.status, Status::Fail);
}

#[test]
fn listeners_admit_routes_by_namespace_section_and_hostname() {
    // `other` lacks the label the HTTP listener selects namespaces by.
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"admin.local\", path = \"/admin\", port = 80, backend = \"admin:80\" }",
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "no HTTPRoute attached to listener http of gateway infra/gw matches GET admin.local/admin; not attached: httproute shop/store: no hostname matches admin.local; httproute other/sneaky: listener http admits routes from Selector namespaces, not from other; httproute shop/broken: no hostname matches admin.local"
    );
    // `store` names the http section: on 443 it is not attached.
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/api\", port = 443, backend = \"api:8080\" }",
    );
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.actual
            .contains("httproute shop/store: its parentRefs name no listener https-shop"),
        "{}",
        r.actual
    );
    let r = check(
        "http_route = { gateway = \"infra/gw\", host = \"store.example.com\", path = \"/api\", port = 8443, backend = \"api:8080\" }",
    );
    assert_eq!(
        r.actual,
        "no HTTP listener of gateway infra/gw takes host store.example.com on port 8443 (listeners: http HTTP *:80, https-shop HTTPS *.example.com:443, db TCP *:9000)"
    );
}

#[test]
fn route_status_must_be_accepted_with_resolved_refs_unless_told_otherwise() {
    // No sectionName: attached to every listener that admits it; port 80 answers first. A whole-path regex.
    let body = "http_route = { gateway = \"infra/gw\", host = \"broken.example.com\", path = \"/v2/items\", backend = \"missing:80\" }";
    let r = check(body);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "routed to missing:80 by httproute shop/broken rule 1 (RegularExpression /v[0-9]+/.*) on listener http; httproute broken status: ResolvedRefs=False (BackendNotFound: )"
    );
    let r = check(&body.replace(" }", ", accepted = false }"));
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    let mut snap = cluster();
    let mut plain = route(
        "shop",
        "bare",
        T0,
        Some("http"),
        json!(["bare.example.com"]),
        json!([{"backendRefs": [backend("web", 80, None)]}]),
        "True",
    );
    plain["status"] = json!({"parents": []});
    snap.insert(plain).unwrap();
    let r = testing::grade(
        &["shop"],
        "http_route = { gateway = \"infra/gw\", host = \"bare.example.com\", path = \"/\", backend = \"web:80\" }",
        &snap,
    );
    assert_eq!(r.status, Status::Fail);
    assert!(r.actual.ends_with("httproute bare has no status for gateway gw: no Gateway controller has processed it (is one installed for its GatewayClass?)"), "{}", r.actual);
}

#[test]
fn gateway_hostnames_follow_the_gateway_api() {
    assert!(hostname_matches("*.example.com", "a.example.com"));
    assert!(hostname_matches("*.example.com", "a.b.example.com"));
    assert!(!hostname_matches("*.example.com", "example.com"));
    assert!(hostname_matches("Store.example.com", "store.example.com"));
    assert!(hostnames_intersect("*.example.com", "store.example.com"));
    assert!(hostnames_intersect("store.example.com", "*.example.com"));
    assert!(hostnames_intersect("*.example.com", "*.shop.example.com"));
    assert!(!hostnames_intersect("*.example.com", "store.example.org"));
}

#[test]
fn gateway_ready_reads_the_controllers_conditions() {
    let target = "target = { kind = \"Gateway\", namespace = \"infra\", name = \"gw\" }\ngateway_ready = true";
    let r = testing::grade(&["infra"], target, &cluster());
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.actual,
        "class nginx: Accepted, Programmed, address 172.18.0.240"
    );
    assert_eq!(
        r.expected,
        "gateway gw in infra: Accepted and Programmed by its controller"
    );
    let r = testing::grade(&["infra"], target, &testing::snapshot(&[gateway(false)]));
    assert_eq!(
        (r.status, r.actual.as_str()),
        (
            Status::Fail,
            "no status: no controller of GatewayClass nginx has processed it"
        )
    );
    let mut stale = gateway(true);
    stale["metadata"]["generation"] = json!(2);
    stale["status"]["conditions"][1] = condition("Programmed", "False", "Invalid", 2);
    let r = testing::grade(&["infra"], target, &testing::snapshot(&[stale]));
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "class nginx: Accepted=True (for an older generation), Programmed=False (Invalid: ), address 172.18.0.240"
    );
}

#[test]
fn misuse_is_located() {
    let err = testing::check(
        &["shop"],
        "http_route = { gateway = \"gw\", host = \"a\", path = \"/\", backend = \"a:1\" }",
    )
    .unwrap_err();
    assert_eq!(
        err,
        ["grading/t.toml:9:26: http_route: gateway 'gw' is not 'namespace/name'"]
    );
    let err = testing::check(&["shop"], "http_route = { gateway = \"a/gw\", host = \"a\", path = \"/\", backend = \"a:1\", port = 0 }").unwrap_err();
    assert!(
        err[0].ends_with("http_route: port 0 is not a port number (1-65535)"),
        "{err:?}"
    );
    let err = testing::check(
        &["shop"],
        "target = { kind = \"Service\", namespace = \"shop\", name = \"a\" }\ngateway_ready = true",
    )
    .unwrap_err();
    assert!(
        err[0].contains("gateway_ready applies to a Gateway, not to a Service"),
        "{err:?}"
    );
}

#[test]
fn unreadable_lists_make_the_check_an_error() {
    let check = testing::check(
        &["shop"],
        "http_route = { gateway = \"infra/gw\", host = \"a.b\", path = \"/\", backend = \"a:1\" }",
    )
    .unwrap();
    testing::assert_reads(
        &check,
        &cluster(),
        &[
            (Kind::Gateway, Some("infra")),
            (Kind::HttpRoute, None),
            (Kind::Namespace, None),
        ],
        (Kind::Gateway, "infra"),
    );
}
