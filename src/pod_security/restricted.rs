//! Restricted checks of the Pod Security Standards.

use super::{
    BTreeSet, Failure, Pod, Value, boolean, containers_phrase, field, join_quote, object,
    pluralize, seccomp_bad_setters_failure, seccomp_findings, string, strings,
};

/// `allowPrivilegeEscalation_1_8`: every container must set it to false explicitly.
pub(super) fn allow_privilege_escalation_1_8(pod: &Pod<'_>) -> Option<Failure> {
    let bad_containers =
        pod.containers_where(|context| boolean(context, "allowPrivilegeEscalation") != Some(false));
    if bad_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad_containers)
        ),
    ))
}

/// From v1.25 a pod with `spec.os.name: windows` is exempt: API validation forbids the field.
pub(super) fn allow_privilege_escalation_1_25(pod: &Pod<'_>) -> Option<Failure> {
    if pod.is_windows() {
        return None;
    }
    allow_privilege_escalation_1_8(pod)
}

/// `capabilitiesRestricted_1_22`: drop ALL, add nothing but `NET_BIND_SERVICE`.
pub(super) fn capabilities_restricted_1_22(pod: &Pod<'_>) -> Option<Failure> {
    let mut missing_drop_all = Vec::new();
    let mut adding_forbidden = Vec::new();
    let mut forbidden_capabilities = BTreeSet::new();
    for container in &pod.containers {
        let Some(capabilities) = object(container.security_context(), "capabilities") else {
            missing_drop_all.push(container.name);
            continue;
        };
        if !strings(Some(capabilities), "drop").any(|capability| capability == "ALL") {
            missing_drop_all.push(container.name);
        }
        let mut added_forbidden = false;
        for capability in strings(Some(capabilities), "add") {
            if capability != "NET_BIND_SERVICE" {
                added_forbidden = true;
                forbidden_capabilities.insert(capability);
            }
        }
        if added_forbidden {
            adding_forbidden.push(container.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop_all)
        ));
    }
    if !adding_forbidden.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding_forbidden),
            join_quote(&forbidden_capabilities.into_iter().collect::<Vec<_>>())
        ));
    }
    if details.is_empty() {
        return None;
    }
    Some(Failure::new(
        "unrestricted capabilities",
        details.join("; "),
    ))
}

pub(super) fn capabilities_restricted_1_25(pod: &Pod<'_>) -> Option<Failure> {
    if pod.is_windows() {
        return None;
    }
    capabilities_restricted_1_22(pod)
}

/// `check_restrictedVolumes.go`. The `image` type was allowed in place (Kubernetes v1.33),
/// so it applies at every pinned version, like upstream's single v1.0 revision.
pub(super) fn restricted_volumes(pod: &Pod<'_>) -> Option<Failure> {
    const ALLOWED: [&str; 9] = [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    // Upstream's switch order: the first source found names the volume's type.
    const RESTRICTED: [&str; 21] = [
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
    let mut bad_volumes = Vec::new();
    let mut bad_types = BTreeSet::new();
    for volume in pod.volumes() {
        let has = |source: &&str| object(Some(volume), source).is_some();
        if ALLOWED.iter().any(has) {
            continue;
        }
        // The API server defaults a volume that names no source to emptyDir
        // (`SetDefaults_Volume`) before admission runs, so upstream's "unknown" type never
        // reaches the plugin and such a volume is allowed.
        let Some(restricted_type) = RESTRICTED.into_iter().find(|source| has(source)) else {
            continue;
        };
        bad_volumes.push(string(Some(volume), "name"));
        bad_types.insert(restricted_type);
    }
    if bad_volumes.is_empty() {
        return None;
    }
    let types: Vec<&str> = bad_types.into_iter().collect();
    Some(Failure::new(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", bad_volumes.len()),
            join_quote(&bad_volumes),
            pluralize("uses", "use", bad_volumes.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
    ))
}

/// `runAsNonRoot_1_0`: pod-level true covers containers that leave it unset.
pub(super) fn run_as_non_root_1_0(pod: &Pod<'_>) -> Option<Failure> {
    const REASON: &str = "runAsNonRoot != true";
    let mut bad_setters = Vec::new();
    let mut pod_run_as_non_root = false;
    match boolean(pod.security_context(), "runAsNonRoot") {
        Some(false) => bad_setters.push("pod".to_owned()),
        Some(true) => pod_run_as_non_root = true,
        None => {}
    }
    let mut explicitly_bad = Vec::new();
    let mut implicitly_bad = Vec::new();
    for container in &pod.containers {
        match boolean(container.security_context(), "runAsNonRoot") {
            Some(false) => explicitly_bad.push(container.name),
            None if !pod_run_as_non_root => implicitly_bad.push(container.name),
            Some(true) | None => {}
        }
    }
    if !explicitly_bad.is_empty() {
        bad_setters.push(containers_phrase(&explicitly_bad));
    }
    if !bad_setters.is_empty() {
        return Some(Failure::new(
            REASON,
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                bad_setters.join(" and ")
            ),
        ));
    }
    if !implicitly_bad.is_empty() {
        return Some(Failure::new(
            REASON,
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicitly_bad)
            ),
        ));
    }
    None
}

/// From v1.35 a user-namespace pod is exempt: its root is unprivileged on the host.
pub(super) fn run_as_non_root_1_35(pod: &Pod<'_>) -> Option<Failure> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_non_root_1_0(pod)
}

/// `runAsUser_1_23`: nothing may set `runAsUser: 0`; leaving it unset is fine.
pub(super) fn run_as_user_1_23(pod: &Pod<'_>) -> Option<Failure> {
    let is_root =
        |context: Option<&Value>| field(context, "runAsUser").and_then(Value::as_i64) == Some(0);
    let mut bad_setters = Vec::new();
    if is_root(pod.security_context()) {
        bad_setters.push("pod".to_owned());
    }
    let bad_containers = pod.containers_where(is_root);
    if !bad_containers.is_empty() {
        bad_setters.push(containers_phrase(&bad_containers));
    }
    if bad_setters.is_empty() {
        return None;
    }
    Some(Failure::new(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", bad_setters.join(" and ")),
    ))
}

pub(super) fn run_as_user_1_35(pod: &Pod<'_>) -> Option<Failure> {
    if pod.in_user_namespace() {
        return None;
    }
    run_as_user_1_23(pod)
}

/// `seccompProfileRestricted_1_19`: a valid profile is required, at pod level or on every
/// container.
pub(super) fn seccomp_profile_restricted_1_19(pod: &Pod<'_>) -> Option<Failure> {
    let findings = seccomp_findings(pod);
    if let Some(failure) = seccomp_bad_setters_failure(&findings) {
        return Some(failure);
    }
    if findings.pod_valid || findings.unset_containers.is_empty() {
        return None;
    }
    Some(Failure::new(
        "seccompProfile",
        format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&findings.unset_containers)
        ),
    ))
}

pub(super) fn seccomp_profile_restricted_1_25(pod: &Pod<'_>) -> Option<Failure> {
    if pod.is_windows() {
        return None;
    }
    seccomp_profile_restricted_1_19(pod)
}
