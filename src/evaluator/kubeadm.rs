//! What kubeadm manages, judged from the API objects it writes:
//! `bootstrap_token` (a token of `kubeadm token create`, stored as a
//! `bootstrap.kubernetes.io/token` Secret in kube-system) and
//! `kubeadm_config` (a ConfigMap key that holds what the cluster's
//! `kube-system/kubeadm-config` ClusterConfiguration says).
//!
//! ```toml
//! bootstrap_token = { description = "join worker-3", ttl = "2h", usages = ["authentication", "signing"],
//!                     groups = ["system:bootstrappers:kubeadm:default-node-token"],
//!                     created_after_namespace = "kubeadm-ops" }
//!
//! target = { kind = "ConfigMap", namespace = "kubeadm-ops", name = "cluster-facts" }
//! kubeadm_config = { key = "podSubnet", field = "networking.podSubnet" }
//! ```
//!
//! A token's secret half is never read into words: only its id,
//! description, expiry, usages and groups are (`snapshot::bootstrap_token`).
//! Its TTL is its `expiration` less its `creationTimestamp`, so a saved
//! snapshot grades the same at any later time.

// Kind and field names (ConfigMap, ClusterConfiguration) are the domain's words here.
#![allow(clippy::doc_markdown)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::objects::str_at;
use super::pod_security::needs_kind;
use super::{Evaluator, EvaluatorCheck, Get, Input, Problem, TargetUse, Verdict, sh};
use crate::kind::Kind;
use crate::library::rubric::Target;
use crate::snapshot::bootstrap_token::{
    TOKEN_NAMESPACE, TOKEN_TYPE, Token, id_valid, is_token, token_of,
};
use crate::snapshot::{Object, Snapshot};
use crate::values::Duration;

/// `bootstrap_token = { description?, ttl? | ttl_at_least?/ttl_at_most?, usages?, groups?,
/// created_after_namespace? }` (no target)
pub struct BootstrapToken;

/// The usages a bootstrap token may have.
const USAGES: &[&str] = &["authentication", "signing"];
/// The prefix the API server requires of a token's extra groups.
const GROUP_PREFIX: &str = "system:bootstrappers:";
/// How far a token's TTL may be from `ttl`: kubeadm computes the expiration
/// before the API server stamps the creation, both to the second.
const TTL_SLACK_SECONDS: i64 = 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    ttl: Option<Spanned<String>>,
    #[serde(default)]
    ttl_at_least: Option<Spanned<String>>,
    #[serde(default)]
    ttl_at_most: Option<Spanned<String>>,
    #[serde(default)]
    usages: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    groups: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    created_after_namespace: Option<String>,
}

/// A duration as the rubric writes it and as read.
#[derive(Debug, Clone)]
struct Written {
    text: String,
    value: Duration,
}

#[derive(Debug)]
struct TokenCheck {
    description: Option<String>,
    ttl: Option<Written>,
    ttl_at_least: Option<Written>,
    ttl_at_most: Option<Written>,
    usages: Option<Vec<String>>,
    groups: Option<Vec<String>>,
    created_after_namespace: Option<String>,
}

fn duration(field: &Spanned<String>, what: &str) -> Result<Written, Problem> {
    let value = Duration::parse(field.get_ref())
        .map_err(|e| Problem::new(field.span(), format!("bootstrap_token: {what}: {e}")))?;
    if value <= seconds(0) {
        return Err(Problem::new(
            field.span(),
            format!("bootstrap_token: {what} must be positive (a token without TTL never expires)"),
        ));
    }
    Ok(Written {
        text: field.get_ref().clone(),
        value,
    })
}

fn seconds(n: i64) -> Duration {
    Duration::parse(&n.to_string()).unwrap_or_else(|_| unreachable!("a number of seconds"))
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}

