//! The ToUnicode CMap (PDF 32000-1 §9.10.3): maps each two-byte CID shown by an appearance back to
//! the Unicode text it came from, so that copying and searching give the exact Vietnamese string.

use std::fmt::Write as _;

/// `bfchar` blocks may hold at most 100 entries (PDF 32000-1 §9.7.5.4 via the CMap specification).
const MAX_ENTRIES_PER_BLOCK: usize = 100;

/// A ToUnicode CMap for two-byte codes, each mapped to one or more UTF-16BE code units.
pub(crate) fn to_unicode_cmap(entries: &[(u16, String)]) -> Vec<u8> {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n\
         12 dict begin\n\
         begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n\
         /CMapType 2 def\n\
         1 begincodespacerange\n\
         <0000> <FFFF>\n\
         endcodespacerange\n",
    );
    for block in entries.chunks(MAX_ENTRIES_PER_BLOCK) {
        // Writing to a String cannot fail.
        let _ = writeln!(cmap, "{} beginbfchar", block.len());
        for (code, text) in block {
            let _ = writeln!(cmap, "<{code:04X}> <{}>", utf16_hex(text));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str(
        "endcmap\n\
         CMapName currentdict /CMap defineresource pop\n\
         end\n\
         end\n",
    );
    cmap.into_bytes()
}

fn utf16_hex(text: &str) -> String {
    text.encode_utf16().fold(String::new(), |mut hex, unit| {
        let _ = write!(hex, "{unit:04X}");
        hex
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_codes_to_utf16_including_vietnamese_and_astral_characters() {
        let cmap = to_unicode_cmap(&[(1, "ệ".into()), (2, "Đ".into()), (3, "𝔸".into())]);
        let text = String::from_utf8(cmap).expect("ascii");
        assert!(text.contains("3 beginbfchar\n<0001> <1EC7>\n<0002> <0110>\n<0003> <D835DD38>\n"));
        assert!(text.contains("<0000> <FFFF>"));
        assert!(text.trim_end().ends_with("end\nend"));
    }

    #[test]
    fn splits_long_maps_into_blocks_of_at_most_one_hundred() {
        let entries: Vec<(u16, String)> = (1..=250).map(|code| (code, "a".to_owned())).collect();
        let text = String::from_utf8(to_unicode_cmap(&entries)).expect("ascii");
        assert_eq!(text.matches("100 beginbfchar").count(), 2);
        assert_eq!(text.matches("50 beginbfchar").count(), 1);
        assert_eq!(text.matches("endbfchar").count(), 3);
    }
}
