//! WFDB (MIT-format) annotation files: reading every field and writing files that the
//! WFDB C library, wfdb-python and this reader read back identically.
//!
//! The file is a sequence of little-endian 16-bit words: the top 6 bits are a code, the
//! low 10 bits data. Codes 1..=58 are annotations whose data is the time since the
//! previous one; 59 (`SKIP`) is followed by a 32-bit interval for longer gaps; 60..=63
//! (`NUM`, `SUB`, `CHN`, `AUX`) set fields of the annotation before them; a zero word
//! ends the file. `chan` and `num` carry over from one annotation to the next.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::codes::{self, NOTE, NOTQRS};
use crate::{Error, Result};

const SKIP: u16 = 59;
const NUM: u16 = 60;
const SUB: u16 = 61;
const CHN: u16 = 62;
const AUX: u16 = 63;
/// Largest time increment an annotation word can hold.
const MAX_DELTA: i64 = 1023;
/// Latest annotation time written, in samples (about 4,000 years at 1 kHz). Each 2^31
/// samples of gap take one SKIP word, so the cap bounds a file's SKIPs at 65,536.
pub const MAX_WRITTEN_SAMPLE: i64 = 1 << 47;

/// One annotation, with the fields of the WFDB C library's `WFDB_Annotation`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Annotation {
    /// Time, in samples from the start of the record.
    pub sample: i64,
    /// Annotation code (see [`codes`](super::codes)): 1 = `N`, 28 = `+`...
    pub code: u8,
    /// Subtype (context-dependent; 0 by default).
    pub subtype: i8,
    /// Signal the annotation refers to.
    pub chan: u8,
    /// Annotator-defined number (carried over between annotations).
    pub num: i8,
    /// Auxiliary bytes (rhythm label for `+`, comment text for `"`...), as stored.
    pub aux: Vec<u8>,
}

impl Annotation {
    /// The `rdann` symbol of the code (`N`, `V`, `+`...), from the standard table.
    pub fn symbol(&self) -> &'static str {
        codes::symbol(self.code)
    }

    /// The aux bytes as text, trailing NULs removed (MIT-BIH rhythm labels are stored
    /// as `"(N\0"`); invalid UTF-8 is replaced.
    pub fn aux_str(&self) -> Cow<'_, str> {
        let end = self.aux.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        String::from_utf8_lossy(&self.aux[..end])
    }
}

/// A user-defined annotation code declared in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomLabel {
    /// The code.
    pub code: u8,
    /// Its symbol.
    pub symbol: String,
    /// Its description (may be empty).
    pub description: String,
}

/// The content of an annotation file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnotationFile {
    /// The annotations, in file order, without the file-level definitions.
    pub annotations: Vec<Annotation>,
    /// Sampling frequency stated in the file (`## time resolution: f`), if any.
    pub time_resolution: Option<f64>,
    /// Codes the file (re)defines.
    pub custom_labels: Vec<CustomLabel>,
}

impl AnnotationFile {
    /// The symbol of `ann`, using the file's own definitions before the standard table.
    pub fn symbol<'a>(&'a self, ann: &Annotation) -> &'a str {
        self.custom_labels
            .iter()
            .find(|l| l.code == ann.code)
            .map_or_else(|| ann.symbol(), |l| l.symbol.as_str())
    }
}

/// Path of the annotation file of `record_path` (the record path, its header or another
/// of its files, as [`record_base`](super::record_base) reads it) for `annotator` (the
/// file extension, e.g. `atr`). The annotator [`EDF_ANNOTATOR`] of an EDF file is the
/// file itself: its EDF+ annotations.
pub fn annotation_path(record_path: impl AsRef<Path>, annotator: &str) -> PathBuf {
    let record_path = record_path.as_ref();
    if annotator == EDF_ANNOTATOR && super::edf::is_edf_path(record_path) {
        return record_path.to_path_buf();
    }
    let mut p = super::record_base(record_path).into_os_string();
    p.push(format!(".{annotator}"));
    PathBuf::from(p)
}

/// Annotator name of an EDF+ file's own annotations.
pub const EDF_ANNOTATOR: &str = "edf";

