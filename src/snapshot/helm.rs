//! Helm 3 releases, read from the Secrets Helm stores them in (`type:
//! helm.sh/release.v1`, one per revision). `data.release` is base64 (the
//! Secret's) of base64 (Helm's) of gzip of the release as JSON.
//!
//! Only a summary leaves this module: name, namespace, revision, status,
//! chart name and version, app version, and the user-supplied values as
//! salted digests per dotted path (`service.type`), so values grade without
//! ever being kept in clear. Redaction stores the summary in an annotation
//! before the payload becomes a digest, so a redacted snapshot grades alike.

use std::collections::BTreeMap;
use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::secret::digest;

/// The Secret type Helm 3 stores releases as.
pub const RELEASE_TYPE: &str = "helm.sh/release.v1";
/// The annotation a redacted release Secret carries its summary in.
pub const SUMMARY_ANNOTATION: &str = "ckasim.io/helm-release";

/// What a release Secret says, without any value in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub status: String,
    pub chart: String,
    pub chart_version: String,
    pub app_version: String,
    /// Digest of each user-supplied value by dotted path (see [`value_digest`]).
    pub values: BTreeMap<String, String>,
}

/// Whether a Secret is a Helm release.
pub fn is_release(secret: &Value) -> bool {
    secret.get("type").and_then(Value::as_str) == Some(RELEASE_TYPE)
}

/// The release a Secret holds: from its summary annotation when redacted
/// (its payload is then a digest), else decoded from `data.release`.
pub fn release_of(secret: &Value) -> Result<Release, String> {
    let annotation = |key: &str| {
        secret
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    };
    if annotation(super::secret::REDACTED_ANNOTATION).is_some()
        && let Some(summary) = annotation(SUMMARY_ANNOTATION)
    {
        return serde_json::from_str(summary)
            .map_err(|e| format!("annotation {SUMMARY_ANNOTATION} is not a release summary: {e}"));
    }
    let data = secret
        .pointer("/data/release")
        .and_then(Value::as_str)
        .ok_or("no data.release")?;
    let helm = STANDARD
        .decode(data.trim())
        .map_err(|_| "data.release is not base64")?;
    let packed = STANDARD
        .decode(helm.trim_ascii())
        .map_err(|_| "data.release is not Helm's base64")?;
    let json = if packed.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(packed.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| format!("data.release is not valid gzip: {e}"))?;
        out
    } else {
        packed
    };
    let release: Value =
        serde_json::from_slice(&json).map_err(|e| format!("data.release is not JSON: {e}"))?;
    Ok(summarise(&release))
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn summarise(release: &Value) -> Release {
    let mut values = BTreeMap::new();
    if let Some(config) = release.get("config") {
        for (path, value) in flatten(config) {
            let d = value_digest(&path, &value);
            values.insert(path, d);
        }
    }
    Release {
        name: text(release, "/name"),
        namespace: text(release, "/namespace"),
        revision: release.get("version").and_then(Value::as_i64).unwrap_or(0),
        status: text(release, "/info/status"),
        chart: text(release, "/chart/metadata/name"),
        chart_version: text(release, "/chart/metadata/version"),
        app_version: text(release, "/chart/metadata/appVersion"),
        values,
    }
}

/// Leaves of a values tree by dotted path; a list is one leaf.
pub fn flatten(values: &Value) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(map) if !map.is_empty() || prefix.is_empty() => {
                for (k, child) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&path, child, out);
                }
            }
            other => out.push((prefix.to_owned(), other.clone())),
        }
    }
    let mut out = Vec::new();
    walk("", values, &mut out);
    out
}

/// A value in one spelling whatever its source: numbers by value (`3`,
/// `3.0` alike, as Helm reads YAML numbers as floats), text as is, lists and
/// maps as JSON of their canonical elements.
fn canonical(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(json_canonical).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(_) => json_canonical(v),
        other => other.to_string(),
    }
}

fn json_canonical(v: &Value) -> String {
    match v {
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Object(map) => {
            let sorted: BTreeMap<&String, String> =
                map.iter().map(|(k, v)| (k, json_canonical(v))).collect();
            let parts: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("{}:{v}", Value::String((*k).clone())))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        other => canonical(other),
    }
}

/// The digest kept for the value at `path`: salted with the path, so equal
/// values at two paths do not show as equal.
pub fn value_digest(path: &str, value: &Value) -> String {
    digest(format!("helm-value\0{path}\0{}", canonical(value)).as_bytes())
}

/// Stores a release Secret's summary in its annotations (before its data is
/// redacted). A payload that does not decode is left to plain redaction.
pub(super) fn keep_summary(secret: &mut Value) {
    if !is_release(secret) {
        return;
    }
    let Ok(release) = release_of(secret) else {
        return;
    };
    let Ok(summary) = serde_json::to_string(&release) else {
        return;
    };
    super::secret::annotate(secret, SUMMARY_ANNOTATION, summary);
}

