//! The typeface of signature appearances: finding a Times New Roman–compatible serif (regular and
//! bold) on the system or at a caller's path, checking that it can be embedded and covers the whole
//! Vietnamese alphabet, and measuring text with its real glyph advances.
//!
//! No crate on crates.io ships Liberation Serif or Tinos as a maintained, licence-clear font crate,
//! and committing a font file to this repository is ruled out, so the font comes from the system:
//! Debian's `fonts-liberation2` (Liberation Serif 2.x, SIL OFL 1.1, metric-compatible with Times New
//! Roman, full Vietnamese coverage) first, then other well-known locations, or from
//! [`ENV_FONT`] / [`ENV_FONT_BOLD`] / an explicit path given by the caller.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ttf_parser::Face;

/// Environment variable naming the regular face's file (a TrueType `.ttf`).
pub const ENV_FONT: &str = "VANTHU_FONT";
/// Environment variable naming the bold face's file; when unset, the bold face is looked for next
/// to the regular one (`…-Regular.ttf` → `…-Bold.ttf`, `times.ttf` → `timesbd.ttf`).
pub const ENV_FONT_BOLD: &str = "VANTHU_FONT_BOLD";
/// The Debian package that provides the preferred font.
pub const DEBIAN_PACKAGE: &str = "fonts-liberation2";

/// Largest font file read, in bytes (Times New Roman with all scripts is about 1 MB).
pub const MAX_FONT_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Every lower-case Vietnamese letter that is not plain ASCII: the twelve vowels with the five tone
/// marks and without, and `đ`. A face must map all of them (and their upper-case forms) to glyphs.
pub const VIETNAMESE_LETTERS: &str = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợ\
                                      uùúủũụưừứửữựyỳýỷỹỵđ";

/// Known places of a Times New Roman–compatible serif, regular and bold, in order of preference.
const SYSTEM_CANDIDATES: &[(&str, &str)] = &[
    // Debian/Ubuntu fonts-liberation2 (Liberation 2.x).
    (
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    ),
    // Debian/Ubuntu fonts-liberation (Liberation 1.x on older releases, 2.x on newer ones).
    (
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
    ),
    // Debian/Ubuntu fonts-croscore (Tinos).
    (
        "/usr/share/fonts/truetype/croscore/Tinos-Regular.ttf",
        "/usr/share/fonts/truetype/croscore/Tinos-Bold.ttf",
    ),
    // Fedora/RHEL liberation-serif-fonts.
    (
        "/usr/share/fonts/liberation-serif/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/liberation-serif/LiberationSerif-Bold.ttf",
    ),
    // Arch Linux and Alpine.
    (
        "/usr/share/fonts/liberation/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/liberation/LiberationSerif-Bold.ttf",
    ),
    (
        "/usr/share/fonts/TTF/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/TTF/LiberationSerif-Bold.ttf",
    ),
    // Microsoft's Times New Roman where it is installed.
    (
        "/usr/share/fonts/truetype/msttcorefonts/times.ttf",
        "/usr/share/fonts/truetype/msttcorefonts/timesbd.ttf",
    ),
    (
        "/System/Library/Fonts/Supplemental/Times New Roman.ttf",
        "/System/Library/Fonts/Supplemental/Times New Roman Bold.ttf",
    ),
    (
        "/Library/Fonts/Times New Roman.ttf",
        "/Library/Fonts/Times New Roman Bold.ttf",
    ),
    (
        "C:\\Windows\\Fonts\\times.ttf",
        "C:\\Windows\\Fonts\\timesbd.ttf",
    ),
];

