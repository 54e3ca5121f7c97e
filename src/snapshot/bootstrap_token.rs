//! Bootstrap tokens (`kubeadm token create`), read from the Secrets kubeadm
//! stores them in: `kube-system/bootstrap-token-<id>` of type
//! `bootstrap.kubernetes.io/token`, with the data keys `token-id`,
//! `token-secret`, `expiration`, `description`, `usage-bootstrap-<usage>`
//! and `auth-extra-groups`.
//!
//! Only a summary leaves this module: the id, whether the secret half is
//! well formed, the description, the expiration, the usages and the groups
//! (what `kubeadm token list` prints). The secret half never does, in clear
//! or encoded. Redaction stores the summary in an annotation before the data
//! become digests, so a redacted snapshot grades alike.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The Secret type bootstrap tokens are stored as.
pub const TOKEN_TYPE: &str = "bootstrap.kubernetes.io/token";
/// The namespace the API server's bootstrap authenticator reads them from.
pub const TOKEN_NAMESPACE: &str = "kube-system";
/// The annotation a redacted token Secret carries its summary in.
pub const SUMMARY_ANNOTATION: &str = "ckasim.io/bootstrap-token";
const NAME_PREFIX: &str = "bootstrap-token-";
const USAGE_PREFIX: &str = "usage-bootstrap-";

/// What a token Secret says, without its secret half.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// `token-id` (six characters of `[a-z0-9]`, also the name's suffix).
    pub id: String,
    /// Whether the Secret's name is `bootstrap-token-<token-id>`, as the
    /// authenticator requires.
    pub name_matches: bool,
    /// Whether `token-secret` is sixteen characters of `[a-z0-9]`.
    pub secret_valid: bool,
    pub description: Option<String>,
    /// `expiration` as written (RFC 3339); none: the token never expires.
    pub expiration: Option<String>,
    /// The usages set to `"true"` (`authentication`, `signing`), sorted.
    pub usages: Vec<String>,
    /// `auth-extra-groups`, split at commas, as written.
    pub groups: Vec<String>,
}

/// Whether a Secret is a bootstrap token.
pub fn is_token(secret: &Value) -> bool {
    secret.get("type").and_then(Value::as_str) == Some(TOKEN_TYPE)
}

