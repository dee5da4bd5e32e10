//! Fuzz quotes: arbitrary text; see fuzz/checks.rs for the invariants.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|text: &str| checks::quotes(text));
