//! The AWS profile and credentials engine of sls-resolve.
//!
//! **Invariant:** everything here is a pure function of the AWS files' text, an environment
//! snapshot, the stage, the resolved `provider.profile` and `--aws-profile`. The crate does no
//! I/O (it says which paths it needs, [`locate::files_needed`], and takes their contents back),
//! opens no socket, never runs `credential_process`, and never keeps a secret in clear: secret
//! keys, session tokens and access key ids are masked as they are read ([`secret::Secret`]).

// Errors and credentials are data carrying locations; they are built once per run, so their
// size does not matter more than their readability.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

pub mod chain;
pub mod engine;
pub mod env;
pub mod error;
pub mod ini_spec;
pub mod ini_v2;
mod js;
pub mod locate;
pub mod profile;
pub mod secret;
pub mod span;

pub use engine::{Decision, Input, decide};
pub use env::{Env, Platform};
pub use error::{AwsError, NotConfigured, SyntaxKind};
pub use js::{js_to_upper, posix_join, posix_normalize};
pub use locate::{Engine, FileContents};
pub use profile::{Profile, ProfileSet, Property};
pub use secret::{Secret, Value, mask};
pub use span::{Location, Span};
