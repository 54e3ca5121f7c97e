use serde_json::{Value, json};

use super::*;

/// The `cka-security-mock` objects as a real cluster reported them: two
/// ready `catalog` pods (port 80, unnamed) in mock-images, four ready `api`
/// pods (8080) in mock-pss, and `inherit-pod` in mock-registry, which has
/// an IP but never became ready (its image cannot be pulled).
fn mock() -> Vec<Value> {
    crate::evaluator::testing::real_solved("cka-security-mock")
}

/// A Service as the API server stores it (cluster IP allocated, defaults filled in).
fn service(namespace: &str, name: &str, selector: &Value, ports: &Value) -> Value {
    let mut spec = json!({
        "clusterIP": "10.96.120.7", "clusterIPs": ["10.96.120.7"],
        "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack", "ports": ports,
        "sessionAffinity": "None", "type": "ClusterIP"
    });
    if !selector.is_null() {
        spec["selector"] = selector.clone();
    }
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "resourceVersion": "12001",
                     "uid": "7d1b6c1e-5a41-4a8e-b0f4-2c1e3d4f5a61",
                     "creationTimestamp": "2026-11-29T14:25:00Z"},
        "spec": spec,
        "status": {"loadBalancer": {}}
    })
}

fn tcp(port: u16, target: &Value) -> Value {
    json!([{"port": port, "protocol": "TCP", "targetPort": target}])
}

/// `catalog` in mock-images: port 80 to `target` of the catalog pods.
fn catalog_service(target: &Value) -> Value {
    service(
        "mock-images",
        "catalog",
        &json!({"app": "catalog"}),
        &tcp(80, target),
    )
}

/// `api` in mock-pss: port 80 to 8080 of the api pods.
fn api_service() -> Value {
    service(
        "mock-pss",
        "api",
        &json!({"app": "api"}),
        &tcp(80, &json!(8080)),
    )
}

fn pod_names(e: &Endpoints) -> Vec<String> {
    e.ready().iter().filter_map(|b| b.pod.clone()).collect()
}

#[test]
fn ready_pods_behind_a_numbered_target_port() {
    let objects = mock();
    let svc = catalog_service(&json!(80));
    let e = service_endpoints(&svc, &objects);
    assert_eq!(e.source, Source::Pods);
    assert_eq!(e.service_type, "ClusterIP");
    assert!(e.resolves());
    assert_eq!(
        pod_names(&e),
        vec!["catalog-6db8b85758-jdflx", "catalog-6db8b85758-pt47w"]
    );
    assert_eq!(e.ready()[0].ports[0].port, 80);
    assert_eq!(e.why_none(), None);
    let counts = e.pods.unwrap();
    assert_eq!((counts.matching, counts.ready), (2, 2));
}

#[test]
fn a_target_port_name_no_container_declares_leaves_no_endpoint() {
    let objects = mock();
    let svc = catalog_service(&json!("http"));
    let e = service_endpoints(&svc, &objects);
    assert!(!e.resolves());
    assert_eq!(
        e.why_none().unwrap(),
        "selector app=catalog matches 2 pods: 2 where the target port does not resolve"
    );
    // Named, it resolves per pod.
    let mut named = objects.clone();
    for o in &mut named {
        if o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .starts_with("catalog-")
            && o["kind"] == "Pod"
        {
            o["spec"]["containers"][0]["ports"][0]["name"] = json!("http");
        }
    }
    let e = service_endpoints(&svc, &named);
    assert_eq!(e.ready().len(), 2);
    assert_eq!(e.ready()[0].ports[0].port, 80);
}

#[test]
fn a_selector_matching_nothing_says_so() {
    let objects = mock();
    let svc = service(
        "mock-images",
        "catalog",
        &json!({"app": "catalogue"}),
        &tcp(80, &json!(80)),
    );
    let e = service_endpoints(&svc, &objects);
    assert_eq!(
        e.why_none().unwrap(),
        "selector app=catalogue matches no pod in namespace 'mock-images'"
    );
}

#[test]
fn pods_that_are_not_ready_are_counted() {
    let objects = mock();
    let svc = service(
        "mock-registry",
        "inherit",
        &json!({"run": "inherit-pod"}),
        &tcp(80, &json!(80)),
    );
    let e = service_endpoints(&svc, &objects);
    assert_eq!(e.backends.len(), 1);
    assert!(!e.backends[0].ready);
    assert_eq!(
        e.why_none().unwrap(),
        "selector run=inherit-pod matches 1 pod: 1 not ready"
    );
}

/// An `EndpointSlice` as the `EndpointSlice` controller writes it.
fn controller_slice(namespace: &str, service: &str, endpoints: &Value, ports: &Value) -> Value {
    json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "addressType": "IPv4",
        "metadata": {
            "name": format!("{service}-x7k2p"), "namespace": namespace,
            "generateName": format!("{service}-"),
            "labels": {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                       "kubernetes.io/service-name": service},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": service,
                                  "blockOwnerDeletion": true, "controller": true,
                                  "uid": "7d1b6c1e-5a41-4a8e-b0f4-2c1e3d4f5a61"}]
        },
        "endpoints": endpoints,
        "ports": ports
    })
}

fn slice_endpoint(ip: &str, pod: &str, ready: bool) -> Value {
    json!({
        "addresses": [ip],
        "conditions": {"ready": ready, "serving": ready, "terminating": false},
        "nodeName": "cka-worker",
        "targetRef": {"kind": "Pod", "name": pod, "namespace": "mock-pss",
                      "uid": "0f5e2f4c-1a7b-4c0e-9d1e-6b2a3c4d5e6f"}
    })
}

