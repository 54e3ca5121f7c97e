use serde_json::{Value, json};

use crate::evaluator::testing;
use crate::kind::Kind;
use crate::report::Status;
use crate::snapshot::Snapshot;

/// A CRD as the API server stores it once established: v1alpha1 still
/// served, v1 served and stored.
fn shipments(established: &str) -> Value {
    let version = |name: &str, storage: bool| {
        json!({"name": name, "served": true, "storage": storage,
               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                   "spec": {"type": "object", "properties": {
                       "destination": {"type": "string"}, "weightKg": {"type": "integer"}}}}}}})
    };
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "shipments.logistics.sim.dev", "uid": "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
                     "generation": 1, "creationTimestamp": "2026-11-29T15:30:00Z"},
        "spec": {"group": "logistics.sim.dev", "scope": "Namespaced", "conversion": {"strategy": "None"},
                 "names": {"kind": "Shipment", "listKind": "ShipmentList", "plural": "shipments",
                           "singular": "shipment", "shortNames": ["shp"]},
                 "versions": [version("v1alpha1", false), version("v1", true)]},
        "status": {"acceptedNames": {"kind": "Shipment", "listKind": "ShipmentList", "plural": "shipments",
                                     "singular": "shipment", "shortNames": ["shp"]},
                   "conditions": [
                       {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                        "message": "no conflicts found", "lastTransitionTime": "2026-11-29T15:30:00Z"},
                       {"type": "Established", "status": established, "reason": "InitialNamesAccepted",
                        "message": "the initial names have been accepted", "lastTransitionTime": "2026-11-29T15:30:00Z"}],
                   "storedVersions": ["v1"]}
    })
}

fn cluster(established: &str) -> Snapshot {
    testing::snapshot(&[
        shipments(established),
        json!({"apiVersion": "logistics.sim.dev/v1", "kind": "Shipment",
               "metadata": {"name": "atlas-7", "namespace": "logistics", "generation": 1,
                            "uid": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"},
               "spec": {"destination": "Lisbon", "weightKg": 1200}}),
    ])
}

const TARGET: &str =
    "target = { kind = \"CustomResourceDefinition\", name = \"shipments.logistics.sim.dev\" }\n";

#[test]
fn a_served_and_stored_version_of_an_established_crd_passes() {
    let body = format!(
        "{TARGET}crd = {{ group = \"logistics.sim.dev\", kind = \"Shipment\", served_version = \"v1alpha1\", storage_version = \"v1\", scope = \"Namespaced\" }}"
    );
    let r = testing::grade(&["logistics"], &body, &cluster("True"));
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    assert_eq!(
        r.expected,
        "customresourcedefinition shipments.logistics.sim.dev: group logistics.sim.dev, kind Shipment, scope Namespaced, serves v1alpha1, stores v1, established"
    );
    assert_eq!(
        r.actual,
        "shipments.logistics.sim.dev: group logistics.sim.dev, kind Shipment, scope Namespaced, served v1alpha1, v1, storage v1, established"
    );
    assert!(
        r.inspect
            .starts_with("kubectl get customresourcedefinition"),
        "{}",
        r.inspect
    );
}

#[test]
fn a_wrong_version_or_an_unestablished_crd_fails_and_says_so() {
    let body =
        format!("{TARGET}crd = {{ served_version = \"v2\", storage_version = \"v1alpha1\" }}");
    let r = testing::grade(&["logistics"], &body, &cluster("False"));
    assert_eq!(r.status, Status::Fail);
    assert_eq!(
        r.actual,
        "shipments.logistics.sim.dev: served v1alpha1, v1 (expected v2), storage v1 (expected v1alpha1), not established (Established=False)"
    );
}

#[test]
fn a_custom_object_is_a_target_like_any_other() {
    let body = "target = { kind = \"Shipment\", api_version = \"logistics.sim.dev/v1\", namespace = \"logistics\", name = \"atlas-7\" }\nfield = { path = \"{.spec.destination}\", equals = \"Lisbon\" }";
    let r = testing::grade(&["logistics"], body, &cluster("True"));
    assert_eq!(r.status, Status::Pass, "{}", r.actual);
    let body = "target = { kind = \"Shipment\", api_version = \"logistics.sim.dev/v1\", namespace = \"logistics\", name = \"atlas-7\" }\nfield = { path = \"{.spec.weightKg}\", at_least = 1500 }";
    let r = testing::grade(&["logistics"], body, &cluster("True"));
    assert_eq!(r.status, Status::Fail, "{}", r.actual);
    let body = "target = { kind = \"Shipment\", api_version = \"logistics.sim.dev/v1\", namespace = \"logistics\", name = \"atlas-8\" }\nexists = true";
    assert_eq!(
        testing::grade(&["logistics"], body, &cluster("True")).status,
        Status::Fail
    );
}

#[test]
fn misuse_is_located() {
    let err =
        testing::check(&["logistics"], &format!("{TARGET}crd = {{ group = 1 }}")).unwrap_err();
    assert!(err[0].starts_with("grading/t.toml:10:"), "{err:?}");
    let err = testing::check(
        &["logistics"],
        "target = { kind = \"Deployment\", namespace = \"logistics\", name = \"x\" }\ncrd = { group = \"a\" }",
    )
    .unwrap_err();
    assert!(
        err[0].contains("crd applies to a CustomResourceDefinition, not to a Deployment"),
        "{err:?}"
    );
    let err = testing::check(
        &["logistics"],
        &format!("{TARGET}crd = {{ scope = \"Global\" }}"),
    )
    .unwrap_err();
    assert!(
        err[0].ends_with("crd: scope 'Global' is neither 'Namespaced' nor 'Cluster'"),
        "{err:?}"
    );
    let check = testing::check(
        &["logistics"],
        &format!("{TARGET}crd = {{ kind = \"Shipment\" }}"),
    )
    .unwrap();
    assert!(
        check
            .target
            .is_some_and(|t| t.kind == Kind::CustomResourceDefinition)
    );
}
