//! Secret contents: reading docker-registry credentials, and redacting every
//! value so that a snapshot can be shared and still graded.
//!
//! A redacted value is `sha256:<hex>` of a domain-separated digest of the
//! clear value. Grading compares digests, so a redacted snapshot grades
//! exactly like the live Secret while holding neither the value nor its
//! base64.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// Annotation marking a Secret whose values are digests.
pub const REDACTED_ANNOTATION: &str = "ckasim.io/redacted";
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The digest ckasim stores instead of a secret value.
pub fn digest(clear: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"ckasim-secret-v1\0");
    h.update(clear);
    let out = h.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in out {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// A credential as found: in clear (live cluster, kubectl output) or as a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Clear(String),
    Digest(String),
}

impl Credential {
    pub fn matches(&self, expected: &str) -> bool {
        match self {
            Credential::Clear(c) => c == expected,
            Credential::Digest(d) => *d == digest(expected.as_bytes()),
        }
    }
}

/// One entry of `.dockerconfigjson`'s `auths`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryAuth {
    pub server: String,
    pub username: Option<Credential>,
    pub password: Option<Credential>,
    /// `auth`: base64 of `username:password`.
    pub auth: Option<Credential>,
    /// In a redacted Secret, the digests of the user name and password `auth` encodes.
    pub auth_parts: Option<(Credential, Credential)>,
}

/// The redacted form of the user name and password an `auth` encodes
/// (digests, like every other value), so a redacted snapshot tells them apart.
const AUTH_USERNAME: &str = "ckasim.io/auth-username";
const AUTH_PASSWORD: &str = "ckasim.io/auth-password";

/// The `user:password` an `auth` field encodes, as the kubelet decodes it:
/// strict base64, split at the first `:`, nothing trimmed (an `auth` made
/// with `echo 'user:pass' | base64` ends its password with a newline).
fn decode_auth(auth: &str) -> Option<(String, String)> {
    let raw = STANDARD.decode(auth).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

impl RegistryAuth {
    /// Whether the kubelet would send these credentials: from `auth` when
    /// the entry has one (then `username`/`password` are not read), else
    /// from `username`/`password`.
    pub fn holds(&self, username: Option<&str>, password: Option<&str>) -> (bool, bool) {
        let field_ok = |c: Option<&Credential>, e: Option<&str>| match e {
            None => true,
            Some(e) => c.is_some_and(|c| c.matches(e)),
        };
        match &self.auth {
            None => (
                field_ok(self.username.as_ref(), username),
                field_ok(self.password.as_ref(), password),
            ),
            Some(Credential::Clear(a)) => match decode_auth(a) {
                Some((u, p)) => (
                    username.is_none_or(|e| e == u),
                    password.is_none_or(|e| e == p),
                ),
                None => (username.is_none(), password.is_none()),
            },
            Some(auth @ Credential::Digest(_)) => match (&self.auth_parts, username, password) {
                (Some((u, p)), _, _) => (field_ok(Some(u), username), field_ok(Some(p), password)),
                // Redacted before the parts were kept: only both together can be told.
                (None, Some(u), Some(p)) => {
                    let both = auth.matches(&STANDARD.encode(format!("{u}:{p}")));
                    (both, both)
                }
                (None, _, _) => (
                    field_ok(self.username.as_ref(), username),
                    field_ok(self.password.as_ref(), password),
                ),
            },
        }
    }

    /// Where the kubelet takes the credentials from, in words.
    pub fn source(&self) -> &'static str {
        match &self.auth {
            Some(Credential::Clear(a)) if decode_auth(a).is_none() => {
                "'auth', which is not base64 of user:password"
            }
            Some(_) => "'auth'",
            None => "'username' and 'password'",
        }
    }
}

