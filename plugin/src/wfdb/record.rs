//! [`Record`]: an opened WFDB record, its metadata, and sample reads (digital or physical,
//! any channel subset and frame range).

use std::path::{Path, PathBuf};

use super::edf::{Edf, is_edf_path};
use super::header::{Header, SignalSpec};
use super::multiseg::MultiSegment;
use super::signal::Segment;
use crate::{Error, Result};

/// How signals with several samples per frame are returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Resolution {
    /// Every signal at the record's highest rate (`max_samples_per_frame` samples per
    /// frame), samples of slower signals repeated, as the WFDB C library's high-resolution
    /// mode (`WFDB_HIGHRES`) does. For records with one sample per frame (almost all),
    /// this is simply the frame rate.
    #[default]
    Expanded,
    /// Each signal at its own rate: `samples_per_frame` samples per frame.
    PerSignal,
}

/// An opened WFDB record.
///
/// Opening reads the header and the sizes of the signal files; samples are read on
/// demand, each call reading only the bytes its range needs.
#[derive(Debug, Clone)]
pub struct Record {
    header_path: PathBuf,
    header: Header,
    data: Data,
}

/// Where the samples come from.
#[derive(Debug, Clone)]
enum Data {
    Single(Segment),
    Multi(MultiSegment),
    /// An EDF or EDF+ file.
    Edf(Box<Edf>),
}

impl Data {
    fn signals(&self) -> &[SignalSpec] {
        match self {
            Data::Single(s) => &s.signals,
            Data::Multi(m) => &m.signals,
            Data::Edf(e) => &e.header.signals,
        }
    }

    fn len(&self) -> u64 {
        match self {
            Data::Single(s) => s.len,
            Data::Multi(m) => m.len,
            Data::Edf(e) => e.len(),
        }
    }
}

/// The record `path` names, as a record path (without `.hea`): the record path itself,
/// its header, or any other of the record's files (`100.dat`, `A00001.mat`, `100.atr`)
/// when a header `<stem>.hea` lies beside it and `<path>.hea` does not.
pub fn record_base(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    let s = path.as_os_str().to_string_lossy();
    if let Some(base) = s.strip_suffix(".hea") {
        return PathBuf::from(base);
    }
    let with_hea = |p: &Path| {
        let mut h = p.as_os_str().to_owned();
        h.push(".hea");
        PathBuf::from(h)
    };
    if path.extension().is_some()
        && !with_hea(path).is_file()
        && path.with_extension("hea").is_file()
    {
        return path.with_extension("");
    }
    path.to_path_buf()
}

/// The header path of the record `path` names ([`record_base`] with `.hea`).
fn header_path(path: &Path) -> PathBuf {
    let mut h = record_base(path).into_os_string();
    h.push(".hea");
    PathBuf::from(h)
}

impl Record {
    /// Opens the record at `path` (the record path, its header or another of its files, as
    /// [`record_base`] reads it): parses the
    /// header (and those of the segments of a multi-segment record) and checks that every
    /// signal file exists; the error names every missing segment.
    ///
    /// An EDF or EDF+ file (`.edf`) opens as a record of its ordinary signals (see
    /// [`edf`](super::edf)); its header path is the file itself.
    ///
    /// A relative path that names no record is looked for in the folders of the `WFDB`
    /// search path (see [`search`](super::search)).
    pub fn open(path: impl AsRef<Path>) -> Result<Record> {
        let path = &super::search::find_record(path.as_ref());
        if is_edf_path(path) && path.is_file() {
            let edf = Edf::open(path)?;
            return Ok(Record {
                header_path: path.to_path_buf(),
                header: edf.header.clone(),
                data: Data::Edf(Box::new(edf)),
            });
        }
        let header_path = header_path(path);
        let header = Header::from_file(&header_path)?;
        let dir = header_path.parent().unwrap_or(Path::new("")).to_path_buf();
        let data = if header.is_multi_segment() {
            Data::Multi(MultiSegment::open(&dir, &header_path, &header)?)
        } else {
            let s = Segment::open(&dir, &header_path, header.signals.clone(), header.sig_len)?;
            Data::Single(s)
        };
        Ok(Record {
            header_path,
            header,
            data,
        })
    }

    /// The parsed header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Path of the header file.
    pub fn header_path(&self) -> &Path {
        &self.header_path
    }

    /// Sampling frequency in frames per second.
    pub fn fs(&self) -> f64 {
        self.header.fs
    }

