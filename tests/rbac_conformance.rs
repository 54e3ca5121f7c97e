//! RBAC conformance: questions answered as kube-apiserver's authorizer
//! answers them (a SubjectAccessReview's `allowed` and `reason`), built from
//! the Kubernetes RBAC documentation and the authorizer's rules
//! (`plugin/pkg/auth/authorizer/rbac`: `RuleAllows`, the `rbac/v1`
//! evaluation helpers, the default rule resolver, the impersonation filter's
//! groups, the privileged `system:masters` group), over the default roles the
//! server creates (`fixtures/rbac/default-policy.yaml`) and the objects of
//! `fixtures/rbac/conformance.yaml`.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::Path;

use ckasim::rbac::{Policy, Request, ResourceRequest, Subject, can_i};
use ckasim::snapshot::read_documents;

fn objects() -> Vec<serde_json::Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rbac");
    let mut objects = read_documents(&dir.join("default-policy.yaml")).unwrap();
    objects.extend(read_documents(&dir.join("conformance.yaml")).unwrap());
    objects
}

/// `USER[+GROUP,GROUP]`: the user `kubectl --as USER [--as-group GROUP]...` impersonates.
fn subject(spec: &str) -> Subject {
    match spec.split_once('+') {
        None => Subject::impersonated(spec, &[]),
        Some((user, groups)) => {
            let groups: Vec<String> = groups.split(',').map(str::to_string).collect();
            Subject::impersonated(user, &groups)
        }
    }
}

/// `VERB RESOURCE[.GROUP][/NAME] [sub=SUBRESOURCE]` or `VERB /PATH`, in
/// namespace `ns` (`-`: cluster-wide).
fn request(spec: &str, ns: &str) -> Request {
    let mut words = spec.split_whitespace();
    let verb = words.next().unwrap().to_string();
    let target = words.next().unwrap();
    let subresource = words
        .next()
        .map(|w| w.strip_prefix("sub=").unwrap().to_string())
        .unwrap_or_default();
    if target.starts_with('/') {
        return Request::NonResource {
            verb,
            path: target.to_string(),
        };
    }
    let (kind, name) = target.split_once('/').unwrap_or((target, ""));
    let (resource, group) = kind.split_once('.').unwrap_or((kind, ""));
    Request::Resource(ResourceRequest {
        verb,
        group: group.to_string(),
        resource: resource.to_string(),
        subresource,
        name: name.to_string(),
        namespace: if ns == "-" {
            String::new()
        } else {
            ns.to_string()
        },
    })
}

const JANE: &str =
    r#"RBAC: allowed by RoleBinding "read-pods/dev" of Role "pod-reader" to User "jane""#;
const DISCOVERY: &str = r#"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#;
const BASIC: &str = r#"RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated""#;
const PUBLIC: &str = r#"RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated""#;
const CI: &str = r#"RBAC: allowed by RoleBinding "named-access/dev" of Role "named-access" to ServiceAccount "ci/dev""#;
const SA_NS: &str = r#"RBAC: allowed by ClusterRoleBinding "sa-namespace-lister" of ClusterRole "namespace-lister" to Group "system:serviceaccounts""#;
const DAVE: &str = r#"RBAC: allowed by RoleBinding "read-secrets/dev" of ClusterRole "secret-reader" to User "dave""#;
const MANAGER: &str = r#"RBAC: allowed by ClusterRoleBinding "read-secrets-global" of ClusterRole "secret-reader" to Group "manager""#;
const SCALER: &str = r#"RBAC: allowed by ClusterRoleBinding "scaler" of ClusterRole "scaler" to ServiceAccount "autoscaler/prod""#;
const QA: &str = r#"RBAC: allowed by RoleBinding "qa-logs/dev" of Role "log-reader" to Group "qa""#;
const OPS: &str =
    r#"RBAC: allowed by ClusterRoleBinding "ops-nodes" of ClusterRole "node-reader" to User "ops""#;