/// A docker config key as the kubelet's keyring reads it: host (with port)
/// and the path it serves, `/v1/` and `/v2/` prefixes dropped.
fn registry_key(key: &str) -> (String, String) {
    let key = key.trim();
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let (host, path) = key.split_once('/').map_or((key, ""), |(h, p)| (h, p));
    let path = path
        .strip_prefix("v1/")
        .or_else(|| path.strip_prefix("v2/"))
        .unwrap_or(path);
    let path = if path == "v1" || path == "v2" {
        ""
    } else {
        path
    };
    (
        host.to_ascii_lowercase(),
        path.trim_end_matches('/').to_string(),
    )
}

/// Whether a host pattern of a docker config key (`*.example.com` allowed
/// per label, as the kubelet allows) matches a host.
fn host_matches(pattern: &str, host: &str) -> bool {
    let split = |h: &str| -> (Vec<String>, String) {
        let (name, port) = h.rsplit_once(':').map_or((h, ""), |(n, p)| (n, p));
        (
            name.split('.').map(str::to_string).collect(),
            port.to_string(),
        )
    };
    let (pattern, pattern_port) = split(pattern);
    let (host, port) = split(host);
    let docker_hub = |labels: &[String]| {
        matches!(
            labels.join(".").as_str(),
            "docker.io" | "index.docker.io" | "registry-1.docker.io"
        )
    };
    if docker_hub(&pattern) && docker_hub(&host) {
        return pattern_port == port;
    }
    pattern_port == port
        && pattern.len() == host.len()
        && pattern.iter().zip(&host).all(|(p, h)| glob(p, h))
}

/// `*` and `?` of a shell pattern, within one label.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether the kubelet sends the credentials under docker config key `key`
/// for images at `location` (`host[:port][/path]`, an image's repository):
/// same host and port, and the key's path (if any) a prefix of the
/// location's path. A key `host:port/team` serves only images under `team`.
pub fn serves(key: &str, location: &str) -> bool {
    let (key_host, key_path) = registry_key(key);
    let location = location.trim();
    let (host, path) = location
        .split_once('/')
        .map_or((location, ""), |(h, p)| (h, p));
    host_matches(&key_host, &host.to_ascii_lowercase()) && path.starts_with(key_path.as_str())
}

fn decode_b64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s.trim()).ok()
}

fn is_redacted(secret: &Value) -> bool {
    secret
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(REDACTED_ANNOTATION))
        .is_some()
}

/// The registry entries of a `kubernetes.io/dockerconfigjson` (or legacy
/// `dockercfg`) Secret, from `data` or, in a manifest, `stringData`.
pub fn registry_auths(secret: &Value) -> Result<Vec<RegistryAuth>, String> {
    let (key, legacy) = match secret.get("type").and_then(Value::as_str) {
        Some("kubernetes.io/dockerconfigjson") => (".dockerconfigjson", false),
        Some("kubernetes.io/dockercfg") => (".dockercfg", true),
        Some(other) => {
            return Err(format!(
                "type is '{other}', not 'kubernetes.io/dockerconfigjson'"
            ));
        }
        None => return Err("type is not set (expected 'kubernetes.io/dockerconfigjson')".into()),
    };
    let redacted = is_redacted(secret);
    let json: Value = if let Some(s) = secret
        .pointer("/stringData")
        .and_then(|d| d.get(key))
        .and_then(Value::as_str)
    {
        serde_json::from_str(s).map_err(|_| format!("stringData '{key}' is not valid JSON"))?
    } else {
        let encoded = secret
            .pointer("/data")
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("data has no '{key}' key"))?;
        let raw = decode_b64(encoded).ok_or_else(|| format!("data '{key}' is not valid base64"))?;
        serde_json::from_slice(&raw).map_err(|_| format!("data '{key}' is not valid JSON"))?
    };
    let auths = if legacy {
        Some(&json)
    } else {
        json.get("auths")
    };
    let Some(auths) = auths.and_then(Value::as_object) else {
        return Err(format!("'{key}' has no 'auths' object"));
    };
    let cred = |entry: &Value, field: &str| {
        entry.get(field).and_then(Value::as_str).map(|s| {
            if redacted {
                Credential::Digest(s.to_string())
            } else {
                Credential::Clear(s.to_string())
            }
        })
    };
    Ok(auths
        .iter()
        .map(|(server, entry)| RegistryAuth {
            server: server.clone(),
            username: cred(entry, "username"),
            password: cred(entry, "password"),
            auth: cred(entry, "auth"),
            auth_parts: match (cred(entry, AUTH_USERNAME), cred(entry, AUTH_PASSWORD)) {
                (Some(u), Some(p)) if redacted => Some((u, p)),
                _ => None,
            },
        })
        .collect())
}

