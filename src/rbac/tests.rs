use serde_json::{Value, json};

use super::resource::ResourceTypes;
use super::*;

fn groups(s: &Subject) -> Vec<&str> {
    s.groups.iter().map(String::as_str).collect()
}

#[test]
fn impersonation_gives_the_groups_the_api_server_gives() {
    let sa = Subject::impersonated("system:serviceaccount:dev:ci", &[]);
    assert_eq!(
        groups(&sa),
        [
            "system:serviceaccounts",
            "system:serviceaccounts:dev",
            "system:authenticated"
        ]
    );
    let replaced = Subject::impersonated("system:serviceaccount:dev:ci", &["qa".into()]);
    assert_eq!(groups(&replaced), ["qa", "system:authenticated"]);
    assert_eq!(
        groups(&Subject::impersonated("jane", &[])),
        ["system:authenticated"]
    );
    assert_eq!(
        groups(&Subject::impersonated("system:anonymous", &[])),
        ["system:unauthenticated"]
    );
    let unauth = Subject::impersonated("jane", &["system:unauthenticated".into()]);
    assert_eq!(groups(&unauth), ["system:unauthenticated"]);
    // Not a valid ServiceAccount name: a plain user, no ServiceAccount groups.
    for user in [
        "system:serviceaccount:dev",
        "system:serviceaccount:dev:ci:extra",
        "system:serviceaccount:Dev:ci",
        "system:serviceaccount::ci",
    ] {
        assert_eq!(
            groups(&Subject::impersonated(user, &[])),
            ["system:authenticated"],
            "{user}"
        );
    }
}

fn role(kind: &str, ns: Option<&str>, name: &str, rules: &Value) -> Value {
    let mut v = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": { "name": name },
        "rules": rules,
    });
    if let Some(ns) = ns {
        v["metadata"]["namespace"] = json!(ns);
    }
    v
}

fn binding(kind: &str, ns: Option<&str>, name: &str, role_ref: (&str, &str), user: &str) -> Value {
    let mut v = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": { "name": name },
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": role_ref.0, "name": role_ref.1 },
        "subjects": [{ "apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user }],
    });
    if let Some(ns) = ns {
        v["metadata"]["namespace"] = json!(ns);
    }
    v
}

fn get(resource: &str, name: &str, ns: &str) -> Request {
    Request::Resource(ResourceRequest {
        verb: "get".into(),
        resource: resource.into(),
        name: name.into(),
        namespace: ns.into(),
        ..ResourceRequest::default()
    })
}

#[test]
fn explain_names_the_binding_and_the_rule() {
    let objects = [
        role(
            "Role",
            Some("dev"),
            "reader",
            &json!([{ "apiGroups": [""], "resources": ["pods"], "verbs": ["get"] },
                   { "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"], "verbs": ["get"] }]),
        ),
        binding(
            "RoleBinding",
            Some("dev"),
            "read",
            ("Role", "reader"),
            "jane",
        ),
    ];
    let policy = Policy::from_objects(&objects);
    let jane = Subject::impersonated("jane", &[]);
    let d = can_i(&policy, &jane, &get("secrets", "db", "dev"));
    assert_eq!(
        d.explain(),
        [
            r#"allowed by RoleBinding "read/dev" of Role "reader" to User "jane""#,
            r#"rule: apiGroups: [""], resources: ["secrets"], resourceNames: ["db"], verbs: ["get"]"#,
        ]
    );
    let no = can_i(&policy, &jane, &get("secrets", "", "dev"));
    assert_eq!(no.explain(), ["no RBAC policy matched"]);
    assert_eq!(
        get("secrets", "db", "dev").to_string(),
        r#"get secrets/db in namespace "dev""#
    );
}

