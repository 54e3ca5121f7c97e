//! A snapshot written with Secret values redacted grades exactly like the
//! original, yet holds no value in clear nor in base64.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::Path;

use base64::Engine as _;
use ckasim::library::Library;
use ckasim::report::Source;
use ckasim::snapshot::Snapshot;

#[test]
fn redacted_snapshot_grades_the_same_and_hides_every_secret_value() {
    // The solved capture, with what its pods' observation commands printed.
    let solved = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/secure-workspace/solved.json");
    let original_text = std::fs::read_to_string(&solved).unwrap();
    let original = Snapshot::read_files(&[&solved]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let redacted_path = dir.path().join("redacted.json");
    std::fs::write(
        &redacted_path,
        serde_json::to_vec_pretty(&original.to_redacted_list()).unwrap(),
    )
    .unwrap();
    let redacted_text = std::fs::read_to_string(&redacted_path).unwrap();
    let redacted = Snapshot::read_files(&[&redacted_path]).unwrap();

    let lib = Library::builtin().unwrap();
    let entry = lib.get("secure-workspace").unwrap();
    let at = chrono::Utc::now();
    let source = Source::Snapshot { snapshot: vec![] };
    let a = ckasim::grade::grade(entry, &original, at, source.clone());
    let b = ckasim::grade::grade(entry, &redacted, at, source);
    assert_eq!(a, b);
    assert_eq!(b.score, 100);

    // Every value of every Secret in the original is gone from the redacted file.
    let value: serde_json::Value = serde_json::from_str(&original_text).unwrap();
    let mut secrets = 0;
    for item in value["items"].as_array().unwrap() {
        if item["kind"] != "Secret" {
            continue;
        }
        for (key, v) in item["data"].as_object().unwrap() {
            let b64 = v.as_str().unwrap();
            let clear = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            assert!(!redacted_text.contains(b64), "base64 of {key} leaked");
            // The token Secret's `namespace` value is the namespace's name, printed everywhere.
            if let (Ok(clear), false) = (String::from_utf8(clear), key == "namespace")
                && clear.len() > 6
            {
                assert!(!redacted_text.contains(&clear), "{key} leaked in clear");
            }
            secrets += 1;
        }
    }
    assert!(
        secrets >= 7,
        "the fixture has token, ca.crt, namespace and docker config values"
    );
    for needle in [
        "ci-token-123",
        "ci-bot:ci-token-123",
        "Y2ktYm90OmNpLXRva2VuLTEyMw==",
    ] {
        assert!(!redacted_text.contains(needle), "{needle} leaked");
    }
}
