//! Each check in upstream's words, versions, and the workload kinds.

use super::*;
use serde_json::json;

/// Runs one check function on a pod built from `metadata` and `spec`, returning
/// `(reason, detail)` when it fails.
fn run(check: CheckFn, metadata: &Value, spec: &Value) -> Option<(String, String)> {
    check(&Pod::new(metadata, spec)).map(|failure| (failure.reason, failure.detail))
}

fn fails(check: CheckFn, spec: &Value, reason: &str, detail: &str) {
    assert_eq!(
        run(check, &json!({}), spec),
        Some((reason.to_owned(), detail.to_owned())),
        "spec: {spec}"
    );
}

fn passes(check: CheckFn, spec: &Value) {
    assert_eq!(run(check, &json!({}), spec), None, "spec: {spec}");
}

fn sc(name: &str, security_context: &Value) -> Value {
    json!({"name": name, "securityContext": security_context})
}

// ---- API surface -------------------------------------------------------------------

#[test]
fn level_round_trips_and_orders() {
    for level in [Level::Privileged, Level::Baseline, Level::Restricted] {
        assert_eq!(level.to_string().parse::<Level>(), Ok(level));
    }
    assert!(Level::Privileged < Level::Baseline && Level::Baseline < Level::Restricted);
    assert_eq!(
        "Restricted".parse::<Level>(),
        Err(PodSecurityError::UnknownLevel("Restricted".to_owned()))
    );
    assert_eq!(
        PodSecurityError::UnknownLevel("strict".to_owned()).to_string(),
        "unknown Pod Security level 'strict': expected 'privileged', 'baseline' or 'restricted'"
    );
    assert_eq!(
        serde_json::to_value(Level::Baseline).ok(),
        Some(json!("baseline"))
    );
}

#[test]
fn policy_version_parses_like_upstream() {
    assert_eq!("latest".parse(), Ok(PolicyVersion::Latest));
    assert_eq!("v1.0".parse(), Ok(PolicyVersion::V1(0)));
    assert_eq!("v1.23".parse(), Ok(PolicyVersion::V1(23)));
    for bad in [
        "",
        "v1",
        "v1.",
        "v1.01",
        "1.23",
        "v2.0",
        "v1.x",
        "v1.-1",
        "Latest",
        "v1.99999999999",
    ] {
        assert_eq!(
            bad.parse::<PolicyVersion>(),
            Err(PodSecurityError::InvalidVersion(bad.to_owned())),
            "{bad}"
        );
    }
    assert_eq!(PolicyVersion::V1(30).to_string(), "v1.30");
    assert_eq!(PolicyVersion::Latest.to_string(), "latest");
    assert_eq!(
        PodSecurityError::InvalidVersion("1.30".to_owned()).to_string(),
        "invalid Pod Security version '1.30': expected 'latest' or 'v1.<minor>', such as 'v1.30'"
    );
}

#[test]
fn newer_versions_clamp_to_latest() {
    assert_eq!(PolicyVersion::Latest.effective_minor(), LATEST_POLICY_MINOR);
    assert_eq!(PolicyVersion::V1(99).effective_minor(), LATEST_POLICY_MINOR);
    assert_eq!(PolicyVersion::V1(21).effective_minor(), 21);
}

#[test]
fn registry_is_well_formed() {
    let mut ids = BTreeSet::new();
    for check in CHECKS {
        assert!(ids.insert(check.id), "duplicate {}", check.id);
        assert!(check.level != Level::Privileged);
        assert!(
            check
                .versions
                .windows(2)
                .all(|w| w[0].min_minor < w[1].min_minor)
        );
        assert!(
            check
                .versions
                .iter()
                .all(|v| v.min_minor <= LATEST_POLICY_MINOR)
        );
        for versioned in check.versions {
            for id in versioned.overrides {
                assert_eq!(check.level, Level::Restricted);
                assert!(
                    CHECKS
                        .iter()
                        .any(|c| c.id == *id && c.level == Level::Baseline),
                    "{id}"
                );
            }
        }
    }
    assert_eq!(
        CHECKS
            .iter()
            .flat_map(|c| c.versions)
            .map(|v| v.min_minor)
            .max(),
        Some(LATEST_POLICY_MINOR)
    );
}

