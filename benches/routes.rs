//! Ingress, Gateway API, CRD and Helm checks at cluster size: 1 000
//! Ingresses in 100 namespaces, one Gateway with 1 000 `HTTPRoutes` attached,
//! 100 `CRDs` and 1 500 Helm release Secrets (500 releases × 3 revisions, each a
//! gzipped payload decoded at grade time), graded by 10 checks of each kind.

use std::fmt::Write as _;
use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use ckasim::library::{rubric, scenario};
use ckasim::snapshot::Snapshot;

const NAMESPACES: usize = 100;
const PER_NAMESPACE: usize = 10;
const RELEASES_PER_NAMESPACE: usize = 5;
const REVISIONS: usize = 3;

fn ingress(ns: &str, i: usize) -> Value {
    let paths: Vec<Value> = (0..4)
        .map(|p| {
            json!({"path": format!("/svc{p}/v{i}"), "pathType": if p % 2 == 0 { "Prefix" } else { "Exact" },
                   "backend": {"service": {"name": format!("svc-{i}-{p}"), "port": {"number": 8000 + p}}}})
        })
        .collect();
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
           "metadata": {"name": format!("ing-{i}"), "namespace": ns, "labels": {"app": "shop"},
                        "creationTimestamp": format!("2026-11-29T15:{:02}:00Z", i % 60)},
           "spec": {"ingressClassName": "nginx", "rules": [
               {"host": format!("h{i}.{ns}.local"), "http": {"paths": paths}},
               {"host": format!("*.{ns}.local"), "http": {"paths": [{"path": "/", "pathType": "Prefix",
                   "backend": {"service": {"name": "wild", "port": {"number": 80}}}}]}},
               {"http": {"paths": [{"path": "/", "pathType": "Prefix",
                   "backend": {"service": {"name": "any", "port": {"number": 80}}}}]}}]}})
}

fn http_route(ns: &str, i: usize) -> Value {
    let parent = json!({"name": "gw", "namespace": "infra"});
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
           "metadata": {"name": format!("route-{i}"), "namespace": ns,
                        "creationTimestamp": format!("2026-11-29T15:{:02}:00Z", i % 60)},
           "spec": {"parentRefs": [parent], "hostnames": [format!("r{i}.{ns}.example.com")],
                    "rules": [
                        {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                         "backendRefs": [{"name": format!("api-{i}"), "port": 8080}]},
                        {"matches": [{"path": {"type": "PathPrefix", "value": "/api"},
                                      "headers": [{"name": "User-Agent", "value": "mobile"}]}],
                         "backendRefs": [{"name": format!("mobile-{i}"), "port": 8080}]},
                        {"backendRefs": [{"name": "web", "port": 80, "weight": 90},
                                         {"name": "canary", "port": 80, "weight": 10}]}]},
           "status": {"parents": [{"parentRef": parent, "controllerName": "gateway.nginx.org/nginx-gateway-controller",
                                   "conditions": [{"type": "Accepted", "status": "True"},
                                                  {"type": "ResolvedRefs", "status": "True"}]}]}})
}

fn release(ns: &str, name: &str, revision: usize) -> Value {
    let payload = json!({"name": name, "namespace": ns, "version": revision,
        "info": {"status": if revision == REVISIONS { "deployed" } else { "superseded" }},
        "chart": {"metadata": {"name": "nginx", "version": format!("15.{revision}.0"), "appVersion": "1.25.3"},
                  "templates": [{"name": "templates/deployment.yaml", "data": STANDARD.encode("x".repeat(4000))}]},
        "config": {"replicaCount": revision, "service": {"type": "NodePort"}},
        "manifest": "---\n".repeat(200)});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = gz.write_all(payload.to_string().as_bytes());
    let helm = STANDARD.encode(gz.finish().unwrap_or_default());
    json!({"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
           "metadata": {"name": format!("sh.helm.release.v1.{name}.v{revision}"), "namespace": ns,
                        "labels": {"owner": "helm", "name": name, "version": revision.to_string(),
                                   "status": if revision == REVISIONS { "deployed" } else { "superseded" }}},
           "data": {"release": STANDARD.encode(helm)}})
}

