use std::path::Path;

use serde_json::json;

use crate::evaluator::testing;
use crate::kind::Kind;
use crate::report::Status;
use crate::snapshot::Snapshot;

/// The server's default roles and the objects of the RBAC conformance set.
fn cluster() -> Snapshot {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rbac");
    Snapshot::read_files(&[
        dir.join("default-policy.yaml"),
        dir.join("conformance.yaml"),
    ])
    .unwrap()
}

#[test]
fn can_i_grades_what_the_authorizer_decides() {
    let snap = cluster();
    let body = r#"can_i = { as = "system:serviceaccount:dev:ci", verb = "get", resource = "secrets", name = "db-creds", namespace = "dev", allowed = true }"#;
    let r = testing::grade(&["dev"], body, &snap);
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        r#"system:serviceaccount:dev:ci may get secrets/db-creds in namespace "dev""#
    );
    assert_eq!(
        r.actual,
        r#"yes: allowed by RoleBinding "named-access/dev" of Role "named-access" to ServiceAccount "ci/dev" (rule apiGroups: [""], resources: ["secrets"], resourceNames: ["db-creds"], verbs: ["get"])"#
    );
    assert_eq!(
        r.inspect,
        "kubectl auth can-i get secrets/db-creds -n dev --as system:serviceaccount:dev:ci"
    );
    // resourceNames never allow a list.
    let list = r#"can_i = { as = "system:serviceaccount:dev:ci", verb = "list", resource = "secrets", namespace = "dev", allowed = true }"#;
    let r = testing::grade(&["dev"], list, &snap);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.actual, "no: no RBAC policy matched");
    // What must not be allowed passes when it is not.
    let denied = list.replace("allowed = true", "allowed = false");
    let r = testing::grade(&["dev"], &denied, &snap);
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        r#"system:serviceaccount:dev:ci may not list secrets in namespace "dev""#
    );
}

