//! How the storage, nodes and workloads checks read their rubric values: quantities, words from a
//! closed set, `= true` flags, each problem located at its span.

use super::quantity::Quantity;
use super::{Input, Problem, Verdict};

/// A quantity written in a rubric, located for its error.
pub fn quantity(field: &toml::Spanned<String>) -> Result<Quantity, Problem> {
    field
        .get_ref()
        .parse()
        .map_err(|e: crate::values::quantity::NotAQuantity| {
            Problem::new(field.span(), e.to_string())
        })
}

/// A value that must be one of `allowed`, located for its error.
pub fn one_of(
    field: &toml::Spanned<String>,
    what: &str,
    allowed: &[&str],
) -> Result<String, Problem> {
    let v = field.get_ref();
    if allowed.contains(&v.as_str()) {
        Ok(v.clone())
    } else {
        Err(Problem::new(
            field.span(),
            format!("{what} '{v}' is not one of {}", allowed.join(", ")),
        ))
    }
}

/// A check written `key = true`; `false` would check nothing, and says what to write instead.
pub fn flag(input: &Input<'_>, if_false: &str) -> Result<(), Problem> {
    if input.deserialize::<bool>()? {
        Ok(())
    } else {
        Err(Problem::new(input.span(), if_false))
    }
}

/// The verdict of a check that needs an object and was given none.
pub fn no_object() -> Verdict {
    Verdict::new(false, "no object to judge")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::evaluator::testing;

    /// A TOML basic string holding `s`.
    fn toml_string(s: &str) -> String {
        serde_json::Value::String(s.to_owned()).to_string()
    }

    proptest! {
        /// Whatever string a rubric puts where these checks read a quantity, a taint, a schedule,
        /// a scale target or a closed word, loading answers (a check or located errors) and
        /// never panics.
        #[test]
        fn any_string_value_loads_or_is_located(s in "\\PC{0,24}") {
            let v = toml_string(&s);
            let bodies = [
                format!("target = {{ kind = \"pv\", name = \"p\" }}\nstorage = {{ capacity_at_least = {v} }}"),
                format!("target = {{ kind = \"Node\", name = \"n\" }}\nnode = {{ taints_include = [{v}] }}"),
                format!("target = {{ kind = \"cj\", namespace = \"a\", name = \"c\" }}\ncronjob = {{ schedule = {v} }}"),
                format!("target = {{ kind = \"hpa\", namespace = \"a\", name = \"h\" }}\nhpa = {{ target = {v}, memory_average = {v} }}"),
                format!("target = {{ kind = \"pc\", name = \"p\" }}\npriority = {{ preemption_policy = {v} }}"),
                format!("default_storage_class = {v}"),
            ];
            for body in bodies {
                if let Err(errors) = testing::check(&["a"], &body) {
                    prop_assert!(errors.iter().all(|e| e.starts_with("grading/t.toml:")), "{errors:?}");
                }
            }
        }
    }
}
