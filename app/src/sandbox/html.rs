//! The replay report as one self-contained HTML page: the gate, the metrics, inline SVG charts, the cases that differ.

// The page is opened from disk, mailed around and attached to reviews, so it
// carries its own style and charts and reaches for nothing on the network.
// Messages come from customers: every value from the report goes through
// handlebars' escaping, and the charts reach the template as numbers and
// fixed class names only, so no report text is ever written out unescaped.

use std::sync::LazyLock;

use handlebars::Handlebars;
use serde::Serialize;

use super::report::{CaseDiff, FieldDiff, GateOutcome, Metrics, Outcome, ReplayReport};

/// Cases listed on the page, false triggers first. A replay of a month of
/// traffic can differ on tens of thousands of messages; past a few hundred
/// nobody reads them, and the JSON file keeps them all.
const MAX_LISTED_CASES: usize = 500;
/// Differing fields shown for one case, for the same reason: a rewritten
/// proposal can differ on every line.
const MAX_FIELDS_PER_CASE: usize = 200;
/// A JSON value longer than this on one line is laid out over several.
const COMPACT_JSON_WIDTH: usize = 80;
const HISTOGRAM_BINS: usize = 10;

const TEMPLATE: &str = include_str!("../../templates/replay.html.hbs");

// Parsed once per process; the error is kept (not a panic) so a broken
// template shows up as an error page rather than taking the replay down.
static TEMPLATES: LazyLock<Result<Handlebars<'static>, String>> = LazyLock::new(|| {
    let mut h = Handlebars::new();
    // A misspelt field is an error (and an error page in the tests), not a
    // silently empty cell.
    h.set_strict_mode(true);
    h.register_template_string("replay", TEMPLATE).map_err(|e| format!("replay template: {e}"))?;
    Ok(h)
});

/// Renders the report as one self-contained HTML page (inline style and SVG,
/// no script, nothing fetched). Every text from the report is HTML-escaped.
/// Should the template fail, the page says so instead of panicking.
pub fn render(report: &ReplayReport) -> String {
    let page = Page::of(report);
    let rendered = match &*TEMPLATES {
        Ok(h) => h.render("replay", &page).map_err(|e| e.to_string()),
        Err(e) => Err(e.clone()),
    };
    rendered.unwrap_or_else(|e| {
        tracing::error!(report = %report.id, error = %e, "the replay report page failed to render");
        error_page(&report.id, &e)
    })
}

fn error_page(id: &str, error: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Replay report not rendered</title></head>\
         <body><h1>The page for replay {} could not be rendered</h1><p>{}</p>\
         <p>The report's JSON file holds the same data.</p></body></html>\n",
        handlebars::html_escape(id),
        handlebars::html_escape(error)
    )
}

// ---------------------------------------------------------------------------
// What the template sees.

#[derive(Serialize)]
struct Page<'a> {
    id: &'a str,
    created: String,
    baseline: &'a str,
    candidate: &'a str,
    source: &'a str,
    labelled: bool,
    total_cases: usize,
    gate: GateView<'a>,
    metrics: Vec<MetricRow>,
    histogram: Svg,
    rates: Svg,
    false_triggers: Vec<CaseView<'a>>,
    false_trigger_count: usize,
    false_triggers_left_out: usize,
    diffs: Vec<CaseView<'a>>,
    diff_count: usize,
    diffs_left_out: usize,
    identical: usize,
    max_listed: usize,
}

impl<'a> Page<'a> {
    fn of(r: &'a ReplayReport) -> Self {
        // A case with a false trigger is listed there even when no field
        // differs: the reason is what the reader has to see.
        let (false_triggers, rest): (Vec<&CaseDiff>, Vec<&CaseDiff>) =
            r.cases.iter().partition(|c| c.false_trigger.is_some());
        let (diffs, identical): (Vec<&CaseDiff>, Vec<&CaseDiff>) = rest.into_iter().partition(|c| !c.diffs.is_empty());
        let listed_ft = false_triggers.len().min(MAX_LISTED_CASES);
        let listed_diffs = diffs.len().min(MAX_LISTED_CASES - listed_ft);
        Page {
            id: &r.id,
            created: utc(r.created_ms),
            baseline: &r.baseline,
            candidate: &r.candidate,
            source: &r.source,
            labelled: r.labelled,
            total_cases: r.cases.len(),
            gate: GateView::of(&r.gate),
            metrics: metric_rows(&r.baseline_metrics, &r.candidate_metrics, &r.gate.metric),
            histogram: histogram(
                &r.baseline_metrics.first_reply_ms,
                &r.candidate_metrics.first_reply_ms,
                &r.baseline,
                &r.candidate,
            ),
            rates: rate_chart(&rate_groups(&r.baseline_metrics, &r.candidate_metrics), &r.baseline, &r.candidate),
            false_trigger_count: false_triggers.len(),
            false_triggers_left_out: false_triggers.len() - listed_ft,
            false_triggers: false_triggers.into_iter().take(listed_ft).map(CaseView::of).collect(),
            diff_count: diffs.len(),
            diffs_left_out: diffs.len() - listed_diffs,
            diffs: diffs.into_iter().take(listed_diffs).map(CaseView::of).collect(),
            identical: identical.len(),
            max_listed: MAX_LISTED_CASES,
        }
    }
}

/// `2026-01-31 12:00:00 UTC` from Unix milliseconds, for people to read
/// (reports, the dead-letter listing). A time past jiff's range (the year
/// 9999) cannot come from a real record, so it is shown as the raw number
/// rather than dropped.
pub fn utc(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("{ms} ms after 1970"))
}