#[test]
fn checks_run_in_registry_order() {
    let ids = |level, minor| -> Vec<&str> {
        active_checks(level, minor)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    };
    assert_eq!(
        ids(Level::Baseline, 35),
        [
            "appArmorProfile",
            "capabilities_baseline",
            "hostNamespaces",
            "hostPathVolumes",
            "hostPorts",
            "hostProbesAndHostLifecycle",
            "privileged",
            "procMount",
            "seLinuxOptions",
            "seccompProfile_baseline",
            "sysctls",
            "windowsHostProcess",
        ]
    );
    assert_eq!(
        ids(Level::Restricted, 35),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "procMount_restricted",
            "restrictedVolumes",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted",
        ]
    );
    assert_eq!(
        ids(Level::Restricted, 0),
        ["restrictedVolumes", "runAsNonRoot"]
    );
    assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
}

// ---- evaluate ------------------------------------------------------------------------

#[test]
fn bare_pod_reads_like_kubectl_warning() {
    let spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
    let evaluation = evaluate(&json!({"name": "p"}), &spec, PolicyVersion::Latest);
    assert_eq!(evaluation.level, Level::Baseline);
    assert!(evaluation.violations.baseline.is_empty());
    assert_eq!(
        evaluation.violations.restricted,
        [
            r#"allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)"#,
            r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])"#,
            r#"runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)"#,
            r#"seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
        ]
    );
}

#[test]
fn baseline_failures_are_part_of_restricted() {
    let spec = json!({
        "hostNetwork": true,
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
        "containers": [sc("app", &json!({
            "privileged": true,
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": true,
            "seccompProfile": {"type": "RuntimeDefault"},
        }))],
    });
    let evaluation = evaluate(&json!({}), &spec, PolicyVersion::Latest);
    assert_eq!(evaluation.level, Level::Privileged);
    assert_eq!(
        evaluation.violations.baseline,
        [
            "host namespaces (hostNetwork=true)",
            r#"hostPath volumes (volume "root")"#,
            r#"privileged (container "app" must not set securityContext.privileged=true)"#,
        ]
    );
    // restrictedVolumes replaces hostPathVolumes when restricted is enforced.
    assert_eq!(
        evaluation.violations.restricted,
        [
            "host namespaces (hostNetwork=true)",
            r#"privileged (container "app" must not set securityContext.privileged=true)"#,
            r#"restricted volume types (volume "root" uses restricted volume type "hostPath")"#,
        ]
    );
}

#[test]
fn compliant_pod_is_restricted() {
    let spec = json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [sc("app", &json!({
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
        }))],
    });
    let evaluation = evaluate(&json!({}), &spec, PolicyVersion::Latest);
    assert_eq!(evaluation.level, Level::Restricted);
    assert_eq!(evaluation.violations, Violations::default());
}

#[test]
fn version_selects_revisions() {
    // hostProbesAndHostLifecycle only exists from v1.34.
    let spec = json!({"containers": [{"name": "a", "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}}]});
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(33)).level,
        Level::Baseline
    );
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(34)).level,
        Level::Privileged
    );
    // runAsUser=0 is only checked from v1.23.
    let spec = json!({
        "securityContext": {"runAsUser": 0, "runAsNonRoot": true, "seccompProfile": {"type": "Localhost"}},
        "containers": [sc("a", &json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}))],
    });
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(22)).level,
        Level::Restricted
    );
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(23))
            .violations
            .restricted,
        ["runAsUser=0 (pod must not set runAsUser=0)"]
    );
    // Before v1.22 restricted checks capabilities with the baseline rule only.
    let spec = json!({"securityContext": {"runAsNonRoot": true}, "containers": [sc("a", &json!({"allowPrivilegeEscalation": false}))]});
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(18)).level,
        Level::Restricted
    );
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(19))
            .violations
            .restricted,
        [
            r#"seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
        ]
    );
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(22))
            .violations
            .restricted
            .len(),
        2
    );
    // allowPrivilegeEscalation only exists from v1.8.
    let spec = json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]});
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(7)).level,
        Level::Restricted
    );
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(8)).level,
        Level::Baseline
    );
}