const INTERN: &str = r#"RBAC: allowed by RoleBinding "nodes-in-dev/dev" of ClusterRole "node-reader" to User "intern""#;
const MONITOR: &str = r#"RBAC: allowed by ClusterRoleBinding "monitor-logs" of ClusterRole "log-viewer" to User "monitor""#;
const GHOST_CR: &str =
    r#"RBAC: clusterrole.rbac.authorization.k8s.io "missing-cluster-role" not found"#;
const GHOST_BOTH: &str = r#"RBAC: [clusterrole.rbac.authorization.k8s.io "missing-cluster-role" not found, role.rbac.authorization.k8s.io "missing-role" not found]"#;
const WANDERER_MISSING: &str = r#"RBAC: role.rbac.authorization.k8s.io "prod-deployer" not found"#;
const WANDERER: &str = r#"RBAC: allowed by RoleBinding "prod-deployer/prod" of Role "prod-deployer" to User "wanderer""#;
const BUILDER: &str = r#"RBAC: allowed by RoleBinding "local-sa/team-a" of ClusterRole "secret-reader" to ServiceAccount "builder/team-a""#;
const TEAM_A: &str = r#"RBAC: allowed by RoleBinding "team-a-apps/team-a" of Role "apps-all" to Group "system:serviceaccounts:team-a""#;
const VIEWER: &str = r#"RBAC: allowed by RoleBinding "viewer/dev" of ClusterRole "view" to ServiceAccount "viewer/dev""#;
const EDITOR: &str =
    r#"RBAC: allowed by RoleBinding "editor/dev" of ClusterRole "edit" to User "editor""#;
const BOSS: &str =
    r#"RBAC: allowed by RoleBinding "boss/dev" of ClusterRole "admin" to User "boss""#;
const PROMETHEUS: &str = r#"RBAC: allowed by ClusterRoleBinding "prometheus" of ClusterRole "monitoring" to ServiceAccount "prometheus/monitoring""#;
const SUPPORT: &str = r#"RBAC: allowed by ClusterRoleBinding "impersonator" of ClusterRole "impersonator" to User "support""#;

const SA_CI: &str = "system:serviceaccount:dev:ci";
const SA_SCALER: &str = "system:serviceaccount:prod:autoscaler";
const SA_BUILDER: &str = "system:serviceaccount:team-a:builder";
const SA_VIEWER: &str = "system:serviceaccount:dev:viewer";
const SA_PROM: &str = "system:serviceaccount:monitoring:prometheus";