impl Evaluator for BootstrapToken {
    fn key(&self) -> &'static str {
        "bootstrap_token"
    }

    fn target(&self) -> TargetUse {
        TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: TokenFile = input.deserialize()?;
        if let (Some(ttl), true) = (
            &file.ttl,
            file.ttl_at_least.is_some() || file.ttl_at_most.is_some(),
        ) {
            return Err(Problem::new(
                ttl.span(),
                "bootstrap_token: give ttl, or ttl_at_least/ttl_at_most, not both",
            ));
        }
        let ttl = file.ttl.as_ref().map(|d| duration(d, "ttl")).transpose()?;
        let at_least = file
            .ttl_at_least
            .as_ref()
            .map(|d| duration(d, "ttl_at_least"))
            .transpose()?;
        let at_most = file
            .ttl_at_most
            .as_ref()
            .map(|d| duration(d, "ttl_at_most"))
            .transpose()?;
        if let (Some(lo), Some(hi), Some(span)) = (&at_least, &at_most, &file.ttl_at_most)
            && lo.value > hi.value
        {
            return Err(Problem::new(
                span.span(),
                format!(
                    "bootstrap_token: ttl_at_most '{}' is below ttl_at_least '{}'",
                    hi.text, lo.text
                ),
            ));
        }
        if let Some(usages) = &file.usages {
            let bad: Vec<&String> = usages
                .get_ref()
                .iter()
                .filter(|u| !USAGES.contains(&u.as_str()))
                .collect();
            if usages.get_ref().is_empty() || !bad.is_empty() {
                return Err(Problem::new(
                    usages.span(),
                    format!(
                        "bootstrap_token: usages must name one or more of {} (found {})",
                        USAGES.join(", "),
                        super::objects::quoted_list(usages.get_ref())
                    ),
                ));
            }
        }
        if let Some(groups) = &file.groups
            && let Some(bad) = groups
                .get_ref()
                .iter()
                .find(|g| !g.starts_with(GROUP_PREFIX) || g.contains(','))
        {
            return Err(Problem::new(
                groups.span(),
                format!(
                    "bootstrap_token: group '{bad}' does not begin with '{GROUP_PREFIX}' (the API server accepts no other)"
                ),
            ));
        }
        Ok(Arc::new(TokenCheck {
            description: file.description,
            ttl,
            ttl_at_least: at_least,
            ttl_at_most: at_most,
            usages: file.usages.map(|u| sorted(u.into_inner())),
            groups: file.groups.map(|g| sorted(g.into_inner())),
            created_after_namespace: file.created_after_namespace,
        }))
    }
}

