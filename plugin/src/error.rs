//! The one error type of the engine. Every front end (CLI, C ABI, bindings) maps it to
//! its own vocabulary through [`Error::kind`], so the classification of failures lives here.

use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, with enough context (file, line, value) to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A WFDB file (header, signal or annotation) is malformed or inconsistent.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Format {
        path: PathBuf,
        /// 1-based line for headers; `None` for binary files.
        line: Option<usize>,
        message: String,
    },
    /// An argument is out of its domain (NaN samples, sampling rate below 100 Hz, a
    /// signal shorter than one segment, an unknown signal name...).
    #[error("{0}")]
    InvalidArgument(String),
    /// A weights file or model configuration is unusable.
    #[error("model: {0}")]
    Model(String),
}

/// Coarse category of an [`Error`], stable across versions (the C ABI status codes are
/// derived from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Io,
    Format,
    InvalidArgument,
    Model,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::Format { .. } => ErrorKind::Format,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::Model(_) => ErrorKind::Model,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn format(
        path: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Error::Format {
            path: path.into(),
            line,
            message: shorten(&message.into()),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument(shorten(&message.into()))
    }
}

/// Longest message kept, in bytes: messages quote fields of files and callers, which can
/// be megabytes long.
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// `text` cut to [`MAX_MESSAGE_BYTES`] (at a character boundary), saying how much was cut.
pub fn shorten(text: &str) -> String {
    if text.len() <= MAX_MESSAGE_BYTES {
        return text.to_string();
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes cut)", &text[..end], text.len() - end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_at_a_character() {
        let long = "é".repeat(2000);
        let e = Error::invalid(format!("bad `{long}`")).to_string();
        assert!(e.len() < MAX_MESSAGE_BYTES + 40, "{}", e.len());
        assert!(e.ends_with("bytes cut)"), "{e}");
        assert_eq!(shorten("short"), "short");
    }
}
