//! The crate's one error type: what v3 (or osls) would raise, and what the readers reject,
//! each with its code and, where known, a span into an AWS file.

use crate::span::Location;
use miette::SourceSpan;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Why a profile step found nothing usable (serverless v3 then says the profile "doesn't seem
/// to be configured").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum NotConfigured {
    /// A file the SDK had to read is missing (or the home directory is unknown).
    FileUnreadable { path: String, detail: String },
    /// A file could not be loaded by the v2 SDK (a `[__proto__]` section, two config
    /// sections that normalise to one name).
    FileRejected { path: String, detail: String },
    /// No section of that name with at least one key in the files this world reads.
    ProfileNotFound,
    /// The profile exists but sets none of `aws_access_key_id`, `aws_session_token` or a
    /// usable `role_arn`; `kind` names what it holds instead (`sso`, `credential_process`,
    /// `credential_source`, `web_identity_token_file`), if anything.
    NoCredentials { kind: Option<String> },
    /// `role_arn` without `source_profile`.
    RoleWithoutSourceProfile,
    /// `source_profile` names a profile that does not exist.
    SourceProfileMissing { source_profile: String },
}

impl NotConfigured {
    /// A short lower-case explanation.
    pub fn describe(&self) -> String {
        match self {
            NotConfigured::FileUnreadable { path, detail } => {
                format!("cannot read `{path}`: {detail}")
            }
            NotConfigured::FileRejected { path, detail } => {
                format!("the SDK rejects `{path}`: {detail}")
            }
            NotConfigured::ProfileNotFound => {
                "no section with that name and at least one key".into()
            }
            NotConfigured::NoCredentials { kind: Some(k) } => {
                format!(
                    "the profile uses `{k}`, which serverless v3's profile loader does not support"
                )
            }
            NotConfigured::NoCredentials { kind: None } => {
                "the profile has no `aws_access_key_id`, `aws_session_token` or `role_arn`".into()
            }
            NotConfigured::RoleWithoutSourceProfile => {
                "`role_arn` without `source_profile` (v3 supports no `credential_source`)".into()
            }
            NotConfigured::SourceProfileMissing { source_profile } => {
                format!("`source_profile` names `{source_profile}`, which does not exist")
            }
        }
    }
}

/// What went wrong in the SDK-specification reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyntaxKind {
    /// A property or continuation before any `[section]`.
    ExpectedProfileDefinition,
    /// A `[` line without a closing `]`.
    ProfileMustEndWithBracket,
    /// A property line without `=`.
    PropertyWithoutEquals,
    /// `= value`.
    PropertyWithoutName,
    /// A sub-property line without `=`.
    SubPropertyWithoutEquals,
    /// A sub-property `= value`.
    SubPropertyWithoutName,
    /// An indented line after a section header, with no property to continue.
    ContinuationWithoutProperty,
}

impl SyntaxKind {
    /// The message, lower-case (the SDK's texts, de-capitalised).
    pub fn message(self) -> &'static str {
        match self {
            SyntaxKind::ExpectedProfileDefinition => "expected a profile definition",
            SyntaxKind::ProfileMustEndWithBracket => "profile definition must end with ']'",
            SyntaxKind::PropertyWithoutEquals => "expected an '=' sign defining a property",
            SyntaxKind::PropertyWithoutName => "property did not have a name",
            SyntaxKind::SubPropertyWithoutEquals => "expected an '=' sign defining a sub-property",
            SyntaxKind::SubPropertyWithoutName => "sub-property did not have a name",
            SyntaxKind::ContinuationWithoutProperty => {
                "expected a property definition, found continuation"
            }
        }
    }
}

/// Every error this crate reports.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
pub enum AwsError {
    /// A profile step of v3's `getCredentials()` (or osls's `fromIni`) found nothing usable.
    #[error("AWS profile \"{profile}\" doesn't seem to be configured")]
    #[diagnostic(code(UNRECOGNIZED_AWS_PROFILE), help("{help}"))]
    UnrecognizedProfile {
        profile: String,
        reason: NotConfigured,
        help: String,
        location: Option<Location>,
        #[label("defined here")]
        span: Option<SourceSpan>,
    },

    /// Nothing in the SDK default chain can answer (v3's text for the IMDS failure).
    #[error("{message}")]
    #[diagnostic(code(AWS_CREDENTIALS_NOT_FOUND), help("{help}"))]
    CredentialsNotFound { message: String, help: String },

    /// Loading `aws-sdk` itself throws (spec 1.4, crashes 1 and 2): v3 stops before any
    /// credentials are chosen. The code is ours; v3 prints the raw Node error.
    #[error("{message}")]
    #[diagnostic(code(AWS_SDK_LOAD_ERROR), help("{help}"))]
    SdkLoad {
        message: String,
        help: String,
        location: Option<Location>,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    /// An SDK v3 credential-provider error that osls passes through unchanged (a role cycle,
    /// an unsupported `credential_source`). The code is ours.
    #[error("{message}")]
    #[diagnostic(code(AWS_SDK_CREDENTIALS_ERROR))]
    SdkCredentials {
        profile: String,
        message: String,
        location: Option<Location>,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    /// serverless v3 selected a role profile whose source profile has no usable keys where
    /// aws-sdk v2 looks for them: the `AssumeRole` call cannot be signed and fails locally with
    /// v2's `CredentialsError` ("Missing credentials in config"), so the deploy stops at its
    /// first AWS request. The code is ours.
    #[error(
        "profile `{profile}` cannot assume its role: the source profile has no usable keys ({detail})"
    )]
    #[diagnostic(code(AWS_ROLE_SOURCE_WITHOUT_CREDENTIALS), help("{help}"))]
    RoleSourceWithoutCredentials {
        profile: String,
        detail: String,
        help: String,
        location: Option<Location>,
        #[label("role profile")]
        span: Option<SourceSpan>,
    },

