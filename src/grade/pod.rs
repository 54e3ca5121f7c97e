//! What a pod spec means once defaults and inheritance apply: effective
//! securityContext per container, probes, resources, the service-account token.

use std::collections::BTreeSet;

use serde_json::Value;

/// A container of a pod spec.
pub struct Container<'a> {
    pub name: &'a str,
    pub value: &'a Value,
}

/// The containers listed under `fields` of a pod spec, in that order, or
/// only the one named `only`.
fn listed<'a>(spec: &'a Value, fields: &[&str], only: Option<&str>) -> Vec<Container<'a>> {
    fields
        .iter()
        .filter_map(|f| spec.get(*f).and_then(Value::as_array))
        .flatten()
        .map(|c| Container {
            name: c.get("name").and_then(Value::as_str).unwrap_or("?"),
            value: c,
        })
        .filter(|c| only.is_none_or(|n| n == c.name))
        .collect()
}

/// Init containers, then containers: every one the kubelet runs to completion or keeps running.
pub fn containers<'a>(spec: &'a Value, only: Option<&str>) -> Vec<Container<'a>> {
    listed(spec, &["initContainers", "containers"], only)
}

/// The names of the restartable init containers (`restartPolicy: Always`):
/// sidecars the kubelet starts before the app containers and keeps running.
pub fn sidecar_names(spec: &Value) -> Vec<&str> {
    listed(spec, &["initContainers"], None)
        .into_iter()
        .filter(|c| c.value.get("restartPolicy").and_then(Value::as_str) == Some("Always"))
        .map(|c| c.name)
        .collect()
}

/// The containers the kubelet keeps running: restartable init containers
/// (sidecars), then the app containers. Those that can have probes.
pub fn long_running<'a>(spec: &'a Value, only: Option<&str>) -> Vec<Container<'a>> {
    let sidecars = sidecar_names(spec);
    listed(spec, &["initContainers", "containers"], only)
        .into_iter()
        .enumerate()
        .filter(|(i, c)| *i >= init_count(spec) || sidecars.contains(&c.name))
        .map(|(_, c)| c)
        .collect()
}

fn init_count(spec: &Value) -> usize {
    spec.get("initContainers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// Where an effective value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Container,
    Pod,
    Unset,
}

/// The effective value of a field that the pod-level securityContext sets
/// and a container may override.
pub fn inherited<'a>(
    spec: &'a Value,
    c: &Container<'a>,
    field: &str,
) -> (Option<&'a Value>, Origin) {
    if let Some(v) = c
        .value
        .pointer("/securityContext")
        .and_then(|s| s.get(field))
        .filter(|v| !v.is_null())
    {
        return (Some(v), Origin::Container);
    }
    if let Some(v) = spec
        .pointer("/securityContext")
        .and_then(|s| s.get(field))
        .filter(|v| !v.is_null())
    {
        return (Some(v), Origin::Pod);
    }
    (None, Origin::Unset)
}

/// A container-only securityContext field.
pub fn own<'a>(c: &Container<'a>, field: &str) -> Option<&'a Value> {
    c.value
        .pointer("/securityContext")
        .and_then(|s| s.get(field))
        .filter(|v| !v.is_null())
}

/// Every Linux capability the kernel knows, without the `CAP_` prefix.
pub const ALL_CAPABILITIES: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// The capabilities containerd gives a container that neither adds nor drops any.
pub const DEFAULT_CAPABILITIES: [&str; 14] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// The capabilities a container really runs with, as the container runtime
/// applies `capabilities.add/drop`: `ALL` (any case) adds or drops every one,
/// every other name is upper-cased and prefixed with `CAP_`, so `net_admin`
/// is `CAP_NET_ADMIN` while `CAP_CHOWN` becomes `CAP_CAP_CHOWN`, which no
/// kernel knows and the runtime ignores. `privileged: true` gives every
/// capability whatever `drop` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// The effective set, names without `CAP_`.
    pub effective: BTreeSet<&'static str>,
    /// Capabilities named in `add` that take effect (all of them for `ALL`).
    pub added: BTreeSet<&'static str>,
    /// `drop` includes `ALL` (and the container is not privileged).
    pub drops_all: bool,
    pub privileged: bool,
    /// Names in `add`/`drop` the runtime ignores, as written.
    pub ignored: Vec<String>,
}

