//! Scenario files (`scenarios/<id>.toml`): what the candidate reads and
//! what the cluster needs before the clock starts.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::addon::Addon;
use super::error::LoadError;
use crate::kind::Kind;

/// Text in English with optional translations (`zh`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "TextDef")]
pub struct Text {
    pub en: String,
    pub translations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TextDef {
    Plain(String),
    Localized(BTreeMap<String, String>),
}

impl From<TextDef> for Text {
    fn from(def: TextDef) -> Self {
        match def {
            TextDef::Plain(en) => Text {
                en,
                translations: BTreeMap::new(),
            },
            TextDef::Localized(mut map) => Text {
                en: map.remove("en").unwrap_or_default(),
                translations: map,
            },
        }
    }
}

impl Text {
    pub fn plain(en: &str) -> Text {
        Text {
            en: en.to_string(),
            translations: BTreeMap::new(),
        }
    }

    /// The text in `lang`, English when there is no translation.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" {
            return &self.en;
        }
        self.translations.get(lang).map_or(&self.en, String::as_str)
    }
}

/// The CKA curriculum domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    ClusterArchitecture,
    WorkloadsScheduling,
    ServicesNetworking,
    Storage,
    Troubleshooting,
}

impl Domain {
    /// The curriculum's order.
    pub const ALL: [Domain; 5] = [
        Domain::Troubleshooting,
        Domain::ClusterArchitecture,
        Domain::ServicesNetworking,
        Domain::WorkloadsScheduling,
        Domain::Storage,
    ];

    /// A word for tabs and narrow columns.
    pub fn short(self) -> &'static str {
        match self {
            Domain::ClusterArchitecture => "Cluster",
            Domain::WorkloadsScheduling => "Workloads",
            Domain::ServicesNetworking => "Network",
            Domain::Storage => "Storage",
            Domain::Troubleshooting => "Troubleshoot",
        }
    }

    /// The usual two-letter code (TS, CA, SN, WS, ST).
    pub fn code(self) -> &'static str {
        match self {
            Domain::ClusterArchitecture => "CA",
            Domain::WorkloadsScheduling => "WS",
            Domain::ServicesNetworking => "SN",
            Domain::Storage => "ST",
            Domain::Troubleshooting => "TS",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Domain::ClusterArchitecture => "Cluster Architecture, Installation & Configuration",
            Domain::WorkloadsScheduling => "Workloads & Scheduling",
            Domain::ServicesNetworking => "Services & Networking",
            Domain::Storage => "Storage",
            Domain::Troubleshooting => "Troubleshooting",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        })
    }
}

/// A loaded, validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub domain: Domain,
    pub difficulty: Difficulty,
    pub time_limit: Duration,
    /// The only namespaces `reset` may delete.
    pub namespaces: Vec<String>,
    /// The cluster-scoped objects the scenario declares as its own: the only
    /// ones setup may create and `reset` deletes.
    pub cluster_objects: Vec<ClusterObject>,
    /// Directories on the nodes the scenario's pods may create (a hostPath
    /// volume's): `reset` removes them from every node.
    pub node_paths: Vec<String>,
    /// YAML documents applied before the timer starts, in order.
    pub setup: Vec<SetupManifest>,
    pub tasks: Vec<Task>,
    pub solution: Option<Solution>,
    /// What the scenario needs beyond a plain kind cluster, in a stable order.
    pub addons: Vec<Addon>,
    /// A full mock exam: tasks from several domains, each task naming its own.
    pub mock: bool,
    /// Where it was loaded from, for messages.
    pub file: String,
}

/// A cluster-scoped object a scenario owns, by kind and name:
/// `{ kind = "StorageClass", name = "fast" }` (with `api_version` for a kind
/// ckasim does not know offline).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterObject {
    pub kind: String,
    #[serde(default)]
    pub api_version: Option<String>,
    pub name: String,
}

