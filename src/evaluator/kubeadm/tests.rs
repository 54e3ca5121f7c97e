use serde_json::{Value, json};

use crate::evaluator::testing;
use crate::kind::Kind;
use crate::report::Status;
use crate::snapshot::Snapshot;
use crate::snapshot::bootstrap_token::testing::{kubeadm_token, token_secret};

const GROUP: &str = "system:bootstrappers:kubeadm:default-node-token";

fn namespace(name: &str, created: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": name, "creationTimestamp": created, "uid": format!("uid-{name}")}})
}

/// kind's own token of `kubeadm init` (24 h, no description), the scenario's namespace made at
/// 10:00, and `extra`.
fn cluster(extra: &[Value]) -> Snapshot {
    let mut objects = vec![
        namespace("kubeadm-ops", "2026-12-07T10:00:00Z"),
        token_secret(
            "abcdef",
            "2026-12-07T08:00:00Z",
            &[
                ("token-id", "abcdef"),
                ("token-secret", "0123456789abcdef"),
                ("expiration", "2026-12-08T08:00:00Z"),
                ("usage-bootstrap-authentication", "true"),
                ("usage-bootstrap-signing", "true"),
                ("auth-extra-groups", GROUP),
            ],
        ),
    ];
    objects.extend_from_slice(extra);
    testing::snapshot(&objects)
}

fn body(fields: &str) -> String {
    format!("bootstrap_token = {{ {fields} }}")
}

const FULL: &str = "description = \"join worker-3\", ttl = \"2h\", usages = [\"authentication\", \"signing\"], groups = [\"system:bootstrappers:kubeadm:default-node-token\"], created_after_namespace = \"kubeadm-ops\"";

#[test]
fn the_token_kubeadm_creates_passes() {
    // kubeadm computes the expiration a moment before the API server stamps the creation.
    let s = cluster(&[kubeadm_token(
        "k7x2qa",
        "2026-12-07T10:05:01Z",
        "2026-12-07T12:05:00Z",
        "join worker-3",
    )]);
    let r = testing::grade(&["kubeadm-ops"], &body(FULL), &s);
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        format!(
            "a bootstrap token in kube-system: description 'join worker-3', TTL 2h (within 60s), usages authentication, signing, groups {GROUP}, created after namespace kubeadm-ops"
        )
    );
    assert_eq!(
        r.actual,
        format!(
            "token k7x2qa: description 'join worker-3', TTL 1h59m59s, usages authentication, signing, groups {GROUP}, created after namespace kubeadm-ops"
        )
    );
    assert!(
        r.inspect
            .contains("--field-selector type=bootstrap.kubernetes.io/token")
    );
    assert!(
        r.inspect.contains("ne $k \"token-secret\""),
        "{}",
        r.inspect
    );
}

#[test]
fn each_difference_is_worded_and_no_secret_half_appears() {
    let wrong = token_secret(
        "zz9yy8",
        "2026-12-07T10:05:00Z",
        &[
            ("token-id", "zz9yy8"),
            ("token-secret", "fedcba9876543210"),
            ("expiration", "2026-12-08T10:05:00Z"),
            ("description", "worker"),
            ("usage-bootstrap-authentication", "true"),
            ("usage-bootstrap-signing", "false"),
            ("auth-extra-groups", "system:bootstrappers:other"),
        ],
    );
    let r = testing::grade(&["kubeadm-ops"], &body(FULL), &cluster(&[wrong]));
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        format!(
            "token abcdef: no description (expected 'join worker-3'), TTL 24h0m0s (expected TTL 2h (within 60s)), created before namespace kubeadm-ops (before this attempt), usages authentication, signing, groups {GROUP}; \
             token zz9yy8: description 'worker' (expected 'join worker-3'), TTL 24h0m0s (expected TTL 2h (within 60s)), usages authentication (expected authentication, signing), groups system:bootstrappers:other (expected {GROUP}), created after namespace kubeadm-ops"
        )
    );
    for text in [&r.actual, &r.expected, &r.inspect] {
        for leak in ["0123456789abcdef", "fedcba9876543210"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }
}

