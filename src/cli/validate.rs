//! `ckasim validate`

use std::path::Path;

/// Every problem of the chosen library, one per line; `Ok` with a summary
/// when there are none.
pub fn run(dir: Option<&Path>) -> Result<String, Vec<String>> {
    match super::load_library(dir) {
        Ok(lib) => {
            let checks: usize = lib
                .entries()
                .iter()
                .map(|e| {
                    e.rubric
                        .criteria
                        .iter()
                        .map(|c| c.checks.len())
                        .sum::<usize>()
                })
                .sum();
            Ok(format!(
                "ok: {} scenario(s), {} check(s)\n",
                lib.entries().len(),
                checks
            ))
        }
        Err(errors) => Err(errors.iter().map(ToString::to_string).collect()),
    }
}
