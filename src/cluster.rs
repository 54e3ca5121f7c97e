//! The live cluster, through kube-rs: the only module that talks to an API
//! server. It turns the cluster into plain types — a `Snapshot` for the
//! grader, one line per change for the user — and applies the Safety rules
//! of SPEC.md before changing anything.

mod access;
pub mod addons;
mod exec;
mod failure;
mod fetch;
mod kubeconfig;
mod load_balancers;
mod node_paths;
mod port;
mod safety;
mod settle;
mod setup;
mod teardown;
mod volumes;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::time::Duration;

use kube::Client;
use serde_json::Value;

use crate::library::Scenario;
use crate::library::rubric::Rubric;
use crate::snapshot::Snapshot;

pub use access::Permission;
pub use exec::{EXEC_TIMEOUT, exec_namespaces, exit_of};
pub use fetch::{Read, plan};
pub use kubeconfig::kubeconfig_files;
pub use safety::{
    allowed_contexts, check_changes_allowed, check_deletable, config_file, is_protected_namespace,
};
pub use setup::{SetupObject, setup_objects};

/// A connection to one kubeconfig context. Creating it reads the kubeconfig
/// only; the first request is the first contact with the server. Cloning
/// shares the connection.
#[derive(Clone)]
pub struct Cluster {
    client: Client,
    context: String,
    server: String,
    timeout: Duration,
    wait: Duration,
}

/// How to connect. `Default` is what the command line uses.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// A kubeconfig file instead of `$KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// A context name instead of the kubeconfig's current context.
    pub context: Option<String>,
    /// The bound on each request to the API server.
    pub timeout: Duration,
    /// The bound on waiting for deleted namespaces to disappear.
    pub wait: Duration,
}

impl Default for ConnectOptions {
    fn default() -> ConnectOptions {
        ConnectOptions {
            kubeconfig: None,
            context: None,
            timeout: Duration::from_secs(10),
            wait: Duration::from_secs(180),
        }
    }
}

/// Everything that can go wrong talking to a cluster, as one line a user
/// can act on. (Reading a list for a grade never fails: see `Cluster::fetch`.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "no kubeconfig found at {looked}: create a cluster with 'kind create cluster --config assets/kind-cluster.yaml' or set KUBECONFIG"
    )]
    NoKubeconfig { looked: String },
    #[error("kubeconfig {file}: {reason}")]
    Kubeconfig { file: String, reason: String },
    #[error(
        "kubeconfig {file} has no current context: name one with --context (contexts: {known})"
    )]
    NoCurrentContext { file: String, known: String },
    #[error("context '{context}' not found in kubeconfig {file} (contexts: {known})")]
    UnknownContext {
        context: String,
        file: String,
        known: String,
    },
    #[error("context '{context}' in kubeconfig {file}: {reason}")]
    Context {
        context: String,
        file: String,
        reason: String,
    },
    #[error("context '{context}': {reason}")]
    Request { context: String, reason: String },
    #[error(
        "context '{context}' is not a kind cluster: ckasim changes only contexts named 'kind-*' (allow this one with --allow-context {context} or allowed_contexts = [\"{context}\"] in {config})"
    )]
    NotAllowed { context: String, config: String },
    #[error(
        "refusing to delete namespace '{0}': ckasim never deletes 'default' or 'kube-*' namespaces"
    )]
    ProtectedNamespace(String),
    #[error("{origin}: {reason}")]
    Setup { origin: String, reason: String },
    #[error("{file}: {reason}")]
    Config { file: String, reason: String },
    #[error(
        "namespace '{namespace}' is still terminating after {waited}: see what holds it with 'kubectl get namespace {namespace} -o yaml'"
    )]
    StillTerminating { namespace: String, waited: String },
    #[error(
        "{what} is still there after {waited}: see what holds it with 'kubectl get {what} -o yaml'"
    )]
    StillDeleting { what: String, waited: String },
}

impl Cluster {
    /// Kubeconfig context `context` (None = current context). Errors name the
    /// kubeconfig and the context.
    pub async fn connect(context: Option<&str>) -> Result<Cluster, ClusterError> {
        Cluster::connect_with(&ConnectOptions {
            context: context.map(str::to_string),
            ..ConnectOptions::default()
        })
        .await
    }

    pub async fn connect_with(options: &ConnectOptions) -> Result<Cluster, ClusterError> {
        let (mut config, context) =
            kubeconfig::load(options.kubeconfig.as_deref(), options.context.as_deref()).await?;
        config.connect_timeout = Some(options.timeout);
        let server = config.cluster_url.to_string();
        let server = server.trim_end_matches('/').to_string();
        let client = Client::try_from(config).map_err(|e| ClusterError::Request {
            context: context.clone(),
            reason: failure::chain(&e),
        })?;
        Ok(Cluster {
            client,
            context,
            server,
            timeout: options.timeout,
            wait: options.wait,
        })
    }

