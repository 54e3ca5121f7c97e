//! Every string the TUI shows, in one place (gitui's `strings.rs`), so
//! wording stays consistent and a translation has one file to touch.

use std::time::Duration;

pub const APP: &str = "ckasim";
pub const PICKER_TITLE: &str = "CKA practice exams";
pub const FILTER: &str = "Filter: ";
pub const FILTER_HINT: &str = "type to filter by id, title, domain or level";
pub const NO_MATCH: &str = "No scenario matches the filter.";
pub const COL_ID: &str = "ID";
pub const COL_DOMAIN: &str = "DOMAIN";
pub const COL_LEVEL: &str = "LEVEL";
pub const COL_TIME: &str = "TIME";
pub const COL_POINTS: &str = "POINTS";
pub const COL_BEST: &str = "BEST";
pub const NEVER: &str = "—";
pub const MODE_EXAM: &str = "exam: rubric hidden, graded once at the end";
pub const MODE_PRACTICE: &str = "practice: check tasks any time, hints, pause";

pub const TASKS: &str = "Tasks";
pub const NOTES: &str = "Notes";
pub const NOTES_EDITING: &str = "Notes (editing, Esc to leave)";
pub const NOTES_EMPTY: &str = "Tab to write notes";
pub const HINTS: &str = "Hints";
pub const LAST_CHECK: &str = "Last check of this task";
pub const NOT_CHECKED: &str = "Not checked yet: press c to check this task.";
pub const TIME_LEFT: &str = "time left";
pub const PAUSED: &str = "PAUSED";
pub const EXAM: &str = "EXAM";
pub const PRACTICE: &str = "PRACTICE";

pub const PRACTICE_ONLY: &str =
    "Checks, hints and pause are for practice mode; in an exam, g grades once at the end.";
pub const PAUSED_NO_CHECK: &str = "Paused: press p to resume before checking.";
pub const TIME_UP: &str = "Time is up: grading the exam.";

pub const CONTEXT: &str = "context";
pub const NO_CONTEXT: &str = "no context";
pub const CHECKING: &str = "checking…";
pub const REACHABLE: &str = "reachable";
pub const UNREACHABLE: &str = "unreachable";

pub const RESULTS: &str = "Results";
pub const PASSED: &str = "PASSED";
pub const NOT_PASSED: &str = "NOT PASSED";
pub const EXPECTED: &str = "expected";
pub const FOUND: &str = "found";
pub const ERROR: &str = "error";
pub const INSPECT: &str = "inspect";
pub const SOLUTION: &str = "Reference solution";
pub const SOLUTION_MANIFESTS: &str = "Manifests";
pub const NO_SOLUTION: &str = "This scenario has no reference solution.";
pub const FIRST_ATTEMPT: &str = "First graded attempt at this scenario.";

/// The change of a criterion's score since the previous attempt, padded to
/// line up: `+15 `, `±0  `, `-3  `.
pub fn since_last(delta: i64) -> String {
    let text = match delta {
        0 => "±0".to_string(),
        d if d > 0 => format!("+{d}"),
        d => d.to_string(),
    };
    format!("{text:<4}")
}

pub fn last_attempt(score: u32, max: u32, date: &str, delta: i64) -> String {
    let sign = if delta > 0 { "+" } else { "" };
    format!("Last attempt: {score}/{max} on {date} ({sign}{delta} now).")
}

pub const HELP_TITLE: &str = "Keys";
pub const HELP_CLOSE: &str = "Esc or ? closes this help.";
pub const CONFIRM_QUIT_TITLE: &str = "Quit?";
pub const CONFIRM_QUIT: &str = "Leave ckasim?";
pub const CONFIRM_QUIT_RUNNING: &str =
    "The exam keeps running: its clock does not stop. Run ckasim again to resume it.";
pub const CONFIRM_GRADE_TITLE: &str = "Finish?";
pub const CONFIRM_GRADE: &str =
    "Finish now and grade the cluster? Answers cannot be changed afterwards.";
pub const YES_NO: &str = "y yes   n no";

pub const NO_TERMINAL: &str = "the TUI needs a terminal (standard input and output are not a TTY); use 'ckasim list' or 'ckasim grade' in scripts";

