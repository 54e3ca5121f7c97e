//! kubectl's `-o jsonpath` expressions, parsed once and evaluated against `serde_json::Value`.
//! A rubric addresses one field, it does not format output, so a template is exactly one
//! expression: `range`/`end` and literal text are rejected instead of being silently dropped.

use std::cmp::Ordering;
use std::fmt;
use std::mem::discriminant;
use std::num::NonZeroUsize;
use std::str::FromStr;

use serde_json::{Number, Value};

/// Filters may nest (`[?(@.ports[?(@.port==80)])]`); the cap bounds recursion on hostile input.
const MAX_FILTER_DEPTH: usize = 16;

/// A parsed kubectl `-o jsonpath` expression such as `{.spec.template.spec.containers[*].image}`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    src: String,
    segments: Vec<Segment>,
}

/// Why an expression was rejected, with the byte offset into the source where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonPathError {
    pub offset: usize,
    pub message: String,
}

type Result<T> = std::result::Result<T, JsonPathError>;

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Child(Selector),
    /// `..x`: the selector applied to the node and to every node below it.
    Descendant(Selector),
}

#[derive(Debug, Clone, PartialEq)]
enum Selector {
    Name(String),
    Wildcard,
    Index(i64),
    /// Start, end and step of `[start:end:step]`.
    Slice(Option<i64>, Option<i64>, NonZeroUsize),
    /// Members are only names, indices and slices, so unions never nest.
    Union(Vec<Selector>),
    /// Disjunctive form: `&&` binds tighter than `||`, and there is no grouping.
    Filter(Vec<Vec<Condition>>),
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Exists(Operand),
    Compare(Operand, Op, Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Two-character operators first, so `<=` is not read as `<` followed by `=`.
const OPERATORS: [(&str, Op); 6] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("<", Op::Lt),
    (">", Op::Gt),
];

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    /// Relative to the element (`@`) or to the document (`$`).
    Path {
        from_root: bool,
        segments: Vec<Segment>,
    },
    Literal(Value),
}

impl JsonPath {
    /// Parses one kubectl `-o jsonpath` expression, with or without the surrounding braces.
    /// # Errors
    /// A [`JsonPathError`] naming the first problem and its byte offset in `src`.
    pub fn parse(src: &str) -> Result<JsonPath> {
        let mut p = Parser {
            src,
            pos: 0,
            depth: 0,
        };
        p.skip_ws();
        let open = p.pos;
        let braced = p.eat('{');
        if !braced
            && let Some(brace) = src.find('{')
            && src.trim_end().ends_with('}')
        {
            let text = src.get(..brace).unwrap_or_default().trim();
            return fail(
                open,
                format!("unexpected text '{text}' before '{{' in JSONPath"),
            );
        }
        p.skip_ws();
        let segments = p.expression()?;
        p.skip_ws();
        if braced {
            if p.peek().is_none() {
                return fail(open, "unclosed '{' in JSONPath");
            }
            if !p.eat('}') {
                return p.unexpected();
            }
            p.skip_ws();
            let text = p.rest().trim_end();
            if text.starts_with('{') {
                return fail(p.pos, "only one '{...}' expression is allowed in JSONPath");
            } else if !text.is_empty() {
                return fail(
                    p.pos,
                    format!("unexpected text '{text}' after '}}' in JSONPath"),
                );
            }
        } else if p.peek().is_some() {
            return p.unexpected();
        }
        Ok(JsonPath {
            src: src.to_owned(),
            segments,
        })
    }

    /// Every node the expression selects, in document order, as kubectl prints them (missing
    /// keys and out-of-range indices select nothing rather than failing).
    #[must_use]
    pub fn eval<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        select_all(&self.segments, root, root)
    }

    /// The source text exactly as given to [`JsonPath::parse`].
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.src
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.src)
    }
}

impl FromStr for JsonPath {
    type Err = JsonPathError;

    fn from_str(src: &str) -> Result<JsonPath> {
        JsonPath::parse(src)
    }
}

fn fail<T>(offset: usize, message: impl Into<String>) -> Result<T> {
    Err(JsonPathError {
        offset,
        message: message.into(),
    })
}

/// Characters of a field name after `.`; anything else needs `\` or the `['...']` form.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '/')
}

struct Parser<'s> {
    src: &'s str,
    pos: usize,
    depth: usize,
}

impl<'s> Parser<'s> {
    fn rest(&self) -> &'s str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        self.eat_str(c.encode_utf8(&mut [0; 4]))
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn word(&self) -> String {
        self.rest()
            .chars()
            .take_while(|&c| is_name_char(c))
            .collect()
    }

