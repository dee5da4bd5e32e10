//! dossier: turns a folder of news articles into a browsable, annotated archive.
//!
//! The build is one-way data flow through named stages, each a module with
//! one job and a typed output:
//! `ingest → clean → dedup → annotate → link → chronology → render`.
//! [`build`] runs them; [`model`] is the data passed between them.

pub mod annotate;
pub mod build;
pub mod check;
pub mod chronology;
pub mod clean;
pub mod config;
pub mod corpus;
pub mod dedup;
pub mod eval;
pub mod export;
pub mod feeds;
pub mod ingest;
pub mod link;
pub mod memo;
pub mod model;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod text;
