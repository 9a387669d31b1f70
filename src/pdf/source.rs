//! Random access to a PDF's bytes: a file read in windows on demand, or bytes already in memory.
//! The reader never loads a whole file; it asks a [`Source`] for the ranges it needs.

use std::fs::File;
use std::io;
use std::path::Path;

use super::error::{PdfError, Result};

/// Bytes readable at any offset. Implementations must be cheap to call repeatedly with small
/// ranges; the parser reads through a window on top of them.
pub trait Source: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// True when the source has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` with the bytes at `offset`; fails when the range is not entirely inside.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;

    /// The whole content when it is already in memory (lets the parser skip copying).
    fn as_slice(&self) -> Option<&[u8]> {
        None
    }
}

/// A PDF held in memory (`Vec<u8>`, `Arc<[u8]>`, `bytes::Bytes`, …).
#[derive(Debug, Clone)]
pub struct MemorySource<T>(pub T);

impl<T: AsRef<[u8]> + Send + Sync> Source for MemorySource<T> {
    fn len(&self) -> u64 {
        self.0.as_ref().len() as u64
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let bytes = self.0.as_ref();
        let slice = usize::try_from(offset)
            .ok()
            .and_then(|start| bytes.get(start..start.checked_add(buf.len())?))
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(slice);
        Ok(())
    }

    fn as_slice(&self) -> Option<&[u8]> {
        Some(self.0.as_ref())
    }
}

/// A PDF file on disk, read with positioned reads (no shared cursor, so it is usable from
/// several threads). The length is fixed when opened.
#[derive(Debug)]
pub struct FileSource {
    file: File,
    len: u64,
}

impl FileSource {
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileSource { file, len })
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset
            .checked_add(buf.len() as u64)
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        if end > self.len {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        read_exact_at(&self.file, offset, buf)
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut offset: u64, mut buf: &mut [u8]) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
            read => {
                buf = &mut buf[read..];
                offset += read as u64;
            }
        }
    }
    Ok(())
}

/// Reads `len` bytes at `offset` into a new vector, with the offset named on failure.
pub(crate) fn read_vec(source: &dyn Source, offset: u64, len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0; len];
    source
        .read_exact_at(offset, &mut buf)
        .map_err(|source| PdfError::Io { offset, source })?;
    Ok(buf)
}

/// The first window the parser reads from a file source: most objects fit in it.
const FIRST_WINDOW: usize = 4 * 1024;
/// The largest window: each refill doubles the size up to this, for long tables and arrays.
const MAX_WINDOW: usize = 256 * 1024;

/// Byte-at-a-time access for the lexer: a slice for memory sources, a sliding window over files.
pub(crate) struct ByteReader<'s> {
    source: &'s dyn Source,
    whole: Option<&'s [u8]>,
    window: Vec<u8>,
    window_start: u64,
    next_window: usize,
    len: u64,
}

impl<'s> ByteReader<'s> {
    pub(crate) fn new(source: &'s dyn Source) -> Self {
        ByteReader {
            source,
            whole: source.as_slice(),
            window: Vec::new(),
            window_start: 0,
            next_window: FIRST_WINDOW,
            len: source.len(),
        }
    }

    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The byte at `pos`, or `None` past the end.
    pub(crate) fn byte(&mut self, pos: u64) -> Result<Option<u8>> {
        if let Some(whole) = self.whole {
            return Ok(usize::try_from(pos)
                .ok()
                .and_then(|index| whole.get(index).copied()));
        }
        if pos >= self.len {
            return Ok(None);
        }
        let in_window = pos
            .checked_sub(self.window_start)
            .and_then(|delta| usize::try_from(delta).ok())
            .and_then(|index| self.window.get(index).copied());
        if let Some(byte) = in_window {
            return Ok(Some(byte));
        }
        self.fill(pos)?;
        Ok(self.window.first().copied())
    }

    fn fill(&mut self, pos: u64) -> Result<()> {
        let available = self.len.saturating_sub(pos);
        let size = usize::try_from(available)
            .unwrap_or(self.next_window)
            .min(self.next_window);
        self.next_window = (self.next_window * 2).min(MAX_WINDOW);
        self.window.resize(size, 0);
        self.source
            .read_exact_at(pos, &mut self.window)
            .map_err(|source| PdfError::Io {
                offset: pos,
                source,
            })?;
        self.window_start = pos;
        Ok(())
    }
}
