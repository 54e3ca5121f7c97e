//! End to end: the real binary in a tmux pane. Start secure-workspace, see
//! the tasks and a running clock, kill -9 the process, start again, see the
//! same attempt resumed with less time left; type `kubectl version
//! --client` into the embedded terminal and see its answer beside the task
//! while the clock counts. Skipped (with the reason printed) where tmux (or
//! kubectl) is not installed.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux: {e}"))
    }

    fn start(&self, command: &str) {
        self.start_sized(command, "100", "30");
    }

    fn start_sized(&self, command: &str, width: &str, height: &str) {
        let out = self.run(&[
            "new-session",
            "-d",
            "-s",
            "exam",
            "-x",
            width,
            "-y",
            height,
            command,
        ]);
        assert!(out.status.success(), "{out:?}");
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "exam"]).stdout).into()
    }

    /// Polls the screen until `ready` accepts it, or fails with the last screen.
    fn wait_for<T>(&self, what: &str, ready: impl Fn(&str) -> Option<T>) -> T {
        let until = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if let Some(v) = ready(&screen) {
                return v;
            }
            assert!(
                Instant::now() < until,
                "timed out waiting for {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pane_pid(&self) -> String {
        let out = self.run(&["display-message", "-p", "-t", "exam", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn session_gone(&self) -> bool {
        !self.run(&["has-session", "-t", "exam"]).status.success()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Seconds left on the countdown (`time left  34:58`), if it is on screen.
fn time_left(screen: &str) -> Option<u64> {
    let line = screen.lines().next()?;
    let at = line.find("time left")?;
    let clock = line[at + "time left".len()..].trim();
    let (m, s) = clock.split_once(':')?;
    Some(m.trim().parse::<u64>().ok()? * 60 + s.trim().parse::<u64>().ok()?)
}

#[test]
fn an_exam_survives_kill_9_and_resumes_with_less_time() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux {
        socket: format!("ckasim-test-{}", std::process::id()),
    };
    let command = format!(
        "exec env CKASIM_HOME='{}' KUBECONFIG=/nonexistent TERM=xterm-256color '{}' start secure-workspace",
        home.path().display(),
        env!("CARGO_BIN_EXE_ckasim"),
    );

    tmux.start(&command);
    let first = tmux.wait_for("the exam screen", |s| {
        (s.contains("1. Create the namespace") && s.contains("5. Verify what runs"))
            .then(|| time_left(s))
            .flatten()
    });
    assert!(first <= 35 * 60 && first > 30 * 60, "{first}");
    // The clock runs.
    tmux.wait_for("the clock to move", |s| time_left(s).filter(|t| *t < first));

    let pid = tmux.pane_pid();
    let killed = Command::new("kill").args(["-9", &pid]).status().unwrap();
    assert!(killed.success());
    tmux.wait_for("the pane to close", |_| tmux.session_gone().then_some(()));

    tmux.start(&command);
    let screen = tmux.wait_for("the resumed exam", |s| {
        s.contains("Resumed the running attempt at 'secure-workspace'")
            .then(|| s.to_string())
    });
    assert!(screen.contains("1. Create the namespace"), "{screen}");
    tmux.wait_for("less time than before the kill", |s| {
        time_left(s).filter(|t| *t < first)
    });

    let sessions: Vec<_> = std::fs::read_dir(home.path().join("sessions"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(sessions.len(), 1, "the same attempt, not a new one");

    // Quit with confirmation; the terminal is given back.
    tmux.run(&["send-keys", "-t", "exam", "q"]);
    tmux.wait_for("the quit question", |s| {
        s.contains("Leave ckasim?").then_some(())
    });
    tmux.run(&["send-keys", "-t", "exam", "y"]);
    tmux.wait_for("ckasim to exit", |_| tmux.session_gone().then_some(()));
}

/// The embedded terminal: F6 gives it the keys, `kubectl version --client`
/// runs in the candidate's shell beside the task, and the countdown keeps
/// running while it does. Skipped where tmux or kubectl is missing.
#[test]
fn kubectl_runs_in_the_embedded_terminal_while_the_clock_counts() {
    for tool in [&["tmux", "-V"][..], &["kubectl", "version", "--client"]] {
        if Command::new(tool[0]).args(&tool[1..]).output().is_err() {
            eprintln!("skipped: {} is not installed", tool[0]);
            return;
        }
    }
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux {
        socket: format!("ckasim-term-{}", std::process::id()),
    };
    // A plain prompt, the same for every user's shell set-up.
    let command = format!(
        "exec env CKASIM_HOME='{}' KUBECONFIG=/nonexistent TERM=xterm-256color SHELL=/bin/sh PS1='cka$ ' '{}' start secure-workspace",
        home.path().display(),
        env!("CARGO_BIN_EXE_ckasim"),
    );
    tmux.start_sized(&command, "140", "36");
    let first = tmux.wait_for("the exam screen with its terminal", |s| {
        (s.contains("1. Create the namespace") && s.contains("cka$"))
            .then(|| time_left(s))
            .flatten()
    });
    tmux.run(&["send-keys", "-t", "exam", "F6"]);
    tmux.wait_for("the terminal to have focus", |s| {
        s.contains("other keys go to the shell").then_some(())
    });
    tmux.run(&[
        "send-keys",
        "-t",
        "exam",
        "kubectl version --client",
        "Enter",
    ]);
    let screen = tmux.wait_for("kubectl's answer in the terminal", |s| {
        s.contains("Client Version:").then(|| s.to_string())
    });
    // Beside the task: the answer is on a line that also shows the task panel.
    let line = screen
        .lines()
        .find(|l| l.contains("Client Version:"))
        .unwrap();
    assert!(line.find("Client Version:").unwrap() > 50, "{screen}");
    // The task panel did not take the keys (`q` would have asked to quit).
    assert!(!screen.contains("Leave ckasim?"), "{screen}");
    tmux.wait_for("the clock to keep counting", |s| {
        time_left(s).filter(|t| *t < first)
    });

    // A flood of output that never ends by itself: keys and the clock go on.
    tmux.run(&["send-keys", "-t", "exam", "yes ckasim-flood", "Enter"]);
    let flooding = tmux.wait_for("the flood", |s| {
        (s.matches("ckasim-flood").count() > 3)
            .then(|| time_left(s))
            .flatten()
    });
    tmux.wait_for("the clock to count during the flood", |s| {
        time_left(s).filter(|t| *t < flooding)
    });
    tmux.run(&["send-keys", "-t", "exam", "F6"]);
    tmux.wait_for("the task panel's keys during the flood", |s| {
        (s.contains("j/k task") && s.contains("ckasim-flood")).then_some(())
    });
    tmux.run(&["send-keys", "-t", "exam", "F6", "C-c"]);
    tmux.wait_for("the flood to stop at Ctrl-C", |s| {
        s.lines()
            .rev()
            .find(|l| l.contains("ckasim-flood") || l.contains("cka$"))
            .is_some_and(|l| l.contains("cka$"))
            .then_some(())
    });

    // F6 back to the task panel; `q` asks to quit again.
    tmux.run(&["send-keys", "-t", "exam", "F6", "q"]);
    tmux.wait_for("the quit question", |s| {
        s.contains("Leave ckasim?").then_some(())
    });
    tmux.run(&["send-keys", "-t", "exam", "y"]);
    tmux.wait_for("ckasim to exit", |_| tmux.session_gone().then_some(()));
}
