//! Observation checks on pods captured from a real cluster, with the
//! results `kubectl exec` gave there.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;
use crate::library::{Entry, rubric, scenario};
use crate::report::Source;

const NS: &str = "secure-workspace";
const POD_A: &str = "secure-app-757c767995-44slf";
const POD_B: &str = "secure-app-757c767995-nvkdm";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel)
}

/// The real reference answer of secure-workspace: two running nginx pods.
fn solved() -> Snapshot {
    Snapshot::read_files(&[fixture("real/secure-workspace/solved.json")]).unwrap()
}

/// A rubric of the given checks (TOML bodies of `[[criteria.checks]]`
/// tables) for a scenario owning the namespace `secure-workspace`, or its
/// load errors.
fn parse(checks: &[&str]) -> Result<Entry, String> {
    parse_in(NS, checks)
}

fn parse_in(ns: &str, checks: &[&str]) -> Result<Entry, String> {
    use std::fmt::Write as _;
    let scen = format!(
        "id = \"t\"\ntitle = \"T\"\nsummary = \"S\"\ndomain = \"storage\"\ndifficulty = \"easy\"\ntime_limit = \"5m\"\nnamespaces = [\"{ns}\"]\n[[tasks]]\nid = \"a\"\ntitle = \"A\"\nbody = \"B\"\n"
    );
    let scenario = scenario::parse("scenarios/t.toml", &scen, &|_| None).unwrap();
    let mut rub =
        "pass_percent = 66\n[[criteria]]\nid = \"c\"\ntitle = \"C\"\ntasks = [\"a\"]\n".to_string();
    for (i, body) in checks.iter().enumerate() {
        let _ = write!(
            rub,
            "[[criteria.checks]]\ntitle = \"k{i}\"\npoints = 1\n{body}\n"
        );
    }
    match rubric::parse("grading/t.toml", &rub, &scenario) {
        Ok(rubric) => Ok(Entry { scenario, rubric }),
        Err(e) => Err(e
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn entry(checks: &[&str]) -> Entry {
    parse(checks).unwrap_or_else(|e| panic!("{e}"))
}

fn errors_of(body: &str) -> String {
    parse(&[body]).err().unwrap_or_default()
}

const PODS: &str =
    "target = { pods_of = \"Deployment/secure-app\", namespace = \"secure-workspace\" }";

fn uid_check() -> String {
    format!("{PODS}\nobserve = {{ command = [\"id\", \"-u\"], stdout = {{ equals = \"1001\" }} }}")
}

fn token_dir_check() -> String {
    format!(
        "{PODS}\nobserve = {{ command = [\"ls\", \"/var/run/secrets/kubernetes.io/serviceaccount\"], fails = true, stderr = {{ contains = \"No such file or directory\" }} }}"
    )
}

fn result(
    pod: &str,
    command: &[&str],
    stdout: &str,
    stderr: &str,
    exit: Option<i64>,
) -> Observation {
    let snapshot = solved();
    let p = snapshot.get(Kind::Pod, Some(NS), pod).unwrap();
    Exec {
        namespace: NS.into(),
        pod: pod.into(),
        pod_uid: p.uid().map(str::to_string),
        container: "nginx".into(),
        command: command.iter().map(|s| (*s).to_string()).collect(),
        logs: None,
    }
    .record(stdout, stderr, exit)
}

fn grade_one(body: &str, snapshot: &Snapshot) -> crate::report::CheckResult {
    let e = entry(&[body]);
    crate::grade::evaluate(&e.rubric.criteria[0].checks[0], snapshot)
}

#[test]
fn plan_runs_each_command_once_in_every_running_pod_default_container() {
    let uid = uid_check();
    let same_again = format!("{PODS}\nobserve = {{ command = [\"id\", \"-u\"], exit_code = 0 }}");
    let e = entry(&[&uid, &same_again, &token_dir_check()]);
    let execs = plan(&e.rubric, &solved());
    let shown: Vec<String> = execs
        .iter()
        .map(|x| {
            format!(
                "{}/{} {} {}",
                x.namespace,
                x.pod,
                x.container,
                command_line(&x.command)
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            format!("{NS}/{POD_A} nginx id -u"),
            format!("{NS}/{POD_A} nginx ls /var/run/secrets/kubernetes.io/serviceaccount"),
            format!("{NS}/{POD_B} nginx id -u"),
            format!("{NS}/{POD_B} nginx ls /var/run/secrets/kubernetes.io/serviceaccount"),
        ]
    );
    assert!(execs.iter().all(|x| x.pod_uid.is_some()));
    // The observation lists come before the commands can be planned.
    assert!(lists(&e.rubric).contains(&(Kind::Pod, Some(NS.to_string()))));
}

#[test]
fn plan_skips_pods_that_are_not_running() {
    let mut list: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("real/secure-workspace/solved.json")).unwrap(),
    )
    .unwrap();
    for item in list["items"].as_array_mut().unwrap() {
        if item["metadata"]["name"] == POD_A {
            item["status"]["phase"] = json!("Pending");
        }
    }
    let mut s = Snapshot::default();
    for item in list["items"].as_array().unwrap() {
        s.insert(item.clone()).unwrap();
    }
    let e = entry(&[&uid_check()]);
    let execs = plan(&e.rubric, &s);
    assert_eq!(execs.len(), 1);
    assert_eq!(execs[0].pod, POD_B);
    // And the pod that did not run fails the check with the reason.
    s.add_observation(result(POD_B, &["id", "-u"], "1001\n", "", Some(0)));
    let r = grade_one(&uid_check(), &s);
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert!(
        r.actual
            .contains(&format!("pod/{POD_A} is not running (phase Pending)")),
        "{}",
        r.actual
    );
}

#[test]
fn uid_seen_in_every_pod_passes_and_says_what_was_seen() {
    let mut s = solved();
    s.add_observation(result(POD_A, &["id", "-u"], "1001\n", "", Some(0)));
    s.add_observation(result(POD_B, &["id", "-u"], "1001\n", "", Some(0)));
    let r = grade_one(&uid_check(), &s);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(r.actual, "'1001' in 2/2 pods (`id -u`)");
    assert_eq!(
        r.expected,
        "every pod of deployment secure-app in secure-workspace: `id -u` prints '1001'"
    );
    assert_eq!(
        r.inspect,
        "kubectl exec deploy/secure-app -n secure-workspace -- id -u"
    );
}

#[test]
fn one_pod_running_as_another_user_fails() {
    let mut s = solved();
    s.add_observation(result(POD_A, &["id", "-u"], "1001\n", "", Some(0)));
    s.add_observation(result(POD_B, &["id", "-u"], "0\n", "", Some(0)));
    let r = grade_one(&uid_check(), &s);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.actual, format!("pod/{POD_B}: stdout '0' (`id -u`)"));
}

#[test]
fn a_missing_token_directory_is_a_command_that_fails_with_the_reason() {
    let cmd = ["ls", "/var/run/secrets/kubernetes.io/serviceaccount"];
    let mut s = solved();
    let absent = "ls: /var/run/secrets/kubernetes.io/serviceaccount: No such file or directory\n";
    s.add_observation(result(POD_A, &cmd, "", absent, Some(1)));
    s.add_observation(result(POD_B, &cmd, "", absent, Some(1)));
    let r = grade_one(&token_dir_check(), &s);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(
        r.actual,
        "'No such file or directory' in 2/2 pods (`ls /var/run/secrets/kubernetes.io/serviceaccount`)"
    );
    // The token mounted: `ls` succeeds, which is the candidate's mistake.
    s.add_observation(result(
        POD_B,
        &cmd,
        "ca.crt\nnamespace\ntoken\n",
        "",
        Some(0),
    ));
    let r = grade_one(&token_dir_check(), &s);
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.actual.contains("succeeded, printing 'ca.crt'"),
        "{}",
        r.actual
    );
}

