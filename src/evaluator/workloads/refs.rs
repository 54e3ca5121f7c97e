//! Whether the ConfigMaps and Secrets a pod spec references resolve, as the kubelet needs them:
//! env `valueFrom` keys, `envFrom` sources, and `configMap`/`secret` volumes (plain or projected)
//! with their `items`. A reference marked `optional` that does not resolve is fine (the variable
//! or file is left out); any other stops the container (`CreateContainerConfigError`) or the
//! volume mount.

use serde_json::Value;

use crate::evaluator::Verdict;
use crate::evaluator::objects::{array_at, name, namespace, str_at};
use crate::grade::pod::containers;

/// A ConfigMap or a Secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    ConfigMap,
    Secret,
}

impl Source {
    fn kind(self) -> &'static str {
        match self {
            Self::ConfigMap => "ConfigMap",
            Self::Secret => "Secret",
        }
    }
}

/// One reference of a pod spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub source: Source,
    pub name: String,
    /// The key it needs; `None` for a whole object (`envFrom`, a volume without items).
    pub key: Option<String>,
    pub optional: bool,
    /// Where it is, in words: `container app env DB_HOST`, `volume config`.
    pub from: String,
}

fn optional(v: &Value) -> bool {
    v.get("optional").and_then(Value::as_bool) == Some(true)
}

/// A volume source (`configMap`, `secret`, or one of a projected volume's sources) and its items.
fn volume_refs(
    src: &Value,
    source: Source,
    name_field: &str,
    from: &str,
    out: &mut Vec<Reference>,
) {
    let Some(obj_name) = src.get(name_field).and_then(Value::as_str) else {
        return;
    };
    let items = array_at(src, "/items");
    let base = Reference {
        source,
        name: obj_name.to_owned(),
        key: None,
        optional: optional(src),
        from: from.to_owned(),
    };
    for item in items {
        out.push(Reference {
            key: item.get("key").and_then(Value::as_str).map(str::to_owned),
            ..base.clone()
        });
    }
    if items.is_empty() {
        out.push(base);
    }
}

/// Every ConfigMap and Secret reference of a pod spec, in spec order.
pub fn references(spec: &Value) -> Vec<Reference> {
    let mut out = Vec::new();
    for c in containers(spec, None) {
        for env in array_at(c.value, "/env") {
            let var = env.get("name").and_then(Value::as_str).unwrap_or("?");
            for (field, source) in [
                ("configMapKeyRef", Source::ConfigMap),
                ("secretKeyRef", Source::Secret),
            ] {
                if let Some(r) = env.pointer(&format!("/valueFrom/{field}")) {
                    out.push(Reference {
                        source,
                        name: str_at(r, "/name").unwrap_or("").to_owned(),
                        key: str_at(r, "/key").map(str::to_owned),
                        optional: optional(r),
                        from: format!("container {} env {var}", c.name),
                    });
                }
            }
        }
        for env_from in array_at(c.value, "/envFrom") {
            for (field, source) in [
                ("configMapRef", Source::ConfigMap),
                ("secretRef", Source::Secret),
            ] {
                if let Some(r) = env_from.get(field) {
                    out.push(Reference {
                        source,
                        name: str_at(r, "/name").unwrap_or("").to_owned(),
                        key: None,
                        optional: optional(r),
                        from: format!("container {} envFrom", c.name),
                    });
                }
            }
        }
    }
    for vol in array_at(spec, "/volumes") {
        let from = format!(
            "volume {}",
            vol.get("name").and_then(Value::as_str).unwrap_or("?")
        );
        if let Some(src) = vol.get("configMap") {
            volume_refs(src, Source::ConfigMap, "name", &from, &mut out);
        }
        if let Some(src) = vol.get("secret") {
            volume_refs(src, Source::Secret, "secretName", &from, &mut out);
        }
        for p in array_at(vol, "/projected/sources") {
            if let Some(src) = p.get("configMap") {
                volume_refs(src, Source::ConfigMap, "name", &from, &mut out);
            }
            if let Some(src) = p.get("secret") {
                volume_refs(src, Source::Secret, "name", &from, &mut out);
            }
        }
    }
    out
}

/// Why a reference does not resolve among `objects` (the ConfigMaps or Secrets of the pod's
/// namespace), or `None` when it does.
fn unresolved(r: &Reference, objects: &[&Value]) -> Option<String> {
    let kind = r.source.kind();
    let Some(obj) = objects.iter().find(|o| name(o) == r.name) else {
        return Some(format!("{kind} {} does not exist", r.name));
    };
    let key = r.key.as_deref()?;
    let has = ["/data", "/binaryData"]
        .iter()
        .any(|p| obj.pointer(p).and_then(|d| d.get(key)).is_some());
    (!has).then(|| format!("{kind} {} has no key '{key}'", r.name))
}

fn in_namespace<'a>(objects: &[&'a Value], ns: &str) -> Vec<&'a Value> {
    objects
        .iter()
        .copied()
        .filter(|o| namespace(o) == ns)
        .collect()
}

