//! The scenario library: scenarios and their rubrics, loaded and validated
//! together, from the binary or from a directory laid out like the repository.

pub mod addon;
pub mod error;
pub mod rubric;
pub mod scenario;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::LoadError;
pub use rubric::Rubric;
pub use scenario::Scenario;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// A scenario with its rubric.
#[derive(Debug, Clone)]
pub struct Entry {
    pub scenario: Scenario,
    pub rubric: Rubric,
}

impl Entry {
    /// The points of the rubric by the curriculum domain of the tasks they
    /// grade (a criterion of several tasks is shared among them, rounding
    /// down; the remainder goes to its first task), in the curriculum's
    /// order, domains without points left out. A mock exam's weights.
    pub fn domain_points(&self) -> Vec<(scenario::Domain, u32)> {
        let mut points: BTreeMap<scenario::Domain, u32> = BTreeMap::new();
        for c in &self.rubric.criteria {
            let domains: Vec<scenario::Domain> = c
                .tasks
                .iter()
                .map(|t| {
                    self.scenario
                        .task(t)
                        .map_or(self.scenario.domain, |t| t.domain)
                })
                .collect();
            let total = c.max_score();
            let Some(n) = u32::try_from(domains.len()).ok().filter(|&n| n > 0) else {
                *points.entry(self.scenario.domain).or_default() += total;
                continue;
            };
            for (i, d) in domains.iter().enumerate() {
                let share = total / n + if i == 0 { total % n } else { 0 };
                *points.entry(*d).or_default() += share;
            }
        }
        scenario::Domain::ALL
            .into_iter()
            .filter_map(|d| points.get(&d).map(|&p| (d, p)))
            .filter(|&(_, p)| p > 0)
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Library {
    entries: Vec<Entry>,
}

/// The text files of a library, by path relative to its root.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Prefix for messages: empty for the built-in library, the directory otherwise.
    base: Option<PathBuf>,
    files: BTreeMap<String, FileText>,
}

#[derive(Debug, Clone)]
enum FileText {
    Text(String),
    /// Read but not UTF-8, or unreadable: reported when used.
    Unreadable(String),
}

impl Files {
    pub fn builtin() -> Files {
        Files {
            base: None,
            files: builtin::FILES
                .iter()
                .map(|(p, t)| ((*p).to_string(), FileText::Text((*t).to_string())))
                .collect(),
        }
    }

    /// Reads `scenarios/*.toml`, `grading/*.toml` and `assets/**` under `dir`.
    pub fn from_dir(dir: &Path) -> Result<Files, LoadError> {
        if !dir.is_dir() {
            return Err(LoadError::whole_file(
                &dir.display().to_string(),
                "not a directory (expected one with scenarios/ and grading/ inside)",
            ));
        }
        let mut files = Files {
            base: Some(dir.to_path_buf()),
            files: BTreeMap::new(),
        };
        for sub in ["scenarios", "grading", "assets"] {
            files.read_tree(dir, sub);
        }
        Ok(files)
    }

    fn read_tree(&mut self, root: &Path, rel: &str) {
        let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let child = format!("{rel}/{name}");
            if path.is_dir() {
                self.read_tree(root, &child);
                continue;
            }
            let text = match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(s) => FileText::Text(s),
                    Err(_) => FileText::Unreadable("not UTF-8 text".into()),
                },
                Err(e) => FileText::Unreadable(e.to_string()),
            };
            self.files.insert(child, text);
        }
    }

    /// Adds `other`'s files, replacing files with the same path.
    pub fn overlay(&mut self, other: Files) {
        self.files.extend(other.files);
    }

    fn display(&self, rel: &str) -> String {
        match &self.base {
            Some(b) => b.join(rel).display().to_string(),
            None => rel.to_string(),
        }
    }

    fn text(&self, rel: &str) -> Option<&str> {
        match self.files.get(rel)? {
            FileText::Text(t) => Some(t),
            FileText::Unreadable(_) => None,
        }
    }

    fn toml_files<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.files.keys().filter_map(move |k| {
            let rest = k.strip_prefix(dir)?.strip_prefix('/')?;
            let stem = rest.strip_suffix(".toml")?;
            (!stem.contains('/')).then_some((k.as_str(), stem))
        })
    }
}

impl Library {
    /// The scenarios built into the binary.
    pub fn builtin() -> Result<Library, Vec<LoadError>> {
        Library::load(&Files::builtin())
    }

    /// Loads every scenario with its rubric; all problems are returned together.
    pub fn load(files: &Files) -> Result<Library, Vec<LoadError>> {
        let mut errors = Vec::new();
        let mut entries = Vec::new();
        for (path, id) in files.toml_files("scenarios") {
            let shown = files.display(path);
            let Some(source) = files.text(path) else {
                errors.push(unreadable(files, path));
                continue;
            };
            let read_asset = |p: &str| files.text(p).map(str::to_string);
            let scenario = match scenario::parse(&shown, source, &read_asset) {
                Ok(s) => s,
                Err(e) => {
                    errors.extend(e);
                    continue;
                }
            };
            // Setup may create only what the scenario owns: checked here so
            // that `validate` says so before any cluster is touched.
            if let Err(e) = crate::cluster::setup_objects(&scenario) {
                errors.push(match e {
                    crate::cluster::ClusterError::Setup { origin, reason } => {
                        LoadError::whole_file(&origin, reason)
                    }
                    other => LoadError::whole_file(&shown, other.to_string()),
                });
                continue;
            }
            let rubric_path = format!("grading/{id}.toml");
            let Some(rubric_source) = files.text(&rubric_path) else {
                if files.files.contains_key(&rubric_path) {
                    errors.push(unreadable(files, &rubric_path));
                } else {
                    errors.push(LoadError::whole_file(
                        &shown,
                        format!(
                            "scenario '{id}' has no rubric (expected {})",
                            files.display(&rubric_path)
                        ),
                    ));
                }
                continue;
            };
            match rubric::parse(&files.display(&rubric_path), rubric_source, &scenario) {
                Ok(rubric) => entries.push(Entry { scenario, rubric }),
                Err(e) => errors.extend(e),
            }
        }
        for (path, id) in files.toml_files("grading") {
            if !files.files.contains_key(&format!("scenarios/{id}.toml")) {
                errors.push(LoadError::whole_file(
                    &files.display(path),
                    format!(
                        "rubric '{id}' has no scenario (expected {})",
                        files.display(&format!("scenarios/{id}.toml"))
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(Library { entries })
        } else {
            Err(errors)
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every add-on some scenario declares, once each, in a stable order.
    pub fn addons(&self) -> Vec<addon::Addon> {
        let mut addons: Vec<addon::Addon> = self
            .entries
            .iter()
            .flat_map(|e| e.scenario.addons.iter().copied())
            .collect();
        addons.sort();
        addons.dedup();
        addons
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.scenario.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.entries
            .iter()
            .map(|e| e.scenario.id.as_str())
            .collect()
    }
}

fn unreadable(files: &Files, rel: &str) -> LoadError {
    let why = match files.files.get(rel) {
        Some(FileText::Unreadable(why)) => why.clone(),
        _ => "cannot be read".into(),
    };
    LoadError::whole_file(&files.display(rel), why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_library_is_valid() {
        let lib = match Library::builtin() {
            Ok(l) => l,
            Err(errors) => panic!(
                "{}",
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        };
        let ws = lib
            .get("secure-workspace")
            .expect("secure-workspace is built in");
        assert_eq!(ws.rubric.max_score(), 100);
        assert_eq!(ws.scenario.time_limit_minutes(), 35);
    }
}
