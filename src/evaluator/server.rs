//! Checks on the API server itself, taken live and recorded in the snapshot
//! (`ServerRead`): `server_version` (what `/version` says) and
//! `component_healthy` (what `/readyz`, `/livez` or `/healthz` answer, as
//! `kubectl get --raw '/readyz?verbose'` shows). Neither takes a target.
//!
//! ```toml
//! server_version = { at_least = "1.33" }
//! component_healthy = { endpoint = "/readyz" }
//! component_healthy = { endpoint = "/livez", check = "etcd" }
//! ```

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::{Evaluator, EvaluatorCheck, Get, Input, Live, Problem, TargetUse, Verdict};
use crate::observe::server::ServerRead;
use crate::snapshot::{Object, Snapshot};

/// `server_version = { at_least? = "1.33", at_most? = "1.35" }`
pub struct ServerVersion;

/// `component_healthy = { endpoint = "/readyz" | "/livez" | "/healthz", check? }`
pub struct ComponentHealthy;

/// The health endpoints an API server serves.
const ENDPOINTS: [&str; 3] = ["/readyz", "/livez", "/healthz"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionFile {
    #[serde(default)]
    at_least: Option<Spanned<String>>,
    #[serde(default)]
    at_most: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthFile {
    endpoint: Spanned<String>,
    #[serde(default)]
    check: Option<String>,
}

/// A version as `major.minor[.patch]`.
type Version = (u64, u64, u64);

#[derive(Debug)]
struct VersionCheck {
    at_least: Option<(Version, String)>,
    at_most: Option<(Version, String)>,
}

#[derive(Debug)]
struct HealthCheck {
    endpoint: String,
    check: Option<String>,
}

/// `1.33`, `v1.33.2`, `v1.33.2-gke.100`: the numbers before any suffix.
fn version(text: &str) -> Option<Version> {
    let core = text.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next().unwrap_or_default();
    let mut parts = core.split('.').map(str::parse::<u64>);
    let major = parts.next()?.ok()?;
    let minor = parts.next()?.ok()?;
    let patch = match parts.next() {
        Some(p) => p.ok()?,
        None => 0,
    };
    parts.next().is_none().then_some((major, minor, patch))
}

fn bound(v: Option<Spanned<String>>) -> Result<Option<(Version, String)>, Problem> {
    v.map(|s| {
        let text = s.get_ref().trim().trim_start_matches('v').to_string();
        version(&text).map(|n| (n, text)).ok_or_else(|| {
            Problem::new(
                s.span(),
                format!(
                    "server_version: '{}' is not a version such as \"1.33\"",
                    s.get_ref()
                ),
            )
        })
    })
    .transpose()
}

impl Evaluator for ServerVersion {
    fn key(&self) -> &'static str {
        "server_version"
    }

    fn target(&self) -> TargetUse {
        TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: VersionFile = input.deserialize()?;
        let check = VersionCheck {
            at_least: bound(f.at_least)?,
            at_most: bound(f.at_most)?,
        };
        if check.at_least.is_none() && check.at_most.is_none() {
            return Err(Problem::new(
                input.span(),
                "server_version needs at_least or at_most",
            ));
        }
        Ok(Arc::new(check))
    }
}

impl Evaluator for ComponentHealthy {
    fn key(&self) -> &'static str {
        "component_healthy"
    }

    fn target(&self) -> TargetUse {
        TargetUse::Forbidden
    }

    fn parse(&self, input: &Input<'_>) -> Result<Arc<dyn EvaluatorCheck>, Problem> {
        let f: HealthFile = input.deserialize()?;
        if !ENDPOINTS.contains(&f.endpoint.get_ref().as_str()) {
            return Err(Problem::new(
                f.endpoint.span(),
                format!(
                    "component_healthy: endpoint '{}' is not one of {}",
                    f.endpoint.get_ref(),
                    ENDPOINTS.join(", ")
                ),
            ));
        }
        Ok(Arc::new(HealthCheck {
            endpoint: f.endpoint.into_inner(),
            check: f.check,
        }))
    }
}

/// The record of `path`, or the `error` verdict saying why there is none.
fn answer<'a>(snapshot: &'a Snapshot, path: &str) -> Result<&'a ServerRead, Verdict> {
    match snapshot.server_read(path) {
        None => Err(Verdict::error(format!(
            "no read of {path} recorded (grade the live cluster, or a snapshot written by 'ckasim snapshot')"
        ))),
        Some(ServerRead {
            error: Some(why), ..
        }) => Err(Verdict::error(format!("{path}: {why}"))),
        Some(r) => Ok(r),
    }
}

