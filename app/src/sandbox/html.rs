//! The replay report as one self-contained HTML page.

use super::report::ReplayReport;

/// Renders the report as a self-contained page.
pub fn render(report: &ReplayReport) -> String {
    format!("<!doctype html><title>{}</title>", report.id)
}