    fn unexpected<T>(&self) -> Result<T> {
        match self.peek() {
            Some(c) => fail(self.pos, format!("unexpected character '{c}' in JSONPath")),
            None => fail(self.pos, "unexpected end of JSONPath"),
        }
    }

    /// Consumes `close`, or blames the opener when the input ends or another bracket closes
    /// first, since that is where the user has to look.
    fn close(&mut self, open: usize, close: char, message: &str) -> Result<()> {
        if self.eat(close) {
            Ok(())
        } else if matches!(self.peek(), None | Some('}' | ']' | ')')) {
            fail(open, message)
        } else {
            self.unexpected()
        }
    }

    fn expression(&mut self) -> Result<Vec<Segment>> {
        let start = self.pos;
        if self.eat('$') {
            return self.segments();
        }
        let mut ahead = self.rest().chars();
        match (ahead.next(), ahead.next()) {
            (None | Some('}'), _) => return fail(start, "empty JSONPath expression"),
            // kubectl's `{.}` is the whole object.
            (Some('.'), next) if next.is_none_or(|c| c == '}' || c.is_whitespace()) => {
                self.bump();
                return Ok(Vec::new());
            }
            (Some(c), _) if is_name_char(c) => {
                let word = self.word();
                let message = match word.as_str() {
                    "range" | "end" => format!("'{word}' blocks are not supported; use '[*]'"),
                    _ => format!("expected '.' before field name '{word}'"),
                };
                return fail(start, message);
            }
            _ => {}
        }
        let segments = self.segments()?;
        if segments.is_empty() {
            return self.unexpected();
        }
        Ok(segments)
    }

    fn segments(&mut self) -> Result<Vec<Segment>> {
        let mut segments = Vec::new();
        loop {
            segments.push(match self.peek() {
                Some('.') if self.eat_str("..") => Segment::Descendant(self.dotted("..")?),
                Some('.') => {
                    self.bump();
                    Segment::Child(self.dotted(".")?)
                }
                Some('[') => Segment::Child(self.bracket()?),
                _ => return Ok(segments),
            });
        }
    }

    /// What follows `.` or `..`: a field name, `*`, or (after `..` only) a bracket.
    fn dotted(&mut self, dots: &str) -> Result<Selector> {
        if self.eat('*') {
            return Ok(Selector::Wildcard);
        }
        if dots == ".." && self.peek() == Some('[') {
            return self.bracket();
        }
        let mut name = String::new();
        loop {
            match self.peek() {
                // kubectl's `\.`: the backslash makes the next character part of the name.
                Some('\\') => {
                    let at = self.pos;
                    self.bump();
                    let Some(c) = self.bump() else {
                        return fail(at, "nothing to escape after '\\' in JSONPath");
                    };
                    name.push(c);
                }
                Some(c) if is_name_char(c) => {
                    self.bump();
                    name.push(c);
                }
                _ if !name.is_empty() => return Ok(Selector::Name(name)),
                _ if dots == ".." => {
                    return fail(self.pos, "expected a field name, '*' or '[' after '..'");
                }
                _ => return fail(self.pos, "expected a field name after '.'"),
            }
        }
    }

    fn bracket(&mut self) -> Result<Selector> {
        let open = self.pos;
        self.bump();
        self.skip_ws();
        let selector = if self.eat('?') {
            self.filter()?
        } else if self.eat('*') {
            Selector::Wildcard
        } else {
            let mut members = vec![self.union_member(open)?];
            while {
                self.skip_ws();
                self.eat(',')
            } {
                self.skip_ws();
                members.push(self.union_member(open)?);
            }
            match <[Selector; 1]>::try_from(members) {
                Ok([only]) => only,
                Err(members) => Selector::Union(members),
            }
        };
        self.skip_ws();
        self.close(open, ']', "unclosed '[' in JSONPath")?;
        Ok(selector)
    }

    fn union_member(&mut self, open: usize) -> Result<Selector> {
        match self.peek() {
            Some(quote @ ('\'' | '"')) => Ok(Selector::Name(self.string(quote)?)),
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.index_or_slice(),
            Some(c) if is_name_char(c) => {
                let word = self.word();
                fail(
                    self.pos,
                    format!("unquoted name '{word}' in '[]'; write ['{word}']"),
                )
            }
            Some(']') => fail(
                self.pos,
                "expected an index, a name, '*' or a filter in '[]'",
            ),
            None | Some('}') => fail(open, "unclosed '[' in JSONPath"),
            Some(_) => self.unexpected(),
        }
    }

