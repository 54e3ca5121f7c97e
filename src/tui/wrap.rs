//! Wrapping styled lines to a width, by display width. ratatui 0.30's
//! `Paragraph` wrap lets a double-width character that ends a line spill one
//! cell past the area (over a border), so text is wrapped here instead. Lines
//! break at spaces and between Chinese characters (allowed in CJK text);
//! list items keep a hanging indent.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

/// Wraps every line to at most `width` columns.
pub fn wrap(lines: &[Line<'_>], width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut out = Vec::new();
    for line in lines {
        wrap_line(line, width, &mut out);
    }
    out
}

/// The width of a list marker (`• `, `  1. `) or an indented label
/// (`      expected: `) that starts the line: continuation lines hang there.
fn hanging_indent(line: &Line<'_>) -> usize {
    let Some(first) = line.spans.first() else {
        return 0;
    };
    let s = first.content.trim_start();
    let numbered = s
        .strip_suffix(". ")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    let label = first.content.starts_with(' ') && s.ends_with(": ") && !s.contains(' ');
    let label = label || (first.content.starts_with("  ") && s.ends_with(": "));
    if s == "• " || numbered || label {
        first.content.width()
    } else {
        0
    }
}

fn is_wide(c: char) -> bool {
    c.width().unwrap_or(0) > 1
}

fn wrap_line(line: &Line<'_>, width: usize, out: &mut Vec<Line<'static>>) {
    let cells: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect();
    if cells
        .iter()
        .map(|(c, _)| c.width().unwrap_or(0))
        .sum::<usize>()
        <= width
    {
        out.push(to_line(&cells));
        return;
    }
    let hang = hanging_indent(line).min(width / 2);
    // Segments: a word with its trailing spaces, or one wide character.
    let mut segments: Vec<&[(char, Style)]> = Vec::new();
    let mut start = 0;
    for i in 0..cells.len() {
        let c = cells[i].0;
        let next = cells.get(i + 1).map(|x| x.0);
        let boundary = match next {
            None => true,
            Some(n) => (c == ' ' && n != ' ') || is_wide(c) || is_wide(n),
        };
        if boundary {
            segments.push(&cells[start..=i]);
            start = i + 1;
        }
    }
    let mut current: Vec<(char, Style)> = Vec::new();
    let mut used = 0;
    let mut first = true;
    let limit = |first: bool| if first { width } else { width - hang };
    for seg in segments {
        let seg_width: usize = seg.iter().map(|(c, _)| c.width().unwrap_or(0)).sum();
        let text_width: usize = seg
            .iter()
            .rev()
            .skip_while(|(c, _)| *c == ' ')
            .map(|(c, _)| c.width().unwrap_or(0))
            .sum();
        if used + text_width <= limit(first) {
            current.extend_from_slice(seg);
            used += seg_width;
            continue;
        }
        if !current.is_empty() {
            flush(&mut current, hang, first, out);
            first = false;
            used = 0;
        }
        // A word longer than a whole line is cut where the line ends.
        for &(c, style) in seg.iter().skip_while(|(c, _)| *c == ' ') {
            let w = c.width().unwrap_or(0);
            if used + w > limit(first) && !current.is_empty() {
                flush(&mut current, hang, first, out);
                first = false;
                used = 0;
            }
            current.push((c, style));
            used += w;
        }
    }
    if !current.is_empty() || first {
        flush(&mut current, hang, first, out);
    }
}

fn flush(current: &mut Vec<(char, Style)>, hang: usize, first: bool, out: &mut Vec<Line<'static>>) {
    while current.last().is_some_and(|(c, _)| *c == ' ') {
        current.pop();
    }
    let mut line = to_line(current);
    if !first && hang > 0 {
        line.spans.insert(0, Span::raw(" ".repeat(hang)));
    }
    out.push(line);
    current.clear();
}

/// Cells back to spans, one per run of equal style.
fn to_line(cells: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut style = None;
    for &(c, s) in cells {
        if style.is_some_and(|x| x != s) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                style.unwrap_or_default(),
            ));
        }
        style = Some(s);
        text.push(c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, style.unwrap_or_default()));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn a_wide_character_never_crosses_the_width() {
        let line = Line::raw("中创建名为 regcred 的 docker-registry 类型 Secret：");
        let wrapped = wrap(&[line], 50);
        assert_eq!(
            plain(&wrapped),
            ["中创建名为 regcred 的 docker-registry 类型 Secret", "："]
        );
        for l in &wrapped {
            assert!(l.width() <= 50);
        }
    }

    #[test]
    fn words_wrap_at_spaces_and_list_items_hang() {
        let line = Line::from(vec![
            Span::raw("• "),
            Span::raw("every container has a probe"),
        ]);
        assert_eq!(
            plain(&wrap(&[line], 16)),
            ["• every", "  container has", "  a probe"]
        );
    }

    #[test]
    fn chinese_breaks_between_characters_and_long_words_are_cut() {
        assert_eq!(
            plain(&wrap(&[Line::raw("创建命名空间")], 5)),
            ["创建", "命名", "空间"]
        );
        assert_eq!(
            plain(&wrap(&[Line::raw("abcdefgh")], 3)),
            ["abc", "def", "gh"]
        );
        assert_eq!(plain(&wrap(&[Line::raw("")], 3)), [""]);
    }

    #[test]
    fn styles_survive_wrapping() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let line = Line::from(vec![Span::raw("aa "), Span::styled("bb", bold)]);
        let wrapped = wrap(&[line], 2);
        assert_eq!(wrapped[1].spans[0].style, bold);
    }
}
