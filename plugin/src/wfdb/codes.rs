//! The standard annotation code table of the WFDB library (`ecgcodes.h`): numeric codes,
//! their one-character symbols (as `rdann` prints them and wfdb-python names them), the C
//! mnemonics and the descriptions.

/// Largest annotation code an annotation word can carry as a label (`ACMAX`).
pub const ACMAX: u8 = 49;

/// Not a real annotation (`NOTQRS`); the writer uses it for null annotations.
pub const NOTQRS: u8 = 0;
/// Normal beat (`N`).
pub const NORMAL: u8 = 1;
/// Comment annotation (`"`), also used for file-level definitions at sample 0.
pub const NOTE: u8 = 22;
/// Rhythm change (`+`); the new rhythm is in the aux string, e.g. `(AFIB`.
pub const RHYTHM: u8 = 28;
/// Change in signal quality (`~`): its subtype says which signals are noisy (bits 0–3) or
/// unreadable (bits 4–7; -1 for all).
pub const NOISE: u8 = 14;

/// One row of the code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// Numeric code stored in the file (0..=49).
    pub code: u8,
    /// Symbol printed by `rdann` (`N`, `V`, `+`...); `[15]`-style for unassigned codes.
    pub symbol: &'static str,
    /// The C library's mnemonic (`NORMAL`, `PVC`...); empty for unassigned codes.
    pub mnemonic: &'static str,
    /// Human-readable description; empty for unassigned codes.
    pub description: &'static str,
}

const fn row(
    code: u8,
    symbol: &'static str,
    mnemonic: &'static str,
    description: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        symbol,
        mnemonic,
        description,
    }
}

/// The table, indexed by code.
pub const CODES: [CodeInfo; ACMAX as usize + 1] = [
    row(0, " ", "NOTQRS", "Not an actual annotation"),
    row(1, "N", "NORMAL", "Normal beat"),
    row(2, "L", "LBBB", "Left bundle branch block beat"),
    row(3, "R", "RBBB", "Right bundle branch block beat"),
    row(4, "a", "ABERR", "Aberrated atrial premature beat"),
    row(5, "V", "PVC", "Premature ventricular contraction"),
    row(6, "F", "FUSION", "Fusion of ventricular and normal beat"),
    row(7, "J", "NPC", "Nodal (junctional) premature beat"),
    row(8, "A", "APC", "Atrial premature beat"),
    row(9, "S", "SVPB", "Supraventricular premature or ectopic beat"),
    row(10, "E", "VESC", "Ventricular escape beat"),
    row(11, "j", "NESC", "Nodal (junctional) escape beat"),
    row(12, "/", "PACE", "Paced beat"),
    row(13, "Q", "UNKNOWN", "Unclassifiable beat"),
    row(14, "~", "NOISE", "Change in signal quality"),
    row(15, "[15]", "", ""),
    row(16, "|", "ARFCT", "Isolated QRS-like artifact"),
    row(17, "[17]", "", ""),
    row(18, "s", "STCH", "ST segment change"),
    row(19, "T", "TCH", "T-wave change"),
    row(20, "*", "SYSTOLE", "Systole"),
    row(21, "D", "DIASTOLE", "Diastole"),
    row(22, "\"", "NOTE", "Comment annotation"),
    row(23, "=", "MEASURE", "Measurement annotation"),
    row(24, "p", "PWAVE", "P-wave peak"),
    row(25, "B", "BBB", "Bundle branch block beat (unspecified)"),
    row(26, "^", "PACESP", "(Non-captured) pacemaker artifact"),
    row(27, "t", "TWAVE", "T-wave peak"),
    row(28, "+", "RHYTHM", "Rhythm change"),
    row(29, "u", "UWAVE", "U-wave peak"),
    row(30, "?", "LEARN", "Beat not classified during learning"),
    row(31, "!", "FLWAV", "Ventricular flutter wave"),
    row(32, "[", "VFON", "Start of ventricular flutter/fibrillation"),
    row(33, "]", "VFOFF", "End of ventricular flutter/fibrillation"),
    row(34, "e", "AESC", "Atrial escape beat"),
    row(35, "n", "SVESC", "Supraventricular escape beat"),
    row(36, "@", "LINK", "Link to external data (aux contains URL)"),
    row(37, "x", "NAPC", "Non-conducted P-wave (blocked APC)"),
    row(38, "f", "PFUS", "Fusion of paced and normal beat"),
    row(39, "(", "WFON", "Waveform onset"),
    row(40, ")", "WFOFF", "Waveform end"),
    row(41, "r", "RONT", "R-on-T premature ventricular contraction"),
    row(42, "[42]", "", ""),
    row(43, "[43]", "", ""),
    row(44, "[44]", "", ""),
    row(45, "[45]", "", ""),
    row(46, "[46]", "", ""),
    row(47, "[47]", "", ""),
    row(48, "[48]", "", ""),
    row(49, "[49]", "", ""),
];

/// Symbols for codes 50..=58, which a file can hold but the table does not define.
const HIGH: [&str; 9] = [
    "[50]", "[51]", "[52]", "[53]", "[54]", "[55]", "[56]", "[57]", "[58]",
];

/// The `rdann` symbol of `code` (`[n]` for codes without one).
pub fn symbol(code: u8) -> &'static str {
    match CODES.get(code as usize) {
        Some(info) => info.symbol,
        None => HIGH
            .get((code as usize).wrapping_sub(50))
            .copied()
            .unwrap_or("[?]"),
    }
}

/// The table row of `code`, if the code is in 0..=49.
pub fn info(code: u8) -> Option<&'static CodeInfo> {
    CODES.get(code as usize)
}

/// The code whose symbol is `symbol` (codes 1..=49, as the C library's `strann`), if any.
pub fn code_of(symbol: &str) -> Option<u8> {
    CODES[1..]
        .iter()
        .find(|c| !c.mnemonic.is_empty() && c.symbol == symbol)
        .map(|c| c.code)
}

/// Whether `code` labels a heartbeat (the C library's `isqrs`).
pub fn is_beat(code: u8) -> bool {
    matches!(code, 1..=13 | 25 | 30 | 34 | 35 | 38 | 41)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_code() {
        for (i, c) in CODES.iter().enumerate() {
            assert_eq!(c.code as usize, i);
        }
        assert_eq!(symbol(NORMAL), "N");
        assert_eq!(symbol(RHYTHM), "+");
        assert_eq!(symbol(55), "[55]");
        assert_eq!(code_of("V"), Some(5));
        assert_eq!(code_of("[15]"), None);
        assert!(is_beat(code_of("/").unwrap()));
        assert!(!is_beat(RHYTHM));
    }
}
