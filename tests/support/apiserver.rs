//! A fake Kubernetes API server on 127.0.0.1 for tests and the speed
//! benchmark: it serves recorded objects the way kube-apiserver does (lists
//! without `kind` on their items, a `Status` for what is missing, discovery
//! for kubectl), applies and deletes in memory, and can be told to fail a
//! path with a status or to accept a request and never answer. `pods/exec`
//! is a websocket speaking the `v5.channel.k8s.io` / `v4.channel.k8s.io`
//! protocols, playing the replies a test gives for each command.
//!
//! Deletion takes time as on a real cluster when told to (`set_grace`): a
//! pod deleted with a grace period above 0 stays Terminating for that
//! long, one deleted with grace period 0 goes at once, and a namespace
//! being deleted goes when its last pod is gone (and refuses new content
//! meanwhile). Collections can be watched (`?watch=true`, with
//! `resourceVersion` and a `metadata.name` field selector).
//!
//! Plain HTTP/1.1 over tokio, no TLS: enough for kube-rs and kubectl.

#![allow(dead_code)] // each test binary uses a different part of it

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

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

/// What a command run through `pods/exec` gives.
#[derive(Debug, Clone, Default)]
pub struct ExecReply {
    pub stdout: String,
    pub stderr: String,
    /// The exit code (0: the error channel says `Success`).
    pub exit: i64,
    /// The command could not start (e.g. not in the image): the error
    /// channel carries this message, as the kubelet reports a runtime error.
    pub cannot_start: Option<String>,
    /// The websocket opens but the command never ends.
    pub never_ends: bool,
}

impl ExecReply {
    pub fn ok(stdout: &str) -> ExecReply {
        ExecReply {
            stdout: stdout.into(),
            ..ExecReply::default()
        }
    }

    pub fn exit(code: i64, stderr: &str) -> ExecReply {
        ExecReply {
            stderr: stderr.into(),
            exit: code,
            ..ExecReply::default()
        }
    }
}

/// The command a reply is for: namespace, pod, command words.
type ExecKey = (String, String, Vec<String>);

/// Admission and the kubelet for a pod being created (`POST`): it may
/// change the pod (set its status, as if it had run at once) and give
/// objects to add with it (events); an error refuses the creation with
/// that HTTP status and message, as an admission plugin would.
pub type PodCreated = Arc<dyn Fn(&mut Value) -> Result<Vec<Value>, (u16, String)> + Send + Sync>;

struct State {
    objects: Vec<Value>,
    faults: Vec<(String, Fault)>,
    requests: Vec<String>,
    next_version: u64,
    /// How long a pod deleted with a grace period above 0 stays Terminating.
    grace: Duration,
    /// Terminating pods (namespace, name) and when they go.
    terminating: Vec<(String, String, Instant)>,
    /// Every change as a watch event: (resourceVersion, type, object).
    events: Vec<(u64, &'static str, Value)>,
    /// The query of the request being answered.
    query: String,
    /// The `Content-Type` of the request being answered.
    content_type: String,
    /// (namespace, pod, command) → reply.
    execs: Vec<(ExecKey, ExecReply)>,
    /// The websocket subprotocols served, preferred first.
    protocols: Vec<String>,
    /// (namespace, pod, container, previous) → log text.
    logs: Vec<(LogKey, String)>,
    /// `gitVersion` of `/version`.
    version: String,
    /// What happens to a pod created with `POST` (see `on_pod_created`).
    pod_created: Option<PodCreated>,
    /// Names given for `generateName` so far.
    generated: u64,
    /// Health endpoint (`/readyz`) → HTTP status and verbose text; one not
    /// set answers 200 with every check passed.
    health: Vec<(String, u16, String)>,
}

/// The logs a text is for: namespace, pod, container, previous instance.
type LogKey = (String, String, String, bool);

impl Default for State {
    fn default() -> State {
        State {
            objects: Vec::new(),
            faults: Vec::new(),
            requests: Vec::new(),
            next_version: 0,
            execs: Vec::new(),
            protocols: vec!["v5.channel.k8s.io".into(), "v4.channel.k8s.io".into()],
            logs: Vec::new(),
            version: "v1.33.1".into(),
            pod_created: None,
            generated: 0,
            health: Vec::new(),
            grace: Duration::ZERO,
            terminating: Vec::new(),
            events: Vec::new(),
            query: String::new(),
            content_type: String::new(),
        }
    }
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
        // Observation records (as `ckasim snapshot` writes them) are not
        // objects: they say what a command run in a pod prints.
        let (records, objects): (Vec<Value>, Vec<Value>) = objects
            .into_iter()
            .partition(|o| o["kind"] == "Observation" && o["apiVersion"] == "ckasim.dev/v1");
        let execs = records.iter().filter_map(recorded_exec).collect();
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            objects,
            next_version: 1000,
            execs,
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

