//! Task text and solutions from Markdown to styled lines: headings, emphasis,
//! inline code, lists (nested, numbered), code blocks and tables. Wrapping is
//! left to `Paragraph`, which measures Chinese text by display width.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr as _;

pub fn code_style() -> Style {
    Style::new().fg(Color::Yellow)
}

fn heading_style(level: HeadingLevel) -> Style {
    let s = Style::new().add_modifier(Modifier::BOLD).fg(Color::Cyan);
    if level == HeadingLevel::H1 {
        s.add_modifier(Modifier::UNDERLINED)
    } else {
        s
    }
}

/// Renders Markdown into lines.
pub fn render(markdown: &str) -> Vec<Line<'static>> {
    let mut r = Renderer::default();
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        r.event(event);
    }
    r.flush();
    while r.lines.last().is_some_and(|l| l.width() == 0) {
        r.lines.pop();
    }
    r.lines
}

/// The inline `code` spans of `markdown` (the object names a task
/// highlights), first occurrence order, without repeats.
pub fn code_spans(markdown: &str) -> Vec<String> {
    let mut spans: Vec<String> = Vec::new();
    for event in Parser::new(markdown) {
        if let Event::Code(code) = event
            && !spans.iter().any(|s| *s == *code)
        {
            spans.push(code.to_string());
        }
    }
    spans
}

#[derive(Default)]
struct Renderer {
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    styles: Vec<Style>,
    /// For each open list, the next number (ordered) or None (bullets).
    lists: Vec<Option<u64>>,
    code_block: Option<String>,
    table: Option<Table>,
    /// A line break of the source text not yet written: a space, except
    /// between two wide (CJK) characters, where Chinese text has none.
    soft_break: bool,
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    cell: String,
    header_rows: usize,
}

impl Renderer {
    fn style(&self) -> Style {
        self.styles
            .iter()
            .fold(Style::new(), |acc, s| acc.patch(*s))
    }

    fn push_text(&mut self, text: &str, style: Style) {
        if std::mem::take(&mut self.soft_break) {
            let before = match &self.table {
                Some(t) => t.cell.chars().last(),
                None => self.current.last().and_then(|s| s.content.chars().last()),
            };
            let wide =
                |c: Option<char>| c.and_then(unicode_width::UnicodeWidthChar::width) == Some(2);
            // Full-width punctuation (，。：) carries its own spacing.
            let punct = before
                .is_some_and(|c| matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF65}'));
            if !(punct || wide(before) && wide(text.chars().next())) {
                self.push_text(" ", Style::new());
            }
        }
        if let Some(t) = &mut self.table {
            t.cell.push_str(text);
        } else {
            self.current.push(Span::styled(text.to_string(), style));
        }
    }

    /// Ends the current line, if it has anything.
    fn flush(&mut self) {
        self.soft_break = false;
        if !self.current.is_empty() {
            self.lines
                .push(Line::from(std::mem::take(&mut self.current)));
        }
    }

    fn blank(&mut self) {
        self.flush();
        if self.lines.last().is_some_and(|l| l.width() > 0) {
            self.lines.push(Line::default());
        }
    }