#[test]
fn endpoint_slices_decide_when_present() {
    let mut objects = mock();
    let svc = service(
        "mock-pss",
        "api",
        &json!({"app": "api"}),
        &json!([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]),
    );
    // As the controller writes it during the rollout: the old pods terminating.
    let mut terminating = slice_endpoint("10.244.1.241", "api-76897f9bb6-p4sbn", false);
    terminating["conditions"] = json!({"ready": false, "serving": true, "terminating": true});
    objects.push(controller_slice(
        "mock-pss",
        "api",
        &json!([
            terminating,
            slice_endpoint("10.244.1.11", "api-798c4f66b-hgzvh", true),
            slice_endpoint("10.244.1.7", "api-798c4f66b-tjng6", true)
        ]),
        &json!([{"name": "http", "port": 8080, "protocol": "TCP"}]),
    ));
    let e = service_endpoints(&svc, &objects);
    assert_eq!(e.source, Source::EndpointSlices);
    assert_eq!(
        pod_names(&e),
        vec!["api-798c4f66b-hgzvh", "api-798c4f66b-tjng6"]
    );
    assert_eq!(e.ready()[0].ports[0].port, 8080);
    let counts = e.pods.unwrap();
    assert_eq!(
        (counts.matching, counts.ready, counts.terminating),
        (4, 2, 2)
    );
}

#[test]
fn computed_from_pods_terminating_pods_are_not_ready() {
    let objects = mock();
    let svc = api_service();
    let e = service_endpoints(&svc, &objects);
    assert_eq!(e.source, Source::Pods);
    assert_eq!(
        pod_names(&e),
        vec!["api-798c4f66b-hgzvh", "api-798c4f66b-tjng6"]
    );
    assert_eq!(e.backends.len(), 4);
}

#[test]
fn an_empty_slice_with_ready_pods_is_reported_as_such() {
    let mut objects = mock();
    let svc = api_service();
    objects.push(controller_slice(
        "mock-pss",
        "api",
        &Value::Null,
        &Value::Null,
    ));
    let e = service_endpoints(&svc, &objects);
    assert_eq!(
        e.why_none().unwrap(),
        "selector app=api matches 4 pods (2 ready, 2 terminating), but its EndpointSlices list no ready endpoint"
    );
}

#[test]
fn a_service_without_selector_takes_manual_slices() {
    let mut objects = mock();
    let svc = service(
        "mock-pss",
        "external-db",
        &Value::Null,
        &tcp(5432, &json!(5432)),
    );
    let e = service_endpoints(&svc, &objects);
    assert_eq!(
        e.why_none().unwrap(),
        "the Service has no selector and no EndpointSlice lists an address for it"
    );
    objects.push(json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
        "metadata": {"name": "external-db-1", "namespace": "mock-pss",
                     "labels": {"kubernetes.io/service-name": "external-db"}},
        "endpoints": [{"addresses": ["192.0.2.10"]}],
        "ports": [{"port": 5432}]
    }));
    let e = service_endpoints(&svc, &objects);
    assert!(e.resolves());
    assert_eq!(e.ready()[0].address, "192.0.2.10");
    assert_eq!(e.ready()[0].pod, None);
    assert_eq!(e.ready()[0].ports[0].protocol, Protocol::Tcp);
}

#[test]
fn headless_services_without_ports_still_list_their_pods() {
    let objects = mock();
    let mut svc = service(
        "mock-pss",
        "api-headless",
        &json!({"app": "api"}),
        &Value::Null,
    );
    svc["spec"]["clusterIP"] = json!("None");
    svc["spec"]["clusterIPs"] = json!(["None"]);
    let e = service_endpoints(&svc, &objects);
    assert!(e.headless);
    assert_eq!(e.ready().len(), 2);
}

#[test]
fn external_name_services_resolve_to_their_host() {
    let svc = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "db", "namespace": "mock-pss"},
        "spec": {"type": "ExternalName", "externalName": "db.example.com", "sessionAffinity": "None"}});
    let e = service_endpoints(&svc, &mock());
    assert_eq!(e.source, Source::ExternalName);
    assert!(e.resolves());
    assert!(e.backends.is_empty());
}

#[test]
fn dual_stack_slices_count_each_pod_once() {
    let mut objects = mock();
    let svc = api_service();
    let ports = json!([{"name": "", "port": 8080, "protocol": "TCP"}]);
    objects.push(controller_slice(
        "mock-pss",
        "api",
        &json!([slice_endpoint("10.244.1.241", "api-76897f9bb6-p4sbn", true)]),
        &ports,
    ));
    let mut v6 = controller_slice(
        "mock-pss",
        "api",
        &json!([slice_endpoint(
            "fd00:10:244::f1",
            "api-76897f9bb6-p4sbn",
            true
        )]),
        &ports,
    );
    v6["addressType"] = json!("IPv6");
    objects.push(v6);
    let e = service_endpoints(&svc, &objects);
    assert_eq!(e.backends.len(), 2);
    assert_eq!(e.ready().len(), 1);
}

#[test]
fn finished_and_unscheduled_pods_are_not_endpoints() {
    let pods = vec![
        json!({"kind": "Pod", "metadata": {"name": "done", "namespace": "n", "labels": {"app": "w"}},
               "status": {"phase": "Succeeded", "podIP": "10.0.0.1"}}),
        json!({"kind": "Pod", "metadata": {"name": "pending", "namespace": "n", "labels": {"app": "w"}},
               "status": {"phase": "Pending"}}),
    ];
    let svc = service("n", "w", &json!({"app": "w"}), &tcp(80, &json!(80)));
    let e = service_endpoints(&svc, &pods);
    assert!(e.backends.is_empty());
    assert_eq!(
        e.why_none().unwrap(),
        "selector app=w matches 2 pods: 1 without an IP yet, 1 finished"
    );
}
