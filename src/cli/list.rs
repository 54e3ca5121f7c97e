//! `ckasim list`

use std::fmt::Write as _;

use serde::Serialize;

use super::ListFormat;
use std::collections::BTreeMap;

use crate::library::Library;
use crate::library::addon::Addon;
use crate::library::scenario::Domain;

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    title: &'a str,
    domain: crate::library::scenario::Domain,
    /// A full mock exam, its tasks in several domains.
    mock: bool,
    /// Points by the domain of the tasks they grade.
    domain_points: BTreeMap<Domain, u32>,
    /// What the scenario needs beyond a plain kind cluster.
    addons: &'a [Addon],
    difficulty: crate::library::scenario::Difficulty,
    time_limit_minutes: u64,
    max_score: u32,
    tasks: Vec<TaskItem<'a>>,
}

#[derive(Serialize)]
struct TaskItem<'a> {
    id: &'a str,
    title: &'a str,
    domain: Domain,
    /// What the rubric's criteria covering the task are worth.
    points: u32,
}

pub fn render(lib: &Library, format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let items: Vec<Item> = lib
                .entries()
                .iter()
                .map(|e| Item {
                    id: &e.scenario.id,
                    title: &e.scenario.title.en,
                    domain: e.scenario.domain,
                    mock: e.scenario.mock,
                    domain_points: e.domain_points().into_iter().collect(),
                    addons: &e.scenario.addons,
                    difficulty: e.scenario.difficulty,
                    time_limit_minutes: e.scenario.time_limit_minutes(),
                    max_score: e.rubric.max_score(),
                    tasks: e
                        .scenario
                        .tasks
                        .iter()
                        .map(|t| TaskItem {
                            id: &t.id,
                            title: &t.title.en,
                            domain: t.domain,
                            points: e
                                .rubric
                                .criteria
                                .iter()
                                .filter(|c| c.tasks.contains(&t.id))
                                .map(crate::library::rubric::Criterion::max_score)
                                .sum(),
                        })
                        .collect(),
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
            s.push('\n');
            s
        }
        ListFormat::Text => {
            let id_w = lib
                .entries()
                .iter()
                .map(|e| e.scenario.id.len())
                .max()
                .unwrap_or(2)
                .max(2);
            let mut out = format!(
                "{:<id_w$}  {:<8} {:>5} {:>6} {:>5}  {}\n",
                "ID", "LEVEL", "TIME", "POINTS", "TASKS", "TITLE"
            );
            for e in lib.entries() {
                let s = &e.scenario;
                let domain = if s.mock {
                    let weights: Vec<String> = e
                        .domain_points()
                        .into_iter()
                        .map(|(d, p)| format!("{} {p}", d.code()))
                        .collect();
                    format!("mock exam: {}", weights.join(" · "))
                } else {
                    s.domain.to_string()
                };
                let needs = if s.addons.is_empty() {
                    String::new()
                } else {
                    let names: Vec<&str> = s.addons.iter().map(|a| a.id()).collect();
                    format!(" · needs {}", names.join(", "))
                };
                let _ = writeln!(
                    out,
                    "{:<id_w$}  {:<8} {:>4}m {:>6} {:>5}  {} ({domain}){needs}",
                    s.id,
                    s.difficulty.to_string(),
                    s.time_limit_minutes(),
                    e.rubric.max_score(),
                    s.tasks.len(),
                    s.title.en,
                );
            }
            out
        }
    }
}
