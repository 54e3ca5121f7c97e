//! Baseline checks of the Pod Security Standards.

use super::{
    BTreeSet, Failure, Pod, Value, array, boolean, containers_phrase, field, go_quote, join_quote,
    object, pluralize, string, strings,
};

/// `check_appArmorProfile.go`: one revision at v1.0 that inspects both the v1.30 fields and
/// the deprecated beta annotations, so it applies at every pinned version.
pub(super) fn app_armor_profile(pod: &Pod<'_>) -> Option<Failure> {
    const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
    fn allowed_type(profile_type: &str) -> bool {
        matches!(profile_type, "RuntimeDefault" | "Localhost")
    }
    fn allowed_annotation(value: &str) -> bool {
        value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
    }

    let mut bad_setters = Vec::new();
    let mut bad_values = BTreeSet::new();
    if let Some(profile) = object(pod.security_context(), "appArmorProfile") {
        let profile_type = string(Some(profile), "type");
        if !allowed_type(profile_type) {
            bad_setters.push("pod".to_owned());
            bad_values.insert(profile_type);
        }
    }
    let mut bad_containers = Vec::new();
    for container in &pod.containers {
        if let Some(profile) = object(container.security_context(), "appArmorProfile") {
            let profile_type = string(Some(profile), "type");
            if !allowed_type(profile_type) {
                bad_containers.push(container.name);
                bad_values.insert(profile_type);
            }
        }
    }
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }

    let mut forbidden_annotations: Vec<String> = pod
        .annotations()
        .filter(|(key, value)| key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(value))
        .map(|(key, value)| format!("{key}={}", go_quote(value)))
        .collect();
    let mut bad_value_list: Vec<String> = bad_values.into_iter().map(str::to_owned).collect();
    if !forbidden_annotations.is_empty() {
        forbidden_annotations.sort();
        bad_setters
            .push(pluralize("annotation", "annotations", forbidden_annotations.len()).to_owned());
        bad_value_list.extend(forbidden_annotations);
    }

    if bad_setters.is_empty() {
        return None;
    }
    Some(Failure::new(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            bad_value_list.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            bad_setters.join(" and "),
            join_quote(&bad_value_list)
        ),
    ))
}

/// `check_capabilities_baseline.go`.
pub(super) fn capabilities_baseline(pod: &Pod<'_>) -> Option<Failure> {
    const ALLOWED: [&str; 13] = [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ];
    let mut bad_containers = Vec::new();
    let mut non_default = BTreeSet::new();
    for container in &pod.containers {
        let capabilities = object(container.security_context(), "capabilities");
        let mut valid = true;
        for capability in strings(capabilities, "add") {
            if !ALLOWED.contains(&capability) {
                valid = false;
                non_default.insert(capability);
            }
        }
        if !valid {
            bad_containers.push(container.name);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad_containers),
            join_quote(&non_default.into_iter().collect::<Vec<_>>())
        ),
    ))
}

/// `check_hostNamespaces.go`.
pub(super) fn host_namespaces(pod: &Pod<'_>) -> Option<Failure> {
    let host_namespaces: Vec<&str> = [
        ("hostNetwork", "hostNetwork=true"),
        ("hostPID", "hostPID=true"),
        ("hostIPC", "hostIPC=true"),
    ]
    .into_iter()
    .filter(|(key, _)| boolean(pod.spec, key) == Some(true))
    .map(|(_, shown)| shown)
    .collect();
    if host_namespaces.is_empty() {
        return None;
    }
    Some(Failure::new("host namespaces", host_namespaces.join(", ")))
}

/// `check_hostPathVolumes.go`.
pub(super) fn host_path_volumes(pod: &Pod<'_>) -> Option<Failure> {
    let host_volumes: Vec<&str> = pod
        .volumes()
        .filter(|volume| object(Some(volume), "hostPath").is_some())
        .map(|volume| string(Some(volume), "name"))
        .collect();
    if host_volumes.is_empty() {
        return None;
    }
    Some(Failure::new(
        "hostPath volumes",
        format!(
            "{} {}",
            pluralize("volume", "volumes", host_volumes.len()),
            join_quote(&host_volumes)
        ),
    ))
}

