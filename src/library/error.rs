//! Load errors that point at a place in a file.

use std::fmt;
use std::ops::Range;

/// One problem in a library file, printed as `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    /// 1-based line and column; `None` when the problem has no single place
    /// (a missing file, a missing rubric).
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl LoadError {
    pub fn at(
        file: &str,
        source: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            file: file.to_string(),
            position: span.map(|s| line_col(source, s.start)),
            message: message.into(),
        }
    }

    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_string(),
            position: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// A TOML syntax or shape error as one line: toml's own message is several
/// lines with a source excerpt; the first line carries the meaning.
pub fn from_toml(file: &str, source: &str, err: &toml::de::Error) -> LoadError {
    let message = err
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim();
    LoadError::at(file, source, err.span(), message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = "a = 1\n标题 = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        // After the two CJK characters (3 bytes each) and a space.
        assert_eq!(line_col(src, 13), (2, 4));
    }

    #[test]
    fn display_is_file_line_col_message() {
        let e = LoadError::at("grading/x.toml", "a\nbc", Some(3..4), "bad");
        assert_eq!(e.to_string(), "grading/x.toml:2:2: bad");
        assert_eq!(LoadError::whole_file("f", "gone").to_string(), "f: gone");
    }
}
