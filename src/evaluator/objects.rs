//! What the storage, nodes and workloads evaluators read of plain objects (`kubectl get -o json`
//! values): fields by JSON pointer, metadata, conditions, the controller reference; and how their
//! verdicts combine and list things in words.

use serde_json::Value;

use super::Verdict;
use crate::kind::Kind;
use crate::snapshot::Snapshot;

/// A verdict that holds when every part holds; its words are the parts' words, failures first
/// so that a report shows what is wrong before what is right.
pub fn all(parts: &[Verdict]) -> Verdict {
    all_joined(parts, "; ")
}

/// [`all`] with the parts' words joined by `separator`.
pub fn all_joined(parts: &[Verdict], separator: &str) -> Verdict {
    let found = parts
        .iter()
        .filter(|p| !p.pass)
        .chain(parts.iter().filter(|p| p.pass))
        .map(|p| p.found.as_str())
        .collect::<Vec<_>>()
        .join(separator);
    Verdict::new(parts.iter().all(|p| p.pass), found)
}

/// The string at a JSON pointer, if it is one.
pub(crate) fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// `metadata.name`, or `?` for an object without one.
pub(crate) fn name(v: &Value) -> &str {
    str_at(v, "/metadata/name").unwrap_or("?")
}

/// `metadata.namespace`, or `""` for a cluster-scoped object.
pub(crate) fn namespace(v: &Value) -> &str {
    str_at(v, "/metadata/namespace").unwrap_or("")
}

/// `namespace/name` of a namespaced object, `name` of a cluster-scoped one.
pub(crate) fn qualified(v: &Value) -> String {
    match namespace(v) {
        "" => name(v).to_owned(),
        ns => format!("{ns}/{}", name(v)),
    }
}

/// The annotation `key` of an object.
pub(crate) fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// The label `key` of an object.
pub(crate) fn label<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/labels")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// The array at a JSON pointer, empty when absent.
pub(crate) fn array_at<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The `status` of the condition `kind` (`True`, `False`, `Unknown`), if reported.
pub(crate) fn condition<'a>(v: &'a Value, kind: &str) -> Option<&'a str> {
    array_at(v, "/status/conditions")
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
}

/// The controller owner reference (`controller: true`) of an object, as (kind, name, uid).
pub(crate) fn controller_of(v: &Value) -> Option<(&str, &str, Option<&str>)> {
    array_at(v, "/metadata/ownerReferences")
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .map(|o| {
            (
                o.get("kind").and_then(Value::as_str).unwrap_or(""),
                o.get("name").and_then(Value::as_str).unwrap_or(""),
                o.get("uid").and_then(Value::as_str),
            )
        })
}

/// A list in words: `'a', 'b'`, or `none`.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(|s| format!("'{}'", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The values of the objects of a list in the snapshot.
pub fn values<'a>(
    snapshot: &'a Snapshot,
    kind: Kind,
    namespace: Option<&str>,
) -> Vec<&'a serde_json::Value> {
    snapshot.list(kind, namespace).map(|o| &o.value).collect()
}

/// `kubectl get … -o yaml` of a check's target: the whole object, for checks that read many of
/// its fields.
pub fn yaml_of(target: Option<&super::Get<'_>>) -> String {
    target.map_or_else(String::new, |get| format!("{} -o yaml", get.command))
}
