//! A fake Kubernetes API server on 127.0.0.1 for tests and the speed
//! benchmark: it serves recorded objects the way kube-apiserver does (lists
//! without `kind` on their items, a `Status` for what is missing, discovery
//! for kubectl), applies and deletes in memory, and can be told to fail a
//! path with a status or to accept a request and never answer.
//!
//! Plain HTTP/1.1 over tokio, no TLS: enough for kube-rs and kubectl.

#![allow(dead_code)] // each test binary uses a different part of it

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ckasim::kind::Kind;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};

/// How a path fails.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this HTTP status and a `Status` body.
    Status(u16, &'static str, String),
    /// Accept the request and never answer.
    Hang,
}

#[derive(Default)]
struct State {
    objects: Vec<Value>,
    faults: Vec<(String, Fault)>,
    requests: Vec<String>,
    next_version: u64,
}

/// A running fake API server. It stops with the test process.
#[derive(Clone)]
pub struct FakeApiServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FakeApiServer {
    /// Starts a server holding `objects` (full objects, with kind and apiVersion).
    pub fn start(objects: Vec<Value>) -> FakeApiServer {
        FakeApiServer::start_on(objects, 0)
    }

    pub fn start_on(objects: Vec<Value>, port: u16) -> FakeApiServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            objects,
            next_version: 1000,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let state = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let _ = serve(stream, state).await;
                    });
                }
            });
        });
        FakeApiServer { addr, state }
    }

    /// The objects of a `kubectl get -o json` List file.
    pub fn start_with_file(file: &Path) -> FakeApiServer {
        let text = std::fs::read_to_string(file).unwrap();
        let list: Value = serde_json::from_str(&text).unwrap();
        FakeApiServer::start(list["items"].as_array().cloned().unwrap_or_default())
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Fail every request whose path starts with `prefix`.
    pub fn fail(&self, prefix: &str, fault: Fault) {
        self.lock().faults.push((prefix.to_string(), fault));
    }

    /// `METHOD /path?query` of every request so far.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    pub fn objects(&self) -> Vec<Value> {
        self.lock().objects.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A kubeconfig whose one context, current, points here.
    pub fn kubeconfig(&self, dir: &Path, context: &str) -> PathBuf {
        write_kubeconfig(dir, &self.url(), context)
    }
}

pub fn write_kubeconfig(dir: &Path, server: &str, context: &str) -> PathBuf {
    let path = dir.join(format!("kubeconfig-{context}"));
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {server}\ncontexts:\n- name: {context}\n  context:\n    cluster: fake\n    user: fake\ncurrent-context: {context}\nusers:\n- name: fake\n  user: {{}}\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A port nothing listens on: bound, then released.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn serve(stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).await? == 0 {
                return Ok(());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        let reply = {
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            answer(&mut s, &method, &target, &body)
        };
        let Some((code, value)) = reply else {
            // Accepted, never answered.
            std::future::pending::<()>().await;
            return Ok(());
        };
        let body = serde_json::to_vec(&value).unwrap_or_default();
        let head = format!(
            "HTTP/1.1 {code} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            reason_phrase(code),
            body.len()
        );
        write.write_all(head.as_bytes()).await?;
        write.write_all(&body).await?;
        write.flush().await?;
    }
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

fn status(code: u16, reason: &str, message: &str, details: Option<Value>) -> Value {
    let mut s = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code,
    });
    if let Some(d) = details {
        s["details"] = d;
    }
    s
}

fn group_version(kind: Kind) -> String {
    kind.api_version()
}

