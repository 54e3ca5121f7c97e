//! `ckasim pod-security FILE…`: the Pod Security Standards level of every
//! workload in kubectl output or manifests.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::Value;

use super::Failure;
use crate::pod_security::{self, Level, PolicyVersion};
use crate::snapshot::read_documents;

#[derive(Debug, Args)]
pub struct PodSecurityArgs {
    /// kubectl output (-o json|yaml) or manifests.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = PodSecurityFormat::Text)]
    pub format: PodSecurityFormat,
    /// Policy version to evaluate: `latest` or `v1.N`.
    #[arg(long, default_value = "latest", value_parser = parse_version)]
    pub version: PolicyVersion,
}

fn parse_version(s: &str) -> Result<PolicyVersion, String> {
    s.parse::<PolicyVersion>().map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PodSecurityFormat {
    Text,
    Json,
}

/// One workload's verdict, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub level: Level,
    /// For each level stricter than the one reached, what keeps the pods from it.
    pub violations: serde_json::Map<String, Value>,
}

/// Evaluates every workload in the files, in file order.
pub fn evaluate(args: &PodSecurityArgs) -> Result<Vec<Verdict>, Failure> {
    let mut out = Vec::new();
    for path in &args.files {
        for doc in read_documents(path).map_err(|e| Failure(e.to_string()))? {
            let Some((meta, spec)) = pod_security::pod_template(&doc) else {
                continue;
            };
            let eval = pod_security::evaluate(meta, spec, args.version);
            let mut violations = serde_json::Map::new();
            if eval.level < Level::Baseline {
                violations.insert(
                    "baseline".into(),
                    Value::from(eval.violations.baseline.clone()),
                );
            }
            if eval.level < Level::Restricted {
                violations.insert(
                    "restricted".into(),
                    Value::from(eval.violations.restricted.clone()),
                );
            }
            let str_at = |p: &str| doc.pointer(p).and_then(Value::as_str).map(str::to_string);
            out.push(Verdict {
                kind: str_at("/kind").unwrap_or_default(),
                namespace: str_at("/metadata/namespace"),
                name: str_at("/metadata/name").unwrap_or_else(|| "(unnamed)".into()),
                level: eval.level,
                violations,
            });
        }
    }
    Ok(out)
}

pub fn render(verdicts: &[Verdict], format: PodSecurityFormat, version: PolicyVersion) -> String {
    match format {
        PodSecurityFormat::Json => {
            let mut s = serde_json::to_string_pretty(verdicts).unwrap_or_else(|_| "[]".into());
            s.push('\n');
            s
        }
        PodSecurityFormat::Text => {
            let mut out = String::new();
            if verdicts.is_empty() {
                out.push_str("no Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob found\n");
            }
            for v in verdicts {
                let ns = v
                    .namespace
                    .as_deref()
                    .map(|n| format!(" -n {n}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{}/{}{ns}: {} ({version})",
                    v.kind.to_ascii_lowercase(),
                    v.name,
                    v.level
                );
                for (level, list) in &v.violations {
                    for item in list
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                    {
                        let _ = writeln!(out, "  not {level}: {item}");
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_exercises_get_their_levels_and_violations() {
        let args = PodSecurityArgs {
            files: vec![
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../shared/fixtures/seed-exercises.json"),
            ],
            format: PodSecurityFormat::Text,
            version: PolicyVersion::Latest,
        };
        let verdicts = evaluate(&args).unwrap();
        let find = |n: &str| verdicts.iter().find(|v| v.name == n).unwrap();
        // hostPath volumes are not baseline.
        let writer = find("data-writer");
        assert_eq!(writer.level, Level::Privileged);
        assert!(
            writer.violations["baseline"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v.as_str().unwrap().starts_with("hostPath volumes"))
        );
        // Adding NET_BIND_SERVICE and CHOWN: CHOWN is in the baseline set, but restricted allows only NET_BIND_SERVICE.
        let caps = find("caps-pod");
        assert_eq!(caps.level, Level::Baseline);
        assert!(!caps.violations.contains_key("baseline"));
        let text = render(&verdicts, PodSecurityFormat::Text, PolicyVersion::Latest);
        assert!(
            text.contains("pod/caps-pod -n seed-exercises: baseline (latest)"),
            "{text}"
        );
        assert!(text.contains("  not restricted: unrestricted capabilities (container \"app\" must not include \"CHOWN\" in securityContext.capabilities.add)"), "{text}");
        let json: Value = serde_json::from_str(&render(
            &verdicts,
            PodSecurityFormat::Json,
            PolicyVersion::Latest,
        ))
        .unwrap();
        let first = &json[0];
        for key in ["kind", "namespace", "name", "level", "violations"] {
            assert!(first.get(key).is_some(), "{key}");
        }
    }
}