/// Reads the annotations of `record_path` for `annotator` (e.g. `atr`); a relative path
/// not found as given is looked for through the `WFDB` search path.
pub fn read_annotations(record_path: impl AsRef<Path>, annotator: &str) -> Result<Vec<Annotation>> {
    let path = super::search::find_file(&annotation_path(record_path, annotator));
    Ok(read_annotation_file(path)?.annotations)
}

/// Reads an annotation file given its full path; an EDF file (`.edf`) gives its EDF+
/// annotations, at its record's sampling frequency.
pub fn read_annotation_file(path: impl AsRef<Path>) -> Result<AnnotationFile> {
    let path = path.as_ref();
    if super::edf::is_edf_path(path) {
        let edf = super::edf::Edf::open(path)?;
        return Ok(AnnotationFile {
            annotations: edf.annotations()?,
            time_resolution: Some(edf.header.fs),
            ..AnnotationFile::default()
        });
    }
    let bytes =
        crate::files::read_capped(path, crate::files::MAX_ANNOTATION_BYTES, "annotation file")?;
    parse_annotations(&bytes, path)
}

/// Parses the bytes of an annotation file; `path` only names the file in errors.
pub fn parse_annotations(bytes: &[u8], path: &Path) -> Result<AnnotationFile> {
    let err = |pos: usize, msg: &str| Error::format(path, None, format!("byte {pos}: {msg}"));
    // Most annotations take two to four bytes; the vector grows past this if needed.
    let mut anns: Vec<Annotation> = Vec::with_capacity(bytes.len() / 4);
    let mut time: i64 = 0;
    let (mut chan, mut num) = (0u8, 0i8);
    let mut pos = 0;
    let mut ended = false;
    while pos + 2 <= bytes.len() {
        let word = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]);
        let at = pos;
        pos += 2;
        if word == 0 {
            ended = true;
            break;
        }
        let (code, data) = (word >> 10, word & 0x3ff);
        match code {
            SKIP => {
                let b = bytes
                    .get(pos..pos + 4)
                    .ok_or_else(|| err(at, "SKIP interval cut off by the end of the file"))?;
                // PDP-11 order: the high 16-bit word first, each word little-endian.
                let v = i32::from_le_bytes([b[2], b[3], b[0], b[1]]);
                time = time
                    .checked_add(i64::from(v))
                    .ok_or_else(|| err(at, "time overflows"))?;
                pos += 4;
            }
            NUM | SUB | CHN | AUX => {
                let Some(last) = anns.last_mut() else {
                    return Err(err(at, "field record before the first annotation"));
                };
                let low = data as u8;
                match code {
                    NUM => {
                        last.num = low as i8;
                        num = last.num;
                    }
                    SUB => last.subtype = low as i8,
                    CHN => {
                        last.chan = low;
                        chan = low;
                    }
                    _ => {
                        let len = usize::from(low);
                        let padded = len + (len & 1);
                        let text = bytes
                            .get(pos..pos + len)
                            .ok_or_else(|| err(at, "aux string cut off by the end of the file"))?;
                        last.aux = text.to_vec();
                        pos = (pos + padded).min(bytes.len());
                    }
                }
            }
            _ => {
                time = time
                    .checked_add(i64::from(data))
                    .ok_or_else(|| err(at, "time overflows"))?;
                anns.push(Annotation {
                    sample: time,
                    code: code as u8,
                    subtype: 0,
                    chan,
                    num,
                    aux: Vec::new(),
                });
            }
        }
    }
    if !ended {
        return Err(Error::format(
            path,
            None,
            "no end-of-file word: the file is truncated",
        ));
    }
    Ok(split_definitions(anns))
}

