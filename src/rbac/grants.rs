//! What a Role or ClusterRole grants, compared with what it should grant:
//! both sides expanded to single permissions — (API group, resource, verb,
//! name) or (non-resource URL, verb) — where `*` and a missing resourceNames
//! list stand for "any", as the authorizer reads them.

use std::fmt;

use serde::Serialize;

use super::policy::Rule;

/// How the granted permissions must relate to the expected ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Everything expected, nothing more.
    Exactly,
    /// Everything expected; more is fine.
    AtLeast,
    /// Nothing beyond what is expected; less is fine.
    AtMost,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Exactly => "exactly",
            Mode::AtLeast => "at least",
            Mode::AtMost => "at most",
        }
    }
}

/// One permission: a verb on a resource of a group (with one name, or any
/// name), or a verb on a non-resource URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Grant {
    Resource {
        group: String,
        resource: String,
        verb: String,
        /// `None`: any name.
        name: Option<String>,
    },
    NonResource {
        url: String,
        verb: String,
    },
}

impl fmt::Display for Grant {
    /// `list pods`, `get deployments.apps`, `get secrets named "db"`,
    /// `* *.*`, `get /healthz`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::NonResource { url, verb } => write!(f, "{verb} {url}"),
            Grant::Resource {
                group,
                resource,
                verb,
                name,
            } => {
                write!(f, "{verb} {resource}")?;
                if !group.is_empty() {
                    write!(f, ".{group}")?;
                }
                if let Some(n) = name {
                    write!(f, " named {}", super::quote(n))?;
                }
                Ok(())
            }
        }
    }
}

/// Every single permission the rules grant, in rule order, without repeats.
pub fn expand(rules: &[Rule]) -> Vec<Grant> {
    let mut out = Vec::new();
    let mut push = |g: Grant| {
        if !out.contains(&g) {
            out.push(g);
        }
    };
    for rule in rules {
        for verb in &rule.verbs {
            for group in &rule.api_groups {
                for resource in &rule.resources {
                    let names: Vec<Option<&String>> = if rule.resource_names.is_empty() {
                        vec![None]
                    } else {
                        rule.resource_names.iter().map(Some).collect()
                    };
                    for name in names {
                        push(Grant::Resource {
                            group: group.clone(),
                            resource: resource.clone(),
                            verb: verb.clone(),
                            name: name.cloned(),
                        });
                    }
                }
            }
            for url in &rule.non_resource_urls {
                push(Grant::NonResource {
                    url: url.clone(),
                    verb: verb.clone(),
                });
            }
        }
    }
    out
}

/// Whether permission `wide` includes every request permission `narrow` allows.
fn covers(wide: &Grant, narrow: &Grant) -> bool {
    let any_or = |w: &str, n: &str| w == "*" || w == n;
    match (wide, narrow) {
        (
            Grant::Resource {
                group: wg,
                resource: wr,
                verb: wv,
                name: wn,
            },
            Grant::Resource {
                group: ng,
                resource: nr,
                verb: nv,
                name: nn,
            },
        ) => {
            let resource = wr == "*"
                || wr == nr
                || wr.strip_prefix("*/").is_some_and(|sub| {
                    nr.split_once('/')
                        .is_some_and(|(base, s)| base != "*" && s == sub)
                });
            let name = match (wn, nn) {
                (None, _) => true,
                (Some(w), Some(n)) => w == n,
                (Some(_), None) => false,
            };
            any_or(wg, ng) && any_or(wv, nv) && resource && name
        }
        (Grant::NonResource { url: wu, verb: wv }, Grant::NonResource { url: nu, verb: nv }) => {
            let url = wu == "*"
                || wu == nu
                || (wu.ends_with('*') && nu.starts_with(wu.trim_end_matches('*')));
            any_or(wv, nv) && url
        }
        _ => false,
    }
}

/// The result of comparing granted with expected permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantComparison {
    pub mode: Mode,
    /// Expected permissions no granted one covers (checked for exactly / at least).
    pub missing: Vec<Grant>,
    /// Granted permissions no expected one covers (checked for exactly / at most).
    pub extra: Vec<Grant>,
}

impl GrantComparison {
    pub fn holds(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty()
    }
}

impl fmt::Display for GrantComparison {
    /// `missing: list pods, get secrets named "db"; extra: delete pods`, or `as expected`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |grants: &[Grant]| {
            grants
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!("missing: {}", join(&self.missing)));
        }
        if !self.extra.is_empty() {
            parts.push(format!("extra: {}", join(&self.extra)));
        }
        if parts.is_empty() {
            f.write_str("as expected")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

/// Compares what `granted` rules allow with what `expected` rules describe.
pub fn compare_grants(granted: &[Rule], expected: &[Rule], mode: Mode) -> GrantComparison {
    let have = expand(granted);
    let want = expand(expected);
    let uncovered = |from: &[Grant], by: &[Grant]| -> Vec<Grant> {
        from.iter()
            .filter(|g| !by.iter().any(|w| covers(w, g)))
            .cloned()
            .collect()
    };
    GrantComparison {
        mode,
        missing: if mode == Mode::AtMost {
            Vec::new()
        } else {
            uncovered(&want, &have)
        },
        extra: if mode == Mode::AtLeast {
            Vec::new()
        } else {
            uncovered(&have, &want)
        },
    }
}
