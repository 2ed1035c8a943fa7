//! WFDB annotation files: reading every field into caller arrays, and writing the rhythm
//! annotations of a classification.

use std::ffi::c_char;

use engine::wfdb::{self, AnnotationFile};

use crate::boundary::{self, Failure, Opaque};
use crate::model::{self, haresnet_model};
use crate::results;
use crate::status::HARESNET_STATUS_BUFFER_TOO_SMALL;

pub(crate) const TAG: u32 = 0x4852_414E;

/// One `int32_t` field of an annotation, as `haresnet_annotations_fields` copies it.
type Field = fn(&wfdb::Annotation) -> i32;

/// The annotations of one annotation file, read whole.
///
/// Thread safety: functions taking a `const haresnet_annotations *` may be called from
/// several threads at once; freeing needs exclusive use.
pub struct haresnet_annotations {
    _opaque: [u8; 0],
}

impl Opaque for haresnet_annotations {
    type Inner = AnnotationFile;
    const TAG: u32 = TAG;
    const NAME: &'static str = "haresnet_annotations";
    const ARG: &'static str = "annotations";
}

/// Reads the annotation file `<record_path>.<annotator>` (e.g. `"data/mitdb/100"` and
/// `"atr"`; `record_path` may end in `.hea`).
///
/// On success `*out` receives the annotations, to be freed with
/// `haresnet_annotations_free`; on failure `*out` is set to NULL.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_INVALID_ARGUMENT` (strings not UTF-8); `HARESNET_STATUS_IO`;
/// `HARESNET_STATUS_FORMAT` (malformed file).
///
/// # Safety
///
/// `record_path` and `annotator` are NULL or NUL-terminated strings; `out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_read(
    record_path: *const c_char,
    annotator: *const c_char,
    out: *mut *mut haresnet_annotations,
) -> i32 {
    boundary::call("haresnet_annotations_read", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let out = boundary::out(out, "out")?;
            *out = std::ptr::null_mut();
            let record_path = boundary::string(record_path, "record_path")?;
            let annotator = boundary::string(annotator, "annotator")?;
            // A relative path not found as given is looked for through the WFDB path.
            let path = wfdb::search::find_file(&wfdb::annotation_path(record_path, annotator));
            let file = wfdb::read_annotation_file(path)?;
            *out = boundary::new_handle::<haresnet_annotations>(file);
        }
        Ok(())
    })
}

/// Frees annotations. NULL is accepted and ignored; a handle of another kind is left
/// alone (the last error says so). Must not be called twice.
///
/// # Safety
///
/// `annotations` is NULL or a handle from `haresnet_annotations_read`, used by no other
/// thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_free(annotations: *mut haresnet_annotations) {
    // SAFETY: the caller's contract.
    unsafe { boundary::free_handle("haresnet_annotations_free", annotations) }
}

/// The annotations behind a handle argument.
///
/// # Safety
///
/// `annotations` is NULL or a live handle.
unsafe fn file<'a>(
    annotations: *const haresnet_annotations,
) -> Result<&'a AnnotationFile, Failure> {
    // SAFETY: forwarded contract.
    unsafe { boundary::handle(annotations, "annotations") }
}

/// The number of annotations, into `*out_count`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `annotations` is NULL or a live handle; `out_count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_count(
    annotations: *const haresnet_annotations,
    out_count: *mut usize,
) -> i32 {
    boundary::call("haresnet_annotations_count", || {
        // SAFETY: forwarded contract.
        unsafe {
            let n = file(annotations)?.annotations.len();
            boundary::write(out_count, n, "out_count")
        }
    })
}

/// Copies the fixed-size fields of every annotation into the caller's arrays, each
/// holding `cap` elements (any may be NULL if not wanted), in file order:
/// `samples[i]` (time in samples from the start of the record), `codes[i]` (annotation
/// code: 1 = `N`, 28 = `+`...), `subtypes[i]`, `chans[i]`, `nums[i]`, as the WFDB
/// library's `WFDB_Annotation` fields `time`, `anntyp`, `subtyp`, `chan`, `num`.
///
/// `*out_count` receives the number of annotations; when `cap` is smaller (`cap` 0 asks)
/// the call returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with that number and writes no
/// array.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` (`out_count` NULL),
/// `HARESNET_STATUS_WRONG_HANDLE` or `HARESNET_STATUS_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `annotations` is NULL or a live handle; each non-NULL array holds `cap` writable
/// elements; `out_count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_fields(
    annotations: *const haresnet_annotations,
    samples: *mut i64,
    codes: *mut i32,
    subtypes: *mut i32,
    chans: *mut i32,
    nums: *mut i32,
    cap: usize,
    out_count: *mut usize,
) -> i32 {
    boundary::call("haresnet_annotations_fields", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let anns = &file(annotations)?.annotations;
            let out_count = boundary::out(out_count, "out_count")?;
            let n = anns.len();
            if cap < n {
                *out_count = n;
                return Err(Failure::new(
                    HARESNET_STATUS_BUFFER_TOO_SMALL,
                    format!("the arrays hold {cap} annotations, {n} needed"),
                ));
            }
            // Every array checked before any is written: outputs only on success.
            let samples = boundary::out_slice(samples, n, "samples")?;
            let fields: [(Option<&mut [i32]>, Field); 4] = [
                (boundary::out_slice(codes, n, "codes")?, |a| {
                    i32::from(a.code)
                }),
                (boundary::out_slice(subtypes, n, "subtypes")?, |a| {
                    i32::from(a.subtype)
                }),
                (boundary::out_slice(chans, n, "chans")?, |a| {
                    i32::from(a.chan)
                }),
                (boundary::out_slice(nums, n, "nums")?, |a| i32::from(a.num)),
            ];
            if let Some(out) = samples {
                for (o, a) in out.iter_mut().zip(anns) {
                    *o = a.sample;
                }
            }
            for (out, field) in fields {
                for (o, a) in out.into_iter().flatten().zip(anns) {
                    *o = field(a);
                }
            }
            *out_count = n;
        }
        Ok(())
    })
}

