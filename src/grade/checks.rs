//! Verdicts of each expectation on one object.

use std::fmt::Write as _;

use serde_json::Value;

use super::image;
use super::pod::{self, Origin};
use super::target;
use crate::kind::Kind;
use crate::library::rubric::{
    Expectation, Matcher, ProbeHandler, ProbeKind, Quantifier, SecurityExpect,
};
use crate::pod_security::pod_template;
use crate::snapshot::secret;
use crate::snapshot::{Object, Snapshot};

pub use crate::evaluator::Verdict;

pub fn judge(expect: &Expectation, object: &Object, snapshot: &Snapshot) -> Verdict {
    match expect {
        Expectation::Exists(want) => Verdict::new(*want, format!("{} exists", object.display())),
        Expectation::Field {
            path,
            matcher,
            over,
        } => field(object, path, matcher, *over),
        Expectation::RegistryCredentials {
            server,
            username,
            password,
        } => registry(object, server, username.as_deref(), password.as_deref()),
        Expectation::PullSecret(name) => pull_secret(object, name, snapshot),
        Expectation::SecurityContext { container, expect } => {
            with_spec(object, |spec| security(spec, container.as_deref(), expect))
        }
        Expectation::Probe {
            container,
            probe,
            handler,
        } => with_spec(object, |spec| {
            probes(spec, container.as_deref(), *probe, *handler)
        }),
        Expectation::Resources {
            container,
            requests,
            limits,
        } => with_spec(object, |spec| {
            resources(spec, container.as_deref(), requests, limits)
        }),
        Expectation::ReadyReplicas { at_least } => ready_replicas(object, *at_least, snapshot),
        Expectation::TokenMounted(want) => token(object, *want, snapshot),
        Expectation::Evaluated(check) => check.judge(Some(object), snapshot),
    }
}

fn with_pod(object: &Object, f: impl FnOnce(&Value, &Value) -> Verdict) -> Verdict {
    match pod_template(&object.value) {
        Some((meta, spec)) => f(meta, spec),
        None => Verdict::new(false, format!("{} has no pod template", object.display())),
    }
}

fn with_spec(object: &Object, f: impl FnOnce(&Value) -> Verdict) -> Verdict {
    with_pod(object, |_, spec| f(spec))
}

// ---- field ----------------------------------------------------------------

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a path's values compare: image references as the runtime resolves
/// them, everything else as an examiner reads values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    Image,
    Value,
}

impl Compare {
    /// Images for a path that ends in `.image` (a container's image).
    fn of(path: &crate::jsonpath::JsonPath) -> Compare {
        let p = path.as_str().trim();
        let p = p.strip_suffix('}').unwrap_or(p);
        let last = p.rsplit(['.', '[']).next().unwrap_or(p);
        if last.trim_matches(|c| c == '\'' || c == '"' || c == ']') == "image" {
            Compare::Image
        } else {
            Compare::Value
        }
    }

    fn eq(self, have: &Value, want: &Value) -> bool {
        match (self, have, want) {
            (Compare::Image, Value::String(h), Value::String(w)) => image::same(h, w),
            (Compare::Value, Value::String(h), Value::String(w)) => same_text(h, w),
            _ => json_eq(have, want),
        }
    }
}

/// Text as an examiner reads it: the newline `echo` leaves at the end of a
/// file loaded with `--from-file` is not part of the value, and `/var/run/`
/// is the mount point `/var/run`.
fn same_text(have: &str, want: &str) -> bool {
    let path = |s: &str| -> Option<String> {
        (s.starts_with('/') && s.len() > 1).then(|| s.trim_end_matches('/').to_string())
    };
    have == want
        || as_read(have) == as_read(want)
        || path(have).is_some_and(|h| path(want).is_some_and(|w| h == w))
}

/// A value without the one line ending a shell leaves after it.
fn as_read(s: &str) -> &str {
    s.strip_suffix("\r\n")
        .or_else(|| s.strip_suffix('\n'))
        .unwrap_or(s)
}

