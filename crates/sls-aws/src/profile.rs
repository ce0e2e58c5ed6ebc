//! Profiles after merging: named sections of properties, each property with its place in a file.

use crate::secret::Value;
use crate::span::Location;
use indexmap::IndexMap;
use serde::Serialize;

/// One `key = value` line (or, in the SDK-specification world, a line and its continuations).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Property {
    /// The key as the reader stores it: as written by the v2 reader, lower-cased by the
    /// specification reader.
    pub name: String,
    pub value: Value,
    /// Where the line is; `None` for profiles built in memory (the test vectors).
    pub location: Option<Location>,
}

/// A profile (or an `[sso-session]`): its name, every section header that contributed to it,
/// and its properties in first-definition order (a later duplicate replaces the value in place).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub name: String,
    pub sections: Vec<Location>,
    pub properties: IndexMap<String, Property>,
}

impl Profile {
    pub fn new(name: impl Into<String>) -> Self {
        Profile {
            name: name.into(),
            sections: Vec::new(),
            properties: IndexMap::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key).map(|p| &p.value)
    }

    /// The clear text of a non-secret property.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::text)
    }

    /// The property is present and its value is a non-empty string (JavaScript truthiness).
    pub fn truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(Value::is_truthy)
    }

    /// The clear text of a non-secret property, when it is non-empty.
    pub fn truthy_text(&self, key: &str) -> Option<&str> {
        self.text(key).filter(|t| !t.is_empty())
    }

    pub fn location_of(&self, key: &str) -> Option<&Location> {
        self.properties.get(key).and_then(|p| p.location.as_ref())
    }

    /// Sets `key`, replacing an earlier value in place (JavaScript assignment / map insert).
    pub fn insert(&mut self, prop: Property) {
        self.properties.insert(prop.name.clone(), prop);
    }
}

/// The merged profiles of one world, plus the `[sso-session]` sections.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProfileSet {
    pub profiles: IndexMap<String, Profile>,
    pub sso_sessions: IndexMap<String, Profile>,
}

impl ProfileSet {
    /// Builds a set from plain maps (values classified as secrets by key name).
    pub fn from_maps<'a>(
        profiles: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
        sso_sessions: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
    ) -> Self {
        fn build<'a>(
            items: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
        ) -> IndexMap<String, Profile> {
            items
                .into_iter()
                .map(|(name, props)| {
                    let mut p = Profile::new(name);
                    for (k, v) in props {
                        p.insert(Property {
                            name: k.to_string(),
                            value: Value::for_property(k, v),
                            location: None,
                        });
                    }
                    (name.to_string(), p)
                })
                .collect()
        }
        ProfileSet {
            profiles: build(profiles),
            sso_sessions: build(sso_sessions),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }
}
