//! Runtime semantics: verdicts on objects cut from captures of a real
//! cluster (`../shared/fixtures/real/<scenario>/`), changed where a test says.

use serde_json::{Value, json};

use super::{assert_status, fixture, run, snapshot_of};
use crate::report::Status;

/// The `List` of a real capture.
fn real(scenario: &str, which: &str) -> Value {
    let path = fixture(&format!("real/{scenario}/{which}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The first object of `kind` whose name starts with `name`.
fn item(list: &Value, kind: &str, name: &str) -> Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"].as_str().unwrap().starts_with(name))
        .unwrap_or_else(|| panic!("no {kind} {name}"))
        .clone()
}

fn list(items: &[Value]) -> Value {
    json!({"apiVersion": "v1", "kind": "List", "items": items})
}

fn pod_target(ns: &str, name: &str) -> String {
    format!("target = {{ kind = \"Pod\", namespace = \"{ns}\", name = \"{name}\" }}")
}

// ---- capabilities ----------------------------------------------------------

/// The `net-tool` pod of the sc-capabilities drill with its container's
/// `securityContext` replaced.
fn net_tool(security: &Value) -> Value {
    let mut pod = item(&real("sc-capabilities", "solved"), "Pod", "net-tool");
    pod["spec"]["containers"][0]["securityContext"] = security.clone();
    list(&[pod])
}

fn caps(security: &Value, expect: &str) -> crate::report::CheckResult {
    run(
        "sc-caps",
        &format!(
            "{}\nsecurity_context = {{ capabilities = {expect} }}",
            pod_target("sc-caps", "net-tool")
        ),
        &snapshot_of(&net_tool(security)),
    )
}

#[test]
fn the_real_answer_drops_all_and_adds_two() {
    let solved = real("sc-capabilities", "solved");
    let s = snapshot_of(&solved);
    let body = |expect: &str| {
        format!(
            "{}\nsecurity_context = {{ capabilities = {expect} }}",
            pod_target("sc-caps", "net-tool")
        )
    };
    let r = run("sc-caps", &body("{ drop = [\"ALL\"] }"), &s);
    assert_status(&r, Status::Pass);
    assert_eq!(
        r.actual,
        "container \"app\": runs with [CHOWN,NET_BIND_SERVICE]"
    );
    let r = run(
        "sc-caps",
        &body("{ add = [\"NET_BIND_SERVICE\", \"CHOWN\"] }"),
        &s,
    );
    assert_status(&r, Status::Pass);
}

#[test]
fn a_cap_prefixed_name_is_ignored_by_the_runtime() {
    // containerd makes `CAP_CHOWN` into `CAP_CAP_CHOWN`: CHOWN is not added.
    let sc = json!({"capabilities": {"add": ["NET_BIND_SERVICE", "CAP_CHOWN"], "drop": ["ALL"]}});
    let r = caps(&sc, "{ add = [\"NET_BIND_SERVICE\", \"CHOWN\"] }");
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "container \"app\": lacks CHOWN (capabilities added: [NET_BIND_SERVICE]) (ignored by the runtime: CAP_CHOWN (becomes CAP_CAP_CHOWN))"
    );
    // Dropping `CAP_NET_RAW` drops nothing: NET_RAW stays.
    let sc = json!({"capabilities": {"drop": ["CAP_NET_RAW"]}});
    assert_status(&caps(&sc, "{ drop = [\"NET_RAW\"] }"), Status::Fail);
    let sc = json!({"capabilities": {"drop": ["NET_RAW"]}});
    assert_status(&caps(&sc, "{ drop = [\"NET_RAW\"] }"), Status::Pass);
}

#[test]
fn the_runtime_upper_cases_names_and_all() {
    // containerd upper-cases what it is given: `all` drops every one, `chown` is CAP_CHOWN.
    let sc = json!({"capabilities": {"add": ["net_bind_service", "chown"], "drop": ["all"]}});
    assert_status(&caps(&sc, "{ drop = [\"ALL\"] }"), Status::Pass);
    assert_status(
        &caps(&sc, "{ add = [\"NET_BIND_SERVICE\", \"CHOWN\"] }"),
        Status::Pass,
    );
}

#[test]
fn dropping_all_covers_each_named_capability() {
    let sc = json!({"capabilities": {"drop": ["ALL"]}});
    assert_status(
        &caps(&sc, "{ drop = [\"NET_RAW\", \"SYS_ADMIN\"] }"),
        Status::Pass,
    );
    // Without drop, the runtime's default set keeps NET_RAW.
    let r = caps(&json!({}), "{ drop = [\"ALL\"] }");
    assert_status(&r, Status::Fail);
    assert!(r.actual.contains("still has ALL"), "{}", r.actual);
}

#[test]
fn privileged_has_every_capability_whatever_drop_says() {
    let sc = json!({"privileged": true, "allowPrivilegeEscalation": false,
        "capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL"]}});
    let r = caps(&sc, "{ drop = [\"ALL\"] }");
    assert_status(&r, Status::Fail);
    assert!(
        r.actual.contains("privileged: every capability"),
        "{}",
        r.actual
    );
    assert_status(
        &caps(&sc, "{ add = [\"NET_BIND_SERVICE\", \"CHOWN\"] }"),
        Status::Fail,
    );
    // The start of sc-capabilities: a privileged debug shell may escalate.
    let start = snapshot_of(&real("sc-capabilities", "start"));
    let r = run(
        "sc-caps",
        &format!(
            "{}\nsecurity_context = {{ allowPrivilegeEscalation = false }}",
            pod_target("sc-caps", "debug-shell")
        ),
        &start,
    );
    assert_status(&r, Status::Fail);
    let mut pod = item(&real("sc-capabilities", "start"), "Pod", "debug-shell");
    pod["spec"]["containers"][0]["securityContext"] =
        json!({"privileged": true, "allowPrivilegeEscalation": false});
    let r = run(
        "sc-caps",
        &format!(
            "{}\nsecurity_context = {{ allowPrivilegeEscalation = false }}",
            pod_target("sc-caps", "debug-shell")
        ),
        &snapshot_of(&list(&[pod])),
    );
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "container \"shell\": allowPrivilegeEscalation is true (the container is privileged)"
    );
}