fn matches(m: &Matcher, v: &Value, how: Compare) -> bool {
    match m {
        Matcher::Equals(want) => how.eq(v, want),
        Matcher::OneOf(wants) => wants.iter().any(|w| how.eq(v, w)),
        Matcher::Contains(want) => match (v, want) {
            (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
            (Value::Array(items), _) => items.iter().any(|i| json_eq(i, want)),
            (Value::Object(map), Value::String(k)) => map.contains_key(k),
            _ => false,
        },
        Matcher::Matches(re) => {
            let text = render_value(v);
            re.is_match(&text) || re.is_match(as_read(&text))
        }
        Matcher::Range { at_least, at_most } => as_number(v)
            .is_some_and(|n| at_least.is_none_or(|l| n >= l) && at_most.is_none_or(|h| n <= h)),
        Matcher::Present(_) => true,
    }
}

fn field(
    object: &Object,
    path: &crate::jsonpath::JsonPath,
    m: &Matcher,
    over: Quantifier,
) -> Verdict {
    let nodes: Vec<&Value> = path
        .eval(&object.value)
        .into_iter()
        .filter(|v| !v.is_null())
        .collect();
    let secret = object.kind == Kind::Secret && path.as_str().contains("data");
    let shown = if nodes.is_empty() {
        "not set".to_string()
    } else if secret {
        "(a value, not shown: Secret data)".to_string()
    } else {
        nodes
            .iter()
            .map(|v| render_value(v))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let how = Compare::of(path);
    let pass = match m {
        Matcher::Present(want) => nodes.is_empty() != *want,
        _ if nodes.is_empty() => false,
        _ => match over {
            Quantifier::All => nodes.iter().all(|v| matches(m, v, how)),
            Quantifier::Any => nodes.iter().any(|v| matches(m, v, how)),
        },
    };
    Verdict::new(pass, shown)
}

// ---- secrets and pull secrets ---------------------------------------------

fn registry(
    object: &Object,
    server: &str,
    username: Option<&str>,
    password: Option<&str>,
) -> Verdict {
    let auths = match secret::registry_auths(&object.value) {
        Ok(a) => a,
        Err(why) => return Verdict::new(false, why),
    };
    // The kubelet tries every entry that serves the location.
    let serving: Vec<&secret::RegistryAuth> = auths
        .iter()
        .filter(|a| secret::serves(&a.server, server))
        .collect();
    let entry = serving
        .iter()
        .find(|a| a.holds(username, password) == (true, true))
        .or_else(|| serving.first());
    let Some(entry) = entry else {
        let servers: Vec<String> = auths.iter().map(|a| format!("'{}'", a.server)).collect();
        return Verdict::new(
            false,
            format!(
                "no credentials for '{server}' (registries: {})",
                if servers.is_empty() {
                    "none".into()
                } else {
                    servers.join(", ")
                }
            ),
        );
    };
    let (user_ok, pass_ok) = entry.holds(username, password);
    let mut found = vec![format!(
        "registry '{}' (the kubelet sends {})",
        entry.server,
        entry.source()
    )];
    if username.is_some() {
        found.push(
            if user_ok {
                "username matches"
            } else {
                "username does not match"
            }
            .into(),
        );
    }
    if password.is_some() {
        found.push(
            if pass_ok {
                "password matches"
            } else {
                "password does not match"
            }
            .into(),
        );
    }
    Verdict::new(user_ok && pass_ok, found.join(", "))
}

fn names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

fn service_account_name(spec: &Value) -> &str {
    spec.get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Value::as_str)
        .unwrap_or("default")
}

fn show_list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn pull_secret(object: &Object, name: &str, snapshot: &Snapshot) -> Verdict {
    if object.kind == Kind::ServiceAccount {
        let have = names(object.value.get("imagePullSecrets"));
        return Verdict::new(
            have.iter().any(|n| n == name),
            format!("imagePullSecrets: {}", show_list(&have)),
        );
    }
    with_spec(object, |spec| {
        let own = names(spec.get("imagePullSecrets"));
        if object.kind == Kind::Pod || !own.is_empty() {
            return Verdict::new(
                own.iter().any(|n| n == name),
                format!("imagePullSecrets: {}", show_list(&own)),
            );
        }
        // Pods created from this template inherit the ServiceAccount's pull
        // secrets when they list none of their own.
        let sa = service_account_name(spec);
        match snapshot.get(Kind::ServiceAccount, object.namespace.as_deref(), sa) {
            Some(account) => {
                let inherited = names(account.value.get("imagePullSecrets"));
                Verdict::new(
                    inherited.iter().any(|n| n == name),
                    format!(
                        "none in the pod template; from ServiceAccount {sa}: {}",
                        show_list(&inherited)
                    ),
                )
            }
            None => Verdict::new(
                false,
                format!("none in the pod template; ServiceAccount {sa} not found"),
            ),
        }
    })
}

// ---- security context -----------------------------------------------------

fn origin_note(origin: Origin) -> &'static str {
    match origin {
        Origin::Pod => " (from pod level)",
        Origin::Container | Origin::Unset => "",
    }
}

