//! The built-in library, for the tests of its scenarios.

use serde_json::Value;

use ckasim::library::{Entry, Library};
use ckasim::snapshot::parse_documents;

/// The built-in library; every load error is listed when it is invalid.
pub fn library() -> Library {
    match Library::builtin() {
        Ok(lib) => lib,
        Err(errors) => panic!(
            "the built-in library is invalid:\n{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// The built-in scenario `id`.
pub fn entry<'a>(lib: &'a Library, id: &str) -> &'a Entry {
    lib.get(id)
        .unwrap_or_else(|| panic!("scenario '{id}' is not built in"))
}

/// The objects the setup of `entry` creates outside the scenario's namespaces, described.
pub fn setup_outside_namespaces(entry: &Entry) -> Vec<String> {
    let s = &entry.scenario;
    let mut outside = Vec::new();
    for manifest in &s.setup {
        let docs = parse_documents(&manifest.origin, &manifest.yaml)
            .unwrap_or_else(|e| panic!("{}: {e}", s.id));
        for doc in docs {
            let kind = doc["kind"].as_str().unwrap_or_default();
            let ns = if kind == "Namespace" {
                doc.pointer("/metadata/name")
            } else {
                doc.pointer("/metadata/namespace")
            };
            let ns = ns.and_then(Value::as_str).unwrap_or("(none)");
            if !s.namespaces.iter().any(|n| n == ns) {
                outside.push(format!(
                    "{}: {kind} in namespace '{ns}', not one of {:?}",
                    s.id, s.namespaces
                ));
            }
        }
    }
    outside
}