/// Replaces every value of a Secret by its digest. Docker config JSON keeps
/// its shape (registry names stay readable) with each credential digested.
/// Sets the annotation `key` of an object to `value` (creating its metadata
/// and annotations if need be): where a Secret's decoded summary is kept
/// before its data are redacted.
pub(super) fn annotate(object: &mut Value, key: &str, value: String) {
    let Some(meta) = object
        .as_object_mut()
        .map(|o| {
            o.entry("metadata")
                .or_insert_with(|| Value::Object(serde_json::Map::new()))
        })
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if let Some(ann) = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(serde_json::Map::new()))
        .as_object_mut()
    {
        ann.insert(key.into(), Value::String(value));
    }
}

pub fn redact_secret(secret: &mut Value) {
    if is_redacted(secret) {
        return;
    }
    super::helm::keep_summary(secret);
    super::bootstrap_token::keep_summary(secret);
    let Some(obj) = secret.as_object_mut() else {
        return;
    };
    if let Some(ann) = obj
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    {
        // kubectl apply keeps the whole manifest here, values included.
        ann.remove(LAST_APPLIED);
    }
    // stringData is write-only in the API; in a manifest it holds clear text.
    if let Some(Value::Object(string_data)) = obj.remove("stringData") {
        let data = obj
            .entry("data")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(data) = data.as_object_mut() {
            for (k, v) in string_data {
                if let Some(s) = v.as_str() {
                    data.insert(k, Value::String(STANDARD.encode(s)));
                }
            }
        }
    }
    if let Some(Value::Object(data)) = obj.get_mut("data") {
        for (key, value) in data.iter_mut() {
            let Some(raw) = value.as_str().and_then(decode_b64) else {
                *value = Value::String(digest(value.to_string().as_bytes()));
                continue;
            };
            *value = if key == ".dockerconfigjson" || key == ".dockercfg" {
                match serde_json::from_slice::<Value>(&raw) {
                    Ok(mut cfg) => {
                        digest_credentials(&mut cfg);
                        Value::String(STANDARD.encode(cfg.to_string()))
                    }
                    Err(_) => Value::String(digest(&raw)),
                }
            } else {
                Value::String(digest(&raw))
            };
        }
    }
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(meta) = meta.as_object_mut() {
        let ann = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(ann) = ann.as_object_mut() {
            ann.insert(REDACTED_ANNOTATION.into(), Value::String("sha256".into()));
        }
    }
}

fn digest_credentials(cfg: &mut Value) {
    let auths = match cfg.get_mut("auths") {
        Some(a) => a,
        None => cfg,
    };
    if let Some(auths) = auths.as_object_mut() {
        for entry in auths.values_mut() {
            if let Some(entry) = entry.as_object_mut() {
                let parts = entry
                    .get("auth")
                    .and_then(Value::as_str)
                    .and_then(decode_auth);
                for v in entry.values_mut() {
                    let clear = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    *v = Value::String(digest(clear.as_bytes()));
                }
                if let Some((u, p)) = parts {
                    entry.insert(AUTH_USERNAME.into(), Value::String(digest(u.as_bytes())));
                    entry.insert(AUTH_PASSWORD.into(), Value::String(digest(p.as_bytes())));
                }
            }
        }
    }
}

