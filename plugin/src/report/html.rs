//! The report as one self-contained HTML page: inline CSS and SVG, no script, no external
//! resource, so it can be archived, mailed or opened offline. Laid out as a Holter report
//! (summary first, plots, episodes, strips, then how the analysis was made), with a print
//! stylesheet so a browser prints it on A4 or Letter with no strip cut across pages.
//!
//! Strips are drawn in millimetres on standard ECG paper (25 mm/s, 10 mm/mV, 1 mm and 5 mm
//! squares), so they print at their true size.

use std::fmt::Write as _;

use serde_json::Value;

use super::{ONSET_LEAD_IN_S, Report, STRIP_SECONDS, Start, Strip, StripKind};
use crate::holter::{Ectopy, Holter};
use crate::summary::{AF_CLASSES, Stretch, Summary};

/// Width of the plots, px (they scale down to the page).
const WIDTH: f64 = 1100.0;
/// Paper speed, mm per second, and gain, mm per mV.
const MM_PER_S: f64 = 25.0;
const MM_PER_MV: f64 = 10.0;
/// Episodes listed on the page (the JSON has them all).
const MAX_EPISODES: usize = 200;
/// Points drawn per class in the RR plots (evenly taken when there are more).
const MAX_POINTS: usize = 4000;
/// Model-card entries listed per section.
const MAX_CARD_ROWS: usize = 80;
const UNCLASSIFIED_COLOUR: &str = "#d0d0d0";

/// Times as the page writes them: clock time when the header gives the start, else
/// elapsed time from the start.
struct Clock {
    start: Option<Start>,
}

impl Clock {
    /// The time `t` seconds into the recording: `14:03:27` (with `+1 d` past midnight) or
    /// elapsed `0:26:50`.
    fn at(&self, t: f64) -> String {
        match self.start {
            Some(start) => {
                let abs = (start.seconds_of_day + t).max(0.0).round() as u64;
                let day = abs / 86_400;
                let s = abs % 86_400;
                let text = format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
                if day > 0 {
                    format!("{text} +{day} d")
                } else {
                    text
                }
            }
            None => elapsed(t),
        }
    }

    /// What the times are, for column heads: `clock time` or `elapsed`.
    fn kind(&self) -> &'static str {
        if self.start.is_some() {
            "clock time"
        } else {
            "elapsed"
        }
    }

    /// The recording's start as a sentence part.
    fn describe(&self) -> String {
        match self.start {
            Some(Start { date, .. }) => {
                let time = self.at(0.0);
                match date {
                    Some((y, m, d)) => format!("{y:04}-{m:02}-{d:02} {time}"),
                    None => format!("{time} (no date in the record)"),
                }
            }
            None => "not in the record (times are elapsed from the start)".into(),
        }
    }
}

