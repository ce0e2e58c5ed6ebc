//! What the framework itself does to the configuration around variable resolution: v3's
//! `Service` class (`loadServiceFileParam`, `mergeArrays`, `setFunctionNames`, `validate`), the
//! constructors and `initialize` hooks of the internal plugins that write into the configuration
//! (`AwsProvider`, `AwsCompileFunctions`, `AwsPackage`), and the deprecations they log.
//!
//! Everything here works on the configuration value alone: no I/O, no printing. Warnings are
//! returned as v3's text for the caller to print.

use sls_schema::SchemaKind;
use sls_value::{Map, Value};

use crate::error::{ErrorCode, ResolveError, VariableSite};
use crate::value::js_truthy;

/// The version `frameworkVersion` is checked against.
pub const FRAMEWORK_VERSION: &str = "3.40.0";

/// What v3 logs on stderr without failing, in order.
#[derive(Debug, Default)]
pub struct Log {
    /// `log.warning` texts (without the `Warning: ` prefix).
    pub warnings: Vec<String>,
    /// Deprecations buffered for the summary (`warn:summary` mode): their codes.
    pub deprecations: Vec<String>,
    /// The schema violations of the `Invalid configuration encountered` warning (warn mode).
    pub schema_violations: Vec<sls_schema::Violation>,
}

/// Why `run` stopped: one error, or the schema violations of `configValidationMode: error`
/// (v3's one message, and an error per violation with its property path).
#[derive(Debug)]
pub enum RunError {
    One(ResolveError),
    Schema(SchemaFailure),
}

/// The schema violations that fail a `configValidationMode: error` service.
#[derive(Debug)]
pub struct SchemaFailure {
    /// v3's text after `Error:`.
    pub message: String,
    /// One error per violation, at its property.
    pub errors: Vec<ResolveError>,
}

impl From<ResolveError> for RunError {
    fn from(error: ResolveError) -> Self {
        Self::One(error)
    }
}

impl From<SchemaFailure> for RunError {
    fn from(failure: SchemaFailure) -> Self {
        Self::Schema(failure)
    }
}

fn site(path: &[&str]) -> Option<VariableSite> {
    Some(VariableSite {
        path: path.iter().map(|k| (*k).to_owned()).collect(),
        range: None,
    })
}