/// The kinds served: the well-known ones, and every other kind (a custom
/// resource's) among the objects held, as if its CRD were installed.
fn served_kinds(s: &State) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = Kind::ALL.to_vec();
    for o in &s.objects {
        let kind = Kind::of_object(o["apiVersion"].as_str(), o["kind"].as_str().unwrap_or(""));
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// Whether a kind is namespaced; for a custom kind, whether its objects are.
fn is_namespaced(s: &State, kind: Kind) -> bool {
    if kind.is_well_known() {
        return kind.namespaced();
    }
    s.objects
        .iter()
        .any(|o| o["kind"] == kind.name() && o.pointer("/metadata/namespace").is_some())
}

fn short_names(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Namespace => vec!["ns"],
        Kind::ServiceAccount => vec!["sa"],
        Kind::ConfigMap => vec!["cm"],
        Kind::Pod => vec!["po"],
        Kind::Deployment => vec!["deploy"],
        Kind::ReplicaSet => vec!["rs"],
        Kind::StatefulSet => vec!["sts"],
        Kind::DaemonSet => vec!["ds"],
        Kind::CronJob => vec!["cj"],
        Kind::Service => vec!["svc"],
        Kind::PersistentVolumeClaim => vec!["pvc"],
        Kind::PersistentVolume => vec!["pv"],
        Kind::NetworkPolicy => vec!["netpol"],
        Kind::Node => vec!["no"],
        _ => vec![],
    }
}

/// The answer to one request; `None` for a request never answered.
fn answer(s: &mut State, method: &str, target: &str, body: &[u8]) -> Option<(u16, Value)> {
    s.requests.push(format!("{method} {target}"));
    let path = target.split('?').next().unwrap_or("/");
    if let Some((_, fault)) = s.faults.iter().find(|(p, _)| path.starts_with(p.as_str())) {
        return match fault {
            Fault::Hang => None,
            Fault::Status(code, reason, message) => {
                Some((*code, status(*code, reason, message, None)))
            }
        };
    }
    Some(route(s, method, path, body))
}