    /// Pods deleted with a grace period above 0 stay Terminating this long
    /// (default: none, every deletion is immediate).
    pub fn set_grace(&self, grace: Duration) {
        self.lock().grace = grace;
    }

    /// Adds an object, as a controller or kubelet would.
    pub fn insert(&self, object: Value) {
        let mut s = self.lock();
        s.objects.push(object.clone());
        record(&mut s, "ADDED", object);
    }

    /// Stop failing requests (faults set with `fail` are forgotten).
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Deletes an object as a `DELETE` without options would (a namespace
    /// starts terminating, a pod waits for its grace period).
    pub fn delete(&self, kind: Kind, namespace: Option<&str>, name: &str) {
        let mut s = self.lock();
        delete(&mut s, kind, namespace, name, None);
    }

    /// Plays admission and the kubelet for every pod created with `POST`
    /// from now on (see `PodCreated`).
    pub fn on_pod_created(
        &self,
        f: impl Fn(&mut Value) -> Result<Vec<Value>, (u16, String)> + Send + Sync + 'static,
    ) {
        self.lock().pod_created = Some(Arc::new(f));
    }

    /// What `command` run in `pod` gives.
    pub fn exec(&self, namespace: &str, pod: &str, command: &[&str], reply: ExecReply) {
        let key = (
            namespace.to_string(),
            pod.to_string(),
            command.iter().map(|c| (*c).to_string()).collect(),
        );
        let mut state = self.lock();
        state.execs.retain(|(k, _)| *k != key);
        state.execs.push((key, reply));
    }

    /// What `kubectl logs` (with `--previous`: of the instance before the
    /// last restart) prints for a container.
    pub fn logs(&self, namespace: &str, pod: &str, container: &str, previous: bool, text: &str) {
        let key = (namespace.into(), pod.into(), container.into(), previous);
        let mut state = self.lock();
        state.logs.retain(|(k, _)| *k != key);
        state.logs.push((key, text.into()));
    }

    /// The `gitVersion` `/version` answers (`v1.33.1` unless set).
    pub fn set_version(&self, git_version: &str) {
        self.lock().version = git_version.into();
    }

    /// What a health endpoint (`/readyz`, `/livez`, `/healthz`) answers:
    /// its HTTP status and verbose text (`[+]etcd ok` lines).
    pub fn set_health(&self, endpoint: &str, code: u16, text: &str) {
        let mut state = self.lock();
        state.health.retain(|(e, _, _)| e != endpoint);
        state.health.push((endpoint.into(), code, text.into()));
    }

    /// Serve only these websocket subprotocols (an older server: v4 only).
    pub fn exec_protocols(&self, protocols: &[&str]) {
        self.lock().protocols = protocols.iter().map(|p| (*p).to_string()).collect();
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

    /// What `ckasim` reads for `rubric` from this server, through a
    /// kubeconfig context `kind-fake`, each request bounded by `timeout`.
    pub async fn fetch(
        &self,
        rubric: &ckasim::library::rubric::Rubric,
        timeout: Duration,
    ) -> ckasim::snapshot::Snapshot {
        let dir = tempfile::tempdir().unwrap();
        let cluster = ckasim::cluster::Cluster::connect_with(&ckasim::cluster::ConnectOptions {
            kubeconfig: Some(self.kubeconfig(dir.path(), "kind-fake")),
            timeout,
            ..ckasim::cluster::ConnectOptions::default()
        })
        .await
        .unwrap();
        cluster.fetch(rubric).await
    }

    /// A kubeconfig whose one context, current, points here.
    pub fn kubeconfig(&self, dir: &Path, context: &str) -> PathBuf {
        write_kubeconfig(dir, &self.url(), context)
    }
}

/// The report of `entry` graded on `snapshot` as fetched from `kind-fake`.
pub fn grade(
    entry: &ckasim::library::Entry,
    snapshot: &ckasim::snapshot::Snapshot,
) -> ckasim::report::Report {
    ckasim::grade::grade(
        entry,
        snapshot,
        chrono::DateTime::UNIX_EPOCH,
        ckasim::report::Source::Context {
            context: "kind-fake".into(),
        },
    )
}

/// The first criterion's check titled `title`.
pub fn check<'a>(
    report: &'a ckasim::report::Report,
    title: &str,
) -> &'a ckasim::report::CheckResult {
    report.criteria[0]
        .checks
        .iter()
        .find(|c| c.title == title)
        .unwrap_or_else(|| panic!("no check {title}"))
}

/// The reply a recorded command result stands for.
fn recorded_exec(r: &Value) -> Option<(ExecKey, ExecReply)> {
    let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    let command: Vec<String> = r["command"]
        .as_array()?
        .iter()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let key = (
        r["metadata"]["namespace"].as_str()?.to_string(),
        text("pod"),
        command,
    );
    let reply = ExecReply {
        stdout: text("stdout"),
        stderr: text("stderr"),
        exit: r["exitCode"].as_i64().unwrap_or(0),
        ..ExecReply::default()
    };
    Some((key, reply))
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
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).await? == 0 {
                return Ok(());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if header("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
            let reply = {
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                answer_exec(&mut s, &target, header("sec-websocket-protocol"))
            };
            let stream = reader.into_inner().reunite(write).unwrap();
            return exec_session(stream, reply, header("sec-websocket-key")).await;
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        let logs = {
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            answer_health(&mut s, &target).or_else(|| answer_logs(&mut s, &target))
        };
        if let Some(reply) = logs {
            let Some((code, text)) = reply else {
                std::future::pending::<()>().await;
                return Ok(());
            };
            let head = format!(
                "HTTP/1.1 {code} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                reason_phrase(code),
                text.len()
            );
            write.write_all(head.as_bytes()).await?;
            write.write_all(text.as_bytes()).await?;
            write.flush().await?;
            continue;
        }
        let reply = {
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            s.content_type = header("content-type").unwrap_or_default();
            answer(&mut s, &method, &target, &body)
        };
        if let Some((WATCH, spec)) = &reply {
            stream_watch(&mut write, &state, spec).await?;
            continue;
        }
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

/// How a text request fails when a fault is set on its path (`Some(None)`:
/// never answered), its `Status` as JSON text.
#[allow(clippy::option_option)] // no fault / never answered / answered
fn text_fault(s: &State, path: &str) -> Option<Option<(u16, String)>> {
    let (_, fault) = s
        .faults
        .iter()
        .find(|(p, _)| path.starts_with(p.as_str()))?;
    Some(match fault {
        Fault::Hang => None,
        Fault::Status(code, reason, message) => {
            Some((*code, status(*code, reason, message, None).to_string()))
        }
    })
}

/// The answer to a health endpoint (`None`: not one; `Some(None)`: never
/// answered), as text.
#[allow(clippy::option_option)] // not a health request / never answered / answered
fn answer_health(s: &mut State, target: &str) -> Option<Option<(u16, String)>> {
    let path = target.split('?').next().unwrap_or(target);
    if !["/readyz", "/livez", "/healthz"].contains(&path) {
        return None;
    }
    s.requests.push(format!("GET {target}"));
    if let Some(reply) = text_fault(s, path) {
        return Some(reply);
    }
    if let Some((_, code, text)) = s.health.iter().find(|(e, _, _)| e == path) {
        return Some(Some((*code, text.clone())));
    }
    let name = path.trim_start_matches('/');
    Some(Some((
        200,
        format!("[+]ping ok\n[+]log ok\n[+]etcd ok\n{name} check passed\n"),
    )))
}

/// The answer to a `pods/log` request (`None`: not one; `Some(None)`:
/// never answered), as text — or a `Status` as JSON text.
#[allow(clippy::option_option)] // not a logs request / never answered / answered
fn answer_logs(s: &mut State, target: &str) -> Option<Option<(u16, String)>> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let segments: Vec<&str> = path.split('/').collect();
    let ["", "api", "v1", "namespaces", ns, "pods", pod, "log"] = segments.as_slice() else {
        return None;
    };
    s.requests.push(format!("GET {target}"));
    if let Some(reply) = text_fault(s, path) {
        return Some(reply);
    }
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .map(percent_decode)
    };
    let key = (
        (*ns).to_string(),
        (*pod).to_string(),
        param("container").unwrap_or_default(),
        param("previous").as_deref() == Some("true"),
    );
    if let Some((_, text)) = s.logs.iter().find(|(k, _)| *k == key) {
        return Some(Some((200, text.clone())));
    }
    let (code, message) = if key.3 {
        (
            400,
            format!(
                "previous terminated container \"{}\" in pod \"{pod}\" not found",
                key.2
            ),
        )
    } else {
        (404, format!("pods \"{pod}\" not found"))
    };
    Some(Some((
        code,
        status(code, "BadRequest", &message, None).to_string(),
    )))
}

/// How the server answers an upgrade request to `pods/exec`.
enum ExecAnswer {
    /// Never answer.
    Hang,
    /// An HTTP error with a `Status` body (403, 404 …).
    Refuse(u16, Value),
    /// Switch to the websocket with this subprotocol and play the reply.
    Play(String, ExecReply),
}

fn answer_exec(s: &mut State, target: &str, offered: Option<String>) -> ExecAnswer {
    s.requests.push(format!("GET {target}"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if let Some((_, fault)) = s.faults.iter().find(|(p, _)| path.starts_with(p.as_str())) {
        return match fault {
            Fault::Hang => ExecAnswer::Hang,
            Fault::Status(code, reason, message) => {
                ExecAnswer::Refuse(*code, status(*code, reason, message, None))
            }
        };
    }
    let segments: Vec<&str> = path.split('/').collect();
    let ["", "api", "v1", "namespaces", ns, "pods", pod, "exec"] = segments.as_slice() else {
        return ExecAnswer::Refuse(404, status(404, "NotFound", "not found", None));
    };
    let command: Vec<String> = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("command="))
        .map(percent_decode)
        .collect();
    let key = ((*ns).to_string(), (*pod).to_string(), command);
    let Some((_, reply)) = s.execs.iter().find(|(k, _)| *k == key) else {
        return ExecAnswer::Refuse(
            404,
            status(404, "NotFound", &format!("pods \"{pod}\" not found"), None),
        );
    };
    let offered = offered.unwrap_or_default();
    let offered: Vec<&str> = offered.split(',').map(str::trim).collect();
    match s.protocols.iter().find(|p| offered.contains(&p.as_str())) {
        Some(p) => ExecAnswer::Play(p.clone(), reply.clone()),
        None => ExecAnswer::Refuse(
            400,
            status(400, "BadRequest", "no supported websocket protocol", None),
        ),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The upgrade answer, then the command's output on the stdout (1), stderr
/// (2) and error (3) channels, as the kubelet streams it.
async fn exec_session(
    mut stream: tokio::net::TcpStream,
    answer: ExecAnswer,
    key: Option<String>,
) -> std::io::Result<()> {
    use futures::SinkExt as _;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
    use tokio_tungstenite::tungstenite::protocol::Role;

    let (protocol, reply) = match answer {
        ExecAnswer::Hang => {
            std::future::pending::<()>().await;
            return Ok(());
        }
        ExecAnswer::Refuse(code, body) => {
            let body = serde_json::to_vec(&body).unwrap_or_default();
            let head = format!(
                "HTTP/1.1 {code} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                reason_phrase(code),
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
            return stream.flush().await;
        }
        ExecAnswer::Play(protocol, reply) => (protocol, reply),
    };
    let accept = derive_accept_key(key.unwrap_or_default().as_bytes());
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    stream.flush().await?;
    let mut ws =
        tokio_tungstenite::WebSocketStream::from_raw_socket(stream, Role::Server, None).await;
    let frame = |channel: u8, data: &[u8]| {
        let mut v = vec![channel];
        v.extend_from_slice(data);
        Message::binary(v)
    };
    let send = async {
        if !reply.stdout.is_empty() {
            ws.send(frame(1, reply.stdout.as_bytes())).await?;
        }
        if !reply.stderr.is_empty() {
            ws.send(frame(2, reply.stderr.as_bytes())).await?;
        }
        if reply.never_ends {
            std::future::pending::<()>().await;
        }
        let status = match (&reply.cannot_start, reply.exit) {
            (Some(message), _) => json!({"metadata": {}, "status": "Failure",
                "message": message, "reason": "InternalError", "code": 500}),
            (None, 0) => json!({"metadata": {}, "status": "Success"}),
            (None, code) => json!({"metadata": {}, "status": "Failure",
                "message": format!("command terminated with non-zero exit code: exit status {code}"),
                "reason": "NonZeroExitCode",
                "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}}),
        };
        ws.send(frame(3, status.to_string().as_bytes())).await?;
        ws.close(None).await
    };
    send.await.map_err(std::io::Error::other)
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        201 => "Created",
        409 => "Conflict",
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

/// The kinds served: the well-known ones, `APIService` objects (every API server
/// serves them), and every other kind (a custom resource's) among the
/// objects held, as if its CRD were installed.
fn served_kinds(s: &State) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = Kind::ALL.to_vec();
    kinds.push(Kind::of_object(
        Some("apiregistration.k8s.io/v1"),
        "APIService",
    ));
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
    settle(s);
    s.query = target.split_once('?').map_or("", |(_, q)| q).to_string();
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
                json!({"major": "1", "minor": "33", "gitVersion": s.version, "platform": "linux/amd64"}),
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
        ("GET", None)
            if query_value(&s.query, "watch").is_some_and(|w| w == "true" || w == "1") =>
        {
            let name = query_value(&s.query, "fieldSelector")
                .and_then(|f| f.strip_prefix("metadata.name=").map(str::to_string));
            let from = query_value(&s.query, "resourceVersion").and_then(|v| v.parse::<u64>().ok());
            let timeout =
                query_value(&s.query, "timeoutSeconds").and_then(|v| v.parse::<u64>().ok());
            (
                WATCH,
                json!({"kind": kind.name(), "namespace": namespace, "name": name,
                    "from": from, "timeout": timeout}),
            )
        }
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
        ("PATCH", Some(n)) if s.content_type.starts_with("application/merge-patch+json") => {
            merge_patch(s, kind, namespace, n, body).unwrap_or_else(|| missing(n))
        }
        ("PATCH", Some(n)) => {
            let Ok(mut applied) = serde_json::from_slice::<Value>(body) else {
                return (
                    400,
                    status(400, "BadRequest", "the patch is not JSON", None),
                );
            };
            if let Some(ns) = namespace
                && terminating_namespace(s, ns)
            {
                return (
                    403,
                    status(
                        403,
                        "Forbidden",
                        &format!(
                            "{} \"{n}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                            kind.api().plural
                        ),
                        None,
                    ),
                );
            }
            s.next_version += 1;
            applied["kind"] = json!(kind.name());
            applied["apiVersion"] = json!(group_version(kind));
            if let Some(ns) = namespace {
                applied["metadata"]["namespace"] = json!(ns);
            }
            applied["metadata"]["resourceVersion"] = json!(s.next_version.to_string());
            let existing = s
                .objects
                .iter()
                .find(|o| matches(o, kind, namespace, Some(n)))
                .cloned();
            // Applying to a terminating object does not bring it back.
            if let Some(old) = &existing
                && let Some(stamp) = old.pointer("/metadata/deletionTimestamp")
            {
                applied["metadata"]["deletionTimestamp"] = stamp.clone();
                applied["status"] = old["status"].clone();
            }
            let existed = existing.is_some();
            s.objects.retain(|o| !matches(o, kind, namespace, Some(n)));
            s.objects.push(applied.clone());
            record(
                s,
                if existed { "MODIFIED" } else { "ADDED" },
                applied.clone(),
            );
            (200, applied)
        }
        ("POST", None) => create(s, kind, namespace, body),
        ("DELETE", Some(n)) => {
            let grace = grace_seconds(&s.query, body);
            if kind == Kind::Namespace
                && s.objects.iter().any(|o| {
                    matches(o, kind, None, Some(n))
                        && o.pointer("/metadata/deletionTimestamp").is_some()
                })
            {
                return (
                    409,
                    status(
                        409,
                        "Conflict",
                        &format!(
                            "Operation cannot be fulfilled on namespaces \"{n}\": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system."
                        ),
                        None,
                    ),
                );
            }
            match delete(s, kind, namespace, n, grace) {
                Some(found) => (200, found),
                None => missing(n),
            }
        }
        ("DELETE", None) => {
            let grace = grace_seconds(&s.query, body);
            let names: Vec<String> = s
                .objects
                .iter()
                .filter(|o| matches(o, kind, namespace, None))
                .filter_map(|o| {
                    o.pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect();
            let items: Vec<Value> = names
                .iter()
                .filter_map(|n| delete(s, kind, namespace, n, grace))
                .collect();
            (
                200,
                json!({"kind": format!("{}List", kind.name()), "apiVersion": group_version(kind),
                    "metadata": {"resourceVersion": s.next_version.to_string()}, "items": items}),
            )
        }
        _ => (
            405,
            status(405, "MethodNotAllowed", "method not allowed", None),
        ),
    }
}

/// A `POST` to a collection: the object stored under its name, or one
/// generated from `generateName` (`prefix00001`, …); a pod goes through
/// `pod_created` first.
fn create(s: &mut State, kind: Kind, namespace: Option<&str>, body: &[u8]) -> (u16, Value) {
    let refuse =
        |code: u16, reason: &str, message: &str| (code, status(code, reason, message, None));
    let Ok(mut created) = serde_json::from_slice::<Value>(body) else {
        return refuse(400, "BadRequest", "the object is not JSON");
    };
    let plural = kind.api().plural;
    if let Some(ns) = namespace
        && terminating_namespace(s, ns)
    {
        return refuse(
            403,
            "Forbidden",
            &format!(
                "{plural} is forbidden: unable to create new content in namespace {ns} because it is being terminated"
            ),
        );
    }
    let name = match (
        created.pointer("/metadata/name").and_then(Value::as_str),
        created
            .pointer("/metadata/generateName")
            .and_then(Value::as_str),
    ) {
        (Some(name), _) => name.to_string(),
        (None, Some(prefix)) => {
            s.generated += 1;
            format!("{prefix}{:05}", s.generated)
        }
        (None, None) => {
            return refuse(400, "Invalid", "name or generateName is required");
        }
    };
    if s.objects
        .iter()
        .any(|o| matches(o, kind, namespace, Some(&name)))
    {
        return refuse(
            409,
            "AlreadyExists",
            &format!("{plural} \"{name}\" already exists"),
        );
    }
    created["kind"] = json!(kind.name());
    created["apiVersion"] = json!(group_version(kind));
    created["metadata"]["name"] = json!(name);
    if let Some(ns) = namespace {
        created["metadata"]["namespace"] = json!(ns);
    }
    let mut extra = Vec::new();
    if kind == Kind::Pod
        && let Some(hook) = s.pod_created.clone()
    {
        match hook(&mut created) {
            Ok(objects) => extra = objects,
            Err((code, message)) => {
                let reason = if code == 403 { "Forbidden" } else { "Invalid" };
                return refuse(code, reason, &message);
            }
        }
    }
    s.objects.push(created.clone());
    record(s, "ADDED", created.clone());
    for o in extra {
        s.objects.push(o.clone());
        record(s, "ADDED", o);
    }
    let stored = s
        .objects
        .iter()
        .find(|o| matches(o, kind, namespace, Some(&name)))
        .cloned()
        .unwrap_or(created);
    (201, stored)
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
    let mut path = match a["namespace"].as_str() {
        Some(ns) if !ns.is_empty() => format!("{base}/namespaces/{ns}/{resource}"),
        _ => format!("{base}/{resource}"),
    };
    // A subresource (`pods/exec`) is denied by a fault on `…/pods/exec`.
    if let Some(sub) = a["subresource"].as_str().filter(|s| !s.is_empty()) {
        path = format!("{path}/{sub}");
    }
    let denied = s
        .faults
        .iter()
        .any(|(p, f)| matches!(f, Fault::Status(401 | 403, ..)) && path.starts_with(p.as_str()));
    let mut out = review.clone();
    out["status"] = json!({"allowed": !denied});
    out
}

/// The status `objects` answers a watch with: `serve` streams its events.
const WATCH: u16 = 0;

fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.replace("%3D", "=").replace("%3d", "="))
    })
}

/// `gracePeriodSeconds` of a delete, from the query or the `DeleteOptions` body.
fn grace_seconds(query: &str, body: &[u8]) -> Option<i64> {
    query_value(query, "gracePeriodSeconds")
        .and_then(|v| v.parse().ok())
        .or_else(|| {
            serde_json::from_slice::<Value>(body)
                .ok()?
                .get("gracePeriodSeconds")?
                .as_i64()
        })
}

fn name_of(o: &Value) -> &str {
    o.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn namespace_of(o: &Value) -> Option<&str> {
    o.pointer("/metadata/namespace").and_then(Value::as_str)
}

/// One change, as watchers will see it; the stored object, if still
/// there, gets the change's resourceVersion too.
fn record(s: &mut State, kind: &'static str, mut object: Value) {
    s.next_version += 1;
    let version = json!(s.next_version.to_string());
    object["metadata"]["resourceVersion"] = version.clone();
    if let Some(stored) = s.objects.iter_mut().find(|o| {
        o["kind"] == object["kind"]
            && o["metadata"]["namespace"] == object["metadata"]["namespace"]
            && o["metadata"]["name"] == object["metadata"]["name"]
    }) {
        stored["metadata"]["resourceVersion"] = version;
    }
    s.events.push((s.next_version, kind, object));
}

fn terminating_namespace(s: &State, ns: &str) -> bool {
    s.objects.iter().any(|o| {
        matches(o, Kind::Namespace, None, Some(ns))
            && o.pointer("/metadata/deletionTimestamp").is_some()
    })
}

fn remove_now(s: &mut State, kind: Kind, namespace: Option<&str>, name: &str) -> Option<Value> {
    let at = s
        .objects
        .iter()
        .position(|o| matches(o, kind, namespace, Some(name)))?;
    let gone = s.objects.remove(at);
    s.terminating
        .retain(|(ns, n, _)| !(kind == Kind::Pod && Some(ns.as_str()) == namespace && n == name));
    record(s, "DELETED", gone.clone());
    if kind == Kind::PersistentVolumeClaim {
        release_volumes(s, namespace.unwrap_or(""), name);
    }
    Some(gone)
}

/// A JSON merge patch (RFC 7386) of an existing object; `None` when it
/// is not there. A volume patched while released is reclaimed.
fn merge_patch(
    s: &mut State,
    kind: Kind,
    namespace: Option<&str>,
    name: &str,
    body: &[u8],
) -> Option<(u16, Value)> {
    let Ok(patch) = serde_json::from_slice::<Value>(body) else {
        return Some((
            400,
            status(400, "BadRequest", "the patch is not JSON", None),
        ));
    };
    let at = s
        .objects
        .iter()
        .position(|o| matches(o, kind, namespace, Some(name)))?;
    merge(&mut s.objects[at], &patch);
    let patched = s.objects[at].clone();
    record(s, "MODIFIED", patched);
    let patched = s.objects[at].clone();
    if kind == Kind::PersistentVolume {
        reclaim(s, name);
    }
    // A deleted object held by finalizers goes with the last of them.
    if patched.pointer("/metadata/deletionTimestamp").is_some() && finalizers(&patched) == 0 {
        remove_now(s, kind, namespace, name);
        settle(s);
    }
    Some((200, patched))
}

/// How many finalizers hold an object: those of a controller this server
/// does not play (the claim and volume protection controllers let go as
/// soon as no pod uses the object, which here is at once).
fn finalizers(o: &Value) -> usize {
    const PLAYED: [&str; 2] = [
        "kubernetes.io/pvc-protection",
        "kubernetes.io/pv-protection",
    ];
    o.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map_or(0, |f| {
            f.iter()
                .filter(|f| f.as_str().is_none_or(|f| !PLAYED.contains(&f)))
                .count()
        })
}

fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    for (k, v) in fields {
        if v.is_null() {
            if let Value::Object(t) = target {
                t.remove(k);
            }
        } else {
            merge(&mut target[k.as_str()], v);
        }
    }
}

/// The PV controller's part when a claim is deleted: the volumes bound to
/// it are released, then reclaimed.
fn release_volumes(s: &mut State, namespace: &str, claim: &str) {
    let bound: Vec<String> = s
        .objects
        .iter()
        .filter(|o| {
            o["kind"] == "PersistentVolume"
                && o.pointer("/spec/claimRef/namespace") == Some(&json!(namespace))
                && o.pointer("/spec/claimRef/name") == Some(&json!(claim))
        })
        .map(|o| name_of(o).to_string())
        .collect();
    for name in bound {
        volume_status(s, &name, json!({"phase": "Released"}));
        reclaim(s, &name);
    }
}

/// A released volume with the reclaim policy `Delete` is deleted by its
/// provisioner (annotation `pv.kubernetes.io/provisioned-by`); one nobody
/// provisioned cannot be, and fails, as with the PV controller.
fn reclaim(s: &mut State, name: &str) {
    let Some(pv) = s
        .objects
        .iter()
        .find(|o| matches(o, Kind::PersistentVolume, None, Some(name)))
    else {
        return;
    };
    if pv.pointer("/status/phase") != Some(&json!("Released"))
        || pv.pointer("/spec/persistentVolumeReclaimPolicy") != Some(&json!("Delete"))
    {
        return;
    }
    if pv
        .pointer("/metadata/annotations/pv.kubernetes.io~1provisioned-by")
        .is_some()
    {
        remove_now(s, Kind::PersistentVolume, None, name);
    } else {
        let failed = json!({"phase": "Failed",
            "message": "error getting deleter volume plugin for volume"});
        volume_status(s, name, failed);
    }
}

/// Sets the status of volume `name`, as a change watchers see.
fn volume_status(s: &mut State, name: &str, status: Value) {
    if let Some(at) = s
        .objects
        .iter()
        .position(|o| matches(o, Kind::PersistentVolume, None, Some(name)))
    {
        s.objects[at]["status"] = status;
        let changed = s.objects[at].clone();
        record(s, "MODIFIED", changed);
    }
}

/// Deletes one object as the API server and its controllers would: a pod
/// with a grace period above 0 first becomes Terminating; an object with
/// finalizers stays, marked deleted, until they are removed; a namespace
/// becomes Terminating, loses everything else at once, and its pods are
/// deleted with their own grace period.
fn delete(
    s: &mut State,
    kind: Kind,
    namespace: Option<&str>,
    name: &str,
    grace: Option<i64>,
) -> Option<Value> {
    let at = s
        .objects
        .iter()
        .position(|o| matches(o, kind, namespace, Some(name)))?;
    let stamp = json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    match kind {
        Kind::Pod => {
            let pod = &s.objects[at];
            let seconds = grace
                .or_else(|| {
                    pod.pointer("/spec/terminationGracePeriodSeconds")
                        .and_then(Value::as_i64)
                })
                .unwrap_or(30);
            if seconds <= 0 || s.grace.is_zero() {
                return remove_now(s, kind, namespace, name);
            }
            if pod.pointer("/metadata/deletionTimestamp").is_none() {
                let pod = &mut s.objects[at];
                pod["metadata"]["deletionTimestamp"] = stamp;
                pod["metadata"]["deletionGracePeriodSeconds"] = json!(seconds);
                let pod = pod.clone();
                let until = Instant::now() + s.grace;
                s.terminating
                    .push((namespace.unwrap_or("").to_string(), name.to_string(), until));
                record(s, "MODIFIED", pod);
            }
            Some(s.objects[at].clone())
        }
        Kind::Namespace => {
            let ns = &mut s.objects[at];
            ns["metadata"]["deletionTimestamp"] = stamp;
            ns["status"]["phase"] = json!("Terminating");
            let changed = ns.clone();
            record(s, "MODIFIED", changed);
            let ns = s.objects[at].clone();
            let content: Vec<(Kind, String)> = s
                .objects
                .iter()
                .filter(|o| namespace_of(o) == Some(name))
                .filter_map(|o| {
                    Some((
                        Kind::from_api_kind(o["kind"].as_str()?)?,
                        name_of(o).to_string(),
                    ))
                })
                .collect();
            for (k, n) in content {
                delete(s, k, Some(name), &n, None);
            }
            settle(s);
            Some(ns)
        }
        // Finalizers hold it, marked deleted, until they are removed.
        _ if finalizers(&s.objects[at]) > 0 => {
            if s.objects[at]
                .pointer("/metadata/deletionTimestamp")
                .is_none()
            {
                s.objects[at]["metadata"]["deletionTimestamp"] = stamp;
                let held = s.objects[at].clone();
                record(s, "MODIFIED", held);
            }
            Some(s.objects[at].clone())
        }
        _ => remove_now(s, kind, namespace, name),
    }
}

/// Time passes: Terminating pods whose grace period is over go, and a
/// Terminating namespace goes with its last pod (until then its status
/// says how many remain, as the namespace controller's condition does).
fn settle(s: &mut State) {
    let now = Instant::now();
    let due: Vec<(String, String)> = s
        .terminating
        .iter()
        .filter(|(_, _, at)| *at <= now)
        .map(|(ns, n, _)| (ns.clone(), n.clone()))
        .collect();
    for (ns, n) in due {
        remove_now(s, Kind::Pod, Some(&ns), &n);
    }
    let closing: Vec<String> = s
        .objects
        .iter()
        .filter(|o| o["kind"] == "Namespace" && o.pointer("/metadata/deletionTimestamp").is_some())
        .map(|o| name_of(o).to_string())
        .collect();
    for ns in closing {
        let left = s
            .objects
            .iter()
            .filter(|o| namespace_of(o) == Some(ns.as_str()))
            .count();
        if left == 0 {
            remove_now(s, Kind::Namespace, None, &ns);
            continue;
        }
        let message = format!("Some resources are remaining: pods. has {left} resource instances");
        let Some(at) = s
            .objects
            .iter()
            .position(|o| matches(o, Kind::Namespace, None, Some(&ns)))
        else {
            continue;
        };
        if s.objects[at].pointer("/status/conditions/0/message") != Some(&json!(message)) {
            s.objects[at]["status"]["conditions"] = json!([{"type": "NamespaceContentRemaining",
                "status": "True", "reason": "SomeResourcesRemain", "message": message}]);
            let changed = s.objects[at].clone();
            record(s, "MODIFIED", changed);
        }
    }
}

/// Streams the watch events `spec` asks for (chunked, one JSON per line),
/// from its resourceVersion (or the current objects as ADDED without one),
/// until its timeout.
async fn stream_watch(
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    state: &Arc<Mutex<State>>,
    spec: &Value,
) -> std::io::Result<()> {
    write
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await?;
    let wanted = |o: &Value| {
        o["kind"] == spec["kind"]
            && (spec["namespace"].is_null()
                || o.pointer("/metadata/namespace") == Some(&spec["namespace"]))
            && (spec["name"].is_null() || o.pointer("/metadata/name") == Some(&spec["name"]))
    };
    let until = Instant::now() + Duration::from_secs(spec["timeout"].as_u64().unwrap_or(300));
    let mut from = spec["from"].as_u64().filter(|v| *v > 0);
    loop {
        let lines: Vec<Value> = {
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            settle(&mut s);
            let lines = match from {
                None => s
                    .objects
                    .iter()
                    .filter(|o| wanted(o))
                    .map(|o| json!({"type": "ADDED", "object": o}))
                    .collect(),
                Some(v) => s
                    .events
                    .iter()
                    .filter(|(at, _, o)| *at > v && wanted(o))
                    .map(|(_, t, o)| json!({"type": t, "object": o}))
                    .collect(),
            };
            from = Some(s.next_version);
            lines
        };
        for line in lines {
            let mut chunk = serde_json::to_vec(&line).unwrap_or_default();
            chunk.push(b'\n');
            write
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            write.write_all(&chunk).await?;
            write.write_all(b"\r\n").await?;
        }
        write.flush().await?;
        if Instant::now() >= until {
            write.write_all(b"0\r\n\r\n").await?;
            return write.flush().await;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