fn root_map(config: &Value) -> Option<&Map> {
    match config {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// lodash `_.isObject` for JSON values.
fn is_object(value: &Value) -> bool {
    matches!(value, Value::Object(_) | Value::Array(_))
}

/// `type/string/coerce`: strings, numbers, booleans and arrays (through `toString`) are strings;
/// `null` and plain objects are not.
fn coerce_string(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Object(_) => None,
        Value::Array(items) => Some(sls_value::js_array_join(items, ",")),
        other => sls_value::js_to_string(other),
    }
}

/// v3's `resolveProviderName`: `provider.name` (or `provider` itself) must be a string.
pub fn provider_name(config: &Value) -> Result<String, ResolveError> {
    let provider = root_map(config).and_then(|m| m.get("provider"));
    let name = match provider {
        Some(Value::Object(p)) => p.get("name"),
        Some(Value::Array(_)) => None,
        other => other,
    };
    name.and_then(coerce_string).ok_or_else(|| {
        ResolveError::new(
            ErrorCode::ProviderNameMissing,
            "Invalid service configuration: \"provider.name\" property is missing",
        )
        .at(site(&["provider"]))
        .with_help(Some(
            "set `provider.name: aws` (or `provider: aws`)".to_owned(),
        ))
    })
}

/// Whether the configuration is an AWS service as the plugins see it (`provider.name === 'aws'`).
pub fn is_aws(config: &Value) -> bool {
    root_map(config)
        .and_then(|m| m.get("provider"))
        .and_then(|p| match p {
            Value::Object(p) => p.get("name"),
            _ => None,
        })
        .is_some_and(|n| *n == Value::String("aws".into()))
}

/// `serverless.init()`: `Service.loadServiceFileParam` and the internal plugins' constructors.
pub fn init(
    config: &mut Value,
    config_name: &str,
    options: &Map,
    log: &mut Log,
) -> Result<(), ResolveError> {
    let option = |name: &str| options.get(name).filter(|v| js_truthy(v)).cloned();
    let Value::Object(root) = config else {
        return Ok(());
    };
    // `provider`: a string becomes `{ name }`; `stage` defaults to `dev`.
    let provider_is_object = root.get("provider").is_some_and(is_object);
    let mut string_provider = None;
    if provider_is_object {
        if let Some(Value::Object(provider)) = root.get_mut("provider") {
            if provider.get("stage").is_none_or(|v| *v == Value::Null) {
                provider.insert("stage".into(), Value::String("dev".into()));
            }
        }
    } else {
        let mut provider = Map::default();
        if let Some(name) = root.get("provider") {
            provider.insert("name".into(), name.clone());
        }
        provider.insert("stage".into(), Value::String("dev".into()));
        string_provider = Some(provider);
    }
    if root.get("service").is_some_and(is_object) {
        return Err(ResolveError::new(
            ErrorCode::ServiceObjectNotation,
            "Object notation for \"service\" property is not supported. Set \"service\" property directly with service name.",
        )
        .at(site(&["service"])));
    }
    framework_version(root, config_name, log)?;
    if !root.get("service").is_some_and(js_truthy) {
        return Err(ResolveError::new(
            ErrorCode::ServiceNameMissing,
            format!("\"service\" property is missing in {config_name}"),
        )
        .with_help(Some(
            "add `service: <name>` at the top of the file".to_owned(),
        )));
    }
    if !root.get("provider").is_some_and(js_truthy) {
        return Err(ResolveError::new(
            ErrorCode::ProviderMissing,
            format!("\"provider\" property is missing in {config_name}"),
        )
        .at(site(&["provider"])));
    }
    if let Some(provider) = string_provider {
        root.insert("provider".into(), Value::Object(provider));
    }
    // `AwsProvider` sets the region, `AwsCompileFunctions` the `versionFunctions` default.
    if let Some(Value::Object(provider)) = root.get_mut("provider") {
        if provider.get("name") == Some(&Value::String("aws".into())) {
            let region = option("region")
                .or_else(|| provider.get("region").filter(|v| js_truthy(v)).cloned())
                .unwrap_or_else(|| Value::String("us-east-1".into()));
            provider.insert("region".into(), region);
            if provider
                .get("versionFunctions")
                .is_none_or(|v| *v == Value::Null)
            {
                provider.insert("versionFunctions".into(), Value::Bool(true));
            }
        }
    }
    Ok(())
}

/// The `frameworkVersion` check of `loadServiceFileParam`.
fn framework_version(root: &Map, config_name: &str, log: &mut Log) -> Result<(), ResolveError> {
    let Some(configured) = root.get("frameworkVersion").filter(|v| js_truthy(v)) else {
        return Ok(());
    };
    let range = match configured {
        Value::String(text) => node_semver::Range::parse(text.trim()).ok(),
        // semver's `Range` calls `range.trim()`: anything but a string is not a range.
        _ => None,
    };
    let Some(range) = range else {
        if root.get("configValidationMode") == Some(&Value::String("error".into())) {
            return Err(ResolveError::new(
                ErrorCode::InvalidFrameworkVersion,
                "Configured \"frameworkVersion\" does not represent a valid semver version range.",
            )
            .at(site(&["frameworkVersion"])));
        }
        log.warnings.push(
            "Configured \"frameworkVersion\" does not represent a valid semver version range, version validation is skipped"
                .to_owned(),
        );
        return Ok(());
    };
    let text = coerce_string(configured).unwrap_or_default();
    let version = node_semver::Version::parse(FRAMEWORK_VERSION).ok();
    if text != FRAMEWORK_VERSION && !version.is_some_and(|v| range.satisfies(&v)) {
        return Err(ResolveError::new(
            ErrorCode::FrameworkVersionMismatch,
            format!(
                "The Serverless version ({FRAMEWORK_VERSION}) does not satisfy the \"frameworkVersion\" ({text}) in {config_name}"
            ),
        )
        .at(site(&["frameworkVersion"]))
        .with_help(Some(format!(
            "sls-resolve follows Serverless Framework {FRAMEWORK_VERSION}; use a range that includes it, e.g. `^3`"
        ))));
    }
    Ok(())
}

/// `serverless.run()` up to the command: `reloadServiceFileParam`, `mergeArrays`,
/// `setFunctionNames`, `validate` (schema coercion and validation) and the `initialize` hooks.
pub fn run(
    config: &mut Value,
    options: &Map,
    env: &std::collections::HashMap<String, String>,
    log: &mut Log,
) -> Result<(), RunError> {
    let aws = is_aws(config);
    let Value::Object(root) = config else {
        return Ok(());
    };
    if let Some(Value::Object(provider)) = root.get_mut("provider") {
        if provider.get("stage").is_none_or(|v| *v == Value::Null) {
            provider.insert("stage".into(), Value::String("dev".into()));
        }
    }
    merge_arrays(root)?;
    set_function_names(root, options)?;

    // `validate`: the schema coerces in place whatever the mode; the mode decides what is said.
    let mode = root
        .get("configValidationMode")
        .filter(|v| js_truthy(v))
        .cloned()
        .unwrap_or_else(|| Value::String("warn".into()));
    let kind = if aws {
        SchemaKind::Aws
    } else {
        SchemaKind::Other
    };
    let mut deprecations = Deprecations::new(root, env);
    let mut validated = Value::Object(std::mem::take(root));
    let violations = sls_schema::validate(&mut validated, kind);
    let Value::Object(validated) = validated else {
        return Ok(());
    };
    *root = validated;
    if !aws && mode != Value::String("off".into()) {
        log.warnings.push(format!(
            "You're relying on provider \"{}\" defined by a plugin which doesn't provide a validation schema for its config.\nPlease report the issue at its bug tracker linking: https://www.serverless.com/framework/docs/providers/aws/guide/plugins#extending-validation-schema\nYou may turn off this message with \"configValidationMode: off\" setting\n",
            root.get("provider")
                .and_then(|p| match p {
                    Value::Object(p) => p.get("name"),
                    _ => None,
                })
                .and_then(sls_value::js_to_string)
                .unwrap_or_else(|| "undefined".into())
        ));
    }
    if !violations.is_empty() && mode != Value::String("off".into()) {
        let messages: Vec<&str> = violations.iter().map(|v| v.message.as_str()).collect();
        if mode == Value::String("error".into()) {
            let text = if messages.len() > 1 {
                format!("Configuration error: \n     {}", messages.join("\n     "))
            } else {
                format!("Configuration error {}", messages[0])
            };
            return Err(SchemaFailure {
                message: format!(
                    "{text}\n\nLearn more about configuration validation here: http://slss.io/configuration-validation"
                ),
                errors: violations
                    .iter()
                    .map(|v| {
                        let code = if v.unrecognized {
                            ErrorCode::UnrecognizedConfigurationProperty
                        } else {
                            ErrorCode::InvalidNonSchemaCompliantConfiguration
                        };
                        ResolveError::new(code, format!("Configuration error {}", v.message))
                        .at(Some(VariableSite {
                            path: v.path.clone(),
                            range: None,
                        }))
                        .with_help(Some(
                            "the schema of Serverless v3 rejects this (http://slss.io/configuration-validation); `configValidationMode: warn` reports it without failing".to_owned(),
                        ))
                    })
                    .collect(),
            }
            .into());
        }
        let mut text = String::from("Invalid configuration encountered\n");
        for message in &messages {
            text.push_str("  ");
            text.push_str(message);
            text.push('\n');
        }
        text.push_str(
            "\nLearn more about configuration validation here: http://slss.io/configuration-validation",
        );
        log.warnings.push(text);
        log.schema_violations = violations;
        if !root.get("configValidationMode").is_some_and(js_truthy) {
            deprecations.log(
                "CONFIG_VALIDATION_MODE_DEFAULT_V3",
                "Starting with the next major, Serverless will throw on configuration errors by default. Adapt to this behavior now by adding \"configValidationMode: error\" to the service configuration",
                log,
            )?;
        }
    }
    if root.get("projectDir").is_some_and(|v| *v != Value::Null) {
        deprecations.log(
            "PROJECT_DIR",
            "The \"projectDir\" option is no longer used and is ignored. You can safely remove it from the configuration",
            log,
        )?;
    }
    if root
        .get("variablesResolutionMode")
        .is_some_and(|v| *v != Value::Null)
    {
        deprecations.log(
            "VARIABLES_RESOLUTION_MODE",
            "Starting with v3.0, the \"variablesResolutionMode\" option is now useless. You can safely remove it from the configuration",
            log,
        )?;
    }
    if root.get("console").is_some_and(|v| *v != Value::Null) {
        deprecations.log(
            "CONSOLE_CONFIGURATION",
            "Starting with v3.24.0, the \"console\" option is no longer recognized. Please remove it from the configuration",
            log,
        )?;
    }

    if aws {
        initialize_hooks(root, options);
    }
    drop_proto_keys(root);
    Ok(())
}

/// `__proto__` keys are visible to variables and to the schema (which calls them unrecognized),
/// but the configuration v3 prints is copied by assignment, where `obj.__proto__ = v` sets the
/// prototype (or does nothing) instead of a property: the key is gone from the output, at any
/// depth.
fn drop_proto_keys(map: &mut Map) {
    map.shift_remove("__proto__");
    for value in map.values_mut() {
        drop_proto_keys_in(value);
    }
}

fn drop_proto_keys_in(value: &mut Value) {
    match value {
        Value::Object(map) => drop_proto_keys(map),
        Value::Array(items) => items.iter_mut().for_each(drop_proto_keys_in),
        _ => {}
    }
}

/// The `initialize` hooks that write into the configuration, in plugin order.
fn initialize_hooks(root: &mut Map, options: &Map) {
    let service = root
        .get("service")
        .and_then(sls_value::js_to_string)
        .unwrap_or_else(|| "undefined".into());
    // AwsProvider: `deploymentBucket` given as an object is kept aside and replaced by its name.
    let mut deployment_prefix = "serverless".to_owned();
    let mut stage = options
        .get("stage")
        .filter(|v| js_truthy(v))
        .and_then(sls_value::js_to_string);
    if let Some(Value::Object(provider)) = root.get_mut("provider") {
        if let Some(bucket @ Value::Object(_)) = provider.get("deploymentBucket").cloned() {
            let name = match &bucket {
                Value::Object(b) => b.get("name").filter(|n| js_truthy(n)).cloned(),
                _ => None,
            };
            provider.insert("deploymentBucketObject".into(), bucket);
            provider.insert("deploymentBucket".into(), name.unwrap_or(Value::Null));
        }
        if let Some(prefix) = provider
            .get("deploymentPrefix")
            .filter(|v| **v != Value::Null)
        {
            deployment_prefix = template_string(prefix);
        }
        if stage.is_none() {
            stage = provider
                .get("stage")
                .filter(|v| js_truthy(v))
                .map(template_string);
        }
    }
    // AwsPackage: `package.artifactsS3KeyDirname`, visible when the configuration has `package`.
    if let Some(Value::Object(package)) = root.get_mut("package") {
        let stage = stage.unwrap_or_else(|| "dev".into());
        package.insert(
            "artifactsS3KeyDirname".into(),
            Value::String(format!(
                "{deployment_prefix}/{service}/{stage}/code-artifacts"
            )),
        );
    }
}

/// `${value}` in a JavaScript template literal.
fn template_string(value: &Value) -> String {
    match value {
        Value::Object(_) => "[object Object]".into(),
        Value::Null => "null".into(),
        other => sls_value::js_to_string(other).unwrap_or_default(),
    }
}

/// `Service.mergeArrays`: `resources` and `functions` given as lists are merged into one object.
fn merge_arrays(root: &mut Map) -> Result<(), ResolveError> {
    for key in ["resources", "functions"] {
        if let Some(Value::Array(items)) = root.get(key) {
            let mut merged = Value::Object(Map::default());
            for item in items {
                match item {
                    item if !js_truthy(item) => {}
                    Value::Object(_) | Value::Array(_) => deep_merge(&mut merged, item),
                    other => {
                        return Err(ResolveError::new(
                            ErrorCode::LegacyMergeInvalidInput,
                            format!(
                                "Non-object value specified in {key} array: {}",
                                sls_value::js_to_string(other).unwrap_or_default()
                            ),
                        )
                        .at(site(&[key])));
                    }
                }
            }
            root.insert(key.into(), merged);
        }
    }
    Ok(())
}

/// lodash `_.merge` for JSON values: objects and arrays merged key by key, other values replace,
/// `undefined` never does (JSON has none, and `null` does replace).
fn deep_merge(target: &mut Value, source: &Value) {
    match (target, source) {
        (Value::Object(t), Value::Object(s)) => {
            for (k, v) in s {
                match t.get_mut(k) {
                    Some(existing) if is_object(existing) && is_object(v) => {
                        deep_merge(existing, v);
                    }
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(s)) => {
            for (i, v) in s.iter().enumerate() {
                if i < t.len() {
                    if is_object(&t[i]) && is_object(v) {
                        deep_merge(&mut t[i], v);
                    } else {
                        t[i] = v.clone();
                    }
                } else {
                    t.push(v.clone());
                }
            }
        }
        (target, source) => *target = source.clone(),
    }
}

/// `util.inspect` for the scalars v3 quotes in its shape errors.
fn inspect(value: &Value) -> String {
    match value {
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Null => "null".into(),
        other => {
            sls_value::js_to_string(other).unwrap_or_else(|| sls_value::to_json_compact(other))
        }
    }
}

/// `Service.setFunctionNames`: `null` functions dropped, `events` and `name` defaults.
fn set_function_names(root: &mut Map, options: &Map) -> Result<(), ResolveError> {
    let service = root
        .get("service")
        .and_then(sls_value::js_to_string)
        .unwrap_or_else(|| "undefined".into());
    let stage = options
        .get("stage")
        .filter(|v| js_truthy(v))
        .or_else(|| match root.get("provider") {
            Some(Value::Object(p)) => p.get("stage"),
            _ => None,
        })
        .map(template_string)
        .unwrap_or_else(|| "undefined".into());
    let Some(functions) = root.get_mut("functions").filter(|f| js_truthy(f)) else {
        return Ok(());
    };
    let Value::Object(functions) = functions else {
        return Err(ResolveError::new(
            ErrorCode::NonObjectFunctionsConfiguration,
            format!(
                "Unexpected \"functions\" configuration: Expected object received: {}",
                inspect(functions)
            ),
        )
        .at(site(&["functions"])));
    };
    functions.retain(|_, f| *f != Value::Null);
    for (name, function) in functions.iter_mut() {
        let Value::Object(function) = function else {
            return Err(ResolveError::new(
                ErrorCode::NonObjectFunctionConfiguration,
                format!(
                    "Unexpected \"{name}\" function configuration: Expected object received {})",
                    inspect(function)
                ),
            )
            .at(site(&["functions", name])));
        };
        if !function.get("events").is_some_and(js_truthy) {
            function.insert("events".into(), Value::Array(Vec::new()));
        }
        if !function.get("name").is_some_and(js_truthy) {
            function.insert(
                "name".into(),
                Value::String(format!("{service}-{stage}-{name}")),
            );
        }
    }
    Ok(())
}

/// v3's `logDeprecation`: disabled codes are skipped, `error` mode throws, `warn` mode writes a
/// warning at once, the default mode buffers the code for the summary.
struct Deprecations {
    disabled: Vec<String>,
    mode: Option<String>,
}

impl Deprecations {
    fn new(root: &Map, env: &std::collections::HashMap<String, String>) -> Self {
        let mut disabled: Vec<String> = env
            .get("SLS_DEPRECATION_DISABLE")
            .map(|codes| codes.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        match root.get("disabledDeprecations") {
            Some(Value::String(code)) => disabled.push(code.clone()),
            Some(Value::Array(codes)) => {
                disabled.extend(codes.iter().filter_map(sls_value::js_to_string));
            }
            _ => {}
        }
        let by_env = env
            .get("SLS_DEPRECATION_NOTIFICATION_MODE")
            .filter(|m| *m == "error" || *m == "warn")
            .cloned();
        let by_config = match root.get("deprecationNotificationMode") {
            Some(Value::String(m)) if m == "error" || m == "warn" => Some(m.clone()),
            _ => None,
        };
        Self {
            disabled,
            mode: by_env.or(by_config),
        }
    }

    fn log(&mut self, code: &str, message: &str, log: &mut Log) -> Result<(), ResolveError> {
        if self.disabled.iter().any(|d| d == code || d == "*")
            || log.deprecations.iter().any(|d| d == code)
        {
            return Ok(());
        }
        match self.mode.as_deref() {
            Some("error") => Err(ResolveError::new(
                ErrorCode::RejectedDeprecation,
                format!(
                    "{message}\n  More Info: https://www.serverless.com/framework/docs/deprecations/#{code}"
                ),
            )),
            Some(_) => {
                log.warnings.push(format!(
                    "{message}\nMore Info: https://www.serverless.com/framework/docs/deprecations/#{code}"
                ));
                self.disabled.push(code.to_owned());
                Ok(())
            }
            None => {
                log.deprecations.push(code.to_owned());
                Ok(())
            }
        }
    }
}
