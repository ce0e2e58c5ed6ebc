//! Variable sources: the [`Source`] trait and v3's built-in sources that need no network.
//!
//! A source never does I/O itself: files come through the [`FileSystem`] the caller supplies,
//! environment variables and CLI options from the [`Environment`] snapshot.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use sls_value::{Map, Value, js_to_string};
use sls_yaml::NodeKind;

use crate::error::{ErrorCode, SharedError};
use crate::value::{get_path, js_get, js_truthy};

/// Reads files for `file(...)` and `.env`; supplied by the caller (the CLI reads the disk).
pub trait FileSystem {
    /// The file's bytes; `ErrorKind::NotFound` when it does not exist.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// Whether `path` names a file, a directory or nothing (for the plugin check). The
    /// default knows only files that [`FileSystem::read`] can read.
    fn kind(&self, path: &Path) -> Option<FileKind> {
        self.read(path).ok().map(|_| FileKind::File)
    }
}

/// What a path names, for [`FileSystem::kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    File,
    Dir,
}

/// What sources may know about the outside world: a snapshot taken by the caller.
pub struct Environment {
    /// The service directory: `file()` paths are relative to it, always.
    pub service_dir: PathBuf,
    /// The CLI options as v3 filters them: every supported option, `null` when absent.
    pub options: Map,
    /// Environment variables (after `.env` loading).
    pub env: HashMap<String, String>,
    pub fs: Rc<dyn FileSystem>,
    /// `sls:instanceId`, available once the framework instance exists (final phases).
    pub instance_id: Option<String>,
    /// Leave variables of remote sources as written instead of failing.
    pub allow_unresolved: bool,
    /// Fail like v3 when a plugin in `plugins` is not installed (`print`); the report and
    /// `check` ask [`crate::missing_plugins`] themselves and carry on.
    pub require_plugins: bool,
    /// Names of environment variables that were looked up and missing (for the dotenv check).
    pub missing_env: RefCell<BTreeSet<String>>,
}

impl Environment {
    fn option(&self, name: &str) -> Option<&Value> {
        self.options.get(name)
    }
}

/// One source lookup: `type(params):address` with params and address already resolved.
#[derive(Debug, Clone)]
pub struct SourceRequest {
    pub ty: String,
    pub params: Option<Vec<Value>>,
    pub address: Option<Value>,
    /// Whether the source has all its data in the current phase (otherwise "not found" may
    /// mean "not yet").
    pub is_fulfilled: bool,
}

/// A source's answer; `value: Null` means not found.
#[derive(Debug, Clone)]
pub struct SourceOutput {
    pub value: Value,
    pub is_pending: bool,
    /// Replaces `Value not found at "<type>" source` when nothing is found.
    pub eventual_error_message: Option<String>,
    /// Where the value was written, when it comes from a file (for diagnostics).
    pub origin: Option<Rc<Origin>>,
}

/// A value's place in a file other than the main configuration: diagnostics about properties
/// that came from `file(...)` point into that file.
#[derive(Debug)]
pub struct Origin {
    pub file: PathBuf,
    /// How diagnostics name the file: relative to the service directory when it is below it
    /// (`config/vars.yml`), else the whole path.
    pub name: String,
    /// The file's text, shared by the values taken from it.
    pub text: Rc<str>,
    /// The node the value came from (the file's root, or the node at the address).
    pub node: sls_yaml::Node,
}

impl SourceOutput {
    pub fn found(value: Value) -> Self {
        Self {
            value,
            is_pending: false,
            eventual_error_message: None,
            origin: None,
        }
    }