/// Why no usable font could be had, or a text cannot be set in it. Messages are Vietnamese first,
/// English second; the "not found" message says what to install.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error(
        "không tìm thấy phông chữ tương thích Times New Roman có đủ dấu tiếng Việt; hãy cài gói \
         {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE}) hoặc đặt {ENV_FONT} (và {ENV_FONT_BOLD}) \
         là đường dẫn tệp .ttf / no Times New Roman-compatible font with Vietnamese coverage was \
         found; install {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE}) or set {ENV_FONT} (and \
         {ENV_FONT_BOLD}) to a .ttf file. Looked at: {looked_at}"
    )]
    NotFound { looked_at: String },
    #[error(
        "không tìm thấy kiểu chữ đậm đi kèm {regular}; hãy đặt {ENV_FONT_BOLD} / no bold face found \
         next to {regular}; set {ENV_FONT_BOLD}"
    )]
    BoldNotFound { regular: PathBuf },
    #[error("không đọc được tệp phông chữ {path} / cannot read font file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "tệp phông chữ {path} quá lớn ({bytes} byte, tối đa {MAX_FONT_FILE_BYTES}) / font file \
         {path} is too large ({bytes} bytes, at most {MAX_FONT_FILE_BYTES})"
    )]
    TooLarge { path: PathBuf, bytes: u64 },
    #[error(
        "{origin} không phải phông OpenType hợp lệ / {origin} is not a valid OpenType font: {reason}"
    )]
    Malformed { origin: String, reason: String },
    #[error(
        "{origin} không có đường nét TrueType (glyf) / {origin} has no TrueType outlines (glyf); \
         CFF fonts cannot be embedded as CIDFontType2"
    )]
    NotTrueType { origin: String },
    #[error(
        "giấy phép của {origin} không cho phép nhúng hoặc cắt gọn phông / the licence of {origin} \
         does not allow embedding or subsetting"
    )]
    EmbeddingNotAllowed { origin: String },
    #[error("{origin} thiếu chữ tiếng Việt / {origin} lacks Vietnamese letters: {missing}")]
    IncompleteVietnamese { origin: String, missing: String },
    #[error(
        "phông {font} không có chữ \"{ch}\" (U+{code:04X}) trong \"{text}\" / font {font} has no \
         glyph for \"{ch}\" (U+{code:04X}) in \"{text}\""
    )]
    MissingGlyph {
        font: String,
        ch: char,
        code: u32,
        text: String,
    },
    #[error("không cắt gọn được phông {font} / cannot subset font {font}: {reason}")]
    Subset { font: String, reason: String },
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// One validated TrueType face: embeddable, with glyph outlines, covering Vietnamese.
#[derive(Clone)]
pub struct FontFace {
    data: Arc<[u8]>,
    origin: String,
    postscript_name: String,
    units_per_em: u16,
}

impl std::fmt::Debug for FontFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontFace")
            .field("origin", &self.origin)
            .field("postscript_name", &self.postscript_name)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl FontFace {
    /// Reads and validates a face from a file.
    pub fn from_path(path: &Path) -> Result<Self, FontError> {
        let bytes = read_font_file(path)?;
        Self::from_bytes(bytes, path.display().to_string())
    }

    /// Validates a face given as bytes; `origin` names it in errors (a path, a label).
    pub fn from_bytes(bytes: Vec<u8>, origin: impl Into<String>) -> Result<Self, FontError> {
        let origin = origin.into();
        let face = Face::parse(&bytes, 0).map_err(|error| FontError::Malformed {
            origin: origin.clone(),
            reason: error.to_string(),
        })?;
        if face.tables().glyf.is_none() {
            return Err(FontError::NotTrueType { origin });
        }
        if !embedding_allowed(&face) {
            return Err(FontError::EmbeddingNotAllowed { origin });
        }
        let missing = missing_vietnamese_letters(&face);
        if !missing.is_empty() {
            return Err(FontError::IncompleteVietnamese { origin, missing });
        }
        let units_per_em = face.units_per_em();
        let postscript_name = postscript_name(&face).unwrap_or_else(|| "VanthuSerif".to_owned());
        Ok(Self {
            data: Arc::from(bytes),
            origin,
            postscript_name,
            units_per_em,
        })
    }

    /// Where the face came from (a path or a label).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The PostScript name from the `name` table, reduced to characters a PDF name may carry
    /// (e.g. `LiberationSerif-Bold`).
    pub fn postscript_name(&self) -> &str {
        &self.postscript_name
    }

    /// The whole font program as read.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The parsed face. The bytes were parsed once already, so this only fails if they changed,
    /// which they cannot; the error is still reported rather than unwrapped.
    pub(crate) fn parsed(&self) -> Result<Face<'_>, FontError> {
        Face::parse(&self.data, 0).map_err(|error| FontError::Malformed {
            origin: self.origin.clone(),
            reason: error.to_string(),
        })
    }

    /// Converts font units to PDF glyph space (thousandths of the em), rounded as written in `/W`.
    pub(crate) fn to_glyph_space(&self, units: f32) -> f32 {
        (units * 1000.0 / f32::from(self.units_per_em.max(1))).round()
    }

    /// The glyph for each character of `text` with its advance in glyph space; a character without
    /// a glyph is an error naming it (never a blank box).
    pub(crate) fn glyphs(&self, text: &str) -> Result<Vec<(char, u16, f32)>, FontError> {
        let face = self.parsed()?;
        text.chars()
            .map(|ch| {
                let glyph = face
                    .glyph_index(ch)
                    .filter(|glyph| glyph.0 != 0)
                    .ok_or_else(|| self.missing_glyph(ch, text))?;
                let advance = face.glyph_hor_advance(glyph).unwrap_or(0);
                Ok((ch, glyph.0, self.to_glyph_space(f32::from(advance))))
            })
            .collect()
    }

    /// The width of `text` at `size` points, from the same rounded advances the PDF will carry.
    pub fn text_width(&self, text: &str, size: f32) -> Result<f32, FontError> {
        let total: f32 = self
            .glyphs(text)?
            .iter()
            .map(|(_, _, advance)| advance)
            .sum();
        Ok(total * size / 1000.0)
    }

    /// Ascent and descent (negative) in glyph space, from `hhea` (what renderers use for lines).
    pub(crate) fn vertical_metrics(&self) -> Result<(f32, f32), FontError> {
        let face = self.parsed()?;
        Ok((
            self.to_glyph_space(f32::from(face.ascender())),
            self.to_glyph_space(f32::from(face.descender())),
        ))
    }

    fn missing_glyph(&self, ch: char, text: &str) -> FontError {
        FontError::MissingGlyph {
            font: self.postscript_name.clone(),
            ch,
            code: u32::from(ch),
            text: text.to_owned(),
        }
    }
}