// ---- running means running -------------------------------------------------

const WRITER: &str = "troubleshoot-permission-denied";

fn deployment_target(ns: &str, name: &str) -> String {
    format!("target = {{ kind = \"Deployment\", namespace = \"{ns}\", name = \"{name}\" }}")
}

fn running_pods_of(ns: &str, deployment: &str) -> String {
    format!(
        "target = {{ pods_of = \"Deployment/{deployment}\", namespace = \"{ns}\", running = true }}"
    )
}

#[test]
fn a_crash_looping_pod_in_phase_running_is_running() {
    let start = snapshot_of(&real(WRITER, "start"));
    let r = run(
        "tshoot-perms",
        &format!(
            "{}\nexists = true",
            running_pods_of("tshoot-perms", "report-writer")
        ),
        &start,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "no running pod (1 pod with writer waiting (CrashLoopBackOff), 1 restart)"
    );
    let r = run(
        "tshoot-perms",
        &format!(
            "{}\nready_replicas = {{ at_least = 1 }}",
            deployment_target("tshoot-perms", "report-writer")
        ),
        &start,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "0 of 1 ready");
    // "The pod is Running", asked of the pod itself.
    let r = run(
        "tshoot-perms",
        &format!(
            "{}\nready_replicas = {{ at_least = 1 }}",
            pod_target("tshoot-perms", "report-writer-796488dbd-7dhbq")
        ),
        &start,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "0 of 1 pod ready");
    let solved = snapshot_of(&real(WRITER, "solved"));
    let r = run(
        "tshoot-perms",
        &format!(
            "{}\nexists = true",
            running_pods_of("tshoot-perms", "report-writer")
        ),
        &solved,
    );
    assert_status(&r, Status::Pass);
}

#[test]
fn ready_pods_are_counted_from_container_statuses() {
    // mock-triage at the start of the mock exam: log-writer crash-loops.
    let start = snapshot_of(&real("cka-security-mock", "start"));
    let r = run(
        "mock-triage",
        "target = { pods_of = \"Deployment/log-writer\", namespace = \"mock-triage\" }\nready_replicas = { at_least = 1 }",
        &start,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "0 of 1 pod ready");
    let r = run(
        "mock-triage",
        &format!(
            "{}\nexists = true",
            running_pods_of("mock-triage", "inventory")
        ),
        &start,
    );
    assert_eq!(
        r.actual,
        "no running pod (2 pods in phase Pending, inventory waiting (ImagePullBackOff))"
    );
}