#[derive(Serialize)]
struct GateView<'a> {
    passed: bool,
    metric: &'a str,
    improvement: String,
    min_improvement: String,
    false_triggers: u32,
    false_trigger_rate: String,
    max_false_trigger_rate: String,
    reasons: &'a [String],
}

impl<'a> GateView<'a> {
    fn of(g: &'a GateOutcome) -> Self {
        GateView {
            passed: g.passed,
            metric: &g.metric,
            improvement: g
                .improvement
                .filter(|v| v.is_finite())
                .map(signed_pct)
                .unwrap_or_else(|| "not measurable".into()),
            min_improvement: signed_pct(g.min_improvement),
            false_triggers: g.false_triggers,
            false_trigger_rate: pct(g.false_trigger_rate),
            max_false_trigger_rate: pct(g.max_false_trigger_rate),
            reasons: &g.reasons,
        }
    }
}

// ---------------------------------------------------------------------------
// The metrics table.

#[derive(Serialize)]
struct MetricRow {
    /// The field's name, as the gate's `metric` spells it.
    name: &'static str,
    label: &'static str,
    baseline: String,
    candidate: String,
    change: String,
    relative: String,
    judged: bool,
}

const NONE: &str = "—";

fn metric_rows(b: &Metrics, c: &Metrics, judged: &str) -> Vec<MetricRow> {
    let row = |name, label, (baseline, candidate, change, relative): (String, String, String, String)| MetricRow {
        name,
        label,
        baseline,
        candidate,
        change,
        relative,
        judged: name == judged,
    };
    let samples = |m: &Metrics| format!("{} values", m.first_reply_ms.len());
    vec![
        row("inquiries", "Inquiries", count(b.inquiries, c.inquiries)),
        row(
            "slot_filling_accuracy",
            "Slot-filling accuracy",
            share(b.slot_filling_accuracy, c.slot_filling_accuracy, "n/a (no labels)"),
        ),
        row(
            "answered_without_human",
            "Answered without a human",
            share(Some(b.answered_without_human), Some(c.answered_without_human), "n/a"),
        ),
        row("first_reply_ms_p50", "First reply, median", millis(b.first_reply_ms_p50, c.first_reply_ms_p50)),
        row("first_reply_ms_p95", "First reply, 95th percentile", millis(b.first_reply_ms_p95, c.first_reply_ms_p95)),
        // The raw times are for the histogram; the table only says how many.
        row(
            "first_reply_ms",
            "First reply times (charted below)",
            (
                samples(b),
                samples(c),
                signed_int(c.first_reply_ms.len() as i64 - b.first_reply_ms.len() as i64),
                NONE.into(),
            ),
        ),
        row(
            "proposal_completeness",
            "Proposal completeness",
            share(b.proposal_completeness, c.proposal_completeness, "n/a"),
        ),
        row("errors", "Errors", count(b.errors, c.errors)),
        row("degraded", "Degraded", count(b.degraded, c.degraded)),
        row("held", "Held for review or worse", count(b.held, c.held)),
        row("cards", "FAQ cards", count(b.cards, c.cards)),
    ]
}

fn count(b: u32, c: u32) -> (String, String, String, String) {
    (b.to_string(), c.to_string(), signed_int(i64::from(c) - i64::from(b)), relative(f64::from(b), f64::from(c)))
}

/// Shares are compared in percentage points; the relative change is what
/// the gate's improvement measures.
fn share(b: Option<f64>, c: Option<f64>, missing: &str) -> (String, String, String, String) {
    let shown = |v: Option<f64>| v.map(pct).unwrap_or_else(|| missing.to_string());
    let (change, rel) = match (b, c) {
        (Some(b), Some(c)) => (signed_fixed((c - b) * 100.0, 2, " pp"), relative(b, c)),
        _ => (NONE.into(), NONE.into()),
    };
    (shown(b), shown(c), change, rel)
}

fn millis(b: f64, c: f64) -> (String, String, String, String) {
    (ms(b), ms(c), signed_fixed(c - b, ms_decimals(c - b), " ms"), relative(b, c))
}

/// Relative change against the baseline; meaningless from zero.
fn relative(b: f64, c: f64) -> String {
    if b.is_finite() && c.is_finite() && b != 0.0 {
        signed_pct((c - b) / b.abs())
    } else {
        NONE.into()
    }
}

// ---------------------------------------------------------------------------
// Number formatting.

fn pct(share: f64) -> String {
    if share.is_finite() {
        format!("{:.2}%", share * 100.0)
    } else {
        "n/a".into()
    }
}

fn signed_pct(share: f64) -> String {
    signed_fixed(share * 100.0, 2, "%")
}

/// `+1.50 unit`; a value that rounds to zero is `+0.00`, never `-0.00`.
fn signed_fixed(v: f64, decimals: usize, unit: &str) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let s = format!("{v:+.decimals$}");
    let zero = s.trim_start_matches(['+', '-']).chars().all(|ch| ch == '0' || ch == '.');
    if zero {
        format!("+{}{unit}", &s[1..])
    } else {
        format!("{s}{unit}")
    }
}

fn signed_int(v: i64) -> String {
    format!("{v:+}")
}

/// Milliseconds to the decimal that still matters: whole ms from 100 up.
fn ms_decimals(v: f64) -> usize {
    if v.abs() >= 100.0 {
        0
    } else {
        1
    }
}

fn ms(v: f64) -> String {
    if v.is_finite() {
        format!("{:.*} ms", ms_decimals(v), v)
    } else {
        "n/a".into()
    }
}