    fn index_or_slice(&mut self) -> Result<Selector> {
        let start = self.integer()?;
        self.skip_ws();
        if !self.eat(':') {
            return start.map_or_else(|| self.unexpected(), |index| Ok(Selector::Index(index)));
        }
        self.skip_ws();
        let end = self.integer()?;
        self.skip_ws();
        let mut step = NonZeroUsize::MIN;
        if self.eat(':') {
            self.skip_ws();
            let at = self.pos;
            if let Some(n) = self.integer()? {
                // kubectl rejects a zero or negative step too; reversing is not worth supporting.
                step = match usize::try_from(n).ok().and_then(NonZeroUsize::new) {
                    Some(step) => step,
                    None => return fail(at, format!("slice step must be above 0, got '{n}'")),
                };
            }
        }
        Ok(Selector::Slice(start, end, step))
    }

    fn integer(&mut self) -> Result<Option<i64>> {
        let start = self.pos;
        self.eat('-');
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        match self.src.get(start..self.pos).unwrap_or_default() {
            "" => Ok(None),
            "-" => fail(start, "expected a number after '-' in JSONPath"),
            text => match text.parse() {
                Ok(n) => Ok(Some(n)),
                Err(_) => fail(start, format!("index '{text}' is out of range")),
            },
        }
    }

    fn string(&mut self, quote: char) -> Result<String> {
        let open = self.pos;
        self.bump();
        let mut text = String::new();
        loop {
            match self.bump() {
                Some(c) if c == quote => return Ok(text),
                Some('\\') if self.peek().is_some() => text.extend(self.bump()),
                Some(c) => text.push(c),
                None => {
                    return fail(
                        open,
                        format!("unclosed string, missing its closing {quote}"),
                    );
                }
            }
        }
    }

    fn filter(&mut self) -> Result<Selector> {
        self.skip_ws();
        let open = self.pos;
        if !self.eat('(') {
            return fail(open, "expected '(' after '?', as in [?(@.name=='x')]");
        }
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return fail(
                open,
                format!("JSONPath filters nest more than {MAX_FILTER_DEPTH} deep"),
            );
        }
        let mut any_of = Vec::new();
        loop {
            let mut all_of = vec![self.condition(open)?];
            while self.logical('&')? {
                all_of.push(self.condition(open)?);
            }
            any_of.push(all_of);
            if !self.logical('|')? {
                break;
            }
        }
        self.close(open, ')', "unclosed '(' in JSONPath filter")?;
        self.depth -= 1;
        Ok(Selector::Filter(any_of))
    }

    /// Eats `&&` or `||`; a single `&` or `|` is a likely typo worth naming.
    fn logical(&mut self, c: char) -> Result<bool> {
        self.skip_ws();
        let doubled = format!("{c}{c}");
        if self.eat_str(&doubled) {
            Ok(true)
        } else if self.peek() == Some(c) {
            fail(
                self.pos,
                format!("use '{doubled}' to combine conditions in JSONPath filters"),
            )
        } else {
            Ok(false)
        }
    }

    fn condition(&mut self, open: usize) -> Result<Condition> {
        self.skip_ws();
        let start = self.pos;
        let left = self.operand(open)?;
        self.skip_ws();
        let Some(&(_, op)) = OPERATORS.iter().find(|(text, _)| self.eat_str(text)) else {
            return match left {
                _ if self.peek() == Some('=') => {
                    fail(self.pos, "use '==' to compare in JSONPath filters")
                }
                Operand::Path { .. } => Ok(Condition::Exists(left)),
                Operand::Literal(_) => fail(start, "a filter needs a path such as '@.name' here"),
            };
        };
        self.skip_ws();
        Ok(Condition::Compare(left, op, self.operand(open)?))
    }

    fn operand(&mut self, open: usize) -> Result<Operand> {
        let start = self.pos;
        let literal = match self.peek() {
            Some(c @ ('@' | '$')) => {
                self.bump();
                let segments = self.segments()?;
                return Ok(Operand::Path {
                    from_root: c == '$',
                    segments,
                });
            }
            Some(quote @ ('\'' | '"')) => Value::String(self.string(quote)?),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                self.bump();
                let number = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-');
                while self.peek().is_some_and(number) {
                    self.bump();
                }
                let text = self.src.get(start..self.pos).unwrap_or_default();
                // serde_json's own grammar, so literals compare exactly like document numbers.
                match serde_json::from_str::<Number>(text) {
                    Ok(n) => Value::Number(n),
                    Err(_) => return fail(start, format!("invalid number '{text}' in filter")),
                }
            }
            Some(c) if is_name_char(c) => {
                let word = self.word();
                let value = match word.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => return fail(start, format!("unquoted text '{word}'; write '{word}'")),
                };
                self.pos += word.len();
                value
            }
            None | Some('}') => return fail(open, "unclosed '(' in JSONPath filter"),
            Some(')' | ']' | '&' | '|') => {
                return fail(start, "expected a path such as '@.name' or a value");
            }
            Some(_) => return self.unexpected(),
        };
        Ok(Operand::Literal(literal))
    }
}

