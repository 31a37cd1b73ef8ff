//! What more than one of the plugin's test files uses.

pub mod eq;
