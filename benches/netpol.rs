//! `NetworkPolicy` verdicts and Service endpoints at cluster scale: 5 000
//! pods in 50 namespaces, 500 `NetworkPolicies`, 1 000 questions; 500
//! Services over the same pods.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use ckasim::netpol::{Network, Pod, Protocol};
use ckasim::service::Services;
use ckasim::snapshot::Snapshot;

const NAMESPACES: usize = 50;
const PODS_PER_NAMESPACE: usize = 100;
const POLICIES_PER_NAMESPACE: usize = 10;
const QUESTIONS: usize = 1_000;

/// A deterministic pseudo-random sequence (no dependency, same numbers every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below
    }
}

fn cluster() -> Vec<Value> {
    let mut objects = Vec::new();
    for n in 0..NAMESPACES {
        let ns = format!("team-{n}");
        objects.push(json!({"kind": "Namespace", "metadata": {"name": ns,
            "labels": {"kubernetes.io/metadata.name": ns, "tier": if n % 2 == 0 { "front" } else { "back" }}}}));
        for p in 0..PODS_PER_NAMESPACE {
            objects.push(json!({
                "kind": "Pod",
                "metadata": {"name": format!("pod-{p}"), "namespace": ns,
                             "labels": {"app": format!("app-{}", p % 10), "role": if p % 3 == 0 { "db" } else { "web" }}},
                "spec": {"containers": [{"name": "c", "ports": [
                    {"name": "http", "containerPort": 8080}, {"name": "dns", "containerPort": 53, "protocol": "UDP"}]}]},
                "status": {"phase": "Running", "podIP": format!("10.{n}.{}.{}", p / 250, p % 250 + 1),
                           "conditions": [{"type": "Ready", "status": "True"}]}
            }));
        }
        for k in 0..POLICIES_PER_NAMESPACE {
            let spec = match k % 5 {
                0 => json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
                1 => {
                    json!({"podSelector": {"matchLabels": {"app": format!("app-{k}")}}, "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "web"}}}], "ports": [{"port": "http"}]}]})
                }
                2 => {
                    json!({"podSelector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["db"]}]},
                    "policyTypes": ["Ingress"], "ingress": [{"from": [
                        {"namespaceSelector": {"matchLabels": {"tier": "front"}}, "podSelector": {"matchLabels": {"role": "web"}}}],
                        "ports": [{"port": 8000, "endPort": 9000}]}]})
                }
                3 => json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [
                    {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
                    {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": [format!("10.{n}.0.0/16")]}}]}]}),
                _ => {
                    json!({"podSelector": {"matchLabels": {"role": "web"}}, "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"namespaceSelector": {}}]}]})
                }
            };
            objects.push(json!({"kind": "NetworkPolicy",
                "metadata": {"name": format!("policy-{k}"), "namespace": ns}, "spec": spec}));
        }
        for s in 0..10 {
            objects.push(json!({"kind": "Service",
                "metadata": {"name": format!("svc-{s}"), "namespace": ns},
                "spec": {"selector": {"app": format!("app-{s}")},
                         "ports": [{"port": 80, "targetPort": if s % 2 == 0 { json!("http") } else { json!(8080) }}]}}));
        }
    }
    objects
}

fn benches(c: &mut Criterion) {
    let objects = cluster();
    let pods: Vec<Pod> = objects
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .filter_map(Pod::from_object)
        .collect();
    let mut rng = Lcg(7);
    let questions: Vec<(usize, usize, u16, Protocol)> = (0..QUESTIONS)
        .map(|_| {
            let port = [
                (8080, Protocol::Tcp),
                (53, Protocol::Udp),
                (8500, Protocol::Tcp),
            ][rng.next(3)];
            (rng.next(pods.len()), rng.next(pods.len()), port.0, port.1)
        })
        .collect();
    let net = Network::new(&objects);
    let allowed = questions
        .iter()
        .filter(|(f, t, p, proto)| net.allows(&pods[*f], &pods[*t], *p, *proto).allowed)
        .count();
    eprintln!("{allowed} of {QUESTIONS} questions allowed");

    c.bench_function("netpol: index 500 policies + 50 namespaces", |b| {
        b.iter(|| Network::new(&objects));
    });
    c.bench_function("netpol: read 5 000 pods", |b| {
        b.iter(|| {
            objects
                .iter()
                .filter(|o| o["kind"] == "Pod")
                .filter_map(Pod::from_object)
                .count()
        });
    });
    c.bench_function("netpol: 1 000 questions (500 policies, 5 000 pods)", |b| {
        b.iter(|| {
            questions
                .iter()
                .filter(|(f, t, p, proto)| net.allows(&pods[*f], &pods[*t], *p, *proto).allowed)
                .count()
        });
    });
    grading(c, &objects);
    let services: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Service").collect();
    c.bench_function(
        "service: endpoints of 500 Services over 5 000 pods (with index)",
        |b| {
            b.iter(|| {
                let index = Services::new(&objects);
                services
                    .iter()
                    .map(|s| index.endpoints(s).ready().len())
                    .sum::<usize>()
            });
        },
    );
}

/// A rubric's `netpol_allows` (100 × 100 pod pairs), `endpoints` and
/// `service_resolves` checks graded on a snapshot of the whole cluster, as
/// `ckasim grade` grades them once the lists are read.
fn grading(c: &mut Criterion, objects: &[Value]) {
    let mut snapshot = Snapshot::default();
    for o in objects {
        let _ = snapshot.insert(o.clone());
    }
    let scenario = "id = \"b\"\ntitle = \"B\"\nsummary = \"S\"\ndomain = \"services-networking\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [\"team-0\", \"team-1\"]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n";
    let Ok(scenario) = ckasim::library::scenario::parse("scenarios/b.toml", scenario, &|_| None)
    else {
        return;
    };
    let rubric = r#"pass_percent = 66
[[criteria]]
id = "c"
title = "C"
tasks = ["a"]
[[criteria.checks]]
title = "web of team-0 reaches every pod of team-1 on 8080"
points = 1
netpol_allows = { from = { namespace = "team-0", selector = { role = "web" } }, to = { namespace = "team-1", selector = { app = "app-1" } }, port = 8080 }
[[criteria.checks]]
title = "svc-1 has 10 ready endpoints"
points = 1
target = { kind = "Service", namespace = "team-1", name = "svc-1" }
endpoints = { ready_at_least = 10, port = 8080 }
[[criteria.checks]]
title = "svc-2 resolves"
points = 1
target = { kind = "Service", namespace = "team-1", name = "svc-2" }
service_resolves = true
"#;
    let Ok(rubric) = ckasim::library::rubric::parse("grading/b.toml", rubric, &scenario) else {
        return;
    };
    let checks: Vec<_> = rubric.criteria.iter().flat_map(|c| &c.checks).collect();
    for check in &checks {
        let r = ckasim::grade::evaluate(check, &snapshot);
        eprintln!("{}: {:?} ({})", check.title, r.status, r.actual);
    }
    c.bench_function(
        "grade netpol_allows + endpoints + service_resolves (5 000 pods)",
        |b| {
            b.iter(|| {
                checks
                    .iter()
                    .map(|check| ckasim::grade::evaluate(check, &snapshot).points)
                    .sum::<u32>()
            });
        },
    );
}

criterion_group!(netpol, benches);
criterion_main!(netpol);