    pub fn pending() -> Self {
        Self {
            value: Value::Null,
            is_pending: true,
            eventual_error_message: None,
            origin: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum SourceError {
    /// The source itself failed (v3: a thrown `ServerlessError`).
    Failed { code: ErrorCode, message: String },
    /// An error met while resolving something the source depends on.
    Propagated(SharedError),
}

impl SourceError {
    fn failed(message: impl Into<String>) -> Self {
        Self::Failed {
            code: ErrorCode::VariableResolution,
            message: message.into(),
        }
    }
}

impl From<SharedError> for SourceError {
    fn from(error: SharedError) -> Self {
        Self::Propagated(error)
    }
}

/// What a source may ask of the resolver while it works.
pub trait SourceContext {
    fn environment(&self) -> &Environment;
    /// The configuration as resolved so far (v3 sources read some raw properties directly).
    fn configuration(&self) -> &Value;
    /// The fully resolved value at `keys` (`Null` when absent), recording the dependency.
    fn resolve_configuration_property(&mut self, keys: &[String]) -> Result<Value, SharedError>;
    /// Resolves the variables in `text`.
    fn resolve_variables_in_string(&mut self, text: &str) -> Result<Value, SharedError>;
}

/// A variable source such as `self` or `file`.
pub trait Source {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError>;
}

/// v3's `ensureString`: strings, numbers, booleans and arrays become text; anything else fails
/// with `message` followed by v3's short representation of the value.
fn ensure_string(value: &Value, message: &str) -> Result<String, SourceError> {
    match value {
        Value::Object(_) => Err(SourceError::failed(format!("{message}[object Object]"))),
        Value::Null => Err(SourceError::failed(format!("{message}null"))),
        other => Ok(js_to_string(other).unwrap_or_default()),
    }
}

fn required_address(request: &SourceRequest, source: &str) -> Result<String, SourceError> {
    match &request.address {
        Some(address) if js_truthy(address) => ensure_string(
            address,
            &format!("Non-string address argument in variable \"{source}\" source: "),
        ),
        _ => Err(SourceError::failed(format!(
            "Missing address argument in variable \"{source}\" source"
        ))),
    }
}

/// `self:a.b.c`: the main configuration, always.
pub struct SelfSource;

impl Source for SelfSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let keys: Vec<String> = match request.address.as_ref().filter(|a| js_truthy(a)) {
            Some(address) => js_to_string(address)
                .unwrap_or_default()
                .split('.')
                .map(str::to_owned)
                .collect(),
            None => Vec::new(),
        };
        Ok(SourceOutput::found(
            cx.resolve_configuration_property(&keys)?,
        ))
    }
}

/// `env:NAME`.
pub struct EnvSource;

impl Source for EnvSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let name = required_address(request, "env")?;
        let env = cx.environment();
        let value = match env.env.get(&name) {
            Some(v) => Value::String(v.clone()),
            None => {
                env.missing_env.borrow_mut().insert(name);
                Value::Null
            }
        };
        Ok(SourceOutput {
            value,
            is_pending: !request.is_fulfilled,
            eventual_error_message: None,
            origin: None,
        })
    }
}

/// `opt:name`: the filtered CLI options; `${opt:}` is all of them.
pub struct OptSource;

impl Source for OptSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let env = cx.environment();
        let address = match &request.address {
            None => None,
            Some(a) => Some(ensure_string(
                a,
                "Non-string address argument in variable \"opt\" source: ",
            )?),
        };
        if !request.is_fulfilled {
            return Ok(match address.and_then(|a| env.option(&a).cloned()) {
                Some(value) => SourceOutput::found(value),
                None => SourceOutput::pending(),
            });
        }
        Ok(match address {
            None => SourceOutput::found(Value::Object(env.options.clone())),
            Some(a) => SourceOutput::found(env.option(&a).cloned().unwrap_or(Value::Null)),
        })
    }
}

/// `sls:stage` and `sls:instanceId`.
pub struct SlsSource;

impl Source for SlsSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let address = required_address(request, "sls")?;
        match address.as_str() {
            "instanceId" => Ok(match &cx.environment().instance_id {
                Some(id) => SourceOutput::found(Value::String(id.clone())),
                None => SourceOutput::pending(),
            }),
            "stage" => option_or_provider(cx, "stage", "dev"),
            other => Err(SourceError::failed(format!(
                "Unsupported \"{other}\" address argument in variable \"sls\" source"
            ))),
        }
    }
}

/// `aws:region` (offline); `aws:accountId` needs STS.
pub struct AwsSource;