fn yes_no(v: bool) -> String {
    if v { "yes" } else { "no" }.into()
}

// ---------------------------------------------------------------------------
// Cases.

#[derive(Serialize)]
struct CaseView<'a> {
    key: &'a str,
    conversation: &'a str,
    text: &'a str,
    false_trigger: Option<&'a str>,
    fields: Vec<FieldRow<'a>>,
    fields_left_out: usize,
    outcome: Vec<OutcomeRow>,
}

impl<'a> CaseView<'a> {
    fn of(c: &'a CaseDiff) -> Self {
        CaseView {
            key: &c.key,
            conversation: &c.conversation,
            text: &c.text,
            false_trigger: c.false_trigger.as_deref(),
            fields: c.diffs.iter().take(MAX_FIELDS_PER_CASE).map(FieldRow::of).collect(),
            fields_left_out: c.diffs.len().saturating_sub(MAX_FIELDS_PER_CASE),
            outcome: outcome_rows(&c.baseline, &c.candidate),
        }
    }
}

#[derive(Serialize)]
struct FieldRow<'a> {
    part: &'a str,
    field: &'a str,
    baseline: Shown,
    candidate: Shown,
}

#[derive(Serialize)]
struct Shown {
    absent: bool,
    text: String,
}

impl<'a> FieldRow<'a> {
    fn of(d: &'a FieldDiff) -> Self {
        FieldRow {
            part: &d.part,
            field: &d.field,
            baseline: shown(d.baseline.as_ref()),
            candidate: shown(d.candidate.as_ref()),
        }
    }
}

/// JSON as JSON (a string keeps its quotes, so `"1"` and `1` stay apart):
/// on one line when short, laid out when it would not fit a cell.
fn shown(v: Option<&serde_json::Value>) -> Shown {
    let Some(v) = v else {
        return Shown { absent: true, text: String::new() };
    };
    let compact = v.to_string();
    let text = if compact.chars().count() > COMPACT_JSON_WIDTH && (v.is_object() || v.is_array()) {
        serde_json::to_string_pretty(v).unwrap_or(compact)
    } else {
        compact
    };
    Shown { absent: false, text }
}

#[derive(Serialize)]
struct OutcomeRow {
    label: &'static str,
    baseline: String,
    candidate: String,
    differs: bool,
}

fn outcome_rows(b: &Outcome, c: &Outcome) -> Vec<OutcomeRow> {
    fn row(label: &'static str, b: &Outcome, c: &Outcome, f: impl Fn(&Outcome) -> String) -> OutcomeRow {
        let (baseline, candidate) = (f(b), f(c));
        OutcomeRow { label, differs: baseline != candidate, baseline, candidate }
    }
    fn list(v: &[String]) -> String {
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    }
    let mut rows = vec![
        row("Risk", b, c, |o| o.risk.clone().unwrap_or_else(|| "none (did not finish)".into())),
        row("Held", b, c, |o| yes_no(o.held)),
        row("FAQ cards", b, c, |o| list(&o.cards)),
        row("Reply", b, c, |o| if o.reply.is_empty() { "(no reply)".into() } else { o.reply.clone() }),
        row("First reply", b, c, |o| ms(o.first_reply_ms)),
        row("Answered without a human", b, c, |o| yes_no(o.answered_without_human)),
    ];
    // Labels and proposals exist for some replays only; rows that would say
    // "n/a" on both sides are left out.
    if b.slots.is_some() || c.slots.is_some() {
        rows.push(row("Slots right", b, c, |o| match o.slots {
            Some((right, of)) => format!("{right} of {of}"),
            None => "n/a".into(),
        }));
    }
    if b.proposal_cited.is_some() || c.proposal_cited.is_some() {
        rows.push(row("Proposal fully cited", b, c, |o| match o.proposal_cited {
            Some(v) => yes_no(v),
            None => "no proposal".into(),
        }));
    }
    rows.push(row("Degraded", b, c, |o| list(&o.degraded)));
    rows.push(row("Error", b, c, |o| o.error.clone().unwrap_or_else(|| "none".into())));
    rows
}

// ---------------------------------------------------------------------------
// Charts. Laid out here so the template only copies numbers; every number is
// rounded to a tenth of a pixel and never NaN.

#[derive(Debug, Serialize)]
struct Svg {
    width: f64,
    height: f64,
    title: String,
    label: String,
    lines: Vec<Line>,
    rects: Vec<Rect>,
    texts: Vec<Text>,
}

#[derive(Debug, Serialize)]
struct Line {
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    class: &'static str,
}

#[derive(Debug, Serialize)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    /// "bar b" or "bar c": the side picks the colour.
    class: &'static str,
    tip: String,
}

#[derive(Debug, Serialize)]
struct Text {
    x: f64,
    y: f64,
    anchor: &'static str,
    class: &'static str,
    rotate: bool,
    text: String,
}

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 62.0;
const BOTTOM: f64 = 56.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;
const BASE_Y: f64 = TOP + PLOT_H;
const BAR_B: &str = "bar b";
const BAR_C: &str = "bar c";

fn px(v: f64) -> f64 {
    if v.is_finite() {
        (v * 10.0).round() / 10.0
    } else {
        0.0
    }
}

