//! Values compared by meaning, for `field` checks and for evaluators:
//! quantities (`1Gi` = `1024Mi`), durations (`90s` = `1m30s`), label sets
//! (a map whatever its order), label selectors (JSON or string form), and
//! ports by number or name. Pure.

pub mod duration;
pub mod port;
pub mod quantity;
pub mod selector;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

pub use duration::Duration;
pub use port::Port;
pub use quantity::Quantity;
pub use selector::{Labels, Selector, labels_from_json};

/// How a field's value and the expected one are read before comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// As JSON: numbers by value, text by text.
    Plain,
    Quantity,
    Duration,
    Labels,
    Selector,
    Port,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    AtLeast,
    AtMost,
    GreaterThan,
    LessThan,
    /// Text contains, list has, label set includes.
    Contains,
    /// A selector selects the expected labels.
    Selects,
}

impl Op {
    /// The rubric key that writes this comparison.
    pub fn key(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::AtLeast => "at_least",
            Op::AtMost => "at_most",
            Op::GreaterThan => "greater_than",
            Op::LessThan => "less_than",
            Op::Contains => "contains",
            Op::Selects => "selects",
        }
    }

    /// How a description says it: `=`, `>=`, `selects`.
    pub fn words(self) -> &'static str {
        match self {
            Op::Equals => "=",
            Op::AtLeast => ">=",
            Op::AtMost => "<=",
            Op::GreaterThan => ">",
            Op::LessThan => "<",
            Op::Contains => "contains",
            Op::Selects => "selects",
        }
    }

    fn ordering(self) -> bool {
        matches!(
            self,
            Op::AtLeast | Op::AtMost | Op::GreaterThan | Op::LessThan
        )
    }

    fn holds<T: PartialOrd>(self, have: &T, want: &T) -> bool {
        match self {
            Op::Equals => have == want,
            Op::AtLeast => have >= want,
            Op::AtMost => have <= want,
            Op::GreaterThan => have > want,
            Op::LessThan => have < want,
            Op::Contains | Op::Selects => false,
        }
    }
}

impl FromStr for Meaning {
    type Err = String;

    fn from_str(s: &str) -> Result<Meaning, String> {
        Ok(match s {
            "quantity" => Meaning::Quantity,
            "duration" => Meaning::Duration,
            "labels" => Meaning::Labels,
            "selector" => Meaning::Selector,
            "port" => Meaning::Port,
            other => {
                return Err(format!(
                    "as = '{other}' is not one of quantity, duration, labels, selector, port"
                ));
            }
        })
    }
}

impl fmt::Display for Meaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Meaning::Plain => "value",
            Meaning::Quantity => "quantity",
            Meaning::Duration => "duration",
            Meaning::Labels => "labels",
            Meaning::Selector => "selector",
            Meaning::Port => "port",
        })
    }
}

impl Meaning {
    /// Whether `op` compares values of this meaning.
    pub fn supports(self, op: Op) -> bool {
        match self {
            Meaning::Plain => op != Op::Selects,
            Meaning::Quantity | Meaning::Duration => op == Op::Equals || op.ordering(),
            Meaning::Labels => matches!(op, Op::Equals | Op::Contains),
            Meaning::Selector => matches!(op, Op::Equals | Op::Selects),
            Meaning::Port => op == Op::Equals,
        }
    }

    /// Checks an expected value a rubric gives for `op` (what `validate`
    /// rejects). For `selects` the expected value is a label set.
    pub fn check(self, op: Op, want: &Value) -> Result<(), String> {
        match (self, op) {
            (Meaning::Selector, Op::Selects) | (Meaning::Labels, _) => {
                labels_from_json(want).map(drop)
            }
            (Meaning::Plain, _) if op.ordering() => number(want).map(drop).ok_or_else(|| {
                format!("needs a number (or as = 'quantity' / 'duration'), not {want}")
            }),
            (Meaning::Plain, _) => Ok(()),
            (Meaning::Quantity, _) => Quantity::from_json(want)
                .map(drop)
                .map_err(|e| e.to_string()),
            (Meaning::Duration, _) => Duration::from_json(want)
                .map(drop)
                .map_err(|e| e.to_string()),
            (Meaning::Selector, _) => Selector::from_json(want).map(drop),
            (Meaning::Port, _) => Port::from_json(want).map(drop),
        }
    }