/// `check_hostPorts.go`.
pub(super) fn host_ports(pod: &Pod<'_>) -> Option<Failure> {
    let mut bad_containers = Vec::new();
    // Upstream keeps the ports in a string set, so they sort as text ("10" < "9").
    let mut forbidden_ports = BTreeSet::new();
    for container in &pod.containers {
        let mut valid = true;
        for port in array(Some(container.value), "ports") {
            if let Some(host_port) = field(Some(port), "hostPort").and_then(Value::as_i64)
                && host_port != 0
            {
                valid = false;
                forbidden_ports.insert(host_port.to_string());
            }
        }
        if !valid {
            bad_containers.push(container.name);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let ports: Vec<String> = forbidden_ports.into_iter().collect();
    Some(Failure::new(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
    ))
}

/// `check_hostProbesAndhostLifecycle.go` (v1.34+): any explicit host on an HTTP or TCP probe or
/// lifecycle handler, loopback included.
pub(super) fn host_probes_and_host_lifecycle(pod: &Pod<'_>) -> Option<Failure> {
    fn handler_hosts<'a>(handler: Option<&'a Value>, hosts: &mut Vec<&'a str>) {
        for action in ["httpGet", "tcpSocket"] {
            let host = string(object(handler, action), "host");
            if !host.is_empty() {
                hosts.push(host);
            }
        }
    }

    let mut bad_containers = BTreeSet::new();
    let mut forbidden = BTreeSet::new();
    for container in &pod.containers {
        let mut hosts = Vec::new();
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            handler_hosts(object(Some(container.value), probe), &mut hosts);
        }
        let lifecycle = object(Some(container.value), "lifecycle");
        for hook in ["postStart", "preStop"] {
            handler_hosts(object(lifecycle, hook), &mut hosts);
        }
        if !hosts.is_empty() {
            bad_containers.insert(container.name);
            forbidden.extend(hosts);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let hosts: Vec<&str> = forbidden.into_iter().collect();
    let names: Vec<&str> = bad_containers.into_iter().collect();
    Some(Failure::new(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
    ))
}

/// `check_privileged.go`.
pub(super) fn privileged(pod: &Pod<'_>) -> Option<Failure> {
    let bad_containers =
        pod.containers_where(|context| boolean(context, "privileged") == Some(true));
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad_containers)
        ),
    ))
}

/// `procMount_1_0`, also the whole of `procMount_restricted` (v1.35+), which keeps restricted
/// strict after baseline relaxed it for user-namespace pods.
pub(super) fn proc_mount(pod: &Pod<'_>) -> Option<Failure> {
    let mut bad_containers = Vec::new();
    let mut forbidden_types = BTreeSet::new();
    for container in &pod.containers {
        if let Some(proc_mount) =
            field(container.security_context(), "procMount").and_then(Value::as_str)
            && proc_mount != "Default"
        {
            bad_containers.push(container.name);
            forbidden_types.insert(proc_mount);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad_containers),
            join_quote(&forbidden_types.into_iter().collect::<Vec<_>>())
        ),
    ))
}

/// `procMount1_35baseline`: any procMount is fine for a pod in a user namespace.
pub(super) fn proc_mount_1_35_baseline(pod: &Pod<'_>) -> Option<Failure> {
    if pod.in_user_namespace() {
        return None;
    }
    proc_mount(pod)
}

pub(super) const SELINUX_TYPES_1_0: &[&str] =
    &["", "container_t", "container_init_t", "container_kvm_t"];
pub(super) const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub(super) fn se_linux_options_1_0(pod: &Pod<'_>) -> Option<Failure> {
    se_linux_options(pod, SELINUX_TYPES_1_0)
}

pub(super) fn se_linux_options_1_31(pod: &Pod<'_>) -> Option<Failure> {
    se_linux_options(pod, SELINUX_TYPES_1_31)
}

/// `check_seLinuxOptions.go`; `container_engine_t` joined the allowed types in v1.31.
pub(super) fn se_linux_options<'a>(pod: &Pod<'a>, allowed_types: &[&str]) -> Option<Failure> {
    let mut bad_types = BTreeSet::new();
    let mut set_user = false;
    let mut set_role = false;
    let mut valid = |options: &'a Value| {
        let mut valid = true;
        let option_type = string(Some(options), "type");
        if !allowed_types.contains(&option_type) {
            valid = false;
            bad_types.insert(option_type);
        }
        if !string(Some(options), "user").is_empty() {
            valid = false;
            set_user = true;
        }
        if !string(Some(options), "role").is_empty() {
            valid = false;
            set_role = true;
        }
        valid
    };

    let mut bad_setters = Vec::new();
    if let Some(options) = object(pod.security_context(), "seLinuxOptions")
        && !valid(options)
    {
        bad_setters.push("pod".to_owned());
    }
    let bad_containers = pod.containers_where(|context| {
        object(context, "seLinuxOptions").is_some_and(|options| !valid(options))
    });
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }
    if bad_setters.is_empty() {
        return None;
    }

    let mut bad_data = Vec::new();
    if !bad_types.is_empty() {
        let types: Vec<&str> = bad_types.into_iter().collect();
        bad_data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if set_user {
        bad_data.push("user may not be set".to_owned());
    }
    if set_role {
        bad_data.push("role may not be set".to_owned());
    }
    Some(Failure::new(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            bad_setters.join(" and "),
            bad_data.join("; ")
        ),
    ))
}