impl Svg {
    fn new(title: &str, label: String, baseline: &str, candidate: &str) -> Self {
        let mut s = Svg {
            width: WIDTH,
            height: HEIGHT,
            title: title.into(),
            label,
            lines: Vec::new(),
            rects: Vec::new(),
            texts: Vec::new(),
        };
        s.text(LEFT, 18.0, "start", "title", title.into());
        // The legend: a swatch and the strategy id for each side.
        for (row, (class, who, id)) in
            [("b", "baseline", baseline), ("c", "candidate", candidate)].into_iter().enumerate()
        {
            let y = 28.0 + row as f64 * 13.0;
            s.rects.push(Rect { x: LEFT, y, w: 10.0, h: 10.0, class, tip: format!("{who}: {id}") });
            s.text(LEFT + 14.0, y + 9.0, "start", "legend", format!("{who}: {id}"));
        }
        s.line(LEFT, TOP, LEFT, BASE_Y, "axis");
        s.line(LEFT, BASE_Y, LEFT + PLOT_W, BASE_Y, "axis");
        s
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &'static str) {
        self.lines.push(Line { x1: px(x1), y1: px(y1), x2: px(x2), y2: px(y2), class });
    }

    fn text(&mut self, x: f64, y: f64, anchor: &'static str, class: &'static str, text: String) {
        self.texts.push(Text { x: px(x), y: px(y), anchor, class, rotate: false, text });
    }

    fn axis_titles(&mut self, x: &str, y: &str) {
        if !x.is_empty() {
            self.text(LEFT + PLOT_W / 2.0, HEIGHT - 8.0, "middle", "axis-title", x.into());
        }
        let (yx, yy) = (px(14.0), px(TOP + PLOT_H / 2.0));
        self.texts.push(Text { x: yx, y: yy, anchor: "middle", class: "axis-title", rotate: true, text: y.into() });
    }

    /// A bar standing on the x axis, `frac` of the plot's height tall.
    fn bar(&mut self, x: f64, w: f64, frac: f64, class: &'static str, tip: String) {
        let h = PLOT_H * frac.clamp(0.0, 1.0);
        self.rects.push(Rect { x: px(x), y: px(BASE_Y - h), w: px(w), h: px(h), class, tip });
    }

    fn empty(&mut self, message: &str) {
        self.text(LEFT + PLOT_W / 2.0, TOP + PLOT_H / 2.0, "middle", "empty", message.into());
    }
}

/// Shared bins over both sides, so a bar of one side stands next to the bar
/// of the other for the same times.
#[derive(Debug, PartialEq)]
struct Bins {
    min: f64,
    width: f64,
    baseline: Vec<u32>,
    candidate: Vec<u32>,
}

fn bins(b: &[f64], c: &[f64]) -> Option<Bins> {
    let finite = |v: &[f64]| v.iter().copied().filter(|x| x.is_finite()).collect::<Vec<f64>>();
    let (b, c) = (finite(b), finite(c));
    let all = b.iter().chain(&c);
    let min = all.clone().copied().reduce(f64::min)?;
    let max = all.copied().reduce(f64::max)?;
    // All times equal: one bin holds them all; ten empty ones would say nothing.
    let n = if max > min { HISTOGRAM_BINS } else { 1 };
    let width = if max > min { (max - min) / n as f64 } else { 0.0 };
    let count = |v: &[f64]| {
        let mut out = vec![0u32; n];
        for x in v {
            let i = if width > 0.0 { ((x - min) / width).floor() as usize } else { 0 };
            // The maximum falls on the last edge and belongs to the last bin.
            out[i.min(n - 1)] += 1;
        }
        out
    };
    Some(Bins { min, width, baseline: count(&b), candidate: count(&c) })
}

/// Y axis top and tick step: whole messages, at most about five ticks.
fn count_axis(max: u32) -> (u32, u32) {
    let max = max.max(1);
    let step = max.div_ceil(5).max(1);
    (step * max.div_ceil(step), step)
}

fn histogram(b: &[f64], c: &[f64], baseline: &str, candidate: &str) -> Svg {
    let title = "Time to first reply";
    let Some(bins) = bins(b, c) else {
        let mut s = Svg::new(
            title,
            format!("Histogram of time to first reply, {baseline} against {candidate}: no data"),
            baseline,
            candidate,
        );
        s.axis_titles("time to first reply (ms)", "messages");
        s.empty("no first-reply times to chart");
        return s;
    };
    let n = bins.baseline.len();
    let max_edge = bins.min + bins.width * n as f64;
    let mut s = Svg::new(
        title,
        format!(
            "Histogram of time to first reply, {baseline} against {candidate}: {n} bins from {} to {}",
            ms(bins.min),
            ms(max_edge)
        ),
        baseline,
        candidate,
    );
    s.axis_titles("time to first reply (ms)", "messages");
    let top = bins.baseline.iter().chain(&bins.candidate).copied().max().unwrap_or(0);
    let (axis_top, step) = count_axis(top);
    for t in (0..=axis_top).step_by(step as usize) {
        let y = BASE_Y - PLOT_H * f64::from(t) / f64::from(axis_top);
        if t > 0 {
            s.line(LEFT, y, LEFT + PLOT_W, y, "grid");
        }
        s.text(LEFT - 6.0, y + 4.0, "end", "tick", t.to_string());
    }
    let slot = PLOT_W / n as f64;
    let bar_w = slot * 0.4;
    let decimals = if bins.width >= 10.0 || bins.width == 0.0 { 0 } else { 1 };
    let edge = |i: usize| bins.min + bins.width * i as f64;
    for i in 0..n {
        let x = LEFT + slot * i as f64;
        let range = if n == 1 {
            format!("{:.*} ms", decimals, bins.min)
        } else {
            format!("{:.*}–{:.*} ms", decimals, edge(i), decimals, edge(i + 1))
        };
        for (k, (class, who, counts)) in
            [(BAR_B, "baseline", &bins.baseline), (BAR_C, "candidate", &bins.candidate)].into_iter().enumerate()
        {
            let v = counts[i];
            s.bar(
                x + slot * 0.1 + bar_w * k as f64,
                bar_w,
                f64::from(v) / f64::from(axis_top),
                class,
                format!("{who}: {v} messages, {range}"),
            );
        }
    }
    if n == 1 {
        s.text(LEFT + slot / 2.0, BASE_Y + 16.0, "middle", "tick", format!("all {:.*}", decimals, bins.min));
    } else {
        for i in 0..=n {
            s.line(LEFT + slot * i as f64, BASE_Y, LEFT + slot * i as f64, BASE_Y + 4.0, "axis");
            // Every other edge, so wide numbers do not run into each other.
            if i % 2 == 0 {
                s.text(LEFT + slot * i as f64, BASE_Y + 16.0, "middle", "tick", format!("{:.*}", decimals, edge(i)));
            }
        }
    }
    s
}