/// Removes the file-level definitions and null annotations (code 0), and interprets the
/// definitions. Definitions are the `NOTE` annotations in the leading run of sample-0
/// annotations that are notes or null annotations: the time resolution, custom codes,
/// and comments such as the command that made the file. wfdb-python drops the same ones.
fn split_definitions(mut anns: Vec<Annotation>) -> AnnotationFile {
    let lead = anns
        .iter()
        .take_while(|a| a.sample == 0 && (a.code == NOTE || a.code == NOTQRS))
        .count();
    let defs: Vec<Annotation> = anns.drain(..lead).filter(|a| a.code == NOTE).collect();
    let mut file = AnnotationFile::default();
    for def in defs {
        let text = def.aux_str().into_owned();
        if let Some(rest) = text.strip_prefix("## time resolution:") {
            file.time_resolution = rest.trim().parse().ok().filter(|f: &f64| *f > 0.0);
        } else if !text.starts_with('#') {
            let mut parts = text.splitn(3, [' ', '\t']);
            let code = parts.next().and_then(|c| c.parse::<u8>().ok());
            let symbol = parts.next().filter(|s| !s.is_empty());
            if let (Some(code), Some(symbol)) = (code, symbol)
                && code <= codes::ACMAX
            {
                file.custom_labels.push(CustomLabel {
                    code,
                    symbol: symbol.to_string(),
                    description: parts.next().unwrap_or("").trim().to_string(),
                });
            }
        }
    }
    anns.retain(|a| a.code != NOTQRS);
    file.annotations = anns;
    file
}

/// The code an annotation symbol stands for: a symbol of the standard table (`N`, `V`,
/// `+`, `~`...), or `[n]` (as `rdann` prints codes without a symbol) for code `n` in
/// 1..=49.
pub fn code_of_symbol(symbol: &str) -> Option<u8> {
    let symbol = symbol.trim();
    if let Some(code) = codes::code_of(symbol) {
        return Some(code);
    }
    symbol
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|c| (1..=codes::ACMAX).contains(c))
}