#[test]
fn windows_pods_skip_linux_only_restricted_checks_from_1_25() {
    let spec = json!({"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]});
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(25)).level,
        Level::Restricted
    );
    assert_eq!(
        evaluate(&json!({}), &spec, PolicyVersion::V1(24))
            .violations
            .restricted
            .len(),
        3
    );
}

#[test]
fn user_namespaces_relax_from_1_35() {
    let spec = json!({
        "hostUsers": false,
        "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [sc("a", &json!({
            "procMount": "Unmasked",
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]},
        }))],
    });
    let latest = evaluate(&json!({}), &spec, PolicyVersion::Latest);
    assert!(latest.violations.baseline.is_empty());
    // procMount_restricted keeps restricted strict; runAsNonRoot and runAsUser are relaxed.
    assert_eq!(
        latest.violations.restricted,
        [r#"procMount (container "a" must not set securityContext.procMount to "Unmasked")"#]
    );
    let v1_34 = evaluate(&json!({}), &spec, PolicyVersion::V1(34));
    assert_eq!(v1_34.level, Level::Privileged);
    assert_eq!(
        v1_34.violations.restricted,
        [
            r#"procMount (container "a" must not set securityContext.procMount to "Unmasked")"#,
            r#"runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true)"#,
            "runAsUser=0 (pod must not set runAsUser=0)",
        ]
    );
}

#[test]
fn any_json_shape_is_tolerated() {
    let shapes = [
        json!(null),
        json!([]),
        json!("spec"),
        json!(7),
        json!({"containers": "x", "initContainers": [1, null, "c"], "volumes": {"a": 1}}),
        json!({"containers": [{"name": 5, "securityContext": [], "ports": [{"hostPort": "80"}, 3]}]}),
        json!({"securityContext": {"sysctls": [1, {"name": 2}], "seLinuxOptions": "x", "runAsUser": "0"}}),
        json!({"containers": [{"securityContext": {"capabilities": {"add": [1, null], "drop": "ALL"}, "seccompProfile": {"type": 3}}}]}),
    ];
    for spec in &shapes {
        for metadata in [
            json!(null),
            json!({"annotations": []}),
            json!({"annotations": {"a": 1}}),
        ] {
            let evaluation = evaluate(&metadata, spec, PolicyVersion::Latest);
            assert!(evaluation.level <= Level::Restricted);
        }
    }
    // A nameless container is reported with an empty name, as upstream does.
    fails(
        privileged,
        &json!({"containers": [{"securityContext": {"privileged": true}}]}),
        "privileged",
        r#"container "" must not set securityContext.privileged=true"#,
    );
}

// ---- baseline checks, with upstream's test expectations --------------------------------