#[test]
fn a_ttl_range_and_a_token_that_never_expires() {
    let forever = token_secret(
        "n0exp1",
        "2026-12-07T10:05:00Z",
        &[
            ("token-id", "n0exp1"),
            ("token-secret", "0123456789abcdef"),
            ("usage-bootstrap-authentication", "true"),
        ],
    );
    let s = cluster(&[forever]);
    let r = testing::grade(
        &["kubeadm-ops"],
        &body("ttl_at_least = \"1h\", ttl_at_most = \"25h\""),
        &s,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(r.actual, "token abcdef: TTL 24h0m0s");
    let r = testing::grade(&["kubeadm-ops"], &body("ttl_at_most = \"2h\""), &s);
    assert_eq!(
        r.actual,
        "token abcdef: TTL 24h0m0s (expected TTL at most 2h); token n0exp1: never expires (expected TTL at most 2h)"
    );
}

#[test]
fn an_expired_or_malformed_token_fails_and_none_at_all_says_so() {
    let expired = kubeadm_token(
        "old123",
        "2026-12-07T10:05:00Z",
        "2026-12-07T10:05:00Z",
        "join worker-3",
    );
    let mut renamed = kubeadm_token(
        "abc123",
        "2026-12-07T10:05:00Z",
        "not-a-time",
        "join worker-3",
    );
    renamed["metadata"]["name"] = Value::String("bootstrap-token-xyz789".into());
    let s = testing::snapshot(&[
        namespace("kubeadm-ops", "2026-12-07T10:00:00Z"),
        expired,
        renamed,
    ]);
    let r = testing::grade(
        &["kubeadm-ops"],
        &body("description = \"join worker-3\""),
        &s,
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "token old123: expired: expiration 2026-12-07T10:05:00Z is not after its creation, description 'join worker-3'; \
         token abc123: not a token the API server accepts (its name is not bootstrap-token-abc123), expiration 'not-a-time' is not an RFC 3339 time (the token is refused), description 'join worker-3'"
    );
    let none = testing::snapshot(&[namespace("kubeadm-ops", "2026-12-07T10:00:00Z")]);
    let r = testing::grade(&["kubeadm-ops"], &body("ttl = \"2h\""), &none);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.actual, "no bootstrap token in kube-system");
}

#[test]
fn an_unreadable_secret_list_is_an_error() {
    let mut s = cluster(&[]);
    s.mark_unavailable(Kind::Secret, Some("kube-system".into()), "forbidden".into());
    let r = testing::grade(&["kubeadm-ops"], &body("ttl = \"2h\""), &s);
    assert_eq!(r.status, Status::Error, "{}", r.actual);
}

#[test]
fn a_redacted_snapshot_grades_alike() {
    let token = kubeadm_token(
        "k7x2qa",
        "2026-12-07T10:05:01Z",
        "2026-12-07T12:05:00Z",
        "join worker-3",
    );
    let live = cluster(&[token]);
    let redacted_list = live.to_redacted_list();
    let text = redacted_list.to_string();
    assert!(!text.contains("0123456789abcdef"));
    let mut redacted = Snapshot::default();
    for item in redacted_list["items"].as_array().unwrap_or(&Vec::new()) {
        redacted
            .insert(item.clone())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let a = testing::grade(&["kubeadm-ops"], &body(FULL), &live);
    let b = testing::grade(&["kubeadm-ops"], &body(FULL), &redacted);
    assert_eq!(a, b);
    assert_eq!(b.status, Status::Pass, "{}", b.actual);
}

#[test]
fn bad_token_rubrics_are_located() {
    for (fields, message) in [
        (
            "ttl = \"2h\", ttl_at_most = \"3h\"",
            "give ttl, or ttl_at_least/ttl_at_most, not both",
        ),
        ("ttl = \"soon\"", "ttl: 'soon' is not a duration"),
        ("ttl = \"0s\"", "ttl must be positive"),
        (
            "ttl_at_least = \"3h\", ttl_at_most = \"2h\"",
            "ttl_at_most '2h' is below ttl_at_least '3h'",
        ),
        (
            "usages = [\"signing\", \"encryption\"]",
            "usages must name one or more of authentication, signing",
        ),
        ("usages = []", "usages must name one or more"),
        (
            "groups = [\"system:nodes\"]",
            "group 'system:nodes' does not begin with 'system:bootstrappers:'",
        ),
        ("secret = \"x\"", "unknown field `secret`"),
    ] {
        let errors = testing::check(&["kubeadm-ops"], &body(fields)).unwrap_err();
        assert!(
            errors.len() == 1
                && errors[0].starts_with("grading/t.toml:9:")
                && errors[0].contains(message),
            "{fields}: {errors:?}"
        );
    }
    let errors = testing::check(
        &["kubeadm-ops"],
        "target = { kind = \"Secret\", namespace = \"kube-system\", name = \"x\" }\nbootstrap_token = {}",
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
}

// ---- kubeadm_config -------------------------------------------------------------------------

/// `kube-system/kubeadm-config` as kind's kubeadm writes it (abridged to what matters).
fn kubeadm_config(version: &str) -> Value {
    let yaml = format!(
        "apiServer:\n  certSANs:\n  - localhost\n  - 127.0.0.1\napiVersion: kubeadm.k8s.io/v1beta4\nclusterName: cka\n\
         kind: ClusterConfiguration\nkubernetesVersion: {version}\nnetworking:\n  dnsDomain: cluster.local\n  \
         podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/16\n"
    );
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "kubeadm-config", "namespace": "kube-system", "uid": "uid-kc"},
           "data": {"ClusterConfiguration": yaml}})
}

