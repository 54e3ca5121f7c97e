//! Shared by the test binaries.

pub mod apiserver;