#[test]
fn app_armor_profile_fields_and_annotations() {
    fails(
        app_armor_profile,
        &json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}),
        "forbidden AppArmor profile",
        r#"pod must not set AppArmor profile type to "Unconfined""#,
    );
    fails(
        app_armor_profile,
        &json!({
            "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "foo"}],
            "initContainers": [sc("bar", &json!({"appArmorProfile": {"type": "Unconfined"}}))],
        }),
        "forbidden AppArmor profile",
        r#"container "bar" must not set AppArmor profile type to "Unconfined""#,
    );
    let metadata = json!({"annotations": {
        "container.apparmor.security.beta.kubernetes.io/": "bogus",
        "container.apparmor.security.beta.kubernetes.io/a": "",
        "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
        "container.apparmor.security.beta.kubernetes.io/c": "localhost/",
        "container.apparmor.security.beta.kubernetes.io/d": "localhost/foo",
        "container.apparmor.security.beta.kubernetes.io/e": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/f": "unknown",
    }});
    assert_eq!(
        run(app_armor_profile, &metadata, &json!({})),
        Some((
            "forbidden AppArmor profiles".to_owned(),
            concat!(
                r#"annotations must not set AppArmor profile type to "#,
                r#""container.apparmor.security.beta.kubernetes.io/="bogus"", "#,
                r#""container.apparmor.security.beta.kubernetes.io/e="unconfined"", "#,
                r#""container.apparmor.security.beta.kubernetes.io/f="unknown"""#,
            )
            .to_owned()
        ))
    );
    let metadata =
        json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "un\"conf\n"}});
    assert_eq!(
        run(app_armor_profile, &metadata, &json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}})),
        Some((
            "forbidden AppArmor profiles".to_owned(),
            r#"pod and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="un\"conf\n"""#.to_owned()
        ))
    );
    passes(
        app_armor_profile,
        &json!({"securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}}, "containers": [sc("a", &json!({"appArmorProfile": {"type": "RuntimeDefault"}}))]}),
    );
}

#[test]
fn capabilities_baseline_lists_non_default() {
    fails(
        capabilities_baseline,
        &json!({"containers": [
            sc("a", &json!({"capabilities": {"add": ["CHOWN", "NET_RAW"]}})),
            sc("b", &json!({"capabilities": {"add": ["SYS_ADMIN", "NET_RAW"]}})),
            sc("c", &json!({"capabilities": {"add": ["KILL"], "drop": ["ALL"]}})),
        ]}),
        "non-default capabilities",
        r#"containers "a", "b" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add"#,
    );
}

#[test]
fn host_namespaces_lists_each() {
    fails(
        host_namespaces,
        &json!({"hostNetwork": true, "hostPID": true, "hostIPC": true}),
        "host namespaces",
        "hostNetwork=true, hostPID=true, hostIPC=true",
    );
    passes(host_namespaces, &json!({"hostNetwork": false}));
}

#[test]
fn host_path_volumes_lists_volumes() {
    fails(
        host_path_volumes,
        &json!({"volumes": [
            {"name": "a", "hostPath": {"path": "/a"}},
            {"name": "b", "emptyDir": {}},
            {"name": "c", "hostPath": {"path": "/c"}},
        ]}),
        "hostPath volumes",
        r#"volumes "a", "c""#,
    );
}

#[test]
fn host_ports_sort_as_text() {
    fails(
        host_ports,
        &json!({"containers": [
            {"name": "a", "ports": [{"hostPort": 0}]},
            {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 20}]},
        ]}),
        "hostPort",
        r#"container "b" uses hostPort 20"#,
    );
    fails(
        host_ports,
        &json!({"containers": [
            {"name": "a", "ports": [{"hostPort": 0}]},
            {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 20}]},
            {"name": "c", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 30}]},
        ]}),
        "hostPort",
        r#"containers "b", "c" use hostPorts 10, 20, 30"#,
    );
    fails(
        host_ports,
        &json!({"containers": [{"name": "a", "ports": [{"hostPort": 9}, {"hostPort": 10}]}]}),
        "hostPort",
        r#"container "a" uses hostPorts 10, 9"#,
    );
}

