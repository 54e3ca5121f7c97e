//! The one event channel: key presses, the once-a-second tick, signals and
//! the results of async work all arrive here as owned values.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt as _;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::app::AppEvent;

/// The tick: the countdown shows seconds, so once a second is enough.
pub const TICK: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub enum Message {
    Input(Event),
    App(AppEvent),
    /// Output of the embedded terminal; the permit bounds the output in
    /// flight and is released once the loop has applied it.
    Pty(
        super::console::ConsoleEvent,
        Option<tokio::sync::OwnedSemaphorePermit>,
    ),
}

/// Reads the terminal. Aborted while the shell runs, so the shell gets
/// every key.
pub fn spawn_input(tx: UnboundedSender<Message>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(event)) = events.next().await {
            if tx.send(Message::Input(event)).is_err() {
                break;
            }
        }
    })
}

pub fn spawn_ticks(tx: UnboundedSender<Message>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        loop {
            interval.tick().await;
            if tx.send(Message::App(AppEvent::Tick)).is_err() {
                break;
            }
        }
    })
}

/// SIGTERM, SIGHUP (terminal closed) and SIGINT: the loop saves and
/// restores the terminal instead of dying mid-frame.
pub fn spawn_signals(tx: UnboundedSender<Message>) -> JoinHandle<()> {
    use tokio::signal::unix::{SignalKind, signal};
    tokio::spawn(async move {
        let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        loop {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = hup.recv() => "SIGHUP",
                _ = int.recv() => "SIGINT",
            };
            if tx.send(Message::App(AppEvent::Signal(name))).is_err() {
                break;
            }
        }
    })
}