/// One group of the rate chart: a share for each side, none when it does
/// not exist on that side.
#[derive(Debug, PartialEq)]
struct RateGroup {
    label: &'static str,
    baseline: Option<f64>,
    candidate: Option<f64>,
}

fn rate_groups(b: &Metrics, c: &Metrics) -> Vec<RateGroup> {
    let of_inquiries = |n: u32, m: &Metrics| (m.inquiries > 0).then(|| f64::from(n) / f64::from(m.inquiries));
    let mut groups = vec![RateGroup {
        label: "answered without a human",
        baseline: Some(b.answered_without_human),
        candidate: Some(c.answered_without_human),
    }];
    if b.slot_filling_accuracy.is_some() || c.slot_filling_accuracy.is_some() {
        groups.push(RateGroup {
            label: "slot-filling accuracy",
            baseline: b.slot_filling_accuracy,
            candidate: c.slot_filling_accuracy,
        });
    }
    if b.proposal_completeness.is_some() || c.proposal_completeness.is_some() {
        groups.push(RateGroup {
            label: "proposal completeness",
            baseline: b.proposal_completeness,
            candidate: c.proposal_completeness,
        });
    }
    groups.push(RateGroup { label: "held", baseline: of_inquiries(b.held, b), candidate: of_inquiries(c.held, c) });
    groups.push(RateGroup {
        label: "degraded",
        baseline: of_inquiries(b.degraded, b),
        candidate: of_inquiries(c.degraded, c),
    });
    groups
}

/// A group label on at most two lines, broken at the space nearest the
/// middle: five groups share the width, and the longest names collide on one.
fn two_lines(label: &str) -> Vec<String> {
    let middle = label.len() / 2;
    match label.match_indices(' ').map(|(i, _)| i).min_by_key(|i| i.abs_diff(middle)) {
        Some(i) if label.len() > 12 => vec![label[..i].to_string(), label[i + 1..].to_string()],
        _ => vec![label.to_string()],
    }
}

