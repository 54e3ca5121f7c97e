//! Snapshots: the cluster objects a grade looks at, read from `kubectl get
//! -o json|yaml` output or fetched live, as plain JSON values.

pub mod bootstrap_token;
pub mod helm;
pub mod secret;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::kind::Kind;
use crate::observe::Observation;
use crate::observe::server::ServerRead;

/// One API object.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub name: String,
    pub value: Value,
}

impl Object {
    pub fn labels(&self) -> Option<&serde_json::Map<String, Value>> {
        self.value
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
    }

    pub fn uid(&self) -> Option<&str> {
        self.value.pointer("/metadata/uid").and_then(Value::as_str)
    }

    /// `kind/name`, as kubectl names objects.
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind.kubectl_name(), self.name)
    }
}

/// A (kind, namespace) list that could not be read, and why. Checks on it
/// are reported as errors, never as the candidate's mistakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    objects: Vec<Object>,
    index: HashMap<(Kind, Option<String>, String), usize>,
    /// Positions of each kind's objects, in insertion order: a list reads
    /// its kind only, not every object of a large cluster.
    by_kind: HashMap<Kind, Vec<usize>>,
    unavailable: Vec<Unavailable>,
    observations: Vec<Observation>,
    server_reads: Vec<ServerRead>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("{file}: cannot read: {reason}")]
    Read { file: String, reason: String },
    #[error("{file}: not a JSON or YAML snapshot: not UTF-8 text")]
    NotText { file: String },
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
}

impl Snapshot {
    /// Adds an API object, whatever its kind (a kind ckasim does not know
    /// offline is a `Kind::Other` by its `apiVersion`). A later object with
    /// the same kind, namespace and name replaces the earlier.
    pub fn insert(&mut self, value: Value) -> Result<(), String> {
        let Some(kind_name) = value.get("kind").and_then(Value::as_str) else {
            return Err("an object has no 'kind'".into());
        };
        if Observation::is_record(&value) {
            self.add_observation(Observation::from_value(value)?);
            return Ok(());
        }
        if ServerRead::is_record(&value) {
            self.add_server_read(ServerRead::from_value(value)?);
            return Ok(());
        }
        let kind = Kind::of_object(value.get("apiVersion").and_then(Value::as_str), kind_name);
        let Some(name) = value.pointer("/metadata/name").and_then(Value::as_str) else {
            return Err(format!("a {kind_name} has no metadata.name"));
        };
        let namespace = if !kind.is_well_known() {
            value
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .map(str::to_string)
        } else if kind.namespaced() {
            Some(
                value
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("default")
                    .to_string(),
            )
        } else {
            None
        };
        let name = name.to_string();
        self.put(Object {
            kind,
            namespace,
            name,
            value,
        });
        Ok(())
    }

    fn put(&mut self, object: Object) {
        let key = (object.kind, object.namespace.clone(), object.name.clone());
        if let Some(&i) = self.index.get(&key) {
            self.objects[i] = object;
        } else {
            self.index.insert(key, self.objects.len());
            self.by_kind
                .entry(object.kind)
                .or_default()
                .push(self.objects.len());
            self.objects.push(object);
        }
    }

    pub fn mark_unavailable(&mut self, kind: Kind, namespace: Option<String>, reason: String) {
        self.unavailable.push(Unavailable {
            kind,
            namespace,
            reason,
        });
    }

    /// Records a command's result (or a logs read); a later result of the
    /// same read in the same container replaces the earlier.
    pub fn add_observation(&mut self, o: Observation) {
        self.observations.retain(|r| !r.same_read(&o));
        self.observations.push(o);
    }

    pub fn observations(&self) -> &[Observation] {
        &self.observations
    }

    /// Records what an API server path answered; a later read of the same
    /// path replaces the earlier.
    pub fn add_server_read(&mut self, r: ServerRead) {
        self.server_reads.retain(|x| x.path != r.path);
        self.server_reads.push(r);
    }

    /// What the API server answered on `path`, if it was read.
    pub fn server_read(&self, path: &str) -> Option<&ServerRead> {
        self.server_reads.iter().find(|r| r.path == path)
    }

    /// Adds everything another snapshot holds (objects, unreadable lists,
    /// observations).
    pub fn absorb(&mut self, other: Snapshot) {
        for o in other.objects {
            self.put(o);
        }
        self.unavailable.extend(other.unavailable);
        for o in other.observations {
            self.add_observation(o);
        }
        for r in other.server_reads {
            self.add_server_read(r);
        }
    }

    /// Why a list could not be read, if it could not.
    pub fn unavailable(&self, kind: Kind, namespace: Option<&str>) -> Option<&str> {
        self.unavailable
            .iter()
            .find(|u| {
                u.kind == kind && (u.namespace.as_deref() == namespace || u.namespace.is_none())
            })
            .map(|u| u.reason.as_str())
    }

    pub fn get(&self, kind: Kind, namespace: Option<&str>, name: &str) -> Option<&Object> {
        let key = (kind, namespace.map(str::to_string), name.to_string());
        self.index.get(&key).map(|&i| &self.objects[i])
    }