impl ClusterObject {
    pub fn kind(&self) -> Kind {
        match &self.api_version {
            Some(av) => Kind::of_object(Some(av), &self.kind),
            None => self
                .kind
                .parse()
                .unwrap_or_else(|_| Kind::of_object(None, &self.kind)),
        }
    }

    /// Whether an object with this apiVersion, kind and name is this one.
    pub fn is(&self, api_version: &str, kind: &str, name: &str) -> bool {
        self.name == name && self.kind() == Kind::of_object(Some(api_version), kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupManifest {
    /// Where the YAML came from (`scenarios/x.toml` or `assets/setup/x.yaml`).
    pub origin: String,
    pub yaml: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub title: Text,
    /// The curriculum domain the task practises: its own in a mock exam, the
    /// scenario's otherwise.
    pub domain: Domain,
    /// Markdown.
    pub body: Text,
    pub hints: Vec<Text>,
}

/// A reference answer, shown only after grading.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    /// Shell commands (kubectl …).
    #[serde(default)]
    pub shell: Option<String>,
    /// Manifests to apply.
    #[serde(default)]
    pub manifests: Option<String>,
    #[serde(default)]
    pub notes: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    id: Spanned<String>,
    title: Spanned<Text>,
    summary: Text,
    domain: Domain,
    difficulty: Difficulty,
    time_limit: Spanned<String>,
    namespaces: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    cluster_objects: Vec<Spanned<ClusterObject>>,
    #[serde(default)]
    node_paths: Vec<Spanned<String>>,
    #[serde(default)]
    setup: Option<SetupFile>,
    tasks: Spanned<Vec<Spanned<TaskFile>>>,
    #[serde(default)]
    solution: Option<Solution>,
    #[serde(default)]
    addons: Vec<Spanned<Addon>>,
    #[serde(default)]
    mock: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupFile {
    /// Inline YAML.
    #[serde(default)]
    manifests: Option<String>,
    /// Paths under the library root, e.g. `assets/setup/broken-pod.yaml`.
    #[serde(default)]
    files: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFile {
    id: Spanned<String>,
    title: Spanned<Text>,
    body: Spanned<Text>,
    #[serde(default)]
    hints: Vec<Text>,
    #[serde(default)]
    domain: Option<Spanned<Domain>>,
}

/// Parses a limit such as `35m`, `2h`, `1h30m` or `90s`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut digits = String::new();
    let mut any = false;
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        let n: u64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
        any = true;
    }
    (any && digits.is_empty() && total > 0).then(|| Duration::from_secs(total))
}

pub(crate) fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Parses and validates one scenario file. `read_asset` returns the text of a
/// setup file named relative to the library root.
pub fn parse(
    file: &str,
    source: &str,
    read_asset: &dyn Fn(&str) -> Option<String>,
) -> Result<Scenario, Vec<LoadError>> {
    let raw: ScenarioFile =
        toml::from_str(source).map_err(|e| vec![super::error::from_toml(file, source, &e)])?;
    let mut errors = Vec::new();
    let err =
        |span: std::ops::Range<usize>, msg: String| LoadError::at(file, source, Some(span), msg);

    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if raw.id.get_ref() != stem {
        errors.push(err(
            raw.id.span(),
            format!(
                "scenario id '{}' must match the file name '{stem}.toml'",
                raw.id.get_ref()
            ),
        ));
    }
    if raw.title.get_ref().en.trim().is_empty() {
        errors.push(err(
            raw.title.span(),
            "title needs English text ('en')".into(),
        ));
    }
    let time_limit = parse_duration(raw.time_limit.get_ref());
    if time_limit.is_none() {
        errors.push(err(
            raw.time_limit.span(),
            format!(
                "time_limit '{}' is not a duration like '35m', '2h' or '1h30m'",
                raw.time_limit.get_ref()
            ),
        ));
    }
    if raw.namespaces.get_ref().is_empty() {
        errors.push(err(
            raw.namespaces.span(),
            "a scenario must own at least one namespace".into(),
        ));
    }
    for ns in raw.namespaces.get_ref() {
        let name = ns.get_ref();
        if name == "default" || name.starts_with("kube-") || !is_dns_label(name) {
            errors.push(err(
                ns.span(),
                format!("namespace '{name}' cannot be owned by a scenario (not 'default', not 'kube-*', a DNS label)"),
            ));
        }
    }

    let mut cluster_objects = Vec::new();
    for o in raw.cluster_objects {
        let span = o.span();
        let o = o.into_inner();
        let known = match &o.api_version {
            Some(av) => Some(Kind::of_object(Some(av), &o.kind)).filter(|k| k.is_well_known()),
            None => match o.kind.parse::<Kind>() {
                Ok(k) => Some(k),
                Err(e) => {
                    errors.push(err(span, e.to_string()));
                    continue;
                }
            },
        };
        let problem = match known {
            Some(Kind::Namespace) => {
                Some("a scenario owns Namespaces through namespaces, not cluster_objects".into())
            }
            Some(Kind::Node) => Some("a scenario cannot own a Node".into()),
            Some(k) if k.namespaced() => Some(format!(
                "{k} is namespaced: a scenario owns its objects through its namespaces"
            )),
            _ if o.name.is_empty() || o.name.starts_with("system:") => Some(format!(
                "cluster object name '{}' cannot be owned by a scenario (not empty, not 'system:*')",
                o.name
            )),
            _ => None,
        };
        match problem {
            Some(p) => errors.push(err(span, p)),
            None => cluster_objects.push(ClusterObject {
                kind: known.map_or(o.kind, |k| k.name().to_string()),
                ..o
            }),
        }
    }

    let mut node_paths: Vec<String> = Vec::new();
    for p in raw.node_paths {
        let problem = node_path_problem(p.get_ref()).or_else(|| {
            node_paths
                .contains(p.get_ref())
                .then(|| format!("node path '{}' is listed twice", p.get_ref()))
        });
        match problem {
            Some(problem) => errors.push(err(p.span(), problem)),
            None => node_paths.push(p.into_inner()),
        }
    }

    let mut setup = Vec::new();
    if let Some(s) = raw.setup {
        if let Some(yaml) = s.manifests {
            setup.push(SetupManifest {
                origin: file.to_string(),
                yaml,
            });
        }
        for path in s.files {
            let p = path.get_ref();
            let under_assets = p.starts_with("assets/") && !p.split('/').any(|c| c == "..");
            match read_asset(p).filter(|_| under_assets) {
                Some(yaml) => setup.push(SetupManifest {
                    origin: p.clone(),
                    yaml,
                }),
                None => errors.push(err(
                    path.span(),
                    format!("setup file '{p}' not found under assets/"),
                )),
            }
        }
    }

    if raw.tasks.get_ref().is_empty() {
        errors.push(err(
            raw.tasks.span(),
            "a scenario needs at least one task".into(),
        ));
    }
    let mut tasks: Vec<Task> = Vec::new();
    for t in raw.tasks.into_inner() {
        let t = t.into_inner();
        let id = t.id.get_ref();
        if !is_dns_label(id) {
            errors.push(err(
                t.id.span(),
                format!("task id '{id}' must be lowercase letters, digits and '-'"),
            ));
        }
        if tasks.iter().any(|o| &o.id == id) {
            errors.push(err(t.id.span(), format!("duplicate task id '{id}'")));
        }
        if t.title.get_ref().en.trim().is_empty() {
            errors.push(err(
                t.title.span(),
                "task title needs English text ('en')".into(),
            ));
        }
        if t.body.get_ref().en.trim().is_empty() {
            errors.push(err(
                t.body.span(),
                "task body needs English text ('en')".into(),
            ));
        }
        let domain = match t.domain {
            Some(d) if !raw.mock && *d.get_ref() != raw.domain => {
                errors.push(err(
                    d.span(),
                    format!(
                        "task '{id}' is in the domain '{}' but the scenario is in '{}': only a mock exam (mock = true) mixes domains",
                        d.get_ref().code(),
                        raw.domain.code()
                    ),
                ));
                raw.domain
            }
            Some(d) => d.into_inner(),
            None if raw.mock => {
                errors.push(err(
                    t.id.span(),
                    format!("task '{id}' of a mock exam needs its domain (domain = \"troubleshooting\", …)"),
                ));
                raw.domain
            }
            None => raw.domain,
        };
        tasks.push(Task {
            id: t.id.into_inner(),
            title: t.title.into_inner(),
            domain,
            body: t.body.into_inner(),
            hints: t.hints,
        });
    }

    let mut addons: Vec<Addon> = Vec::new();
    for a in raw.addons {
        if addons.contains(a.get_ref()) {
            errors.push(err(
                a.span(),
                format!("add-on '{}' is listed twice", a.get_ref()),
            ));
        }
        addons.push(a.into_inner());
    }
    addons.sort();
    addons.dedup();

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Scenario {
        id: raw.id.into_inner(),
        title: raw.title.into_inner(),
        summary: raw.summary,
        domain: raw.domain,
        difficulty: raw.difficulty,
        time_limit: time_limit.unwrap_or_default(),
        namespaces: raw
            .namespaces
            .into_inner()
            .into_iter()
            .map(Spanned::into_inner)
            .collect(),
        cluster_objects,
        node_paths,
        setup,
        tasks,
        solution: raw.solution,
        addons,
        mock: raw.mock,
        file: file.to_string(),
    })
}

/// Directories that belong to the node itself (its configuration, the
/// kubelet's and the container runtime's state, the system): a node path may
/// be neither in one nor above one, since `reset` removes it with `rm -rf`.
/// Beyond the obvious: `/var/log` holds the pods' logs, `/opt/cni` the CNI
/// plugins and `/kind` the node's kind configuration.
const NODE_OWNED: [&str; 18] = [
    "/etc",
    "/var/lib/kubelet",
    "/var/lib/containerd",
    "/var/log",
    "/var/run",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/boot",
    "/root",
    "/opt/cni",
    "/kind",
];

/// Why `path` cannot be a node path (`None`: it can): which rule it breaks.
fn node_path_problem(path: &str) -> Option<String> {
    let quoted = format!("node path '{path}'");
    if !path.starts_with('/') {
        return Some(format!(
            "{quoted} is not absolute: write it from the node's root, e.g. '/mnt/app-data'"
        ));
    }
    if path == "/" {
        return Some(format!(
            "{quoted} is the node's root: name a directory at least two levels down, e.g. '/mnt/app-data'"
        ));
    }
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    if parts.contains(&"..") {
        return Some(format!("{quoted} contains '..': name the directory itself"));
    }
    if parts.iter().any(|p| p.is_empty() || *p == ".") {
        let normal: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        return Some(format!(
            "{quoted} is not normalised: write '/{}' (no '//', '.' or trailing '/')",
            normal.join("/")
        ));
    }
    if let Some(c) = path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-')))
    {
        return Some(format!(
            "{quoted} contains '{c}': a node path is made of letters, digits, '.', '_' and '-' between '/'"
        ));
    }
    if parts.len() < 2 {
        return Some(format!(
            "{quoted} has fewer than two components: reset removes the directory itself, so name one below a top-level directory, e.g. '{path}/app-data'"
        ));
    }
    let within = |dir: &str, of: &str| dir == of || dir.starts_with(&format!("{of}/"));
    if let Some(owned) = NODE_OWNED.iter().find(|o| within(path, o)) {
        return Some(format!(
            "{quoted} is under {owned}, which belongs to the node: reset would remove it with 'rm -rf'"
        ));
    }
    if let Some(owned) = NODE_OWNED.iter().find(|o| within(o, path)) {
        return Some(format!(
            "{quoted} holds {owned}, which belongs to the node: reset would remove it with 'rm -rf'"
        ));
    }
    None
}

impl Scenario {
    pub fn time_limit_minutes(&self) -> u64 {
        self.time_limit.as_secs().div_ceil(60)
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "demo"
title = { en = "Demo", zh = "演示" }
summary = "A demo."
domain = "workloads-scheduling"
difficulty = "easy"
time_limit = "10m"
namespaces = ["demo"]

[[tasks]]
id = "one"
title = "First"
body = "Do **this**."
"#;

    fn no_assets(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_a_minimal_scenario_with_translations() {
        let s = parse("scenarios/demo.toml", MINIMAL, &no_assets).unwrap();
        assert_eq!(s.title.get("zh"), "演示");
        assert_eq!(s.title.get("fr"), "Demo");
        assert_eq!(s.time_limit, Duration::from_secs(600));
        assert_eq!(s.tasks[0].body.en, "Do **this**.");
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let src = MINIMAL.replace(
            "difficulty = \"easy\"",
            "difficulty = \"easy\"\ncolour = \"red\"",
        );
        let errs = parse("scenarios/demo.toml", &src, &no_assets).unwrap_err();
        assert_eq!(errs.len(), 1);
        let line = errs[0].to_string();
        assert!(
            line.starts_with("scenarios/demo.toml:7:1: unknown field `colour`"),
            "{line}"
        );
    }

    #[test]
    fn addons_are_read_in_a_stable_order_and_unknown_ones_are_named() {
        let src = MINIMAL.replace(
            "namespaces = [\"demo\"]",
            "namespaces = [\"demo\"]\naddons = [\"helm\", \"ingress-nginx\"]",
        );
        let s = parse("scenarios/demo.toml", &src, &no_assets).unwrap();
        assert_eq!(s.addons, vec![Addon::IngressNginx, Addon::Helm]);
        assert!(!s.mock);

        let src = src.replace("\"helm\"", "\"istio\"");
        let errs = parse("scenarios/demo.toml", &src, &no_assets).unwrap_err();
        let line = errs[0].to_string();
        assert!(
            line.starts_with(
                "scenarios/demo.toml:9:11: unknown variant `istio`, expected one of `ingress-nginx`"
            ),
            "{line}"
        );
    }

    #[test]
    fn a_task_takes_the_scenario_domain_unless_the_scenario_is_a_mock() {
        let s = parse("scenarios/demo.toml", MINIMAL, &no_assets).unwrap();
        assert_eq!(s.tasks[0].domain, Domain::WorkloadsScheduling);

        let other = MINIMAL.replace("id = \"one\"", "id = \"one\"\ndomain = \"storage\"");
        let errs = parse("scenarios/demo.toml", &other, &no_assets).unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "scenarios/demo.toml:12:10: task 'one' is in the domain 'ST' but the scenario is in 'WS': only a mock exam (mock = true) mixes domains"
        );

        let mock = other.replace(
            "difficulty = \"easy\"",
            "difficulty = \"easy\"\nmock = true",
        );
        let s = parse("scenarios/demo.toml", &mock, &no_assets).unwrap();
        assert!(s.mock);
        assert_eq!(s.tasks[0].domain, Domain::Storage);

        let undeclared = MINIMAL.replace(
            "difficulty = \"easy\"",
            "difficulty = \"easy\"\nmock = true",
        );
        let errs = parse("scenarios/demo.toml", &undeclared, &no_assets).unwrap_err();
        assert!(
            errs[0].to_string().ends_with(
                "task 'one' of a mock exam needs its domain (domain = \"troubleshooting\", …)"
            ),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn node_paths_are_read_and_each_bad_one_says_which_rule_it_breaks() {
        let with = |paths: &str| {
            let src = MINIMAL.replace(
                "namespaces = [\"demo\"]",
                &format!("namespaces = [\"demo\"]\nnode_paths = [{paths}]"),
            );
            parse("scenarios/demo.toml", &src, &no_assets)
                .map(|s| s.node_paths)
                .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        assert_eq!(
            with("\"/mnt/app-data\", \"/srv/cache/v1\""),
            Ok(vec![
                "/mnt/app-data".to_string(),
                "/srv/cache/v1".to_string()
            ])
        );
        assert_eq!(
            parse("scenarios/demo.toml", MINIMAL, &no_assets)
                .unwrap()
                .node_paths,
            Vec::<String>::new()
        );
        let one = |path: &str| with(&format!("\"{path}\"")).unwrap_err();
        for (path, message) in [
            (
                "mnt/app-data",
                "node path 'mnt/app-data' is not absolute: write it from the node's root, e.g. '/mnt/app-data'",
            ),
            (
                "/mnt/../etc/x",
                "node path '/mnt/../etc/x' contains '..': name the directory itself",
            ),
            (
                "/mnt//app-data/",
                "node path '/mnt//app-data/' is not normalised: write '/mnt/app-data' (no '//', '.' or trailing '/')",
            ),
            (
                "/mnt/./app-data",
                "node path '/mnt/./app-data' is not normalised: write '/mnt/app-data' (no '//', '.' or trailing '/')",
            ),
            (
                "/mnt",
                "node path '/mnt' has fewer than two components: reset removes the directory itself, so name one below a top-level directory, e.g. '/mnt/app-data'",
            ),
            (
                "/",
                "node path '/' is the node's root: name a directory at least two levels down, e.g. '/mnt/app-data'",
            ),
            (
                "/mnt/app data",
                "node path '/mnt/app data' contains ' ': a node path is made of letters, digits, '.', '_' and '-' between '/'",
            ),
            (
                "/etc/kubernetes",
                "node path '/etc/kubernetes' is under /etc, which belongs to the node: reset would remove it with 'rm -rf'",
            ),
            (
                "/var/lib/kubelet/pods",
                "node path '/var/lib/kubelet/pods' is under /var/lib/kubelet, which belongs to the node: reset would remove it with 'rm -rf'",
            ),
            (
                "/var/lib/containerd",
                "node path '/var/lib/containerd' is under /var/lib/containerd, which belongs to the node: reset would remove it with 'rm -rf'",
            ),
            (
                "/usr/local",
                "node path '/usr/local' is under /usr, which belongs to the node: reset would remove it with 'rm -rf'",
            ),
            (
                "/var/lib",
                "node path '/var/lib' holds /var/lib/kubelet, which belongs to the node: reset would remove it with 'rm -rf'",
            ),
        ] {
            assert_eq!(one(path), [format!("scenarios/demo.toml:9:15: {message}")]);
        }
        for owned in [
            "/proc/1", "/sys/fs", "/dev/shm", "/run/x", "/bin/x", "/sbin/x", "/lib/x", "/boot/x",
            "/root/x",
        ] {
            let text = one(owned)[0].clone();
            assert!(text.contains("which belongs to the node"), "{text}");
        }
        // A path merely starting like a system directory is not in it.
        assert_eq!(
            with("\"/etcetera/x\", \"/var/lib/report-writer\""),
            Ok(vec![
                "/etcetera/x".to_string(),
                "/var/lib/report-writer".to_string()
            ])
        );
        assert_eq!(
            with("\"/mnt/a\", \"/mnt/a\""),
            Err(vec![
                "scenarios/demo.toml:9:25: node path '/mnt/a' is listed twice".to_string()
            ])
        );
    }

    #[test]
    fn bad_values_are_reported_together() {
        let src = MINIMAL
            .replace("\"10m\"", "\"ten minutes\"")
            .replace("[\"demo\"]", "[\"kube-system\"]");
        let errs = parse("scenarios/demo.toml", &src, &no_assets).unwrap_err();
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].contains(":7:14: time_limit 'ten minutes'"),
            "{text:?}"
        );
        assert!(
            text[1].contains("namespace 'kube-system' cannot be owned"),
            "{text:?}"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("35m"), Some(Duration::from_secs(35 * 60)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(90 * 60)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("35"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("0m"), None);
    }
}