#[test]
fn a_command_missing_from_the_image_or_a_refused_exec_is_an_error_never_a_pass() {
    let cmd = ["ls", "/var/run/secrets/kubernetes.io/serviceaccount"];
    let mut s = solved();
    s.add_observation(result(POD_A, &cmd, "", "sh: ls: not found\n", Some(127)));
    s.add_observation(result(POD_B, &cmd, "", "sh: ls: not found\n", Some(127)));
    let r = grade_one(&token_dir_check(), &s);
    assert_eq!(r.status, Status::Error, "{r:#?}");
    assert!(r.actual.contains("cannot run in pod/"), "{}", r.actual);
    assert!(
        r.actual.contains("(exit 127): sh: ls: not found"),
        "{}",
        r.actual
    );

    let mut forbidden = result(POD_A, &cmd, "", "", None);
    forbidden.error = Some(format!("forbidden: cannot run `ls` ({RBAC_HINT})"));
    s.add_observation(forbidden);
    let r = grade_one(&token_dir_check(), &s);
    assert_eq!(r.status, Status::Error);
    assert!(r.actual.contains("assets/grader-rbac.yaml"), "{}", r.actual);
}

#[test]
fn no_recorded_result_is_an_error_that_says_how_to_get_one() {
    let r = grade_one(&uid_check(), &solved());
    assert_eq!(r.status, Status::Error);
    assert!(
        r.actual
            .starts_with("no result of `id -u` recorded for pod/"),
        "{}",
        r.actual
    );
    assert_eq!(r.points, 0);
}