#[test]
fn host_probes_and_lifecycle_hosts() {
    let http = |host: &str| json!({"httpGet": {"host": host, "port": 80}});
    let tcp = |host: &str| json!({"tcpSocket": {"host": host, "port": 80}});
    passes(
        host_probes_and_host_lifecycle,
        &json!({"containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": 80}}, "readinessProbe": {"tcpSocket": {"port": 80}}, "lifecycle": {"postStart": {"httpGet": {"port": 80}}}}]}),
    );
    fails(
        host_probes_and_host_lifecycle,
        &json!({"containers": [{"name": "a", "livenessProbe": http("127.0.0.1"), "readinessProbe": tcp("::1"), "startupProbe": http("localhost")}]}),
        "probe or lifecycle host",
        r#"container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost""#,
    );
    fails(
        host_probes_and_host_lifecycle,
        &json!({"containers": [{"name": "d", "lifecycle": {"postStart": tcp("invalid.host")}}]}),
        "probe or lifecycle host",
        r#"container "d" uses probe or lifecycle host "invalid.host""#,
    );
    fails(
        host_probes_and_host_lifecycle,
        &json!({"containers": [
            {"name": "valid"},
            {"name": "invalid1", "livenessProbe": http("a.com")},
            {"name": "invalid2", "lifecycle": {"preStop": tcp("b.com")}, "startupProbe": http("a.com")},
        ]}),
        "probe or lifecycle host",
        r#"containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com""#,
    );
    fails(
        host_probes_and_host_lifecycle,
        &json!({"initContainers": [{"name": "init", "livenessProbe": http("invalid.init.host")}]}),
        "probe or lifecycle host",
        r#"container "init" uses probe or lifecycle host "invalid.init.host""#,
    );
}

#[test]
fn privileged_containers() {
    fails(
        privileged,
        &json!({"containers": [
            sc("a", &json!({"privileged": false})),
            sc("b", &json!({"privileged": true})),
            sc("c", &json!({"privileged": true})),
        ]}),
        "privileged",
        r#"containers "b", "c" must not set securityContext.privileged=true"#,
    );
}

#[test]
fn proc_mount_types() {
    let spec = json!({"containers": [
        sc("a", &json!({"procMount": "Default"})),
        sc("b", &json!({"procMount": "Unmasked"})),
        sc("c", &json!({"procMount": "other"})),
    ]});
    let detail =
        r#"containers "b", "c" must not set securityContext.procMount to "Unmasked", "other""#;
    fails(proc_mount, &spec, "procMount", detail);
    fails(proc_mount_1_35_baseline, &spec, "procMount", detail);
    let mut in_user_namespace = spec;
    in_user_namespace["hostUsers"] = json!(false);
    passes(proc_mount_1_35_baseline, &in_user_namespace);
    fails(proc_mount, &in_user_namespace, "procMount", detail);
}

#[test]
fn se_linux_options_details() {
    let spec = json!({
        "securityContext": {"seLinuxOptions": {"type": "foo", "user": "bar", "role": "baz"}},
        "containers": [
            sc("a", &json!({"seLinuxOptions": {"type": "container_t"}})),
            sc("b", &json!({"seLinuxOptions": {"type": "container_init_t"}})),
            sc("c", &json!({"seLinuxOptions": {"type": "container_kvm_t"}})),
            sc("d", &json!({"seLinuxOptions": {"type": "container_engine_t"}})),
            sc("e", &json!({"seLinuxOptions": {"type": "bar"}})),
            sc("f", &json!({"seLinuxOptions": {"user": "bar"}})),
            sc("g", &json!({"seLinuxOptions": {"role": "baz"}})),
        ],
    });
    fails(
        se_linux_options_1_31,
        &spec,
        "seLinuxOptions",
        r#"pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#,
    );
    // container_engine_t is only allowed from v1.31.
    fails(
        se_linux_options_1_0,
        &spec,
        "seLinuxOptions",
        r#"pod and containers "d", "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "container_engine_t", "foo"; user may not be set; role may not be set"#,
    );
    fails(
        se_linux_options_1_31,
        &json!({"securityContext": {"seLinuxOptions": {"user": "bad"}}}),
        "seLinuxOptions",
        "pod set forbidden securityContext.seLinuxOptions: user may not be set",
    );
    fails(
        se_linux_options_1_31,
        &json!({"securityContext": {"seLinuxOptions": {"role": "bad"}}}),
        "seLinuxOptions",
        "pod set forbidden securityContext.seLinuxOptions: role may not be set",
    );
    passes(
        se_linux_options_1_31,
        &json!({"securityContext": {"seLinuxOptions": {"level": "s0:c1"}}}),
    );
}