/// Writes `annotations` to the file at `path` in MIT format, stating `fs` as the time
/// resolution so readers recover it.
///
/// Annotations must be in time order (non-decreasing `sample`, none negative), with
/// codes in 1..=49 and aux strings of at most 255 bytes. Gaps longer than 1023 samples
/// are written as `SKIP` records; `chan` and `num` are written when they change, `subtype`
/// when non-zero, `aux` when non-empty. `NOTE` annotations at sample 0 are refused:
/// readers take them for file-level definitions and drop them.
pub fn write_annotations(
    path: impl AsRef<Path>,
    fs: f64,
    annotations: &[Annotation],
) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode_annotations(fs, annotations)?;
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// Encodes annotations as [`write_annotations`] writes them.
pub fn encode_annotations(fs: f64, annotations: &[Annotation]) -> Result<Vec<u8>> {
    if !(fs.is_finite() && fs > 0.0) {
        return Err(Error::invalid(format!(
            "sampling frequency {fs} is not positive"
        )));
    }
    let mut out = Vec::with_capacity(annotations.len() * 4 + 64);
    let put = |out: &mut Vec<u8>, code: u16, data: u16| {
        out.extend_from_slice(&((code << 10) | (data & 0x3ff)).to_le_bytes());
    };
    let put_aux = |out: &mut Vec<u8>, aux: &[u8]| {
        put(out, AUX, aux.len() as u16);
        out.extend_from_slice(aux);
        if aux.len() % 2 == 1 {
            out.push(0);
        }
    };
    let put_skip = |out: &mut Vec<u8>, v: i32| {
        put(out, SKIP, 0);
        let b = v.to_le_bytes();
        out.extend_from_slice(&[b[2], b[3], b[0], b[1]]);
    };

    // The time-resolution note, then a null annotation at 0 written the way the C
    // library's `putann` writes one (SKIP to -1, then a code-0 word one sample later), as
    // wfdb-python writes its header too.
    put(&mut out, NOTE as u16, 0);
    put_aux(&mut out, format!("## time resolution: {fs}").as_bytes());
    put_skip(&mut out, -1);
    put(&mut out, NOTQRS as u16, 1);

    let (mut time, mut chan, mut num) = (0i64, 0u8, 0i8);
    for (i, a) in annotations.iter().enumerate() {
        let bad = |msg: String| Error::invalid(format!("annotation {i}: {msg}"));
        if a.code == 0 || a.code > codes::ACMAX {
            return Err(bad(format!(
                "code {} is outside 1..={}",
                a.code,
                codes::ACMAX
            )));
        }
        if a.sample > MAX_WRITTEN_SAMPLE {
            return Err(bad(format!(
                "sample {} is past the latest time written, {MAX_WRITTEN_SAMPLE}",
                a.sample
            )));
        }
        if a.sample < time {
            return Err(bad(format!(
                "sample {} is before the previous annotation's {time}",
                a.sample
            )));
        }
        if a.code == NOTE && a.sample == 0 {
            return Err(bad(
                "a NOTE at sample 0 would be read as a file definition".into()
            ));
        }
        if a.aux.len() > 255 {
            return Err(bad(format!(
                "aux is {} bytes, at most 255 fit",
                a.aux.len()
            )));
        }
        let mut delta = a.sample - time;
        while delta > MAX_DELTA {
            let step = delta.min(i64::from(i32::MAX));
            put_skip(&mut out, step as i32);
            delta -= step;
        }
        put(&mut out, u16::from(a.code), delta as u16);
        time = a.sample;
        if a.subtype != 0 {
            put(&mut out, SUB, u16::from(a.subtype as u8));
        }
        if a.chan != chan {
            put(&mut out, CHN, u16::from(a.chan));
            chan = a.chan;
        }
        if a.num != num {
            put(&mut out, NUM, u16::from(a.num as u8));
            num = a.num;
        }
        if !a.aux.is_empty() {
            put_aux(&mut out, &a.aux);
        }
    }
    out.extend_from_slice(&[0, 0]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_memory() {
        let anns = vec![
            Annotation {
                sample: 0,
                code: 28,
                aux: b"(N\0".to_vec(),
                ..Default::default()
            },
            Annotation {
                sample: 5,
                code: 1,
                subtype: -3,
                chan: 1,
                num: -7,
                ..Default::default()
            },
            Annotation {
                sample: 5,
                code: 5,
                chan: 0,
                num: 100,
                ..Default::default()
            },
            Annotation {
                sample: 5_000_000_000,
                code: 14,
                ..Default::default()
            },
        ];
        let bytes = encode_annotations(360.0, &anns).unwrap();
        let file = parse_annotations(&bytes, Path::new("x.atr")).unwrap();
        assert_eq!(file.annotations, anns);
        assert_eq!(file.time_resolution, Some(360.0));
        assert_eq!(file.annotations[0].aux_str(), "(N");
    }

    #[test]
    fn writer_rejects_what_it_cannot_encode() {
        let a = |sample, code| Annotation {
            sample,
            code,
            ..Default::default()
        };
        assert!(encode_annotations(360.0, &[a(5, 1), a(4, 1)]).is_err());
        assert!(encode_annotations(360.0, &[a(-1, 1)]).is_err());
        assert!(encode_annotations(360.0, &[a(1, 0)]).is_err());
        assert!(encode_annotations(360.0, &[a(1, 50)]).is_err());
        assert!(encode_annotations(0.0, &[]).is_err());
    }

    #[test]
    fn symbols_and_bracketed_codes() {
        assert_eq!(code_of_symbol("N"), Some(1));
        assert_eq!(code_of_symbol(" + "), Some(28));
        assert_eq!(code_of_symbol("[15]"), Some(15));
        assert_eq!(code_of_symbol("[0]"), None);
        assert_eq!(code_of_symbol("[50]"), None);
        assert_eq!(code_of_symbol("NN"), None);
    }

    #[test]
    fn malformed_files_are_errors() {
        let p = Path::new("bad.atr");
        for bytes in [
            &[0x05, 0x04][..],                   // no end word
            &[0x00, 0xec, 0x01, 0x00][..],       // SKIP cut short
            &[0x00, 0xf0, 0x00, 0x00][..],       // NUM before any annotation
            &[0x01, 0x04, 0x05, 0xfc, 0x41][..], // aux cut short
        ] {
            let e = parse_annotations(bytes, p).unwrap_err().to_string();
            assert!(e.starts_with("bad.atr"), "{e}");
        }
    }
}
