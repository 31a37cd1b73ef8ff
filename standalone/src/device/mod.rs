//! Audio devices: the cpal implementation and simulated clocks. Both drive the same duplex
//! engine (`duplex.rs`) through its two callbacks.

pub mod virtual_clock;
