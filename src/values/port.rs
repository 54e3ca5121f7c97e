//! Ports by number or by name (`IntOrString`), and a Service `targetPort`
//! resolved against a pod's container ports as the endpoints controller does.

use std::fmt;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    Number(u16),
    Name(String),
}

impl Port {
    /// A number, a string of digits (`"8080"`), or a port name (`"http"`).
    pub fn from_json(v: &Value) -> Result<Port, String> {
        match v {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n > 0)
                .map(Port::Number)
                .ok_or_else(|| format!("{n} is not a port (1-65535)")),
            Value::String(s) => Ok(Port::parse(s)),
            other => Err(format!("{other} is not a port number or name")),
        }
    }

    pub fn parse(s: &str) -> Port {
        match s.trim().parse::<u16>() {
            Ok(n) if n > 0 => Port::Number(n),
            _ => Port::Name(s.trim().to_string()),
        }
    }

    /// The container port this names in a pod (`pod` is the Pod object or
    /// its spec): a number is itself; a name is the `containerPort` of the
    /// container port so named with that protocol (`TCP` when unset).
    pub fn resolve(&self, pod: &Value, protocol: &str) -> Option<u16> {
        match self {
            Port::Number(n) => Some(*n),
            Port::Name(name) => {
                let spec = pod.get("spec").unwrap_or(pod);
                spec.get("containers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .flat_map(|c| {
                        c.get("ports")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                    })
                    .find(|p| {
                        p.get("name").and_then(Value::as_str) == Some(name.as_str())
                            && p.get("protocol").and_then(Value::as_str).unwrap_or("TCP")
                                == protocol
                    })
                    .and_then(|p| p.get("containerPort").and_then(Value::as_u64))
                    .and_then(|n| u16::try_from(n).ok())
            }
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Number(n) => write!(f, "{n}"),
            Port::Name(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_number_and_its_digits_are_one_port() {
        assert_eq!(
            Port::from_json(&json!(8080)),
            Port::from_json(&json!("8080"))
        );
        assert_eq!(
            Port::from_json(&json!("http")),
            Ok(Port::Name("http".into()))
        );
        assert!(Port::from_json(&json!(70000)).is_err());
        assert!(Port::from_json(&json!(0)).is_err());
    }

    #[test]
    fn a_name_resolves_against_the_pods_container_ports() {
        let pod = json!({"kind": "Pod", "spec": {"containers": [
            {"name": "a", "ports": [{"name": "metrics", "containerPort": 9090}]},
            {"name": "b", "ports": [{"name": "http", "containerPort": 8080},
                                     {"name": "dns", "containerPort": 53, "protocol": "UDP"}]}
        ]}});
        assert_eq!(Port::parse("http").resolve(&pod, "TCP"), Some(8080));
        assert_eq!(Port::parse("dns").resolve(&pod, "UDP"), Some(53));
        assert_eq!(Port::parse("dns").resolve(&pod, "TCP"), None);
        assert_eq!(Port::parse("web").resolve(&pod, "TCP"), None);
        assert_eq!(Port::parse("80").resolve(&pod, "TCP"), Some(80));
    }
}