#[test]
fn a_result_of_an_earlier_pod_with_the_same_name_does_not_count() {
    let mut s = solved();
    let mut stale = result(POD_A, &["id", "-u"], "1001\n", "", Some(0));
    stale.pod_uid = Some("another-uid".into());
    s.add_observation(stale);
    s.add_observation(result(POD_B, &["id", "-u"], "1001\n", "", Some(0)));
    let r = grade_one(&uid_check(), &s);
    assert_eq!(r.status, Status::Error, "{r:#?}");
}

#[test]
fn match_any_passes_on_one_pod_and_regexes_find_a_line() {
    let body = "target = { pods_of = \"Deployment/secure-app\", namespace = \"secure-workspace\", match = \"any\" }\nobserve = { command = [\"grep\", \"Cap\", \"/proc/1/status\"], stdout = { matches = \"(?m)^CapEff:\\\\s+0+$\" } }";
    let cmd = ["grep", "Cap", "/proc/1/status"];
    let mut s = solved();
    let zero = "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n";
    s.add_observation(result(POD_A, &cmd, zero, "", Some(0)));
    s.add_observation(result(
        POD_B,
        &cmd,
        "CapEff:\t00000000a80425fb\n",
        "",
        Some(0),
    ));
    let r = grade_one(body, &s);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(
        r.actual,
        "'CapEff:\t0000000000000000' in 1/2 pods (`grep Cap /proc/1/status`)"
    );
}

#[test]
fn tokens_in_outputs_are_digested_and_outputs_capped() {
    let jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl";
    let (text, cut) = scrub(&format!("token: {jwt}\n"));
    assert!(!cut);
    assert!(!text.contains("eyJ"), "{text}");
    assert!(text.starts_with("token: <redacted token sha256:"), "{text}");
    // The same token always gives the same digest: a saved snapshot grades alike.
    assert_eq!(text, scrub(&format!("token: {jwt}\n")).0);
    let (long, cut) = scrub(&"é".repeat(OUTPUT_CAP));
    assert!(cut);
    assert!(long.len() <= OUTPUT_CAP && !long.is_empty());
}