    /// Objects of a kind in a namespace (all namespaces for `None` on a namespaced kind).
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> impl Iterator<Item = &Object> + '_ {
        let namespace = namespace.map(str::to_string);
        self.by_kind
            .get(&kind)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.objects[i])
            .filter(move |o| namespace.is_none() || o.namespace.as_deref() == namespace.as_deref())
    }

    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Reads one or more files of `kubectl get -o json|yaml` output.
    pub fn read_files<P: AsRef<Path>>(paths: &[P]) -> Result<Snapshot, SnapshotError> {
        let mut snapshot = Snapshot::default();
        for path in paths {
            let file = path.as_ref().display().to_string();
            for value in read_documents(path.as_ref())? {
                snapshot
                    .insert(value)
                    .map_err(|message| SnapshotError::Shape {
                        file: file.clone(),
                        message,
                    })?;
            }
        }
        Ok(snapshot)
    }

    /// The snapshot as one `List`, with every Secret value redacted: what
    /// `ckasim snapshot` writes.
    pub fn to_redacted_list(&self) -> Value {
        let items: Vec<Value> = self
            .objects
            .iter()
            .map(|o| {
                let mut v = o.value.clone();
                secret::strip_noise(&mut v);
                if o.kind == Kind::Secret {
                    secret::redact_secret(&mut v);
                }
                v
            })
            .chain(self.observations.iter().map(Observation::to_value))
            .chain(self.server_reads.iter().map(ServerRead::to_value))
            .collect();
        serde_json::json!({ "apiVersion": "v1", "kind": "List", "metadata": {}, "items": items })
    }
}

/// Reads one file of kubectl output or manifests into its objects.
pub fn read_documents(path: &Path) -> Result<Vec<Value>, SnapshotError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SnapshotError::Read {
        file: file.clone(),
        reason: io_reason(&e),
    })?;
    let text =
        String::from_utf8(bytes).map_err(|_| SnapshotError::NotText { file: file.clone() })?;
    parse_documents(&file, &text)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Parses JSON or YAML text into API objects: one object, a `List`
/// (flattened), or several YAML documents.
pub fn parse_documents(file: &str, text: &str) -> Result<Vec<Value>, SnapshotError> {
    let trimmed = text.trim_start();
    let docs: Vec<Value> = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(text).into_iter::<Value>();
        let mut docs = Vec::new();
        for doc in &mut de {
            docs.push(doc.map_err(|e| SnapshotError::Syntax {
                file: file.to_string(),
                line: e.line() as u64,
                column: e.column() as u64,
                message: json_message(&e),
            })?);
        }
        docs
    } else {
        serde_saphyr::from_multiple::<Value>(text).map_err(|e| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            SnapshotError::Syntax {
                file: file.to_string(),
                line,
                column,
                message: yaml_message(&e.to_string()),
            }
        })?
    };
    let mut out = Vec::new();
    for doc in docs {
        flatten(file, doc, &mut out)?;
    }
    Ok(out)
}

fn flatten(file: &str, doc: Value, out: &mut Vec<Value>) -> Result<(), SnapshotError> {
    match doc {
        Value::Null => Ok(()),
        Value::Array(items) => items.into_iter().try_for_each(|i| flatten(file, i, out)),
        Value::Object(mut map) => {
            let is_list = map
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.ends_with("List"))
                && map.get("items").is_some_and(Value::is_array);
            if is_list && let Some(Value::Array(items)) = map.remove("items") {
                return items.into_iter().try_for_each(|i| flatten(file, i, out));
            }
            out.push(Value::Object(map));
            Ok(())
        }
        other => Err(SnapshotError::Shape {
            file: file.to_string(),
            message: format!("expected Kubernetes objects, found {}", type_name(&other)),
        }),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    // serde_json appends " at line L column C"; the position is printed separately.
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn yaml_message(s: &str) -> String {
    let first = s.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures")
            .join(name)
    }

    #[test]
    fn reads_a_kubectl_list() {
        let s = Snapshot::read_files(&[fixture("secure-workspace/solved.json")]).unwrap();
        assert!(
            s.get(
                Kind::ServiceAccount,
                Some("secure-workspace"),
                "secure-runner"
            )
            .is_some()
        );
        assert!(s.get(Kind::Namespace, None, "secure-workspace").is_some());
        assert_eq!(s.list(Kind::Pod, Some("secure-workspace")).count(), 2);
    }

    #[test]
    fn reads_yaml_documents_and_lists() {
        let yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: s\n    namespace: a\n";
        let docs = parse_documents("x.yaml", yaml).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["kind"], "ServiceAccount");
    }

    #[test]
    fn a_cut_json_file_names_file_line_and_column() {
        let err =
            parse_documents("cut.json", "{\n  \"kind\": \"List\",\n  \"items\": [").unwrap_err();
        assert_eq!(err.to_string(), "cut.json:3:12: EOF while parsing a list");
    }

    #[test]
    fn bad_yaml_names_the_position() {
        let err = parse_documents("bad.yaml", "kind: Pod\n  metadata: [\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("bad.yaml:"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn a_scalar_document_is_rejected() {
        let err = parse_documents("n.yaml", "42\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "n.yaml: expected Kubernetes objects, found a number"
        );
    }

    #[test]
    fn missing_and_binary_files() {
        let err = Snapshot::read_files(&["/nonexistent/x.json"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/nonexistent/x.json: cannot read: no such file"
        );
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("b.json");
        std::fs::write(&bin, [0xff, 0xfe, 0x00, 0x01]).unwrap();
        let err = Snapshot::read_files(&[&bin]).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("not a JSON or YAML snapshot: not UTF-8 text")
        );
    }
}
