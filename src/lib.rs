//! ckasim: CKA practice exams in the terminal, graded against a live cluster.
//!
//! Data flows one way: `library` (scenarios + rubrics) and `snapshot`
//! (cluster objects) feed `grade`, a pure function producing a `report`.
//! See docs/architecture.md.

pub mod cli;
pub mod cluster;
pub mod evaluator;
pub mod grade;
pub mod history;
pub mod jsonpath;
pub mod kind;
pub mod library;
pub mod netpol;
pub mod observe;
pub mod paths;
pub mod pod_security;
pub mod rbac;
pub mod report;
pub mod service;
pub mod session;
pub mod snapshot;
pub mod tui;
pub mod values;