#[test]
fn records_round_trip_through_a_snapshot_file_and_grade_alike() {
    let mut s = solved();
    s.add_observation(result(POD_A, &["id", "-u"], "1001\n", "", Some(0)));
    s.add_observation(result(POD_B, &["id", "-u"], "1001\n", "", Some(0)));
    let list = s.to_redacted_list();
    let records: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == KIND)
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["apiVersion"], API_VERSION);
    assert_eq!(records[0]["metadata"]["namespace"], NS);
    assert_eq!(records[0]["command"], json!(["id", "-u"]));
    assert_eq!(records[0]["exitCode"], 0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, serde_json::to_string(&list).unwrap()).unwrap();
    let again = Snapshot::read_files(&[&file]).unwrap();
    assert_eq!(again.observations(), s.observations());
    let e = entry(&[&uid_check(), &token_dir_check()]);
    let at = chrono::DateTime::UNIX_EPOCH;
    let live = crate::grade::grade(
        &e,
        &s,
        at,
        Source::Context {
            context: "c".into(),
        },
    );
    let saved = crate::grade::grade(
        &e,
        &again,
        at,
        Source::Context {
            context: "c".into(),
        },
    );
    assert_eq!(
        serde_json::to_value(&live.criteria).unwrap(),
        serde_json::to_value(&saved.criteria).unwrap()
    );
}

#[test]
fn a_hand_made_record_with_a_token_is_digested_when_read() {
    let v = json!({"apiVersion": API_VERSION, "kind": KIND,
        "metadata": {"name": "x", "namespace": NS},
        "pod": POD_A, "container": "nginx", "command": ["cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"],
        "stdout": "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.sig", "exitCode": 0});
    let o = Observation::from_value(v).unwrap();
    assert!(
        o.stdout.starts_with("<redacted token sha256:"),
        "{}",
        o.stdout
    );
}

#[test]
fn validation_names_what_to_fix() {
    let e = errors_of(&format!("{PODS}\nobserve = {{ command = [] }}"));
    assert!(e.contains("observe needs a command"), "{e}");
    let e = errors_of(&format!(
        "{PODS}\nobserve = {{ command = [\"id\"], exit_code = 1, fails = true }}"
    ));
    assert!(e.contains("exit_code or fails, not both"), "{e}");
    let e = errors_of(&format!(
        "{PODS}\nobserve = {{ command = [\"id\"], stdout = {{ matches = \"(\" }} }}"
    ));
    assert!(e.contains("observe stdout: invalid regex '('"), "{e}");
    let e = errors_of(&format!(
        "{PODS}\nobserve = {{ command = [\"id\"], stdout = {{ equals = \"1\", contains = \"1\" }} }}"
    ));
    assert!(
        e.contains("exactly one of equals, contains, matches"),
        "{e}"
    );
    let e = errors_of(
        "target = { kind = \"Deployment\", namespace = \"secure-workspace\", name = \"secure-app\" }\nobserve = { command = [\"id\"] }",
    );
    assert!(e.contains("observe runs in pods"), "{e}");
    assert!(e.starts_with("grading/t.toml:"), "{e}");
    let e = errors_of(&format!(
        "{PODS}\nobserve = {{ command = [\"id\"], user = \"root\" }}"
    ));
    assert!(e.contains("unknown field `user`"), "{e}");
}

#[test]
fn a_named_container_that_the_pod_lacks_fails() {
    let body = format!(
        "{PODS}\nobserve = {{ command = [\"id\", \"-u\"], container = \"app\", stdout = {{ equals = \"1001\" }} }}"
    );
    let r = grade_one(&body, &solved());
    assert_eq!(r.status, Status::Fail);
    assert!(r.actual.contains("has no container 'app'"), "{}", r.actual);
    assert!(r.inspect.ends_with("-c app -- id -u"), "{}", r.inspect);
}

// ---- logs ---------------------------------------------------------------

const TRIAGE: &str = "mock-triage";
const WRITER: &str = "log-writer-dff57f847-8c95b";

/// The start of the mock exam: log-writer crash-loops (2 restarts),
/// inventory never pulled its image.
fn triage() -> Snapshot {
    Snapshot::read_files(&[fixture("real/cka-security-mock/start.json")]).unwrap()
}

fn logs_read(
    pod: &Snapshot,
    name: &str,
    container: &str,
    previous: bool,
    text: &str,
) -> Observation {
    let p = pod.get(Kind::Pod, Some(TRIAGE), name).unwrap();
    Exec {
        namespace: TRIAGE.into(),
        pod: name.into(),
        pod_uid: p.uid().map(str::to_string),
        container: container.into(),
        command: Vec::new(),
        logs: Some(Logs { previous }),
    }
    .record(text, "", None)
}