/// `seccompProfileBaseline_1_0`: before v1.19 seccomp was set through alpha annotations.
pub(super) fn seccomp_profile_baseline_1_0(pod: &Pod<'_>) -> Option<Failure> {
    const POD_KEY: &str = "seccomp.security.alpha.kubernetes.io/pod";
    const CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
    fn valid(value: &str) -> bool {
        value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
    }

    let mut forbidden = BTreeSet::new();
    if let Some(value) = pod.annotation(POD_KEY)
        && !valid(value)
    {
        forbidden.insert(format!("{POD_KEY}={}", go_quote(value)));
    }
    for container in &pod.containers {
        let key = format!("{CONTAINER_PREFIX}{}", container.name);
        if let Some(value) = pod.annotation(&key)
            && !valid(value)
        {
            forbidden.insert(format!("{key}={}", go_quote(value)));
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    Some(Failure::new(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            forbidden.into_iter().collect::<Vec<_>>().join(", ")
        ),
    ))
}

pub(super) fn valid_seccomp_type(profile_type: &str) -> bool {
    matches!(profile_type, "RuntimeDefault" | "Localhost")
}

/// Who explicitly set a bad `seccompProfile.type` ("pod", "containers ...") and the bad values,
/// shared by the baseline and restricted field checks.
pub(super) struct SeccompFindings<'a> {
    pub(super) bad_setters: Vec<String>,
    pub(super) bad_values: BTreeSet<&'a str>,
    pub(super) pod_valid: bool,
    /// Containers with no profile of their own.
    pub(super) unset_containers: Vec<&'a str>,
}

pub(super) fn seccomp_findings<'a>(pod: &Pod<'a>) -> SeccompFindings<'a> {
    let mut findings = SeccompFindings {
        bad_setters: Vec::new(),
        bad_values: BTreeSet::new(),
        pod_valid: false,
        unset_containers: Vec::new(),
    };
    if let Some(profile) = object(pod.security_context(), "seccompProfile") {
        let profile_type = string(Some(profile), "type");
        if valid_seccomp_type(profile_type) {
            findings.pod_valid = true;
        } else {
            findings.bad_setters.push("pod".to_owned());
            findings.bad_values.insert(profile_type);
        }
    }
    let mut explicitly_bad = Vec::new();
    for container in &pod.containers {
        match object(container.security_context(), "seccompProfile") {
            Some(profile) => {
                let profile_type = string(Some(profile), "type");
                if !valid_seccomp_type(profile_type) {
                    explicitly_bad.push(container.name);
                    findings.bad_values.insert(profile_type);
                }
            }
            None => findings.unset_containers.push(container.name),
        }
    }
    if !explicitly_bad.is_empty() {
        findings
            .bad_setters
            .push(containers_phrase(&explicitly_bad));
    }
    findings
}

pub(super) fn seccomp_bad_setters_failure(findings: &SeccompFindings<'_>) -> Option<Failure> {
    if findings.bad_setters.is_empty() {
        return None;
    }
    let values: Vec<&str> = findings.bad_values.iter().copied().collect();
    Some(Failure::new(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            findings.bad_setters.join(" and "),
            join_quote(&values)
        ),
    ))
}

/// `seccompProfileBaseline_1_19`: explicit profiles must be `RuntimeDefault` or `Localhost`.
pub(super) fn seccomp_profile_baseline_1_19(pod: &Pod<'_>) -> Option<Failure> {
    seccomp_bad_setters_failure(&seccomp_findings(pod))
}

/// Allowed sysctls by the policy version that first allowed them.
pub(super) const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
pub(super) const SYSCTLS_ADDED_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
pub(super) const SYSCTLS_ADDED_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
pub(super) const SYSCTLS_ADDED_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

pub(super) fn sysctls_1_0(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0])
}

pub(super) fn sysctls_1_27(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27])
}

pub(super) fn sysctls_1_29(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27, SYSCTLS_ADDED_1_29])
}

pub(super) fn sysctls_1_32(pod: &Pod<'_>) -> Option<Failure> {
    sysctls(
        pod,
        &[
            SYSCTLS_1_0,
            SYSCTLS_ADDED_1_27,
            SYSCTLS_ADDED_1_29,
            SYSCTLS_ADDED_1_32,
        ],
    )
}

/// `check_sysctls.go`: forbidden names are listed in spec order, duplicates kept.
pub(super) fn sysctls(pod: &Pod<'_>, allowed: &[&[&str]]) -> Option<Failure> {
    let forbidden: Vec<&str> = array(pod.security_context(), "sysctls")
        .iter()
        .filter(|sysctl| sysctl.is_object())
        .map(|sysctl| string(Some(sysctl), "name"))
        .filter(|name| !allowed.iter().any(|set| set.contains(name)))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    Some(Failure::new("forbidden sysctls", forbidden.join(", ")))
}

/// `check_windowsHostProcess.go`.
pub(super) fn windows_host_process(pod: &Pod<'_>) -> Option<Failure> {
    let host_process =
        |context: Option<&Value>| boolean(object(context, "windowsOptions"), "hostProcess");
    let bad_containers = pod.containers_where(|context| host_process(context) == Some(true));
    let mut setters = Vec::new();
    if host_process(pod.security_context()) == Some(true) {
        setters.push("pod".to_owned());
    }
    if !bad_containers.is_empty() {
        setters.push(containers_phrase(&bad_containers));
    }
    if setters.is_empty() {
        return None;
    }
    Some(Failure::new(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
    ))
}
