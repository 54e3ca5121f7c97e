//! Grading at cluster scale, after the reads: a rubric that reads every
//! node, every pod of the cluster and its RBAC objects, graded against a
//! synthetic cluster of 5 000 pods on 50 nodes in 100 namespaces, 2 000 RBAC
//! objects and 500 network policies (`support/scale.rs`).

#[path = "support/scale.rs"]
mod scale;

use criterion::{Criterion, criterion_group, criterion_main};

use ckasim::report::Source;

/// Checks over nodes, all pods and RBAC, in the shapes the CKA asks about.
const CHECKS: &str = r#"
[[criteria.checks]]
title = "every node is Ready"
points = 1
target = { kind = "Node", selector = "node-role.kubernetes.io/worker" }
field = { path = '{.status.conditions[?(@.type=="Ready")].status}', equals = "True" }

[[criteria.checks]]
title = "worker-13 is cordoned"
points = 1
target = { kind = "Node", name = "worker-13" }
field = { path = "{.spec.unschedulable}", equals = true }

[[criteria.checks]]
title = "worker-07 has capacity for 110 pods"
points = 1
target = { kind = "Node", name = "worker-07" }
field = { path = "{.status.allocatable.pods}", at_least = "110", as = "quantity" }

[[criteria.checks]]
title = "no pod of the cluster runs on worker-13 (drained)"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app" }
field = { path = "{.spec.nodeName}", matches = "worker-(0[0-9]|1[0-24-9]|[2-9][0-9])" }

[[criteria.checks]]
title = "every pod of the cluster asks for at most 128Mi"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app" }
field = { path = "{.spec.containers[*].resources.requests.memory}", at_most = "128Mi", as = "quantity" }

[[criteria.checks]]
title = "the api pods of the cluster meet baseline"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app=api" }
pod_security = { level = "baseline" }

[[criteria.checks]]
title = "at least 4 900 pods of the cluster are Ready"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app" }
ready_replicas = { at_least = 4900 }

[[criteria.checks]]
title = "binding-1 binds user-1"
points = 1
target = { kind = "RoleBinding", namespace = "team-001", name = "binding-1" }
field = { path = "{.subjects[*].name}", contains = "user-1", over = "any" }

[[criteria.checks]]
title = "every RoleBinding of the cluster names a role"
points = 1
target = { kind = "RoleBinding", all_namespaces = true, selector = "!nonexistent" }
field = { path = "{.roleRef.name}", matches = "(cluster)?role-[0-9]+" }

[[criteria.checks]]
title = "some ClusterRole aggregates monitoring roles"
points = 1
target = { kind = "ClusterRole", selector = "rbac.example.com/aggregate-to-monitoring=true", match = "any" }
field = { path = "{.aggregationRule.clusterRoleSelectors[*].matchLabels}", present = true }

[[criteria.checks]]
title = "clusterbinding-3 grants a ClusterRole"
points = 1
target = { kind = "ClusterRoleBinding", name = "clusterbinding-3" }
field = { path = "{.roleRef.name}", equals = { ref = { kind = "ClusterRole", name = "clusterrole-2", path = "{.metadata.name}" } } }
"#;

/// The node, drain, placement and reference checks of `evaluator::{nodes, workloads}` over the
/// same cluster.
const EVALUATOR_CHECKS: &str = r#"
[[criteria.checks]]
title = "worker-07 is Ready, schedulable, in zone-1"
points = 1
target = { kind = "Node", name = "worker-07" }
node = { ready = true, schedulable = true, labels = { "topology.kubernetes.io/zone" = "zone-1" } }

[[criteria.checks]]
title = "worker-13 is drained (evaluator)"
points = 1
target = { kind = "Node", name = "worker-13" }
drained = true

[[criteria.checks]]
title = "no pod of the cluster is on worker-13 (placement)"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app" }
placement = { not_on_node = "worker-13" }

[[criteria.checks]]
title = "the pods of the cluster cover every node they may go to"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app" }
placement = { every_allowed_node = true }

[[criteria.checks]]
title = "every ConfigMap and Secret the pods of the cluster reference resolves"
points = 1
target = { kind = "Pod", all_namespaces = true, selector = "app" }
refs_resolve = true
"#;

fn benches(c: &mut Criterion) {
    let scale = scale::Scale::default();
    let snapshot = scale::cluster(&scale);
    let entry = scale::entry(&format!("{CHECKS}{EVALUATOR_CHECKS}"));
    let evaluators_only = scale::entry(EVALUATOR_CHECKS);
    let at = chrono::Utc::now();
    let source = Source::Snapshot {
        snapshot: Vec::new(),
    };
    let report = ckasim::grade::grade(&entry, &snapshot, at, source.clone());
    // The rubric is graded, not short-circuited: every check passes on this cluster.
    let failing = scale::failing(&report);
    assert!(failing.is_empty(), "{failing:#?}");
    c.bench_function("grade nodes, all pods and RBAC of 5000 pods", |b| {
        b.iter(|| ckasim::grade::grade(&entry, &snapshot, at, source.clone()).score);
    });
    c.bench_function(
        "grade the node, drain, placement and refs checks of 5000 pods",
        |b| {
            b.iter(|| ckasim::grade::grade(&evaluators_only, &snapshot, at, source.clone()).score);
        },
    );
    // Each check alone, to see where the time goes.
    for one in [CHECKS, EVALUATOR_CHECKS]
        .iter()
        .flat_map(|checks| checks.split("[[criteria.checks]]").skip(1))
    {
        let alone = scale::entry(&format!("[[criteria.checks]]{one}"));
        let title = alone.rubric.criteria[0].checks[0].title.clone();
        c.bench_function(&format!("check: {title}"), |b| {
            b.iter(|| ckasim::grade::grade(&alone, &snapshot, at, source.clone()).score);
        });
    }
    c.bench_function("build the 5000-pod snapshot", |b| {
        b.iter(|| scale::cluster(&scale).objects().len());
    });
}

criterion_group!(cluster_scale, benches);
criterion_main!(cluster_scale);