/// Test helpers: a release Secret exactly as Helm 3 writes one.
#[cfg(test)]
pub mod testing {
    use std::io::Write as _;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde_json::{Value, json};

    /// `sh.helm.release.v1.<name>.v<revision>` in `namespace`, of chart
    /// `chart`-`version` with the user-supplied `config`.
    pub fn release_secret(
        namespace: &str,
        name: &str,
        revision: i64,
        status: &str,
        chart: (&str, &str, &str),
        config: &Value,
    ) -> Value {
        let release = json!({
            "name": name, "namespace": namespace, "version": revision,
            "info": {"first_deployed": "2026-11-29T15:00:00Z", "last_deployed": "2026-11-29T15:05:00Z",
                     "deleted": "", "description": "Install complete", "status": status,
                     "notes": "Thank you for installing"},
            "chart": {"metadata": {"name": chart.0, "version": chart.1, "appVersion": chart.2,
                                   "apiVersion": "v2", "type": "application",
                                   "description": "A Helm chart"},
                      "lock": null, "templates": [], "values": {"replicaCount": 1, "service": {"type": "ClusterIP", "port": 80}},
                      "schema": null, "files": []},
            "config": config,
            "manifest": "---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\n",
            "hooks": []
        });
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = gz.write_all(release.to_string().as_bytes());
        let packed = gz.finish().unwrap_or_default();
        let helm = STANDARD.encode(packed);
        json!({
            "apiVersion": "v1", "kind": "Secret", "type": super::RELEASE_TYPE,
            "metadata": {
                "name": format!("sh.helm.release.v1.{name}.v{revision}"), "namespace": namespace,
                "uid": "8a1e2f3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", "resourceVersion": "51234",
                "creationTimestamp": "2026-11-29T15:05:00Z",
                "labels": {"modifiedAt": "1795964700", "name": name, "owner": "helm",
                           "status": status, "version": revision.to_string()}
            },
            "data": {"release": STANDARD.encode(helm)}
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn secret() -> Value {
        testing::release_secret(
            "web",
            "web",
            2,
            "deployed",
            ("nginx", "15.1.0", "1.25.3"),
            &json!({"replicaCount": 3, "service": {"type": "NodePort", "nodePorts": {"http": 30080}},
                    "auth": {"password": "s3cret-pass"}}),
        )
    }

    #[test]
    fn a_release_secret_decodes_to_its_summary() {
        let r = release_of(&secret()).unwrap();
        assert_eq!(
            (
                r.name.as_str(),
                r.namespace.as_str(),
                r.revision,
                r.status.as_str()
            ),
            ("web", "web", 2, "deployed")
        );
        assert_eq!(
            (
                r.chart.as_str(),
                r.chart_version.as_str(),
                r.app_version.as_str()
            ),
            ("nginx", "15.1.0", "1.25.3")
        );
        assert_eq!(
            r.values.keys().collect::<Vec<_>>(),
            [
                "auth.password",
                "replicaCount",
                "service.nodePorts.http",
                "service.type"
            ]
        );
        assert_eq!(
            r.values["replicaCount"],
            value_digest("replicaCount", &json!(3))
        );
        // Helm reads YAML numbers as floats: 3.0 is 3.
        assert_eq!(
            r.values["replicaCount"],
            value_digest("replicaCount", &json!(3.0))
        );
        assert_ne!(
            r.values["replicaCount"],
            value_digest("replicaCount", &json!("4"))
        );
        // Salted by path.
        assert_ne!(value_digest("a", &json!(1)), value_digest("b", &json!(1)));
    }

    #[test]
    fn redaction_keeps_the_summary_and_no_value_in_clear() {
        let mut s = secret();
        super::super::secret::redact_secret(&mut s);
        let text = s.to_string();
        for clear in ["s3cret-pass", "NodePort", "30080"] {
            assert!(!text.contains(clear), "{clear} in {text}");
        }
        assert_eq!(release_of(&s), release_of(&secret()));
    }

    #[test]
    fn a_summary_on_a_secret_not_redacted_is_not_trusted() {
        let mut s = secret();
        let mut forged = release_of(&s).unwrap();
        forged.chart_version = "99.0.0".into();
        s["metadata"]["annotations"] =
            json!({SUMMARY_ANNOTATION: serde_json::to_string(&forged).unwrap()});
        assert_eq!(release_of(&s).unwrap().chart_version, "15.1.0");
    }

    #[test]
    fn a_bad_payload_says_what_is_wrong() {
        let mut s = secret();
        s["data"]["release"] = json!(STANDARD.encode("not base64 !"));
        assert_eq!(
            release_of(&s).unwrap_err(),
            "data.release is not Helm's base64"
        );
        s["data"]["release"] = json!(STANDARD.encode(STANDARD.encode([0x1f, 0x8b, 0, 1])));
        assert!(
            release_of(&s)
                .unwrap_err()
                .starts_with("data.release is not valid gzip")
        );
    }
}
