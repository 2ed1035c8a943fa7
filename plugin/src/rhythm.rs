//! Rhythm annotations from classification results, as the MIT-BIH databases store rhythm:
//! a `+` (rhythm change) annotation whose aux string is `(` and the label (`(N`, `(AFIB`,
//! ...) wherever the label changes, and `~` (signal quality change) annotations around
//! stretches that could not be analysed. Written with [`crate::wfdb::write_annotations`],
//! they read back with this crate's reader, the WFDB C library and wfdb-python.

use crate::classify::SegmentResult;
use crate::wfdb::Annotation;
use crate::wfdb::codes::RHYTHM;
use crate::{Error, Result};

use crate::wfdb::codes::NOISE;

/// Subtype of a `~` annotation marking every signal unreadable (MIT-BIH convention).
pub const UNREADABLE: i8 = -1;
/// Subtype of a `~` annotation marking the signals clean again.
pub const CLEAN: i8 = 0;

/// The aux string of the rhythm annotation for `label`: `(` followed by the label.
pub fn aux_for(label: &str) -> Vec<u8> {
    let mut aux = Vec::with_capacity(label.len() + 1);
    aux.push(b'(');
    aux.extend_from_slice(label.as_bytes());
    aux
}

/// Rhythm annotations for consecutive segments given as `(start sample, label index)`,
/// `None` for a segment that was not analysed; `labels` names the indices.
///
/// A `+` annotation opens the first analysed stretch and marks every change of label; a
/// segment that was not analysed opens a `~` annotation (subtype [`UNREADABLE`]), and the
/// next analysed one closes it (`~`, subtype [`CLEAN`]) and restates the rhythm.
///
/// # Errors
///
/// [`Error::InvalidArgument`] if a start is negative or earlier than the one before, or a
/// label index has no name.
pub fn annotations(
    segments: impl IntoIterator<Item = (i64, Option<usize>)>,
    labels: &[String],
) -> Result<Vec<Annotation>> {
    let mut out = Vec::new();
    // `None` before the first segment; then the state of the previous one.
    let mut previous: Option<Option<usize>> = None;
    let mut last_start = 0;
    for (i, (start, label)) in segments.into_iter().enumerate() {
        if start < last_start {
            return Err(Error::invalid(format!(
                "segment {i} starts at sample {start}, before the previous one ({last_start})"
            )));
        }
        last_start = start;
        if let Some(l) = label
            && l >= labels.len()
        {
            return Err(Error::invalid(format!(
                "segment {i} has label {l}, but the model has {} classes",
                labels.len()
            )));
        }
        let note = |subtype| Annotation {
            sample: start,
            code: NOISE,
            subtype,
            ..Annotation::default()
        };
        match (previous, label) {
            (Some(p), l) if p == l => {}
            (_, None) => out.push(note(UNREADABLE)),
            (p, Some(l)) => {
                if p == Some(None) {
                    out.push(note(CLEAN));
                }
                out.push(Annotation {
                    sample: start,
                    code: RHYTHM,
                    aux: aux_for(&labels[l]),
                    ..Annotation::default()
                });
            }
        }
        previous = Some(label);
    }
    Ok(out)
}

/// [`annotations`] for the results of a classification of the signal whose first sample
/// is sample `offset` of the record.
pub fn from_results(
    results: &[SegmentResult],
    labels: &[String],
    offset: i64,
) -> Result<Vec<Annotation>> {
    let starts = results.iter().map(|r| {
        i64::try_from(r.start)
            .ok()
            .and_then(|s| s.checked_add(offset))
            .unwrap_or(-1)
    });
    annotations(starts.zip(results.iter().map(|r| r.label)), labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wfdb;

    fn labels() -> Vec<String> {
        ["N", "AFIB", "AFL", "VT", "OTHER"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn summary(anns: &[Annotation]) -> Vec<(i64, String, i8, String)> {
        anns.iter()
            .map(|a| {
                (
                    a.sample,
                    a.symbol().to_string(),
                    a.subtype,
                    a.aux_str().into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn one_annotation_per_change_and_noise_around_gaps() {
        let segs = [
            (0, Some(0)),
            (1800, Some(0)),
            (3600, Some(1)),
            (5400, None),
            (7200, None),
            (9000, Some(1)),
            (10800, Some(4)),
        ];
        let anns = annotations(segs, &labels()).unwrap();
        let want: Vec<(i64, String, i8, String)> = vec![
            (0, "+".into(), 0, "(N".into()),
            (3600, "+".into(), 0, "(AFIB".into()),
            (5400, "~".into(), -1, "".into()),
            (9000, "~".into(), 0, "".into()),
            (9000, "+".into(), 0, "(AFIB".into()),
            (10800, "+".into(), 0, "(OTHER".into()),
        ];
        assert_eq!(summary(&anns), want);
    }

    #[test]
    fn leading_gap_and_empty_input() {
        assert!(annotations([], &labels()).unwrap().is_empty());
        let anns = annotations([(0, None), (500, Some(3))], &labels()).unwrap();
        assert_eq!(
            summary(&anns),
            vec![
                (0, "~".into(), -1, "".into()),
                (500, "~".into(), 0, "".into()),
                (500, "+".into(), 0, "(VT".into()),
            ]
        );
    }

    #[test]
    fn bad_input_is_refused() {
        let e = annotations([(10, Some(0)), (5, Some(0))], &labels()).unwrap_err();
        assert!(
            e.to_string().contains("segment 1 starts at sample 5"),
            "{e}"
        );
        let e = annotations([(0, Some(5))], &labels()).unwrap_err();
        assert!(e.to_string().contains("label 5"), "{e}");
        assert!(annotations([(-1, Some(0))], &labels()).is_err());
    }

    #[test]
    fn written_file_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let segs = [(0, Some(0)), (1800, None), (3600, Some(2))];
        let anns = annotations(segs, &labels()).unwrap();
        let record = dir.path().join("r");
        wfdb::write_annotations(wfdb::annotation_path(&record, "rhy"), 360.0, &anns).unwrap();
        let back = wfdb::read_annotations(&record, "rhy").unwrap();
        assert_eq!(back, anns);
    }
}
