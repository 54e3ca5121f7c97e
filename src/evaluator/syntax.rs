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
