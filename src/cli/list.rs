//! `ckasim list`

use std::fmt::Write as _;

use serde::Serialize;

use super::ListFormat;
use crate::library::Library;

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    title: &'a str,
    domain: crate::library::scenario::Domain,
    difficulty: crate::library::scenario::Difficulty,
    time_limit_minutes: u64,
    max_score: u32,
    tasks: Vec<TaskItem<'a>>,
}

#[derive(Serialize)]
struct TaskItem<'a> {
    id: &'a str,
    title: &'a str,
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
                let _ = writeln!(
                    out,
                    "{:<id_w$}  {:<8} {:>4}m {:>6} {:>5}  {} ({})",
                    s.id,
                    s.difficulty.to_string(),
                    s.time_limit_minutes(),
                    e.rubric.max_score(),
                    s.tasks.len(),
                    s.title.en,
                    s.domain
                );
            }
            out
        }
    }
}