impl Source for AwsSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let address = match &request.address {
            Some(address) if js_truthy(address) => ensure_string(
                address,
                "Non-string address argument in variable \"sls\" source: ",
            )?,
            _ => {
                return Err(SourceError::failed(
                    "Missing address argument in variable \"aws\" source",
                ));
            }
        };
        match address.as_str() {
            "region" => option_or_provider(cx, "region", "us-east-1"),
            "accountId" => RemoteSource { name: "aws" }.resolve(request, cx),
            other => Err(SourceError::failed(format!(
                "Unsupported \"{other}\" address argument in variable \"aws\" source"
            ))),
        }
    }
}

/// `strToBool(value)`.
pub struct StrToBoolSource;

impl Source for StrToBoolSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        _cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let Some(input) = request
            .params
            .as_ref()
            .and_then(|p| p.first())
            .filter(|v| **v != Value::Null)
        else {
            return Err(SourceError::failed("Missing \"strToBool\" input"));
        };
        let text = ensure_string(input, "Non-string \"strToBool\" input:. Received: ")?;
        match text.trim().to_lowercase().as_str() {
            "true" | "1" => Ok(SourceOutput::found(Value::Bool(true))),
            "false" | "0" => Ok(SourceOutput::found(Value::Bool(false))),
            _ => Err(SourceError::failed(format!(
                "Invalid \"strToBool\" input: Expected either \"true\", \"false\", \"0\", or \"1\". Received: {text}"
            ))),
        }
    }
}

/// `param:name`: `--param`, then `params.<stage>`, then `params.default` (dashboard-plugin).
pub struct ParamSource;

impl Source for ParamSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let name = required_address(request, "param")?;
        let env = cx.environment();
        if let Some(Value::Array(items)) = env.option("param") {
            let mut cli = None;
            for item in items {
                let item = js_to_string(item).unwrap_or_default();
                let Some((key, value)) = split_cli_param(&item) else {
                    return Err(SourceError::failed(format!(
                        "Encountered invalid \"--param\" CLI option value: \"{item}\". Supported format: \"--param='<key>=<val>'\""
                    )));
                };
                if key == name {
                    cli = Some(value);
                }
            }
            if let Some(value) = cli {
                return Ok(SourceOutput::found(Value::String(value)));
            }
        }
        let config = cx.configuration();
        let stage = match env.option("stage").filter(|v| js_truthy(v)) {
            Some(stage) => js_to_string(stage).unwrap_or_default(),
            None => get_path(config, &["provider", "stage"])
                .filter(|v| js_truthy(v))
                .and_then(js_to_string)
                .unwrap_or_else(|| "dev".to_owned()),
        };
        for scope in [stage.as_str(), "default"] {
            if let Some(value) = get_path(config, &["params", scope, name.as_str()]) {
                if *value != Value::Null {
                    return Ok(SourceOutput::found(value.clone()));
                }
            }
        }
        let dashboard = [&["org"][..], &["app"][..]]
            .iter()
            .all(|k| get_path(config, k).is_some_and(js_truthy));
        Ok(SourceOutput {
            value: Value::Null,
            is_pending: false,
            eventual_error_message: Some(format!(
                "The param \"{name}\" cannot be resolved from CLI options or stage params{}. If you are using Serverless Framework Compose, make sure to run commands via Compose so that all parameters can be resolved",
                if dashboard {
                    " or Serverless Dashboard"
                } else {
                    ""
                }
            )),
            origin: None,
        })
    }
}

/// `--param` items match `/(?<key>[^=]+)=(?<value>.+)/` (unanchored); the value is
/// trailing-trimmed.
pub(crate) fn split_cli_param(item: &str) -> Option<(String, String)> {
    let start = item.find(|c| c != '=')?;
    let rest = &item[start..];
    let eq = rest.find('=')?;
    let key = &rest[..eq];
    let value: &str = rest[eq + 1..]
        .split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .next()?;
    if value.is_empty() {
        return None;
    }
    Some((key.to_owned(), value.trim_end().to_owned()))
}

/// `ssm`, `cf`, `s3` and `aws:accountId`: they need AWS, so offline they fail, or with
/// `--allow-unresolved` stay pending (left as written).
pub struct RemoteSource {
    pub name: &'static str,
}

