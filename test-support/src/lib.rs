//! What Strata's tests, examples and benches measure with: test signals, least-squares sine
//! fits, Welch spectra, exact frequency responses of impulse responses, dB conversions, and cost
//! ratios timed in turn. One copy of each, used by every crate's tests; it ships in no library.

pub mod db;
pub mod fit;
pub mod response;
pub mod signal;
pub mod spectrum;
pub mod timing;
