//! `ckasim auth can-i` as a user runs it: kubectl's arguments, `yes`/`no`
//! and kubectl's exit codes, answered from snapshot files.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rbac")
        .join(name)
}

/// `ckasim auth can-i ARGS... --snapshot` the default roles and the conformance objects.
fn can_i(args: &[&str]) -> Output {
    can_i_on(
        args,
        &[fixture("default-policy.yaml"), fixture("conformance.yaml")],
    )
}

fn can_i_on(args: &[&str], files: &[PathBuf]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::cargo_bin("ckasim")
        .unwrap()
        .env("CKASIM_HOME", home.path())
        .env_remove("KUBECONFIG")
        .args(["auth", "can-i"])
        .args(args)
        .arg("--snapshot")
        .args(files)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn answers(args: &[&str], out: &str, code: i32) {
    let o = can_i(args);
    assert_eq!(stdout(&o), out, "{args:?}: {}", stderr(&o));
    assert_eq!(o.status.code(), Some(code), "{args:?}");
}

#[test]
fn yes_exits_0_and_no_exits_1() {
    answers(&["get", "pods", "-n", "dev", "--as", "jane"], "yes\n", 0);
    answers(&["delete", "pods", "-n", "dev", "--as", "jane"], "no\n", 1);
    answers(&["get", "pods", "--namespace=prod", "--as=jane"], "no\n", 1);
}

#[test]
fn resource_types_resolve_like_kubectl() {
    for t in ["pods", "po", "pod", "Pod"] {
        answers(&["list", t, "-n", "dev", "--as", "jane"], "yes\n", 0);
    }
    for t in [
        "deployments.apps",
        "deploy",
        "deployments.v1.apps",
        "deployment",
    ] {
        answers(&["create", t, "-n", "dev", "--as", "editor"], "yes\n", 0);
    }
    // A name after the type.
    answers(
        &["delete", "deploy/web", "-n", "dev", "--as", "boss"],
        "yes\n",
        0,
    );
}

#[test]
fn an_unknown_type_is_one_line_and_exit_2() {
    let o = can_i(&["get", "pdos", "--as", "jane"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("ckasim: unknown resource type 'pdos'"),
        "{err}"
    );
    // The group decides: there are no deployments in batch.
    assert_eq!(
        can_i(&["get", "deployments.batch", "--as", "jane"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn resource_names_never_allow_requests_without_a_name() {
    let ci = "system:serviceaccount:dev:ci";
    answers(
        &["get", "secrets/db-creds", "-n", "dev", "--as", ci],
        "yes\n",
        0,
    );
    answers(
        &["get", "secrets/other", "-n", "dev", "--as", ci],
        "no\n",
        1,
    );
    for verb in ["list", "watch", "get"] {
        answers(&[verb, "secrets", "-n", "dev", "--as", ci], "no\n", 1);
    }
    for verb in ["create", "deletecollection", "list"] {
        answers(&[verb, "configmaps", "-n", "dev", "--as", ci], "no\n", 1);
    }
    answers(
        &["update", "cm/app-config", "-n", "dev", "--as", ci],
        "yes\n",
        0,
    );
}

#[test]
fn explain_shows_the_binding_and_the_rule() {
    let o = can_i(&[
        "get",
        "secrets/db-creds",
        "-n",
        "dev",
        "--as",
        "system:serviceaccount:dev:ci",
        "--explain",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        concat!(
            "yes\n",
            "subject: 'system:serviceaccount:dev:ci' in groups 'system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'\n",
            "request: get secrets/db-creds in namespace \"dev\"\n",
            "allowed by RoleBinding \"named-access/dev\" of Role \"named-access\" to ServiceAccount \"ci/dev\"\n",
            "rule: apiGroups: [\"\"], resources: [\"secrets\"], resourceNames: [\"db-creds\"], verbs: [\"get\"]\n",
        )
    );
    let no = can_i(&["get", "secrets", "-n", "prod", "--as", "jane", "--explain"]);
    assert_eq!(no.status.code(), Some(1));
    assert!(
        stdout(&no)
            .ends_with("request: get secrets in namespace \"prod\"\nno RBAC policy matched\n"),
        "{}",
        stdout(&no)
    );
    let root = can_i(&[
        "delete",
        "nodes/n1",
        "--as",
        "root",
        "--as-group",
        "system:masters",
        "--explain",
    ]);
    assert!(
        stdout(&root).contains(
            "allowed: the group system:masters is allowed everything before RBAC is consulted"
        ),
        "{}",
        stdout(&root)
    );
}

#[test]
fn a_missing_role_is_named_as_the_api_server_names_it() {
    answers(
        &["create", "deploy", "-n", "dev", "--as", "wanderer"],
        "no - RBAC: role.rbac.authorization.k8s.io \"prod-deployer\" not found\n",
        1,
    );
}

#[test]
fn all_namespaces_counts_only_cluster_role_bindings() {
    answers(&["list", "secrets", "-A", "--as", "dave"], "no\n", 1);
    answers(
        &["list", "secrets", "-n", "dev", "--as", "dave"],
        "yes\n",
        0,
    );
    answers(
        &[
            "list",
            "secrets",
            "--all-namespaces",
            "--as",
            "lee",
            "--as-group",
            "manager",
        ],
        "yes\n",
        0,
    );
}

#[test]
fn as_group_replaces_a_service_accounts_groups() {
    let ask = ["delete", "deploy/x", "-n", "team-a"];
    let sa = ["--as", "system:serviceaccount:team-a:builder"];
    answers(&[&ask[..], &sa].concat(), "yes\n", 0);
    let ci = ["--as-group", "ci"];
    answers(&[&ask[..], &sa, &ci].concat(), "no\n", 1);
    let own = ["--as-group", "system:serviceaccounts:team-a"];
    answers(&[&ask[..], &sa, &ci, &own].concat(), "yes\n", 0);
}

#[test]
fn subresources_and_non_resource_urls() {
    let scaler = "system:serviceaccount:prod:autoscaler";
    answers(
        &[
            "update",
            "deploy/web",
            "--subresource",
            "scale",
            "-n",
            "prod",
            "--as",
            scaler,
        ],
        "yes\n",
        0,
    );
    answers(
        &["update", "deploy/web", "-n", "prod", "--as", scaler],
        "no\n",
        1,
    );
    answers(
        &[
            "get",
            "pods",
            "--subresource=log",
            "-n",
            "dev",
            "--as",
            "x",
            "--as-group",
            "qa",
        ],
        "yes\n",
        0,
    );
    answers(&["get", "/logs/", "--as", "monitor"], "yes\n", 0);
    answers(&["get", "/logs", "--as", "monitor"], "no\n", 1);
    answers(&["get", "/healthz", "--as", "system:anonymous"], "yes\n", 0);
    answers(&["get", "/api", "--as", "system:anonymous"], "no\n", 1);
    let o = can_i(&["get", "/logs/", "--subresource", "log", "--as", "monitor"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "ckasim: --subresource can not be used with a non-resource URL\n"
    );
}

#[test]
fn kubectls_warnings_go_to_stderr() {
    let o = can_i(&["list", "nodes", "--as", "ops"]);
    assert_eq!(stdout(&o), "yes\n");
    assert_eq!(
        stderr(&o),
        "Warning: resource 'nodes' is not namespace scoped\n"
    );
    let o = can_i(&["list", "nodes", "-A", "--as", "ops"]);
    assert_eq!(stderr(&o), "");
    let o = can_i(&["frob", "pods", "-n", "dev", "--as", "jane"]);
    assert_eq!(stdout(&o), "no\n");
    assert_eq!(stderr(&o), "Warning: verb 'frob' is not a known verb\n");
}

#[test]
fn quiet_prints_nothing() {
    let o = can_i(&["get", "pods", "-n", "dev", "--as", "jane", "-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty());
}

#[test]
fn usage_mistakes_are_one_line_and_exit_2() {
    let o = can_i(&["get", "pods"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "ckasim: auth can-i needs --as SUBJECT (a user name, or system:serviceaccount:NS:NAME)\n"
    );
    let o = can_i_on(
        &["get", "pods", "--as", "jane"],
        &[PathBuf::from("no-such.json")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "ckasim: no-such.json: cannot read: no such file\n"
    );
    let o = can_i(&["get", "pods", "--as", ""]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn all_namespaces_wins_over_a_namespace_as_in_kubectl() {
    answers(
        &["get", "pods", "-n", "dev", "-A", "--as", "jane"],
        "no\n",
        1,
    );
    answers(
        &["list", "nodes", "-n", "dev", "-A", "--as", "ops"],
        "yes\n",
        0,
    );
}

#[test]
fn json_snapshots_and_custom_resources_count() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("rbac.json");
    // As `kubectl get crd,clusterroles,clusterrolebindings -o json` prints them.
    std::fs::write(
        &json,
        serde_json::json!({
            "apiVersion": "v1", "kind": "List", "metadata": { "resourceVersion": "" },
            "items": [
                { "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                  "metadata": { "name": "crontabs.stable.example.com" },
                  "spec": { "group": "stable.example.com", "scope": "Namespaced",
                            "names": { "kind": "CronTab", "listKind": "CronTabList", "plural": "crontabs",
                                       "singular": "crontab", "shortNames": ["ct"] },
                            "versions": [{ "name": "v1", "served": true, "storage": true }] } },
                { "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                  "metadata": { "name": "crontab-editor", "uid": "0b6e1a0c-3c1e-4f0e-9d55-1f8a2b3c4d5e",
                                "resourceVersion": "5120", "creationTimestamp": "2026-11-29T14:10:00Z" },
                  "rules": [{ "apiGroups": ["stable.example.com"], "resources": ["crontabs"],
                              "verbs": ["get", "list", "create"] }] },
                { "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                  "metadata": { "name": "crontab-editors" },
                  "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "crontab-editor" },
                  "subjects": [{ "apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "cron" }] }
            ]
        })
        .to_string(),
    )
    .unwrap();
    let files = [json, fixture("default-policy.yaml")];
    let ask = |args: &[&str]| {
        let o = can_i_on(args, &files);
        (stdout(&o), o.status.code())
    };
    let yes = ("yes\n".to_string(), Some(0));
    assert_eq!(
        ask(&["create", "ct", "--as", "u", "--as-group", "cron"]),
        yes
    );
    assert_eq!(
        ask(&[
            "list",
            "crontabs.stable.example.com",
            "-A",
            "--as",
            "u",
            "--as-group",
            "cron"
        ]),
        yes
    );
    assert_eq!(
        ask(&["delete", "crontab/x", "--as", "u", "--as-group", "cron"]),
        ("no\n".to_string(), Some(1))
    );
    // The default roles of the second file are there too.
    assert_eq!(ask(&["get", "/version", "--as", "u"]), yes);
}

/// A library of one scenario whose rubric checks RBAC.
fn rbac_library(dir: &Path) {
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::create_dir_all(dir.join("grading")).unwrap();
    std::fs::write(
        dir.join("scenarios/rbac-drill.toml"),
        r#"id = "rbac-drill"
title = "RBAC drill"
summary = "Roles and bindings in dev."
domain = "cluster-architecture"
difficulty = "easy"
time_limit = "10m"
namespaces = ["dev"]

[[tasks]]
id = "pod-reader"
title = "Role pod-reader"
body = "Create Role pod-reader in dev (get, list, watch pods) and bind it to user jane; ServiceAccount ci gets Secret db-creds only."
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("grading/rbac-drill.toml"),
        r#"pass_percent = 66

[[criteria]]
id = "pod-reader"
title = "pod-reader"
tasks = ["pod-reader"]

[[criteria.checks]]
title = "pod-reader reads pods, nothing more"
points = 4
target = { kind = "Role", namespace = "dev", name = "pod-reader" }
rbac_rules = { exactly = [{ apiGroups = [""], resources = ["pods"], verbs = ["get", "list", "watch"] }] }

[[criteria.checks]]
title = "jane can list pods in dev"
points = 3
can_i = { as = "jane", verb = "list", resource = "pods", namespace = "dev", allowed = true }

[[criteria.checks]]
title = "ci cannot list Secrets"
points = 2
can_i = { as = "system:serviceaccount:dev:ci", verb = "list", resource = "secrets", namespace = "dev", allowed = false }

[[criteria.checks]]
title = "jane cannot delete pods"
points = 1
can_i = { as = "jane", verb = "delete", resource = "pods", namespace = "dev", allowed = true }
"#,
    )
    .unwrap();
}

#[test]
fn a_rubric_grades_rbac_through_grade_and_validate() {
    let home = tempfile::tempdir().unwrap();
    let lib = tempfile::tempdir().unwrap();
    rbac_library(lib.path());
    let run = |args: &[&str]| {
        Command::cargo_bin("ckasim")
            .unwrap()
            .env("CKASIM_HOME", home.path())
            .env_remove("KUBECONFIG")
            .arg("--scenarios")
            .arg(lib.path())
            .args(args)
            .output()
            .unwrap()
    };
    let v = run(&["validate"]);
    assert_eq!(v.status.code(), Some(0), "{}{}", stdout(&v), stderr(&v));
    let snapshot = fixture("conformance.yaml");
    let o = run(&[
        "grade",
        "rbac-drill",
        "--format",
        "json",
        "--snapshot",
        snapshot.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["score"], 9, "{report:#}");
    let checks = &report["criteria"][0]["checks"];
    assert_eq!(checks[0]["status"], "pass");
    assert_eq!(
        checks[0]["inspect"],
        "kubectl describe role pod-reader -n dev"
    );
    assert_eq!(checks[1]["status"], "pass");
    assert_eq!(
        checks[1]["actual"],
        "yes: allowed by RoleBinding \"read-pods/dev\" of Role \"pod-reader\" to User \"jane\" (rule apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\", \"list\", \"watch\"])"
    );
    assert_eq!(
        checks[1]["inspect"],
        "kubectl auth can-i list pods -n dev --as jane"
    );
    assert_eq!(checks[2]["status"], "pass");
    assert_eq!(checks[3]["status"], "fail");
    assert_eq!(
        checks[3]["expected"],
        "jane may delete pods in namespace \"dev\""
    );
    assert_eq!(checks[3]["actual"], "no: no RBAC policy matched");
}
