//! Hashing the signed byte ranges (and the whole file) straight from the document's source, in
//! 64 KiB chunks, never holding the file in memory. Several digests are computed on parallel
//! threads (at most one per core), each reading the file itself: on a file larger than memory
//! the operating system's page cache serves the second reader.

use std::num::NonZeroUsize;
use std::ops::Range;

use crate::crypto::DigestAlgorithm;
use crate::pdf::{Document, PdfError};

/// One digest to compute: an algorithm over ranges of the file, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestJob {
    pub algorithm: DigestAlgorithm,
    pub ranges: Vec<Range<u64>>,
}

impl DigestJob {
    pub fn whole_file(doc: &Document, algorithm: DigestAlgorithm) -> Self {
        DigestJob {
            algorithm,
            ranges: std::iter::once(0..doc.len()).collect(),
        }
    }
}

/// Computes one job.
pub fn digest(doc: &Document, job: &DigestJob) -> Result<Vec<u8>, PdfError> {
    let mut hasher = job.algorithm.hasher();
    for range in &job.ranges {
        doc.for_each_chunk(range.clone(), |chunk| hasher.update(chunk))?;
    }
    Ok(hasher.finish())
}

/// Computes every job, in parallel when there are several, results in the order of `jobs`.
pub fn digest_all(doc: &Document, jobs: &[DigestJob]) -> Vec<Result<Vec<u8>, PdfError>> {
    let threads = std::thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
        .min(jobs.len());
    if threads <= 1 {
        return jobs.iter().map(|job| digest(doc, job)).collect();
    }
    let mut results: Vec<Option<Result<Vec<u8>, PdfError>>> = jobs.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                scope.spawn(move || {
                    jobs.iter()
                        .enumerate()
                        .skip(worker)
                        .step_by(threads)
                        .map(|(index, job)| (index, digest(doc, job)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            // A worker only hashes; should it panic anyway, its jobs stay unanswered below.
            if let Ok(done) = worker.join() {
                for (index, result) in done {
                    if let Some(slot) = results.get_mut(index) {
                        *slot = Some(result);
                    }
                }
            }
        }
    });
    results
        .into_iter()
        .map(|result| {
            result.unwrap_or_else(|| {
                Err(PdfError::Io {
                    offset: 0,
                    source: std::io::Error::other("the hashing thread stopped"),
                })
            })
        })
        .collect()
}
