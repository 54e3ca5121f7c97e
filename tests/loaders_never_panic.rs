//! Arbitrary and mutated input to every loader, and mutated objects to the
//! grader: errors are fine, panics are not.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::Path;

use ckasim::library::{rubric, scenario};
use ckasim::snapshot::{Snapshot, parse_documents};
use proptest::prelude::*;

const SCENARIO: &str = include_str!("../scenarios/secure-workspace.toml");
const RUBRIC: &str = include_str!("../grading/secure-workspace.toml");

fn solved() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/secure-workspace/solved.json"),
    )
    .unwrap()
}

/// One edit of a text: insert, delete, replace a span, or truncate.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    Replace(usize, usize, String),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let piece = prop_oneof![
        Just("\"".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("=".to_string()),
        Just("\n".to_string()),
        Just(":".to_string()),
        Just("- ".to_string()),
        Just("---\n".to_string()),
        Just("&a *a ".to_string()),
        Just("标题".to_string()),
        Just("\u{0}".to_string()),
        "[a-z0-9_.{}\\[\\]\"'=:, \n-]{0,12}",
    ];
    prop_oneof![
        (any::<usize>(), piece.clone()).prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<usize>(), 0usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 0usize..20, piece).prop_map(|(i, n, s)| Edit::Replace(i, n, s)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn boundary(s: &str, i: usize) -> usize {
    let mut i = i % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_string();
    for edit in edits {
        match edit {
            Edit::Insert(at, piece) => {
                let at = boundary(&out, *at);
                out.insert_str(at, piece);
            }
            Edit::Delete(at, len) | Edit::Replace(at, len, _) => {
                let start = boundary(&out, *at);
                let end = boundary(&out, start + len).max(start);
                let with = if let Edit::Replace(_, _, piece) = edit {
                    piece.as_str()
                } else {
                    ""
                };
                out.replace_range(start..end, with);
            }
            Edit::Truncate(at) => {
                let at = boundary(&out, *at);
                out.truncate(at);
            }
        }
    }
    out
}

fn no_assets(_: &str) -> Option<String> {
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn scenario_loader_never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
        let _ = scenario::parse("scenarios/x.toml", &text, &no_assets);
    }

    #[test]
    fn scenario_loader_never_panics_on_mutations(edits in prop::collection::vec(edit(), 1..4)) {
        let text = apply(SCENARIO, &edits);
        if let Err(errors) = scenario::parse("scenarios/secure-workspace.toml", &text, &no_assets) {
            for e in errors {
                // Every error is one line naming the file.
                let line = e.to_string();
                prop_assert!(line.starts_with("scenarios/secure-workspace.toml"), "{}", line);
                prop_assert!(!line.contains('\n'), "{}", line);
            }
        }
    }

    #[test]
    fn rubric_loader_never_panics_on_mutations(edits in prop::collection::vec(edit(), 1..4)) {
        let scen = scenario::parse("scenarios/secure-workspace.toml", SCENARIO, &no_assets).unwrap();
        let text = apply(RUBRIC, &edits);
        if let Err(errors) = rubric::parse("grading/secure-workspace.toml", &text, &scen) {
            for e in errors {
                let line = e.to_string();
                prop_assert!(line.starts_with("grading/secure-workspace.toml"), "{}", line);
                prop_assert!(!line.contains('\n'), "{}", line);
            }
        }
    }

    #[test]
    fn snapshot_reader_never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        let _ = parse_documents("x", &text);
    }

    #[test]
    fn snapshot_reader_and_grader_never_panic_on_mutated_json(edits in prop::collection::vec(edit(), 1..3)) {
        let text = apply(&solved(), &edits);
        grade_whatever_parses(&text);
    }

    #[test]
    fn snapshot_reader_and_grader_never_panic_on_mutated_yaml(edits in prop::collection::vec(edit(), 1..3)) {
        let value: serde_json::Value = serde_json::from_str(&solved()).unwrap();
        let yaml = serde_saphyr::to_string(&value).unwrap();
        let text = apply(&yaml, &edits);
        grade_whatever_parses(&text);
    }
}

fn grade_whatever_parses(text: &str) {
    let Ok(docs) = parse_documents("mutated", text) else {
        return;
    };
    let mut snapshot = Snapshot::default();
    for d in docs {
        let _ = snapshot.insert(d);
    }
    let lib = ckasim::library::Library::builtin().unwrap();
    for entry in lib.entries() {
        let report = ckasim::grade::grade(
            entry,
            &snapshot,
            chrono::Utc::now(),
            ckasim::report::Source::Snapshot { snapshot: vec![] },
        );
        assert!(report.score <= report.max_score);
    }
}

/// Objects whose fields have the wrong types (as a hand-written snapshot
/// might) grade without panicking.
#[test]
fn wrong_types_everywhere_grade_without_panicking() {
    fn paths(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, c) in m {
                    let p = format!("{prefix}/{}", k.replace('~', "~0").replace('/', "~1"));
                    out.push(p.clone());
                    paths(c, &p, out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    let p = format!("{prefix}/{i}");
                    out.push(p.clone());
                    paths(c, &p, out);
                }
            }
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(&solved()).unwrap();
    let replacements = [
        serde_json::json!(null),
        serde_json::json!("text"),
        serde_json::json!(7),
        serde_json::json!([1, "a"]),
        serde_json::json!({"k": 1}),
    ];
    let mut all = Vec::new();
    paths(&value, "", &mut all);
    // Every 7th path (the whole set is slow in debug builds), each replacement.
    for (n, p) in all.iter().enumerate().filter(|(n, _)| n % 7 == 0) {
        let original = value.pointer(p).cloned();
        if p.ends_with("/kind") || p.ends_with("/name") && p.matches('/').count() == 4 {
            continue;
        }
        let r = &replacements[n % replacements.len()];
        if let Some(slot) = value.pointer_mut(p) {
            *slot = r.clone();
        }
        grade_whatever_parses(&value.to_string());
        if let (Some(slot), Some(orig)) = (value.pointer_mut(p), original) {
            *slot = orig;
        }
    }
}
