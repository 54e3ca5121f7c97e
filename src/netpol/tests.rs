use serde_json::{Value, json};

use super::*;

/// The pods of the `cka-security-mock` scenario as a real kubelet reported them.
fn mock_pods() -> Vec<Value> {
    crate::evaluator::testing::real_solved("cka-security-mock")
}

fn pod<'a>(objects: &'a [Value], namespace: &str, prefix: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| {
            o["kind"] == "Pod"
                && o["metadata"]["namespace"] == namespace
                && o["metadata"]["name"].as_str().unwrap().starts_with(prefix)
        })
        .unwrap()
}

#[test]
fn pods_read_from_real_objects() {
    let objects = mock_pods();
    let api = Pod::from_object(pod(&objects, "mock-pss", "api-")).unwrap();
    assert_eq!(api.namespace, "mock-pss");
    assert_eq!(api.labels["app"], "api");
    assert_eq!(api.ips.len(), 1);
    assert!(api.ips[0].to_string().starts_with("10.244."));
    assert_eq!(
        api.ports,
        vec![ContainerPort {
            name: None,
            port: 8080,
            protocol: Protocol::Tcp
        }]
    );
}

/// A policy as the API server stores it (defaults filled in).
fn stored_policy(namespace: &str, name: &str, spec: &Value) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": name, "namespace": namespace, "generation": 1,
            "creationTimestamp": "2026-11-29T14:20:00Z", "resourceVersion": "11000",
            "uid": "5b0c3f3e-0d6a-4c59-9a39-6f6f4b1f2a11"
        },
        "spec": spec
    })
}

#[test]
fn verdict_names_the_policies_and_rules_that_decided() {
    let mut objects = mock_pods();
    objects.push(stored_policy(
        "mock-pss",
        "default-deny",
        &json!({"podSelector": {}, "policyTypes": ["Ingress"]}),
    ));
    objects.push(stored_policy(
        "mock-pss",
        "api-from-catalog",
        &json!({
            "podSelector": {"matchLabels": {"app": "api"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"podSelector": {"matchLabels": {"app": "nothing"}}}]},
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "mock-images"}},
                           "podSelector": {"matchLabels": {"app": "catalog"}}}],
                 "ports": [{"port": 8080, "protocol": "TCP"}]}
            ]
        }),
    ));
    let catalog = pod(&objects, "mock-images", "catalog-").clone();
    let api = pod(&objects, "mock-pss", "api-").clone();
    let yes = netpol_allows(&objects, &catalog, &api, 8080, Protocol::Tcp).unwrap();
    assert!(yes.allowed);
    assert!(!yes.egress.isolated);
    assert!(yes.egress.allowed);
    assert!(yes.ingress.isolated);
    assert_eq!(
        yes.ingress.policies,
        vec!["mock-pss/default-deny", "mock-pss/api-from-catalog"]
    );
    assert_eq!(
        yes.ingress.allowed_by,
        vec![RuleRef {
            policy: "mock-pss/api-from-catalog".into(),
            rule: 1
        }]
    );
    let wrong_port = netpol_allows(&objects, &catalog, &api, 80, Protocol::Tcp).unwrap();
    assert!(!wrong_port.allowed);
    assert!(wrong_port.ingress.allowed_by.is_empty());
    let other = pod(&objects, "mock-triage", "inventory-").clone();
    assert!(
        !netpol_allows(&objects, &other, &api, 8080, Protocol::Tcp)
            .unwrap()
            .allowed
    );
}

#[test]
fn egress_named_port_is_the_destination_pods() {
    let mut objects = mock_pods();
    let mut api = pod(&objects, "mock-pss", "api-").clone();
    api["spec"]["containers"][0]["ports"][0]["name"] = json!("http");
    objects.push(stored_policy(
        "mock-triage",
        "egress-http",
        &json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": "http", "protocol": "TCP"}]}]}),
    ));
    let inventory = pod(&objects, "mock-triage", "inventory-").clone();
    let v = netpol_allows(&objects, &inventory, &api, 8080, Protocol::Tcp).unwrap();
    assert!(v.allowed, "{v:?}");
    assert_eq!(v.egress.allowed_by[0].policy, "mock-triage/egress-http");
    // The catalog pods name no port: `http` resolves to nothing there.
    let catalog = pod(&objects, "mock-images", "catalog-").clone();
    assert!(
        !netpol_allows(&objects, &inventory, &catalog, 80, Protocol::Tcp)
            .unwrap()
            .allowed
    );
}

#[test]
fn policy_types_default_as_the_api_server_does() {
    let with_egress = Policy::from_object(&json!({
        "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "n"},
        "spec": {"podSelector": {}, "egress": [{}]}
    }))
    .unwrap();
    assert!(with_egress.ingress.is_some() && with_egress.egress.is_some());
    let empty_egress = Policy::from_object(&json!({
        "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "n"},
        "spec": {"podSelector": {}, "egress": []}
    }))
    .unwrap();
    assert!(empty_egress.ingress.is_some() && empty_egress.egress.is_none());
    let egress_only = Policy::from_object(&json!({
        "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "n"},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]}
    }))
    .unwrap();
    assert!(egress_only.ingress.is_none() && egress_only.egress.is_some());
}

#[test]
fn a_pod_without_an_address_matches_no_ip_block() {
    let objects = vec![json!({
        "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "n"},
        "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}
    })];
    let pending = json!({"kind": "Pod", "metadata": {"name": "pending", "namespace": "n"}, "status": {"phase": "Pending"}});
    let running = json!({"kind": "Pod", "metadata": {"name": "web", "namespace": "n"}, "status": {"podIP": "10.0.0.9"}});
    assert!(
        netpol_allows(&objects, &running, &pending, 80, Protocol::Tcp)
            .unwrap()
            .allowed
    );
    assert!(
        !netpol_allows(&objects, &pending, &running, 80, Protocol::Tcp)
            .unwrap()
            .allowed
    );
}

#[test]
fn protocols_parse_case_insensitively() {
    assert_eq!("udp".parse::<Protocol>(), Ok(Protocol::Udp));
    assert_eq!("SCTP".parse::<Protocol>(), Ok(Protocol::Sctp));
    assert!("icmp".parse::<Protocol>().unwrap_err().contains("'icmp'"));
}

#[test]
fn a_selector_the_api_would_refuse_selects_nothing() {
    let policy = |selector: Value| {
        json!({"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "n"},
               "spec": {"podSelector": selector, "policyTypes": ["Ingress"]}})
    };
    let web = json!({"kind": "Pod", "metadata": {"name": "web", "namespace": "n", "labels": {"app": "web"}}, "status": {"podIP": "10.0.0.9"}});
    let client = json!({"kind": "Pod", "metadata": {"name": "client", "namespace": "n"}, "status": {"podIP": "10.0.0.8"}});
    let isolated = |selector: Value| {
        netpol_allows(&[policy(selector)], &client, &web, 80, Protocol::Tcp)
            .unwrap()
            .ingress
            .isolated
    };
    assert!(isolated(
        json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]})
    ));
    assert!(!isolated(
        json!({"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]})
    ));
    assert!(isolated(json!({})));
}
