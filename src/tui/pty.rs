//! The embedded terminal's I/O: the candidate's shell in a pseudo-terminal
//! (portable-pty), with the environment `s` gives its shell. A reader
//! thread turns its output into `ConsoleEvent`s for the one event channel;
//! the event loop owns the `Pty` and writes keys and sizes to it.
//!
//! Heavy output cannot flood the loop: every chunk in flight holds a permit
//! of a small semaphore, released when the loop has applied it, so the
//! reader waits (and the shell with it, as in any terminal) while the loop
//! is behind, and keys and the clock are never queued behind megabytes.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::Arc;

use portable_pty::{ChildKiller, CommandBuilder, MasterPty, PtySize, native_pty_system};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::console::{ConsoleEvent, OpenShell};
use super::shell::Prepared;

/// Output chunks in flight between the reader and the loop.
const IN_FLIGHT: usize = 16;
const CHUNK: usize = 64 * 1024;

/// Where the reader thread delivers: returns false once nobody listens.
pub type Sink = Box<dyn Fn(ConsoleEvent, Option<OwnedSemaphorePermit>) -> bool + Send>;

/// A running shell in a pseudo-terminal. Dropping it ends the shell and
/// removes its temporary kubeconfig.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn std::io::Write + Send>,
    killer: Box<dyn ChildKiller + Send + Sync>,
    prepared: Prepared,
}

impl std::fmt::Debug for Pty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pty").finish_non_exhaustive()
    }
}

/// What to run: the user's `$SHELL` with the user's kubeconfig files, or
/// (tests) a given command and files.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// Empty: `$SHELL`.
    pub argv: Vec<String>,
    /// None: `$KUBECONFIG` or `~/.kube/config`.
    pub kubeconfigs: Option<Vec<std::path::PathBuf>>,
}

/// Starts the shell `open` asks for; `dir` holds the temporary kubeconfig.
/// The event says it started (with a note of what kubectl points at) or
/// why it could not.
pub fn open(
    open: &OpenShell,
    dir: &Path,
    program: &Program,
    sink: Sink,
) -> (Option<Pty>, ConsoleEvent) {
    let shell = open.shell;
    match spawn(open, dir, program, sink) {
        Ok((pty, note)) => (Some(pty), ConsoleEvent::Started { shell, note }),
        Err(reason) => (None, ConsoleEvent::Failed { shell, reason }),
    }
}

fn spawn(
    &OpenShell {
        shell,
        ref request,
        rows,
        cols,
    }: &OpenShell,
    dir: &Path,
    program: &Program,
    sink: Sink,
) -> Result<(Pty, String), String> {
    let file = format!("{}.terminal-{shell}.kubeconfig", request.session_id);
    let files = program
        .kubeconfigs
        .clone()
        .unwrap_or_else(super::shell::kubeconfig_files);
    let prepared = Prepared::new(request, dir, &file, &files);
    let note = super::strings::kubectl_note(
        request.namespace.as_deref(),
        request.context.as_deref(),
        prepared.kubeconfig.is_some(),
    );
    let started = start(shell, &prepared, (rows, cols), program, sink);
    match started {
        Ok((master, writer, killer)) => Ok((
            Pty {
                master,
                writer,
                killer,
                prepared,
            },
            note,
        )),
        Err(e) => {
            prepared.cleanup();
            Err(super::strings::shell_failed(&prepared.shell, &e))
        }
    }
}

type Started = (
    Box<dyn MasterPty + Send>,
    Box<dyn std::io::Write + Send>,
    Box<dyn ChildKiller + Send + Sync>,
);

fn start(
    shell: u64,
    prepared: &Prepared,
    (rows, cols): (u16, u16),
    program: &Program,
    sink: Sink,
) -> Result<Started, String> {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| e.to_string())?;
    let mut command = match program.argv.split_first() {
        Some((first, rest)) => {
            let mut c = CommandBuilder::new(first);
            c.args(rest);
            c
        }
        None => CommandBuilder::new(&prepared.shell),
    };
    if let Ok(dir) = std::env::current_dir() {
        command.cwd(dir);
    }
    // What the screen model understands.
    command.env("TERM", "xterm-256color");
    for (k, v) in &prepared.env {
        command.env(k, v);
    }
    let mut child = pair
        .slave
        .spawn_command(command)
        .map_err(|e| e.to_string())?;
    // The reader sees end-of-file only once no slave handle is left here.
    drop(pair.slave);
    let killer = child.clone_killer();
    let reader = pair.master.try_clone_reader().map_err(|e| e.to_string())?;
    let writer = pair.master.take_writer().map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("ckasim-pty".into())
        .spawn(move || {
            read_until_exit(shell, reader, &sink);
            let status = match child.wait() {
                Ok(s) if s.success() => super::strings::EXIT_OK.to_string(),
                Ok(s) => s.to_string(),
                Err(e) => e.to_string(),
            };
            sink(ConsoleEvent::Exited { shell, status }, None);
        })
        .map_err(|e| e.to_string())?;
    Ok((pair.master, writer, killer))
}