fn time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn listed(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

impl TokenCheck {
    fn has_ttl_bound(&self) -> bool {
        self.ttl.is_some() || self.ttl_at_least.is_some() || self.ttl_at_most.is_some()
    }

    fn ttl_words(&self) -> Option<String> {
        match (&self.ttl, &self.ttl_at_least, &self.ttl_at_most) {
            (Some(t), _, _) => Some(format!("TTL {} (within {TTL_SLACK_SECONDS}s)", t.text)),
            (None, Some(lo), Some(hi)) => Some(format!("TTL {} to {}", lo.text, hi.text)),
            (None, Some(lo), None) => Some(format!("TTL at least {}", lo.text)),
            (None, None, Some(hi)) => Some(format!("TTL at most {}", hi.text)),
            (None, None, None) => None,
        }
    }

    /// Whether a TTL of `secs` seconds is what the check asks.
    fn ttl_fits(&self, secs: i64) -> bool {
        let ttl = seconds(secs);
        if let Some(t) = &self.ttl {
            return seconds(secs - TTL_SLACK_SECONDS) <= t.value
                && t.value <= seconds(secs + TTL_SLACK_SECONDS);
        }
        self.ttl_at_least.as_ref().is_none_or(|lo| ttl >= lo.value)
            && self.ttl_at_most.as_ref().is_none_or(|hi| ttl <= hi.value)
    }

    /// The comparisons of one token, as (holds, words).
    fn compare(&self, secret: &Object, token: &Token, snapshot: &Snapshot) -> Vec<(bool, String)> {
        let mut parts = Vec::new();
        let mut invalid = Vec::new();
        if !id_valid(&token.id) {
            invalid.push(format!(
                "token-id '{}' is not 6 characters of a-z, 0-9",
                token.id
            ));
        }
        if !token.name_matches {
            invalid.push(format!("its name is not bootstrap-token-{}", token.id));
        }
        if !token.secret_valid {
            invalid.push("token-secret is not 16 characters of a-z, 0-9".to_owned());
        }
        if !invalid.is_empty() {
            parts.push((
                false,
                format!(
                    "not a token the API server accepts ({})",
                    invalid.join("; ")
                ),
            ));
        }
        if let Some(want) = &self.description {
            parts.push(match &token.description {
                Some(d) if d == want => (true, format!("description '{d}'")),
                Some(d) => (false, format!("description '{d}' (expected '{want}')")),
                None => (false, format!("no description (expected '{want}')")),
            });
        }
        let created = str_at(&secret.value, "/metadata/creationTimestamp").and_then(time);
        match (&token.expiration, created) {
            (None, _) if self.has_ttl_bound() => parts.push((
                false,
                format!(
                    "never expires (expected {})",
                    self.ttl_words().unwrap_or_default()
                ),
            )),
            (None, _) => parts.push((true, "never expires".to_owned())),
            (Some(e), created) => match (time(e), created) {
                (None, _) => parts.push((
                    false,
                    format!("expiration '{e}' is not an RFC 3339 time (the token is refused)"),
                )),
                (Some(_), None) => parts.push((false, "no creationTimestamp".to_owned())),
                (Some(exp), Some(created)) => {
                    let secs = (exp - created).num_seconds();
                    if secs <= 0 {
                        parts.push((
                            false,
                            format!("expired: expiration {e} is not after its creation"),
                        ));
                    } else {
                        let ttl = seconds(secs);
                        let ok = self.ttl_fits(secs);
                        parts.push(match (ok, self.ttl_words()) {
                            (false, Some(want)) => (false, format!("TTL {ttl} (expected {want})")),
                            _ => (true, format!("TTL {ttl}")),
                        });
                    }
                }
            },
        }
        if let Some(want) = &self.usages {
            let ok = token.usages == *want;
            parts.push((
                ok,
                if ok {
                    format!("usages {}", listed(&token.usages))
                } else {
                    format!(
                        "usages {} (expected {})",
                        listed(&token.usages),
                        listed(want)
                    )
                },
            ));
        }
        if let Some(want) = &self.groups {
            let have = sorted(token.groups.clone());
            let ok = have == *want;
            parts.push((
                ok,
                if ok {
                    format!("groups {}", listed(&have))
                } else {
                    format!("groups {} (expected {})", listed(&have), listed(want))
                },
            ));
        }
        if let Some(ns) = &self.created_after_namespace {
            let ns_created = snapshot
                .get(Kind::Namespace, None, ns)
                .and_then(|n| str_at(&n.value, "/metadata/creationTimestamp"))
                .and_then(time);
            parts.push(match (ns_created, created) {
                (None, _) => (false, format!("namespace {ns} not found")),
                (Some(_), None) => (false, "no creationTimestamp".to_owned()),
                (Some(n), Some(c)) if c >= n => (true, format!("created after namespace {ns}")),
                (Some(_), Some(_)) => (
                    false,
                    format!("created before namespace {ns} (before this attempt)"),
                ),
            });
        }
        parts
    }
}

impl EvaluatorCheck for TokenCheck {
    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        let mut reads = vec![(Kind::Secret, Some(TOKEN_NAMESPACE.to_owned()))];
        if self.created_after_namespace.is_some() {
            reads.push((Kind::Namespace, None));
        }
        reads
    }

    fn expected(&self, _subject: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(d) = &self.description {
            parts.push(format!("description '{d}'"));
        }
        parts.extend(self.ttl_words());
        if let Some(u) = &self.usages {
            parts.push(format!("usages {}", listed(u)));
        }
        if let Some(g) = &self.groups {
            parts.push(format!("groups {}", listed(g)));
        }
        if let Some(ns) = &self.created_after_namespace {
            parts.push(format!("created after namespace {ns}"));
        }
        let what = if parts.is_empty() {
            String::new()
        } else {
            format!(": {}", parts.join(", "))
        };
        format!("a bootstrap token in {TOKEN_NAMESPACE}{what}")
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let mut secrets: Vec<&Object> = snapshot
            .list(Kind::Secret, Some(TOKEN_NAMESPACE))
            .filter(|s| is_token(&s.value))
            .collect();
        secrets.sort_by(|a, b| a.name.cmp(&b.name));
        let mut verdicts = Vec::new();
        for secret in secrets {
            let verdict = match token_of(&secret.value) {
                Ok(token) => super::workloads::verdict_of(
                    &format!("token {}", token.id),
                    &self.compare(secret, &token, snapshot),
                ),
                Err(e) => Verdict::new(false, format!("secret {}: {e}", secret.name)),
            };
            if verdict.pass {
                return verdict;
            }
            verdicts.push(verdict.found);
        }
        if verdicts.is_empty() {
            Verdict::new(false, format!("no bootstrap token in {TOKEN_NAMESPACE}"))
        } else {
            Verdict::new(false, verdicts.join("; "))
        }
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        let template = "{{range .items}}{{.metadata.name}} created={{.metadata.creationTimestamp}}{{range $k, $v := .data}}{{if ne $k \"token-secret\"}} {{$k}}={{base64decode $v}}{{end}}{{end}}{{\"\\n\"}}{{end}}";
        format!(
            "kubectl get secrets -n {TOKEN_NAMESPACE} --field-selector type={TOKEN_TYPE} -o go-template={}",
            sh(template)
        )
    }

    fn named_values(&self) -> Vec<String> {
        let mut v: Vec<String> = self.description.iter().cloned().collect();
        v.extend(self.ttl.iter().map(|t| t.text.clone()));
        v.extend(self.usages.iter().flatten().cloned());
        v.extend(self.groups.iter().flatten().cloned());
        v.extend(self.created_after_namespace.iter().cloned());
        v
    }
}

/// `kubeadm_config = { key, field }` on a ConfigMap
pub struct KubeadmConfig;

/// Where kubeadm keeps the cluster's configuration.
const CONFIG_NAMESPACE: &str = "kube-system";
const CONFIG_NAME: &str = "kubeadm-config";
const CONFIG_KEY: &str = "ClusterConfiguration";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    key: Spanned<String>,
    field: Spanned<String>,
}

