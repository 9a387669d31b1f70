//! Fuzz target: any byte string through the whole signature verification (reading, geometry,
//! CMS, hashing, path validation, diff analysis, report), whose report must hold together.
#![no_main]

#[path = "../verify_exercise.rs"]
mod verify_exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    verify_exercise::exercise(data);
});