/// The regular and bold faces used for every appearance.
#[derive(Debug, Clone)]
pub struct FontFamily {
    regular: FontFace,
    bold: FontFace,
}

impl FontFamily {
    /// A family from two validated faces.
    pub fn new(regular: FontFace, bold: FontFace) -> Self {
        Self { regular, bold }
    }

    /// The face of one weight.
    pub fn face(&self, weight: Weight) -> &FontFace {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Loads the regular face from `regular` and the bold one from `bold`, or from next to the
    /// regular file when `bold` is `None`.
    pub fn from_files(regular: &Path, bold: Option<&Path>) -> Result<Self, FontError> {
        let bold = match bold {
            Some(path) => path.to_path_buf(),
            None => bold_sibling(regular).ok_or_else(|| FontError::BoldNotFound {
                regular: regular.to_path_buf(),
            })?,
        };
        Ok(Self::new(
            FontFace::from_path(regular)?,
            FontFace::from_path(&bold)?,
        ))
    }

    /// The caller's path if given, else [`ENV_FONT`] / [`ENV_FONT_BOLD`], else the first usable
    /// system font among the known locations.
    pub fn locate(explicit_regular: Option<&Path>) -> Result<Self, FontError> {
        let from_env = |name: &str| {
            std::env::var_os(name)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        };
        let bold = from_env(ENV_FONT_BOLD);
        match explicit_regular
            .map(Path::to_path_buf)
            .or_else(|| from_env(ENV_FONT))
        {
            Some(regular) => Self::from_files(&regular, bold.as_deref()),
            None => Self::from_system(),
        }
    }

    /// The first known system location holding a usable regular and bold face.
    pub fn from_system() -> Result<Self, FontError> {
        let mut looked_at = Vec::new();
        for (regular, bold) in SYSTEM_CANDIDATES {
            let (regular, bold) = (Path::new(regular), Path::new(bold));
            if !regular.is_file() || !bold.is_file() {
                looked_at.push(format!("{} (absent)", regular.display()));
                continue;
            }
            match Self::from_files(regular, Some(bold)) {
                Ok(family) => return Ok(family),
                Err(error) => looked_at.push(format!("{} ({error})", regular.display())),
            }
        }
        Err(FontError::NotFound {
            looked_at: looked_at.join("; "),
        })
    }
}

fn read_font_file(path: &Path) -> Result<Vec<u8>, FontError> {
    let read_error = |source| FontError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(read_error)?.len();
    if bytes > MAX_FONT_FILE_BYTES {
        return Err(FontError::TooLarge {
            path: path.to_path_buf(),
            bytes,
        });
    }
    std::fs::read(path).map_err(read_error)
}

/// `…-Regular.ttf` → `…-Bold.ttf`, `times.ttf` → `timesbd.ttf`, `X.ttf` → `X Bold.ttf`: the
/// first one that exists.
fn bold_sibling(regular: &Path) -> Option<PathBuf> {
    let name = regular.file_name()?.to_str()?;
    let (stem, extension) = name.rsplit_once('.')?;
    let candidates = [
        stem.replace("Regular", "Bold"),
        stem.replace("regular", "bold"),
        format!("{stem}bd"),
        format!("{stem} Bold"),
        format!("{stem}-Bold"),
    ];
    candidates
        .iter()
        .filter(|candidate| candidate.as_str() != stem)
        .map(|candidate| regular.with_file_name(format!("{candidate}.{extension}")))
        .find(|path| path.is_file())
}

/// OS/2 `fsType`: "restricted licence" forbids embedding, and bit 8 forbids subsetting. A face
/// without an OS/2 table states no restriction.
fn embedding_allowed(face: &Face<'_>) -> bool {
    if face.tables().os2.is_none() {
        return true;
    }
    let restricted = matches!(
        face.permissions(),
        Some(ttf_parser::Permissions::Restricted)
    );
    !restricted && face.is_subsetting_allowed()
}

fn missing_vietnamese_letters(face: &Face<'_>) -> String {
    VIETNAMESE_LETTERS
        .chars()
        .flat_map(|lower| std::iter::once(lower).chain(lower.to_uppercase()))
        .filter(|ch| face.glyph_index(*ch).is_none_or(|glyph| glyph.0 == 0))
        .collect()
}

fn postscript_name(face: &Face<'_>) -> Option<String> {
    let name = face
        .names()
        .into_iter()
        .filter(|name| name.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|name| name.to_string())?;
    let cleaned: String = name
        .chars()
        .filter(|ch| ch.is_ascii_graphic() && !"()<>[]{}/%#".contains(*ch))
        .take(63)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_letters_are_the_twelve_vowels_with_six_tones_and_d_stroke() {
        let letters: Vec<char> = VIETNAMESE_LETTERS.chars().collect();
        assert_eq!(letters.len(), 12 * 6 + 1);
        assert!(letters.iter().all(|ch| ch.is_lowercase()));
        let unique: std::collections::BTreeSet<char> = letters.iter().copied().collect();
        assert_eq!(unique.len(), letters.len(), "no letter listed twice");
        for needed in ['ệ', 'ữ', 'ỹ', 'đ', 'ở', 'ặ'] {
            assert!(letters.contains(&needed), "{needed} missing");
        }
    }

    #[test]
    fn bold_sibling_follows_the_common_naming_conventions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let regular = dir.path().join("LiberationSerif-Regular.ttf");
        assert_eq!(bold_sibling(&regular), None, "nothing exists yet");
        std::fs::write(dir.path().join("LiberationSerif-Bold.ttf"), b"x").expect("write");
        assert_eq!(
            bold_sibling(&regular),
            Some(dir.path().join("LiberationSerif-Bold.ttf"))
        );
        std::fs::write(dir.path().join("timesbd.ttf"), b"x").expect("write");
        assert_eq!(
            bold_sibling(&dir.path().join("times.ttf")),
            Some(dir.path().join("timesbd.ttf"))
        );
    }

    #[test]
    fn garbage_is_a_malformed_font_error() {
        let error = FontFace::from_bytes(b"not a font at all".to_vec(), "garbage").unwrap_err();
        assert!(matches!(error, FontError::Malformed { ref origin, .. } if origin == "garbage"));
    }

    #[test]
    fn not_found_message_says_what_to_install() {
        let message = FontError::NotFound {
            looked_at: "/nowhere".into(),
        }
        .to_string();
        assert!(
            message.contains("apt-get install fonts-liberation2"),
            "{message}"
        );
        assert!(message.contains(ENV_FONT), "{message}");
        assert!(message.starts_with("không tìm thấy"), "{message}");
    }
}