impl EvaluatorCheck for VersionCheck {
    fn expected(&self, _subject: Option<&str>) -> String {
        match (&self.at_least, &self.at_most) {
            (Some((_, low)), Some((_, high))) => {
                format!("the API server's version is between {low} and {high}")
            }
            (Some((_, low)), None) => format!("the API server's version is at least {low}"),
            (None, Some((_, high))) => format!("the API server's version is at most {high}"),
            (None, None) => "the API server's version".into(),
        }
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let r = match answer(snapshot, "/version") {
            Ok(r) => r,
            Err(v) => return v,
        };
        let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
        let git = field("gitVersion");
        let have = version(git).or_else(|| {
            let minor: String = field("minor")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            version(&format!("{}.{minor}", field("major")))
        });
        let Some(have) = have else {
            return Verdict::error(format!(
                "/version answered without a version (HTTP {})",
                r.status.unwrap_or_default()
            ));
        };
        let shown = if git.is_empty() {
            format!("{}.{}", have.0, have.1)
        } else {
            git.to_string()
        };
        // "at most 1.33" admits every 1.33 patch release.
        let low_ok = self.at_least.as_ref().is_none_or(|(v, _)| have >= *v);
        let high_ok = self.at_most.as_ref().is_none_or(|(v, text)| {
            if text.matches('.').count() == 1 {
                (have.0, have.1) <= (v.0, v.1)
            } else {
                have <= *v
            }
        });
        Verdict::new(low_ok && high_ok, format!("version {shown}"))
    }

    fn live(&self) -> Live {
        Live::Server("/version".into())
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        "kubectl version -o json".into()
    }
}

impl HealthCheck {
    fn path(&self) -> String {
        format!("{}?verbose", self.endpoint)
    }
}

impl EvaluatorCheck for HealthCheck {
    fn expected(&self, _subject: Option<&str>) -> String {
        match &self.check {
            Some(c) => format!("the API server's {} check '{c}' passes", self.endpoint),
            None => format!("the API server answers {} with ok", self.endpoint),
        }
    }

    fn judge(&self, _object: Option<&Object>, snapshot: &Snapshot) -> Verdict {
        let path = self.path();
        let r = match answer(snapshot, &path) {
            Ok(r) => r,
            Err(v) => return v,
        };
        let status = r.status.unwrap_or_default();
        let failing: Vec<&str> = r
            .body
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("[-]"))
            .collect();
        let passed = r
            .body
            .lines()
            .filter(|l| l.trim().starts_with("[+]"))
            .count();
        if let Some(c) = &self.check {
            let line = r.body.lines().map(str::trim).find(|l| {
                l.get(3..)
                    .and_then(|rest| rest.split_whitespace().next())
                    .is_some_and(|name| name == c)
            });
            return match line {
                Some(l) if l.starts_with("[+]") => {
                    Verdict::new(true, format!("{l} (HTTP {status})"))
                }
                Some(l) => Verdict::new(false, format!("{l} (HTTP {status})")),
                None => Verdict::new(
                    false,
                    format!("{} lists no check '{c}' (HTTP {status})", self.endpoint),
                ),
            };
        }
        if status == 200 && failing.is_empty() {
            return Verdict::new(true, format!("ok: {passed} checks passed (HTTP {status})"));
        }
        let why = if failing.is_empty() {
            r.body
                .lines()
                .next()
                .unwrap_or("no body")
                .trim()
                .to_string()
        } else {
            failing.join(", ")
        };
        Verdict::new(false, format!("HTTP {status}: {why}"))
    }

    fn live(&self) -> Live {
        Live::Server(self.path())
    }

    fn inspect(&self, _target: Option<&Get<'_>>) -> String {
        format!("kubectl get --raw '{}'", self.path())
    }

    fn named_values(&self) -> Vec<String> {
        self.check.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use crate::report::Status;

    #[test]
    fn versions_read_as_the_server_writes_them() {
        assert_eq!(version("v1.33.2-gke.1000"), Some((1, 33, 2)));
        assert_eq!(version("1.33"), Some((1, 33, 0)));
        assert_eq!(version("v1.34.0+k3s1"), Some((1, 34, 0)));
        assert_eq!(version("one.33"), None);
        assert_eq!(version("1.33.0.1"), None);
    }

    #[test]
    fn misuse_is_named_where_it_is_written() {
        let err = testing::check(&["a"], "server_version = { at_least = \"1.x\" }").unwrap_err();
        assert_eq!(
            err,
            ["grading/t.toml:9:31: server_version: '1.x' is not a version such as \"1.33\""]
        );
        let err = testing::check(&["a"], "server_version = {}").unwrap_err();
        assert_eq!(
            err,
            ["grading/t.toml:9:18: server_version needs at_least or at_most"]
        );
        let err =
            testing::check(&["a"], "component_healthy = { endpoint = \"/ready\" }").unwrap_err();
        assert_eq!(
            err,
            [
                "grading/t.toml:9:34: component_healthy: endpoint '/ready' is not one of /readyz, /livez, /healthz"
            ]
        );
        let err = testing::check(
            &["a"],
            "target = { kind = \"Pod\", namespace = \"a\", name = \"p\" }\ncomponent_healthy = { endpoint = \"/livez\" }",
        )
        .unwrap_err();
        assert_eq!(
            err,
            ["grading/t.toml:9:10: check 'k': this expectation takes no target"]
        );
    }

    #[test]
    fn a_version_from_major_and_minor_when_git_version_is_absent() {
        let mut snap = Snapshot::default();
        snap.add_server_read(ServerRead::answered(
            "/version",
            200,
            r#"{"major":"1","minor":"35+"}"#,
        ));
        let r = testing::grade(&["a"], "server_version = { at_least = \"1.35\" }", &snap);
        assert_eq!(
            (r.status, r.actual.as_str()),
            (Status::Pass, "version 1.35")
        );
        let r = testing::grade(&["a"], "server_version = { at_most = \"1.34.9\" }", &snap);
        assert_eq!(r.status, Status::Fail);
    }
}