    /// Number of frames that can be read: the header's length (or the files' when the
    /// header gives none), less the frames a skewed signal cannot complete at the end of
    /// its file, as the WFDB C library delivers them.
    pub fn sig_len(&self) -> u64 {
        self.data.len()
    }

    /// Fails, naming the file, when the signal files do not hold frames `[0, to)`: a
    /// header can claim more than its files hold, and a caller sizing memory from
    /// [`sig_len`](Self::sig_len) should check first.
    pub fn check_stored(&self, to: u64) -> Result<()> {
        match &self.data {
            Data::Single(s) => s.check_stored_to(to),
            Data::Multi(m) => m.check_stored_to(to),
            Data::Edf(e) => e.check_stored_to(to),
        }
    }

    /// Number of signals.
    pub fn n_sig(&self) -> usize {
        self.data.signals().len()
    }

    /// Signal specifications.
    pub fn signals(&self) -> &[SignalSpec] {
        self.data.signals()
    }

    /// Signal descriptions (names), in signal order; empty for unnamed signals.
    pub fn signal_names(&self) -> Vec<&str> {
        self.data
            .signals()
            .iter()
            .map(|s| s.description.as_str())
            .collect()
    }

    /// Index of the first signal named `name`.
    pub fn channel_index(&self, name: &str) -> Option<usize> {
        self.data
            .signals()
            .iter()
            .position(|s| s.description == name)
    }

    /// Largest number of samples per frame among the signals (1 for ordinary records).
    pub fn max_samples_per_frame(&self) -> u32 {
        self.data
            .signals()
            .iter()
            .map(|s| s.samples_per_frame)
            .max()
            .unwrap_or(1)
    }

    fn check_request(&self, channels: &[usize], from: u64, to: u64) -> Result<()> {
        if let Some(&c) = channels.iter().find(|&&c| c >= self.n_sig()) {
            return Err(Error::invalid(format!(
                "{}: no signal {c} (the record has {})",
                self.header_path.display(),
                self.n_sig()
            )));
        }
        if from > to || to > self.sig_len() {
            return Err(Error::invalid(format!(
                "{}: frame range {from}..{to} is outside 0..{}",
                self.header_path.display(),
                self.sig_len()
            )));
        }
        Ok(())
    }

    /// Digital samples (adu) of `channels` over frames `[from, to)`, one vector per
    /// channel in the order asked.
    pub fn read_digital_channels(
        &self,
        channels: &[usize],
        from: u64,
        to: u64,
        resolution: Resolution,
    ) -> Result<Vec<Vec<i32>>> {
        let mut out = Vec::new();
        self.read_digital_into(channels, from, to, resolution, &mut out)?;
        Ok(out)
    }

    /// As [`read_digital_channels`](Self::read_digital_channels), into `out`, reusing the
    /// vectors' memory: a loop over records or blocks keeps one set of buffers.
    pub fn read_digital_into(
        &self,
        channels: &[usize],
        from: u64,
        to: u64,
        resolution: Resolution,
        out: &mut Vec<Vec<i32>>,
    ) -> Result<()> {
        self.check_request(channels, from, to)?;
        out.resize_with(channels.len(), Vec::new);
        out.iter_mut().for_each(Vec::clear);
        match &self.data {
            Data::Single(s) => s.read(channels, from, to, out)?,
            Data::Multi(m) => *out = m.read_digital(channels, from, to)?,
            Data::Edf(e) => e.read(channels, from, to, out)?,
        }
        if resolution == Resolution::Expanded {
            *out = self.apply_resolution(std::mem::take(out), channels, resolution)?;
        }
        Ok(())
    }

    /// Physical samples of `channels` over frames `[from, to)`: `(d - baseline) / gain`,
    /// NaN for the format's invalid-sample value.
    pub fn read_physical_channels(
        &self,
        channels: &[usize],
        from: u64,
        to: u64,
        resolution: Resolution,
    ) -> Result<Vec<Vec<f32>>> {
        let out = match &self.data {
            Data::Single(s) => {
                let digital =
                    self.read_digital_channels(channels, from, to, Resolution::PerSignal)?;
                digital
                    .into_iter()
                    .zip(channels)
                    .map(|(d, &c)| to_physical(&s.signals[c], &d))
                    .collect()
            }
            Data::Multi(m) => {
                self.check_request(channels, from, to)?;
                m.read_physical(channels, from, to)?
            }
            // EDF's own scaling, exact (the spec's baseline is rounded to an integer).
            Data::Edf(e) => {
                let digital =
                    self.read_digital_channels(channels, from, to, Resolution::PerSignal)?;
                digital
                    .into_iter()
                    .zip(channels)
                    .map(|(d, &c)| e.to_physical(c, &d))
                    .collect()
            }
        };
        self.apply_resolution(out, channels, resolution)
    }