/// Key help, one `(key, what)` per entry, by screen.
pub const ALL_DOMAINS: &str = "All";
/// The domain column of a mock exam, which spans the domains.
pub const MOCK_EXAM: &str = "Mock exam";
pub const ADDONS: &str = "Needs: ";
pub const INSTALL: &str = "Install";
pub const KEYS_PICKER: &[(&str, &str)] = &[
    ("type", "filter"),
    ("↑↓", "select"),
    ("Enter", "start"),
    ("Tab", "exam/practice"),
    ("←→", "domain"),
    ("Esc", "clear filter"),
    ("?", "help"),
    ("q", "quit"),
];
pub const KEYS_EXAM: &[(&str, &str)] = &[
    ("j/k", "task"),
    ("d", "done"),
    ("f", "flag"),
    ("Tab", "notes"),
    ("s", "shell"),
    ("g", "grade"),
    ("?", "help"),
    ("q", "quit"),
];
pub const KEYS_PRACTICE: &[(&str, &str)] = &[
    ("j/k", "task"),
    ("c", "check"),
    ("h", "hints"),
    ("p", "pause"),
    ("Tab", "notes"),
    ("s", "shell"),
    ("g", "grade"),
    ("?", "help"),
    ("q", "quit"),
];
pub const KEYS_NOTES: &[(&str, &str)] = &[
    ("type", "write"),
    ("Enter", "new line"),
    ("Esc", "back to tasks"),
];
pub const KEYS_RESULTS: &[(&str, &str)] = &[
    ("j/k", "scroll"),
    ("t", "terminal"),
    ("l", "language"),
    ("Esc", "back to scenarios"),
    ("?", "help"),
    ("q", "quit"),
];

/// The full help, by screen.
pub const HELP_PICKER: &[(&str, &str)] = &[
    ("type", "filter the scenarios (id, title, domain, level)"),
    (
        "← →",
        "one curriculum domain at a time (tried / scenarios per domain)",
    ),
    ("Backspace", "remove the last filter letter"),
    ("↑ ↓", "select a scenario"),
    ("Enter", "start it (the clock starts)"),
    ("Tab", "switch between exam and practice mode"),
    ("Esc", "clear the filter"),
    ("? F1", "this help"),
    ("q Ctrl-C", "quit (asks first)"),
];
pub const HELP_EXAM: &[(&str, &str)] = &[
    ("j k ↑ ↓", "select a task"),
    ("Space b PgDn PgUp", "scroll the task text"),
    ("Enter", "task text over the whole screen (Esc back)"),
    ("d", "mark the task done"),
    ("f", "flag the task for review"),
    ("Tab n", "write in the notes pane (Esc leaves)"),
    ("l", "task text in English / 中文"),
    (
        "s",
        "open your shell with the scenario's context and namespace; exit returns",
    ),
    ("g", "finish and grade (asks first)"),
    ("c", "practice: check the selected task now"),
    ("h", "practice: show hints"),
    ("p", "practice: pause / resume the clock"),
    ("? F1", "this help"),
    (
        "q Ctrl-C",
        "leave (the exam keeps running; ckasim resumes it)",
    ),
];
pub const HELP_RESULTS: &[(&str, &str)] = &[
    ("j k ↑ ↓", "scroll"),
    ("t", "the attempt's terminal, as it was at the end"),
    ("Space b PgDn PgUp", "scroll a page"),
    ("l", "solution notes in English / 中文"),
    ("Esc Enter", "back to the scenarios"),
    ("q", "quit"),
];

pub fn resumed(scenario: &str, expired: bool) -> String {
    if expired {
        format!("Resumed '{scenario}': its time ran out while ckasim was closed, grading it now.")
    } else {
        format!("Resumed the running attempt at '{scenario}'.")
    }
}

pub fn unknown_running(scenario: &str) -> String {
    format!("A running attempt at '{scenario}' was found, but that scenario is not in the library.")
}

pub fn unknown_scenario(id: &str) -> String {
    format!("unknown scenario '{id}'")
}

pub fn checked(task: &str, score: u32, max: u32, errors: usize) -> String {
    if errors > 0 {
        format!(
            "Checked '{task}': {score}/{max} — {errors} check(s) could not be evaluated (not your mistake)."
        )
    } else {
        format!("Checked '{task}': {score}/{max}.")
    }
}

pub fn grading(final_grade: bool, seconds: i64) -> String {
    let what = if final_grade {
        "Grading the exam"
    } else {
        "Checking the task"
    };
    format!("{what}: reading the cluster… {seconds}s")
}

pub fn grade_failed(reason: &str) -> String {
    format!("grading failed: {reason}; press g to try again")
}

