//! The AWS profile and credentials engine of sls-resolve.
//!
//! **Invariant:** everything here is a pure function of the AWS files' text, an environment
//! snapshot, the stage, the resolved `provider.profile` and `--aws-profile`. The crate does no
//! I/O (it says which paths it needs, [`locate::files_needed`], and takes their contents back),
//! opens no socket, never runs `credential_process`, and never keeps a secret in clear: secret
//! keys, session tokens and access key ids are masked as they are read ([`secret::Secret`]).

pub mod env;
pub mod error;
pub mod ini_spec;
pub mod ini_v2;
mod js;
pub mod locate;
pub mod profile;
pub mod secret;
pub mod span;

pub use env::{Env, Platform};
pub use error::{AwsError, NotConfigured, SyntaxKind};
pub use js::{js_to_upper, posix_join, posix_normalize};
pub use profile::{Profile, ProfileSet, Property};
pub use secret::{mask, Secret, Value};
pub use span::{Location, Span};
