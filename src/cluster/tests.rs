//! The fetch plan and the setup rules, without a cluster.

use super::*;
use crate::kind::Kind;
use crate::library::Library;
use crate::library::scenario::SetupManifest;

fn secure_workspace() -> crate::library::Entry {
    let lib = Library::builtin().unwrap();
    lib.get("secure-workspace").unwrap().clone()
}

#[test]
fn secure_workspace_needs_one_list_per_kind_and_its_namespace_by_name() {
    let entry = secure_workspace();
    let ns = Some("secure-workspace".to_string());
    assert_eq!(
        plan(&entry.rubric),
        vec![
            Read::List {
                kind: Kind::ServiceAccount,
                namespace: ns.clone()
            },
            Read::List {
                kind: Kind::Secret,
                namespace: ns.clone()
            },
            Read::List {
                kind: Kind::Pod,
                namespace: ns.clone()
            },
            Read::List {
                kind: Kind::Deployment,
                namespace: ns.clone()
            },
            Read::List {
                kind: Kind::ReplicaSet,
                namespace: ns
            },
            Read::Get {
                kind: Kind::Namespace,
                name: "secure-workspace".into()
            },
        ]
    );
}

fn scenario_with_setup(yaml: &str) -> Scenario {
    let mut s = secure_workspace().scenario;
    s.namespaces = vec!["broken-web".into(), "tools".into()];
    s.setup = vec![SetupManifest {
        origin: "assets/setup/broken-web.yaml".into(),
        yaml: yaml.into(),
    }];
    s
}

#[test]
fn setup_objects_in_the_scenario_namespaces_are_accepted_namespaces_first() {
    let s = scenario_with_setup(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: broken-web\nspec:\n  containers: [{name: web, image: nginx}]\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: broken-web\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: tools\n",
    );
    let objects = setup_objects(&s).unwrap();
    let described: Vec<String> = objects.iter().map(SetupObject::describe).collect();
    assert_eq!(
        described,
        [
            "namespace/broken-web",
            "pod/web in namespace broken-web",
            "widget/w in namespace tools"
        ]
    );
}

#[test]
fn setup_outside_the_scenario_namespaces_is_refused() {
    let cases = [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n",
            "assets/setup/broken-web.yaml: ConfigMap 'c' is in namespace 'default', outside the namespaces scenario 'secure-workspace' owns (broken-web, tools)",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
            "assets/setup/broken-web.yaml: ConfigMap 'c' has no metadata.namespace: setup objects must name one of the namespaces scenario 'secure-workspace' owns (broken-web, tools)",
        ),
        (
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n",
            "assets/setup/broken-web.yaml: Namespace 'kube-system' is not one of the namespaces scenario 'secure-workspace' owns (broken-web, tools)",
        ),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: admin-all\n  namespace: tools\n",
            "assets/setup/broken-web.yaml: ClusterRole 'admin-all' is cluster-scoped and not one of the cluster_objects scenario 'secure-workspace' declares: setup may only create objects in the namespaces it owns (broken-web, tools) and the cluster-scoped objects it declares",
        ),
        (
            "apiVersion: v1\nkind: Pod\nspec: {}\n",
            "assets/setup/broken-web.yaml: a Pod has no metadata.name",
        ),
    ];
    for (yaml, message) in cases {
        let err = setup_objects(&scenario_with_setup(yaml)).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn setup_may_create_the_cluster_objects_the_scenario_declares_only() {
    let mut s = scenario_with_setup(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\nprovisioner: rancher.io/local-path\n---\napiVersion: logistics.sim.dev/v1\nkind: Depot\nmetadata:\n  name: north\n",
    );
    s.cluster_objects = vec![
        crate::library::scenario::ClusterObject {
            kind: "StorageClass".into(),
            api_version: None,
            name: "fast".into(),
        },
        crate::library::scenario::ClusterObject {
            kind: "Depot".into(),
            api_version: Some("logistics.sim.dev/v1".into()),
            name: "north".into(),
        },
    ];
    let objects = setup_objects(&s).unwrap();
    let described: Vec<String> = objects.iter().map(SetupObject::describe).collect();
    assert_eq!(described, ["storageclass/fast", "depot/north"]);
    assert!(objects.iter().all(|o| o.declared));
    // Another name of the same kind is not declared.
    s.cluster_objects[0].name = "slow".into();
    assert_eq!(
        setup_objects(&s).unwrap_err().to_string(),
        "assets/setup/broken-web.yaml: StorageClass 'fast' is cluster-scoped and not one of the cluster_objects scenario 'secure-workspace' declares: setup may only create objects in the namespaces it owns (broken-web, tools) and the cluster-scoped objects it declares"
    );
}

#[test]
fn one_bad_object_refuses_the_whole_setup() {
    let s = scenario_with_setup(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: broken-web\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: kube-system\n",
    );
    assert!(setup_objects(&s).is_err());
}

fn asset(name: &str) -> Vec<serde_json::Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    crate::snapshot::parse_documents(name, &text).unwrap()
}

#[test]
fn the_grader_role_reads_every_kind_and_changes_nothing() {
    let docs = asset("grader-rbac.yaml");
    let role = docs.iter().find(|d| d["kind"] == "ClusterRole").unwrap();
    let rules = role["rules"].as_array().unwrap();
    // Reads only, but for running observation commands and reading logs.
    for rule in rules {
        match rule["resources"].as_array().unwrap().as_slice() {
            [r] if r == "pods/exec" => assert_eq!(rule["verbs"], serde_json::json!(["create"])),
            [r] if r == "pods/log" => assert_eq!(rule["verbs"], serde_json::json!(["get"])),
            resources => {
                assert_eq!(rule["verbs"], serde_json::json!(["get", "list", "watch"]));
                assert!(resources.iter().all(|r| !r.as_str().unwrap().contains('/')));
            }
        }
    }
    for kind in Kind::ALL {
        let api = kind.api();
        let has = |list: &serde_json::Value, item: &str| {
            let list = list.as_array().unwrap();
            list.contains(&item.into()) || list.contains(&"*".into())
        };
        assert!(
            rules
                .iter()
                .any(|r| has(&r["apiGroups"], api.group) && has(&r["resources"], api.plural)),
            "{kind} is not readable by the grader role"
        );
    }
    let binding = docs
        .iter()
        .find(|d| d["kind"] == "ClusterRoleBinding")
        .unwrap();
    assert_eq!(binding["roleRef"]["name"], role["metadata"]["name"]);
}

#[test]
fn the_kind_cluster_has_a_control_plane_and_two_workers() {
    let docs = asset("kind-cluster.yaml");
    let roles: Vec<&str> = docs[0]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["control-plane", "worker", "worker"]);
    assert_eq!(docs[0]["name"], "cka");
}