fn security(spec: &Value, only: Option<&str>, e: &SecurityExpect) -> Verdict {
    let containers = pod::containers(spec, only);
    if containers.is_empty() {
        return Verdict::new(
            false,
            only.map_or("no containers".into(), |n| {
                format!("no container named '{n}'")
            }),
        );
    }
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    if let Some(want) = e.fs_group {
        let have = spec.pointer("/securityContext/fsGroup");
        if have.and_then(Value::as_i64) == Some(want) {
            seen.push(format!("fsGroup={want}"));
        } else {
            problems.push(format!("pod fsGroup={}", pod::render(have)));
        }
    }
    for c in &containers {
        let mut bad = Vec::new();
        let mut good = Vec::new();
        let mut inherited_eq = |field: &str, want: Option<Value>| {
            let Some(want) = want else { return };
            let (have, origin) = pod::inherited(spec, c, field);
            let text = format!("{field}={}{}", pod::render(have), origin_note(origin));
            if have.is_some_and(|h| json_eq(h, &want)) {
                good.push(text);
            } else {
                bad.push(text);
            }
        };
        inherited_eq("runAsUser", e.run_as_user.map(Value::from));
        inherited_eq("runAsGroup", e.run_as_group.map(Value::from));
        inherited_eq("runAsNonRoot", e.run_as_non_root.map(Value::from));
        if let Some(want) = &e.seccomp_profile {
            let (have, origin) = pod::inherited(spec, c, "seccompProfile");
            let ty = have.and_then(|p| p.get("type")).and_then(Value::as_str);
            let text = format!(
                "seccompProfile.type={}{}",
                ty.unwrap_or("not set"),
                origin_note(origin)
            );
            if ty == Some(want.as_str()) {
                good.push(text);
            } else {
                bad.push(text);
            }
        }
        // Container-only fields, with the runtime defaults when unset. A
        // privileged container may always escalate, whatever it writes.
        let privileged = pod::own(c, "privileged").and_then(Value::as_bool) == Some(true);
        let mut own_bool = |field: &str, want: Option<bool>, default: bool| {
            let Some(want) = want else { return };
            let have = pod::own(c, field).and_then(Value::as_bool);
            let forced = privileged && field == "allowPrivilegeEscalation";
            let effective = if forced {
                true
            } else {
                have.unwrap_or(default)
            };
            let text = match have {
                _ if forced => format!("{field} is true (the container is privileged)"),
                Some(v) => format!("{field}={v}"),
                None => format!("{field} not set (defaults to {default})"),
            };
            if effective == want && (have.is_some() || !want_explicit(field)) {
                good.push(text);
            } else {
                bad.push(text);
            }
        };
        own_bool(
            "allowPrivilegeEscalation",
            e.allow_privilege_escalation,
            true,
        );
        own_bool("privileged", e.privileged, false);
        own_bool("readOnlyRootFilesystem", e.read_only_root_filesystem, false);
        if let Some(caps) = &e.capabilities {
            capability_verdicts(c, caps, &mut good, &mut bad);
        }
        if bad.is_empty() {
            seen.push(format!("container \"{}\": {}", c.name, good.join(", ")));
        } else {
            problems.push(format!("container \"{}\": {}", c.name, bad.join(", ")));
        }
    }
    if problems.is_empty() {
        Verdict::new(true, seen.join("; "))
    } else {
        Verdict::new(false, problems.join("; "))
    }
}

