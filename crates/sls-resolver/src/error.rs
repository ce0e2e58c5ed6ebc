//! Resolution errors: data first (code, property path, the variable's place), v3's text beside it.

use std::rc::Rc;

/// Where in a string value a variable sits: the property holding the string and the variable's
/// byte range inside that string, when it is known (it is not for re-parsed resolved values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableSite {
    pub path: Vec<String>,
    pub range: Option<(usize, usize)>,
}

/// One thing that went wrong while resolving, as v3 would report it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolveError {
    pub code: ErrorCode,
    /// v3's message text, e.g. `Cannot resolve variable at "custom.a": Value not found at "self" source`.
    pub message: String,
    /// The variable the error is about, when known.
    pub site: Option<VariableSite>,
    /// A suggestion for the user (not part of v3's text).
    pub help: Option<String>,
    /// The place in a file other than the configuration the error is about (a `.env` line),
    /// when it is about one (boxed: it is rare, and errors travel in `Result`s).
    pub file_site: Option<Box<FileSite>>,
}

/// A labelled byte range in a file other than the configuration, e.g. the `.env` value that
/// does not finish expanding.
///
/// `text` is the file as the resolver read it, in clear: a `.env` file may hold secrets on the
/// lines around the range, so mask them before showing a code frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSite {
    /// How diagnostics name the file: relative to the service directory (`.env.prod`).
    pub name: String,
    /// The text `range` points into (for `.env`, with its line breaks normalized to `\n`, as
    /// dotenv reads it: line numbers are those of the file).
    pub text: String,
    /// Byte range in `text`, on character boundaries.
    pub range: (usize, usize),
    /// What the label on the range says.
    pub label: String,
}

/// Shared so that one error object reached through several properties is reported once, as in
/// v3 (which de-duplicates by identity).
pub type SharedError = Rc<ResolveError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A `${...}` syntax error (the parser's code is in the message).
    Syntax,
    MissingVariableResult,
    VariableResolution,
    NonStringVariableResult,
    CircularPropertyDependency,
    ExcessivePropertiesNestDepth,
    ExcessiveVariablesNestDepth,
    /// Internal signal: the value depends on a variable that cannot be resolved yet.
    MissingVariableDependency,
    /// A remote source (`ssm`, `cf`, `s3`, `aws:accountId`) met while offline.
    RemoteSourceOffline,
    InaccessibleConfigurationProperty,
    UnrecognizedVariableSources,
    DashboardVariableSourcesMisuse,
    DotenvConflict,
    ConfigurationShape,
    ProviderNameMissing,
    ProviderMissing,
    ServiceObjectNotation,
    ServiceNameMissing,
    InvalidFrameworkVersion,
    FrameworkVersionMismatch,
    LegacyMergeInvalidInput,
    NonObjectFunctionsConfiguration,
    NonObjectFunctionConfiguration,
    /// A schema violation in `configValidationMode: error` (the value at the property).
    InvalidNonSchemaCompliantConfiguration,
    /// A schema violation about a property that is not allowed (its key), same v3 code.
    UnrecognizedConfigurationProperty,
    RejectedDeprecation,
    UnsupportedResult,
    PluginNotFound,
    /// Ours: variables resolved one inside another beyond `MAX_RESOLUTION_DEPTH` (v3 overflows
    /// its stack).
    ExcessiveResolutionDepth,
    /// Ours: variables copied more than `MAX_SUBSTITUTED_BYTES` of values (v3 never finishes).
    ExcessiveSubstitution,
    /// Ours: a `.env` value whose variables do not finish expanding (v3 overflows its stack).
    ExcessiveDotenvExpansion,
}

impl ErrorCode {
    /// Whether this is a schema violation of `configValidationMode: error`.
    pub fn is_schema(self) -> bool {
        matches!(
            self,
            Self::InvalidNonSchemaCompliantConfiguration | Self::UnrecognizedConfigurationProperty
        )
    }

    /// v3's code string (or ours, for the offline source).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Syntax => "VARIABLE_SYNTAX_ERROR",
            Self::MissingVariableResult => "MISSING_VARIABLE_RESULT",
            Self::VariableResolution => "VARIABLE_RESOLUTION_ERROR",
            Self::NonStringVariableResult => "NON_STRING_VARIABLE_RESULT",
            Self::CircularPropertyDependency => "CIRCULAR_PROPERTY_DEPENDENCY",
            Self::ExcessivePropertiesNestDepth => "EXCESSIVE_RESOLVED_PROPERTIES_NEST_DEPTH",
            Self::ExcessiveVariablesNestDepth => "EXCESSIVE_RESOLVED_VARIABLES_NEST_DEPTH",
            Self::MissingVariableDependency => "MISSING_VARIABLE_DEPENDENCY",
            Self::RemoteSourceOffline => "REMOTE_SOURCE_OFFLINE",
            Self::InaccessibleConfigurationProperty => "INACCESSIBLE_CONFIGURATION_PROPERTY",
            Self::UnrecognizedVariableSources => "UNRECOGNIZED_VARIABLE_SOURCES",
            Self::DashboardVariableSourcesMisuse => "DASHBOARD_VARIABLE_SOURCES_MISUSE",
            Self::DotenvConflict => "DOTENV_ENV_VAR_RESOLUTION_CONFLICT",
            Self::ConfigurationShape => "INVALID_CONFIGURATION",
            Self::ProviderNameMissing => "INVALID_CONFIGURATION_PROVIDER_NAME_MISSING",
            Self::ProviderMissing => "PROVIDER_NAME_MISSING",
            Self::ServiceObjectNotation => "SERVICE_OBJECT_NOTATION",
            Self::ServiceNameMissing => "SERVICE_NAME_MISSING",
            Self::InvalidFrameworkVersion => "INVALID_FRAMEWORK_VERSION",
            Self::FrameworkVersionMismatch => "FRAMEWORK_VERSION_MISMATCH",
            Self::LegacyMergeInvalidInput => "LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT",
            Self::NonObjectFunctionsConfiguration => "NON_OBJECT_FUNCTIONS_CONFIGURATION",
            Self::NonObjectFunctionConfiguration => "NON_OBJECT_FUNCTION_CONFIGURATION_ERROR",
            Self::InvalidNonSchemaCompliantConfiguration
            | Self::UnrecognizedConfigurationProperty => {
                "INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"
            }
            Self::RejectedDeprecation => "REJECTED_DEPRECATION",
            Self::UnsupportedResult => "UNSUPPORTED_VARIABLE_RESOLUTION_RESULT",
            Self::PluginNotFound => "PLUGIN_NOT_FOUND",
            Self::ExcessiveResolutionDepth => "EXCESSIVE_VARIABLE_RESOLUTION_DEPTH",
            Self::ExcessiveSubstitution => "EXCESSIVE_VARIABLE_EXPANSION",
            Self::ExcessiveDotenvExpansion => "EXCESSIVE_DOTENV_EXPANSION",
        }
    }
}

impl ResolveError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            site: None,
            help: None,
            file_site: None,
        }
    }

    pub fn at(mut self, site: Option<VariableSite>) -> Self {
        self.site = site;
        self
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn in_file(mut self, file_site: FileSite) -> Self {
        self.file_site = Some(Box::new(file_site));
        self
    }

    pub fn shared(self) -> SharedError {
        Rc::new(self)
    }
}

/// `custom.a.0` from `["custom", "a", "0"]`, as v3's `humanizePropertyPath`.
pub fn humanize(path: &[String]) -> String {
    path.join(".")
}