fn read_until_exit(shell: u64, mut reader: Box<dyn std::io::Read + Send>, sink: &Sink) {
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut buf = vec![0; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            // EOF, or EIO once the shell and everything it started are gone.
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let Ok(permit) = futures::executor::block_on(permits.clone().acquire_owned()) else {
            return;
        };
        let event = ConsoleEvent::Output {
            shell,
            bytes: buf[..n].to_vec(),
        };
        if !sink(event, Some(permit)) {
            return;
        }
    }
}

impl Pty {
    /// Types `bytes` into the shell.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes)?;
        self.writer.flush()
    }

    pub fn resize(&self, rows: u16, cols: u16) {
        let _ = self.master.resize(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        });
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.killer.kill();
        self.prepared.cleanup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::ShellRequest;

    /// Runs `program` in a pseudo-terminal and collects what the reader
    /// delivers until the shell exits.
    pub fn run(program: &[&str]) -> (Vec<u8>, String) {
        run_with(program, Vec::new(), None)
    }

    fn run_with(
        program: &[&str],
        kubeconfigs: Vec<std::path::PathBuf>,
        context: Option<&str>,
    ) -> (Vec<u8>, String) {
        let (tx, rx) = std::sync::mpsc::channel();
        let sink: Sink = Box::new(move |e, _permit| tx.send(e).is_ok());
        let request = ShellRequest {
            scenario: "secure-workspace".into(),
            namespace: Some("secure-workspace".into()),
            context: context.map(str::to_string),
            time_left: std::time::Duration::ZERO,
            session_id: "test".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let program = Program {
            argv: program.iter().map(ToString::to_string).collect(),
            kubeconfigs: Some(kubeconfigs),
        };
        let open = OpenShell {
            shell: 1,
            request,
            rows: 24,
            cols: 80,
        };
        let (pty, _) = spawn(&open, dir.path(), &program, sink).unwrap();
        let mut out = Vec::new();
        loop {
            match rx.recv().unwrap() {
                ConsoleEvent::Output { bytes, .. } => out.extend(bytes),
                ConsoleEvent::Exited { status, .. } => {
                    drop(pty);
                    // The temporary kubeconfig goes with the shell.
                    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
                    return (out, status);
                }
                ConsoleEvent::Failed { reason, .. } => panic!("{reason}"),
                ConsoleEvent::Started { .. } => {}
            }
        }
    }

    #[test]
    fn the_shell_gets_a_terminal_and_the_scenario_environment() {
        let (out, status) = run(&[
            "sh",
            "-c",
            "stty size; test -t 0 && echo tty; echo ns=$CKASIM_NAMESPACE term=$TERM",
        ]);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("24 80"), "{text}");
        assert!(text.contains("tty"), "{text}");
        assert!(
            text.contains("ns=secure-workspace term=xterm-256color"),
            "{text}"
        );
        assert_eq!(status, crate::tui::strings::EXIT_OK);
    }

    #[test]
    fn kubectl_in_the_terminal_uses_the_scenario_namespace() {
        let home = tempfile::tempdir().unwrap();
        let user = home.path().join("config");
        std::fs::write(
            &user,
            "apiVersion: v1\nkind: Config\ncurrent-context: other\ncontexts:\n- name: kind-cka\n  context:\n    cluster: kind-cka\n    user: kind-cka\n",
        )
        .unwrap();
        let (out, _) = run_with(
            &[
                "sh",
                "-c",
                "echo \"kc=$KUBECONFIG\"; cat \"${KUBECONFIG%%:*}\"",
            ],
            vec![user.clone()],
            Some("kind-cka"),
        );
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains(&format!(":{}", user.display())), "{text}");
        assert!(text.contains("test.terminal-1.kubeconfig:"), "{text}");
        assert!(
            text.contains("\"namespace\": \"secure-workspace\""),
            "{text}"
        );
        assert!(text.contains("\"current-context\": \"kind-cka\""), "{text}");
    }

    #[test]
    fn a_failing_shell_reports_its_status() {
        let (_, status) = run(&["sh", "-c", "exit 3"]);
        assert!(status.contains('3'), "{status}");
    }
}
