//! Live reads of API server endpoints (`/version`, `/readyz`, `/livez`,
//! `/healthz`) as recorded in a snapshot: `ckasim.dev/v1 ServerRead`, one
//! per path, holding the HTTP status and the body (capped, token-like text
//! digested), or why there is none.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{API_VERSION, scrub};
use crate::evaluator::Live;
use crate::library::rubric::{Expectation, Rubric};

/// `kind` of a server read record in a snapshot.
pub const KIND: &str = "ServerRead";

/// One GET of an API server path and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRead {
    /// The path read, with its query (`/readyz?verbose`).
    pub path: String,
    /// The HTTP status, `None` when there was no answer.
    pub status: Option<u16>,
    pub body: String,
    /// Why there is no answer to judge (forbidden, timeout, unreachable).
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    api_version: String,
    kind: String,
    metadata: Metadata,
    path: String,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Metadata {
    name: String,
}

impl ServerRead {
    /// An answer, scrubbed as observation outputs are.
    pub fn answered(path: &str, status: u16, body: &str) -> ServerRead {
        ServerRead {
            path: path.into(),
            status: Some(status),
            body: scrub(body).0,
            error: None,
        }
    }

    /// No answer, and why.
    pub fn failed(path: &str, why: &str) -> ServerRead {
        ServerRead {
            path: path.into(),
            status: None,
            body: String::new(),
            error: Some(scrub(why).0),
        }
    }

    /// Whether a snapshot object is a server read record.
    pub fn is_record(value: &Value) -> bool {
        super::is_record_of(value, KIND)
    }

    /// Reads a record; its body is scrubbed again.
    pub fn from_value(value: Value) -> Result<ServerRead, String> {
        let r: Record =
            serde_json::from_value(value).map_err(|e| format!("a {KIND} record: {e}"))?;
        Ok(ServerRead {
            body: scrub(&r.body).0,
            error: r.error.map(|e| scrub(&e).0),
            path: r.path,
            status: r.status,
        })
    }

    /// The record as a snapshot object, named after its path
    /// (`readyz-verbose`).
    pub fn to_value(&self) -> Value {
        let name: String = self
            .path
            .trim_start_matches('/')
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let r = Record {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            metadata: Metadata { name },
            path: self.path.clone(),
            status: self.status,
            body: self.body.clone(),
            error: self.error.clone(),
        };
        serde_json::to_value(r).unwrap_or(Value::Null)
    }
}

/// The API server paths the rubric's checks read, each once.
pub fn paths(rubric: &Rubric) -> Vec<String> {
    let mut paths: Vec<String> = rubric
        .reads()
        .filter_map(|(_, e)| match e {
            Some(Expectation::Evaluated(c)) => match c.live() {
                Live::Server(path) => Some(path),
                _ => None,
            },
            _ => None,
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_written_and_holds_no_token() {
        let r = ServerRead::answered(
            "/readyz?verbose",
            500,
            "[-]etcd failed eyJhbGciOiJSUzI1NiJ9.e30.x\n",
        );
        assert!(!r.body.contains("eyJhbGci"), "{}", r.body);
        let v = r.to_value();
        assert_eq!(v["metadata"]["name"], "readyz-verbose");
        assert!(ServerRead::is_record(&v));
        assert_eq!(ServerRead::from_value(v), Ok(r));
        let f = ServerRead::failed("/version", "forbidden");
        assert_eq!(ServerRead::from_value(f.to_value()), Ok(f));
    }
}