    pub fn context(&self) -> &str {
        &self.context
    }

    /// The API server's URL, as the kubeconfig gives it.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Server version string, e.g. "v1.33.1" (bounded timeout).
    pub async fn version(&self) -> Result<String, ClusterError> {
        let info = self
            .get_json("/version", &failure::What::Version)
            .await
            .map_err(|reason| self.request_error(reason))?;
        info.get("gitVersion")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.request_error("the server's /version has no gitVersion".into()))
    }

    /// Exactly the lists the rubric needs — one list per (kind, namespace),
    /// all requests concurrent, each with a bounded timeout — into a
    /// Snapshot. Never fails: a list that cannot be read is recorded as
    /// unavailable with a one-line reason, and the checks that need it are
    /// reported as errors. A missing namespace is not an error: its lists
    /// are simply empty. The rubric's observation commands run in the pods
    /// their checks select, and their results are recorded in the Snapshot.
    pub async fn fetch(&self, rubric: &Rubric) -> Snapshot {
        exec::fetch_observed(self, rubric).await
    }

    /// Server-side apply of the scenario's setup manifests (field manager
    /// "ckasim"), each change reported through `log` as one line.
    pub async fn apply_setup(
        &self,
        scenario: &Scenario,
        log: &mut (dyn FnMut(String) + Send),
    ) -> Result<(), ClusterError> {
        let objects = setup_objects(scenario)?;
        setup::apply(self, &objects, log).await
    }

    /// Switches the provisioned volumes claimed from the scenario's
    /// namespaces to `Delete` (`volumes`), removes the directories the
    /// scenario declares on the nodes (`node_paths`: a pod on each node, in
    /// the scenario's first namespace; what cannot be removed is reported,
    /// never fatal), deletes the scenario's declared namespaces together
    /// (their pods with grace period 0), watches until they are gone
    /// (bounded), deletes the volumes still claimed from them and the
    /// declared cluster objects, and re-applies the setup. Nothing is changed when the setup is invalid or a namespace is
    /// protected.
    pub async fn reset(
        &self,
        scenario: &Scenario,
        log: &mut (dyn FnMut(String) + Send),
    ) -> Result<(), ClusterError> {
        for namespace in &scenario.namespaces {
            check_deletable(namespace)?;
        }
        let objects = setup_objects(scenario)?;
        let volumes = volumes::ScenarioVolumes::release(self, scenario, log).await;
        node_paths::clean(self, scenario, log).await;
        teardown::delete_namespaces(self, &scenario.namespaces, log).await?;
        volumes.delete_left(self, log).await;
        setup::delete_cluster_objects(self, &scenario.cluster_objects, log).await?;
        setup::apply(self, &objects, log).await
    }

    /// Follows the pods the scenario's setup brings up until each is ready
    /// or has settled into a state waiting will not change (bounded by
    /// `limit`), a line through `log` whenever they change.
    pub async fn wait_for_setup_pods(
        &self,
        scenario: &Scenario,
        limit: Duration,
        log: &mut (dyn FnMut(String) + Send),
    ) -> Result<(), ClusterError> {
        let objects = setup_objects(scenario)?;
        settle::wait_for_pods(self, &settle::expected_pods(&objects), limit, log).await;
        Ok(())
    }

    /// Whether the credentials of this context may do `verb` on a kind
    /// (`SelfSubjectAccessReview`).
    pub async fn can(&self, permission: &Permission) -> Result<bool, ClusterError> {
        access::can(self, permission).await
    }

    /// Whether the credentials of this context may run commands in the pods
    /// of a namespace (`create` on `pods/exec`), as observation checks do.
    pub async fn can_exec(&self, namespace: &str) -> Result<bool, ClusterError> {
        access::can_exec(self, namespace).await
    }

    fn request_error(&self, reason: String) -> ClusterError {
        ClusterError::Request {
            context: self.context.clone(),
            reason,
        }
    }

    /// One request, bounded by the timeout, its failure as a user-facing reason.
    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        what: &failure::What,
    ) -> Result<Value, failure::Failed> {
        match tokio::time::timeout(self.timeout, self.client.request::<Value>(request)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(failure::Failed::from_kube(&e, what, self)),
            Err(_) => Err(failure::Failed::timeout(what, self)),
        }
    }

    async fn get_json(&self, path: &str, what: &failure::What) -> Result<Value, String> {
        let request = http::Request::get(path)
            .body(Vec::new())
            .map_err(|e| e.to_string())?;
        self.send(request, what).await.map_err(|f| f.reason)
    }
}

/// The URL path of a resource collection: `/api/v1/namespaces/x/pods`.
fn collection_path(group: &str, version: &str, plural: &str, namespace: Option<&str>) -> String {
    let base = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    match namespace {
        Some(ns) => format!("{base}/namespaces/{ns}/{plural}"),
        None => format!("{base}/{plural}"),
    }
}
