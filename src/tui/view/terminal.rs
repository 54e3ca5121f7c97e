//! The embedded terminal panel: what the shell drew (tui-term renders the
//! vt100 screen), framed like the other panels, with its state in the title.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use tui_term::widget::{Cursor, PseudoTerminal};

use super::{dim, key_bar, title_bar};
use crate::tui::console::{Console, Shell};
use crate::tui::{layout, strings};

/// The panel at `area`; `focused` draws the frame and the cursor as the
/// place keys go.
pub fn panel(console: &Console, focused: bool, area: Rect, buf: &mut Buffer) {
    let mut title = vec![Span::styled(
        format!(" {} ", strings::TERMINAL),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    let note = match &console.shell {
        Shell::Starting => Some(strings::TERMINAL_STARTING),
        Shell::Exited(_) => Some(strings::TERMINAL_RESTART),
        Shell::Closed => Some(strings::TERMINAL_ENDED),
        Shell::Running if !focused => Some(strings::TERMINAL_FOCUS_HINT),
        Shell::Running => None,
    };
    if let Some(n) = note {
        title.push(Span::styled(format!("· {n} "), dim()));
    }
    let scrolled = console.scrolled();
    if scrolled > 0 {
        title.push(Span::styled(
            format!(" {} {scrolled} ", strings::TERMINAL_SCROLLED),
            Style::new().fg(Color::Black).bg(Color::Yellow),
        ));
    }
    let block = super::exam::pane_block(focused).title(Line::from(title));
    let cursor = Cursor::default().visibility(focused && scrolled == 0 && console.is_live());
    PseudoTerminal::new(console.parser.screen())
        .block(block)
        .cursor(cursor)
        .render(area, buf);
}

/// Results: the finished attempt's terminal over the body.
pub fn results(console: &Console, area: Rect, buf: &mut Buffer) {
    let (header, body, keys) = layout::results_terminal(area);
    title_bar(
        vec![Span::styled(
            format!(" {} · {} ", strings::APP, strings::TERMINAL),
            Style::new().add_modifier(Modifier::BOLD),
        )],
        vec![],
        header,
        buf,
    );
    panel(console, false, body, buf);
    key_bar(strings::KEYS_RESULTS_TERMINAL, keys, buf);
}

#[cfg(test)]
mod tests;