#[derive(Debug)]
struct ConfigCheck {
    key: String,
    field: String,
}

impl Evaluator for KubeadmConfig {
    fn key(&self) -> &'static str {
        "kubeadm_config"
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let file: ConfigFile = input.deserialize()?;
        let key = file.key.get_ref();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(Problem::new(
                file.key.span(),
                format!(
                    "kubeadm_config: '{key}' is not a ConfigMap key (a-z, A-Z, 0-9, '-', '_', '.')"
                ),
            ));
        }
        let field = file.field.get_ref();
        if field.split('.').any(str::is_empty) {
            return Err(Problem::new(
                file.field.span(),
                format!(
                    "kubeadm_config: field '{field}' is not a dotted path such as networking.podSubnet"
                ),
            ));
        }
        Ok(Arc::new(ConfigCheck {
            key: key.clone(),
            field: field.clone(),
        }))
    }
}

impl ConfigCheck {
    /// The value at `field` of the live ClusterConfiguration, or why none.
    fn live_value(&self, snapshot: &Snapshot) -> Result<String, String> {
        let cm = snapshot
            .get(Kind::ConfigMap, Some(CONFIG_NAMESPACE), CONFIG_NAME)
            .ok_or_else(|| format!("{CONFIG_NAMESPACE}/{CONFIG_NAME} not found"))?;
        let yaml = cm
            .value
            .pointer(&format!("/data/{CONFIG_KEY}"))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{CONFIG_NAMESPACE}/{CONFIG_NAME} has no {CONFIG_KEY}"))?;
        let config: Value = serde_saphyr::from_str(yaml)
            .map_err(|_| format!("{CONFIG_NAME}'s {CONFIG_KEY} is not YAML"))?;
        let found = self
            .field
            .split('.')
            .try_fold(&config, |v, k| v.get(k))
            .ok_or_else(|| format!("{CONFIG_NAME}'s {CONFIG_KEY} has no {}", self.field))?;
        match found {
            Value::String(s) => Ok(s.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(found.to_string()),
            _ => Err(format!(
                "{CONFIG_NAME}'s {} is not a single value",
                self.field
            )),
        }
    }
}

impl EvaluatorCheck for ConfigCheck {
    fn fits(&self, target: Option<&Target>) -> Result<(), String> {
        needs_kind(
            target,
            |k| k == Kind::ConfigMap,
            "kubeadm_config",
            "a ConfigMap",
        )
    }

    fn reads(&self, _target: Option<&Target>) -> Vec<(Kind, Option<String>)> {
        vec![(Kind::ConfigMap, Some(CONFIG_NAMESPACE.to_owned()))]
    }

    fn expected(&self, subject: Option<&str>) -> String {
        format!(
            "{}: key {} holds {} of {CONFIG_NAMESPACE}/{CONFIG_NAME} ({CONFIG_KEY})",
            subject.unwrap_or_default(),
            self.key,
            self.field
        )
    }

    fn judge(&self, object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let Some(cm) = object else {
            return super::syntax::no_object();
        };
        let have = cm
            .value
            .pointer("/data")
            .and_then(|d| d.get(&self.key))
            .and_then(Value::as_str)
            .map(str::trim);
        let Some(have) = have else {
            let keys: Vec<String> = cm
                .value
                .pointer("/data")
                .and_then(Value::as_object)
                .map(|d| d.keys().cloned().collect())
                .unwrap_or_default();
            return Verdict::new(
                false,
                format!(
                    "no key {} (keys: {})",
                    self.key,
                    super::objects::quoted_list(&keys)
                ),
            );
        };
        match self.live_value(snapshot) {
            Err(why) => Verdict::new(false, format!("{} '{have}'; {why}", self.key)),
            Ok(want) if want == have => Verdict::new(
                true,
                format!(
                    "{} '{have}', as {CONFIG_NAME}'s {} says",
                    self.key, self.field
                ),
            ),
            Ok(want) => Verdict::new(
                false,
                format!(
                    "{} '{have}' ({CONFIG_NAME}'s {} is '{want}')",
                    self.key, self.field
                ),
            ),
        }
    }

    fn inspect(&self, target: Option<&Get<'_>>) -> String {
        let own = target.map_or_else(String::new, |get| {
            get.jsonpath(&format!("{{.data.{}}}", self.key))
        });
        format!(
            "{own}; kubectl get configmap {CONFIG_NAME} -n {CONFIG_NAMESPACE} -o jsonpath={}",
            sh(&format!("{{.data.{CONFIG_KEY}}}"))
        )
    }

    fn named_values(&self) -> Vec<String> {
        vec![self.key.clone()]
    }
}

#[cfg(test)]
mod tests;