#[test]
fn a_later_object_replaces_an_earlier_one_and_odd_role_refs_grant_nothing() {
    let objects = [
        role(
            "ClusterRole",
            None,
            "r",
            &json!([{ "apiGroups": [""], "resources": ["pods"], "verbs": ["get"] }]),
        ),
        role(
            "ClusterRole",
            None,
            "r",
            &json!([{ "apiGroups": [""], "resources": ["nodes"], "verbs": ["get"] }]),
        ),
        binding(
            "ClusterRoleBinding",
            None,
            "b",
            ("ClusterRole", "r"),
            "jane",
        ),
        binding("ClusterRoleBinding", None, "odd", ("Policy", "r"), "sam"),
        // A ClusterRoleBinding has no namespace to find a Role in.
        binding("ClusterRoleBinding", None, "to-role", ("Role", "r"), "kim"),
    ];
    let policy = Policy::from_objects(&objects);
    let ask = |user: &str, resource: &str| {
        can_i(
            &policy,
            &Subject::impersonated(user, &[]),
            &get(resource, "", ""),
        )
    };
    assert!(!ask("jane", "pods").allowed());
    assert!(ask("jane", "nodes").allowed());
    assert_eq!(
        ask("sam", "nodes").reason(),
        r#"RBAC: unsupported role reference kind: "Policy""#
    );
    assert_eq!(
        ask("kim", "nodes").reason(),
        r#"RBAC: role.rbac.authorization.k8s.io "r" not found"#
    );
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> Rule {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect();
    Rule {
        api_groups: own(groups),
        resources: own(resources),
        resource_names: own(names),
        non_resource_urls: Vec::new(),
        verbs: own(verbs),
    }
}

#[test]
fn grants_compare_as_expanded_permissions_with_wildcards() {
    let granted = [
        rule(&[""], &["pods", "pods/log"], &["get", "list"], &[]),
        rule(&["apps"], &["*"], &["get"], &[]),
        rule(&[""], &["secrets"], &["get"], &["db"]),
    ];
    let expected = [
        rule(&[""], &["pods"], &["get", "list"], &[]),
        rule(&["apps"], &["deployments"], &["get"], &[]),
    ];
    let at_least = compare_grants(&granted, &expected, Mode::AtLeast);
    assert!(at_least.holds(), "{at_least}");
    let exactly = compare_grants(&granted, &expected, Mode::Exactly);
    assert!(!exactly.holds());
    assert_eq!(
        exactly.to_string(),
        r#"extra: get pods/log, list pods/log, get *.apps, get secrets named "db""#
    );
    let at_most = compare_grants(&expected, &granted, Mode::AtMost);
    assert!(at_most.holds(), "{at_most}");
    // A named grant does not give what an unnamed one expects.
    let want_all_secrets = [rule(&[""], &["secrets"], &["get"], &[])];
    let missing = compare_grants(&granted, &want_all_secrets, Mode::AtLeast);
    assert_eq!(missing.to_string(), "missing: get secrets");
    // `*/scale` covers every resource's scale, not the resource itself.
    let scale = [rule(&["apps"], &["*/scale"], &["update"], &[])];
    let want = [rule(
        &["apps"],
        &["deployments/scale", "statefulsets/scale"],
        &["update"],
        &[],
    )];
    assert!(compare_grants(&scale, &want, Mode::AtLeast).holds());
    let want_parent = [rule(&["apps"], &["deployments"], &["update"], &[])];
    assert!(!compare_grants(&scale, &want_parent, Mode::AtLeast).holds());
    // Non-resource URLs, with a trailing `*`.
    let urls = Rule {
        non_resource_urls: vec!["/logs/*".into()],
        verbs: vec!["get".into()],
        ..Rule::default()
    };
    let want_url = Rule {
        non_resource_urls: vec!["/logs/app.log".into()],
        verbs: vec!["get".into()],
        ..Rule::default()
    };
    assert!(
        compare_grants(
            std::slice::from_ref(&urls),
            std::slice::from_ref(&want_url),
            Mode::AtLeast
        )
        .holds()
    );
    assert_eq!(
        compare_grants(&[want_url], &[urls], Mode::AtLeast).to_string(),
        "missing: get /logs/*"
    );
}

#[test]
fn resource_types_resolve_as_kubectl_resolves_them() {
    let types = ResourceTypes::default();
    let q = |arg: &str| {
        types
            .resolve(arg)
            .map(super::resource::ResourceType::qualified)
    };
    assert_eq!(q("pods").as_deref(), Some("pods"));
    assert_eq!(q("po").as_deref(), Some("pods"));
    assert_eq!(q("Pod").as_deref(), Some("pods"));
    assert_eq!(q("deploy").as_deref(), Some("deployments.apps"));
    assert_eq!(q("deployments.apps").as_deref(), Some("deployments.apps"));
    assert_eq!(
        q("deployments.v1.apps").as_deref(),
        Some("deployments.apps")
    );
    assert_eq!(q("ev").as_deref(), Some("events"));
    assert_eq!(
        q("events.events.k8s.io").as_deref(),
        Some("events.events.k8s.io")
    );
    assert_eq!(
        q("netpol").as_deref(),
        Some("networkpolicies.networking.k8s.io")
    );
    assert_eq!(q("deployments.batch"), None);
    assert_eq!(q("pods.apps"), None);
    assert_eq!(q("pdos"), None);
    assert!(!types.resolve("nodes").is_some_and(|t| t.namespaced));
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": { "name": "crontabs.stable.example.com" },
        "spec": { "group": "stable.example.com", "scope": "Namespaced",
                  "names": { "plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"] } }
    });
    let with = ResourceTypes::with_definitions([&crd]);
    assert_eq!(
        with.resolve("ct")
            .map(super::resource::ResourceType::qualified)
            .as_deref(),
        Some("crontabs.stable.example.com")
    );
    assert_eq!(
        with.resolve("CronTab")
            .map(super::resource::ResourceType::qualified)
            .as_deref(),
        Some("crontabs.stable.example.com")
    );
}
