use serde_json::{Value, json};

use super::*;
use crate::evaluator::testing;
use crate::report::Status;

/// The `cka-security-mock` objects as a real cluster reported them (pods,
/// namespaces), with `api` in mock-pss open on 8080/TCP to the catalog pods
/// of mock-images only, as `kubectl get netpol -o json` prints the policies.
fn cluster() -> Snapshot {
    let mut objects = crate::evaluator::testing::real_solved("cka-security-mock");
    let policy = |name: &str, spec: Value| {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": name, "namespace": "mock-pss", "generation": 1,
                            "uid": "0b8f9a52-1d1c-4b55-9f0e-3c8f4a6f0c01"},
               "spec": spec})
    };
    objects.push(policy(
        "default-deny",
        json!({"podSelector": {}, "policyTypes": ["Ingress"]}),
    ));
    objects.push(policy(
        "api-from-catalog",
        json!({"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"],
               "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "mock-images"}},
                                      "podSelector": {"matchLabels": {"app": "catalog"}}}],
                            "ports": [{"port": 8080, "protocol": "TCP"}]}]}),
    ));
    testing::snapshot(&objects)
}

const OWNED: &[&str] = &["mock-pss", "mock-images"];

#[test]
fn an_allowed_connection_passes_with_the_rule_that_allows_it() {
    let r = testing::grade(
        OWNED,
        "netpol_allows = { from = { namespace = \"mock-images\", pod = \"catalog-6db8b85758-jdflx\" }, to = { namespace = \"mock-pss\", pod = \"api-798c4f66b-hgzvh\" }, port = 8080 }",
        &cluster(),
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "connections from pod catalog-6db8b85758-jdflx in mock-images to pod api-798c4f66b-hgzvh in mock-pss on 8080/TCP are allowed"
    );
    assert_eq!(
        r.actual,
        "mock-images/catalog-6db8b85758-jdflx -> mock-pss/api-798c4f66b-hgzvh on 8080/TCP: allowed; \
         egress from mock-images/catalog-6db8b85758-jdflx: allowed (no NetworkPolicy in 'mock-images' selects the pod for Egress); \
         ingress to mock-pss/api-798c4f66b-hgzvh: allowed by mock-pss/api-from-catalog ingress[0] (selected by mock-pss/default-deny, mock-pss/api-from-catalog)"
    );
    assert_eq!(
        r.inspect,
        "kubectl describe networkpolicy -n mock-images && kubectl describe networkpolicy -n mock-pss"
    );
}

#[test]
fn selectors_judge_every_pair_and_name_the_first_wrong_one() {
    // Expecting the triage pods to reach the api pods: they may not.
    let r = testing::grade(
        OWNED,
        "netpol_allows = { from = { namespace = \"mock-triage\", selector = { app = \"inventory\" } }, to = { namespace = \"mock-pss\", selector = { app = \"api\" } }, port = 8080, allowed = true }",
        &cluster(),
    );
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.actual.starts_with("mock-triage/inventory-8558b97c65-pt44r -> mock-pss/api-76897f9bb6-p4sbn on 8080/TCP: denied; ingress to mock-pss/api-76897f9bb6-p4sbn: denied (selected by mock-pss/default-deny, mock-pss/api-from-catalog; no ingress rule allows"),
        "{}",
        r.actual
    );
    assert!(
        r.actual.ends_with(" (8 of 8 connections wrong)"),
        "{}",
        r.actual
    );
    // Expecting them denied: right for all 8 pairs.
    let r = testing::grade(
        OWNED,
        "netpol_allows = { from = { namespace = \"mock-triage\", selector = { app = \"inventory\" } }, to = { namespace = \"mock-pss\", selector = { app = \"api\" } }, port = 8080, allowed = false }",
        &cluster(),
    );
    assert_eq!(
        (r.status, r.actual.as_str()),
        (Status::Pass, "all 8 connections denied")
    );
}

#[test]
fn selectors_may_be_written_as_kubectl_text() {
    let r = testing::grade(
        OWNED,
        "netpol_allows = { from = { namespace = \"mock-images\", selector = \"app in (catalog),!legacy\" }, to = { namespace = \"mock-pss\", selector = \"app=api\" }, port = 8080 }",
        &cluster(),
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "connections from pods app=catalog,!legacy in mock-images to pods app=api in mock-pss on 8080/TCP are allowed"
    );
}

