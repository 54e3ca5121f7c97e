//! Embeds the built-in scenario library (scenarios/, grading/, assets/setup/)
//! into the binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn collect(root: &Path, dir: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let rel = format!("{dir}/{name}");
        if path.is_dir() {
            collect(root, &rel, out);
        } else if Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| {
                ["toml", "yaml", "yml"]
                    .iter()
                    .any(|x| e.eq_ignore_ascii_case(x))
            })
        {
            out.push((rel, path));
        }
    }
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let mut files = Vec::new();
    for dir in ["scenarios", "grading", "assets/setup"] {
        // A path that does not exist makes cargo rerun this script on every
        // build: watch the nearest directory that does.
        let watched = Path::new(dir)
            .ancestors()
            .find(|a| !a.as_os_str().is_empty() && root.join(a).exists())
            .unwrap_or(Path::new("build.rs"));
        println!("cargo:rerun-if-changed={}", watched.display());
        collect(&root, dir, &mut files);
    }
    files.sort();
    let mut code = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for (rel, path) in &files {
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("builtin.rs");
    if let Err(e) = fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