fn logs_check(deployment: &str, text: &str) -> crate::library::rubric::Check {
    let body = format!(
        "target = {{ pods_of = \"Deployment/{deployment}\", namespace = \"{TRIAGE}\" }}\nlogs_contain = {{ text = \"{text}\" }}"
    );
    let mut e = parse_in(TRIAGE, &[&body]).unwrap_or_else(|e| panic!("{e}"));
    e.rubric.criteria.remove(0).checks.remove(0)
}

#[test]
fn logs_of_a_crash_looping_container_include_the_previous_instance() {
    let s = triage();
    let check = logs_check("log-writer", "Permission denied");
    let e = parse_in(
        TRIAGE,
        &["target = { pods_of = \"Deployment/log-writer\", namespace = \"mock-triage\" }\nlogs_contain = { text = \"x\" }"],
    )
    .unwrap();
    let reads = plan(&e.rubric, &s);
    let shown: Vec<(String, Option<Logs>)> =
        reads.iter().map(|r| (r.pod.clone(), r.logs)).collect();
    assert_eq!(
        shown,
        [
            (WRITER.to_string(), Some(Logs { previous: false })),
            (WRITER.to_string(), Some(Logs { previous: true })),
        ]
    );
    let mut s = s;
    s.add_observation(logs_read(&s, WRITER, "writer", false, "starting\n"));
    s.add_observation(logs_read(
        &s,
        WRITER,
        "writer",
        true,
        "starting\nsh: can't create /logs/app.log: Permission denied\n",
    ));
    let r = crate::grade::evaluate(&check, &s);
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    assert_eq!(
        r.actual,
        "'sh: can't create /logs/app.log: Permission denied' in the previous logs in 1/1 pod (logs)"
    );
    assert_eq!(
        r.inspect,
        format!(
            "kubectl logs deploy/log-writer -n mock-triage (add --previous for the instance before a restart)"
        )
    );
    let r = crate::grade::evaluate(&logs_check("log-writer", "ready"), &s);
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert_eq!(r.actual, "not in the logs (last line: 'starting') (logs)");
}

#[test]
fn a_container_that_never_started_has_no_logs_and_an_unread_log_is_an_error() {
    let s = triage();
    let r = crate::grade::evaluate(&logs_check("inventory", "ready"), &s);
    assert_eq!(r.status, Status::Fail, "{r:#?}");
    assert!(
        r.actual.contains("container 'inventory' of pod/inventory-554fd6954f-mrnrp never started (ImagePullBackOff): no logs"),
        "{}",
        r.actual
    );
    let mut s = s;
    let mut forbidden = logs_read(&s, WRITER, "writer", false, "");
    forbidden.error = Some("forbidden: cannot read the logs".into());
    s.add_observation(forbidden);
    let r = crate::grade::evaluate(&logs_check("log-writer", "ready"), &s);
    assert_eq!(r.status, Status::Error, "{r:#?}");
    assert!(r.actual.contains("current logs of pod/"), "{}", r.actual);
    assert!(
        r.actual.contains("no previous logs of pod/"),
        "{}",
        r.actual
    );
}

#[test]
fn logs_keep_their_latest_lines_and_round_trip() {
    let s = triage();
    let long = (0..2000).fold(String::new(), |mut acc, i| {
        use std::fmt::Write as _;
        let _ = writeln!(acc, "line {i}");
        acc
    });
    let o = logs_read(&s, WRITER, "writer", false, &long);
    assert!(o.truncated);
    assert!(
        o.stdout.ends_with("line 1999\n"),
        "{}",
        &o.stdout[o.stdout.len() - 20..]
    );
    assert!(o.stdout.starts_with("line "));
    let back = Observation::from_value(o.to_value()).unwrap();
    assert_eq!(back, o);
    assert_eq!(o.to_value()["logs"], json!({"previous": false}));
}