fn is_token_chars(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The token a Secret holds: from its summary annotation when redacted, else
/// decoded from `data` (or `stringData`, in a manifest).
pub fn token_of(secret: &Value) -> Result<Token, String> {
    let annotations = secret.pointer("/metadata/annotations");
    let annotation = |key: &str| annotations.and_then(|a| a.get(key)).and_then(Value::as_str);
    if annotation(super::secret::REDACTED_ANNOTATION).is_some() {
        let summary = annotation(SUMMARY_ANNOTATION)
            .ok_or("its values were redacted without the token's summary")?;
        return serde_json::from_str(summary)
            .map_err(|e| format!("annotation {SUMMARY_ANNOTATION} is not a token summary: {e}"));
    }
    let value = |key: &str| -> Option<String> {
        if let Some(s) = secret
            .pointer("/stringData")
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
        {
            return Some(s.to_owned());
        }
        let encoded = secret
            .pointer("/data")
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)?;
        STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
    };
    let id = value("token-id").ok_or("data has no readable 'token-id'")?;
    let name = secret
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut usages: Vec<String> = data_keys(secret)
        .into_iter()
        .filter_map(|k| k.strip_prefix(USAGE_PREFIX).map(str::to_owned))
        .filter(|u| value(&format!("{USAGE_PREFIX}{u}")).as_deref() == Some("true"))
        .collect();
    usages.sort();
    usages.dedup();
    Ok(Token {
        name_matches: name.strip_prefix(NAME_PREFIX) == Some(id.as_str()),
        secret_valid: value("token-secret").is_some_and(|s| is_token_chars(&s, 16)),
        description: value("description"),
        expiration: value("expiration"),
        usages,
        groups: value("auth-extra-groups").map_or_else(Vec::new, |g| {
            g.split(',')
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        id,
    })
}

/// The keys of `data` and `stringData`.
fn data_keys(secret: &Value) -> Vec<&str> {
    ["/data", "/stringData"]
        .iter()
        .filter_map(|p| secret.pointer(p).and_then(Value::as_object))
        .flat_map(|m| m.keys().map(String::as_str))
        .collect()
}

/// Whether a token id is well formed (six characters of `[a-z0-9]`).
pub fn id_valid(id: &str) -> bool {
    is_token_chars(id, 6)
}

/// Stores a token Secret's summary in its annotations (before its data are
/// redacted). A Secret that does not read as a token is left to plain
/// redaction.
pub(super) fn keep_summary(secret: &mut Value) {
    if !is_token(secret) {
        return;
    }
    let Ok(token) = token_of(secret) else {
        return;
    };
    let Ok(summary) = serde_json::to_string(&token) else {
        return;
    };
    super::secret::annotate(secret, SUMMARY_ANNOTATION, summary);
}

/// Test helpers: a token Secret exactly as `kubeadm token create` writes one.
#[cfg(test)]
pub mod testing {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde_json::{Map, Value, json};

    /// `kube-system/bootstrap-token-<id>` created at `created` (RFC 3339),
    /// holding `data` (key, clear value) base64-encoded.
    pub fn token_secret(id: &str, created: &str, data: &[(&str, &str)]) -> Value {
        let data: Map<String, Value> = data
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String(STANDARD.encode(v))))
            .collect();
        json!({"apiVersion": "v1", "kind": "Secret", "type": super::TOKEN_TYPE,
            "metadata": {"name": format!("bootstrap-token-{id}"), "namespace": "kube-system",
                "creationTimestamp": created, "uid": format!("uid-{id}")},
            "data": data})
    }

    /// What `kubeadm token create --ttl 2h --description …` writes at `created`.
    pub fn kubeadm_token(id: &str, created: &str, expiration: &str, description: &str) -> Value {
        token_secret(
            id,
            created,
            &[
                ("token-id", id),
                ("token-secret", "0123456789abcdef"),
                ("expiration", expiration),
                ("description", description),
                ("usage-bootstrap-authentication", "true"),
                ("usage-bootstrap-signing", "true"),
                (
                    "auth-extra-groups",
                    "system:bootstrappers:kubeadm:default-node-token",
                ),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::testing::kubeadm_token;
    use super::*;

    #[test]
    fn reads_what_kubeadm_writes() {
        let s = kubeadm_token(
            "abc123",
            "2026-12-07T10:00:00Z",
            "2026-12-07T12:00:00Z",
            "node",
        );
        let t = token_of(&s).unwrap();
        assert_eq!(t.id, "abc123");
        assert!(t.name_matches && t.secret_valid);
        assert_eq!(t.description.as_deref(), Some("node"));
        assert_eq!(t.expiration.as_deref(), Some("2026-12-07T12:00:00Z"));
        assert_eq!(t.usages, ["authentication", "signing"]);
        assert_eq!(
            t.groups,
            ["system:bootstrappers:kubeadm:default-node-token"]
        );
    }

    #[test]
    fn redaction_keeps_the_summary_and_drops_the_secret_half() {
        let mut s = kubeadm_token(
            "abc123",
            "2026-12-07T10:00:00Z",
            "2026-12-07T12:00:00Z",
            "node",
        );
        let before = token_of(&s).unwrap();
        super::super::secret::redact_secret(&mut s);
        let text = s.to_string();
        for leak in [
            "0123456789abcdef",
            &STANDARD.encode("0123456789abcdef"),
            "abc123.0123456789abcdef",
        ] {
            assert!(!text.contains(leak), "{leak} leaked in {text}");
        }
        assert_eq!(token_of(&s).unwrap(), before);
    }

    #[test]
    fn a_redacted_secret_without_summary_says_so() {
        let mut s = kubeadm_token(
            "abc123",
            "2026-12-07T10:00:00Z",
            "2026-12-07T12:00:00Z",
            "node",
        );
        s["type"] = Value::String("Opaque".into());
        super::super::secret::redact_secret(&mut s);
        s["type"] = Value::String(TOKEN_TYPE.into());
        assert_eq!(
            token_of(&s).unwrap_err(),
            "its values were redacted without the token's summary"
        );
    }
}
