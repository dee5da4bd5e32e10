//! Fuzz clean: arbitrary bytes; see fuzz/checks.rs for the invariants.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::clean(data));