/// Whether every reference of a pod spec (in namespace `ns`) resolves among `configmaps` and
/// `secrets`; names those that do not. Optional references that do not resolve pass, said so.
pub fn refs_resolve(spec: &Value, ns: &str, configmaps: &[&Value], secrets: &[&Value]) -> Verdict {
    let (cms, secs) = (in_namespace(configmaps, ns), in_namespace(secrets, ns));
    let refs = references(spec);
    let mut broken = Vec::new();
    let mut optional_missing = Vec::new();
    for r in &refs {
        let objects = match r.source {
            Source::ConfigMap => &cms,
            Source::Secret => &secs,
        };
        if let Some(why) = unresolved(r, objects) {
            let line = format!("{}: {why}", r.from);
            if r.optional {
                optional_missing.push(format!("{line} (optional)"));
            } else {
                broken.push(line);
            }
        }
    }
    let mut words = if broken.is_empty() {
        format!("all {} ConfigMap/Secret reference(s) resolve", refs.len())
    } else {
        broken.join("; ")
    };
    if !optional_missing.is_empty() {
        words = format!("{words}; {}", optional_missing.join("; "));
    }
    Verdict::new(broken.is_empty(), words)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fixture(path: &str) -> Vec<Value> {
        let path = format!("{}/../shared/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        let list: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        list["items"].as_array().unwrap().clone()
    }

    fn of_kind<'a>(items: &'a [Value], kind: &str) -> Vec<&'a Value> {
        items.iter().filter(|i| i["kind"] == kind).collect()
    }

    #[test]
    fn every_real_pod_resolves_its_service_account_volume() {
        // The projected kube-api-access volume reads key ca.crt of ConfigMap kube-root-ca.crt.
        let items = fixture("real/cka-security-mock/solved.json");
        let (cms, secrets) = (of_kind(&items, "ConfigMap"), of_kind(&items, "Secret"));
        let mut checked = 0;
        for p in of_kind(&items, "Pod") {
            let v = refs_resolve(&p["spec"], namespace(p), &cms, &secrets);
            assert!(v.pass, "{}", v.found);
            checked += usize::from(!references(&p["spec"]).is_empty());
        }
        assert!(checked > 10);
    }

    /// A pod spec as the server returns it, referencing config three ways.
    fn app_spec() -> Value {
        json!({
            "containers": [{
                "name": "app",
                "image": "busybox:1.36",
                "env": [
                    {"name": "DB_HOST", "valueFrom": {"configMapKeyRef": {"key": "db_host", "name": "app-config"}}},
                    {"name": "DB_PASS", "valueFrom": {"secretKeyRef": {"key": "password", "name": "db-creds"}}},
                    {"name": "FEATURE", "valueFrom": {"configMapKeyRef": {"key": "feature", "name": "flags", "optional": true}}}
                ],
                "envFrom": [{"secretRef": {"name": "api-keys"}}],
                "volumeMounts": [{"mountPath": "/etc/app", "name": "config"}]
            }],
            "volumes": [
                {"name": "config", "configMap": {"defaultMode": 420, "name": "app-config",
                                                  "items": [{"key": "app.properties", "path": "app.properties"}]}},
                {"name": "tls", "secret": {"defaultMode": 420, "secretName": "app-tls"}}
            ]
        })
    }

    fn object(kind: &str, name: &str, data: &Value) -> Value {
        json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "shop"}, "data": data})
    }

    #[test]
    fn all_references_resolve() {
        let cm = object(
            "ConfigMap",
            "app-config",
            &json!({"db_host": "db.shop", "app.properties": "a=1"}),
        );
        // Snapshot Secrets hold digests instead of values; keys are what counts.
        let creds = object("Secret", "db-creds", &json!({"password": "sha256:9f86d0"}));
        let keys = object("Secret", "api-keys", &json!({"token": "sha256:1b4f0e"}));
        let tls = object(
            "Secret",
            "app-tls",
            &json!({"tls.crt": "sha256:aa", "tls.key": "sha256:bb"}),
        );
        let v = refs_resolve(&app_spec(), "shop", &[&cm], &[&creds, &keys, &tls]);
        assert!(v.pass, "{}", v.found);
        assert_eq!(
            v.found,
            "all 6 ConfigMap/Secret reference(s) resolve; \
             container app env FEATURE: ConfigMap flags does not exist (optional)"
        );
    }

    #[test]
    fn missing_objects_and_keys_are_named() {
        let cm = object("ConfigMap", "app-config", &json!({"db_host": "db.shop"}));
        let creds = object("Secret", "db-creds", &json!({"pass": "sha256:9f86d0"}));
        // A Secret of the same name in another namespace does not count.
        let mut keys = object("Secret", "api-keys", &json!({}));
        keys["metadata"]["namespace"] = json!("other");
        let v = refs_resolve(&app_spec(), "shop", &[&cm], &[&creds, &keys]);
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "container app env DB_PASS: Secret db-creds has no key 'password'; \
             container app envFrom: Secret api-keys does not exist; \
             volume config: ConfigMap app-config has no key 'app.properties'; \
             volume tls: Secret app-tls does not exist; \
             container app env FEATURE: ConfigMap flags does not exist (optional)"
        );
    }
}