/// `h:mm:ss` for a time in seconds, to the second.
fn elapsed(seconds: f64) -> String {
    let t = seconds.round().max(0.0) as u64;
    format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// A rate to the beat per minute, or a dash.
fn bpm(v: Option<f64>) -> String {
    v.map_or("&ndash;".into(), |v| format!("{v:.0}"))
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:0;background:#f6f6f4}
main{max-width:1160px;margin:0 auto;padding:24px 28px 40px;background:#fff}
h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #ccc;padding-bottom:3px}
h3{font-size:14px;margin:14px 0 4px}
.sub{color:#555;margin:0 0 8px}
.warn{background:#fff4d6;border:1px solid #e0b84c;padding:6px 10px;border-radius:4px;margin:8px 0;font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:4px 28px}
.grid table{width:100%}
table{border-collapse:collapse;margin:4px 0}
td,th{border-bottom:1px solid #e6e6e6;padding:2px 8px;text-align:left;vertical-align:top}
th{font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.box th{width:46%;font-weight:normal;color:#444}
.box td{font-weight:600;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:700;font-size:14px;padding:6px 0 2px}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend span{margin-right:14px;white-space:nowrap}
.note{color:#555;font-size:12px}
.plot{width:100%;height:auto}
.plot text{font:11px system-ui,sans-serif;fill:#333}
.pair{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.strip{margin:10px 0 16px}
.strip h3{margin:0 0 3px}
.strip svg{display:block}
.strip text{font-family:system-ui,sans-serif}
.card td:first-child{color:#555;font-family:ui-monospace,monospace;font-size:12px}
.card td{font-size:12px}
footer{margin-top:24px;color:#777;font-size:12px}
@page{margin:10mm}
@media print{
body{background:#fff;font-size:11px}
main{max-width:none;padding:0}
h2{break-after:avoid}
.summary{break-after:page}
.strip,table.box,figure,.plot,tr{break-inside:avoid}
section.strips,section.about{break-before:page}
.grid{grid-template-columns:1fr 1fr}
}
";
pub(super) fn render(r: &Report) -> String {
    let s = &r.summary;
    let b = &r.beats;
    let sub = &r.subject;
    let clock = Clock { start: sub.start };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>haresnet report: {rec}</title><style>{STYLE}</style></head><body><main>\n\
         <h1>Rhythm report: record {rec}</h1>\n\
         <p class=\"sub\">Recording start {start} &middot; duration {dur} &middot; classified \
         lead {lead} of {n} &middot; {gen}</p>\n<p class=\"warn\"><b>Not for clinical use.</b> \
         {disc}</p>\n",
        rec = esc(&sub.record),
        start = esc(&clock.describe()),
        dur = duration(s.duration_s),
        lead = esc(&sub.lead),
        n = sub.leads.len(),
        gen = esc(&r.generator),
        disc = esc(&r.disclaimer),
    );
    summary_page(&mut h, r, &clock);
    plots(&mut h, r, &clock);
    episodes(&mut h, s, &clock);
    strips(&mut h, r, &clock);
    time_per_class(&mut h, s);
    about(&mut h, r, b);
    let _ = write!(
        h,
        "<footer>{}. {}</footer>\n</main></body></html>\n",
        esc(&r.generator),
        esc(&r.disclaimer)
    );
    h
}

/// A row of a summary box: a caption and a value with an id (tests read it).
fn row(h: &mut String, caption: &str, id: &str, value: &str) {
    let _ = write!(h, "<tr><th>{caption}</th><td id=\"{id}\">{value}</td></tr>");
}

fn ectopy_cell(e: &Ectopy) -> String {
    format!(
        "{} &middot; isolated {} &middot; couplets {} &middot; runs {}{}",
        e.beats,
        e.isolated,
        e.couplets,
        e.runs,
        if e.runs > 0 {
            format!(" (longest {} beats)", e.longest_run)
        } else {
            String::new()
        }
    )
}

fn summary_page(h: &mut String, r: &Report, clock: &Clock) {
    let s = &r.summary;
    let b = &r.beats;
    h.push_str("<section class=\"summary\"><h2>Summary</h2><div class=\"grid\">\n");

    h.push_str("<table class=\"box\"><caption>Recording</caption>");
    row(h, "start", "start", &esc(&clock.describe()));
    row(h, "duration", "duration", &duration(s.duration_s));
    row(
        h,
        "analysed (classified)",
        "analysed",
        &duration(s.analysed_s),
    );
    row(
        h,
        "unreadable (flat, invalid or noisy segments)",
        "unreadable",
        &duration(s.unreadable_s),
    );
    let uncovered = s.unclassified_s - s.unreadable_s;
    if uncovered > 1e-9 {
        row(
            h,
            "not covered by a whole segment (end)",
            "uncovered",
            &duration(uncovered),
        );
    }
    h.push_str("</table>\n");

    h.push_str("<table class=\"box\"><caption>Heart rate</caption>");
    let extreme = |e: Option<crate::holter::RateAt>| {
        e.map_or("&ndash;".into(), |e| {
            format!("{:.0} bpm at {}", e.bpm, clock.at(e.start_s))
        })
    };
    row(h, "minimum", "hr-min", &extreme(b.min_rate));
    row(
        h,
        "mean",
        "hr-mean",
        &b.mean_bpm
            .map_or("&ndash;".into(), |v| format!("{v:.0} bpm")),
    );
    row(h, "maximum", "hr-max", &extreme(b.max_rate));
    row(
        h,
        "beats (readable time)",
        "beats",
        &b.beats_total.to_string(),
    );
    h.push_str("</table>\n");

    h.push_str("<table class=\"box\"><caption>Pauses</caption>");
    row(
        h,
        &format!("RR &gt; {} s", b.pause_threshold_s),
        "pauses",
        &b.pauses.len().to_string(),
    );
    row(
        h,
        &format!("RR &gt; {} s", b.long_pause_threshold_s),
        "long-pauses",
        &b.long_pauses.to_string(),
    );
    row(
        h,
        "longest",
        "longest-pause",
        &b.longest_pause().map_or("&ndash;".into(), |p| {
            format!("{:.2} s at {}", p.duration_s, clock.at(p.start_s))
        }),
    );
    if !b.pauses.is_empty() {
        let times: Vec<String> = b
            .pauses
            .iter()
            .take(8)
            .map(|p| format!("{} ({:.1} s)", clock.at(p.start_s), p.duration_s))
            .collect();
        row(
            h,
            "times",
            "pause-times",
            &format!(
                "{}{}",
                times.join(", "),
                if b.pauses.len() > 12 {
                    ", &hellip;"
                } else {
                    ""
                }
            ),
        );
    }
    h.push_str("</table>\n");

    h.push_str("<table class=\"box\"><caption>Ectopic beats (by shape)</caption>");
    row(
        h,
        "ventricular-looking",
        "ectopy-v",
        &ectopy_cell(&b.ventricular),
    );
    row(
        h,
        "supraventricular-looking",
        "ectopy-sv",
        &ectopy_cell(&b.supraventricular),
    );
    row(
        h,
        "beats not judged",
        "unjudged",
        &b.unjudged_beats.to_string(),
    );
    h.push_str("</table>\n");

    h.push_str("<table class=\"box\"><caption>Atrial fibrillation and flutter</caption>");
    row(
        h,
        "AF burden (AFIB + AFL share of analysed time)",
        "af-burden",
        &s.af_burden_percent
            .map_or("n/a".into(), |p| format!("{p:.1} %")),
    );
    let hours: Vec<String> = s
        .af_burden_per_hour
        .iter()
        .filter_map(|hb| Some(format!("{}: {:.0} %", clock.at(hb.start_s), hb.percent?)))
        .collect();
    if hours.len() > 1 {
        let peak = s
            .af_burden_per_hour
            .iter()
            .filter_map(|hb| Some((hb, hb.percent?)))
            .reduce(|a, b| if b.1 > a.1 { b } else { a });
        if let Some((hb, p)) = peak {
            row(
                h,
                "highest hourly burden",
                "af-burden-peak",
                &format!("{p:.0} % (hour from {})", clock.at(hb.start_s)),
            );
        }
    } else if let Some(one) = hours.first() {
        row(h, "burden per hour", "af-burden-hours", one);
    }
    let episode_text = |e: &crate::summary::Episode| {
        format!(
            "{} {} from {}{}",
            esc(&e.label),
            duration(e.duration_s),
            clock.at(e.start_s),
            e.heart_rate
                .map_or(String::new(), |r| format!(", mean {:.0} bpm", r.mean_bpm))
        )
    };
    row(
        h,
        "longest AF episode",
        "af-longest",
        &s.longest_af_episode
            .and_then(|i| s.episodes.get(i))
            .map_or("none".into(), episode_text),
    );
    row(
        h,
        "fastest AF episode (mean rate)",
        "af-fastest",
        &s.fastest_af_episode().map_or("none".into(), episode_text),
    );
    h.push_str("</table>\n");

    h.push_str("<table class=\"box\"><caption>Rhythms other than sinus</caption>");
    let mut any = false;
    for (c, label) in s.labels.iter().enumerate() {
        if label == crate::summary::SINUS {
            continue;
        }
        let list: Vec<&crate::summary::Episode> =
            s.episodes.iter().filter(|e| e.class == c).collect();
        if list.is_empty() {
            continue;
        }
        any = true;
        let longest = list
            .iter()
            .copied()
            .reduce(|a, b| if b.duration_s > a.duration_s { b } else { a })
            .map_or(0.0, |e| e.duration_s);
        row(
            h,
            &format!(
                "<i class=\"sw\" style=\"background:{}\"></i>{}",
                colour(label, c),
                esc(label)
            ),
            &format!("rhythm-{}", esc(label)),
            &format!(
                "{} episode{}, {} in all, longest {}",
                list.len(),
                if list.len() == 1 { "" } else { "s" },
                duration(s.classes[c].seconds),
                duration(longest)
            ),
        );
    }
    if !any {
        row(
            h,
            "none found",
            "rhythm-none",
            "sinus rhythm throughout the analysed time",
        );
    }
    if let Some(a) = &s.agreement {
        row(
            h,
            &format!(
                "agreement with reference <code>{}</code>",
                esc(&a.annotator)
            ),
            "agreement",
            &a.percent.map_or("n/a".into(), |p| format!("{p:.1} %")),
        );
    }
    h.push_str("</table>\n</div>\n");
    let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&r.ectopy_note));
    h.push_str("</section>\n");
}

fn plots(h: &mut String, r: &Report, clock: &Clock) {
    let s = &r.summary;
    h.push_str("<section class=\"plots\"><h2>Heart rate and rhythm</h2>\n");
    h.push_str(&trend_svg(r, clock));
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
        "<span><i class=\"sw\" style=\"background:{UNCLASSIFIED_COLOUR}\"></i>unreadable \
         / no reference rhythm</span></p>"
    );
    let _ = writeln!(
        h,
        "<p class=\"note\">Mean heart rate per {} (beats in readable time); the band beneath \
         is the classified rhythm{}. Times are {}.</p>",
        duration(r.beats.trend_bin_s),
        if s.reference.is_some() {
            ", and under it the reference annotations'"
        } else {
            ""
        },
        clock.kind()
    );
    h.push_str("<h2>RR intervals</h2>\n");
    h.push_str(&tachogram_svg(r, clock));
    h.push_str("<div class=\"pair\">");
    let groups: [(&str, Vec<&str>); 2] = [
        ("sinus rhythm (N)", vec![crate::summary::SINUS]),
        ("AFIB and AFL", AF_CLASSES.to_vec()),
    ];
    for (title, names) in groups {
        let classes: Vec<usize> = s
            .labels
            .iter()
            .enumerate()
            .filter(|(_, l)| names.contains(&l.as_str()))
            .map(|(i, _)| i)
            .collect();
        h.push_str(&poincare_svg(r, title, &classes));
    }
    h.push_str(
        "</div>\n<p class=\"note\">Above: each RR interval against time, coloured by \
         the rhythm of the beat that ends it. Below: Poincar&eacute; plots, each interval \
         against the next, for sinus rhythm and for atrial fibrillation and flutter: a tight \
         cluster on the diagonal is a regular rhythm, a wide cloud an irregular one.</p>\n",
    );
    h.push_str("<h2>AF burden per hour</h2>\n");
    h.push_str(&burden_svg(s, clock));
    h.push_str(
        "<p class=\"note\">Share of each hour's analysed time classified AFIB or AFL, hours \
         counted from the start of the recording; grey: no analysed time.</p></section>\n",
    );
}

fn episodes(h: &mut String, s: &Summary, clock: &Clock) {
    let _ = write!(
        h,
        "<section class=\"episodes\"><h2>Episodes</h2>\n<p class=\"note\">{}{}</p>\n\
         <table><tr><th>rhythm</th><th class=\"n\">start ({})</th>\
         <th class=\"n\">duration</th><th class=\"n\">heart rate min / mean / max</th>\
         <th class=\"n\">mean probability</th><th class=\"n\">segments</th></tr>\n",
        esc(&s.episode_rule),
        if s.episodes.len() > MAX_EPISODES {
            format!(
                " The first {MAX_EPISODES} of {} are listed (all are in the JSON summary).",
                s.episodes.len()
            )
        } else {
            String::new()
        },
        clock.kind()
    );
    if s.episodes.is_empty() {
        h.push_str("<tr><td colspan=\"6\">No rhythm other than sinus rhythm.</td></tr>\n");
    }
    for e in s.episodes.iter().take(MAX_EPISODES) {
        let _ = writeln!(
            h,
            "<tr class=\"episode\"><td><i class=\"sw\" style=\"background:{}\"></i>{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{:.2}</td><td class=\"n\">{}{}</td></tr>",
            colour(&e.label, e.class),
            esc(&e.label),
            clock.at(e.start_s),
            duration(e.duration_s),
            e.heart_rate.map_or("&ndash;".into(), |r| format!(
                "{} / {} / {}",
                bpm(Some(r.min_bpm)),
                bpm(Some(r.mean_bpm)),
                bpm(Some(r.max_bpm))
            )),
            e.mean_probability,
            e.segments,
            if e.interruptions > 0 {
                format!(" (+{} merged)", e.interruptions)
            } else {
                String::new()
            }
        );
    }
    h.push_str("</table></section>\n");
}

fn strips(h: &mut String, r: &Report, clock: &Clock) {
    let s = &r.summary;
    h.push_str("<section class=\"strips\"><h2>ECG strips</h2>\n");
    if r.strips.is_empty() {
        h.push_str("<p class=\"note\">No strip: no episode, beat or pause to show.</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<p class=\"note\">{STRIP_SECONDS:.0} s per strip at 25 mm/s and 10 mm/mV on 1 mm \
             and 5 mm squares (true size when printed at 100 %): the onset of the longest \
             episode of each rhythm ({ONSET_LEAD_IN_S:.0} s before it), the fastest and \
             slowest heart rate and the longest pause. Every lead of the record, the \
             classified one marked &#9733;. Triangles mark the R peaks, with the RR intervals \
             in ms.{}</p>",
            if r.image_path_used {
                " Beneath, the network's hidden-attention map over the classified lead \
                 (dark = low, yellow = high weight)."
            } else {
                ""
            }
        );
    }
    for strip in &r.strips {
        let title = match &strip.kind {
            StripKind::Onset {
                label,
                episode_start_s,
                episode_duration_s,
            } => {
                let index = s.labels.iter().position(|l| l == label).unwrap_or(0);
                format!(
                    "<i class=\"sw\" style=\"background:{}\"></i>{} onset at {} (episode of {})",
                    colour(label, index),
                    esc(label),
                    clock.at(*episode_start_s),
                    duration(*episode_duration_s)
                )
            }
            StripKind::Fastest { bpm } => format!("Fastest heart rate: {bpm:.0} bpm"),
            StripKind::Slowest { bpm } => format!("Slowest heart rate: {bpm:.0} bpm"),
            StripKind::Pause { duration_s } => format!("Longest pause: {duration_s:.2} s"),
        };
        let _ = writeln!(
            h,
            "<div class=\"strip\"><h3>{title} &middot; strip {}&ndash;{}</h3>{}</div>",
            clock.at(strip.start_s),
            clock.at(strip.end_s),
            strip_svg(strip, clock)
        );
    }
    h.push_str("</section>\n");
}

fn time_per_class(h: &mut String, s: &Summary) {
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
    }
}

fn about(h: &mut String, r: &Report, b: &Holter) {
    let sub = &r.subject;
    let m = &r.model;
    let _ = write!(
        h,
        "<section class=\"about\"><h2>About this analysis</h2>\n\
         <p>Record {rec}, lead {lead} at {fs} Hz (leads: {leads}), classified in {seg} s \
         segments with {weights}.</p>\n<ul class=\"note\">\
         <li><b>Unreadable time</b>: segments the classifier did not classify (flat, invalid \
         samples, too noisy); they count in no rhythm and not in the AF burden.</li>\
         <li><b>Heart rate</b>: R peaks detected over the whole classified lead; an RR \
         interval counts when both beats lie in one unbroken stretch of readable time. \
         Minimum and maximum: the lowest and highest mean over {w} consecutive intervals; \
         an episode's, over {w} intervals within it (all of them when fewer).</li>\
         <li><b>Pauses</b>: RR intervals longer than {p} s (and {lp} s).</li>\
         <li><b>Episodes</b>: {rule}</li><li><b>Ectopic beats</b>: {ectopy}</li></ul>\n",
        rec = esc(&sub.record),
        lead = esc(&sub.lead),
        fs = sub.fs,
        leads = esc(&sub.leads.join(", ")),
        seg = sub.segment_seconds,
        weights = esc(&sub.weights),
        w = b.rate_window_beats,
        p = b.pause_threshold_s,
        lp = b.long_pause_threshold_s,
        rule = esc(&r.summary.episode_rule),
        ectopy = esc(&r.ectopy_note),
    );
    let _ = write!(
        h,
        "<h3>Model</h3>\n<table class=\"card\">\
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
    h.push_str("</section>\n");
}

/// Opens a plot of `height` px at the page's width.
fn open_plot(height: f64, label: &str) -> String {
    format!(
        "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-label=\"{label}\">"
    )
}

/// Time ticks along `y` for a plot from `left` over `plot` px of `duration_s`.
fn time_axis(g: &mut String, clock: &Clock, left: f64, plot: f64, y: f64, duration_s: f64) {
    let step = tick_step(duration_s);
    let mut t = 0.0;
    while t <= duration_s + 1e-9 {
        let xt = left + plot * t / duration_s.max(1e-9);
        let _ = write!(
            g,
            "<line x1=\"{xt:.2}\" x2=\"{xt:.2}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\"/>\
             <text x=\"{xt:.2}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            y,
            y + 5.0,
            y + 17.0,
            clock.at(t)
        );
        t += step;
    }
}

/// A band of coloured stretches (a rhythm timeline) at `y`, `height` px tall.
#[allow(clippy::too_many_arguments)]
fn band(
    g: &mut String,
    s: &Summary,
    clock: &Clock,
    name: &str,
    stretches: &[Stretch],
    left: f64,
    plot: f64,
    y: f64,
    height: f64,
) {
    let total = (s.duration_s * s.fs).max(1.0);
    let x = |sample: u64| left + plot * sample as f64 / total;
    let _ = write!(
        g,
        "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        left - 6.0,
        y + height / 2.0 + 4.0,
        esc(name)
    );
    for st in stretches {
        let (fill, label) = match st.class.and_then(|c| s.labels.get(c).map(|l| (c, l))) {
            Some((c, l)) => (colour(l, c), l.as_str()),
            None => (UNCLASSIFIED_COLOUR, "unreadable"),
        };
        let (x0, x1) = (x(st.start), x(st.end));
        let _ = write!(
            g,
            "<rect x=\"{x0:.2}\" y=\"{y:.1}\" width=\"{:.2}\" height=\"{height}\" fill=\"{fill}\">\
             <title>{} {}&ndash;{}</title></rect>",
            (x1 - x0).max(0.3),
            esc(label),
            clock.at(st.start as f64 / s.fs),
            clock.at(st.end as f64 / s.fs),
        );
    }
}

/// Horizontal grid lines and labels for values `lo..=hi` every `step`, mapped by `y`.
#[allow(clippy::too_many_arguments)]
fn value_grid(
    g: &mut String,
    left: f64,
    right: f64,
    lo: f64,
    hi: f64,
    step: f64,
    y: &dyn Fn(f64) -> f64,
    unit: &str,
) {
    let mut v = lo;
    while v <= hi + 1e-9 {
        let yv = y(v);
        let _ = write!(
            g,
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{yv:.1}\" y2=\"{yv:.1}\" stroke=\"#e4e4e4\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{unit}</text>",
            left - 6.0,
            yv + 4.0,
            if step < 1.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.0}")
            }
        );
        v += step;
    }
}

fn trend_svg(r: &Report, clock: &Clock) -> String {
    let s = &r.summary;
    let b = &r.beats;
    let (left, top, hr_h, row) = (110.0, 10.0, 170.0, 18.0);
    let plot = WIDTH - left - 12.0;
    let mut rows: Vec<(String, &[Stretch])> = vec![("classified".into(), &s.timeline)];
    if let (Some(reference), Some(a)) = (&s.reference, &s.agreement) {
        rows.push((format!("reference ({})", a.annotator), reference));
    }
    let band_top = top + hr_h + 8.0;
    let axis_y = band_top + rows.len() as f64 * (row + 4.0);
    let height = axis_y + 24.0;
    let max = b
        .trend_bpm
        .iter()
        .flatten()
        .copied()
        .chain(b.max_rate.map(|m| m.bpm))
        .fold(0.0f64, f64::max);
    let hi = (((max + 10.0) / 25.0).ceil() * 25.0).clamp(150.0, 300.0);
    let lo = 25.0;
    let y = |v: f64| top + hr_h * (hi - v.clamp(lo, hi)) / (hi - lo);
    let duration_s = s.duration_s.max(1e-9);
    let x = |t: f64| left + plot * t / duration_s;
    let mut g = open_plot(height, "heart-rate trend and rhythm");
    value_grid(&mut g, left, left + plot, lo, hi, 25.0, &y, "");
    let _ = write!(
        g,
        "<text x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">\
         heart rate (bpm)</text>",
        top + hr_h / 2.0,
        top + hr_h / 2.0
    );
    let mut path = String::new();
    let mut pen = false;
    for (k, v) in b.trend_bpm.iter().enumerate() {
        match v {
            Some(v) => {
                let t = ((k as f64 + 0.5) * b.trend_bin_s).min(s.duration_s);
                let _ = write!(
                    path,
                    "{}{:.2},{:.2}",
                    if pen { " L" } else { " M" },
                    x(t),
                    y(*v)
                );
                pen = true;
            }
            None => pen = false,
        }
    }
    let _ = write!(
        g,
        "<path d=\"{}\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.6\" \
         stroke-linejoin=\"round\"/>",
        path.trim_start()
    );
    for (e, name, colour) in [
        (b.max_rate, "max", "#c62828"),
        (b.min_rate, "min", "#1565c0"),
    ] {
        if let Some(e) = e {
            let (xe, ye) = (x((e.start_s + e.end_s) / 2.0), y(e.bpm));
            let _ = write!(
                g,
                "<circle cx=\"{xe:.2}\" cy=\"{ye:.2}\" r=\"4\" fill=\"{colour}\"/>\
                 <text x=\"{:.2}\" y=\"{:.2}\" fill=\"{colour}\" text-anchor=\"{}\">{name} {:.0}</text>",
                xe + if xe > left + plot - 80.0 { -7.0 } else { 7.0 },
                ye + if name == "max" { -5.0 } else { 14.0 },
                if xe > left + plot - 80.0 {
                    "end"
                } else {
                    "start"
                },
                e.bpm
            );
        }
    }
    for (k, (name, stretches)) in rows.iter().enumerate() {
        band(
            &mut g,
            s,
            clock,
            name,
            stretches,
            left,
            plot,
            band_top + k as f64 * (row + 4.0),
            row,
        );
    }
    time_axis(&mut g, clock, left, plot, axis_y, s.duration_s);
    g.push_str("</svg>\n");
    g
}

/// Indices taken evenly from `0..n`, at most `max` of them.
fn thin(n: usize, max: usize) -> impl Iterator<Item = usize> {
    let step = n.div_ceil(max.max(1)).max(1);
    (0..n).step_by(step)
}

fn tachogram_svg(r: &Report, clock: &Clock) -> String {
    let s = &r.summary;
    let b = &r.beats;
    let (left, top, ph) = (110.0, 10.0, 150.0);
    let plot = WIDTH - left - 12.0;
    let height = top + ph + 26.0;
    let max = b.rr.iter().map(|i| i.rr_s).fold(0.0f64, f64::max);
    let hi = max.ceil().clamp(2.0, 4.0);
    let y = |v: f64| top + ph * (hi - v.clamp(0.0, hi)) / hi;
    let duration_s = s.duration_s.max(1e-9);
    let x = |t: f64| left + plot * t / duration_s;
    let mut g = open_plot(height, "RR tachogram");
    value_grid(&mut g, left, left + plot, 0.0, hi, 0.5, &y, " s");
    let _ = write!(
        g,
        "<text x=\"14\" y=\"{:.1}\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">\
         RR interval</text>",
        top + ph / 2.0,
        top + ph / 2.0
    );
    for k in thin(b.rr.len(), 3 * MAX_POINTS) {
        let i = b.rr[k];
        let beat = b.beats[i.end];
        let _ = write!(
            g,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.3\" fill=\"{}\"/>",
            x(beat.time_s),
            y(i.rr_s),
            s.labels
                .get(beat.class)
                .map_or(UNCLASSIFIED_COLOUR, |l| colour(l, beat.class))
        );
    }
    time_axis(&mut g, clock, left, plot, top + ph, s.duration_s);
    g.push_str("</svg>\n");
    g
}

/// A Poincaré plot (each RR interval against the next) of the beats in `classes`.
fn poincare_svg(r: &Report, title: &str, classes: &[usize]) -> String {
    let b = &r.beats;
    let (size, pad, max) = (250.0, 40.0, 2.0);
    let pairs: Vec<(f64, f64, usize)> = b
        .rr
        .windows(2)
        .filter(|w| w[1].end == w[0].end + 1)
        .filter(|w| {
            classes.contains(&b.beats[w[0].end].class) && classes.contains(&b.beats[w[1].end].class)
        })
        .map(|w| (w[0].rr_s, w[1].rr_s, b.beats[w[1].end].class))
        .collect();
    let (w, h) = (size + pad + 10.0, size + pad + 24.0);
    let mut g = format!(
        "<svg class=\"plot\" style=\"max-width:{w}px\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Poincaré plot, {t}\">\
         <text x=\"{:.1}\" y=\"14\" text-anchor=\"middle\" font-weight=\"bold\">{t} ({n} pairs)</text>",
        pad + size / 2.0,
        t = esc(title),
        n = pairs.len()
    );
    let top = 22.0;
    let px = |v: f64| pad + size * v.clamp(0.0, max) / max;
    let py = |v: f64| top + size * (max - v.clamp(0.0, max)) / max;
    let _ = write!(
        g,
        "<rect x=\"{pad}\" y=\"{top}\" width=\"{size}\" height=\"{size}\" fill=\"none\" \
         stroke=\"#bbb\"/><line x1=\"{pad}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{top}\" \
         stroke=\"#ddd\"/>",
        top + size,
        pad + size
    );
    let mut v = 0.0;
    while v <= max + 1e-9 {
        let _ = write!(
            g,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{v:.1}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v:.1}</text>",
            px(v),
            top + size + 14.0,
            pad - 4.0,
            py(v) + 4.0
        );
        v += 0.5;
    }
    for k in thin(pairs.len(), MAX_POINTS) {
        let (a, c, class) = pairs[k];
        let _ = write!(
            g,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.4\" fill=\"{}\" fill-opacity=\"0.6\"/>",
            px(a),
            py(c),
            r.summary
                .labels
                .get(class)
                .map_or(UNCLASSIFIED_COLOUR, |l| colour(l, class))
        );
    }
    g.push_str("</svg>");
    g
}

fn burden_svg(s: &Summary, clock: &Clock) -> String {
    let (left, top, ph) = (110.0, 10.0, 110.0);
    let plot = WIDTH - left - 12.0;
    let height = top + ph + 26.0;
    let y = |v: f64| top + ph * (100.0 - v.clamp(0.0, 100.0)) / 100.0;
    let mut g = open_plot(height, "AF burden per hour");
    value_grid(&mut g, left, left + plot, 0.0, 100.0, 25.0, &y, " %");
    let n = s.af_burden_per_hour.len().max(1) as f64;
    let bar = plot / n;
    for (k, hb) in s.af_burden_per_hour.iter().enumerate() {
        let x0 = left + k as f64 * bar + bar * 0.1;
        let w = bar * 0.8;
        match hb.percent {
            Some(p) => {
                let _ = write!(
                    g,
                    "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" \
                     fill=\"{}\"><title>{:.1} %</title></rect>",
                    y(p),
                    y(0.0) - y(p),
                    colour("AFIB", 1),
                    p
                );
                let _ = write!(
                    g,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{p:.0} %</text>",
                    x0 + w / 2.0,
                    (y(p) - 4.0).max(top + 10.0)
                );
            }
            None => {
                let _ = write!(
                    g,
                    "<rect x=\"{x0:.1}\" y=\"{top}\" width=\"{w:.1}\" height=\"{ph}\" \
                     fill=\"{UNCLASSIFIED_COLOUR}\" fill-opacity=\"0.5\"/>"
                );
            }
        }
        let _ = write!(
            g,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x0 + w / 2.0,
            top + ph + 17.0,
            clock.at(hb.start_s)
        );
    }
    g.push_str("</svg>\n");
    g
}

/// A strip on ECG paper, drawn in millimetres: every lead in a band of its own, at
/// 25 mm/s and 10 mm/mV.
fn strip_svg(strip: &Strip, clock: &Clock) -> String {
    let seconds = strip.end_s - strip.start_s;
    let paper_w = seconds * MM_PER_S;
    let (left, top_rr) = (1.0, 6.0);
    // Each lead's band: its range within the strip in half millivolts, 2 to 4 mV tall.
    let bands: Vec<(f64, f64)> = strip
        .leads
        .iter()
        .map(|lead| {
            let (lo, hi) = lead
                .samples
                .iter()
                .filter(|v| v.is_finite())
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            if !lo.is_finite() {
                return (-1.0, 1.0);
            }
            let (mut lo, mut hi) = (
                (f64::from(lo) * 2.0).floor() / 2.0,
                (f64::from(hi) * 2.0).ceil() / 2.0,
            );
            if hi - lo < 2.0 {
                let mid = ((lo + hi) / 2.0 * 2.0).round() / 2.0;
                (lo, hi) = (mid - 1.0, mid + 1.0);
            }
            if hi - lo > 4.0 {
                // Keep the QRS peaks: centre on the median of the samples.
                let mut v: Vec<f32> = lead
                    .samples
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .collect();
                v.sort_by(f32::total_cmp);
                let mid = (f64::from(v[v.len() / 2]) * 2.0).round() / 2.0;
                (lo, hi) = (mid - 2.0, mid + 2.0);
            }
            (lo, hi)
        })
        .collect();
    let paper_h: f64 = bands.iter().map(|(lo, hi)| (hi - lo) * MM_PER_MV).sum();
    let width = left + paper_w + 1.0;
    let height = top_rr + paper_h + 5.0;
    let top = top_rr;
    let mut g = String::new();
    let _ = write!(
        g,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.1}mm\" height=\"{height:.1}mm\" \
         viewBox=\"0 0 {width:.1} {height:.1}\" role=\"img\" aria-label=\"ECG strip\">\
         <rect x=\"{left}\" y=\"{top}\" width=\"{paper_w:.2}\" height=\"{paper_h:.2}\" fill=\"#fff5f5\"/>"
    );
    // 1 mm squares, 5 mm squares darker.
    let minor = "#f4c7c7";
    let major = "#e08a8a";
    let mut path_minor = String::new();
    let mut path_major = String::new();
    let cols = paper_w.round() as usize;
    for k in 0..=cols {
        let xk = left + k as f64;
        let p = if k % 5 == 0 {
            &mut path_major
        } else {
            &mut path_minor
        };
        let _ = write!(p, "M{xk:.2} {top:.2}V{:.2}", top + paper_h);
    }
    let rows = paper_h.round() as usize;
    for k in 0..=rows {
        let yk = top + k as f64;
        let p = if k % 5 == 0 {
            &mut path_major
        } else {
            &mut path_minor
        };
        let _ = write!(p, "M{left:.2} {yk:.2}H{:.2}", left + paper_w);
    }
    let _ = write!(
        g,
        "<path d=\"{path_minor}\" stroke=\"{minor}\" stroke-width=\"0.08\"/>\
         <path d=\"{path_major}\" stroke=\"{major}\" stroke-width=\"0.2\"/>"
    );
    let x = |t: f64| left + t * MM_PER_S;
    let mut band_top = top;
    for (lead, &(lo, hi)) in strip.leads.iter().zip(&bands) {
        let y = |mv: f64| band_top + (hi - mv) * MM_PER_MV;
        let mut path = String::new();
        let mut pen = false;
        for (i, &v) in lead.samples.iter().enumerate() {
            if !v.is_finite() {
                pen = false;
                continue;
            }
            let v = f64::from(v).clamp(lo, hi);
            let _ = write!(
                path,
                "{}{:.2},{:.2}",
                if pen { "L" } else { "M" },
                x(i as f64 / strip.fs),
                y(v)
            );
            pen = true;
        }
        let _ = write!(
            g,
            "<path d=\"{path}\" fill=\"none\" stroke=\"#111\" stroke-width=\"0.22\" \
             stroke-linejoin=\"round\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"2.6\" \
             font-weight=\"bold\">{}{}</text>",
            left + 1.0,
            band_top + 3.2,
            esc(&lead.name),
            if lead.classified { " &#9733;" } else { "" }
        );
        band_top += (hi - lo) * MM_PER_MV;
    }
    // R peaks along the top edge, the RR interval between each pair in ms.
    let peak_x = |p: f64| x(p - strip.start_s);
    for &p in &strip.r_peaks_s {
        let _ = write!(
            g,
            "<path d=\"M{:.2},{top:.2} l-1,-1.8 h2 z\" fill=\"#c62828\"/>",
            peak_x(p)
        );
    }
    for pair in strip.r_peaks_s.windows(2) {
        let _ = write!(
            g,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"2.3\" \
             fill=\"#c62828\">{:.0}</text>",
            (peak_x(pair[0]) + peak_x(pair[1])) / 2.0,
            top - 2.4,
            (pair[1] - pair[0]) * 1000.0
        );
    }
    // Seconds under the paper.
    let mut k = 0.0;
    while k <= seconds + 1e-9 {
        let _ = write!(
            g,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"2.3\" \
             fill=\"#555\">{}</text>",
            x(k).clamp(left + 5.0, left + paper_w - 5.0),
            top + paper_h + 3.6,
            clock.at(strip.start_s + k)
        );
        k += 1.0;
    }
    if !strip.attention.is_empty() {
        g.push_str(&attention_svg(strip, left, top + paper_h + 4.5));
        // Grow the drawing for the maps.
        g = g.replacen(
            &format!("height=\"{height:.1}mm\" viewBox=\"0 0 {width:.1} {height:.1}\""),
            &format!(
                "height=\"{:.1}mm\" viewBox=\"0 0 {width:.1} {:.1}\"",
                height + 10.0,
                height + 10.0
            ),
            1,
        );
    }
    g.push_str("</svg>\n");
    g
}

/// The attention maps of a strip, 8 mm tall, under the paper at `top`.
fn attention_svg(strip: &Strip, left: f64, top: f64) -> String {
    let mut g = String::new();
    let (amin, amax) = strip
        .attention
        .iter()
        .flat_map(|a| a.values.iter())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let span = f64::from(amax - amin).max(1e-6);
    let map_h = 8.0;
    for a in &strip.attention {
        if a.rows == 0 || a.cols == 0 {
            continue;
        }
        let cell_w = (a.end_s - a.start_s) * MM_PER_S / a.rows as f64;
        let cell_h = map_h / a.cols as f64;
        let x0 = left + (a.start_s - strip.start_s) * MM_PER_S;
        for r in 0..a.rows {
            for c in 0..a.cols {
                let v = f64::from(a.values[r * a.cols + c] - amin) / span;
                let _ = write!(
                    g,
                    "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{}\"/>",
                    x0 + r as f64 * cell_w,
                    top + c as f64 * cell_h,
                    cell_w + 0.05,
                    cell_h + 0.05,
                    heat(v)
                );
            }
        }
    }
    g
}
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