#[test]
fn seccomp_profile_baseline_annotations_before_1_19() {
    let metadata = json!({"annotations": {
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
    }});
    let spec = json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]});
    assert_eq!(
        run(seccomp_profile_baseline_1_0, &metadata, &spec),
        Some((
            "seccompProfile".to_owned(),
            concat!(
                r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", "#,
                r#"container.seccomp.security.alpha.kubernetes.io/b="unknown", "#,
                r#"seccomp.security.alpha.kubernetes.io/pod="unconfined""#,
            )
            .to_owned()
        ))
    );
    let metadata = json!({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "docker/default", "container.seccomp.security.alpha.kubernetes.io/a": "localhost/p"}});
    assert_eq!(run(seccomp_profile_baseline_1_0, &metadata, &spec), None);
    // The field revision ignores the annotations.
    let metadata =
        json!({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}});
    assert_eq!(run(seccomp_profile_baseline_1_19, &metadata, &spec), None);
}

#[test]
fn seccomp_profile_baseline_fields() {
    let unconfined = json!({"seccompProfile": {"type": "Unconfined"}});
    let runtime_default = json!({"seccompProfile": {"type": "RuntimeDefault"}});
    fails(
        seccomp_profile_baseline_1_19,
        &json!({"securityContext": unconfined, "containers": [{"name": "a"}]}),
        "seccompProfile",
        r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#,
    );
    let containers = json!([
        {"name": "a"},
        sc("b", &json!({})),
        sc("c", &unconfined),
        sc("d", &unconfined),
        sc("e", &runtime_default),
    ]);
    fails(
        seccomp_profile_baseline_1_19,
        &json!({"securityContext": runtime_default, "containers": containers}),
        "seccompProfile",
        r#"containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined""#,
    );
    fails(
        seccomp_profile_baseline_1_19,
        &json!({"securityContext": unconfined, "containers": containers}),
        "seccompProfile",
        r#"pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined""#,
    );
}

#[test]
fn sysctls_grow_by_version() {
    fails(
        sysctls_1_0,
        &json!({"securityContext": {"sysctls": [{"name": "a"}, {"name": "b"}]}}),
        "forbidden sysctls",
        "a, b",
    );
    let reserved = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1024-4999"}]}});
    fails(
        sysctls_1_0,
        &reserved,
        "forbidden sysctls",
        "net.ipv4.ip_local_reserved_ports",
    );
    passes(sysctls_1_27, &reserved);
    let keepalive = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_keepalive_time", "value": "60"}]}});
    fails(
        sysctls_1_27,
        &keepalive,
        "forbidden sysctls",
        "net.ipv4.tcp_keepalive_time",
    );
    passes(sysctls_1_29, &keepalive);
    let rmem = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 16777216"}]}});
    fails(
        sysctls_1_29,
        &rmem,
        "forbidden sysctls",
        "net.ipv4.tcp_rmem",
    );
    passes(sysctls_1_32, &rmem);
    passes(
        sysctls_1_0,
        &json!({"securityContext": {"sysctls": [{"name": "kernel.shm_rmid_forced", "value": "0"}]}}),
    );
}

#[test]
fn windows_host_process_setters() {
    fails(
        windows_host_process,
        &json!({
            "securityContext": {"windowsOptions": {"hostProcess": true}},
            "containers": [
                {"name": "a"},
                sc("b", &json!({})),
                sc("c", &json!({"windowsOptions": {}})),
                sc("d", &json!({"windowsOptions": {"hostProcess": false}})),
                sc("e", &json!({"windowsOptions": {"hostProcess": true}})),
                sc("f", &json!({"windowsOptions": {"hostProcess": true}})),
            ],
        }),
        "hostProcess",
        r#"pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true"#,
    );
}

// ---- restricted checks ---------------------------------------------------------------