/// report-writer mid-rollout: the fixed template's pod (revision 2) keeps
/// serving while a new template (revision 3, the start's crashing pod)
/// crash-loops.
fn stuck_rollout() -> Value {
    let start = real(WRITER, "start");
    let solved = real(WRITER, "solved");
    let mut deployment = item(&solved, "Deployment", "report-writer");
    deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = json!("3");
    deployment["metadata"]["generation"] = json!(3);
    deployment["status"] = json!({"observedGeneration": 3, "replicas": 2, "updatedReplicas": 1,
        "readyReplicas": 1, "availableReplicas": 1, "unavailableReplicas": 1});
    let old_rs = item(&solved, "ReplicaSet", "report-writer-6c9b95f8d8");
    let mut new_rs = item(&start, "ReplicaSet", "report-writer-796488dbd");
    new_rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = json!("3");
    list(&[
        deployment,
        old_rs,
        new_rs,
        item(&solved, "Pod", "report-writer-6c9b95f8d8"),
        item(&start, "Pod", "report-writer-796488dbd"),
    ])
}

#[test]
fn old_pods_serving_during_a_failed_rollout_are_not_the_answer() {
    let s = snapshot_of(&stuck_rollout());
    let r = run(
        "tshoot-perms",
        &format!(
            "{}\nexists = true",
            running_pods_of("tshoot-perms", "report-writer")
        ),
        &s,
    );
    assert_status(&r, Status::Fail);
    let r = run(
        "tshoot-perms",
        &format!(
            "{}\nready_replicas = {{ at_least = 1 }}",
            deployment_target("tshoot-perms", "report-writer")
        ),
        &s,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "0 of 1 ready (rollout not finished: 1 updated, 1 of an older template still running)"
    );
    // Without its ReplicaSets, the Deployment's status tells as much: the
    // ready pod counted there is the older template's.
    let mut only_deployment = stuck_rollout();
    only_deployment["items"]
        .as_array_mut()
        .unwrap()
        .retain(|o| o["kind"] == "Deployment");
    let r = run(
        "tshoot-perms",
        &format!(
            "{}\nready_replicas = {{ at_least = 1 }}",
            deployment_target("tshoot-perms", "report-writer")
        ),
        &snapshot_of(&only_deployment),
    );
    assert_status(&r, Status::Fail);
}

// ---- images ------------------------------------------------------------------

/// The frontend Deployment of troubleshoot-image-tag, solved, with its
/// containers changed by `edit`.
fn frontend(edit: impl FnOnce(&mut Value)) -> crate::snapshot::Snapshot {
    let mut d = item(
        &real("troubleshoot-image-tag", "solved"),
        "Deployment",
        "frontend",
    );
    edit(&mut d["spec"]["template"]["spec"]["containers"]);
    snapshot_of(&list(&[d]))
}

const FRONTEND_IMAGE: &str = "field = { path = '{.spec.template.spec.containers[?(@.name==\"nginx\")].image}', equals = \"nginx:1.27-alpine\" }";

fn frontend_image(s: &crate::snapshot::Snapshot) -> crate::report::CheckResult {
    run(
        "tshoot-image",
        &format!(
            "{}\n{FRONTEND_IMAGE}",
            deployment_target("tshoot-image", "frontend")
        ),
        s,
    )
}

#[test]
fn one_image_spelled_three_ways() {
    for spelled in [
        "nginx:1.27-alpine",
        "docker.io/library/nginx:1.27-alpine",
        "index.docker.io/library/nginx:1.27-alpine",
    ] {
        let s = frontend(|c| c[0]["image"] = json!(spelled));
        assert_status(&frontend_image(&s), Status::Pass);
    }
    let start = snapshot_of(&real("troubleshoot-image-tag", "start"));
    let r = frontend_image(&start);
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "nginx:1.27-alpline");
    let s = frontend(|c| c[0]["image"] = json!("nginx"));
    assert_status(&frontend_image(&s), Status::Fail);
}

#[test]
fn a_sidecar_with_another_image_does_not_fail_the_main_container() {
    let s = frontend(|c| {
        c.as_array_mut()
            .unwrap()
            .push(json!({"name": "log-shipper", "image": "busybox:1.36"}));
    });
    assert_status(&frontend_image(&s), Status::Pass);
    // A check about any container of a pod the candidate names freely.
    let r = run(
        "tshoot-image",
        &format!(
            "{}\nfield = {{ path = \"{{.spec.template.spec.containers[*].image}}\", equals = \"docker.io/library/nginx:1.27-alpine\", over = \"any\" }}",
            deployment_target("tshoot-image", "frontend")
        ),
        &s,
    );
    assert_status(&r, Status::Pass);
}