#[test]
fn can_i_forms_kubectl_knows() {
    let snap = cluster();
    let grade = |body: &str| testing::grade(&["dev", "prod"], body, &snap);
    // A kubectl short name, a subresource, all namespaces.
    let r = grade(
        r#"can_i = { as = "system:serviceaccount:prod:autoscaler", verb = "update", resource = "deploy", subresource = "scale", allowed = true }"#,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.inspect,
        "kubectl auth can-i update deployments.apps --subresource scale -A --as system:serviceaccount:prod:autoscaler"
    );
    // A non-resource URL.
    let r =
        grade(r#"can_i = { as = "monitor", verb = "get", url = "/logs/app.log", allowed = true }"#);
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.inspect,
        "kubectl auth can-i get /logs/app.log --as monitor"
    );
    // Groups replace a ServiceAccount's own, as --as-group does.
    let r = grade(
        r#"can_i = { as = "system:serviceaccount:team-a:builder", groups = ["ci"], verb = "*", resource = "deployments.apps", namespace = "team-a", allowed = false }"#,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.inspect,
        "kubectl auth can-i '*' deployments.apps -n team-a --as system:serviceaccount:team-a:builder --as-group ci"
    );
    // A missing role is named.
    let r = grade(
        r#"can_i = { as = "wanderer", verb = "create", resource = "deployments", namespace = "dev", allowed = true }"#,
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        r#"no: no RBAC policy matched; a binding grants nothing: role.rbac.authorization.k8s.io "prod-deployer" not found"#
    );
    // system:masters.
    let r = grade(
        r#"can_i = { as = "root", groups = ["system:masters"], verb = "delete", resource = "nodes", allowed = true }"#,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
}

#[test]
fn can_i_reads_the_rbac_lists_and_is_an_error_when_one_is_unreadable() {
    let body = r#"can_i = { as = "jane", verb = "get", resource = "pods", namespace = "dev", allowed = true }"#;
    let check = testing::check(&["dev"], body).unwrap();
    let reads = crate::grade::target::check_reads(check.target.as_ref(), Some(&check.expect));
    for list in [
        (Kind::ClusterRole, None),
        (Kind::ClusterRoleBinding, None),
        (Kind::Role, Some("dev".to_string())),
        (Kind::RoleBinding, Some("dev".to_string())),
    ] {
        assert!(reads.contains(&list), "{list:?} in {reads:?}");
    }
    let mut snap = cluster();
    snap.mark_unavailable(
        Kind::RoleBinding,
        Some("dev".into()),
        "rolebindings.rbac.authorization.k8s.io is forbidden".into(),
    );
    let r = crate::grade::evaluate(&check, &snap);
    assert_eq!(r.status, Status::Error);
    assert_eq!(
        r.actual,
        "rolebindings.rbac.authorization.k8s.io is forbidden"
    );
}

#[test]
fn can_i_mistakes_are_located() {
    let err = |body: &str| testing::check(&["dev"], body).unwrap_err();
    assert_eq!(
        err(r#"can_i = { as = "jane", verb = "get", resource = "pdos", allowed = true }"#),
        [
            "grading/t.toml:9:49: can_i: unknown resource type 'pdos' (a plural, singular or short name, optionally with its group: pods, po, deployments.apps, deploy; or plural.group of a custom resource)"
        ]
    );
    assert_eq!(
        err(
            r#"can_i = { as = "jane", verb = "get", resource = "nodes", namespace = "dev", allowed = true }"#
        ),
        [
            "grading/t.toml:9:70: can_i: nodes are cluster-scoped: a request for them has no namespace, drop 'namespace'"
        ]
    );
    assert_eq!(
        err(
            r#"can_i = { as = "jane", verb = "get", resource = "pods", url = "/x", allowed = true }"#
        ),
        ["grading/t.toml:9:63: can_i: give a resource or a url, not both"]
    );
    assert_eq!(
        err(
            r#"can_i = { as = "system:serviceaccount:dev", verb = "get", resource = "pods", allowed = true }"#
        ),
        [
            "grading/t.toml:9:16: can_i: 'system:serviceaccount:dev' is not a ServiceAccount name: system:serviceaccount:NAMESPACE:NAME"
        ]
    );
    assert_eq!(
        err(r#"can_i = { as = "jane", verb = "get", allowed = true }"#),
        [
            "grading/t.toml:9:9: can_i needs a resource (kubectl's TYPE: pods, deployments.apps) or a url (/healthz)"
        ]
    );
    assert_eq!(
        err(
            r#"can_i = { as = "jane", verb = "get", url = "/x", namespace = "dev", allowed = true }"#
        ),
        ["grading/t.toml:9:62: can_i: a url takes no subresource, name or namespace"]
    );
    let missing = err(r#"can_i = { as = "jane", verb = "get", resource = "pods" }"#);
    assert!(
        missing[0].starts_with("grading/t.toml:9:9: can_i: missing field `allowed`"),
        "{missing:?}"
    );
    let unknown = err(
        r#"can_i = { as = "jane", verb = "get", resource = "pods", user = "x", allowed = true }"#,
    );
    assert!(
        unknown[0].starts_with("grading/t.toml:9:") && unknown[0].contains("unknown field `user`"),
        "{unknown:?}"
    );
    let targeted = err(
        "target = { kind = \"Role\", namespace = \"dev\", name = \"r\" }\ncan_i = { as = \"jane\", verb = \"get\", resource = \"pods\", allowed = true }",
    );
    assert_eq!(
        targeted,
        ["grading/t.toml:9:10: check 'k': this expectation takes no target"]
    );
}

const POD_READER: &str =
    "target = { kind = \"Role\", namespace = \"dev\", name = \"pod-reader\" }\n";

#[test]
fn rbac_rules_compare_what_a_role_grants() {
    let snap = cluster();
    let grade = |body: &str| testing::grade(&["dev"], &format!("{POD_READER}{body}"), &snap);
    let r = grade(
        r#"rbac_rules = { exactly = [{ apiGroups = [""], resources = ["pods"], verbs = ["get", "list", "watch"] }] }"#,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "role pod-reader in dev: grants exactly: get, list, watch pods"
    );
    assert_eq!(r.actual, "grants exactly these");
    assert_eq!(r.inspect, "kubectl describe role pod-reader -n dev");
    let r = grade(
        r#"rbac_rules = { exactly = [{ apiGroups = [""], resources = ["pods"], verbs = ["get", "list"] }] }"#,
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.actual, "extra: watch pods");
    let r = grade(
        r#"rbac_rules = { at_least = [{ api_groups = [""], resources = ["pods", "pods/log"], verbs = ["get"] }] }"#,
    );
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.actual, "missing: get pods/log");
    let r = grade(
        r#"rbac_rules = { at_most = [{ apiGroups = ["*"], resources = ["*"], verbs = ["get", "list", "watch"] }] }"#,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(r.actual, "grants nothing beyond these");
}

#[test]
fn rbac_rules_see_a_cluster_roles_aggregated_rules() {
    let snap = cluster();
    let body = "target = { kind = \"ClusterRole\", name = \"view\" }\nrbac_rules = { at_least = [{ apiGroups = [\"apps\"], resources = [\"deployments\"], verbs = [\"get\", \"list\", \"watch\"] }] }";
    let r = testing::grade(&["dev"], body, &snap);
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    let secrets = "target = { kind = \"ClusterRole\", name = \"view\" }\nrbac_rules = { at_most = [{ apiGroups = [\"*\"], resources = [\"*\"], verbs = [\"get\", \"list\", \"watch\"] }] }";
    assert_eq!(
        testing::grade(&["dev"], secrets, &snap).status,
        Status::Pass
    );
    let check = testing::check(&["dev"], body).unwrap();
    assert!(
        crate::grade::target::check_reads(check.target.as_ref(), Some(&check.expect))
            .contains(&(Kind::ClusterRole, None))
    );
    // A named rule in a hand-written Role: a grant of one name is not a grant of all.
    let role = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": { "name": "db", "namespace": "dev" },
        "rules": [{ "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"], "verbs": ["get"] }]
    });
    let snap = testing::snapshot(&[role]);
    let target = "target = { kind = \"Role\", namespace = \"dev\", name = \"db\" }\n";
    let r = testing::grade(
        &["dev"],
        &format!(
            "{target}rbac_rules = {{ at_least = [{{ apiGroups = [\"\"], resources = [\"secrets\"], verbs = [\"get\"] }}] }}"
        ),
        &snap,
    );
    assert_eq!(
        (r.status, r.actual.as_str()),
        (Status::Fail, "missing: get secrets")
    );
    let r = testing::grade(
        &["dev"],
        &format!(
            "{target}rbac_rules = {{ exactly = [{{ apiGroups = [\"\"], resources = [\"secrets\"], resourceNames = [\"db\"], verbs = [\"get\"] }}] }}"
        ),
        &snap,
    );
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "role db in dev: grants exactly: get secrets named \"db\""
    );
}