fn facts(data: &Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "cluster-facts", "namespace": "kubeadm-ops", "uid": "uid-cf"},
           "data": data})
}

const FACTS: &str =
    "target = { kind = \"ConfigMap\", namespace = \"kubeadm-ops\", name = \"cluster-facts\" }\n";

fn config_check(key: &str, field: &str) -> String {
    format!("{FACTS}kubeadm_config = {{ key = \"{key}\", field = \"{field}\" }}")
}

#[test]
fn a_key_that_holds_the_live_value_passes_on_any_version() {
    for version in ["v1.32.2", "v1.35.0"] {
        let s = testing::snapshot(&[
            kubeadm_config(version),
            facts(
                &json!({"kubernetesVersion": format!("{version}\n"), "podSubnet": "10.244.0.0/16"}),
            ),
        ]);
        let r = testing::grade(
            &["kubeadm-ops"],
            &config_check("kubernetesVersion", "kubernetesVersion"),
            &s,
        );
        assert_eq!(r.status, Status::Pass, "{}", r.actual);
        assert_eq!(
            r.actual,
            format!("kubernetesVersion '{version}', as kubeadm-config's kubernetesVersion says")
        );
    }
    let s = testing::snapshot(&[
        kubeadm_config("v1.32.2"),
        facts(&json!({"podSubnet": "10.244.0.0/16"})),
    ]);
    let r = testing::grade(
        &["kubeadm-ops"],
        &config_check("podSubnet", "networking.podSubnet"),
        &s,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "configmap cluster-facts in kubeadm-ops: key podSubnet holds networking.podSubnet of kube-system/kubeadm-config (ClusterConfiguration)"
    );
    assert!(r.inspect.contains("{.data.podSubnet}"), "{}", r.inspect);
    assert!(
        r.inspect
            .contains("kubectl get configmap kubeadm-config -n kube-system"),
        "{}",
        r.inspect
    );
}

#[test]
fn a_wrong_or_missing_key_fails_and_says_what_kubeadm_config_holds() {
    let s = testing::snapshot(&[
        kubeadm_config("v1.32.2"),
        facts(&json!({"serviceSubnet": "10.96.0.0/12", "note": "x"})),
    ]);
    let r = testing::grade(
        &["kubeadm-ops"],
        &config_check("serviceSubnet", "networking.serviceSubnet"),
        &s,
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "serviceSubnet '10.96.0.0/12' (kubeadm-config's networking.serviceSubnet is '10.96.0.0/16')"
    );
    let r = testing::grade(
        &["kubeadm-ops"],
        &config_check("podSubnet", "networking.podSubnet"),
        &s,
    );
    assert_eq!(r.actual, "no key podSubnet (keys: 'note', 'serviceSubnet')");
    let r = testing::grade(
        &["kubeadm-ops"],
        &config_check("serviceSubnet", "networking.nope"),
        &s,
    );
    assert_eq!(
        r.actual,
        "serviceSubnet '10.96.0.0/12'; kubeadm-config's ClusterConfiguration has no networking.nope"
    );
    let without = testing::snapshot(&[facts(&json!({"serviceSubnet": "10.96.0.0/16"}))]);
    let r = testing::grade(
        &["kubeadm-ops"],
        &config_check("serviceSubnet", "networking.serviceSubnet"),
        &without,
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "serviceSubnet '10.96.0.0/16'; kube-system/kubeadm-config not found"
    );
    let r = testing::grade(
        &["kubeadm-ops"],
        &config_check("serviceSubnet", "networking.serviceSubnet"),
        &Snapshot::default(),
    );
    assert_eq!(r.status, Status::Fail);
}

#[test]
fn bad_config_rubrics_are_located() {
    for (body, message) in [
        (config_check("pod subnet", "networking.podSubnet"), "'pod subnet' is not a ConfigMap key"),
        (config_check("podSubnet", "networking..podSubnet"), "is not a dotted path"),
        (
            "target = { kind = \"Secret\", namespace = \"kubeadm-ops\", name = \"s\" }\nkubeadm_config = { key = \"a\", field = \"b\" }".to_owned(),
            "kubeadm_config applies to a ConfigMap",
        ),
    ] {
        let errors = testing::check(&["kubeadm-ops"], &body).unwrap_err();
        assert!(
            errors.len() == 1 && errors[0].starts_with("grading/t.toml:") && errors[0].contains(message),
            "{body}: {errors:?}"
        );
    }
}

#[test]
fn the_documented_examples_load() {
    let n = testing::reference_examples(
        &["### kubeadm: `bootstrap_token`, `kubeadm_config`"],
        &["kubeadm-ops"],
    );
    assert_eq!(n, 2);
}