/// Applies `segments` level by level, so long expressions never deepen the stack.
fn select_all<'a>(segments: &[Segment], start: &'a Value, root: &'a Value) -> Vec<&'a Value> {
    let mut current = vec![start];
    let mut next = Vec::new();
    for segment in segments {
        for node in current.drain(..) {
            segment.apply(node, root, &mut next);
        }
        std::mem::swap(&mut current, &mut next);
        if current.is_empty() {
            break;
        }
    }
    current
}

/// Array elements or object values; nothing for scalars.
fn children(node: &Value) -> impl DoubleEndedIterator<Item = &Value> {
    let (items, values) = match node {
        Value::Array(items) => (Some(items.iter()), None),
        Value::Object(map) => (None, Some(map.values())),
        _ => (None, None),
    };
    items
        .into_iter()
        .flatten()
        .chain(values.into_iter().flatten())
}

fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    usize::try_from(if index < 0 { index + len } else { index }).ok()
}

impl Segment {
    fn apply<'a>(&self, node: &'a Value, root: &'a Value, out: &mut Vec<&'a Value>) {
        match self {
            Segment::Child(selector) => selector.apply(node, root, out),
            Segment::Descendant(selector) => {
                // An explicit stack keeps deep documents off the call stack; children go on in
                // reverse so they come off in document order.
                let mut stack = vec![node];
                while let Some(node) = stack.pop() {
                    selector.apply(node, root, out);
                    stack.extend(children(node).rev());
                }
            }
        }
    }
}

impl Selector {
    fn apply<'a>(&self, node: &'a Value, root: &'a Value, out: &mut Vec<&'a Value>) {
        match self {
            Selector::Name(name) => out.extend(node.as_object().and_then(|map| map.get(name))),
            Selector::Wildcard => out.extend(children(node)),
            Selector::Index(index) => out.extend(
                node.as_array()
                    .and_then(|items| items.get(resolve_index(*index, items.len())?)),
            ),
            // Clamped like Python slices rather than failing like kubectl: a grader wants
            // "nothing there", not an error.
            Selector::Slice(start, end, step) => {
                let items = node.as_array().map_or(&[][..], Vec::as_slice);
                let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let clamp = |bound: i64| {
                    let bound = bound.saturating_add(if bound < 0 { len } else { 0 });
                    usize::try_from(bound.clamp(0, len)).unwrap_or(0)
                };
                let (from, to) = (start.map_or(0, clamp), end.map_or(items.len(), clamp));
                out.extend(
                    items
                        .get(from..to)
                        .unwrap_or_default()
                        .iter()
                        .step_by(step.get()),
                );
            }
            Selector::Union(members) => {
                for member in members {
                    member.apply(node, root, out);
                }
            }
            // kubectl filters the values of an object as well as the elements of an array.
            Selector::Filter(any_of) => out.extend(children(node).filter(|child| {
                any_of
                    .iter()
                    .any(|all_of| all_of.iter().all(|c| c.holds(child, root)))
            })),
        }
    }
}

impl Condition {
    fn holds(&self, candidate: &Value, root: &Value) -> bool {
        match self {
            Condition::Exists(path) => !path.select(candidate, root).as_slice().is_empty(),
            // Several nodes on a side (`@.ports[*].port==80`) match if any pair does.
            Condition::Compare(left, op, right) => {
                let (lefts, rights) = (left.select(candidate, root), right.select(candidate, root));
                let rights = rights.as_slice();
                lefts
                    .as_slice()
                    .iter()
                    .any(|l| rights.iter().any(|r| op.holds(l, r)))
            }
        }
    }
}

/// Nodes an operand selects; `One` spares an allocation for the usual `@.a.b` or literal.
enum Selected<'a> {
    One(Option<&'a Value>),
    Many(Vec<&'a Value>),
}

impl<'a> Selected<'a> {
    fn as_slice(&self) -> &[&'a Value] {
        match self {
            Selected::One(value) => value.as_slice(),
            Selected::Many(values) => values,
        }
    }
}

impl Operand {
    fn select<'a>(&'a self, candidate: &'a Value, root: &'a Value) -> Selected<'a> {
        let (from_root, segments) = match self {
            Operand::Literal(value) => return Selected::One(Some(value)),
            Operand::Path {
                from_root,
                segments,
            } => (*from_root, segments),
        };
        let start = if from_root { root } else { candidate };
        let mut node = Some(start);
        for segment in segments {
            node = match segment {
                Segment::Child(Selector::Name(name)) => node.and_then(|v| v.as_object()?.get(name)),
                Segment::Child(Selector::Index(index)) => node.and_then(|v| {
                    let items = v.as_array()?;
                    items.get(resolve_index(*index, items.len())?)
                }),
                _ => return Selected::Many(select_all(segments, start, root)),
            };
        }
        Selected::One(node)
    }
}

