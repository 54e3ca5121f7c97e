//! `NetworkPolicy` conformance in the style of the upstream e2e truth tables
//! (`test/e2e/network/netpol`, cyclonus): namespaces x, y, z with pods a, b,
//! c each; for every case the expected reachability of every pod pair
//! ("x/a → y/b on port P") is written as upstream writes it — a default,
//! then the pairs that differ — and compared with the evaluator's verdict
//! on all 72 pairs (loopback ignored, as upstream does).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]
#![allow(
    clippy::needless_pass_by_value,
    reason = "the cases read as literal policies passed by value"
)]

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use ckasim::netpol::{Network, Pod, Protocol};

const NAMESPACES: [&str; 3] = ["x", "y", "z"];
const PODS: [&str; 3] = ["a", "b", "c"];

/// The cluster model: namespace labels `ns=<name>` (and `team=blue` on y
/// and z); pod labels `pod=<name>`; dual-stack IPs 192.168.<n>.<m> and
/// fd00:0:0:<n>::<m>; container ports 80, 81 (TCP, UDP, SCTP, named
/// `serve-<port>-<proto>`), 53 UDP/TCP (`dns`, `dns-tcp`), and a port named
/// `web` which is 80 in x and y but 81 in z.
fn cluster() -> Vec<Value> {
    let mut objects = Vec::new();
    for (n, ns) in NAMESPACES.iter().enumerate() {
        let mut labels = json!({"kubernetes.io/metadata.name": ns, "ns": ns});
        if *ns != "x" {
            labels["team"] = json!("blue");
        }
        objects.push(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "labels": labels}
        }));
        for (m, pod) in PODS.iter().enumerate() {
            let mut ports = Vec::new();
            for port in [80, 81] {
                for proto in ["TCP", "UDP", "SCTP"] {
                    ports.push(json!({
                        "name": format!("serve-{port}-{}", proto.to_lowercase()),
                        "containerPort": port, "protocol": proto
                    }));
                }
            }
            ports.push(json!({"name": "dns", "containerPort": 53, "protocol": "UDP"}));
            ports.push(json!({"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}));
            let web = json!([{"name": "web", "containerPort": if *ns == "z" { 81 } else { 80 }}]);
            objects.push(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": pod, "namespace": ns, "labels": {"pod": pod}},
                "spec": {"containers": [
                    {"name": "cont", "image": "agnhost", "ports": ports},
                    {"name": "web", "image": "nginx", "ports": web}
                ]},
                "status": {
                    "phase": "Running",
                    "podIP": format!("192.168.{}.{}", n + 1, m + 1),
                    "podIPs": [
                        {"ip": format!("192.168.{}.{}", n + 1, m + 1)},
                        {"ip": format!("fd00:0:0:{}::{}", n + 1, m + 1)}
                    ]
                }
            }));
        }
    }
    objects
}

fn policy(namespace: &str, name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec
    })
}

fn all_pods() -> Vec<String> {
    NAMESPACES
        .iter()
        .flat_map(|ns| PODS.iter().map(move |p| format!("{ns}/{p}")))
        .collect()
}

/// `ns/pod` with `*` for any namespace or pod.
fn covers(pattern: &str, pod: &str) -> bool {
    let (pn, pp) = pattern.split_once('/').unwrap();
    let (n, p) = pod.split_once('/').unwrap();
    (pn == "*" || pn == n) && (pp == "*" || pp == p)
}

/// Expected connectivity, built as upstream's `Reachability` is.
struct Reachability {
    expected: HashMap<(String, String), bool>,
}

impl Reachability {
    fn new(default: bool) -> Self {
        let mut expected = HashMap::new();
        for from in all_pods() {
            for to in all_pods() {
                expected.insert((from.clone(), to), default);
            }
        }
        Reachability { expected }
    }

    /// Every pair from a pod matching `from` to a pod matching `to`.
    fn peer(&mut self, from: &str, to: &str, allowed: bool) -> &mut Self {
        for ((f, t), v) in &mut self.expected {
            if covers(from, f) && covers(to, t) {
                *v = allowed;
            }
        }
        self
    }
}

struct Case {
    name: &'static str,
    policies: Vec<Value>,
    port: u16,
    protocol: Protocol,
    expect: Reachability,
}

