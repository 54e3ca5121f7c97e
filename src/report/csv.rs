//! The report as CSV: one row per check, for a spreadsheet or a study log.

use serde::Serialize;

use super::{RenderError, Report, Status};

/// Column names, in order.
pub const HEADER: [&str; 10] = [
    "session",
    "scenario",
    "criterion",
    "check",
    "status",
    "points",
    "max_points",
    "expected",
    "actual",
    "inspect",
];

#[derive(Serialize)]
struct Row<'a> {
    session: &'a str,
    scenario: &'a str,
    criterion: &'a str,
    check: &'a str,
    status: Status,
    points: u32,
    max_points: u32,
    expected: &'a str,
    actual: &'a str,
    inspect: &'a str,
}

/// Renders one row per check, with a header; `session` fills the first column.
pub fn render(report: &Report, session: &str) -> Result<String, RenderError> {
    // The header is written by hand so that a report without checks has one too.
    let mut w = ::csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(HEADER)
        .map_err(|e| RenderError::Csv(e.to_string()))?;
    for c in &report.criteria {
        for k in &c.checks {
            w.serialize(Row {
                session,
                scenario: &report.scenario,
                criterion: &c.id,
                check: &k.title,
                status: k.status,
                points: k.points,
                max_points: k.max_points,
                expected: &k.expected,
                actual: &k.actual,
                inspect: &k.inspect,
            })
            .map_err(|e| RenderError::Csv(e.to_string()))?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| RenderError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| RenderError::Csv(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_reader_gets_one_row_per_check_field_by_field() {
        let report = crate::report::sample();
        let text = render(&report, "s-1").unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap(), HEADER.as_slice());
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].iter().collect::<Vec<_>>(),
            [
                "s-1",
                "secure-workspace",
                "service-account",
                "sa exists",
                "pass",
                "3",
                "3",
                "exists",
                "exists",
                "kubectl get sa exists"
            ]
        );
        // Commas, quotes, newlines and pipes come back as they were.
        assert_eq!(&rows[1][3], "automount | disabled, \"quoted\"");
        assert_eq!(&rows[1][4], "fail");
        assert_eq!(&rows[1][5], "0");
        assert_eq!(&rows[1][6], "4");
        assert_eq!(&rows[1][8], "true,\nset by *you*");
        assert!(rows[1][9].ends_with("| grep -c `x`"));
        assert_eq!(&rows[2][2], "verification");
        assert_eq!(&rows[2][4], "error");
        assert_eq!(
            &rows[2][8],
            "pods is forbidden: User 'grader' cannot list pods"
        );
    }

    #[test]
    fn a_report_without_checks_still_has_the_header() {
        let mut report = crate::report::sample();
        report.criteria.clear();
        assert_eq!(
            render(&report, "").unwrap(),
            format!("{}\n", HEADER.join(","))
        );
    }
}
