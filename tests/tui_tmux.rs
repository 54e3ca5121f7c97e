//! End to end: the real binary in a tmux pane. Start secure-workspace, see
//! the tasks and a running clock, kill -9 the process, start again, see the
//! same attempt resumed with less time left; two ckasim on one attempt: the
//! second only views it until kill -9 of the first, then takes it over, and
//! nothing either saved is lost;
//! Ctrl-C while `start` applies the setup, then `reset`, leaves the scenario
//! clean; type `kubectl version --client` into the embedded terminal and
//! see its answer beside the task while the clock counts. Skipped (with the
//! reason printed) where tmux (or kubectl) is not installed.

#[allow(
    clippy::unwrap_used,
    reason = "test support: a panic is how it fails a test"
)]
mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

/// One real binary at a time: the tests run in parallel threads, and several
/// TUIs redrawing at once on two cores make each one's pace the others'.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

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
        self.wait_longer_for(WAIT, what, ready)
    }

    /// `wait_for` with its own bound, for a step whose pace is the machine's:
    /// a debug build working off a flood of output on busy cores.
    fn wait_longer_for<T>(
        &self,
        wait: Duration,
        what: &str,
        ready: impl Fn(&str) -> Option<T>,
    ) -> T {
        let until = Instant::now() + wait;
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
    let _serial = one_at_a_time();
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

impl Tmux {
    /// Starts `command` in a second tmux session named `name`, 160 columns
    /// wide (the status line is long).
    fn start_named(&self, name: &str, command: &str) {
        let out = self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "160",
            "-y",
            "30",
            command,
        ]);
        assert!(out.status.success(), "{out:?}");
    }

    fn screen_of(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", name]).stdout).into()
    }

    fn wait_on(&self, name: &str, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + WAIT;
        loop {
            let screen = self.screen_of(name);
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < until,
                "timed out waiting for {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, name: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", name];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    fn pid_of(&self, name: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", name, "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn gone(&self, name: &str) -> bool {
        !self.run(&["has-session", "-t", name]).status.success()
    }

    /// `q`, `y`: leaves ckasim in session `name`.
    fn quit(&self, name: &str) {
        self.keys(name, &["q"]);
        self.wait_on(name, "the quit question", |s| s.contains("Leave ckasim?"));
        self.keys(name, &["y"]);
        self.wait_on(name, "ckasim to exit", |_| self.gone(name));
    }

    /// Waits until the attempt's file under `home` holds `value` at `key`,
    /// as saved by ckasim in session `name`.
    fn wait_saved(&self, home: &std::path::Path, name: &str, key: &str, value: &serde_json::Value) {
        let until = Instant::now() + WAIT;
        while &session_file(home)[key] != value {
            assert!(
                Instant::now() < until,
                "{key} was not saved as {value}:\n{}",
                self.screen_of(name)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The one session file under `home`.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a panic is how it fails a test"
)]
fn session_file(home: &std::path::Path) -> serde_json::Value {
    let files: Vec<_> = std::fs::read_dir(home.join("sessions"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "one attempt, not two");
    serde_json::from_slice(&std::fs::read(files[0].path()).unwrap()).unwrap()
}

/// The saved attempt's notes, flags and done marks.
fn assert_attempt(home: &std::path::Path, notes: &str, flagged: &[&str], done: &[&str]) {
    let saved = session_file(home);
    assert_eq!(saved["notes"], notes, "{saved}");
    assert_eq!(saved["flagged"], serde_json::json!(flagged), "{saved}");
    assert_eq!(saved["done"], serde_json::json!(done), "{saved}");
}

#[test]
fn a_second_ckasim_views_the_attempt_read_only_and_takes_it_over_after_kill_9() {
    let _serial = one_at_a_time();
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux {
        socket: format!("ckasim-two-{}", std::process::id()),
    };
    let command = format!(
        "exec env CKASIM_HOME='{}' KUBECONFIG=/nonexistent TERM=xterm-256color '{}' start secure-workspace --mode practice",
        home.path().display(),
        env!("CARGO_BIN_EXE_ckasim"),
    );

    // The first ckasim: flag the first task, type a note (saved on the tick).
    tmux.start_named("first", &command);
    tmux.wait_on("first", "the exam screen", |s| {
        s.contains("1. Create the namespace")
    });
    let holder = tmux.pid_of("first");
    tmux.keys("first", &["f", "Tab"]);
    tmux.keys("first", &["-l", "kept"]);
    tmux.keys("first", &["Tab"]);
    tmux.wait_saved(home.path(), "first", "notes", &serde_json::json!("kept"));

    // The second ckasim on the same attempt: shown, read-only, holder named.
    tmux.start_named("second", &command);
    let screen = tmux.wait_on("second", "the read-only notice", |s| {
        s.contains("Read-only: this attempt is open in ckasim process")
    });
    assert!(
        screen.contains(&format!("ckasim process {holder};")),
        "{screen}"
    );
    // Its keys change nothing: no flag toggled, no note pane, no done mark;
    // moving to the second task still works (and shows the keys were read).
    tmux.keys("second", &["f", "Tab", "n", "d", "j"]);
    tmux.wait_on("second", "the second task selected", |s| {
        s.lines()
            .any(|l| l.contains("▸") && l.contains("2. A ServiceAccount"))
    });
    assert_attempt(home.path(), "kept", &["namespace"], &[]);

    // kill -9 of the first: the OS releases its lock, the second takes the
    // attempt over (read again from disk) and saves from now on.
    let killed = Command::new("kill").args(["-9", &holder]).status().unwrap();
    assert!(killed.success());
    tmux.wait_on("first", "the first pane to close", |_| tmux.gone("first"));
    tmux.wait_on("second", "the take-over", |s| {
        s.contains("this attempt is yours now")
    });
    tmux.keys("second", &["d"]);
    let done = serde_json::json!(["service-account"]);
    tmux.wait_saved(home.path(), "second", "done", &done);
    tmux.quit("second");

    // A third ckasim resumes the attempt with everything both saved.
    tmux.start_named("third", &command);
    let screen = tmux.wait_on("third", "the resumed attempt", |s| {
        s.contains("Resumed the running attempt at 'secure-workspace'")
    });
    assert!(!screen.contains("Read-only"), "{screen}");
    tmux.keys("third", &["d"]);
    let done = serde_json::json!(["namespace", "service-account"]);
    tmux.wait_saved(home.path(), "third", "done", &done);
    assert_attempt(
        home.path(),
        "kept",
        &["namespace"],
        &["namespace", "service-account"],
    );
    tmux.quit("third");
}

#[test]
fn ctrl_c_while_start_sets_up_then_reset_leaves_the_scenario_clean() {
    use support::apiserver::{FakeApiServer, Fault};
    let _serial = one_at_a_time();
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let namespace = |name: &str| serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
    let leftover = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "leftover", "namespace": "tshoot-image"}});
    let keep = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "keep-me", "namespace": "bystander"}});
    let server = FakeApiServer::start(vec![
        namespace("tshoot-image"),
        leftover,
        namespace("bystander"),
        keep,
    ]);
    // The Deployment of the setup is never answered: start is stuck there.
    server.fail(
        "/apis/apps/v1/namespaces/tshoot-image/deployments",
        Fault::Hang,
    );
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = server.kubeconfig(home.path(), "kind-fake");
    let tmux = Tmux {
        socket: format!("ckasim-int-{}", std::process::id()),
    };
    let env = format!(
        "env CKASIM_HOME='{}' KUBECONFIG='{}' TERM=xterm-256color",
        home.path().display(),
        kubeconfig.display()
    );
    let bin = env!("CARGO_BIN_EXE_ckasim");
    tmux.start_named(
        "start",
        // The shell survives the Ctrl-C (a handler, reset in ckasim) to
        // show the exit status.
        &format!(
            "sh -c \"trap true INT; {env} '{bin}' start troubleshoot-image-tag; echo exit=\\$?; sleep 60\""
        ),
    );
    tmux.wait_on("start", "the setup to begin", |s| {
        s.contains("applied namespace/tshoot-image")
    });
    tmux.keys("start", &["C-c"]);
    let screen = tmux.wait_on("start", "start to stop", |s| s.contains("exit="));
    assert!(screen.contains("exit=130"), "{screen}");
    assert!(
        screen.contains(
            "ckasim: interrupted: 'troubleshoot-image-tag' may be half set up; 'ckasim reset troubleshoot-image-tag' starts it clean"
        ),
        "{screen}"
    );
    // No attempt was begun.
    assert!(std::fs::read_dir(home.path().join("sessions")).map_or(true, |d| d.count() == 0));

    server.clear_faults();
    let out = Command::new(bin)
        .env("CKASIM_HOME", home.path())
        .env("KUBECONFIG", &kubeconfig)
        .args(["reset", "troubleshoot-image-tag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut names: Vec<String> = server
        .objects()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["kind"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ConfigMap keep-me",
            "Deployment frontend",
            "Namespace bystander",
            "Namespace tshoot-image",
        ]
    );
}