    /// Repeats samples of slower signals up to the highest rate when asked.
    fn apply_resolution<T: Copy>(
        &self,
        mut out: Vec<Vec<T>>,
        channels: &[usize],
        resolution: Resolution,
    ) -> Result<Vec<Vec<T>>> {
        if resolution == Resolution::Expanded {
            let max = self.max_samples_per_frame() as usize;
            for (v, &c) in out.iter_mut().zip(channels) {
                let spf = self.data.signals()[c].samples_per_frame as usize;
                if spf != max {
                    *v = expand(v, spf, max)?;
                }
            }
        }
        Ok(out)
    }

    /// Digital samples of one channel over frames `[from, to)`, expanded to the highest
    /// rate ([`Resolution::Expanded`]).
    pub fn read_digital(&self, channel: usize, from: u64, to: u64) -> Result<Vec<i32>> {
        let mut v = self.read_digital_channels(&[channel], from, to, Resolution::Expanded)?;
        Ok(v.pop().unwrap_or_default())
    }

    /// Physical samples of one channel over frames `[from, to)`, expanded to the highest
    /// rate ([`Resolution::Expanded`]); NaN for invalid samples.
    pub fn read_physical(&self, channel: usize, from: u64, to: u64) -> Result<Vec<f32>> {
        let mut v = self.read_physical_channels(&[channel], from, to, Resolution::Expanded)?;
        Ok(v.pop().unwrap_or_default())
    }
}

impl Record {
    /// Checks every signal's initial value and checksum (when the header gives them)
    /// against the stored samples, reading the files in bounded chunks. The error names
    /// the header, the signal and both values.
    pub fn verify(&self) -> Result<()> {
        match &self.data {
            Data::Single(s) => s.verify(&self.header_path),
            Data::Multi(m) => m.verify(),
            // EDF stores no checksums or initial values; its size was checked on opening.
            Data::Edf(_) => Ok(()),
        }
    }
}

/// Repeats each of a signal's `spf` samples per frame to fill `max` per frame.
fn expand<T: Copy>(v: &[T], spf: usize, max: usize) -> Result<Vec<T>> {
    let frames = v.len() / spf;
    let mut out = Vec::new();
    frames
        .checked_mul(max)
        .and_then(|n| out.try_reserve_exact(n).ok())
        .ok_or_else(|| {
            Error::invalid(format!(
                "{frames} frames of {max} samples each do not fit in memory"
            ))
        })?;
    for f in v.chunks_exact(spf) {
        out.extend((0..max).map(|j| f[j * spf / max]));
    }
    Ok(out)
}

/// Converts digital samples of one signal to physical units.
pub(crate) fn to_physical(spec: &SignalSpec, d: &[i32]) -> Vec<f32> {
    let invalid = spec.format.invalid_sample();
    let (base, gain) = (f64::from(spec.baseline), spec.adc_gain);
    d.iter()
        .map(|&x| {
            if Some(x) == invalid {
                f32::NAN
            } else {
                ((f64::from(x) - base) / gain) as f32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_paths() {
        assert_eq!(header_path(Path::new("a/100.hea")), Path::new("a/100.hea"));
        assert_eq!(record_base("a/100.hea"), Path::new("a/100"));
        // Nothing on disk: a dotted name is the record's own.
        assert_eq!(header_path(Path::new("a/x.y")), Path::new("a/x.y.hea"));
        let dir = tempfile::tempdir().unwrap();
        for f in ["A00001.hea", "A00001.mat", "r.v2.hea"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let d = dir.path();
        assert_eq!(record_base(d.join("A00001.mat")), d.join("A00001"));
        assert_eq!(record_base(d.join("A00001.atr")), d.join("A00001"));
        assert_eq!(record_base(d.join("A00001")), d.join("A00001"));
        // `r.v2` is a record of its own (`r.v2.hea`), not a file of `r`.
        assert_eq!(record_base(d.join("r.v2")), d.join("r.v2"));
    }

    #[test]
    fn expansion_repeats_slow_samples() {
        assert_eq!(expand(&[1, 2, 3], 1, 2).unwrap(), [1, 1, 2, 2, 3, 3]);
        assert_eq!(
            expand(&[1, 2, 3, 4], 2, 4).unwrap(),
            [1, 1, 2, 2, 3, 3, 4, 4]
        );
    }
}