impl Source for RemoteSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        if self.name != "aws" {
            let address = match &request.address {
                Some(address) if js_truthy(address) => js_to_string(address).unwrap_or_default(),
                _ => {
                    return Err(SourceError::failed(format!(
                        "Missing address argument in variable \"{}\" source",
                        self.name
                    )));
                }
            };
            let (separator, format) = match self.name {
                "cf" => ('.', "<stack-name>.<output-id>"),
                "s3" => ('/', "<bucket-name>/<key>"),
                _ => ('\0', ""),
            };
            if separator != '\0' && !address.contains(separator) {
                return Err(SourceError::failed(format!(
                    "Unsupported \"{address}\" address argument in variable \"{}\" source. Expected \"{format}\" format",
                    self.name
                )));
            }
        }
        if cx.environment().allow_unresolved {
            return Ok(SourceOutput::pending());
        }
        Err(SourceError::Failed {
            code: ErrorCode::RemoteSourceOffline,
            message: format!(
                "\"{}\" variables need AWS and cannot be resolved offline",
                self.name
            ),
        })
    }
}

/// `file(path):address`. A file is read and parsed once per resolution phase, the first time a
/// variable names it: v3 reads it again for each variable (the same text, as nothing writes
/// files while a configuration resolves), which made 16,000 variables naming the keys of a
/// 16,000-key file cost minutes. Files are kept while their texts total at most
/// [`FILE_CACHE_BYTES`]; past that, a file is parsed for each variable again (memory stays
/// bounded when many large files are named).
#[derive(Default)]
pub struct FileSource {
    loaded: RefCell<HashMap<PathBuf, Rc<Loaded>>>,
    /// The bytes of text the kept files hold.
    kept_bytes: std::cell::Cell<usize>,
}

/// The most text [`FileSource`] keeps parsed (a parsed file takes several times its text).
pub const FILE_CACHE_BYTES: usize = 16 << 20;

/// What reading and parsing a file gave.
enum Loaded {
    NotFound,
    /// A read or parse error, v3's message.
    Failed(String),
    /// A YAML file without a document (js-yaml: `undefined`).
    NoDocument,
    /// Any other extension: the text itself.
    Text(String),
    Parsed {
        text: Rc<str>,
        node: sls_yaml::Node,
        content: Value,
    },
}

impl FileSource {
    fn load(&self, env: &Environment, file_path: &Path) -> Rc<Loaded> {
        if let Some(loaded) = self.loaded.borrow().get(file_path) {
            return loaded.clone();
        }
        let loaded = Rc::new(read_and_parse(env, file_path));
        let kept = self.kept_bytes.get() + loaded.text_len();
        if kept <= FILE_CACHE_BYTES {
            self.kept_bytes.set(kept);
            self.loaded
                .borrow_mut()
                .insert(file_path.to_owned(), loaded.clone());
        }
        loaded
    }
}

impl Loaded {
    fn text_len(&self) -> usize {
        match self {
            Loaded::Text(text) => text.len(),
            Loaded::Parsed { text, .. } => text.len(),
            Loaded::NotFound | Loaded::Failed(_) | Loaded::NoDocument => 0,
        }
    }
}

