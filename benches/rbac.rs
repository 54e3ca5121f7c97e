//! RBAC at cluster size: reading 2 000 RBAC objects into a policy,
//! answering 1 000 `can_i` questions on it, and grading a rubric of RBAC
//! checks on the synthetic cluster of `support/scale.rs` (5 000 pods,
//! 2 000 RBAC objects, 500 network policies).

#[path = "support/scale.rs"]
mod scale;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use ckasim::rbac::{Policy, Request, ResourceRequest, Subject, can_i};
use ckasim::report::Source;

const NAMESPACES: usize = 50;
const ROLES_PER_NAMESPACE: usize = 15;
const CLUSTER_ROLES: usize = 250;
const RESOURCES: [(&str, &str); 6] = [
    ("", "pods"),
    ("", "secrets"),
    ("", "configmaps"),
    ("apps", "deployments"),
    ("batch", "jobs"),
    ("networking.k8s.io", "networkpolicies"),
];
const VERBS: [&str; 5] = ["get", "list", "watch", "create", "delete"];

fn rule(i: usize) -> Value {
    let (group, resource) = RESOURCES[i % RESOURCES.len()];
    let mut r = json!({
        "apiGroups": [group],
        "resources": [resource, format!("{resource}/status")],
        "verbs": [VERBS[i % VERBS.len()], VERBS[(i + 2) % VERBS.len()]],
    });
    if i.is_multiple_of(7) {
        r["resourceNames"] = json!([format!("obj-{}", i % 13)]);
    }
    r
}

fn binding(kind: &str, name: &str, ns: Option<&str>, role: (&str, &str), i: usize) -> Value {
    let subject = match i % 3 {
        0 => {
            json!({ "apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": format!("user-{}", i % 40) })
        }
        1 => {
            json!({ "apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": format!("group-{}", i % 10) })
        }
        _ => json!({ "kind": "ServiceAccount", "name": format!("sa-{}", i % 20),
                     "namespace": format!("ns-{}", i % NAMESPACES) }),
    };
    let mut b = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
        "metadata": { "name": name },
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": role.0, "name": role.1 },
        "subjects": [subject],
    });
    if let Some(ns) = ns {
        b["metadata"]["namespace"] = json!(ns);
    }
    b
}

/// 2 000 objects: 50 namespaces × (15 Roles + 15 RoleBindings), 250
/// ClusterRoles (some aggregated) and 250 ClusterRoleBindings.
fn cluster() -> Vec<Value> {
    let mut out = Vec::new();
    for n in 0..NAMESPACES {
        let ns = format!("ns-{n}");
        for r in 0..ROLES_PER_NAMESPACE {
            let i = n * ROLES_PER_NAMESPACE + r;
            let name = format!("role-{r}");
            out.push(json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": { "name": name, "namespace": ns },
                "rules": [rule(i), rule(i + 1), rule(i + 3)],
            }));
            let role_ref = if r.is_multiple_of(5) {
                ("ClusterRole", format!("cluster-role-{}", i % CLUSTER_ROLES))
            } else {
                ("Role", name)
            };
            out.push(binding(
                "RoleBinding",
                &format!("binding-{r}"),
                Some(&ns),
                (role_ref.0, &role_ref.1),
                i,
            ));
        }
    }
    for c in 0..CLUSTER_ROLES {
        let name = format!("cluster-role-{c}");
        let mut role = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": { "name": name, "labels": { "tier": format!("t{}", c % 10) } },
            "rules": [rule(c), rule(c + 2)],
        });
        if c.is_multiple_of(25) {
            role["aggregationRule"] = json!({ "clusterRoleSelectors": [{ "matchLabels": { "tier": format!("t{}", c % 10 + 1) } }] });
        }
        out.push(role);
        out.push(binding(
            "ClusterRoleBinding",
            &format!("cluster-binding-{c}"),
            None,
            ("ClusterRole", &name),
            c + 1,
        ));
    }
    out
}