    fn indent(&self) -> String {
        "  ".repeat(self.lists.len().saturating_sub(1))
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(&tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                if let Some(code) = &mut self.code_block {
                    code.push_str(&text);
                } else {
                    let style = self.style();
                    self.push_text(&text, style);
                }
            }
            Event::Code(code) => self.push_text(&code, self.style().patch(code_style())),
            Event::SoftBreak => self.soft_break = true,
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.blank();
                self.lines.push(Line::from("─".repeat(20)));
            }
            Event::Html(html) | Event::InlineHtml(html) => self.push_text(&html, Style::new()),
            _ => {}
        }
    }

    fn start(&mut self, tag: &Tag) {
        match tag {
            Tag::Heading { level, .. } => {
                self.blank();
                self.styles.push(heading_style(*level));
            }
            // A paragraph inside a list item continues the item's line.
            Tag::Paragraph if self.lists.is_empty() => self.blank(),
            Tag::Strong => self.styles.push(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Emphasis => self
                .styles
                .push(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strikethrough => self
                .styles
                .push(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::List(start) => {
                let start = *start;
                if self.lists.is_empty() {
                    self.blank();
                } else {
                    self.flush();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let indent = self.indent();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{indent}{n}. ");
                        *n += 1;
                        m
                    }
                    _ => format!("{indent}• "),
                };
                self.current.push(Span::raw(marker));
            }
            Tag::CodeBlock(_) => {
                self.blank();
                self.code_block = Some(String::new());
            }
            Tag::Table(_) => {
                self.blank();
                self.table = Some(Table::default());
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.rows.push(Vec::new());
                }
            }
            Tag::TableCell => {
                if let Some(t) = &mut self.table {
                    t.cell.clear();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.styles.pop();
                self.flush();
                self.lines.push(Line::default());
            }
            TagEnd::Paragraph if self.lists.is_empty() => {
                self.flush();
                self.lines.push(Line::default());
            }
            TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough => {
                self.styles.pop();
            }
            TagEnd::Item => self.flush(),
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.lines.push(Line::default());
                }
            }
            TagEnd::CodeBlock => {
                let code = self.code_block.take().unwrap_or_default();
                for line in code.trim_end_matches('\n').lines() {
                    self.lines.push(Line::from(vec![
                        Span::styled("│ ", Style::new().fg(Color::DarkGray)),
                        Span::styled(line.to_string(), code_style()),
                    ]));
                }
                self.lines.push(Line::default());
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.header_rows = t.rows.len();
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = &mut self.table {
                    let cell = std::mem::take(&mut t.cell);
                    if let Some(row) = t.rows.last_mut() {
                        row.push(cell.trim().to_string());
                    }
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.lines.extend(t.lines());
                    self.lines.push(Line::default());
                }
            }
            _ => {}
        }
    }
}

impl Table {
    /// Columns padded to their widest cell (by display width, so Chinese
    /// headers line up), header in bold, a rule under it.
    fn lines(&self) -> Vec<Line<'static>> {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.width())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let mut spans = Vec::new();
            for (c, w) in widths.iter().enumerate() {
                let text = row.get(c).map_or("", String::as_str);
                // The last column needs no padding (no trailing blanks).
                let pad = if c + 1 == widths.len() {
                    String::new()
                } else {
                    " ".repeat(w.saturating_sub(text.width()))
                };
                let style = if i < self.header_rows {
                    Style::new().add_modifier(Modifier::BOLD)
                } else {
                    code_style()
                };
                if c > 0 {
                    spans.push(Span::styled(" │ ", Style::new().fg(Color::DarkGray)));
                }
                spans.push(Span::styled(format!("{text}{pad}"), style));
            }
            out.push(Line::from(spans));
            if i + 1 == self.header_rows {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                out.push(Line::styled(
                    rule.join("─┼─"),
                    Style::new().fg(Color::DarkGray),
                ));
            }
        }
        out
    }
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
    fn a_source_line_break_is_a_space_except_between_chinese_characters() {
        let lines = render("use it,\nthen 使所有\n运行的 Pod，\n**docker** 类型");
        assert_eq!(
            plain(&lines),
            ["use it, then 使所有运行的 Pod，docker 类型"]
        );
    }

    #[test]
    fn headings_lists_code_and_tables_read_as_text() {
        let md = "# Title\n\nDo **this** with `kubectl`.\n\n- one\n- two\n  1. nested\n\n```yaml\nkind: Pod\n```\n\n| field | value |\n|---|---|\n| server | `x.io` |\n";
        assert_eq!(
            plain(&render(md)),
            [
                "Title",
                "",
                "Do this with kubectl.",
                "",
                "• one",
                "• two",
                "  1. nested",
                "",
                "│ kind: Pod",
                "",
                "field  │ value",
                "───────┼──────",
                "server │ x.io",
            ]
        );
    }

    #[test]
    fn chinese_table_cells_are_padded_by_display_width() {
        let md = "| 字段 | 值 |\n|---|---|\n| server | a |\n";
        let lines = plain(&render(md));
        assert_eq!(lines[0], "字段   │ 值");
        assert_eq!(lines[2], "server │ a");
        let bar = |l: &str| l[..l.find('│').unwrap()].width();
        assert_eq!(bar(&lines[0]), bar(&lines[2]));
    }
}
