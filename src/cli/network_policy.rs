//! `ckasim network-policy --snapshot FILE… --from NS/POD --to NS/POD --port N[/PROTO]`:
//! whether the `NetworkPolicies` in the files allow a connection, and which
//! policies decided.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::Value;

use super::Failure;
use crate::netpol::{Direction, Network, Pod, Protocol, Verdict};
use crate::snapshot::read_documents;

#[derive(Debug, Args)]
pub struct NetworkPolicyArgs {
    /// kubectl output (-o json|yaml) or manifests holding the pods, the
    /// network policies and (for namespace selectors) the namespaces.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    pub snapshot: Vec<PathBuf>,
    /// The client pod, as NAMESPACE/POD.
    #[arg(long, value_name = "NS/POD", value_parser = parse_pod_ref)]
    pub from: PodRef,
    /// The server pod, as NAMESPACE/POD.
    #[arg(long, value_name = "NS/POD", value_parser = parse_pod_ref)]
    pub to: PodRef,
    /// The destination port, with its protocol: 80, 53/UDP, 9000/SCTP (TCP when not said).
    #[arg(long, value_name = "N[/PROTO]", value_parser = parse_port)]
    pub port: PortRef,
    #[arg(long, value_enum, default_value_t = NetworkPolicyFormat::Text)]
    pub format: NetworkPolicyFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetworkPolicyFormat {
    Text,
    Json,
}

/// `namespace/pod` as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRef {
    pub namespace: String,
    pub name: String,
}

fn parse_pod_ref(s: &str) -> Result<PodRef, String> {
    match s.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok(PodRef {
                namespace: ns.to_string(),
                name: name.to_string(),
            })
        }
        _ => Err(format!("'{s}' is not NAMESPACE/POD")),
    }
}

/// A port number and its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRef {
    pub port: u16,
    pub protocol: Protocol,
}

fn parse_port(s: &str) -> Result<PortRef, String> {
    let (number, protocol) = match s.split_once('/') {
        Some((n, p)) => (n, p.parse::<Protocol>()?),
        None => (s, Protocol::Tcp),
    };
    match number.parse::<u16>() {
        Ok(port) if port > 0 => Ok(PortRef { port, protocol }),
        _ => Err(format!("'{number}' is not a port number (1-65535)")),
    }
}

/// The answer, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Answer {
    pub from: String,
    pub to: String,
    pub port: u16,
    pub protocol: Protocol,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// Reads the files and answers the question; an unknown pod is a failure.
pub fn evaluate(args: &NetworkPolicyArgs) -> Result<Answer, Failure> {
    let mut objects = Vec::new();
    for path in &args.snapshot {
        objects.extend(read_documents(path).map_err(|e| Failure(e.to_string()))?);
    }
    let from = find_pod(&objects, &args.from)?;
    let to = find_pod(&objects, &args.to)?;
    let verdict = Network::new(&objects).allows(&from, &to, args.port.port, args.port.protocol);
    Ok(Answer {
        from: from.key(),
        to: to.key(),
        port: args.port.port,
        protocol: args.port.protocol,
        verdict,
    })
}

fn find_pod(objects: &[Value], wanted: &PodRef) -> Result<Pod, Failure> {
    let pods: Vec<Pod> = objects
        .iter()
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some("Pod"))
        .filter_map(Pod::from_object)
        .collect();
    if let Some(p) = pods
        .iter()
        .find(|p| p.namespace == wanted.namespace && p.name == wanted.name)
    {
        return Ok(p.clone());
    }
    let known: Vec<&str> = pods
        .iter()
        .filter(|p| p.namespace == wanted.namespace)
        .map(|p| p.name.as_str())
        .collect();
    let hint = if known.is_empty() {
        format!("no pods in namespace '{}'", wanted.namespace)
    } else {
        format!("pods in '{}': {}", wanted.namespace, known.join(", "))
    };
    Err(Failure(format!(
        "no pod '{}/{}' in the snapshot files ({hint})",
        wanted.namespace, wanted.name
    )))
}

pub fn render(answer: &Answer, format: NetworkPolicyFormat) -> String {
    match format {
        NetworkPolicyFormat::Json => {
            let mut s = serde_json::to_string_pretty(answer).unwrap_or_else(|_| "{}".into());
            s.push('\n');
            s
        }
        NetworkPolicyFormat::Text => {
            let v = &answer.verdict;
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{}: {} -> {} on {}/{}",
                if v.allowed { "allowed" } else { "denied" },
                answer.from,
                answer.to,
                answer.port,
                answer.protocol
            );
            let question = format!("{}/{}", answer.port, answer.protocol);
            let _ = writeln!(
                out,
                "  egress from {}: {}",
                answer.from,
                v.egress.explain(Direction::Egress, &answer.to, &question)
            );
            let _ = writeln!(
                out,
                "  ingress to {}: {}",
                answer.to,
                v.ingress
                    .explain(Direction::Ingress, &answer.from, &question)
            );
            if answer.from == answer.to {
                out.push_str(
                    "  note: traffic from a pod to itself is handled differently by network plugins (most always allow it)\n",
                );
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_pods_parse_as_the_help_says() {
        assert_eq!(
            parse_port("53/udp"),
            Ok(PortRef {
                port: 53,
                protocol: Protocol::Udp
            })
        );
        assert_eq!(parse_port("80").unwrap().protocol, Protocol::Tcp);
        assert!(parse_port("0").is_err());
        assert!(parse_port("http").unwrap_err().contains("'http'"));
        assert!(parse_port("80/icmp").unwrap_err().contains("'icmp'"));
        assert_eq!(parse_pod_ref("x/a").unwrap().name, "a");
        for bad in ["a", "/a", "x/", "x/a/b"] {
            assert!(parse_pod_ref(bad).is_err(), "{bad}");
        }
    }
}
