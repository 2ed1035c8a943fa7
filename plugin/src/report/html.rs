//! The report as one self-contained HTML page: inline CSS and SVG, no script, no external
//! resource, so it can be archived, mailed or opened offline.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Report, Strip};
use crate::summary::Stretch;

/// Width of the timeline and strip drawings, px.
const WIDTH: f64 = 1100.0;
/// Strip scale: px per second and per mV (a 10 s strip fills 1000 px).
const PX_PER_S: f64 = 100.0;
const PX_PER_MV: f64 = 60.0;
/// Episodes listed on the page (the JSON has them all).
const MAX_EPISODES: usize = 40;
/// Model-card entries listed per section.
const MAX_CARD_ROWS: usize = 80;
const UNCLASSIFIED_COLOUR: &str = "#d0d0d0";

/// Colour of a class, fixed for the task's classes so that pages compare at a glance.
fn colour(label: &str, index: usize) -> &'static str {
    match label {
        "N" => "#4e9a5b",
        "AFIB" => "#d1352b",
        "AFL" => "#f08c1a",
        "VT" => "#7b3fa0",
        "OTHER" => "#2d6fb7",
        _ => ["#8c564b", "#17becf", "#bcbd22", "#e377c2", "#7f7f7f"][index % 5],
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `h:mm:ss` (or `m:ss` under an hour) for a time in seconds, to the second.
fn clock(seconds: f64) -> String {
    let t = seconds.round().max(0.0) as u64;
    let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// A duration as people read it: `42.0 s`, `3 min 05 s`, `2 h 04 min`.
pub(super) fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let t = seconds.round() as u64;
    if t < 3600 {
        format!("{} min {:02} s", t / 60, t % 60)
    } else {
        format!("{} h {:02} min", t / 3600, t / 60 % 60)
    }
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:0;background:#f6f6f4}
main{max-width:1160px;margin:0 auto;padding:24px 28px 40px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 4px}
.sub{color:#555;margin:0 0 12px}
.warn{background:#fff4d6;border:1px solid #e0b84c;padding:8px 12px;border-radius:4px;margin:12px 0}
.figures{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}
.figure{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.figure b{display:block;font-size:20px}
.figure span{color:#555;font-size:12px}
table{border-collapse:collapse;margin:6px 0}
td,th{border-bottom:1px solid #e6e6e6;padding:3px 10px;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend span{margin-right:14px;white-space:nowrap}
.note{color:#666;font-size:12px}
svg text{font:11px system-ui,sans-serif;fill:#333}
.card td:first-child{color:#555;font-family:ui-monospace,monospace;font-size:12px}
.card td{font-size:13px}
footer{margin-top:30px;color:#777;font-size:12px}
";

pub(super) fn render(r: &Report) -> String {
    let s = &r.summary;
    let sub = &r.subject;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>haresnet report: {rec}</title><style>{STYLE}</style></head><body><main>\n\
         <h1>Rhythm report: record {rec}</h1>\n\
         <p class=\"sub\">Lead {lead} at {fs} Hz &middot; {seg} s segments &middot; {weights} \
         &middot; {gen}</p>\n<p class=\"warn\"><b>Not for clinical use.</b> {disc}</p>\n",
        rec = esc(&sub.record),
        lead = esc(&sub.lead),
        fs = sub.fs,
        seg = sub.segment_seconds,
        weights = esc(&sub.weights),
        gen = esc(&r.generator),
        disc = esc(&r.disclaimer),
    );

    // Key figures.
    h.push_str("<div class=\"figures\">");
    let mut figure = |id: &str, value: String, caption: &str| {
        let _ = write!(
            h,
            "<div class=\"figure\"><b id=\"{id}\">{}</b><span>{}</span></div>",
            esc(&value),
            esc(caption)
        );
    };
    figure("duration", duration(s.duration_s), "recording");
    figure(
        "analysed",
        duration(s.analysed_s),
        "analysed (classified segments)",
    );
    figure("unclassified", duration(s.unclassified_s), "not classified");
    figure(
        "af-burden",
        s.af_burden_percent
            .map_or("n/a".into(), |p| format!("{p:.1} %")),
        "AF burden (AFIB + AFL share of analysed time)",
    );
    figure("episodes", s.episodes.len().to_string(), "rhythm episodes");
    if let Some(a) = &s.agreement {
        figure(
            "agreement",
            a.percent.map_or("n/a".into(), |p| format!("{p:.1} %")),
            &format!("agreement with `{}` over compared time", a.annotator),
        );
    }
    h.push_str("</div>\n");

    // Timeline.
    h.push_str("<h2>Rhythm timeline</h2>\n");
    h.push_str(&timeline_svg(r));
    h.push_str("<p class=\"legend\">");
    for (i, label) in s.labels.iter().enumerate() {
        let _ = write!(
            h,
            "<span><i class=\"sw\" style=\"background:{}\"></i>{}</span>",
            colour(label, i),
            esc(label)
        );
    }
    let _ = writeln!(
        h,
        "<span><i class=\"sw\" style=\"background:{UNCLASSIFIED_COLOUR}\"></i>not classified \
         / no reference rhythm</span></p>"
    );
    if let Some(a) = &s.agreement {
        let _ = writeln!(
            h,
            "<p>Reference rhythm annotations (<code>{}</code>) cover {} of the analysed time; \
             classification and reference name the same rhythm over {} of it.</p>",
            esc(&a.annotator),
            duration(a.compared_s),
            a.percent.map_or("none".into(), |p| format!(
                "{} ({p:.1} %)",
                duration(a.agreeing_s)
            )),
        );
    } else {
        h.push_str("<p class=\"note\">The record has no reference rhythm annotations.</p>\n");
    }

    // Time per class.
    h.push_str(
        "<h2>Time in each rhythm</h2>\n<table><tr><th>rhythm</th><th class=\"n\">time</th>\
         <th class=\"n\">seconds</th><th class=\"n\">share of analysed time</th></tr>\n",
    );
    for (i, c) in s.classes.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td><i class=\"sw\" style=\"background:{}\"></i>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\" id=\"seconds-{}\">{:.3}</td><td class=\"n\" id=\"percent-{}\">{:.1} %</td></tr>",
            colour(&c.label, i),
            esc(&c.label),
            duration(c.seconds),
            esc(&c.label),
            c.seconds,
            esc(&c.label),
            c.percent
        );
    }
    let _ = writeln!(
        h,
        "<tr><th>analysed</th><th class=\"n\">{}</th><th class=\"n\" id=\"seconds-analysed\">{:.3}</th>\
         <th class=\"n\">100 %</th></tr></table>",
        duration(s.analysed_s),
        s.analysed_s
    );

    // Episodes.
    let _ = write!(
        h,
        "<h2>Episodes</h2>\n<p class=\"note\">Consecutive segments of one rhythm, longest first{}.</p>\n\
         <table><tr><th>rhythm</th><th class=\"n\">start</th><th class=\"n\">end</th>\
         <th class=\"n\">duration</th><th class=\"n\">segments</th><th class=\"n\">mean probability</th></tr>\n",
        if s.episodes.len() > MAX_EPISODES {
            format!(
                "; the {MAX_EPISODES} longest of {} (all are in the JSON summary)",
                s.episodes.len()
            )
        } else {
            String::new()
        }
    );
    for e in s.episodes.iter().take(MAX_EPISODES) {
        let _ = writeln!(
            h,
            "<tr class=\"episode\"><td><i class=\"sw\" style=\"background:{}\"></i>{}</td>\
             <td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{:.3}</td></tr>",
            colour(&e.label, e.class),
            esc(&e.label),
            e.start_s,
            e.end_s,
            duration(e.duration_s),
            e.segments,
            e.mean_probability
        );
    }
    h.push_str("</table>\n");

    // Strips.
    h.push_str("<h2>ECG strips</h2>\n");
    if r.strips.is_empty() {
        h.push_str("<p class=\"note\">No rhythm other than N was found: no strip to show.</p>\n");
    } else {
        h.push_str(
            "<p class=\"note\">The start of the longest episode of each rhythm other than N \
             (at most 10 s), in mV against seconds on a 0.2 s &times; 0.5 mV grid. Triangles \
             mark the R peaks the classifier detected, with the RR intervals between them in \
             ms.",
        );
        h.push_str(if r.image_path_used {
            " Beneath, the network's hidden-attention map over the same seconds (rows of the \
             map along time, positions within the fold window downwards; dark = low, yellow = \
             high weight, scaled per strip).</p>\n"
        } else {
            " These weights decide from the rhythm of the R peaks alone (their image pathway \
             is weighted zero), so the intervals are what drove each label and no attention \
             map is drawn.</p>\n"
        });
    }
    for strip in &r.strips {
        let index = s.labels.iter().position(|l| *l == strip.label).unwrap_or(0);
        let _ = writeln!(
            h,
            "<h3><i class=\"sw\" style=\"background:{}\"></i>{} at {} ({}; episode of {})</h3>",
            colour(&strip.label, index),
            esc(&strip.label),
            clock(strip.start_s),
            duration(strip.end_s - strip.start_s),
            duration(strip.episode_duration_s)
        );
        h.push_str(&strip_svg(strip));
    }

    // Model card.
    let m = &r.model;
    let _ = write!(
        h,
        "<h2>Model</h2>\n<table class=\"card\">\
         <tr><td>name</td><td>{}</td></tr><tr><td>task</td><td>{}</td></tr>\
         <tr><td>weight set</td><td>{}</td></tr><tr><td>classes</td><td>{}</td></tr>\
         <tr><td>input</td><td>{} s segments resampled to {} Hz, band-pass {}&ndash;{} Hz</td></tr>\
         <tr><td>smoothing</td><td>{}</td></tr>\
         </table>\n",
        esc(&m.name),
        esc(&m.task),
        esc(&m.weight_set),
        esc(&m.labels.join(", ")),
        m.preprocess.segment_seconds,
        m.preprocess.model_rate_hz,
        m.preprocess.band_low_hz,
        m.preprocess.band_high_hz,
        match m.postprocess.smoothing_half_life_seconds {
            h if h > 0.0 => format!(
                "each segment's probabilities blended with the segments' before it, \
                 half-life {h} s (the weights' own)"
            ),
            _ => "none: each segment's own probabilities".into(),
        },
    );
    for (title, map, empty) in [
        (
            "Training",
            &m.training,
            "The model card records no training provenance.",
        ),
        (
            "Measured results",
            &m.metrics,
            "The model card records no measured results: treat these labels as unvalidated.",
        ),
    ] {
        let _ = writeln!(h, "<h3>{title}</h3>");
        let mut rows = Vec::new();
        for (k, v) in map {
            flatten(k, v, &mut rows);
        }
        if rows.is_empty() {
            let _ = writeln!(h, "<p class=\"note\">{empty}</p>");
            continue;
        }
        h.push_str("<table class=\"card\">");
        for (k, v) in rows.iter().take(MAX_CARD_ROWS) {
            let _ = write!(h, "<tr><td>{}</td><td>{}</td></tr>", esc(k), esc(v));
        }
        h.push_str("</table>\n");
        if rows.len() > MAX_CARD_ROWS {
            let _ = writeln!(
                h,
                "<p class=\"note\">{} more entries in the JSON summary.</p>",
                rows.len() - MAX_CARD_ROWS
            );
        }
    }
    let _ = write!(
        h,
        "<footer>{}. {}</footer>\n</main></body></html>\n",
        esc(&r.generator),
        esc(&r.disclaimer)
    );
    h
}

/// `(dotted key, text)` rows for a model-card value: objects are opened, short arrays of
/// scalars written inline, numbers with at most four decimals.
fn flatten(key: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{key}.{k}"), v, out);
            }
        }
        Value::Array(items) if items.iter().any(|v| v.is_object()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{key}[{i}]"), v, out);
            }
        }
        Value::Array(items) => {
            let text = Value::Array(items.clone()).to_string();
            let text = if text.len() > 160 {
                format!("{} values", items.len())
            } else {
                text
            };
            out.push((key.to_string(), text));
        }
        Value::Number(n) => {
            let text = match n.as_f64() {
                Some(f) if !n.is_i64() && !n.is_u64() => {
                    let t = format!("{f:.4}");
                    t.trim_end_matches('0').trim_end_matches('.').to_string()
                }
                _ => n.to_string(),
            };
            out.push((key.to_string(), text));
        }
        Value::String(t) => out.push((key.to_string(), t.clone())),
        other => out.push((key.to_string(), other.to_string())),
    }
}

/// A step between time ticks giving at most about ten ticks over `seconds`.
fn tick_step(seconds: f64) -> f64 {
    const STEPS: [f64; 16] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        14400.0, 21600.0,
    ];
    STEPS
        .into_iter()
        .find(|s| seconds / s <= 10.0)
        .unwrap_or(43200.0)
}

fn timeline_svg(r: &Report) -> String {
    let s = &r.summary;
    let left = 110.0;
    let plot = WIDTH - left - 10.0;
    let row = 26.0;
    let mut rows: Vec<(String, &[Stretch])> = vec![("classified".into(), &s.timeline)];
    if let (Some(reference), Some(a)) = (&s.reference, &s.agreement) {
        rows.push((format!("reference ({})", a.annotator), reference));
    }
    let height = 14.0 + rows.len() as f64 * (row + 8.0) + 22.0;
    let total = (s.duration_s * s.fs).max(1.0);
    let x = |sample: u64| left + plot * sample as f64 / total;
    let mut g = String::new();
    let _ = write!(
        g,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"rhythm timeline\">"
    );
    for (k, (name, stretches)) in rows.iter().enumerate() {
        let y = 10.0 + k as f64 * (row + 8.0);
        let _ = write!(
            g,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            y + row / 2.0 + 4.0,
            esc(name)
        );
        for st in stretches.iter() {
            let (fill, label) = match st.class.and_then(|c| s.labels.get(c).map(|l| (c, l))) {
                Some((c, l)) => (colour(l, c), l.as_str()),
                None => (UNCLASSIFIED_COLOUR, "not classified"),
            };
            let (x0, x1) = (x(st.start), x(st.end));
            let _ = write!(
                g,
                "<rect x=\"{x0:.2}\" y=\"{y}\" width=\"{:.2}\" height=\"{row}\" fill=\"{fill}\">\
                 <title>{} {}&ndash;{}</title></rect>",
                (x1 - x0).max(0.3),
                esc(label),
                clock(st.start as f64 / s.fs),
                clock(st.end as f64 / s.fs),
            );
        }
    }
    let axis_y = 10.0 + rows.len() as f64 * (row + 8.0);
    let step = tick_step(s.duration_s);
    let mut t = 0.0;
    while t <= s.duration_s + 1e-9 {
        let xt = left + plot * t / s.duration_s.max(1e-9);
        let _ = write!(
            g,
            "<line x1=\"{xt:.2}\" x2=\"{xt:.2}\" y1=\"{}\" y2=\"{}\" stroke=\"#888\"/>\
             <text x=\"{xt:.2}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            axis_y - 4.0,
            axis_y + 2.0,
            axis_y + 14.0,
            clock(t)
        );
        t += step;
    }
    g.push_str("</svg>\n");
    g
}

/// Viridis-like ramp from dark blue (0) through green to yellow (1).
fn heat(v: f64) -> String {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let v = v.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (v.floor() as usize).min(STOPS.len() - 2);
    let f = v - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

fn strip_svg(strip: &Strip) -> String {
    let seconds = strip.end_s - strip.start_s;
    let left = 44.0;
    let width = left + seconds * PX_PER_S + 12.0;
    let finite = strip.samples.iter().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    // Half-millivolt bounds around the signal, at least 2 mV tall, at most 6 mV.
    let (mut lo, mut hi) = if lo.is_finite() {
        (
            (f64::from(lo) * 2.0).floor() / 2.0,
            (f64::from(hi) * 2.0).ceil() / 2.0,
        )
    } else {
        (-1.0, 1.0)
    };
    if hi - lo < 2.0 {
        let mid = ((lo + hi) / 2.0 * 2.0).round() / 2.0;
        (lo, hi) = (mid - 1.0, mid + 1.0);
    }
    if hi - lo > 6.0 {
        hi = lo + 6.0;
    }
    let ecg_h = (hi - lo) * PX_PER_MV;
    let top = 22.0; // room above the grid for the R peaks and RR intervals
    let map_h = if strip.attention.is_empty() {
        0.0
    } else {
        48.0
    };
    let map_top = top + ecg_h + 24.0;
    let height = map_top + map_h + 8.0;
    let x = |t: f64| left + t * PX_PER_S;
    let y = |mv: f64| top + (hi - mv) * PX_PER_MV;
    let mut g = String::new();
    let _ = write!(
        g,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"ECG strip\">\
         <rect x=\"{left}\" y=\"{top}\" width=\"{:.2}\" height=\"{ecg_h:.2}\" fill=\"#fff7f7\"/>",
        seconds * PX_PER_S
    );
    // Grid: 0.2 s and 0.5 mV, every 1 s and 1 mV darker.
    let mut k = 0;
    while f64::from(k) * 0.2 <= seconds + 1e-9 {
        let xt = x(f64::from(k) * 0.2);
        let major = k % 5 == 0;
        let _ = write!(
            g,
            "<line x1=\"{xt:.2}\" x2=\"{xt:.2}\" y1=\"{top}\" y2=\"{:.2}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            top + ecg_h,
            if major { "#e8a0a0" } else { "#f6d3d3" },
            if major { 1.0 } else { 0.6 }
        );
        if major {
            let _ = write!(
                g,
                "<text x=\"{xt:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
                top + ecg_h + 13.0,
                clock(strip.start_s + f64::from(k) * 0.2)
            );
        }
        k += 1;
    }
    let mut mv = lo;
    while mv <= hi + 1e-9 {
        let yt = y(mv);
        let major = (mv - mv.round()).abs() < 1e-9;
        let _ = write!(
            g,
            "<line x1=\"{left}\" x2=\"{:.2}\" y1=\"{yt:.2}\" y2=\"{yt:.2}\" stroke=\"{}\" stroke-width=\"{}\"/>",
            x(seconds),
            if major { "#e8a0a0" } else { "#f6d3d3" },
            if major { 1.0 } else { 0.6 }
        );
        if major {
            let _ = write!(
                g,
                "<text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\">{mv:.0} mV</text>",
                left - 4.0,
                yt + 4.0
            );
        }
        mv += 0.5;
    }
    // The trace, broken at invalid samples and clipped to the drawn range.
    let mut path = String::new();
    let mut pen_down = false;
    for (i, &v) in strip.samples.iter().enumerate() {
        if !v.is_finite() {
            pen_down = false;
            continue;
        }
        let v = f64::from(v).clamp(lo, hi);
        let _ = write!(
            path,
            "{}{:.2},{:.2}",
            if pen_down { " L" } else { " M" },
            x(i as f64 / strip.fs),
            y(v)
        );
        pen_down = true;
    }
    let _ = write!(
        g,
        "<path d=\"{}\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.1\" stroke-linejoin=\"round\"/>",
        path.trim_start()
    );
    // R peaks along the top edge, and the RR interval between each pair in ms.
    let peak_x = |p: f64| x(p - strip.start_s);
    for &p in &strip.r_peaks_s {
        let px = peak_x(p);
        let _ = write!(
            g,
            "<path d=\"M{:.2},{top:.2} l-4,-7 h8 z\" fill=\"#c62828\"/>",
            px
        );
    }
    for pair in strip.r_peaks_s.windows(2) {
        let _ = write!(
            g,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"9\" \
             fill=\"#c62828\">{:.0}</text>",
            (peak_x(pair[0]) + peak_x(pair[1])) / 2.0,
            top - 10.0,
            (pair[1] - pair[0]) * 1000.0
        );
    }
    if strip.attention.is_empty() {
        g.push_str("</svg>\n");
        return g;
    }
    // Attention maps, scaled over the strip.
    let (amin, amax) = strip
        .attention
        .iter()
        .flat_map(|a| a.values.iter())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let span = f64::from(amax - amin).max(1e-6);
    let _ = write!(
        g,
        "<text x=\"{}\" y=\"{:.2}\" text-anchor=\"end\">att.</text>",
        left - 4.0,
        map_top + map_h / 2.0 + 4.0
    );
    for a in &strip.attention {
        if a.rows == 0 || a.cols == 0 {
            continue;
        }
        let cell_w = (a.end_s - a.start_s) * PX_PER_S / a.rows as f64;
        let cell_h = map_h / a.cols as f64;
        let x0 = x(a.start_s - strip.start_s);
        for r in 0..a.rows {
            for c in 0..a.cols {
                let v = f64::from(a.values[r * a.cols + c] - amin) / span;
                let _ = write!(
                    g,
                    "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\"/>",
                    x0 + r as f64 * cell_w,
                    map_top + c as f64 * cell_h,
                    cell_w + 0.3,
                    cell_h + 0.3,
                    heat(v)
                );
            }
        }
    }
    g.push_str("</svg>\n");
    g
}