impl Op {
    /// Mismatched types are neither equal nor unequal: `@.port!="80"` is false for a number.
    fn holds(self, left: &Value, right: &Value) -> bool {
        let ordering = match (left, right) {
            (Value::Number(l), Value::Number(r)) => compare_numbers(l, r),
            (Value::String(l), Value::String(r)) => Some(l.cmp(r)),
            // Booleans, nulls, lists and objects only compare for (in)equality.
            _ if discriminant(left) == discriminant(right) => {
                return matches!((self, left == right), (Op::Eq, true) | (Op::Ne, false));
            }
            _ => return false,
        };
        ordering.is_some_and(|o| match self {
            Op::Eq => o.is_eq(),
            Op::Ne => o.is_ne(),
            Op::Lt => o.is_lt(),
            Op::Le => o.is_le(),
            Op::Gt => o.is_gt(),
            Op::Ge => o.is_ge(),
        })
    }
}

/// Exact for integers (no f64 rounding of large ones), numeric across int and float.
fn compare_numbers(left: &Number, right: &Number) -> Option<Ordering> {
    if let (Some(l), Some(r)) = (left.as_i64(), right.as_i64()) {
        return Some(l.cmp(&r));
    }
    if let (Some(l), Some(r)) = (left.as_u64(), right.as_u64()) {
        return Some(l.cmp(&r));
    }
    left.as_f64()?.partial_cmp(&right.as_f64()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn parsed(src: &str) -> JsonPath {
        JsonPath::parse(src).unwrap_or_else(|e| panic!("{src:?} at {}: {e}", e.offset))
    }

    /// The selected nodes as one JSON array, so a whole result is asserted at once.
    fn select(src: &str, doc: &Value) -> Value {
        Value::Array(parsed(src).eval(doc).into_iter().cloned().collect())
    }

    /// One case a line: `expression => JSON array of the nodes it must select`.
    fn assert_table(doc: &Value, table: &str) {
        for line in table.lines().map(str::trim).filter(|line| !line.is_empty()) {
            let (src, want) = line.rsplit_once(" => ").unwrap_or((line, "?"));
            let want: Value = serde_json::from_str(want).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(select(src, doc), want, "{src}");
        }
    }

    // Keys are in alphabetical order, so document order is the same with or without
    // serde_json's `preserve_order`.
    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"labels": {"app": "web", "tier": "frontend"}, "name": "web"},
            "spec": {"replicas": 3, "template": {"spec": {
                "containers": [
                    {"image": "nginx:1.27", "name": "nginx",
                     "ports": [{"containerPort": 80}, {"containerPort": 443}],
                     "securityContext": {"allowPrivilegeEscalation": false, "runAsUser": 1000}},
                    {"args": ["--verbose", "--port=8080"], "image": "busybox:1.36",
                     "name": "sidecar", "terminationMessagePath": null}
                ],
                "securityContext": {"runAsNonRoot": true}
            }}},
            "status": {"readyReplicas": 2}
        })
    }

    #[test]
    fn fields_with_and_without_braces_or_dollar() {
        let doc = deployment();
        for src in [
            "{.spec.replicas}",
            ".spec.replicas",
            "{$.spec.replicas}",
            "$.spec.replicas",
        ] {
            assert_eq!(select(src, &doc), json!([3]), "{src}");
        }
        for src in [
            " { .spec.replicas }\n",
            "{['spec']['replicas']}",
            "{$[\"spec\"].replicas}",
        ] {
            assert_eq!(select(src, &doc), json!([3]), "{src}");
        }
        for src in ["{.}", "{$}", "$", ".", "{ . }"] {
            assert_eq!(select(src, &doc), json!([doc.clone()]), "{src}");
        }
    }

    #[test]
    fn missing_keys_and_wrong_types_select_nothing() {
        assert_table(
            &deployment(),
            r"
            {.spec.paused} => []
            {.spec.strategy.rollingUpdate.maxSurge} => []
            {.spec.template.spec.containers.name} => []
            {.metadata.name[0]} => []
            {.spec.replicas[*]} => []
            {.spec.replicas.*} => []
            {.spec.replicas[?(@.x)]} => []
        ",
        );
    }

    #[test]
    fn wildcards_take_every_element_or_value() {
        assert_table(
            &deployment(),
            r#"
            {.spec.template.spec.containers[*].name} => ["nginx", "sidecar"]
            {.spec.template.spec.containers.*.image} => ["nginx:1.27", "busybox:1.36"]
            {.spec.template.spec.containers[*].securityContext.runAsUser} => [1000]
            {.metadata.labels.*} => ["web", "frontend"]
            {.metadata.labels[*]} => ["web", "frontend"]
        "#,
        );
    }

    #[test]
    fn escaped_dots_and_bracket_names_reach_dotted_keys() {
        let secret = json!({"kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": "eyJhdXRocyI6e319"}});
        assert_table(
            &secret,
            r#"
            {.data.\.dockerconfigjson} => ["eyJhdXRocyI6e319"]
            {.data['.dockerconfigjson']} => ["eyJhdXRocyI6e319"]
        "#,
        );
        let namespace = json!({"kind": "Namespace", "metadata": {"labels": {
            "kubernetes.io/metadata.name": "secure-workspace",
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest"}}});
        assert_table(
            &namespace,
            r#"
            {.metadata.labels.pod-security\.kubernetes\.io/enforce} => ["restricted"]
            {.metadata.labels.kubernetes\.io/metadata\.name} => ["secure-workspace"]
            {.metadata.labels['pod-security.kubernetes.io/enforce']} => ["restricted"]
            {.metadata.labels["pod-security.kubernetes.io/enforce-version"]} => ["latest"]
            {.metadata.labels['it\'s']} => []
        "#,
        );
    }

    fn service() -> Value {
        json!({"kind": "Service", "spec": {"ports": [
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443},
            {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": "metrics"},
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}
        ]}})
    }

    #[test]
    fn indices_slices_and_unions() {
        assert_table(
            &service(),
            r#"
            {.spec.ports[0].name} => ["http"]
            {.spec.ports[-1].name} => ["dns"]
            {.spec.ports[4].name} => []
            {.spec.ports[-5].name} => []
            {.spec.ports[1:3].name} => ["https", "metrics"]
            {.spec.ports[:2].name} => ["http", "https"]
            {.spec.ports[1:].name} => ["https", "metrics", "dns"]
            {.spec.ports[::2].name} => ["http", "metrics"]
            {.spec.ports[-2:].name} => ["metrics", "dns"]
            {.spec.ports[1:-1].name} => ["https", "metrics"]
            {.spec.ports[ 0 : 4 : 3 ].name} => ["http", "dns"]
            {.spec.ports[7:9].name} => []
            {.spec.ports[3:1].name} => []
            {.spec.ports[0,2].name} => ["http", "metrics"]
            {.spec.ports[3, 0].name} => ["dns", "http"]
            {.spec.ports[0]['name','port']} => ["http", 80]
            {.spec.ports[1]["name", "targetPort"]} => ["https", 8443]
        "#,
        );
    }

    #[test]
    fn filters_compare_numbers_strings_and_mismatched_types() {
        assert_table(
            &service(),
            r#"
            {.spec.ports[?(@.port>80)].name} => ["https", "metrics"]
            {.spec.ports[?(@.port>=443)].name} => ["https", "metrics"]
            {.spec.ports[?(@.port<80)].name} => ["dns"]
            {.spec.ports[?( @.port <= 80 )].name} => ["http", "dns"]
            {.spec.ports[?(@.protocol!="TCP")].name} => ["dns"]
            {.spec.ports[?(@.port==80.0)].name} => ["http"]
            {.spec.ports[?(@.port<4.435e2)].name} => ["http", "https", "dns"]
            {.spec.ports[?(443==@.port)].name} => ["https"]
            {.spec.ports[?(@.targetPort=='metrics')].port} => [9090]
            {.spec.ports[?(@.targetPort>1000)].name} => ["http", "https"]
            {.spec.ports[?(@.port=='80')].name} => []
            {.spec.ports[?(@.port!='80')].name} => []
            {.spec.ports[?(@.name<'i')].name} => ["http", "https", "dns"]
            {.spec.ports[?(@.port==$.spec.ports[-1].targetPort)].name} => ["dns"]
        "#,
        );
    }

    #[test]
    fn filters_combine_with_and_or() {
        // `&&` binds tighter than `||`.
        assert_table(
            &service(),
            r#"
            {.spec.ports[?(@.port>-1 && @.port<100)].name} => ["http", "dns"]
            {.spec.ports[?(@.name=='dns' || @.port==80)].name} => ["http", "dns"]
            {.spec.ports[?(@.port==53||@.protocol=='TCP'&&@.port>1000)].name} => ["metrics", "dns"]
        "#,
        );
    }

    #[test]
    fn filters_pick_pod_conditions_and_container_statuses() {
        let pod = json!({"kind": "Pod", "status": {
            "conditions": [
                {"status": "True", "type": "Initialized"},
                {"reason": "ContainersNotReady", "status": "False", "type": "Ready"},
                {"status": "False", "type": "ContainersReady"},
                {"status": "True", "type": "PodScheduled"}
            ],
            "containerStatuses": [
                {"name": "app", "ready": true, "restartCount": 0},
                {"name": "log-shipper", "ready": false, "restartCount": 4}
            ]
        }});
        assert_table(
            &pod,
            r#"
            {.status.conditions[?(@.type=="Ready")].status} => ["False"]
            {.status.conditions[?(@.type=='Ready')].reason} => ["ContainersNotReady"]
            {.status.conditions[?(@.status=='True')].type} => ["Initialized", "PodScheduled"]
            {.status.conditions[?(@.reason)].type} => ["Ready"]
            {.status.containerStatuses[?(@.ready==false)].name} => ["log-shipper"]
            {.status.containerStatuses[?(@.ready==true)].name} => ["app"]
            {.status.containerStatuses[?(@.restartCount>0)].name} => ["log-shipper"]
        "#,
        );
    }

    #[test]
    fn filters_test_existence_nest_and_apply_to_objects() {
        assert_table(
            &deployment(),
            r#"
            {.spec.template.spec.containers[?(@.securityContext)].name} => ["nginx"]
            {.spec.template.spec.containers[?(@.securityContext.runAsUser)].name} => ["nginx"]
            {..containers[?(@.securityContext.runAsUser>=1000)].name} => ["nginx"]
            {..containers[?(@.securityContext.allowPrivilegeEscalation==false)].name} => ["nginx"]
            {..containers[?(@.terminationMessagePath==null)].name} => ["sidecar"]
            {..containers[?(@.terminationMessagePath)].name} => ["sidecar"]
            {..containers[?(@.ports[*].containerPort==443)].name} => ["nginx"]
            {..containers[?(@.ports[?(@.containerPort==443)])].name} => ["nginx"]
            {..containers[1].args[?(@=='--verbose')]} => ["--verbose"]
            {.metadata.labels[?(@=='frontend')]} => ["frontend"]
        "#,
        );
    }

    #[test]
    fn recursive_descent_walks_in_document_order() {
        // A node's own match comes before its descendants', hence pod before container level.
        assert_table(
            &deployment(),
            r#"
            {..name} => ["web", "nginx", "sidecar"]
            {$..image} => ["nginx:1.27", "busybox:1.36"]
            {..runAsUser} => [1000]
            {..securityContext.*} => [true, false, 1000]
            {..ports[0].containerPort} => [80]
            {.spec..containers[?(@.args)].name} => ["sidecar"]
            {.metadata..*} => [{"app": "web", "tier": "frontend"}, "web", "web", "frontend"]
            {..[1].name} => ["sidecar"]
        "#,
        );
    }

    #[test]
    fn source_text_round_trips() -> Result<()> {
        let src = " {.status.conditions[?(@.type=='Ready')].status} ";
        let path: JsonPath = src.parse()?;
        assert_eq!((path.as_str(), path.to_string()), (src, src.to_owned()));
        assert_eq!(JsonPath::parse(path.as_str()), Ok(path));
        Ok(())
    }

    #[test]
    fn long_expressions_and_deep_documents_do_not_overflow() {
        let src = format!("{{{}}}", ".a".repeat(100_000));
        assert_eq!(select(&src, &deployment()), json!([]));
        let mut deep = json!("leaf");
        for _ in 0..100 {
            deep = json!({ "a": deep });
        }
        assert_eq!(select("{..a}", &deep).as_array().map(Vec::len), Some(100));
    }

    #[test]
    fn errors_name_the_problem_and_its_offset() {
        // One case a line: `expression => offset message`.
        let table = r"
            {} => 1 empty JSONPath expression
            {.spec => 0 unclosed '{' in JSONPath
            {.spec.containers[0} => 17 unclosed '[' in JSONPath
            {.a%} => 3 unexpected character '%' in JSONPath
            {.a b} => 4 unexpected character 'b' in JSONPath
            .spec} => 5 unexpected character '}' in JSONPath
            {.spec.} => 7 expected a field name after '.'
            {..} => 3 expected a field name, '*' or '[' after '..'
            x{.a} => 0 unexpected text 'x' before '{' in JSONPath
            {.a} x => 5 unexpected text 'x' after '}' in JSONPath
            {.a}{.b} => 4 only one '{...}' expression is allowed in JSONPath
            {range .items[*]}{.a}{end} => 1 'range' blocks are not supported; use '[*]'
            {end} => 1 'end' blocks are not supported; use '[*]'
            {spec.replicas} => 1 expected '.' before field name 'spec'
            .data.\ => 6 nothing to escape after '\' in JSONPath
            {.data['key} => 7 unclosed string, missing its closing '
            {.items[]} => 8 expected an index, a name, '*' or a filter in '[]'
            {.items[name]} => 8 unquoted name 'name' in '[]'; write ['name']
            {.items[0 1]} => 10 unexpected character '1' in JSONPath
            {.items[-]} => 8 expected a number after '-' in JSONPath
            {.items[99999999999999999999]} => 8 index '99999999999999999999' is out of range
            {.items[::0]} => 10 slice step must be above 0, got '0'
            {.items[?@.a]} => 9 expected '(' after '?', as in [?(@.name=='x')]
            {.items[?()]} => 10 expected a path such as '@.name' or a value
            {.items[?(@.name='web')]} => 16 use '==' to compare in JSONPath filters
            {.items[?(@.name==web)]} => 18 unquoted text 'web'; write 'web'
            {.items[?(@.name=='web']} => 9 unclosed '(' in JSONPath filter
            {.items[?(@.a==1 & @.b)]} => 17 use '&&' to combine conditions in JSONPath filters
            {.items[?(@.a | @.b)]} => 14 use '||' to combine conditions in JSONPath filters
            {.items[?(true)]} => 10 a filter needs a path such as '@.name' here
            {.items[?(@.port==08)]} => 18 invalid number '08' in filter
            {.items[?(@.a==1 => 9 unclosed '(' in JSONPath filter
        ";
        let deep = format!("{{.a{}{}}}", "[?(@.a".repeat(17), ")]".repeat(17));
        let deep_at = deep.match_indices('(').nth(16).map_or(0, |(at, _)| at);
        let deep_case = format!("{deep} => {deep_at} JSONPath filters nest more than 16 deep");
        let cases = table.lines().map(str::trim).filter(|line| !line.is_empty());
        for line in cases.chain([" => 0 empty JSONPath expression", deep_case.as_str()]) {
            let (src, want) = line.split_once(" => ").unwrap_or((line, ""));
            let got = JsonPath::parse(src.trim_start()).map_err(|e| format!("{} {e}", e.offset));
            assert_eq!(got, Err(want.to_owned()), "{src}");
        }
    }

    const SEEDS: &[&str] = &[
        "{.spec.template.spec.containers[*].securityContext.runAsUser}",
        r"{.metadata.labels.pod-security\.kubernetes\.io/enforce}",
        "{.status.conditions[?(@.type=='Ready' && @.status!=\"False\" || @.x<=-1.5e3)].type}",
        "{$..ports[0,2]['name',\"port\"]}",
        "{.spec.ports[-3:-1:2]}",
        "{.a[?(@.b[?(@.c==null)])].d[*]}",
        "{.metadata.labels[?(@==true)]}",
    ];

    /// Anything may be parsed; what parses must evaluate and round-trip, what fails must point
    /// at a character boundary of the input.
    fn check(src: &str) -> std::result::Result<(), TestCaseError> {
        match JsonPath::parse(src) {
            Ok(path) => {
                let _selected = path.eval(&deployment());
                prop_assert_eq!(JsonPath::parse(path.as_str()), Ok(path));
            }
            Err(e) => prop_assert!(src.is_char_boundary(e.offset) && !e.message.is_empty()),
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_any_text(src in any::<String>()) {
            check(&src)?;
        }

        #[test]
        fn parse_never_panics_on_jsonpath_like_text(src in "[{}\\[\\]().@$*?:,'\"=!<>&|\\\\ a-z0-9-]{0,40}") {
            check(&src)?;
        }

        #[test]
        fn parse_never_panics_on_mutated_expressions(
            seed in prop::sample::select(SEEDS),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3_u8, any::<char>()), 1..5),
        ) {
            let mut chars: Vec<char> = seed.chars().collect();
            for (at, kind, c) in edits {
                let at = at.index(chars.len() + 1);
                match kind {
                    0 => chars.insert(at, c),
                    1 if at < chars.len() => { chars.remove(at); }
                    _ => chars.truncate(at),
                }
            }
            check(&chars.into_iter().collect::<String>())?;
        }
    }
}