#[test]
fn allow_privilege_escalation_must_be_false() {
    fails(
        allow_privilege_escalation_1_8,
        &json!({"containers": [
            {"name": "a"},
            sc("b", &json!({})),
            sc("c", &json!({"allowPrivilegeEscalation": true})),
            sc("d", &json!({"allowPrivilegeEscalation": false})),
        ]}),
        "allowPrivilegeEscalation != false",
        r#"containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false"#,
    );
    passes(
        allow_privilege_escalation_1_25,
        &json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
    );
    fails(
        allow_privilege_escalation_1_25,
        &json!({"os": {"name": "linux"}, "containers": [{"name": "a"}]}),
        "allowPrivilegeEscalation != false",
        r#"container "a" must set securityContext.allowPrivilegeEscalation=false"#,
    );
}

#[test]
fn capabilities_restricted_details() {
    fails(
        capabilities_restricted_1_22,
        &json!({"containers": [
            sc("a", &json!({"capabilities": {"add": ["FOO", "BAR"]}})),
            sc("b", &json!({"capabilities": {"add": ["BAR", "BAZ"]}})),
            sc("c", &json!({"capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL", "FOO"]}})),
        ]}),
        "unrestricted capabilities",
        r#"containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add"#,
    );
    passes(
        capabilities_restricted_1_25,
        &json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
    );
}

#[test]
fn restricted_volume_types() {
    let mut volumes: Vec<Value> = [
        "emptyDir",
        "secret",
        "persistentVolumeClaim",
        "downwardAPI",
        "configMap",
        "projected",
        "csi",
        "ephemeral",
        "image",
    ]
    .iter()
    .enumerate()
    .map(|(i, source)| json!({"name": format!("a{}", i + 1), source.to_owned(): {}}))
    .collect();
    let restricted = [
        "hostPath",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "nfs",
        "iscsi",
        "glusterfs",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "fc",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
    ];
    volumes.extend(
        restricted
            .iter()
            .enumerate()
            .map(|(i, source)| json!({"name": format!("b{}", i + 1), source.to_owned(): {}})),
    );
    fails(
        restricted_volumes,
        &json!({"volumes": volumes}),
        "restricted volume types",
        concat!(
            r#"volumes "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21""#,
            r#" use restricted volume types "#,
            r#""awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "#,
            r#""hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume""#,
        ),
    );
    // Upstream's unit test reports a source-less volume as "unknown", but the API server
    // defaults it to emptyDir first, which is what upstream's pass fixtures rely on.
    passes(
        restricted_volumes,
        &json!({"volumes": [{"name": "c1"}, {"name": "c2", "hostPath": null}]}),
    );
}

