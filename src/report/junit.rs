//! The report as `JUnit` XML, so that CI tools show a grade as a test run: one
//! testsuite per criterion, one testcase per check. A failed check is a
//! `failure` carrying what was expected, what was found and the command that
//! shows it; a check that could not be evaluated is an `error`, as it is not
//! the candidate's mistake.

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::{CheckResult, RenderError, Report, Status};

/// Renders the report; `name` names the whole run (`<testsuites name=…>`),
/// e.g. the session id.
pub fn render(report: &Report, name: &str) -> Result<String, RenderError> {
    let mut run = quick_junit::Report::new(name);
    let at = report.graded_at.fixed_offset();
    run.set_timestamp(at);
    for c in &report.criteria {
        let mut suite = TestSuite::new(c.id.as_str());
        suite.set_timestamp(at);
        suite.add_properties([
            Property::new("scenario", report.scenario.as_str()),
            Property::new("title", c.title.as_str()),
            Property::new("score", c.score.to_string()),
            Property::new("max_score", c.max_score.to_string()),
        ]);
        for k in &c.checks {
            let mut case = TestCase::new(k.title.as_str(), status(k));
            case.set_classname(format!("{}.{}", report.scenario, c.id));
            case.add_properties([
                Property::new("points", k.points.to_string()),
                Property::new("max_points", k.max_points.to_string()),
            ]);
            suite.add_test_case(case);
        }
        run.add_test_suite(suite);
    }
    run.to_string()
        .map_err(|e| RenderError::Junit(e.to_string()))
}

fn status(k: &CheckResult) -> TestCaseStatus {
    let (kind, message) = match k.status {
        Status::Pass => return TestCaseStatus::success(),
        Status::Fail => (
            NonSuccessKind::Failure,
            format!("expected {}; found {}", k.expected, k.actual),
        ),
        Status::Error => (
            NonSuccessKind::Error,
            format!("could not be evaluated: {}", k.actual),
        ),
    };
    let found = if k.status == Status::Error {
        "error"
    } else {
        "found"
    };
    let mut status = TestCaseStatus::non_success(kind);
    status
        .set_message(message)
        .set_type(k.status.to_string())
        .set_description(format!(
            "expected: {}\n{found}: {}\ninspect: {}\npoints: {}/{}",
            k.expected, k.actual, k.inspect, k.points, k.max_points
        ));
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    mod xml {
        include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/xml.rs"));
    }
    use xml::parse;

    #[test]
    fn an_xml_parser_reads_a_testsuite_per_criterion_and_a_testcase_per_check() {
        let report = crate::report::sample();
        let xml = render(&report, "20261123T160700.000Z-secure-workspace").unwrap();
        let run = parse(&xml);
        assert_eq!(run.name, "testsuites");
        assert_eq!(run.attr("name"), "20261123T160700.000Z-secure-workspace");
        assert_eq!(run.attr("tests"), "3");
        assert_eq!(run.attr("failures"), "1");
        assert_eq!(run.attr("errors"), "1");
        assert!(run.attr("timestamp").starts_with("2026-11-23T16:07:00"));

        let suites: Vec<_> = run.all("testsuite").collect();
        assert_eq!(
            suites.iter().map(|s| s.attr("name")).collect::<Vec<_>>(),
            ["service-account", "verification"]
        );
        let sa = suites[0];
        assert_eq!(sa.attr("tests"), "2");
        assert_eq!(sa.attr("failures"), "1");
        assert_eq!(sa.attr("errors"), "0");
        let props = sa.properties();
        assert_eq!(props["title"], "ServiceAccount <secure-runner> & token");
        assert_eq!(props["score"], "3");
        assert_eq!(props["max_score"], "7");

        let cases: Vec<_> = sa.all("testcase").collect();
        assert_eq!(cases[0].attr("name"), "sa exists");
        assert_eq!(
            cases[0].attr("classname"),
            "secure-workspace.service-account"
        );
        assert!(cases[0].all("failure").next().is_none());
        assert_eq!(cases[0].properties()["points"], "3");

        let failed = cases[1];
        assert_eq!(failed.attr("name"), "automount | disabled, \"quoted\"");
        assert_eq!(failed.properties()["max_points"], "4");
        let failure = failed.one("failure");
        assert_eq!(failure.attr("type"), "fail");
        assert!(
            failure
                .attr("message")
                .starts_with("expected automountServiceAccountToken equals false; found true,"),
            "{}",
            failure.attr("message")
        );
        assert_eq!(
            failure.text,
            "expected: automountServiceAccountToken equals false\n\
             found: true,\nset by *you*\n\
             inspect: kubectl get sa secure-runner -n secure-workspace -o jsonpath='{.automountServiceAccountToken}' | grep -c `x`\n\
             points: 0/4"
        );

        let errored = suites[1].one("testcase");
        assert!(errored.all("failure").next().is_none());
        let error = errored.one("error");
        assert_eq!(error.attr("type"), "error");
        assert_eq!(
            error.attr("message"),
            "could not be evaluated: pods is forbidden: User 'grader' cannot list pods"
        );
        assert!(
            error.text.contains("\nerror: pods is forbidden"),
            "{}",
            error.text
        );
        assert!(error.text.contains("\ninspect: kubectl get pods ready\n"));
    }
}