    /// Whether `have` (a value found) stands in relation `op` to `want`.
    /// `Err` says why `have` cannot be read with this meaning.
    pub fn compare(self, op: Op, have: &Value, want: &Value) -> Result<bool, String> {
        match self {
            Meaning::Plain => Ok(match op {
                Op::Equals => json_eq(have, want),
                Op::Contains => match (have, want) {
                    (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
                    (Value::Array(items), _) => items.iter().any(|i| json_eq(i, want)),
                    (Value::Object(map), Value::String(k)) => map.contains_key(k),
                    _ => false,
                },
                Op::Selects => false,
                _ => match (number(have), number(want)) {
                    (Some(h), Some(w)) => op.holds(&h, &w),
                    _ => return Err(format!("{} is not a number", render(have))),
                },
            }),
            Meaning::Quantity => {
                let h = Quantity::from_json(have).map_err(|e| e.to_string())?;
                let w = Quantity::from_json(want).map_err(|e| e.to_string())?;
                Ok(op.holds(&h, &w))
            }
            Meaning::Duration => {
                let h = Duration::from_json(have).map_err(|e| e.to_string())?;
                let w = Duration::from_json(want).map_err(|e| e.to_string())?;
                Ok(op.holds(&h, &w))
            }
            Meaning::Labels => {
                let h = labels_from_json(have)?;
                let w = labels_from_json(want)?;
                Ok(match op {
                    Op::Contains => w.iter().all(|(k, v)| h.get(k) == Some(v)),
                    _ => h == w,
                })
            }
            Meaning::Selector => {
                let h = Selector::from_json(have)?;
                Ok(match op {
                    Op::Selects => h.matches(&labels_from_json(want)?),
                    _ => h == Selector::from_json(want)?,
                })
            }
            Meaning::Port => Ok(Port::from_json(have)? == Port::from_json(want)?),
        }
    }
}

/// JSON equality with numbers by value (`1` = `1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A number, or text that is one.
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A value as a report shows it: text without quotes, the rest as JSON.
pub fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    #[allow(clippy::many_single_char_names)] // one letter per meaning
    fn compares_by_meaning() {
        let q = Meaning::Quantity;
        assert_eq!(
            q.compare(Op::Equals, &json!("1Gi"), &json!("1024Mi")),
            Ok(true)
        );
        assert_eq!(
            q.compare(Op::AtLeast, &json!("500m"), &json!(0.5)),
            Ok(true)
        );
        assert_eq!(
            q.compare(Op::GreaterThan, &json!("500m"), &json!("0.5")),
            Ok(false)
        );
        assert!(q.compare(Op::Equals, &json!("lots"), &json!("1")).is_err());
        let d = Meaning::Duration;
        assert_eq!(
            d.compare(Op::Equals, &json!("90s"), &json!("1m30s")),
            Ok(true)
        );
        assert_eq!(d.compare(Op::AtMost, &json!(30), &json!("1m")), Ok(true));
        let l = Meaning::Labels;
        assert_eq!(
            l.compare(Op::Equals, &json!({"b": "2", "a": "1"}), &json!("a=1,b=2")),
            Ok(true)
        );
        assert_eq!(
            l.compare(
                Op::Contains,
                &json!({"b": "2", "a": "1"}),
                &json!({"a": "1"})
            ),
            Ok(true)
        );
        assert_eq!(
            l.compare(Op::Equals, &json!({"b": "2", "a": "1"}), &json!({"a": "1"})),
            Ok(false)
        );
        let s = Meaning::Selector;
        assert_eq!(
            s.compare(
                Op::Equals,
                &json!({"matchLabels": {"app": "web"}}),
                &json!("app=web")
            ),
            Ok(true)
        );
        assert_eq!(
            s.compare(
                Op::Selects,
                &json!({"app": "web"}),
                &json!({"app": "web", "pod-template-hash": "x"})
            ),
            Ok(true)
        );
        assert_eq!(
            s.compare(Op::Selects, &json!({"app": "web"}), &json!({"app": "api"})),
            Ok(false)
        );
        let p = Meaning::Port;
        assert_eq!(
            p.compare(Op::Equals, &json!("8080"), &json!(8080)),
            Ok(true)
        );
        assert_eq!(p.compare(Op::Equals, &json!("http"), &json!(80)), Ok(false));
        assert_eq!(
            Meaning::Plain.compare(Op::GreaterThan, &json!(1000), &json!("999")),
            Ok(true)
        );
    }

    #[test]
    fn validation_names_what_is_wrong() {
        assert_eq!(
            Meaning::Quantity.check(Op::Equals, &json!("1GB")),
            Err("'1GB' is not a quantity (a number with an optional suffix: Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3)".into())
        );
        assert!(Meaning::Duration.check(Op::AtMost, &json!("1d")).is_err());
        assert!(Meaning::Plain.check(Op::AtLeast, &json!("many")).is_err());
        assert!(
            Meaning::Selector
                .check(Op::Selects, &json!({"app": "web"}))
                .is_ok()
        );
        assert!(!Meaning::Labels.supports(Op::AtLeast));
        assert_eq!(
            "size".parse::<Meaning>(),
            Err("as = 'size' is not one of quantity, duration, labels, selector, port".into())
        );
    }
}
