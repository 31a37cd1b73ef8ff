//! What more than one of the plugin's test files uses.

pub mod editor;
pub mod eq;