/// The annotation at `index`, or an error naming the range.
fn at(file: &AnnotationFile, index: usize) -> Result<&wfdb::Annotation, Failure> {
    file.annotations.get(index).ok_or_else(|| {
        Failure::invalid(format!(
            "annotation index {index} out of range: there are {}",
            file.annotations.len()
        ))
    })
}

/// Copies the symbol of annotation `index` (`"N"`, `"V"`, `"+"`..., using the file's
/// own code definitions first) into `buf`, NUL-terminated; `*out_len` receives its length
/// without the NUL. `buf` may be NULL when `cap` is 0 (size query).
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT`,
/// `HARESNET_STATUS_WRONG_HANDLE`, `HARESNET_STATUS_INVALID_ARGUMENT` (index out of range)
/// or `HARESNET_STATUS_BUFFER_TOO_SMALL` (`buf` untouched, `*out_len` set).
///
/// # Safety
///
/// `annotations` is NULL or a live handle; `buf` is NULL or holds `cap` writable bytes;
/// `out_len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_symbol(
    annotations: *const haresnet_annotations,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_annotations_symbol", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let f = file(annotations)?;
            boundary::write_str(f.symbol(at(f, index)?), buf, cap, out_len)
        }
    })
}

/// Copies the aux string of annotation `index` (the rhythm of a `+` annotation, e.g.
/// `"(AFIB"`; empty when absent; trailing NULs removed, invalid UTF-8 replaced) into
/// `buf`, as `haresnet_annotations_symbol` does.
///
/// Returns as `haresnet_annotations_symbol`.
///
/// # Safety
///
/// As `haresnet_annotations_symbol`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_aux(
    annotations: *const haresnet_annotations,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_annotations_aux", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let f = file(annotations)?;
            boundary::write_str(&at(f, index)?.aux_str(), buf, cap, out_len)
        }
    })
}

/// Writes the rhythm annotations of a classification as the WFDB annotation file
/// `<record_path>.<annotator>` (e.g. `"out/100"` and `"hrn"` give `out/100.hrn`), in the
/// style of the MIT-BIH rhythm annotations: a `+` annotation with aux `"(N"`, `"(AFIB"`,
/// ... (`"("` and the class name) at the first segment and at every change of label, and a
/// `~` annotation (subtype -1: unreadable) where segments not analysed (label -1) begin,
/// closed by `~` (subtype 0) and the rhythm restated where analysis resumes. `rdann`,
/// wfdb-python and `haresnet_annotations_read` read the file.
///
/// `starts` and `labels` are `n` segments as `haresnet_model_classify` returns them
/// (starts non-decreasing); `fs` is the rate the starts count in; `model` names the
/// labels. An existing file is replaced.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT`;
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (label out of range,
/// starts decreasing, negative or past 2^47 samples, `fs` not positive, strings not UTF-8);
/// `HARESNET_STATUS_IO`.
///
/// # Safety
///
/// `model` is NULL or a live model; `record_path` and `annotator` are NULL or
/// NUL-terminated strings; `starts` and `labels` hold `n` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_annotations_write_rhythm(
    model: *const haresnet_model,
    record_path: *const c_char,
    annotator: *const c_char,
    fs: f64,
    starts: *const i64,
    labels: *const i32,
    n: usize,
) -> i32 {
    boundary::call("haresnet_annotations_write_rhythm", || {
        // SAFETY: the caller's contract, for every argument.
        let (classifier, record_path, annotator, starts, labels) = unsafe {
            (
                model::model(model)?,
                boundary::string(record_path, "record_path")?,
                boundary::string(annotator, "annotator")?,
                boundary::slice(starts, n, "starts")?,
                boundary::slice(labels, n, "labels")?,
            )
        };
        let segments = results::caller_segments(starts, labels, classifier.labels().len())?;
        let annotations = engine::rhythm::annotations(segments, classifier.labels())?;
        let path = engine::wfdb::annotation_path(record_path, annotator);
        engine::wfdb::write_annotations(path, fs, &annotations)?;
        Ok(())
    })
}
