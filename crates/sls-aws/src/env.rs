//! The environment snapshot the engines read: variables (secrets masked on entry), the platform
//! and the home directory the operating system would report.

use crate::secret::Value;
use std::collections::BTreeMap;

/// The operating system whose path rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    #[default]
    Unix,
    Windows,
}

/// A snapshot of the process environment.
///
/// Values of variables named like secrets (`*_SECRET_ACCESS_KEY`, `*_SESSION_TOKEN`,
/// `*_ACCESS_KEY_ID`, ...) are masked when the snapshot is built; the clear text is not kept.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, Value>,
    platform: Platform,
    os_home_dir: Option<String>,
}

impl Env {
    /// A snapshot of `vars` on Unix, with no `os.homedir()` fallback.
    pub fn new<K: Into<String>, V: AsRef<str>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        let vars = vars
            .into_iter()
            .map(|(k, v)| {
                let k = k.into();
                let v = Value::for_env_var(&k, v.as_ref());
                (k, v)
            })
            .collect();
        Env {
            vars,
            platform: Platform::Unix,
            os_home_dir: None,
        }
    }

    /// Sets the platform (only the SDK-specification locator and its Windows rules use it).
    pub fn with_platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// What Node's `os.homedir()` would return when `HOME` is unset (the passwd entry on Unix).
    pub fn with_os_home_dir(mut self, dir: Option<String>) -> Self {
        self.os_home_dir = dir;
        self
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub fn os_home_dir(&self) -> Option<&str> {
        self.os_home_dir.as_deref()
    }

    /// The variable, whether set to a text or a secret value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    /// Whether the variable is set (possibly to the empty string).
    pub fn is_set(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// The clear text of a non-secret variable, if set.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.vars.get(name).and_then(Value::text)
    }

    /// `process.env[name]` is truthy: set and not empty.
    pub fn truthy(&self, name: &str) -> bool {
        self.vars.get(name).is_some_and(Value::is_truthy)
    }

    /// The clear text of a non-secret variable when it is truthy (`process.env[name] || ...`).
    pub fn truthy_text(&self, name: &str) -> Option<&str> {
        self.text(name).filter(|v| !v.is_empty())
    }

    /// All variable names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_on_entry() {
        let env = Env::new([
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
            ),
            ("AWS_PROFILE", "dev"),
            ("EMPTY", ""),
        ]);
        assert_eq!(env.text("AWS_SECRET_ACCESS_KEY"), None);
        assert_eq!(
            env.get("AWS_SECRET_ACCESS_KEY").map(Value::display),
            Some("****************EKEY")
        );
        assert!(env.truthy("AWS_SECRET_ACCESS_KEY"));
        assert_eq!(env.truthy_text("AWS_PROFILE"), Some("dev"));
        assert!(env.is_set("EMPTY"));
        assert!(!env.truthy("EMPTY"));
        assert_eq!(env.truthy_text("EMPTY"), None);
    }
}