fn rate_chart(groups: &[RateGroup], baseline: &str, candidate: &str) -> Svg {
    let title = "Rates";
    let mut s = Svg::new(
        title,
        format!(
            "Grouped bar chart of rates, {baseline} against {candidate}: {}",
            groups.iter().map(|g| g.label).collect::<Vec<_>>().join(", ")
        ),
        baseline,
        candidate,
    );
    s.axis_titles("", "share of inquiries");
    // Shares live in 0..100%; a count-based share above 1 (more degraded
    // parts than inquiries) stretches the axis rather than overflowing it.
    let top = groups
        .iter()
        .flat_map(|g| [g.baseline, g.candidate])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(1.0_f64, f64::max);
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let y = BASE_Y - PLOT_H * f64::from(i) / 4.0;
        if i > 0 {
            s.line(LEFT, y, LEFT + PLOT_W, y, "grid");
        }
        s.text(LEFT - 6.0, y + 4.0, "end", "tick", format!("{:.0}%", v * 100.0));
    }
    let slot = PLOT_W / groups.len().max(1) as f64;
    let bar_w = slot * 0.35;
    for (i, g) in groups.iter().enumerate() {
        let x0 = LEFT + slot * i as f64;
        for (k, (class, who, value)) in
            [(BAR_B, "baseline", g.baseline), (BAR_C, "candidate", g.candidate)].into_iter().enumerate()
        {
            let x = x0 + slot * 0.15 + bar_w * k as f64;
            let label_x = x + bar_w / 2.0;
            match value.filter(|v| v.is_finite()) {
                Some(v) => {
                    let frac = (v / top).clamp(0.0, 1.0);
                    s.bar(x, bar_w, frac, class, format!("{who}, {}: {}", g.label, pct(v)));
                    s.text(label_x, BASE_Y - PLOT_H * frac - 4.0, "middle", "value", format!("{:.1}%", v * 100.0));
                }
                None => s.text(label_x, BASE_Y - 4.0, "middle", "value", "n/a".into()),
            }
        }
        for (line, words) in two_lines(g.label).into_iter().enumerate() {
            s.text(x0 + slot / 2.0, BASE_Y + 16.0 + 13.0 * line as f64, "middle", "tick", words);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::report::{CaseDiff, FieldDiff, GateOutcome, Metrics, Outcome};
    use serde_json::json;

    const SCRIPT: &str = "<script>alert(1)</script>";

    fn outcome(risk: &str, ms: f64) -> Outcome {
        Outcome {
            risk: Some(risk.into()),
            held: risk != "clear",
            cards: vec!["faq-moq".into()],
            reply: "Thank you, our MOQ is 500 pcs.".into(),
            first_reply_ms: ms,
            answered_without_human: risk == "clear",
            slots: Some((3, 4)),
            proposal_cited: Some(true),
            degraded: Vec::new(),
            error: None,
        }
    }

    fn case(key: &str, diffs: Vec<FieldDiff>, false_trigger: Option<&str>) -> CaseDiff {
        CaseDiff {
            key: key.into(),
            conversation: format!("telegram:{key}"),
            text: format!("Need 1000 LED panels, message {key}"),
            diffs,
            false_trigger: false_trigger.map(String::from),
            baseline: outcome("clear", 1200.0),
            candidate: outcome("clear", 900.0),
        }
    }

    fn diff(part: &str, field: &str, b: Option<serde_json::Value>, c: Option<serde_json::Value>) -> FieldDiff {
        FieldDiff { part: part.into(), field: field.into(), baseline: b, candidate: c }
    }

    fn metrics(answered: f64, times: Vec<f64>) -> Metrics {
        Metrics {
            inquiries: 4,
            slot_filling_accuracy: Some(0.75),
            answered_without_human: answered,
            first_reply_ms_p50: 1100.0,
            first_reply_ms_p95: 2400.0,
            first_reply_ms: times,
            proposal_completeness: Some(0.5),
            errors: 0,
            degraded: 1,
            held: 1,
            cards: 3,
        }
    }

    /// Four cases: a false trigger, one that differs, two identical.
    fn sample_report() -> ReplayReport {
        let mut held = case("inq-1", vec![diff("customs", "/risk", Some(json!("clear")), Some(json!("review")))], None);
        held.false_trigger = Some("held a clear order for review".into());
        held.candidate = outcome("review", 2500.0);
        ReplayReport {
            id: "rpl-18f2a3b4c5d-terse".into(),
            created_ms: 1_767_225_600_000, // 2026-01-01T00:00:00Z
            baseline: "default@v3".into(),
            candidate: "terse@v1".into(),
            source: "stored inquiries from 2025-12-01 to 2025-12-31".into(),
            labelled: true,
            cases: vec![
                held,
                case(
                    "inq-2",
                    vec![
                        diff("proposal", "/lines/0/unit_price_usd", Some(json!(4.2)), Some(json!(4.0))),
                        diff("faq", "/cards", Some(json!(["faq-moq"])), None),
                    ],
                    None,
                ),
                case("inq-3", Vec::new(), None),
                case("inq-4", Vec::new(), None),
            ],
            baseline_metrics: metrics(0.5, vec![800.0, 1200.0, 1500.0, 2400.0]),
            candidate_metrics: metrics(0.55, vec![700.0, 900.0, 1100.0, 2500.0]),
            gate: GateOutcome {
                passed: true,
                metric: "answered_without_human".into(),
                improvement: Some(0.1),
                min_improvement: 0.05,
                false_triggers: 1,
                false_trigger_rate: 0.25,
                max_false_trigger_rate: 0.3,
                reasons: vec!["answered_without_human improved by 10.00% (at least 5.00% asked)".into()],
            },
        }
    }

    fn failed(mut r: ReplayReport) -> ReplayReport {
        r.gate.passed = false;
        r.gate.false_trigger_rate = 0.0125;
        r.gate.max_false_trigger_rate = 0.01;
        r.gate.reasons = vec![
            "false trigger rate 1.25% is above the maximum 1.00%".into(),
            "answered_without_human improved by 2.00%, less than 5.00%".into(),
        ];
        r
    }

    /// The page rendered from the template, not the error page.
    fn rendered(r: &ReplayReport) -> String {
        let html = render(r);
        assert!(html.contains("Replay report <span class=\"key\">"), "the template failed:\n{html}");
        html
    }

    fn occurrences(html: &str, needle: &str) -> usize {
        html.matches(needle).count()
    }

    #[test]
    fn a_customer_script_in_a_message_is_shown_as_text_not_run() {
        let mut r = sample_report();
        r.cases[0].text = format!("Price please {SCRIPT} \"quoted\" 'single'");
        r.cases[0].diffs.push(diff("reply", "/text", Some(json!(SCRIPT)), Some(json!({ "html": SCRIPT }))));
        r.cases[0].false_trigger = Some(format!("reason {SCRIPT}"));
        r.cases[1].key = SCRIPT.into();
        r.cases[1].candidate.reply = SCRIPT.into();
        r.gate.reasons.push(SCRIPT.into());
        r.source = SCRIPT.into();
        // A quote in a strategy id must not break out of the aria-label.
        r.candidate = "terse\" onload=\"alert(1)".into();
        let html = rendered(&r);
        assert!(!html.to_lowercase().contains("<script"), "a raw script tag reached the page");
        assert!(!html.contains("\" onload=\""), "a quote broke out of an attribute");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;quoted&quot;"));
        // The JSON value keeps its quotes, escaped.
        assert!(html.contains("&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
    }

    #[test]
    fn the_template_never_writes_a_value_unescaped() {
        assert!(!TEMPLATE.contains("{{{"), "triple-stash writes raw HTML");
        assert!(!TEMPLATE.contains("{{&"), "{{& writes raw HTML");
        assert!(TEMPLATES.is_ok(), "{:?}", TEMPLATES.as_ref().err());
    }

    #[test]
    fn the_page_is_self_contained_and_needs_no_script() {
        let html = rendered(&sample_report());
        assert!(html.starts_with("<!doctype html>"), "{}", &html[..80.min(html.len())]);
        assert!(html.contains("<style>"));
        for outside in ["<link", "src=", "http:", "https:", "@import", "url(", "<script"] {
            assert!(!html.contains(outside), "the page reaches outside: {outside}");
        }
    }

    #[test]
    fn the_header_names_both_strategies_the_source_and_the_utc_time() {
        let html = rendered(&sample_report());
        assert!(html.contains("rpl-18f2a3b4c5d-terse"));
        assert!(html.contains("2026-01-01 00:00:00 UTC"));
        assert!(html.contains("default@v3") && html.contains("terse@v1"));
        assert!(html.contains("stored inquiries from 2025-12-01 to 2025-12-31"));
        assert!(html.contains("<dt>Labelled</dt><dd>yes</dd>"));
        assert_eq!(utc(u64::MAX), format!("{} ms after 1970", u64::MAX));
    }

    #[test]
    fn a_failed_gate_shows_its_reasons_and_the_false_trigger_rate() {
        let html = rendered(&failed(sample_report()));
        assert!(html.contains(">FAILED<") && !html.contains(">PASSED<"));
        assert!(html.contains("class=\"gate fail\""));
        assert!(html.contains("false trigger rate 1.25% is above the maximum 1.00%"));
        assert!(html.contains("answered_without_human improved by 2.00%, less than 5.00%"));
        assert!(html.contains("1 (1.25%; maximum 1.00%)"), "false triggers as count and rate");
        assert!(html.contains("+10.00% (minimum +5.00%)"));
    }

    #[test]
    fn a_passed_gate_says_so_and_an_unmeasurable_improvement_is_named() {
        let html = rendered(&sample_report());
        assert!(html.contains(">PASSED<") && html.contains("class=\"gate pass\""));
        let mut r = sample_report();
        r.gate.improvement = None;
        assert!(rendered(&r).contains("not measurable (minimum +5.00%)"));
        r.gate.improvement = Some(-0.034);
        assert!(rendered(&r).contains("-3.40% (minimum"));
    }

    #[test]
    fn the_metrics_table_shows_both_sides_and_the_change() {
        let r = sample_report();
        let rows = metric_rows(&r.baseline_metrics, &r.candidate_metrics, &r.gate.metric);
        let answered = rows
            .iter()
            .find(|m| m.name == "answered_without_human")
            .map(|m| (m.baseline.as_str(), m.candidate.as_str(), m.change.as_str(), m.relative.as_str(), m.judged));
        assert_eq!(answered, Some(("50.00%", "55.00%", "+5.00 pp", "+10.00%", true)));
        let html = rendered(&r);
        for name in [
            "inquiries",
            "slot_filling_accuracy",
            "answered_without_human",
            "first_reply_ms_p50",
            "first_reply_ms_p95",
            "first_reply_ms",
            "proposal_completeness",
            "errors",
            "degraded",
            "held",
            "cards",
        ] {
            assert!(html.contains(&format!("<code>{name}</code></th>")), "no row for {name}");
        }
        assert_eq!(occurrences(&html, "class=\"judged\""), 1);
        // No change from zero has no relative change.
        assert_eq!(count(0, 2), ("0".into(), "2".into(), "+2".into(), NONE.into()));
        assert_eq!(millis(1200.0, 900.0), ("1200 ms".into(), "900 ms".into(), "-300 ms".into(), "-25.00%".into()));
    }

    #[test]
    fn missing_labels_show_as_not_available() {
        let mut r = sample_report();
        r.labelled = false;
        for m in [&mut r.baseline_metrics, &mut r.candidate_metrics] {
            m.slot_filling_accuracy = None;
            m.proposal_completeness = None;
        }
        let html = rendered(&r);
        assert_eq!(occurrences(&html, "n/a (no labels)"), 2);
        let groups = rate_groups(&r.baseline_metrics, &r.candidate_metrics);
        assert!(groups.iter().all(|g| g.label != "slot-filling accuracy" && g.label != "proposal completeness"));
    }

    #[test]
    fn the_charts_have_one_bar_per_side_and_survive_empty_data() {
        let r = sample_report();
        let groups = rate_groups(&r.baseline_metrics, &r.candidate_metrics);
        assert_eq!(groups.len(), 5, "answered, slots, proposals, held, degraded");
        let rates = rate_chart(&groups, &r.baseline, &r.candidate);
        let bars = |s: &Svg, class: &str| s.rects.iter().filter(|x| x.class == class).count();
        assert_eq!((bars(&rates, BAR_B), bars(&rates, BAR_C)), (5, 5));
        let held = rates.texts.iter().filter(|t| t.text == "25.0%").count();
        assert_eq!(held, 4, "held and degraded are 1 of 4 on both sides, labelled with their value");
        let hist = histogram(&r.baseline_metrics.first_reply_ms, &r.candidate_metrics.first_reply_ms, "b", "c");
        assert_eq!((bars(&hist, BAR_B), bars(&hist, BAR_C)), (HISTOGRAM_BINS, HISTOGRAM_BINS));
        for s in [&rates, &hist] {
            assert!(s
                .rects
                .iter()
                .filter(|x| x.class.starts_with("bar"))
                .all(|x| x.h >= 0.0 && x.y + x.h <= BASE_Y + 0.05 && x.y >= TOP - 0.05));
        }

        let mut empty = sample_report();
        empty.cases.clear();
        empty.baseline_metrics = Metrics::default();
        empty.candidate_metrics = Metrics::default();
        let html = rendered(&empty);
        assert_eq!(occurrences(&html, "<svg "), 2);
        assert_eq!(occurrences(&html, "role=\"img\""), 2);
        assert_eq!(occurrences(&html, "<title>Time to first reply</title>"), 1);
        assert_eq!(occurrences(&html, "<title>Rates</title>"), 1);
        assert!(html.contains("no first-reply times to chart"));
        assert!(html.contains("0 cases: 0 with a false trigger, 0 more with differences, 0 identical."));
        assert!(!html.contains("NaN") && !html.contains("=\"inf"));
        // Held and degraded shares of no inquiries do not exist.
        let groups = rate_groups(&empty.baseline_metrics, &empty.candidate_metrics);
        let rates = rate_chart(&groups, "b", "c");
        assert_eq!((bars(&rates, BAR_B), bars(&rates, BAR_C)), (1, 1));
        assert_eq!(rates.texts.iter().filter(|t| t.text == "n/a").count(), 4);
    }

    #[test]
    fn the_histogram_bins_both_sides_alike_even_when_every_time_is_equal() {
        let b = bins(&[0.0, 50.0, 100.0, f64::NAN], &[100.0, 100.0]).expect("data");
        assert_eq!((b.min, b.width), (0.0, 10.0));
        assert_eq!(b.baseline, vec![1, 0, 0, 0, 0, 1, 0, 0, 0, 1], "the maximum lands in the last bin, NaN nowhere");
        assert_eq!(b.candidate, vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

        let same = bins(&[700.0, 700.0], &[700.0]).expect("data");
        assert_eq!((same.baseline, same.candidate), (vec![2], vec![1]));
        let hist = histogram(&[700.0, 700.0], &[700.0], "b", "c");
        assert_eq!(hist.rects.iter().filter(|x| x.class.starts_with("bar")).count(), 2);
        assert!(hist.texts.iter().any(|t| t.text == "all 700"));

        assert_eq!(bins(&[], &[f64::INFINITY]), None);
        assert_eq!(count_axis(0), (1, 1));
        assert_eq!(count_axis(7), (8, 2));
    }

    #[test]
    fn identical_cases_are_counted_not_listed() {
        let html = rendered(&sample_report());
        assert!(html.contains("2 cases came out identical on both sides and are not listed."));
        assert!(!html.contains("inq-3") && !html.contains("inq-4"));
        assert_eq!(occurrences(&html, "<article class=\"case"), 2);
        // The false trigger comes before the other differing case.
        let (ft, other) = (html.find("inq-1"), html.find("inq-2"));
        assert!(ft.is_some() && other.is_some() && ft < other);
        assert!(html.contains("held a clear order for review"));
    }

    #[test]
    fn field_diffs_show_json_compactly_and_a_missing_side_as_absent() {
        let html = rendered(&sample_report());
        assert!(
            html.contains("<code>/lines/0/unit_price_usd</code></td><td><pre>4.2</pre></td><td><pre>4.0</pre></td>")
        );
        assert!(html.contains("<pre>[&quot;faq-moq&quot;]</pre></td><td><span class=\"absent\">absent</span>"));
        assert!(html.contains("<pre>&quot;clear&quot;</pre></td><td><pre>&quot;review&quot;</pre>"));
        let long = json!({ "lines": (0..20).map(|i| json!({ "sku": format!("LED-{i}") })).collect::<Vec<_>>() });
        assert!(shown(Some(&long)).text.contains('\n'), "a long object is laid out");
        // The outcomes sit side by side, the differing rows marked.
        assert!(html.contains("<tr class=\"differs\"><th>Risk</th><td>clear</td><td>review</td></tr>"));
        assert!(html.contains("<th>Slots right</th><td>3 of 4</td><td>3 of 4</td>"));
    }

    #[test]
    fn a_huge_replay_lists_500_cases_and_says_how_many_were_left_out() {
        let mut r = sample_report();
        r.cases = (0..620)
            .map(|i| {
                let ft = (i < 20).then_some("held for review");
                let mut fields = vec![diff("reply", "/text", Some(json!("a")), Some(json!("b")))];
                if i == 30 {
                    fields = (0..MAX_FIELDS_PER_CASE + 7)
                        .map(|k| diff("proposal", &format!("/lines/{k}"), None, Some(json!(k))))
                        .collect();
                }
                case(&format!("inq-{i}"), fields, ft)
            })
            .collect();
        let html = rendered(&r);
        assert_eq!(occurrences(&html, "<article class=\"case"), MAX_LISTED_CASES);
        assert!(html.contains("120 more cases with differences are not listed (at most 500 cases are listed)."));
        assert!(!html.contains("more cases with a false trigger"));
        assert!(html.contains("7 more differing fields are not shown."));
        assert!(html.contains("620 cases: 20 with a false trigger, 600 more with differences, 0 identical."));
    }

    #[test]
    fn the_error_page_escapes_what_it_shows() {
        let page = error_page(SCRIPT, &format!("bad {SCRIPT}"));
        assert!(!page.contains("<script"));
        assert_eq!(occurrences(&page, "&lt;script&gt;"), 2);
    }

    #[test]
    fn long_group_labels_break_near_the_middle() {
        assert_eq!(two_lines("answered without a human"), ["answered", "without a human"]);
        assert_eq!(two_lines("slot-filling accuracy"), ["slot-filling", "accuracy"]);
        assert_eq!(two_lines("held"), ["held"]);
    }

    #[test]
    fn signs_never_read_minus_zero() {
        assert_eq!(signed_pct(-0.000001), "+0.00%");
        assert_eq!(signed_pct(0.05), "+5.00%");
        assert_eq!(signed_fixed(-0.04, 1, " ms"), "+0.0 ms");
        assert_eq!(signed_fixed(f64::NAN, 1, " ms"), "n/a");
        assert_eq!(pct(f64::INFINITY), "n/a");
    }
}