/// Drops what only adds bulk: managed fields.
pub fn strip_noise(object: &mut Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn regcred() -> Value {
        let cfg = json!({"auths": {"registry.internal.com": {
            "username": "ci-bot", "password": "ci-token-123", "email": "ci-bot@internal.com",
            "auth": STANDARD.encode("ci-bot:ci-token-123")}}});
        json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": "regcred", "namespace": "ns", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{\"stringData\":{\"password\":\"ci-token-123\"}}"}},
            "data": {".dockerconfigjson": STANDARD.encode(cfg.to_string())}})
    }

    #[test]
    fn reads_credentials_in_clear() {
        let auths = registry_auths(&regcred()).unwrap();
        assert_eq!(auths.len(), 1);
        assert_eq!(auths[0].server, "registry.internal.com");
        assert_eq!(
            auths[0].holds(Some("ci-bot"), Some("ci-token-123")),
            (true, true)
        );
        assert_eq!(auths[0].holds(Some("ci-bot"), Some("wrong")), (true, false));
    }

    #[test]
    fn redacted_secret_holds_no_value_yet_still_matches() {
        let mut s = regcred();
        redact_secret(&mut s);
        let text = s.to_string();
        for clear in [
            "ci-token-123",
            "ci-bot",
            "Y2ktdG9rZW4tMTIz",
            &STANDARD.encode("ci-bot:ci-token-123"),
        ] {
            assert!(!text.contains(clear), "{clear} leaked in {text}");
        }
        // Digests are not base64 of the value either.
        let data = s
            .pointer("/data/.dockerconfigjson")
            .and_then(Value::as_str)
            .unwrap();
        let decoded = String::from_utf8(STANDARD.decode(data).unwrap()).unwrap();
        assert!(
            !decoded.contains("ci-token-123") && !decoded.contains("ci-bot\""),
            "{decoded}"
        );
        let auths = registry_auths(&s).unwrap();
        assert_eq!(auths[0].server, "registry.internal.com");
        assert_eq!(
            auths[0].holds(Some("ci-bot"), Some("ci-token-123")),
            (true, true)
        );
        assert_eq!(auths[0].holds(Some("ci-bot"), Some("nope")), (true, false));
    }

    #[test]
    fn auth_only_form_is_understood_clear_and_redacted() {
        let cfg = json!({"auths": {"https://registry.internal.com/v1/": {"auth": STANDARD.encode("ci-bot:ci-token-123")}}});
        let mut s = json!({"kind": "Secret", "type": "kubernetes.io/dockerconfigjson", "metadata": {"name": "x"},
            "data": {".dockerconfigjson": STANDARD.encode(cfg.to_string())}});
        assert_eq!(
            registry_auths(&s).unwrap()[0].holds(Some("ci-bot"), Some("ci-token-123")),
            (true, true)
        );
        redact_secret(&mut s);
        assert_eq!(
            registry_auths(&s).unwrap()[0].holds(Some("ci-bot"), Some("ci-token-123")),
            (true, true)
        );
        assert!(serves(
            "https://registry.internal.com/v1/",
            "registry.internal.com"
        ));
    }

    #[test]
    fn generic_and_string_data_values_are_digested() {
        let mut s = json!({"kind": "Secret", "type": "Opaque", "metadata": {"name": "x"},
            "data": {"password": STANDARD.encode("hunter2")}, "stringData": {"token": "abc123"}});
        redact_secret(&mut s);
        let text = s.to_string();
        assert!(!text.contains("hunter2") && !text.contains(&STANDARD.encode("hunter2")));
        assert!(!text.contains("abc123") && !text.contains(&STANDARD.encode("abc123")));
        assert_eq!(s["data"]["password"], Value::String(digest(b"hunter2")));
        assert_eq!(s["data"]["token"], Value::String(digest(b"abc123")));
    }

    #[test]
    fn wrong_type_is_explained() {
        let s = json!({"kind": "Secret", "type": "Opaque", "metadata": {"name": "x"}});
        assert_eq!(
            registry_auths(&s).unwrap_err(),
            "type is 'Opaque', not 'kubernetes.io/dockerconfigjson'"
        );
    }
}