/// A capability name as the runtime resolves it: `Some` for a name the kernel knows.
fn known_capability(written: &str) -> Option<&'static str> {
    let up = written.to_ascii_uppercase();
    ALL_CAPABILITIES.iter().copied().find(|c| *c == up)
}

pub fn capabilities(c: &Container<'_>) -> Capabilities {
    let listed = |which: &str| -> Vec<&str> {
        own(c, "capabilities")
            .and_then(|caps| caps.get(which))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let (add, drop) = (listed("add"), listed("drop"));
    let is_all = |n: &&str| n.eq_ignore_ascii_case("ALL");
    let privileged = own(c, "privileged").and_then(Value::as_bool) == Some(true);
    let mut ignored = Vec::new();
    let mut resolve = |names: &[&str]| -> Vec<&'static str> {
        names
            .iter()
            .filter(|n| !is_all(n))
            .filter_map(|n| {
                let known = known_capability(n);
                if known.is_none() {
                    ignored.push((*n).to_string());
                }
                known
            })
            .collect()
    };
    let (add_named, drop_named) = (resolve(&add), resolve(&drop));
    let all: BTreeSet<&'static str> = ALL_CAPABILITIES.into_iter().collect();
    let mut effective: BTreeSet<&'static str> = if add.iter().any(is_all) {
        all.clone()
    } else {
        DEFAULT_CAPABILITIES.into_iter().collect()
    };
    let drops_all = drop.iter().any(is_all);
    if drops_all {
        effective.clear();
    }
    effective.extend(add_named.iter().copied());
    for d in &drop_named {
        effective.remove(d);
    }
    let mut added: BTreeSet<&'static str> = if add.iter().any(is_all) {
        all.clone()
    } else {
        add_named.into_iter().collect()
    };
    added.retain(|a| effective.contains(a));
    if privileged {
        effective = all;
    }
    Capabilities {
        effective,
        added,
        drops_all: drops_all && !privileged,
        privileged,
        ignored,
    }
}

/// A capability named in a rubric: the kernel name without `CAP_`.
pub fn rubric_capability(s: &str) -> String {
    let up = s.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map_or(up.clone(), str::to_string)
}

pub const TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The containers of a pod that have a service-account token mounted: a
/// projected `serviceAccountToken` volume, a legacy token Secret volume, or
/// anything mounted at the token path.
pub fn token_mounts(spec: &Value) -> Vec<&str> {
    let volumes = spec.get("volumes").and_then(Value::as_array);
    let is_token_volume = |name: &str| {
        volumes.into_iter().flatten().any(|v| {
            v.get("name").and_then(Value::as_str) == Some(name)
                && (v
                    .pointer("/projected/sources")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s.iter().any(|src| src.get("serviceAccountToken").is_some()))
                    || v.pointer("/secret/secretName")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.contains("-token-")))
        })
    };
    containers(spec, None)
        .into_iter()
        .filter(|c| {
            c.value
                .get("volumeMounts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|m| {
                    m.get("mountPath")
                        .and_then(Value::as_str)
                        .map(|p| p.trim_end_matches('/'))
                        == Some(TOKEN_PATH)
                        || m.get("name")
                            .and_then(Value::as_str)
                            .is_some_and(is_token_volume)
                })
        })
        .map(|c| c.name)
        .collect()
}

pub fn render(v: Option<&Value>) -> String {
    match v {
        None => "not set".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_level_overrides_pod_level() {
        let spec = json!({"securityContext": {"runAsUser": 1000},
            "containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsUser": 0}}]});
        let cs = containers(&spec, None);
        assert_eq!(
            inherited(&spec, &cs[0], "runAsUser"),
            (Some(&json!(1000)), Origin::Pod)
        );
        assert_eq!(
            inherited(&spec, &cs[1], "runAsUser"),
            (Some(&json!(0)), Origin::Container)
        );
        assert_eq!(
            inherited(&spec, &cs[0], "runAsGroup"),
            (None, Origin::Unset)
        );
    }

    #[test]
    fn token_is_seen_from_the_projected_volume() {
        let spec = json!({"containers": [{"name": "app", "volumeMounts": [
            {"name": "kube-api-access-x", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}]}],
            "volumes": [{"name": "kube-api-access-x", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}]});
        assert_eq!(token_mounts(&spec), vec!["app"]);
        assert!(token_mounts(&json!({"containers": [{"name": "app"}]})).is_empty());
    }
}