#[test]
fn a_digest_pins_the_image_it_names() {
    let digest = "sha256:96dd76e75a221aabf57e611fdf7bcd666348ef0f940412e13b44676857d3ab80";
    let s = frontend(|c| c[0]["image"] = json!(format!("nginx:1.27-alpine@{digest}")));
    assert_status(&frontend_image(&s), Status::Pass);
    let s = frontend(|c| c[0]["image"] = json!(format!("nginx@{digest}")));
    assert_status(&frontend_image(&s), Status::Fail);
}

// ---- values as an examiner reads them ----------------------------------------

#[test]
fn a_trailing_newline_from_echo_is_not_a_wrong_value() {
    let solved = real("sa-custom-token", "solved");
    let mut cm = solved["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["data"].get("metrics-agent").is_some())
        .unwrap()
        .clone();
    let name = cm["metadata"]["name"].as_str().unwrap().to_string();
    cm["data"]["metrics-agent"] = json!("present\n");
    let body = |want: &str| {
        format!(
            "target = {{ kind = \"ConfigMap\", namespace = \"sa-tokens\", name = \"{name}\" }}\nfield = {{ path = \"{{.data.metrics-agent}}\", equals = \"{want}\" }}"
        )
    };
    let s = snapshot_of(&list(&[cm.clone()]));
    assert_status(&run("sa-tokens", &body("present"), &s), Status::Pass);
    assert_status(&run("sa-tokens", &body("absent"), &s), Status::Fail);
    cm["data"]["metrics-agent"] = json!("present\n\n");
    let s = snapshot_of(&list(&[cm]));
    assert_status(&run("sa-tokens", &body("present"), &s), Status::Fail);
}

#[test]
fn a_mount_path_with_a_trailing_slash_is_the_same_mount_point() {
    let mut d = item(&real("sc-readonly-root", "solved"), "Deployment", "web");
    for m in d["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        .as_array_mut()
        .unwrap()
    {
        if m["name"] == "run" {
            m["mountPath"] = json!("/var/run/");
        }
    }
    let body = "target = { kind = \"Deployment\", namespace = \"sc-readonly\", name = \"web\" }\nfield = { path = '{.spec.template.spec.containers[?(@.name==\"nginx\")].volumeMounts[?(@.name==\"run\")].mountPath}', equals = \"/var/run\" }";
    assert_status(
        &run("sc-readonly", body, &snapshot_of(&list(&[d]))),
        Status::Pass,
    );
    let r = run(
        "sc-readonly",
        &body.replace("/var/run\"", "/run\""),
        &snapshot_of(&real("sc-readonly-root", "solved")),
    );
    assert_status(&r, Status::Fail);
}

// ---- registry credentials as the kubelet reads them --------------------------

/// The acme-registry Secret of reg-pull-secret, solved, with its docker
/// config replaced by `auths`.
fn acme_secret(auths: &Value) -> Value {
    use base64::Engine as _;
    let mut secret = item(
        &real("reg-pull-secret", "solved"),
        "Secret",
        "acme-registry",
    );
    let config = json!({ "auths": auths }).to_string();
    secret["data"][".dockerconfigjson"] =
        json!(base64::engine::general_purpose::STANDARD.encode(config));
    secret
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn acme(secret: &Value, expect: &str) -> crate::report::CheckResult {
    run(
        "reg-private",
        &format!(
            "target = {{ kind = \"Secret\", namespace = \"reg-private\", name = \"acme-registry\" }}\nregistry_credentials = {{ server = \"registry.acme.example:5000\"{expect} }}"
        ),
        &snapshot_of(&list(std::slice::from_ref(secret))),
    )
}

const USER: &str = ", username = \"shop-deployer\"";
const PASSWORD: &str = ", password = \"shop-pull-2024\"";

#[test]
fn the_real_secret_holds_the_credentials() {
    let s = snapshot_of(&real("reg-pull-secret", "solved"));
    let r = run(
        "reg-private",
        &format!(
            "target = {{ kind = \"Secret\", namespace = \"reg-private\", name = \"acme-registry\" }}\nregistry_credentials = {{ server = \"registry.acme.example:5000\"{USER}{PASSWORD} }}"
        ),
        &s,
    );
    assert_status(&r, Status::Pass);
    assert_eq!(
        r.actual,
        "registry 'registry.acme.example:5000' (the kubelet sends 'auth'), username matches, password matches"
    );
}

#[test]
fn auth_wins_over_username_and_password() {
    let secret = acme_secret(&json!({"registry.acme.example:5000": {
        "username": "shop-deployer", "password": "shop-pull-2024",
        "auth": b64("shop-deployer:wrong")}}));
    assert_status(&acme(&secret, USER), Status::Pass);
    let r = acme(&secret, PASSWORD);
    assert_status(&r, Status::Fail);
    assert!(r.actual.contains("password does not match"), "{}", r.actual);
    // Without auth, username and password are what is sent.
    let secret = acme_secret(&json!({"registry.acme.example:5000": {
        "username": "shop-deployer", "password": "shop-pull-2024"}}));
    assert_status(&acme(&secret, &format!("{USER}{PASSWORD}")), Status::Pass);
}

#[test]
fn an_auth_encoding_a_trailing_newline_is_a_wrong_password() {
    // `echo 'shop-deployer:shop-pull-2024' | base64`
    let mut secret = acme_secret(&json!({"registry.acme.example:5000": {
        "auth": b64("shop-deployer:shop-pull-2024\n")}}));
    assert_status(&acme(&secret, USER), Status::Pass);
    assert_status(&acme(&secret, PASSWORD), Status::Fail);
    // The same verdicts on the redacted Secret a shared snapshot holds.
    crate::snapshot::secret::redact_secret(&mut secret);
    assert!(
        !secret
            .to_string()
            .contains(&b64("shop-deployer:shop-pull-2024\n"))
    );
    assert_status(&acme(&secret, USER), Status::Pass);
    assert_status(&acme(&secret, PASSWORD), Status::Fail);
    let mut good = acme_secret(&json!({"registry.acme.example:5000": {
        "auth": b64("shop-deployer:shop-pull-2024")}}));
    crate::snapshot::secret::redact_secret(&mut good);
    assert_status(&acme(&good, PASSWORD), Status::Pass);
}

#[test]
fn a_key_with_a_path_serves_only_images_under_it() {
    use crate::snapshot::secret::serves;
    let secret = acme_secret(&json!({"registry.acme.example:5000/team": {
        "auth": b64("shop-deployer:shop-pull-2024")}}));
    let r = acme(&secret, USER);
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "no credentials for 'registry.acme.example:5000' (registries: 'registry.acme.example:5000/team')"
    );
    let image = "registry.acme.example:5000/shop/inventory";
    assert!(!serves("registry.acme.example:5000/team", image));
    assert!(serves("registry.acme.example:5000/shop", image));
    assert!(serves("https://registry.acme.example:5000/v2/shop", image));
    assert!(serves("registry.acme.example:5000", image));
    assert!(!serves("registry.acme.example", image));
    assert!(serves("*.acme.example:5000", image));
    assert!(serves(
        "https://index.docker.io/v1/",
        "docker.io/library/nginx"
    ));
}

// ---- pull secrets as admission and the kubelet use them ----------------------

/// reg-default-sa solved, its objects changed by `edit`.
fn reg_inherit(edit: impl Fn(&mut Value)) -> crate::snapshot::Snapshot {
    let mut solved = real("reg-default-sa", "solved");
    for o in solved["items"].as_array_mut().unwrap() {
        edit(o);
    }
    snapshot_of(&solved)
}

const INHERITS: &str = "target = { kind = \"Deployment\", namespace = \"reg-inherit\", name = \"api\" }\npull_secret = \"acme-pull\"";

#[test]
fn inheritance_is_met_when_the_service_account_lists_the_secret() {
    // The api pods were created before default listed acme-pull: they carry none.
    let s = reg_inherit(|o| {
        if o["kind"] == "Pod" && o["metadata"]["name"].as_str().unwrap().starts_with("api-") {
            o["spec"]
                .as_object_mut()
                .unwrap()
                .remove("imagePullSecrets");
        }
    });
    let r = run("reg-inherit", INHERITS, &s);
    assert_status(&r, Status::Pass);
    assert_eq!(
        r.actual,
        "none in the pod template; from ServiceAccount default: acme-pull"
    );
    // Every pod spelling it out does not make up for an account that lists none.
    let s = reg_inherit(|o| {
        if o["kind"] == "ServiceAccount" {
            o.as_object_mut().unwrap().remove("imagePullSecrets");
        }
    });
    assert_status(&run("reg-inherit", INHERITS, &s), Status::Fail);
    // A pod created before the binding does not get it later.
    let s = reg_inherit(|o| {
        if o["metadata"]["name"] == "worker" {
            o["spec"]
                .as_object_mut()
                .unwrap()
                .remove("imagePullSecrets");
        }
    });
    let r = run(
        "reg-inherit",
        &format!(
            "{}\npull_secret = \"acme-pull\"",
            pod_target("reg-inherit", "worker")
        ),
        &s,
    );
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "imagePullSecrets: none");
}

// ---- every container ----------------------------------------------------------

/// secure-app of secure-workspace, solved, with init containers added: a
/// sidecar (`restartPolicy: Always`) and a plain init container, both with
/// the hardened securityContext but no probes or resources.
fn secure_app_with_init() -> Value {
    let solved = real("secure-workspace", "solved");
    let mut d = item(&solved, "Deployment", "secure-app");
    let hardened = d["spec"]["template"]["spec"]["containers"][0]["securityContext"].clone();
    d["spec"]["template"]["spec"]["initContainers"] = json!([
        {"name": "log-shipper", "image": "busybox:1.36", "restartPolicy": "Always", "securityContext": hardened},
        {"name": "setup", "image": "busybox:1.36", "securityContext": hardened},
    ]);
    d
}

fn secure_app(d: &Value, expect: &str) -> crate::report::CheckResult {
    run(
        "secure-workspace",
        &format!(
            "{}\n{expect}",
            deployment_target("secure-workspace", "secure-app")
        ),
        &snapshot_of(&list(std::slice::from_ref(d))),
    )
}

#[test]
fn sidecars_need_probes_and_every_container_needs_resources() {
    let d = secure_app_with_init();
    let r = secure_app(&d, "probe = { type = \"liveness\" }");
    assert_status(&r, Status::Fail);
    assert_eq!(r.actual, "container \"log-shipper\" has no livenessProbe");
    let r = secure_app(
        &d,
        "resources = { requests = [\"cpu\"], limits = [\"memory\"] }",
    );
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "container \"log-shipper\" has no requests.cpu, limits.memory; container \"setup\" has no requests.cpu, limits.memory"
    );
    assert_status(
        &secure_app(
            &d,
            "security_context = { capabilities = { drop = [\"ALL\"] }, runAsUser = 1001 }",
        ),
        Status::Pass,
    );
    // An init container that may escalate fails a check about every container.
    let mut d = d;
    d["spec"]["template"]["spec"]["initContainers"][1]["securityContext"]["allowPrivilegeEscalation"] =
        json!(true);
    let r = secure_app(
        &d,
        "security_context = { allowPrivilegeEscalation = false }",
    );
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "container \"setup\": allowPrivilegeEscalation=true"
    );
}