/// The embedded terminal: F6 gives it the keys, `kubectl version --client`
/// runs in the candidate's shell beside the task, and the countdown keeps
/// running while it does. Skipped where tmux or kubectl is missing.
#[test]
fn kubectl_runs_in_the_embedded_terminal_while_the_clock_counts() {
    let _serial = one_at_a_time();
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

    // A flood of output (200 000 lines): the clock goes on while the
    // terminal works it off, and the prompt comes back after it.
    tmux.run(&[
        "send-keys",
        "-t",
        "exam",
        "seq 1 200000; echo flood-done",
        "Enter",
    ]);
    let flooding = tmux.wait_for("the flood", |s| {
        s.lines()
            .filter(|l| !l.contains("seq"))
            .flat_map(|l| l.split(|c: char| !c.is_ascii_digit()))
            .any(|number| number.len() >= 4)
            .then(|| time_left(s))
            .flatten()
    });
    tmux.wait_for("the clock to count during the flood", |s| {
        time_left(s).filter(|t| *t < flooding)
    });
    tmux.wait_longer_for(
        Duration::from_secs(120),
        "the prompt after the flood",
        |s| {
            s.lines()
                .any(|l| l.contains("flood-done") && !l.contains("echo"))
                .then_some(())
        },
    );

    // A flood that never ends by itself: the task panel still takes its
    // keys, and Ctrl-C in the terminal stops it.
    tmux.run(&["send-keys", "-t", "exam", "yes ckasim-flood", "Enter"]);
    tmux.wait_for("the endless flood", |s| {
        (s.matches("ckasim-flood").count() > 3).then_some(())
    });
    tmux.run(&["send-keys", "-t", "exam", "F6"]);
    tmux.wait_for("the task panel's keys during the flood", |s| {
        (s.contains("j/k task") && s.contains("ckasim-flood")).then_some(())
    });
    tmux.run(&["send-keys", "-t", "exam", "F6"]);
    tmux.wait_for("the terminal's focus during the flood", |s| {
        s.contains("other keys go to the shell").then_some(())
    });
    tmux.run(&["send-keys", "-t", "exam", "C-c"]);
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