    /// osls 4 needs a cached SSO token for an SSO profile and has none (`aws sso login` was
    /// never run, or its cache is elsewhere): it stops and asks for an interactive login.
    #[error(
        "AWS SSO login requires an interactive terminal. Run `aws sso login` for this profile, or re-run this command in an interactive terminal."
    )]
    #[diagnostic(code(AWS_SSO_LOGIN_UNAVAILABLE), help("{help}"))]
    SsoLoginUnavailable {
        profile: String,
        help: String,
        location: Option<Location>,
        #[label("SSO profile")]
        span: Option<SourceSpan>,
    },

    /// A line the SDK-specification reader rejects.
    #[error("{}", kind.message())]
    #[diagnostic(code(aws_ini_syntax))]
    IniSyntax {
        kind: SyntaxKind,
        location: Location,
        #[label("{}", kind.message())]
        span: SourceSpan,
    },

    /// The v2 reader refuses a `[__proto__]` section; the whole file fails to load.
    #[error("cannot load profile name `{name}` from shared ini file")]
    #[diagnostic(code(aws_v2_proto_section))]
    V2ProtoSection {
        name: String,
        location: Location,
        #[label("rejected section")]
        span: SourceSpan,
    },

    /// Two config sections normalise to the same profile name (`[default]` and
    /// `[profile default]`): the v2 SDK throws `Cannot redefine property`.
    #[error("cannot redefine property: `{name}`")]
    #[diagnostic(code(aws_v2_redefine_property))]
    V2RedefineProperty {
        name: String,
        location: Location,
        #[label("second section named `{name}`")]
        span: SourceSpan,
    },
}

impl AwsError {
    /// The error code (v3's code for the errors v3 raises).
    pub fn code(&self) -> &'static str {
        match self {
            AwsError::UnrecognizedProfile { .. } => "UNRECOGNIZED_AWS_PROFILE",
            AwsError::CredentialsNotFound { .. } => "AWS_CREDENTIALS_NOT_FOUND",
            AwsError::SdkLoad { .. } => "AWS_SDK_LOAD_ERROR",
            AwsError::SdkCredentials { .. } => "AWS_SDK_CREDENTIALS_ERROR",
            AwsError::RoleSourceWithoutCredentials { .. } => "AWS_ROLE_SOURCE_WITHOUT_CREDENTIALS",
            AwsError::SsoLoginUnavailable { .. } => "AWS_SSO_LOGIN_UNAVAILABLE",
            AwsError::IniSyntax { .. } => "aws-ini-syntax",
            AwsError::V2ProtoSection { .. } => "aws-v2-proto-section",
            AwsError::V2RedefineProperty { .. } => "aws-v2-redefine-property",
        }
    }

    /// Where in an AWS file the error points, if anywhere.
    pub fn location(&self) -> Option<&Location> {
        match self {
            AwsError::UnrecognizedProfile { location, .. }
            | AwsError::SdkLoad { location, .. }
            | AwsError::SdkCredentials { location, .. }
            | AwsError::RoleSourceWithoutCredentials { location, .. }
            | AwsError::SsoLoginUnavailable { location, .. } => location.as_ref(),
            AwsError::IniSyntax { location, .. }
            | AwsError::V2ProtoSection { location, .. }
            | AwsError::V2RedefineProperty { location, .. } => Some(location),
            AwsError::CredentialsNotFound { .. } => None,
        }
    }

    pub(crate) fn unrecognized(
        profile: &str,
        reason: NotConfigured,
        location: Option<Location>,
    ) -> Self {
        let help = reason.describe();
        AwsError::UnrecognizedProfile {
            profile: profile.to_string(),
            reason,
            help,
            span: location.as_ref().map(|l| l.span.source_span()),
            location,
        }
    }
}

impl Serialize for AwsError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("AwsError", 5)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        match self {
            AwsError::UnrecognizedProfile {
                profile, reason, ..
            } => {
                st.serialize_field("profile", profile)?;
                st.serialize_field("reason", reason)?;
            }
            AwsError::SdkCredentials { profile, .. }
            | AwsError::RoleSourceWithoutCredentials { profile, .. }
            | AwsError::SsoLoginUnavailable { profile, .. } => {
                st.serialize_field("profile", profile)?;
                st.skip_field("reason")?;
            }
            AwsError::IniSyntax { kind, .. } => {
                st.skip_field("profile")?;
                st.serialize_field("reason", kind)?;
            }
            _ => {
                st.skip_field("profile")?;
                st.skip_field("reason")?;
            }
        }
        st.serialize_field("location", &self.location())?;
        st.end()
    }
}