#[test]
fn run_as_non_root_details() {
    fails(
        run_as_non_root_1_35,
        &json!({"containers": [{"name": "a"}]}),
        "runAsNonRoot != true",
        r#"pod or container "a" must set securityContext.runAsNonRoot=true"#,
    );
    fails(
        run_as_non_root_1_35,
        &json!({"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}),
        "runAsNonRoot != true",
        "pod must not set securityContext.runAsNonRoot=false",
    );
    fails(
        run_as_non_root_1_35,
        &json!({"securityContext": {"runAsNonRoot": true}, "containers": [
            {"name": "a"},
            sc("b", &json!({})),
            sc("c", &json!({"runAsNonRoot": false})),
            sc("d", &json!({"runAsNonRoot": false})),
            sc("e", &json!({"runAsNonRoot": true})),
        ]}),
        "runAsNonRoot != true",
        r#"containers "c", "d" must not set securityContext.runAsNonRoot=false"#,
    );
    fails(
        run_as_non_root_1_35,
        &json!({"containers": [
            {"name": "a"},
            sc("b", &json!({})),
            sc("d", &json!({"runAsNonRoot": true})),
        ]}),
        "runAsNonRoot != true",
        r#"pod or containers "a", "b" must set securityContext.runAsNonRoot=true"#,
    );
    passes(run_as_non_root_1_35, &json!({"hostUsers": false}));
    fails(
        run_as_non_root_1_0,
        &json!({"hostUsers": false, "containers": [{"name": "a"}]}),
        "runAsNonRoot != true",
        r#"pod or container "a" must set securityContext.runAsNonRoot=true"#,
    );
}

#[test]
fn run_as_user_details() {
    fails(
        run_as_user_1_35,
        &json!({"securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}),
        "runAsUser=0",
        "pod must not set runAsUser=0",
    );
    passes(
        run_as_user_1_35,
        &json!({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "a"}]}),
    );
    fails(
        run_as_user_1_35,
        &json!({"securityContext": {"runAsUser": 1000}, "containers": [
            {"name": "a"},
            sc("b", &json!({})),
            sc("c", &json!({"runAsUser": 0})),
            sc("d", &json!({"runAsUser": 0})),
            sc("e", &json!({"runAsUser": 1})),
        ]}),
        "runAsUser=0",
        r#"containers "c", "d" must not set runAsUser=0"#,
    );
    passes(
        run_as_user_1_35,
        &json!({"hostUsers": false, "securityContext": {"runAsUser": 0}}),
    );
    fails(
        run_as_user_1_35,
        &json!({"hostUsers": true, "securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}),
        "runAsUser=0",
        "pod must not set runAsUser=0",
    );
}

#[test]
fn seccomp_profile_restricted_details() {
    fails(
        seccomp_profile_restricted_1_19,
        &json!({"containers": [{"name": "a"}, sc("b", &json!({"seccompProfile": {"type": "RuntimeDefault"}}))]}),
        "seccompProfile",
        r#"pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
    );
    fails(
        seccomp_profile_restricted_1_19,
        &json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}]}),
        "seccompProfile",
        r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#,
    );
    fails(
        seccomp_profile_restricted_1_19,
        &json!({"containers": [sc("a", &json!({"seccompProfile": {}}))]}),
        "seccompProfile",
        r#"container "a" must not set securityContext.seccompProfile.type to """#,
    );
    passes(
        seccomp_profile_restricted_1_19,
        &json!({"securityContext": {"seccompProfile": {"type": "Localhost"}}, "containers": [{"name": "a"}]}),
    );
    passes(
        seccomp_profile_restricted_1_25,
        &json!({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
    );
}

#[test]
fn go_quote_matches_strconv_quote() {
    assert_eq!(go_quote("plain"), r#""plain""#);
    assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(go_quote("\t\n\u{1}\u{7f}"), r#""\t\n\x01\x7f""#);
    assert_eq!(go_quote("é\u{a0}\u{200b}"), r#""é\u00a0\u200b""#);
}

// ---- pod_template -------------------------------------------------------------------

#[test]
fn pod_template_for_each_workload_kind() {
    let template =
        json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c"}]}});
    let expect = |object: &Value| {
        let Some((metadata, spec)) = pod_template(object) else {
            panic!("no template in {object}");
        };
        assert_eq!(metadata, &template["metadata"]);
        assert_eq!(spec, &template["spec"]);
    };
    let mut pod = template.clone();
    pod["kind"] = json!("Pod");
    expect(&pod);
    for kind in [
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "ReplicationController",
    ] {
        expect(&json!({"kind": kind, "spec": {"template": template}}));
    }
    expect(&json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}));
    expect(&json!({"kind": "PodTemplate", "template": template}));
}

#[test]
fn pod_template_rejects_other_shapes() {
    for object in [
        json!({"kind": "Service", "spec": {"template": {"spec": {}}}}),
        json!({"kind": "Deployment", "spec": {}}),
        json!({"kind": "Deployment", "spec": {"template": {"spec": "x"}}}),
        json!({"kind": "CronJob", "spec": {"template": {"spec": {}}}}),
        json!({"spec": {}}),
        json!({"kind": 3}),
        json!([]),
    ] {
        assert!(pod_template(&object).is_none(), "{object}");
    }
    let bare_pod = json!({"kind": "Pod", "spec": {}});
    let Some((metadata, spec)) = pod_template(&bare_pod) else {
        panic!("a pod without metadata still has a template");
    };
    assert!(metadata.is_null());
    assert_eq!(spec, &json!({}));
}