pub fn read_only(holder: &str) -> String {
    format!(
        "Read-only: this attempt is open in {holder}; nothing is changed or saved here (q leaves)."
    )
}

pub fn cannot_lock(reason: &str) -> String {
    format!("Read-only: {reason}; nothing is changed or saved here (q leaves).")
}

pub const TAKEN_OVER: &str =
    "The other ckasim has closed: this attempt is yours now, and saved here again.";

pub fn save_failed(reason: &str) -> String {
    format!("cannot save the session: {reason}")
}

pub fn errors_note(count: usize) -> String {
    format!(
        "{count} check(s) could not be evaluated (marked !): they score 0 but are not your mistake."
    )
}

pub fn best_before(score: u32, max: u32, percent: f64, date: &str) -> String {
    format!("Best earlier attempt: {score}/{max} ({percent:.1}%) on {date}")
}

pub fn score_line(score: u32, max: u32, percent: f64) -> String {
    format!("Score {score}/{max} ({percent:.1}%)")
}

pub fn pass_mark(percent: u32) -> String {
    format!("pass mark {percent}%")
}

pub fn graded_from(when: &str, source: &str, used: &str) -> String {
    format!("Graded {when} from {source} · time used {used}")
}

/// Printed in the terminal before the shell starts. `namespace_set` says
/// whether kubectl's default namespace was set (through a temporary kubeconfig).
pub fn shell_banner(
    scenario: &str,
    namespace: Option<&str>,
    context: Option<&str>,
    namespace_set: bool,
    left: Duration,
) -> String {
    let mut s = format!(
        "ckasim: shell for '{scenario}', {} left. Type 'exit' to return to the exam.\n",
        clock(left)
    );
    s.push_str(&kubectl_note(namespace, context, namespace_set));
    s
}

/// What kubectl points at in a shell ckasim starts (a line, or nothing).
pub fn kubectl_note(namespace: Option<&str>, context: Option<&str>, namespace_set: bool) -> String {
    match (context, namespace, namespace_set) {
        (Some(c), Some(ns), true) => format!(
            "ckasim: kubectl uses context '{c}' with namespace '{ns}' here (a temporary kubeconfig; your kubeconfig files are not changed).\n"
        ),
        (_, Some(ns), _) => format!(
            "ckasim: the scenario's namespace is '{ns}' ($CKASIM_NAMESPACE); add -n {ns} to kubectl commands.\n"
        ),
        _ => String::new(),
    }
}

pub fn shell_failed(shell: &str, reason: &str) -> String {
    format!("cannot start the shell '{shell}': {reason}")
}

/// `34:05`, or `1:02:03` from an hour up.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

pub fn minutes(m: u64) -> String {
    format!("{m}m")
}

pub const TERMINAL: &str = "Terminal";
pub const TERMINAL_FOCUS_HINT: &str = "F6 to type here";
pub const TERMINAL_STARTING: &str = "starting the shell…";
pub const TERMINAL_SCROLLED: &str = "scrolled back";
pub const TERMINAL_RESTART: &str = "Enter starts a new shell";
pub const TERMINAL_ENDED: &str = "the exam is over; this is what the terminal showed";
pub const EXIT_OK: &str = "exit code 0";
pub const NO_NAMES: &str = "The task names no objects to type.";
pub const COPIED: &str = "Copied the selection to the clipboard (OSC 52).";
pub const KEYS_TERMINAL: &[(&str, &str)] = &[
    ("F6", "task panel"),
    ("F7", "zoom"),
    ("Shift-PgUp/PgDn", "scroll back"),
    ("other keys", "go to the shell"),
];
pub const KEYS_RESULTS_TERMINAL: &[(&str, &str)] = &[
    ("t", "back to the results"),
    ("Shift-PgUp/PgDn", "scroll back"),
    ("q", "quit"),
];
pub const HELP_TERMINAL: &[(&str, &str)] = &[
    (
        "F6 click",
        "task panel ↔ terminal (there other keys go to the shell)",
    ),
    ("F7 z", "zoom the focused panel; again: split screen"),
    ("y", "type the selected text, else the task's next name"),
    ("drag", "select task text: copied to the clipboard (OSC 52)"),
    ("S-PgUp/PgDn wheel", "scroll back in the terminal"),
];

pub fn shell_exited(status: &str) -> String {
    format!("ckasim: the shell exited ({status}). {TERMINAL_RESTART}.")
}

pub fn typed(name: &str) -> String {
    format!("Typed '{name}' into the terminal.")
}