fn crd(i: usize) -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": format!("things{i}.example.dev")},
           "spec": {"group": "example.dev", "scope": "Namespaced",
                    "names": {"kind": format!("Thing{i}"), "plural": format!("things{i}")},
                    "versions": [{"name": "v1alpha1", "served": true, "storage": false},
                                 {"name": "v1", "served": true, "storage": true}]},
           "status": {"conditions": [{"type": "Established", "status": "True"}]}})
}

fn cluster() -> Snapshot {
    let mut s = Snapshot::default();
    let mut add = |v: Value| {
        let _ = s.insert(v);
    };
    add(
        json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
               "metadata": {"name": "gw", "namespace": "infra", "generation": 1},
               "spec": {"gatewayClassName": "nginx", "listeners": [
                   {"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}}]}}),
    );
    for n in 0..NAMESPACES {
        let ns = format!("ns-{n}");
        add(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        for i in 0..PER_NAMESPACE {
            add(ingress(&ns, i));
            add(http_route(&ns, n * PER_NAMESPACE + i));
        }
        for r in 0..RELEASES_PER_NAMESPACE {
            for v in 1..=REVISIONS {
                add(release(&ns, &format!("rel-{r}"), v));
            }
        }
        add(crd(n));
    }
    s
}

const SCENARIO: &str = "id = \"t\"\ntitle = \"T\"\nsummary = \"S\"\ndomain = \"storage\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [\"ns-1\"]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n";

fn checks_text(kind: &str) -> String {
    let mut out = String::from(
        "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n",
    );
    for i in 0..10 {
        let n = i * 7 % NAMESPACES;
        let body = match kind {
            "ingress" => format!(
                "target = {{ kind = \"Ingress\", namespace = \"ns-{n}\", selector = \"app=shop\" }}\ningress_route = {{ host = \"h{i}.ns-{n}.local\", path = \"/svc0/v{i}/x\", backend = \"svc-{i}-0:8000\", class = \"nginx\" }}"
            ),
            "gateway" => format!(
                "http_route = {{ gateway = \"infra/gw\", host = \"r{r}.ns-{n}.example.com\", path = \"/api/x\", headers = {{ \"User-Agent\" = \"mobile\" }}, backend = \"mobile-{r}:8080\" }}",
                r = n * PER_NAMESPACE + i % PER_NAMESPACE
            ),
            "helm" => format!(
                "helm_release = {{ name = \"rel-{}\", namespace = \"ns-{n}\", chart = \"nginx\", status = \"deployed\", revision_at_least = 3, values = {{ \"service.type\" = \"NodePort\", replicaCount = 3 }} }}",
                i % RELEASES_PER_NAMESPACE
            ),
            _ => format!(
                "target = {{ kind = \"CustomResourceDefinition\", name = \"things{n}.example.dev\" }}\ncrd = {{ group = \"example.dev\", kind = \"Thing{n}\", served_version = \"v1alpha1\", storage_version = \"v1\" }}"
            ),
        };
        let _ = write!(
            out,
            "[[criteria.checks]]\ntitle = \"{kind}{i}\"\npoints = 1\n{body}\n"
        );
    }
    out
}

fn grading(c: &mut Criterion) {
    let snapshot = cluster();
    let Ok(scenario) = scenario::parse("scenarios/t.toml", SCENARIO, &|_| None) else {
        return;
    };
    for (kind, what) in [
        ("ingress", "10 ingress_route checks over 1000 Ingresses"),
        (
            "gateway",
            "10 http_route checks through a Gateway with 1000 HTTPRoutes",
        ),
        ("helm", "10 helm_release checks among 1500 release Secrets"),
        ("crd", "10 crd checks among 100 CRDs"),
    ] {
        let rubric = match rubric::parse("grading/t.toml", &checks_text(kind), &scenario) {
            Ok(r) => r,
            Err(e) => panic!(
                "{}",
                e.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        };
        let checks: Vec<_> = rubric.criteria.iter().flat_map(|c| &c.checks).collect();
        let passed = checks
            .iter()
            .filter(|k| {
                ckasim::grade::evaluate(k, &snapshot).status == ckasim::report::Status::Pass
            })
            .count();
        assert_eq!(passed, 10, "{kind}: every check passes on this cluster");
        c.bench_function(&format!("routes: grade {what}"), |b| {
            b.iter(|| {
                checks
                    .iter()
                    .map(|k| ckasim::grade::evaluate(k, &snapshot).points)
                    .sum::<u32>()
            });
        });
    }
}

criterion_group!(routes, grading);
criterion_main!(routes);