#[test]
fn rbac_rules_mistakes_are_located() {
    let err = |body: &str| testing::check(&["dev"], &format!("{POD_READER}{body}")).unwrap_err();
    assert_eq!(
        err(r#"rbac_rules = { at_least = [{ resources = ["pods"], verbs = ["get"] }] }"#),
        [
            "grading/t.toml:10:28: rbac_rules: a rule with resources needs apiGroups ([\"\"] is the core group)"
        ]
    );
    assert_eq!(
        err(r#"rbac_rules = { at_least = [{ apiGroups = [""], resources = ["pods"] }] }"#),
        ["grading/t.toml:10:28: rbac_rules: a rule needs verbs"]
    );
    assert_eq!(
        err(r"rbac_rules = { exactly = [], at_most = [] }"),
        [
            "grading/t.toml:10:14: rbac_rules takes one of exactly, at_least, at_most: a list of rules"
        ]
    );
    assert_eq!(
        err(r#"rbac_rules = { at_most = [{ nonResourceURLs = ["healthz"], verbs = ["get"] }] }"#),
        ["grading/t.toml:10:27: rbac_rules: nonResourceURL 'healthz' must start with '/'"]
    );
    let unknown = err(
        r#"rbac_rules = { at_most = [{ apiGroup = [""], resources = ["pods"], verbs = ["get"] }] }"#,
    );
    assert!(
        unknown[0].contains("unknown field `apiGroup`"),
        "{unknown:?}"
    );
    let pod = testing::check(
        &["dev"],
        "target = { kind = \"Pod\", namespace = \"dev\", name = \"p\" }\nrbac_rules = { exactly = [] }",
    )
    .unwrap_err();
    assert_eq!(
        pod,
        [
            "grading/t.toml:9:10: check 'k': rbac_rules applies to a Role or ClusterRole, not to a Pod"
        ]
    );
}