/// (subject, request, namespace, allowed, the reason the API server gives).
const CASES: &[(&str, &str, &str, bool, &str)] = &[
    // A Role bound by a RoleBinding: its verbs, its resource, its namespace.
    ("jane", "get pods", "dev", true, JANE),
    ("jane", "list pods", "dev", true, JANE),
    ("jane", "watch pods", "dev", true, JANE),
    ("jane", "get pods/web", "dev", true, JANE),
    ("jane", "delete pods", "dev", false, ""),
    ("jane", "create pods", "dev", false, ""),
    ("jane", "get pods", "prod", false, ""),
    ("jane", "get pods", "-", false, ""),
    ("jane", "get pods sub=log", "dev", false, ""),
    ("jane", "get deployments.apps", "dev", false, ""),
    ("jane", "get pods.metrics.k8s.io", "dev", false, ""),
    ("jane", "* *", "dev", false, ""),
    ("Jane", "get pods", "dev", false, ""),
    ("someone+jane", "get pods", "dev", false, ""),
    // Every authenticated user: discovery and self reviews.
    ("jane", "get /api", "-", true, DISCOVERY),
    (
        "jane",
        "get /api/v1/namespaces/dev/pods",
        "-",
        true,
        DISCOVERY,
    ),
    ("jane", "get /apis/apps/v1", "-", true, DISCOVERY),
    ("jane", "post /api", "-", false, ""),
    ("jane", "get /healthz/etcd", "-", false, ""),
    ("jane", "get /metrics", "-", false, ""),
    (
        "jane",
        "create selfsubjectaccessreviews.authorization.k8s.io",
        "-",
        true,
        BASIC,
    ),
    (
        "jane",
        "create selfsubjectaccessreviews.authorization.k8s.io",
        "dev",
        true,
        BASIC,
    ),
    // The anonymous user is unauthenticated.
    ("system:anonymous", "get /healthz", "-", true, PUBLIC),
    ("system:anonymous", "get /version", "-", true, PUBLIC),
    ("system:anonymous", "get /api", "-", false, ""),
    (
        "system:anonymous",
        "create selfsubjectaccessreviews.authorization.k8s.io",
        "-",
        false,
        "",
    ),
    ("jane+system:unauthenticated", "get /api", "-", false, ""),
    (
        "jane+system:unauthenticated",
        "get /readyz",
        "-",
        true,
        PUBLIC,
    ),
    // resourceNames: only requests for that name; never list, watch,
    // create or deletecollection without one.
    (SA_CI, "get secrets/db-creds", "dev", true, CI),
    (SA_CI, "get secrets/other", "dev", false, ""),
    (SA_CI, "get secrets", "dev", false, ""),
    (SA_CI, "list secrets", "dev", false, ""),
    (SA_CI, "watch secrets", "dev", false, ""),
    (SA_CI, "list configmaps", "dev", false, ""),
    (SA_CI, "watch configmaps", "dev", false, ""),
    (SA_CI, "create configmaps", "dev", false, ""),
    (SA_CI, "deletecollection configmaps", "dev", false, ""),
    (SA_CI, "update configmaps/app-config", "dev", true, CI),
    (SA_CI, "list configmaps/app-config", "dev", true, CI),
    (SA_CI, "watch configmaps/app-config", "dev", true, CI),
    (SA_CI, "delete configmaps/app-config", "dev", false, ""),
    (SA_CI, "get configmaps/app-config", "prod", false, ""),
    (
        "system:serviceaccount:prod:ci",
        "get secrets/db-creds",
        "dev",
        false,
        "",
    ),
    // A ServiceAccount's groups, and --as-group replacing them.
    (SA_CI, "list namespaces", "-", true, SA_NS),
    (
        "system:serviceaccount:dev:ci+custom",
        "list namespaces",
        "-",
        false,
        "",
    ),
    (
        "system:serviceaccount:dev:ci+system:serviceaccounts",
        "list namespaces",
        "-",
        true,
        SA_NS,
    ),
    ("jane", "list namespaces", "-", false, ""),
    // A ClusterRole bound by a RoleBinding grants in that namespace only.
    ("dave", "get secrets", "dev", true, DAVE),
    ("dave", "list secrets", "dev", true, DAVE),
    ("dave", "get secrets", "prod", false, ""),
    ("dave", "list secrets", "-", false, ""),
    // A ClusterRoleBinding to a group grants everywhere.
    ("lee+manager", "list secrets", "-", true, MANAGER),
    ("lee+manager", "get secrets/any", "prod", true, MANAGER),
    ("lee+manager", "delete secrets/any", "prod", false, ""),
    ("lee", "list secrets", "-", false, ""),
    // Subresources: `resource/subresource` and `*/subresource`.
    (
        SA_SCALER,
        "update deployments.apps/web sub=scale",
        "prod",
        true,
        SCALER,
    ),
    (
        SA_SCALER,
        "patch deployments.apps sub=scale",
        "-",
        true,
        SCALER,
    ),
    (SA_SCALER, "update deployments.apps/web", "prod", false, ""),
    (
        SA_SCALER,
        "update statefulsets.apps/db sub=scale",
        "prod",
        false,
        "",
    ),
    (
        SA_SCALER,
        "get deployments.extensions/web sub=scale",
        "prod",
        false,
        "",
    ),
    (SA_SCALER, "get pods/web sub=status", "dev", true, SCALER),
    (SA_SCALER, "get nodes/n1 sub=status", "-", true, SCALER),
    (SA_SCALER, "update pods/web sub=status", "dev", false, ""),
    (SA_SCALER, "get pods/web", "dev", false, ""),
    ("x+qa", "get pods/web sub=log", "dev", true, QA),
    ("x+qa", "get pods/web", "dev", true, QA),
    ("x+qa", "get pods/web sub=exec", "dev", false, ""),
    ("x+qa", "create pods/web sub=log", "dev", false, ""),
    // Cluster-scoped resources: a ClusterRoleBinding grants them; a
    // RoleBinding answers only a question asked in its namespace.
    ("ops", "list nodes", "-", true, OPS),
    ("ops", "list nodes", "dev", true, OPS),
    ("ops", "delete nodes/n1", "-", false, ""),
    ("intern", "list nodes", "-", false, ""),
    ("intern", "list nodes", "dev", true, INTERN),
    // Non-resource URLs: exact, or a prefix ending in `*`.
    ("monitor", "get /logs/", "-", true, MONITOR),
    (
        "monitor",
        "get /logs/kube-apiserver.log",
        "-",
        true,
        MONITOR,
    ),
    ("monitor", "get /logs", "-", false, ""),
    ("monitor", "get /metrics", "-", true, MONITOR),
    ("monitor", "get /metrics/slis", "-", false, ""),
    ("monitor", "post /logs/x", "-", false, ""),
    ("monitor", "delete /debug/pprof/heap", "-", true, MONITOR),
    ("monitor", "get pods", "dev", false, ""),
    // A missing roleRef grants nothing; the server names it.
    ("ghost", "get pods", "dev", false, GHOST_BOTH),
    ("ghost", "get pods", "-", false, GHOST_CR),
    ("ghost", "get /api", "-", true, DISCOVERY),
    // A RoleBinding finds a Role in its own namespace only.
    (
        "wanderer",
        "create deployments.apps",
        "dev",
        false,
        WANDERER_MISSING,
    ),
    (
        "wanderer",
        "create deployments.apps",
        "prod",
        true,
        WANDERER,
    ),
    // A ServiceAccount subject without a namespace: the RoleBinding's; in a
    // ClusterRoleBinding it names nobody.
    (SA_BUILDER, "get secrets", "team-a", true, BUILDER),
    (
        "system:serviceaccount:dev:builder",
        "get secrets",
        "team-a",
        false,
        "",
    ),
    (
        "system:serviceaccount:default:deployer",
        "get pods",
        "default",
        false,
        "",
    ),
    ("deployer", "get pods", "default", false, ""),
    // `*` verbs and resources within a group, bound to a namespace's ServiceAccounts.
    (
        SA_BUILDER,
        "delete deployments.apps/x",
        "team-a",
        true,
        TEAM_A,
    ),
    (SA_BUILDER, "* deployments.apps", "team-a", true, TEAM_A),
    (
        SA_BUILDER,
        "update statefulsets.apps sub=scale",
        "team-a",
        true,
        TEAM_A,
    ),
    (SA_BUILDER, "create pods", "team-a", false, ""),
    (SA_BUILDER, "delete deployments.apps/x", "-", false, ""),
    (
        "system:serviceaccount:team-a:builder+ci",
        "delete deployments.apps/x",
        "team-a",
        false,
        "",
    ),
    // view: read most things, not Secrets, not write.
    (SA_VIEWER, "list pods", "dev", true, VIEWER),
    (SA_VIEWER, "get deployments.apps/web", "dev", true, VIEWER),
    (SA_VIEWER, "get pods/web sub=log", "dev", true, VIEWER),
    (SA_VIEWER, "get secrets", "dev", false, ""),
    (SA_VIEWER, "create pods", "dev", false, ""),
    (SA_VIEWER, "create pods/web sub=exec", "dev", false, ""),
    (
        SA_VIEWER,
        "list roles.rbac.authorization.k8s.io",
        "dev",
        false,
        "",
    ),
    (SA_VIEWER, "list pods", "prod", false, ""),
    // edit = its own rules and view's (aggregated through view's label).
    ("editor", "create deployments.apps", "dev", true, EDITOR),
    ("editor", "get secrets/x", "dev", true, EDITOR),
    ("editor", "create pods/web sub=exec", "dev", true, EDITOR),
    ("editor", "list pods", "dev", true, EDITOR),
    (
        "editor",
        "impersonate serviceaccounts/x",
        "dev",
        true,
        EDITOR,
    ),
    (
        "editor",
        "create serviceaccounts/x sub=token",
        "dev",
        true,
        EDITOR,
    ),
    (
        "editor",
        "create roles.rbac.authorization.k8s.io",
        "dev",
        false,
        "",
    ),
    ("editor", "create deployments.apps", "prod", false, ""),
    // admin holds edit's rules, which hold view's: aggregation through aggregated roles.
    (
        "boss",
        "create rolebindings.rbac.authorization.k8s.io",
        "dev",
        true,
        BOSS,
    ),
    (
        "boss",
        "create localsubjectaccessreviews.authorization.k8s.io",
        "dev",
        true,
        BOSS,
    ),
    ("boss", "delete deployments.apps/web", "dev", true, BOSS),
    ("boss", "list pods", "dev", true, BOSS),
    (
        "boss",
        "create rolebindings.rbac.authorization.k8s.io",
        "prod",
        false,
        "",
    ),
    ("boss", "create namespaces", "-", false, ""),
    // system:masters is allowed everything before RBAC.
    ("root+system:masters", "delete nodes/n1", "-", true, ""),
    ("root+system:masters", "* *", "-", true, ""),
    ("root+system:masters", "get /anything", "-", true, ""),
    // Aggregation of the user's own ClusterRoles, by matchLabels and matchExpressions.
    (SA_PROM, "list endpoints", "dev", true, PROMETHEUS),
    (SA_PROM, "get nodes.metrics.k8s.io", "-", true, PROMETHEUS),
    (SA_PROM, "get pods/x sub=log", "dev", false, ""),
    (SA_PROM, "delete services/x", "dev", false, ""),
    // Impersonation rights, named.
    ("support", "impersonate users/jane", "-", true, SUPPORT),
    (
        "support",
        "impersonate groups/developers",
        "-",
        true,
        SUPPORT,
    ),
    ("support", "impersonate users/boss", "-", false, ""),
    ("support", "impersonate users", "-", false, ""),
];