/// A case on TCP: everything reachable but the pairs `edits` name.
fn case(name: &'static str, policies: Vec<Value>, port: u16, edits: &[(&str, &str, bool)]) -> Case {
    let mut expect = Reachability::new(true);
    for (from, to, allowed) in edits {
        expect.peer(from, to, *allowed);
    }
    Case {
        name,
        policies,
        port,
        protocol: Protocol::Tcp,
        expect,
    }
}

fn deny_all_ingress(ns: &str) -> Value {
    policy(
        ns,
        "deny-all-ingress",
        json!({"podSelector": {}, "policyTypes": ["Ingress"]}),
    )
}

fn deny_all_egress(ns: &str) -> Value {
    policy(
        ns,
        "deny-all-egress",
        json!({"podSelector": {}, "policyTypes": ["Egress"]}),
    )
}

/// A policy on x/a allowing ingress from `from` (a list of peers) on `ports`.
fn x_a_ingress(name: &str, from: Value, ports: Option<Value>) -> Value {
    let mut rule = json!({"from": from});
    if let Some(p) = ports {
        rule["ports"] = p;
    }
    policy(
        "x",
        name,
        json!({"podSelector": {"matchLabels": {"pod": "a"}}, "policyTypes": ["Ingress"], "ingress": [rule]}),
    )
}

/// A policy on x/a allowing ingress from every namespace on `ports` only.
fn x_a_ports(name: &str, ports: Value) -> Value {
    x_a_ingress(name, json!([{"namespaceSelector": {}}]), Some(ports))
}