/// What the running container's capability set says about `capabilities`
/// of a rubric: each `drop` is absent from it (`ALL`: the runtime dropped
/// every one), and the capabilities `add` takes effect for are exactly `add`.
fn capability_verdicts(
    c: &pod::Container<'_>,
    want: &crate::library::rubric::CapabilitiesExpect,
    good: &mut Vec<String>,
    bad: &mut Vec<String>,
) {
    let caps = pod::capabilities(c);
    let mut notes = Vec::new();
    if caps.privileged {
        notes.push("privileged: every capability".to_string());
    }
    if !caps.ignored.is_empty() {
        notes.push(format!(
            "ignored by the runtime: {}",
            caps.ignored
                .iter()
                .map(|n| format!("{n} (becomes CAP_{})", n.to_ascii_uppercase()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let note = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    if let Some(drop) = &want.drop {
        let kept: Vec<String> = drop
            .iter()
            .map(|d| pod::rubric_capability(d))
            .filter(|d| {
                if d == "ALL" {
                    !caps.drops_all
                } else {
                    caps.effective.contains(d.as_str())
                }
            })
            .collect();
        let have = caps.effective.iter().copied().collect::<Vec<_>>().join(",");
        let text = if kept.is_empty() {
            format!("runs with [{have}]{note}")
        } else {
            format!("still has {} (runs with [{have}]){note}", kept.join(","))
        };
        if kept.is_empty() {
            good.push(text);
        } else {
            bad.push(text);
        }
    }
    if let Some(add) = &want.add {
        let wanted: std::collections::BTreeSet<String> =
            add.iter().map(|a| pod::rubric_capability(a)).collect();
        let have: std::collections::BTreeSet<String> =
            caps.added.iter().map(|a| (*a).to_string()).collect();
        let missing: Vec<&str> = wanted
            .iter()
            .filter(|w| !caps.effective.contains(w.as_str()))
            .map(String::as_str)
            .collect();
        let shown = have
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(",");
        let text = if missing.is_empty() {
            format!("capabilities added: [{shown}]{note}")
        } else {
            format!(
                "lacks {} (capabilities added: [{shown}]){note}",
                missing.join(",")
            )
        };
        if missing.is_empty() && have == wanted && !caps.privileged {
            good.push(text);
        } else {
            bad.push(text);
        }
    }
}

/// allowPrivilegeEscalation=false must be written: unset means allowed.
fn want_explicit(field: &str) -> bool {
    field == "allowPrivilegeEscalation"
}

// ---- probes, resources, replicas, token -----------------------------------

fn handler_of(probe: &Value) -> &'static str {
    [
        ProbeHandler::Http,
        ProbeHandler::Tcp,
        ProbeHandler::Exec,
        ProbeHandler::Grpc,
    ]
    .into_iter()
    .find(|h| probe.get(h.field()).is_some())
    .map_or("no handler", ProbeHandler::field)
}

fn probes(
    spec: &Value,
    only: Option<&str>,
    kind: ProbeKind,
    handler: Option<ProbeHandler>,
) -> Verdict {
    // Init containers that run to completion cannot have probes; sidecars can.
    let containers = pod::long_running(spec, only);
    if containers.is_empty() {
        return Verdict::new(false, "no containers");
    }
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for c in containers {
        let name = c.name;
        match c.value.get(kind.field()) {
            None => problems.push(format!("container \"{name}\" has no {}", kind.field())),
            Some(p) => {
                let h = handler_of(p);
                if handler.is_some_and(|want| want.field() != h) {
                    problems.push(format!("container \"{name}\": {} uses {h}", kind.field()));
                } else {
                    seen.push(format!("container \"{name}\": {} ({h})", kind.field()));
                }
            }
        }
    }
    if problems.is_empty() {
        Verdict::new(true, seen.join("; "))
    } else {
        Verdict::new(false, problems.join("; "))
    }
}

fn resources(spec: &Value, only: Option<&str>, requests: &[String], limits: &[String]) -> Verdict {
    // Every container, init containers included: the scheduler and a
    // ResourceQuota count theirs too.
    let containers = pod::containers(spec, only);
    if containers.is_empty() {
        return Verdict::new(false, "no containers");
    }
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for c in &containers {
        let mut missing = Vec::new();
        let mut have = Vec::new();
        for (section, wanted) in [("requests", requests), ("limits", limits)] {
            for r in wanted {
                match c
                    .value
                    .pointer(&format!("/resources/{section}"))
                    .and_then(|s| s.get(r.as_str()))
                {
                    Some(v) => have.push(format!("{section}.{r}={}", render_value(v))),
                    None => missing.push(format!("{section}.{r}")),
                }
            }
        }
        if missing.is_empty() {
            seen.push(format!("container \"{}\": {}", c.name, have.join(", ")));
        } else {
            problems.push(format!(
                "container \"{}\" has no {}",
                c.name,
                missing.join(", ")
            ));
        }
    }
    if problems.is_empty() {
        Verdict::new(true, seen.join("; "))
    } else {
        Verdict::new(false, problems.join("; "))
    }
}

fn count(object: &Object, field: &str) -> u64 {
    object
        .value
        .pointer(field)
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// Ready replicas of a workload. For a Deployment only those of a finished
/// rollout count: the ready pods of its current ReplicaSet, so the pods of
/// an old template that keep serving while the new one crash-loops do not
/// stand in for it.
fn ready_replicas(object: &Object, at_least: u32, snapshot: &Snapshot) -> Verdict {
    let desired = object
        .value
        .pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .map(|d| format!(" of {d}"))
        .unwrap_or_default();
    if object.kind == Kind::DaemonSet {
        let ready = count(object, "/status/numberReady");
        return Verdict::new(
            ready >= u64::from(at_least),
            format!("{ready}{desired} ready"),
        );
    }
    if object.kind != Kind::Deployment {
        let ready = count(object, "/status/readyReplicas");
        return Verdict::new(
            ready >= u64::from(at_least),
            format!("{ready}{desired} ready"),
        );
    }
    let generation = count(object, "/metadata/generation");
    if count(object, "/status/observedGeneration") < generation {
        return Verdict::new(
            false,
            "the Deployment controller has not rolled out the latest spec yet",
        );
    }
    let total = count(object, "/status/replicas");
    let updated = count(object, "/status/updatedReplicas");
    let ready_all = count(object, "/status/readyReplicas");
    let old = total.saturating_sub(updated);
    let ready = match target::current_replica_sets(object, snapshot) {
        Some(sets) => sets
            .iter()
            .map(|rs| count(rs, "/status/readyReplicas"))
            .sum(),
        // Without ReplicaSets, assume the old pods are the ready ones.
        None => ready_all.saturating_sub(old),
    };
    let mut found = format!("{ready}{desired} ready");
    if old > 0 {
        let _ = write!(
            found,
            " (rollout not finished: {updated} updated, {old} of an older template still running)"
        );
    }
    Verdict::new(ready >= u64::from(at_least), found)
}

fn token(object: &Object, want: bool, snapshot: &Snapshot) -> Verdict {
    with_spec(object, |spec| {
        if object.kind == Kind::Pod {
            let mounted = pod::token_mounts(spec);
            let found = if mounted.is_empty() {
                "no token mounted".to_string()
            } else {
                format!(
                    "token mounted at {} in {}",
                    pod::TOKEN_PATH,
                    mounted
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Verdict::new(mounted.is_empty() != want, found);
        }
        // A template: the pods will get a token unless the pod spec or its
        // ServiceAccount turns automount off (the pod spec wins).
        let sa = service_account_name(spec);
        let (mount, why) = match spec
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool)
        {
            Some(v) => (
                v,
                format!("pod template sets automountServiceAccountToken={v}"),
            ),
            None => match snapshot
                .get(Kind::ServiceAccount, object.namespace.as_deref(), sa)
                .and_then(|a| a.value.get("automountServiceAccountToken"))
                .and_then(Value::as_bool)
            {
                Some(v) => (
                    v,
                    format!("ServiceAccount {sa} sets automountServiceAccountToken={v}"),
                ),
                None => (
                    true,
                    format!("automount not disabled (pod template and ServiceAccount {sa})"),
                ),
            },
        };
        let explicit = !pod::token_mounts(spec).is_empty();
        Verdict::new((mount || explicit) == want, why)
    })
}