#[test]
fn the_authorizer_answers_every_case_as_the_api_server() {
    let objects = objects();
    let policy = Policy::from_objects(&objects);
    let mut failures = Vec::new();
    for (who, what, ns, allowed, reason) in CASES {
        let decision = can_i(&policy, &subject(who), &request(what, ns));
        if decision.allowed() != *allowed || decision.reason() != *reason {
            failures.push(format!(
                "--as {who} {what} -n {ns}: want {allowed} {reason:?}, got {} {:?}",
                decision.allowed(),
                decision.reason()
            ));
        }
    }
    assert!(CASES.len() >= 120, "{} cases", CASES.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn aggregated_default_roles_hold_the_rules_of_the_roles_they_select() {
    let objects = objects();
    let policy = Policy::from_objects(&objects);
    let view = policy.cluster_role("view").unwrap();
    let aggregate_to_view = policy.cluster_role("system:aggregate-to-view").unwrap();
    assert_eq!(view, aggregate_to_view);
    let edit = policy.cluster_role("edit").unwrap();
    let admin = policy.cluster_role("admin").unwrap();
    assert!(view.iter().all(|r| edit.contains(r)));
    assert!(edit.iter().all(|r| admin.contains(r)));
    assert!(admin.len() > edit.len() && edit.len() > view.len());
    // monitoring-logs carries tier=logging, which the selector does not take.
    let monitoring = policy.cluster_role("monitoring").unwrap();
    assert_eq!(monitoring.len(), 2, "{monitoring:?}");
}
