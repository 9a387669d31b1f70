//! PEM armour (RFC 7468): telling PEM from DER and splitting a file into labelled DER blocks,
//! leniently about line width, whitespace and text around the blocks. One splitter for key files
//! and trust files alike.

/// Why a PEM file could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    #[error("PEM block {index} {label:?} is malformed: {reason}")]
    Malformed {
        index: usize,
        label: String,
        reason: &'static str,
    },
    #[error(
        "PEM block {index} {label:?} uses legacy OpenSSL encryption (Proc-Type/DEK-Info headers)"
    )]
    LegacyEncrypted { index: usize, label: String },
}

impl PemError {
    /// The number of the block at fault, from 0.
    pub fn index(&self) -> usize {
        match self {
            PemError::Malformed { index, .. } | PemError::LegacyEncrypted { index, .. } => *index,
        }
    }
}

/// One block: its label ("CERTIFICATE", "PRIVATE KEY", "X509 CRL", …) and the decoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
}

/// Whether the bytes hold PEM armour rather than DER.
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|window| window == b"-----BEGIN ")
}

/// Every PEM block in order. Text outside the blocks is ignored; a block without its END line,
/// with bad base64 or with legacy encryption headers is an error naming the block.
pub fn pem_blocks(bytes: &[u8]) -> Result<Vec<PemBlock>, PemError> {
    use base64::Engine;
    let text = String::from_utf8_lossy(bytes);
    let mut blocks = Vec::new();
    let mut rest: &str = &text;
    while let Some((_, after_begin)) = rest.split_once("-----BEGIN ") {
        let index = blocks.len();
        let malformed = |label: &str, reason| PemError::Malformed {
            index,
            label: label.to_owned(),
            reason,
        };
        let (label, after_label) = after_begin
            .split_once("-----")
            .ok_or_else(|| malformed("", "unterminated BEGIN line"))?;
        let end_marker = format!("-----END {label}-----");
        let (body, after_end) = after_label
            .split_once(&end_marker)
            .ok_or_else(|| malformed(label, "no END line"))?;
        if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
            return Err(PemError::LegacyEncrypted {
                index,
                label: label.to_owned(),
            });
        }
        let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64.as_bytes())
            .map_err(|_| malformed(label, "invalid base64"))?;
        blocks.push(PemBlock {
            label: label.to_owned(),
            der,
        });
        rest = after_end;
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_tolerate_wide_lines_and_reject_broken_armour() {
        let wrapped = "junk\n-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n";
        assert_eq!(
            pem_blocks(wrapped.as_bytes()).unwrap(),
            vec![PemBlock {
                label: "CERTIFICATE".to_string(),
                der: vec![0, 1, 2, 3]
            }]
        );
        assert!(matches!(
            pem_blocks(b"-----BEGIN X-----\nAAEC"),
            Err(PemError::Malformed { .. })
        ));
        assert!(matches!(
            pem_blocks(b"-----BEGIN X"),
            Err(PemError::Malformed { .. })
        ));
        assert!(matches!(
            pem_blocks(b"-----BEGIN X-----\n!!\n-----END X-----"),
            Err(PemError::Malformed { .. })
        ));
    }

    #[test]
    fn legacy_encryption_and_block_numbers_are_reported() {
        let two = "-----BEGIN A-----\nAA==\n-----END A-----\n-----BEGIN B-----\nProc-Type: 4,ENCRYPTED\nAA==\n-----END B-----\n";
        assert_eq!(
            pem_blocks(two.as_bytes()),
            Err(PemError::LegacyEncrypted {
                index: 1,
                label: "B".into()
            })
        );
        assert!(looks_like_pem(two.as_bytes()));
        assert!(!looks_like_pem(&[0x30, 0x03, 0x02, 0x01, 0x01]));
    }
}
