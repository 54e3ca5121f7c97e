//! Tolerant JSON access: a value of the wrong type reads as absent, as if the field were unset.

use serde_json::{Map, Value};

pub(super) fn field<'a>(value: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    value?
        .as_object()?
        .get(key)
        .filter(|found| !found.is_null())
}

pub(super) fn object<'a>(value: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    field(value, key).filter(|found| found.is_object())
}

pub(super) fn string<'a>(value: Option<&'a Value>, key: &str) -> &'a str {
    field(value, key)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub(super) fn boolean(value: Option<&Value>, key: &str) -> Option<bool> {
    field(value, key).and_then(Value::as_bool)
}

pub(super) fn array<'a>(value: Option<&'a Value>, key: &str) -> &'a [Value] {
    field(value, key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

pub(super) fn strings<'a>(value: Option<&'a Value>, key: &str) -> impl Iterator<Item = &'a str> {
    array(value, key).iter().filter_map(Value::as_str)
}

/// A read-only view of the pod fields the checks look at.
pub(super) struct Pod<'a> {
    pub(super) annotations: Option<&'a Map<String, Value>>,
    pub(super) spec: Option<&'a Value>,
    /// Init, regular then ephemeral containers, the order of upstream `visitContainers`.
    pub(super) containers: Vec<Container<'a>>,
}

pub(super) struct Container<'a> {
    pub(super) name: &'a str,
    pub(super) value: &'a Value,
}

impl<'a> Container<'a> {
    pub(super) fn security_context(&self) -> Option<&'a Value> {
        object(Some(self.value), "securityContext")
    }
}

impl<'a> Pod<'a> {
    pub(super) fn new(metadata: &'a Value, spec: &'a Value) -> Self {
        let spec = Some(spec).filter(|spec| spec.is_object());
        let containers = ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .flat_map(|key| array(spec, key))
            .filter(|container| container.is_object())
            .map(|container| Container {
                name: string(Some(container), "name"),
                value: container,
            })
            .collect();
        Self {
            annotations: object(Some(metadata), "annotations").and_then(Value::as_object),
            spec,
            containers,
        }
    }

    pub(super) fn security_context(&self) -> Option<&'a Value> {
        object(self.spec, "securityContext")
    }

    /// String-valued annotations; others could not come from a real API object.
    pub(super) fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.annotations
            .into_iter()
            .flatten()
            .filter_map(|(key, value)| Some((key.as_str(), value.as_str()?)))
    }

    pub(super) fn annotation(&self, key: &str) -> Option<&'a str> {
        self.annotations?.get(key)?.as_str()
    }

    pub(super) fn is_windows(&self) -> bool {
        string(object(self.spec, "os"), "name") == "windows"
    }

    /// `spec.hostUsers: false` (KEP-127 user namespaces), which relaxes some checks from v1.35.
    pub(super) fn in_user_namespace(&self) -> bool {
        boolean(self.spec, "hostUsers") == Some(false)
    }

    /// The names of the containers whose securityContext `bad` rejects, in
    /// upstream's container order: the list most checks word their detail with.
    pub(super) fn containers_where(
        &self,
        mut bad: impl FnMut(Option<&'a Value>) -> bool,
    ) -> Vec<&'a str> {
        self.containers
            .iter()
            .filter(|container| bad(container.security_context()))
            .map(|container| container.name)
            .collect()
    }

    pub(super) fn volumes(&self) -> impl Iterator<Item = &'a Value> {
        array(self.spec, "volumes")
            .iter()
            .filter(|volume| volume.is_object())
    }
}
