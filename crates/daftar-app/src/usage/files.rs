//! The usage report as files: CSV, a row per figure (for scripts), and XLSX written with
//! rust_xlsxwriter, right-to-left sheets with Persian names (for the office): staff,
//! units, the office, and actions by kind and by service.

use daftar_core::usage::{Figures, UsageReport};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{Usage, UsageError};

/// The sheets' names, in Persian (at most 31 characters each, as Excel allows).
pub const SHEETS: [&str; 5] = [
    "کارکنان",
    "واحدها",
    "دفتر",
    "اقدام‌ها به تفکیک نوع",
    "اقدام‌ها به تفکیک خدمت",
];

/// The summary columns of the staff, units and office sheets, after the name.
const FIGURE_COLUMNS: [&str; 6] = [
    "ورود به سامانه",
    "زمان فعال (ساعت)",
    "اقدام‌ها",
    "پرونده‌های بسته‌شده",
    "میانهٔ انتظار تا اقدام (ساعت)",
    "کارهای معوق در دست",
];

/// A name as a CSV cell: one that a spreadsheet would read as a formula (`=`, `+`, `-`,
/// `@` first) is kept as text with a leading apostrophe.
fn cell_text(name: &str) -> String {
    if name.starts_with(['=', '+', '-', '@']) {
        format!("'{name}")
    } else {
        name.to_owned()
    }
}

fn hours(seconds: i64) -> f64 {
    (seconds as f64 / 36.0).round() / 100.0
}

fn minutes(seconds: i64) -> i64 {
    seconds.div_euclid(60)
}

/// The summary figures in [`FIGURE_COLUMNS`]' order; no wait is left blank.
fn figure_values(figures: &Figures) -> [Option<f64>; 6] {
    [
        Some(figures.sign_ins as f64),
        Some(hours(figures.active_seconds)),
        Some(figures.actions as f64),
        Some(figures.cases_closed as f64),
        figures.median_wait_seconds.map(hours),
        Some(figures.overdue_held as f64),
    ]
}