fn read_and_parse(env: &Environment, file_path: &Path) -> Loaded {
    let display = display_relative(&env.service_dir, file_path);
    let bytes = match env.fs.read(file_path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Loaded::NotFound,
        Err(err) => {
            return Loaded::Failed(format!(
                "Cannot parse \"{display}\": {}",
                io_message(&err, file_path)
            ));
        }
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let extension = extension(file_path);
    if matches!(extension.as_str(), ".yml" | ".yaml") && sls_yaml::has_no_document(&text) {
        return Loaded::NoDocument;
    }
    let node = match extension.as_str() {
        ".yml" | ".yaml" => sls_yaml::load_yaml(&text)
            .map_err(|err| format!("Cannot parse \"{display}\": {}", err.message)),
        ".json" | ".tfstate" => sls_yaml::load_json(&text).map_err(|err| {
            format!(
                "Cannot parse \"{display}\": JSON parse error: {}",
                err.message
            )
        }),
        ".js" | ".cjs" => Err(format!(
            "Cannot load \"{display}\": JavaScript variable files are not supported offline"
        )),
        _ => return Loaded::Text(text),
    };
    match node {
        Ok(node) => Loaded::Parsed {
            content: node.to_value(),
            text: text.into(),
            node,
        },
        Err(message) => Loaded::Failed(message),
    }
}

impl Source for FileSource {
    fn resolve(
        &self,
        request: &SourceRequest,
        cx: &mut dyn SourceContext,
    ) -> Result<SourceOutput, SourceError> {
        let path_param = request
            .params
            .as_ref()
            .and_then(|p| p.first())
            .filter(|v| js_truthy(v));
        let Some(path_param) = path_param else {
            return Err(SourceError::failed(
                "Missing path argument in variable \"file\" source",
            ));
        };
        let relative = ensure_string(
            path_param,
            "Non-string path argument in variable \"file\" source: ",
        )?;
        let address = match &request.address {
            None => None,
            Some(a) => Some(ensure_string(
                a,
                "Non-string address argument for variable \"file\" source: ",
            )?),
        };
        let env = cx.environment();
        let file_path = resolve_path(&env.service_dir, &relative);
        let name = origin_name(&env.service_dir, &file_path);
        let loaded = self.load(env, &file_path);
        let address = address.filter(|a| !a.is_empty());
        let (text, node, content) = match &*loaded {
            Loaded::NotFound => return Ok(SourceOutput::found(Value::Null)),
            Loaded::Failed(message) => return Err(SourceError::failed(message.clone())),
            // js-yaml gives `undefined`, which v3's result check rejects (fallbacks
            // notwithstanding); with an address it is `null`, i.e. not found.
            Loaded::NoDocument if address.is_some() => {
                return Ok(SourceOutput::found(Value::Null));
            }
            Loaded::NoDocument => {
                return Err(SourceError::Failed {
                    code: ErrorCode::UnsupportedResult,
                    message: "Source \"file\" returned not supported result: \"undefined\"".into(),
                });
            }
            Loaded::Text(text) => return text_output(text.clone(), address.as_deref(), cx),
            Loaded::Parsed {
                text,
                node,
                content,
            } => (text, node, content),
        };
        let origin = |node: &sls_yaml::Node| {
            Rc::new(Origin {
                name: name.clone(),
                file: file_path.clone(),
                text: text.clone(),
                node: node.clone(),
            })
        };
        let Some(address) = address else {
            if let Some(shown) = &node.not_json {
                return Err(not_json_result(shown));
            }
            return Ok(SourceOutput {
                origin: Some(origin(node)),
                ..SourceOutput::found(content.clone())
            });
        };
        if *content == Value::Null {
            return Ok(SourceOutput::found(Value::Null));
        }
        // Borrowed from the file's value until a string on the way is resolved.
        let mut result: Cow<'_, Value> = Cow::Borrowed(content);
        let mut at = Some(node);
        let keys: Vec<&str> = address.split('.').collect();
        for (i, key) in keys.iter().enumerate() {
            // A `Date` or a non-finite number has no properties to walk into (its JSON form,
            // a string or null, is not what v3 walks).
            if at.is_some_and(|n| n.not_json.is_some() && !matches!(n.kind, NodeKind::Map(_))) {
                return Ok(SourceOutput::found(Value::Null));
            }
            if let Value::String(text) = &*result {
                result = Cow::Owned(cx.resolve_variables_in_string(text)?);
                at = None;
            }
            let child = at.and_then(|n| n.get_path(&[key]));
            let next = match &result {
                Cow::Borrowed(value) => js_get(value, key),
                Cow::Owned(value) => js_get(value, key).map(|v| Cow::Owned(v.into_owned())),
            };
            match next {
                Some(next) if *next != Value::Null => result = next,
                // `NaN` and `±Infinity` are null once round-tripped, but v3 sees the number.
                _ => match child.and_then(|n| n.not_json.as_deref()) {
                    Some(shown) if i + 1 == keys.len() => return Err(not_json_result(shown)),
                    _ => return Ok(SourceOutput::found(Value::Null)),
                },
            }
            at = child;
        }
        if let Some(shown) = at.and_then(|n| n.not_json.as_deref()) {
            return Err(not_json_result(shown));
        }
        Ok(SourceOutput {
            origin: at.map(origin),
            ..SourceOutput::found(result.into_owned())
        })
    }
}

/// v3's check that a source result survives the JSON round trip unchanged: a `Date`, `NaN`,
/// `±Infinity` or byte array that an address lands on is rejected, fallbacks notwithstanding.
fn not_json_result(shown: &str) -> SourceError {
    SourceError::Failed {
        code: ErrorCode::UnsupportedResult,
        message: format!("Source \"file\" returned not supported result: \"{shown}\""),
    }
}

/// Any other extension: the text itself (walked by the address like any string).
fn text_output(
    text: String,
    address: Option<&str>,
    cx: &mut dyn SourceContext,
) -> Result<SourceOutput, SourceError> {
    let Some(address) = address.filter(|a| !a.is_empty()) else {
        return Ok(SourceOutput::found(Value::String(text)));
    };
    let mut result = Value::String(text);
    for key in address.split('.') {
        if let Value::String(text) = &result {
            result = cx.resolve_variables_in_string(text)?;
        }
        match js_get(&result, key) {
            Some(next) if *next != Value::Null => result = next.into_owned(),
            _ => return Ok(SourceOutput::found(Value::Null)),
        }
    }
    Ok(SourceOutput::found(result))
}

/// Node's `path.resolve(base, relative)`: joined, then `.` and `..` removed lexically.
pub(crate) fn resolve_path(base: &Path, relative: &str) -> PathBuf {
    let joined = base.join(relative);
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn origin_name(service_dir: &Path, file: &Path) -> String {
    file.strip_prefix(service_dir)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// v3 shows `filePath.slice(serviceDir.length + 1)`.
fn display_relative(service_dir: &Path, file: &Path) -> String {
    let file = file.to_string_lossy();
    let skip = service_dir.to_string_lossy().len() + 1;
    file.get(skip..).unwrap_or_default().to_owned()
}

/// Node's `path.extname`.
fn extension(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.rfind('.') {
        Some(0) | None => String::new(),
        Some(i) => name[i..].to_owned(),
    }
}

/// Node's wording of common read errors.
fn io_message(err: &io::Error, path: &Path) -> String {
    match err.kind() {
        io::ErrorKind::IsADirectory => "EISDIR: illegal operation on a directory, read".to_owned(),
        io::ErrorKind::PermissionDenied => {
            format!("EACCES: permission denied, open '{}'", path.display())
        }
        _ => err.to_string(),
    }
}

/// `options.<name> || provider.<name> (resolved) || default`, as `sls:stage` and `aws:region` do.
fn option_or_provider(
    cx: &mut dyn SourceContext,
    name: &str,
    default: &str,
) -> Result<SourceOutput, SourceError> {
    let mut value = cx
        .environment()
        .option(name)
        .cloned()
        .unwrap_or(Value::Null);
    if !js_truthy(&value) {
        value = cx.resolve_configuration_property(&keys(&["provider", name]))?;
    }
    if !js_truthy(&value) {
        value = Value::String(default.into());
    }
    Ok(SourceOutput::found(value))
}

fn keys(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_param_format() {
        assert_eq!(split_cli_param("a=b"), Some(("a".into(), "b".into())));
        assert_eq!(
            split_cli_param("extra=a=b "),
            Some(("extra".into(), "a=b".into()))
        );
        assert_eq!(split_cli_param("novalue"), None);
        assert_eq!(split_cli_param("k="), None);
        assert_eq!(split_cli_param("=x=y"), Some(("x".into(), "y".into())));
    }

    #[test]
    fn node_path_helpers() {
        assert_eq!(extension(Path::new("/a/b.yml")), ".yml");
        assert_eq!(extension(Path::new("/a/.env")), "");
        assert_eq!(extension(Path::new("/a/noext")), "");
        assert_eq!(
            resolve_path(Path::new("/svc"), "./sub/../x.yml"),
            PathBuf::from("/svc/x.yml")
        );
    }
}
