//! Text selected with the mouse in the task panel: the outer terminal's own
//! selection is off while ckasim reads the mouse, so ckasim selects, shows
//! and copies (OSC 52) the text itself — the exam allows copying names from
//! the question.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;

/// From where the button went down to where it is (screen cells), clamped
/// to `area`, the task text it was started in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub area: Rect,
    pub anchor: Position,
    pub head: Position,
}

impl Selection {
    pub fn new(area: Rect, at: Position) -> Selection {
        let at = clamp(area, at);
        Selection {
            area,
            anchor: at,
            head: at,
        }
    }

    pub fn extend(&mut self, to: Position) {
        self.head = clamp(self.area, to);
    }

    pub fn is_empty(&self) -> bool {
        self.anchor == self.head
    }

    /// Start and end in reading order.
    fn ends(&self) -> (Position, Position) {
        let key = |p: Position| (p.y, p.x);
        if key(self.anchor) <= key(self.head) {
            (self.anchor, self.head)
        } else {
            (self.head, self.anchor)
        }
    }

    /// The cells selected, row by row (the end cell included).
    fn cells(&self) -> impl Iterator<Item = (u16, std::ops::RangeInclusive<u16>)> + '_ {
        let (start, end) = self.ends();
        let (left, right) = (self.area.x, self.area.right().saturating_sub(1));
        (start.y..=end.y).map(move |y| {
            let from = if y == start.y { start.x } else { left };
            let to = if y == end.y { end.x } else { right };
            (y, from..=to)
        })
    }

    /// Shows the selection reversed on `buf`.
    pub fn highlight(&self, buf: &mut Buffer) {
        for (y, xs) in self.cells() {
            for x in xs {
                if let Some(cell) = buf.cell_mut((x, y)) {
                    cell.modifier.toggle(Modifier::REVERSED);
                }
            }
        }
    }

    /// The selected text as drawn on `buf`: each row's trailing blanks
    /// dropped, rows joined with a space where the text was wrapped.
    pub fn text(&self, buf: &Buffer) -> String {
        let rows: Vec<String> = self
            .cells()
            .map(|(y, xs)| {
                let mut row = String::new();
                for x in xs {
                    if let Some(cell) = buf.cell((x, y)) {
                        row.push_str(cell.symbol());
                    }
                }
                row.trim_end().to_string()
            })
            .collect();
        rows.iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn clamp(area: Rect, at: Position) -> Position {
    Position {
        x: at
            .x
            .clamp(area.x, area.right().saturating_sub(1).max(area.x)),
        y: at
            .y
            .clamp(area.y, area.bottom().saturating_sub(1).max(area.y)),
    }
}

/// OSC 52: the outer terminal puts `text` on the system clipboard (xterm,
/// kitty, iTerm2, tmux with `set-clipboard on`).
pub fn osc52(text: &str) -> String {
    use base64::Engine as _;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_reads_the_drawn_text_across_rows() {
        let buf = Buffer::with_lines(["Create the   ", "namespace app", "now          "]);
        let mut s = Selection::new(buf.area, Position::new(7, 0));
        s.extend(Position::new(8, 1));
        assert_eq!(s.text(&buf), "the namespace");
        // Dragging backwards selects the same.
        let mut back = Selection::new(buf.area, Position::new(8, 1));
        back.extend(Position::new(7, 0));
        assert_eq!(back.text(&buf), "the namespace");
        // Beyond the area it stops at the edge.
        let mut far = Selection::new(buf.area, Position::new(10, 1));
        far.extend(Position::new(40, 9));
        assert_eq!(far.text(&buf), "app now");
        assert_eq!(osc52("ab"), "\x1b]52;c;YWI=\x07");
    }
}