/// 1 000 questions over users, groups and ServiceAccounts, namespaced and cluster-wide.
fn questions() -> Vec<(Subject, Request)> {
    (0..1000)
        .map(|i| {
            let subject = match i % 3 {
                0 => Subject::impersonated(&format!("user-{}", i % 40), &[]),
                1 => Subject::impersonated(&format!("someone-{i}"), &[format!("group-{}", i % 10)]),
                _ => Subject::impersonated(
                    &format!("system:serviceaccount:ns-{}:sa-{}", i % NAMESPACES, i % 20),
                    &[],
                ),
            };
            let (group, resource) = RESOURCES[i % RESOURCES.len()];
            let request = Request::Resource(ResourceRequest {
                verb: VERBS[(i / 3) % VERBS.len()].to_string(),
                group: group.to_string(),
                resource: resource.to_string(),
                subresource: if i.is_multiple_of(11) {
                    "status".into()
                } else {
                    String::new()
                },
                name: if i.is_multiple_of(4) {
                    format!("obj-{}", i % 13)
                } else {
                    String::new()
                },
                namespace: if i.is_multiple_of(10) {
                    String::new()
                } else {
                    format!("ns-{}", i % NAMESPACES)
                },
            });
            (subject, request)
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let objects = cluster();
    assert_eq!(objects.len(), 2000);
    c.bench_function("rbac: policy from 2000 RBAC objects", |b| {
        b.iter(|| Policy::from_objects(&objects));
    });
    let policy = Policy::from_objects(&objects);
    let questions = questions();
    let allowed = questions
        .iter()
        .filter(|(s, r)| can_i(&policy, s, r).allowed())
        .count();
    // A workload where both answers occur, so neither path is skipped.
    assert!(allowed > 50 && allowed < 950, "{allowed} of 1000 allowed");
    c.bench_function("rbac: 1000 can_i questions on 2000 RBAC objects", |b| {
        b.iter(|| {
            questions
                .iter()
                .filter(|(s, r)| can_i(&policy, s, r).allowed())
                .count()
        });
    });
}

/// RBAC checks on the synthetic cluster of `support/scale.rs`, every one
/// passing there: ServiceAccounts, users and groups, a RoleBinding of a
/// ClusterRole, a missing Role, an aggregated ClusterRole, a non-resource URL.
const CHECKS: &str = r#"
[[criteria.checks]]
title = "user-9 reads metrics in team-009"
points = 1
can_i = { as = "user-9", verb = "get", resource = "pods.metrics.k8s.io", namespace = "team-009", allowed = true }

[[criteria.checks]]
title = "sa-9 reads metrics in team-009"
points = 1
can_i = { as = "system:serviceaccount:team-009:sa-9", verb = "get", resource = "pods.metrics.k8s.io", namespace = "team-009", allowed = true }

[[criteria.checks]]
title = "user-9 cannot delete metrics"
points = 1
can_i = { as = "user-9", verb = "delete", resource = "pods.metrics.k8s.io", namespace = "team-009", allowed = false }

[[criteria.checks]]
title = "binding-5 names a Role of another namespace"
points = 1
can_i = { as = "user-5", verb = "get", resource = "pods", namespace = "team-005", allowed = false }

[[criteria.checks]]
title = "group-3 lists nodes"
points = 1
can_i = { as = "ops", groups = ["group-3"], verb = "list", resource = "nodes", allowed = true }

[[criteria.checks]]
title = "group-3 reads /healthz"
points = 1
can_i = { as = "ops", groups = ["group-3"], verb = "get", url = "/healthz", allowed = true }

[[criteria.checks]]
title = "group-3 cannot delete nodes"
points = 1
can_i = { as = "ops", groups = ["group-3"], verb = "delete", resource = "nodes", allowed = false }

[[criteria.checks]]
title = "role-4 reads pods"
points = 1
target = { kind = "Role", namespace = "team-004", name = "role-4" }
rbac_rules = { at_least = [{ apiGroups = [""], resources = ["pods"], verbs = ["get", "list"] }] }

[[criteria.checks]]
title = "role-4 grants exactly its three rules"
points = 1
target = { kind = "Role", namespace = "team-004", name = "role-4" }
rbac_rules = { exactly = [
  { apiGroups = [""], resources = ["pods", "pods/log"], verbs = ["get", "list", "watch"] },
  { apiGroups = ["apps"], resources = ["deployments"], verbs = ["get", "list", "update", "patch"] },
  { apiGroups = [""], resources = ["configmaps"], resourceNames = ["cfg-4"], verbs = ["get"] },
] }

[[criteria.checks]]
title = "clusterrole-2 aggregates node readers"
points = 1
target = { kind = "ClusterRole", name = "clusterrole-2" }
rbac_rules = { at_least = [{ apiGroups = [""], resources = ["nodes", "nodes/status"], verbs = ["get"] }] }
"#;

fn grading(c: &mut Criterion) {
    let snapshot = scale::cluster(&scale::Scale::default());
    let entry = scale::entry(CHECKS);
    let source = Source::Snapshot {
        snapshot: Vec::new(),
    };
    let at = chrono::Utc::now();
    let report = ckasim::grade::grade(&entry, &snapshot, at, source.clone());
    // Graded, not short-circuited: every check passes on this cluster.
    let failing = scale::failing(&report);
    assert!(failing.is_empty(), "{failing:#?}");
    c.bench_function(
        "rbac: grade 7 can_i + 3 rbac_rules checks on 5000 pods and 2000 RBAC objects",
        |b| b.iter(|| ckasim::grade::grade(&entry, &snapshot, at, source.clone()).score),
    );
}

criterion_group!(rbac, benches, grading);
criterion_main!(rbac);