#[test]
fn a_pod_that_does_not_exist_fails_the_check() {
    let r = testing::grade(
        OWNED,
        "netpol_allows = { from = { namespace = \"mock-images\", selector = { app = \"catalogue\" } }, to = { namespace = \"mock-pss\", pod = \"api-798c4f66b-hgzvh\" }, port = 8080 }",
        &cluster(),
    );
    assert_eq!(
        (r.status, r.actual.as_str()),
        (Status::Fail, "no pods app=catalogue in mock-images")
    );
}

#[test]
fn pods_without_an_ip_take_no_part() {
    let mut snap = cluster();
    let mut pending = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "starting", "namespace": "mock-images", "labels": {"app": "starting"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]}});
    snap.insert(pending.clone()).unwrap();
    let body = "netpol_allows = { from = { namespace = \"mock-images\", selector = { app = \"starting\" } }, to = { namespace = \"mock-pss\", selector = { app = \"api\" } }, port = 8080 }";
    let r = testing::grade(OWNED, body, &snap);
    assert_eq!(
        (r.status, r.actual.as_str()),
        (
            Status::Fail,
            "no running pods app=starting in mock-images (none has an IP)"
        )
    );
    pending["status"] =
        json!({"phase": "Running", "podIP": "10.244.1.77", "podIPs": [{"ip": "10.244.1.77"}]});
    snap.insert(pending).unwrap();
    let r = testing::grade(OWNED, body, &snap);
    assert_eq!(r.status, Status::Fail, "{}", r.actual);
    assert!(
        r.actual.ends_with("(4 of 4 connections wrong)"),
        "{}",
        r.actual
    );
}

#[test]
fn an_unreadable_policy_list_is_an_error_not_a_verdict() {
    let body = "netpol_allows = { from = { namespace = \"mock-images\", pod = \"a\" }, to = { namespace = \"mock-pss\", pod = \"b\" }, port = 80, protocol = \"UDP\" }";
    let check = testing::check(OWNED, body).unwrap();
    testing::assert_reads(
        &check,
        &cluster(),
        &[
            (Kind::Pod, Some("mock-images")),
            (Kind::NetworkPolicy, Some("mock-pss")),
            (Kind::Namespace, None),
        ],
        (Kind::NetworkPolicy, "mock-pss"),
    );
}

#[test]
fn misuse_is_located_at_the_value() {
    let err = |body: &str| testing::check(OWNED, body).unwrap_err();
    let to = "to = { namespace = \"y\", pod = \"b\" }";
    assert_eq!(
        err(&format!(
            "netpol_allows = {{ from = {{ namespace = \"x\", pod = \"a\", selector = {{ app = \"a\" }} }}, {to}, port = 80 }}"
        )),
        ["grading/t.toml:9:67: netpol_allows: from takes `pod` or `selector`, not both"]
    );
    assert_eq!(
        err(&format!(
            "netpol_allows = {{ from = {{ namespace = \"x\" }}, {to}, port = 80 }}"
        )),
        ["grading/t.toml:9:26: netpol_allows: from needs `pod` or `selector`"]
    );
    assert_eq!(
        err(&format!(
            "netpol_allows = {{ from = {{ namespace = \"x\", pod = \"a\" }}, {to}, port = 70000 }}"
        )),
        ["grading/t.toml:9:102: netpol_allows: port 70000 is not a port number (1-65535)"]
    );
    assert_eq!(
        err(&format!(
            "netpol_allows = {{ from = {{ namespace = \"x\", pod = \"a\" }}, {to}, port = 53, protocol = \"ICMP\" }}"
        )),
        ["grading/t.toml:9:117: netpol_allows: unknown protocol 'ICMP' (known: TCP, UDP, SCTP)"]
    );
    assert_eq!(
        err(&format!(
            "netpol_allows = {{ from = {{ namespace = \"x\", selector = \"app in (a\" }}, {to}, port = 80 }}"
        )),
        [
            "grading/t.toml:9:56: netpol_allows: from.selector: invalid label selector 'app in (a': unbalanced parentheses"
        ]
    );
    let missing = err(&format!(
        "netpol_allows = {{ from = {{ namespace = \"x\", pod = \"a\" }}, {to} }}"
    ));
    assert!(
        missing[0].starts_with("grading/t.toml:9:17: netpol_allows: missing field `port`"),
        "{missing:?}"
    );
    assert_eq!(
        err(&format!(
            "target = {{ kind = \"Pod\", namespace = \"mock-pss\", name = \"a\" }}\nnetpol_allows = {{ from = {{ namespace = \"x\", pod = \"a\" }}, {to}, port = 80 }}"
        )),
        ["grading/t.toml:9:10: check 'k': this expectation takes no target"]
    );
}
