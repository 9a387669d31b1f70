//! Fuzz target: any byte string through the PDF reader, and, when it reads, through the
//! incremental writer and the signature placeholder, whose output must read back.
#![no_main]

#[path = "../exercise.rs"]
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    exercise::exercise(data);
});