fn route(s: &mut State, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
    let not_found = || {
        (
            404,
            status(
                404,
                "NotFound",
                "the server could not find the requested resource",
                None,
            ),
        )
    };
    match (method, path) {
        ("GET", "/version") => {
            return (
                200,
                json!({"major": "1", "minor": "33", "gitVersion": "v1.33.1", "platform": "linux/amd64"}),
            );
        }
        ("GET", "/api") => {
            return (
                200,
                json!({"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}),
            );
        }
        ("GET", "/apis") => {
            let groups: BTreeSet<String> = served_kinds(s)
                .iter()
                .filter(|k| !k.api().group.is_empty())
                .map(|k| group_version(*k))
                .chain(["authorization.k8s.io/v1".to_string()])
                .collect();
            let groups: Vec<Value> = groups
                .iter()
                .map(|gv| {
                    let (g, v) = gv.split_once('/').unwrap_or((gv, "v1"));
                    let version = json!({"groupVersion": gv, "version": v});
                    json!({"name": g, "versions": [version], "preferredVersion": version})
                })
                .collect();
            return (
                200,
                json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
            );
        }
        ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") => {
            return (201, access_review(s, body));
        }
        _ => {}
    }
    let (gv, rest) = if let Some(rest) = path.strip_prefix("/api/v1") {
        ("v1".to_string(), rest)
    } else if let Some(rest) = path.strip_prefix("/apis/") {
        let mut it = rest.splitn(3, '/');
        let (Some(g), Some(v)) = (it.next(), it.next()) else {
            return not_found();
        };
        let rest = &rest[g.len() + 1 + v.len()..];
        (format!("{g}/{v}"), rest)
    } else {
        return not_found();
    };
    let segments: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let served: Vec<Kind> = served_kinds(s)
        .into_iter()
        .filter(|k| group_version(*k) == gv)
        .collect();
    if segments.is_empty() && method == "GET" && !served.is_empty() {
        let resources: Vec<Value> = served
            .iter()
            .map(|k| {
                json!({"name": k.api().plural, "singularName": k.kubectl_name(),
                    "namespaced": is_namespaced(s, *k), "kind": k.name(),
                    "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                    "shortNames": short_names(*k)})
            })
            .collect();
        return (
            200,
            json!({"kind": "APIResourceList", "groupVersion": gv, "resources": resources}),
        );
    }
    if segments.is_empty() && method == "GET" && gv == "authorization.k8s.io/v1" {
        let review = json!({"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
            "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": ["create"]});
        return (
            200,
            json!({"kind": "APIResourceList", "groupVersion": gv, "resources": [review]}),
        );
    }
    let find = |plural: &str| served.iter().copied().find(|k| k.api().plural == plural);
    let (kind, namespace, name) = match segments.as_slice() {
        ["namespaces", ns, plural] if find(plural).is_some_and(Kind::namespaced) => {
            (find(plural), Some(ns.to_string()), None)
        }
        ["namespaces", ns, plural, name] if find(plural).is_some_and(Kind::namespaced) => {
            (find(plural), Some(ns.to_string()), Some(name.to_string()))
        }
        [plural] => (find(plural), None, None),
        [plural, name] => (find(plural), None, Some(name.to_string())),
        _ => (None, None, None),
    };
    let Some(kind) = kind else {
        return not_found();
    };
    objects(s, method, kind, namespace.as_deref(), name.as_deref(), body)
}

fn matches(o: &Value, kind: Kind, namespace: Option<&str>, name: Option<&str>) -> bool {
    o["kind"] == kind.name()
        && namespace.is_none_or(|ns| o.pointer("/metadata/namespace") == Some(&json!(ns)))
        && name.is_none_or(|n| o.pointer("/metadata/name") == Some(&json!(n)))
}

fn objects(
    s: &mut State,
    method: &str,
    kind: Kind,
    namespace: Option<&str>,
    name: Option<&str>,
    body: &[u8],
) -> (u16, Value) {
    let missing = |name: &str| {
        (
            404,
            status(
                404,
                "NotFound",
                &format!("{} \"{name}\" not found", kind.api().plural),
                Some(json!({"name": name, "kind": kind.api().plural})),
            ),
        )
    };
    match (method, name) {
        ("GET", None) => {
            let items: Vec<Value> = s
                .objects
                .iter()
                .filter(|o| matches(o, kind, namespace, None))
                .map(|o| {
                    let mut o = o.clone();
                    if let Value::Object(m) = &mut o {
                        m.remove("kind");
                        m.remove("apiVersion");
                    }
                    o
                })
                .collect();
            (
                200,
                json!({"kind": format!("{}List", kind.name()), "apiVersion": group_version(kind),
                    "metadata": {"resourceVersion": s.next_version.to_string()}, "items": items}),
            )
        }
        ("GET", Some(n)) => match s
            .objects
            .iter()
            .find(|o| matches(o, kind, namespace, Some(n)))
        {
            Some(o) => (200, o.clone()),
            None => missing(n),
        },
        ("PATCH", Some(n)) => {
            let Ok(mut applied) = serde_json::from_slice::<Value>(body) else {
                return (
                    400,
                    status(400, "BadRequest", "the patch is not JSON", None),
                );
            };
            s.next_version += 1;
            applied["kind"] = json!(kind.name());
            applied["apiVersion"] = json!(group_version(kind));
            if let Some(ns) = namespace {
                applied["metadata"]["namespace"] = json!(ns);
            }
            applied["metadata"]["resourceVersion"] = json!(s.next_version.to_string());
            s.objects.retain(|o| !matches(o, kind, namespace, Some(n)));
            s.objects.push(applied.clone());
            (200, applied)
        }
        ("DELETE", Some(n)) => {
            let Some(found) = s
                .objects
                .iter()
                .find(|o| matches(o, kind, namespace, Some(n)))
                .cloned()
            else {
                return missing(n);
            };
            s.objects.retain(|o| !matches(o, kind, namespace, Some(n)));
            if kind == Kind::Namespace {
                // The namespace controller's work, done at once.
                s.objects
                    .retain(|o| o.pointer("/metadata/namespace") != Some(&json!(n)));
            }
            (200, found)
        }
        _ => (
            405,
            status(405, "MethodNotAllowed", "method not allowed", None),
        ),
    }
}

/// Allowed unless a 401/403 fault covers the path the request would take.
fn access_review(s: &State, body: &[u8]) -> Value {
    let review: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let a = &review["spec"]["resourceAttributes"];
    let group = a["group"].as_str().unwrap_or("");
    let version = a["version"].as_str().unwrap_or("v1");
    let resource = a["resource"].as_str().unwrap_or("");
    let base = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    let path = match a["namespace"].as_str() {
        Some(ns) if !ns.is_empty() => format!("{base}/namespaces/{ns}/{resource}"),
        _ => format!("{base}/{resource}"),
    };
    let denied = s
        .faults
        .iter()
        .any(|(p, f)| matches!(f, Fault::Status(401 | 403, ..)) && path.starts_with(p.as_str()));
    let mut out = review.clone();
    out["status"] = json!({"allowed": !denied});
    out
}
