//! Cutting a signal into segments at its own sampling rate.

use std::ops::Range;

use crate::{Error, Result};

/// Number of input samples in a segment of `seconds` at `fs` Hz: `round(seconds * fs)`.
///
/// Fails when either is not finite and positive or the segment would be empty.
pub fn segment_len(seconds: f64, fs: f64) -> Result<usize> {
    if !(seconds.is_finite() && seconds > 0.0 && fs.is_finite() && fs > 0.0) {
        return Err(Error::invalid(format!(
            "segment length needs a positive duration and rate, got {seconds} s at {fs} Hz"
        )));
    }
    let n = (seconds * fs).round();
    if n < 1.0 || n > (usize::MAX / 2) as f64 {
        return Err(Error::invalid(format!(
            "a segment of {seconds} s at {fs} Hz has an unusable length ({n} samples)"
        )));
    }
    Ok(n as usize)
}

/// The complete segments of `len` samples, `hop` samples apart, in a signal of `n`
/// samples: `0..len`, `hop..hop + len`, ... A tail shorter than `len` is not a segment.
///
/// Fails when `len` or `hop` is zero.
pub fn segment_ranges(n: usize, len: usize, hop: usize) -> Result<SegmentRanges> {
    if len == 0 || hop == 0 {
        return Err(Error::invalid(format!(
            "segments need a positive length and hop, got length {len} and hop {hop}"
        )));
    }
    let count = if n < len { 0 } else { (n - len) / hop + 1 };
    Ok(SegmentRanges {
        next: 0,
        count,
        len,
        hop,
    })
}

/// Iterator over segment ranges, from [`segment_ranges`].
#[derive(Debug, Clone)]
pub struct SegmentRanges {
    next: usize,
    count: usize,
    len: usize,
    hop: usize,
}

impl Iterator for SegmentRanges {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        (self.next < self.count).then(|| {
            let start = self.next * self.hop;
            self.next += 1;
            start..start + self.len
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for SegmentRanges {}

/// What follows the complete segments of a signal ([`segment_ranges`]): the samples from
/// the end of the last segment (or from where the next would start, with a hop longer than
/// a segment) to the end of the signal, when there are any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// At least the minimum remains after at least one segment: the signal's last `len`
    /// samples are one more segment, overlapping the one before.
    Window(Range<usize>),
    /// The whole signal is shorter than one segment but at least the minimum: it is
    /// classified as a short segment.
    Short(Range<usize>),
    /// Fewer samples than the minimum remain: reported, not classified.
    TooShort(Range<usize>),
}

impl Tail {
    /// The samples the tail row covers.
    pub fn range(&self) -> Range<usize> {
        match self {
            Tail::Window(r) | Tail::Short(r) | Tail::TooShort(r) => r.clone(),
        }
    }
}

/// The tail of a signal of `n` samples cut into segments of `len`, `hop` apart, with
/// `min_len` the fewest samples classified; `None` when the segments reach the end.
pub fn tail(n: usize, len: usize, hop: usize, min_len: usize) -> Result<Option<Tail>> {
    let count = segment_ranges(n, len, hop)?.len();
    let covered = if count == 0 {
        0
    } else {
        (count - 1) * hop + len
    };
    let from = covered.max(count * hop);
    if from >= n {
        return Ok(None);
    }
    Ok(Some(if n - from < min_len.max(1) {
        Tail::TooShort(from..n)
    } else if count > 0 {
        Tail::Window(n - len..n)
    } else {
        Tail::Short(0..n)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails() {
        // 10 samples in segments of 4: 0..4, 4..8, then 8..10.
        assert_eq!(tail(10, 4, 4, 2).unwrap(), Some(Tail::Window(6..10)));
        assert_eq!(tail(10, 4, 4, 3).unwrap(), Some(Tail::TooShort(8..10)));
        assert_eq!(tail(8, 4, 4, 1).unwrap(), None);
        assert_eq!(tail(3, 4, 4, 2).unwrap(), Some(Tail::Short(0..3)));
        assert_eq!(tail(1, 4, 4, 2).unwrap(), Some(Tail::TooShort(0..1)));
        assert_eq!(tail(0, 4, 4, 2).unwrap(), None);
        // Overlapping segments 0..4, 2..6, 4..8: 8..9 remains.
        assert_eq!(tail(9, 4, 2, 2).unwrap(), Some(Tail::TooShort(8..9)));
        // A hop longer than a segment: 0..4, 6..10; the next would start at 12.
        assert_eq!(tail(11, 4, 6, 1).unwrap(), None);
        assert_eq!(tail(15, 4, 6, 2).unwrap(), Some(Tail::Window(11..15)));
    }

    #[test]
    fn only_complete_segments() {
        let r: Vec<_> = segment_ranges(10, 4, 4).unwrap().collect();
        assert_eq!(r, vec![0..4, 4..8]);
        let r: Vec<_> = segment_ranges(10, 4, 3).unwrap().collect();
        assert_eq!(r, vec![0..4, 3..7, 6..10]);
        assert_eq!(segment_ranges(3, 4, 4).unwrap().count(), 0);
        assert_eq!(segment_ranges(4, 4, 1).unwrap().len(), 1);
        // One MIT-BIH record (650,000 samples at 360 Hz) in 5 s segments.
        let r = segment_ranges(650_000, 1800, 1800).unwrap();
        assert_eq!(r.len(), 361);
        assert_eq!(r.last(), Some(648_000..649_800));
    }

    #[test]
    fn zero_length_or_hop_is_an_error() {
        assert!(segment_ranges(10, 0, 1).is_err());
        assert!(segment_ranges(10, 1, 0).is_err());
    }

    #[test]
    fn segment_lengths() {
        assert_eq!(segment_len(5.0, 360.0).unwrap(), 1800);
        assert_eq!(segment_len(2.0, 128.0).unwrap(), 256);
        assert_eq!(segment_len(10.0, 1000.0 / 3.0).unwrap(), 3333);
        assert!(segment_len(0.0, 360.0).is_err());
        assert!(segment_len(5.0, f64::NAN).is_err());
        assert!(segment_len(1e300, 1e300).is_err());
    }
}