#[test]
fn a_crashing_sidecar_keeps_the_pod_from_running() {
    let solved = real("secure-workspace", "solved");
    let mut pod = item(&solved, "Pod", "secure-app-");
    pod["spec"]["initContainers"] =
        json!([{"name": "log-shipper", "image": "busybox:1.36", "restartPolicy": "Always"}]);
    pod["status"]["initContainerStatuses"] = json!([{"name": "log-shipper", "ready": false,
        "restartCount": 4, "started": false, "image": "docker.io/library/busybox:1.36", "imageID": "",
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]);
    let name = pod["metadata"]["name"].as_str().unwrap().to_string();
    let r = run(
        "secure-workspace",
        &format!(
            "target = {{ kind = \"Pod\", namespace = \"secure-workspace\", name = \"{name}\", running = true }}\nexists = true"
        ),
        &snapshot_of(&list(&[pod])),
    );
    assert_status(&r, Status::Fail);
    assert_eq!(
        r.actual,
        "no running pod (1 pod with log-shipper waiting (CrashLoopBackOff), 4 restarts)"
    );
}

#[test]
fn pods_of_an_old_template_still_terminating_are_not_the_answer() {
    // pss-web solved: the root pods of the old template are terminating
    // beside the two hardened ones.
    let s = snapshot_of(&real("pss-restricted-namespace", "solved"));
    let body = |running: bool| {
        format!(
            "target = {{ kind = \"Pod\", namespace = \"pss-web\", selector = \"app=web\", running = {running} }}\nsecurity_context = {{ runAsUser = 1000, capabilities = {{ drop = [\"ALL\"] }} }}"
        )
    };
    for running in [false, true] {
        let r = run("pss-web", &body(running), &s);
        assert_status(&r, Status::Pass);
        assert!(!r.actual.contains("web-748b457896"), "{}", r.actual);
    }
}