fn cases() -> Vec<Case> {
    let ns_not_x = json!({"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["x"]}
    ]});
    let udp = |mut c: Case| {
        c.protocol = Protocol::Udp;
        c
    };
    let sctp = |mut c: Case| {
        c.protocol = Protocol::Sctp;
        c
    };
    let dns_egress = policy(
        "x",
        "allow-dns",
        json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [
            {"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}
        ]}]}),
    );
    vec![
        case("no policies: everything allowed", vec![], 80, &[]),
        case(
            "default-deny-ingress in x",
            vec![deny_all_ingress("x")],
            80,
            &[("*/*", "x/*", false)],
        ),
        case(
            "default-deny-egress in x",
            vec![deny_all_egress("x")],
            80,
            &[("x/*", "*/*", false)],
        ),
        case(
            "default-deny-all (ingress and egress) in x",
            vec![policy(
                "x",
                "deny-all",
                json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
            )],
            80,
            &[("*/*", "x/*", false), ("x/*", "*/*", false)],
        ),
        case(
            "allow-all ingress beside default-deny-ingress",
            vec![
                deny_all_ingress("x"),
                policy(
                    "x",
                    "allow-all-ingress",
                    json!({"podSelector": {}, "ingress": [{}], "policyTypes": ["Ingress"]}),
                ),
            ],
            80,
            &[],
        ),
        case(
            "allow-all egress beside default-deny-egress",
            vec![
                deny_all_egress("x"),
                policy(
                    "x",
                    "allow-all-egress",
                    json!({"podSelector": {}, "egress": [{}], "policyTypes": ["Egress"]}),
                ),
            ],
            80,
            &[],
        ),
        case(
            "podSelector alone: x/a allows only x/b (same namespace)",
            vec![x_a_ingress(
                "x-a-allows-x-b",
                json!([{"podSelector": {"matchLabels": {"pod": "b"}}}]),
                None,
            )],
            80,
            &[("*/*", "x/a", false), ("x/b", "x/a", true)],
        ),
        case(
            "deny-all ingress in x, then allow everything to x/a",
            vec![
                deny_all_ingress("x"),
                x_a_ingress(
                    "allow-all-to-a",
                    json!([{"podSelector": {}, "namespaceSelector": {}}]),
                    None,
                ),
            ],
            80,
            &[("*/*", "x/*", false), ("*/*", "x/a", true)],
        ),
        case(
            "namespaceSelector {} allows every namespace",
            vec![x_a_ingress(
                "allow-from-all-ns",
                json!([{"namespaceSelector": {}}]),
                None,
            )],
            80,
            &[],
        ),
        case(
            "namespaceSelector alone: only namespace y reaches x/a",
            vec![x_a_ingress(
                "allow-ns-y",
                json!([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "y"}}}]),
                None,
            )],
            80,
            &[("x/*", "x/a", false), ("z/*", "x/a", false)],
        ),
        case(
            "podSelector matchExpressions In",
            vec![x_a_ingress(
                "x-a-allows-x-b-expr",
                json!([{"podSelector": {"matchExpressions": [{"key": "pod", "operator": "In", "values": ["b"]}]}}]),
                None,
            )],
            80,
            &[("*/*", "x/a", false), ("x/b", "x/a", true)],
        ),
        case(
            "two peers are OR: namespaces other than x, or pod b of x",
            vec![x_a_ingress(
                "ns-or-pod",
                json!([{"namespaceSelector": ns_not_x}, {"podSelector": {"matchLabels": {"pod": "b"}}}]),
                None,
            )],
            80,
            &[("x/c", "x/a", false)],
        ),
        case(
            "one peer with both selectors is AND: pod b in namespaces other than x",
            vec![x_a_ingress(
                "ns-and-pod",
                json!([{"namespaceSelector": ns_not_x, "podSelector": {"matchLabels": {"pod": "b"}}}]),
                None,
            )],
            80,
            &[
                ("*/*", "x/a", false),
                ("y/b", "x/a", true),
                ("z/b", "x/a", true),
            ],
        ),
        case(
            "namespaceSelector on a namespace label other than the name",
            vec![x_a_ingress(
                "team-blue-pods-b-c",
                json!([{"namespaceSelector": {"matchLabels": {"team": "blue"}},
                        "podSelector": {"matchExpressions": [{"key": "pod", "operator": "In", "values": ["b", "c"]}]}}]),
                None,
            )],
            80,
            &[
                ("*/*", "x/a", false),
                ("y/b", "x/a", true),
                ("y/c", "x/a", true),
                ("z/b", "x/a", true),
                ("z/c", "x/a", true),
            ],
        ),
        case(
            "rules add up across policies: x/a from x/b and from x/c",
            vec![
                x_a_ingress(
                    "from-b",
                    json!([{"podSelector": {"matchLabels": {"pod": "b"}}}]),
                    None,
                ),
                x_a_ingress(
                    "from-c",
                    json!([{"podSelector": {"matchLabels": {"pod": "c"}}}]),
                    None,
                ),
            ],
            80,
            &[
                ("*/*", "x/a", false),
                ("x/b", "x/a", true),
                ("x/c", "x/a", true),
            ],
        ),
        case(
            "a policy isolates pods of its own namespace only",
            vec![policy(
                "y",
                "deny-a",
                json!({"podSelector": {"matchLabels": {"pod": "a"}}, "policyTypes": ["Ingress"]}),
            )],
            80,
            &[("*/*", "y/a", false)],
        ),
        case(
            "port 81 from namespace y, asked on port 80",
            vec![x_a_ingress(
                "ns-y-port-81",
                json!([{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]),
                Some(json!([{"port": 81, "protocol": "TCP"}])),
            )],
            80,
            &[("*/*", "x/a", false)],
        ),
        case(
            "port 81 from namespace y, asked on port 81",
            vec![x_a_ingress(
                "ns-y-port-81",
                json!([{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]),
                Some(json!([{"port": 81, "protocol": "TCP"}])),
            )],
            81,
            &[("x/*", "x/a", false), ("z/*", "x/a", false)],
        ),
        case(
            "named port serve-81-tcp, asked on 81",
            vec![x_a_ports("named-81", json!([{"port": "serve-81-tcp"}]))],
            81,
            &[],
        ),
        case(
            "named port serve-81-tcp, asked on 80",
            vec![x_a_ports("named-81", json!([{"port": "serve-81-tcp"}]))],
            80,
            &[("*/*", "x/a", false)],
        ),
        case(
            "named UDP port under the default protocol (TCP) resolves to nothing",
            vec![x_a_ports(
                "named-udp-as-tcp",
                json!([{"port": "serve-81-udp"}]),
            )],
            81,
            &[("*/*", "x/a", false)],
        ),
        udp(case(
            "named UDP port with protocol UDP, asked on 81/UDP",
            vec![x_a_ports(
                "named-udp",
                json!([{"port": "serve-81-udp", "protocol": "UDP"}]),
            )],
            81,
            &[],
        )),
        case(
            "endPort range 80-82 admits 81",
            vec![x_a_ports("range", json!([{"port": 80, "endPort": 82}]))],
            81,
            &[],
        ),
        case(
            "endPort range 82-90 does not admit 81",
            vec![x_a_ports("range", json!([{"port": 82, "endPort": 90}]))],
            81,
            &[("*/*", "x/a", false)],
        ),
        case(
            "ipBlock with except: everything in 192.168.0.0/16 but namespace y's /24",
            vec![x_a_ingress(
                "ipblock-except",
                json!([{"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.2.0/24"]}}]),
                None,
            )],
            80,
            &[("y/*", "x/a", false)],
        ),
        case(
            "IPv6 ipBlock with except: fd00::/16 but namespace z's /64",
            vec![x_a_ingress(
                "ipblock-v6",
                json!([{"ipBlock": {"cidr": "fd00::/16", "except": ["fd00:0:0:3::/64"]}}]),
                None,
            )],
            80,
            &[("z/*", "x/a", false)],
        ),
        case(
            "egress ipBlock: x reaches only 192.168.3.0/24 (namespace z)",
            vec![policy(
                "x",
                "egress-to-z-cidr",
                json!({"podSelector": {}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"ipBlock": {"cidr": "192.168.3.0/24"}}]}]}),
            )],
            80,
            &[("x/*", "*/*", false), ("x/*", "z/*", true)],
        ),
        case(
            "egress from x/a only to pod b of namespace y",
            vec![policy(
                "x",
                "a-to-y-b",
                json!({"podSelector": {"matchLabels": {"pod": "a"}}, "policyTypes": ["Egress"],
                "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}, "podSelector": {"matchLabels": {"pod": "b"}}}]}]}),
            )],
            80,
            &[("x/a", "*/*", false), ("x/a", "y/b", true)],
        ),
        udp(case(
            "default-deny-egress plus DNS: 53/UDP goes everywhere",
            vec![deny_all_egress("x"), dns_egress.clone()],
            53,
            &[],
        )),
        case(
            "default-deny-egress plus DNS: 53/TCP goes everywhere",
            vec![deny_all_egress("x"), dns_egress.clone()],
            53,
            &[],
        ),
        case(
            "default-deny-egress plus DNS: 80/TCP stays denied",
            vec![deny_all_egress("x"), dns_egress],
            80,
            &[("x/*", "*/*", false)],
        ),
        udp(case(
            "egress DNS only to namespace z",
            vec![
                deny_all_egress("x"),
                policy(
                    "x",
                    "dns-to-z",
                    json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
                    "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "z"}}}],
                    "ports": [{"port": 53, "protocol": "UDP"}]}]}),
                ),
            ],
            53,
            &[("x/*", "*/*", false), ("x/*", "z/*", true)],
        )),
        case(
            "egress named port resolves on the destination: web is 80 in x and y",
            vec![policy(
                "x",
                "egress-web",
                json!({"podSelector": {"matchLabels": {"pod": "a"}}, "policyTypes": ["Egress"],
                "egress": [{"ports": [{"port": "web"}]}]}),
            )],
            80,
            &[("x/a", "z/*", false)],
        ),
        case(
            "egress named port resolves on the destination: web is 81 in z",
            vec![policy(
                "x",
                "egress-web",
                json!({"podSelector": {"matchLabels": {"pod": "a"}}, "policyTypes": ["Egress"],
                "egress": [{"ports": [{"port": "web"}]}]}),
            )],
            81,
            &[("x/a", "*/*", false), ("x/a", "z/*", true)],
        ),
        case(
            "policyTypes absent with egress rules: isolates ingress and egress",
            vec![policy(
                "x",
                "implied-types",
                json!({"podSelector": {"matchLabels": {"pod": "a"}},
                "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]}]}),
            )],
            80,
            &[
                ("*/*", "x/a", false),
                ("x/a", "*/*", false),
                ("x/a", "y/*", true),
            ],
        ),
        case(
            "policyTypes absent without egress rules: isolates ingress only",
            vec![policy(
                "x",
                "implied-ingress",
                json!({"podSelector": {"matchLabels": {"pod": "a"}}, "egress": []}),
            )],
            80,
            &[("*/*", "x/a", false)],
        ),
        sctp(case(
            "SCTP 80 only, asked on SCTP",
            vec![
                deny_all_ingress("x"),
                policy(
                    "x",
                    "sctp-80",
                    json!({"podSelector": {}, "policyTypes": ["Ingress"],
                "ingress": [{"ports": [{"port": 80, "protocol": "SCTP"}]}]}),
                ),
            ],
            80,
            &[],
        )),
        case(
            "SCTP 80 only, asked on TCP",
            vec![
                deny_all_ingress("x"),
                policy(
                    "x",
                    "sctp-80",
                    json!({"podSelector": {}, "policyTypes": ["Ingress"],
                "ingress": [{"ports": [{"port": 80, "protocol": "SCTP"}]}]}),
                ),
            ],
            80,
            &[("*/*", "x/*", false)],
        ),
        udp(case(
            "UDP port without a number: every UDP port",
            vec![
                deny_all_ingress("x"),
                policy(
                    "x",
                    "any-udp",
                    json!({"podSelector": {}, "policyTypes": ["Ingress"],
                "ingress": [{"ports": [{"protocol": "UDP"}]}]}),
                ),
            ],
            81,
            &[],
        )),
        case(
            "egress of the source AND ingress of the destination",
            vec![
                deny_all_egress("x"),
                policy(
                    "x",
                    "b-to-y",
                    json!({"podSelector": {"matchLabels": {"pod": "b"}}, "policyTypes": ["Egress"],
                    "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"ns": "y"}}}]}]}),
                ),
                policy(
                    "y",
                    "b-from-x-a",
                    json!({"podSelector": {"matchLabels": {"pod": "b"}}, "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "x"}}, "podSelector": {"matchLabels": {"pod": "a"}}}]}]}),
                ),
            ],
            80,
            // x/a may not leave x; y/b admits only x/a: nobody reaches y/b.
            &[
                ("x/*", "*/*", false),
                ("x/b", "y/*", true),
                ("*/*", "y/b", false),
            ],
        ),
    ]
}

fn grid(pods: &[String], cell: impl Fn(&str, &str) -> bool) -> String {
    let mut out = String::from("-");
    for to in pods {
        let _ = write!(out, "\t{to}");
    }
    for from in pods {
        let _ = write!(out, "\n{from}");
        for to in pods {
            let mark = if from == to {
                "#"
            } else if cell(from, to) {
                "."
            } else {
                "X"
            };
            let _ = write!(out, "\t{mark}");
        }
    }
    out
}

#[test]
fn truth_tables_match_upstream_semantics() {
    let base = cluster();
    let pods: HashMap<String, Pod> = base
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .map(|o| {
            let p = Pod::from_object(o).unwrap();
            (p.key(), p)
        })
        .collect();
    let names = all_pods();
    let cases = cases();
    let mut failures = Vec::new();
    let mut questions = 0;
    for c in &cases {
        let objects: Vec<Value> = base
            .iter()
            .cloned()
            .chain(c.policies.iter().cloned())
            .collect();
        let net = Network::new(&objects);
        let actual = |from: &str, to: &str| {
            net.allows(&pods[from], &pods[to], c.port, c.protocol)
                .allowed
        };
        let mut wrong = 0;
        for from in &names {
            for to in names.iter().filter(|t| *t != from) {
                questions += 1;
                if actual(from, to) != c.expect.expected[&(from.clone(), to.clone())] {
                    wrong += 1;
                }
            }
        }
        if wrong > 0 {
            failures.push(format!(
                "{} ({} {}): {wrong} wrong\nexpected:\n{}\nactual:\n{}",
                c.name,
                c.port,
                c.protocol,
                grid(&names, |f, t| c.expect.expected
                    [&(f.to_string(), t.to_string())]),
                grid(&names, actual),
            ));
        }
    }
    eprintln!("{} cases, {questions} pod-pair questions", cases.len());
    assert!(cases.len() >= 20, "{} cases", cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