impl Usage {
    /// The report as CSV: `from,to,scope,key,name,measure,value`, a row per figure; times
    /// in minutes; a median with no action to measure is an empty value.
    /// A name a spreadsheet would take for a formula is written as text.
    pub fn to_csv(&self, report: &UsageReport) -> Result<String, UsageError> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| UsageError::Internal(anyhow::anyhow!("writing the CSV: {e}"));
        out.write_record(["from", "to", "scope", "key", "name", "measure", "value"])
            .map_err(failed)?;
        let (from, to) = (report.from.iso_jalali(), report.to.iso_jalali());
        let mut groups: Vec<(&str, String, String, &Figures, Option<u64>)> = Vec::new();
        for staff in &report.staff {
            groups.push((
                "staff",
                staff.staff.to_string(),
                cell_text(&staff.name),
                &staff.figures,
                None,
            ));
        }
        for unit in &report.units {
            let name = unit.unit.name().fa.to_owned();
            groups.push((
                "unit",
                unit.unit.slug().to_owned(),
                name,
                &unit.figures,
                Some(unit.staff),
            ));
        }
        groups.push(("office", String::new(), String::new(), &report.office, None));
        for (scope, key, name, figures, staff) in groups {
            let mut measures: Vec<(String, String)> = vec![
                ("sign_ins".into(), figures.sign_ins.to_string()),
                (
                    "active_minutes".into(),
                    minutes(figures.active_seconds).to_string(),
                ),
                ("actions".into(), figures.actions.to_string()),
                ("cases_closed".into(), figures.cases_closed.to_string()),
                (
                    "median_wait_minutes".into(),
                    figures
                        .median_wait_seconds
                        .map(|s| minutes(s).to_string())
                        .unwrap_or_default(),
                ),
                ("overdue_held".into(), figures.overdue_held.to_string()),
            ];
            if let Some(staff) = staff {
                measures.push(("staff".into(), staff.to_string()));
            }
            for (kind, count) in &figures.by_kind {
                measures.push((format!("actions_by_kind:{kind}"), count.to_string()));
            }
            for (service, count) in &figures.by_service {
                measures.push((format!("actions_by_service:{service}"), count.to_string()));
            }
            for (measure, value) in measures {
                out.write_record([&from, &to, scope, &key, &name, &measure, &value])
                    .map_err(failed)?;
            }
        }
        let bytes = out
            .into_inner()
            .map_err(|e| UsageError::Internal(anyhow::anyhow!("writing the CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| UsageError::Internal(e.into()))
    }

    /// The report as an XLSX workbook: right-to-left sheets with Persian names
    /// ([`SHEETS`]), the header row bold and frozen.
    pub fn to_xlsx(&self, report: &UsageReport) -> Result<Vec<u8>, UsageError> {
        self.workbook(report)
            .map_err(|e| UsageError::Internal(anyhow::anyhow!("writing the XLSX: {e}")))
    }

    fn workbook(&self, report: &UsageReport) -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let period = format!("{} تا {}", report.from.iso_jalali(), report.to.iso_jalali());

        let sheet = new_sheet(&mut workbook, SHEETS[0])?;
        header(sheet, &["نام", "واحدها"], &bold)?;
        for (at, staff) in report.staff.iter().enumerate() {
            let row = at as u32 + 1;
            sheet.write_string(row, 0, &staff.name)?;
            let units: Vec<&str> = staff.units.iter().map(|u| u.name().fa).collect();
            sheet.write_string(row, 1, units.join("، "))?;
            figures(sheet, row, 2, &staff.figures)?;
        }
        sheet.write_string(report.staff.len() as u32 + 2, 0, &period)?;

        let sheet = new_sheet(&mut workbook, SHEETS[1])?;
        header(sheet, &["واحد", "کارکنان"], &bold)?;
        for (at, unit) in report.units.iter().enumerate() {
            let row = at as u32 + 1;
            sheet.write_string(row, 0, unit.unit.name().fa)?;
            sheet.write_number(row, 1, unit.staff as f64)?;
            figures(sheet, row, 2, &unit.figures)?;
        }

        let sheet = new_sheet(&mut workbook, SHEETS[2])?;
        header(sheet, &["دوره", "کارکنان"], &bold)?;
        sheet.write_string(1, 0, &period)?;
        sheet.write_number(1, 1, report.staff.len() as f64)?;
        figures(sheet, 1, 2, &report.office)?;

        let sheet = new_sheet(&mut workbook, SHEETS[3])?;
        for (column, title) in ["نام", "اقدام", "تعداد"].iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        }
        let mut row = 1;
        for staff in &report.staff {
            for (kind, count) in &staff.figures.by_kind {
                sheet.write_string(row, 0, &staff.name)?;
                sheet.write_string(row, 1, kind)?;
                sheet.write_number(row, 2, *count as f64)?;
                row += 1;
            }
        }

        let sheet = new_sheet(&mut workbook, SHEETS[4])?;
        for (column, title) in ["نام", "شناسهٔ خدمت", "خدمت", "تعداد"].iter().enumerate()
        {
            sheet.write_string_with_format(0, column as u16, *title, &bold)?;
        }
        let mut row = 1;
        for staff in &report.staff {
            for (service, count) in &staff.figures.by_service {
                sheet.write_string(row, 0, &staff.name)?;
                sheet.write_string(row, 1, service)?;
                let title = self
                    .service_title(service)
                    .map(|t| t.fa)
                    .unwrap_or_default();
                sheet.write_string(row, 2, title)?;
                sheet.write_number(row, 3, *count as f64)?;
                row += 1;
            }
        }
        workbook.save_to_buffer()
    }
}

fn new_sheet<'a>(workbook: &'a mut Workbook, name: &str) -> Result<&'a mut Worksheet, XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    sheet.set_right_to_left(true);
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 24)?;
    Ok(sheet)
}

/// The header row: the leading columns, then [`FIGURE_COLUMNS`].
fn header(sheet: &mut Worksheet, leading: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (column, title) in leading.iter().chain(FIGURE_COLUMNS.iter()).enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, bold)?;
        if column >= leading.len() {
            sheet.set_column_width(column as u16, 16)?;
        }
    }
    Ok(())
}

fn figures(
    sheet: &mut Worksheet,
    row: u32,
    first: u16,
    figures: &Figures,
) -> Result<(), XlsxError> {
    for (at, value) in figure_values(figures).into_iter().enumerate() {
        if let Some(value) = value {
            sheet.write_number(row, first + at as u16, value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cell_text;

    #[test]
    fn a_name_a_spreadsheet_would_run_is_written_as_text() {
        assert_eq!(cell_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell_text("مریم احمدی"), "مریم احمدی");
    }
}
