//! Servers started by the tests: the real vanthu router with a timestamp authority, in process;
//! and fake TSAs speaking just enough HTTP/1.1 (over TCP or TLS) to misbehave on purpose —
//! silent, slow, garbage, huge, HTTP errors, or replies built by a handler.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use vanthu::config::HttpSettings;
use vanthu::http::{AppState, router};
use vanthu::workflow::{AuthPolicy, Service};

use crate::support;

/// The vanthu router on a free port, with (or without) the test PKI's authority and serials
/// from a SQLite store; returns the base URL.
pub struct Vanthu {
    pub base: String,
    _folder: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Vanthu {
    pub async fn start(with_tsa: bool) -> Vanthu {
        let (folder, store) = support::sqlite_store().await;
        let mut state = AppState::new(
            Service::new(store.clone(), AuthPolicy::default()),
            HttpSettings::default(),
        );
        if with_tsa {
            state = state.with_tsa(Arc::new(support::stored_authority(&store)));
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = router(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Vanthu {
            base: format!("http://{address}"),
            _folder: folder,
            task,
        }
    }

    pub fn tsa_url(&self) -> String {
        format!("{}/tsa", self.base)
    }
}

impl Drop for Vanthu {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a fake TSA does with one request body.
pub enum Behaviour {
    /// An HTTP response with a Content-Length.
    Reply {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Bytes written as they are, then the connection is closed.
    Raw(Vec<u8>),
    /// Reads the request and never answers.
    Hang,
}

pub type Handler = Arc<dyn Fn(Vec<u8>) -> Behaviour + Send + Sync>;

/// A reply of `application/timestamp-reply` bytes.
pub fn reply(body: Vec<u8>) -> Behaviour {
    Behaviour::Reply {
        status: 200,
        content_type: "application/timestamp-reply",
        body,
    }
}

pub struct FakeTsa {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTsa {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeTsa {
    /// A plain-HTTP fake on a free port.
    pub async fn start(handler: Handler) -> FakeTsa {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = handler.clone();
                tokio::spawn(async move { serve(stream, handler).await });
            }
        });
        FakeTsa {
            url: format!("http://{address}/tsa"),
            task,
        }
    }

    /// An HTTPS fake with a self-signed certificate for 127.0.0.1; returns it with the
    /// certificate (DER) a client must trust.
    pub async fn start_tls(handler: Handler) -> (FakeTsa, Vec<u8>) {
        let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        let certificate = certified.cert.der().to_vec();
        let key =
            rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone().into()], key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = handler.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        serve(tls, handler).await;
                    }
                });
            }
        });
        (
            FakeTsa {
                url: format!("https://{address}/tsa"),
                task,
            },
            certificate,
        )
    }
}

/// One request per connection: head, Content-Length body, the handler's behaviour.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, handler: Handler) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(count) => received.extend_from_slice(&buffer[..count]),
        }
        if received.len() > 64 * 1024 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while received.len() < head_end + length {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(count) => received.extend_from_slice(&buffer[..count]),
        }
    }
    let body = received[head_end..head_end + length].to_vec();
    match handler(body) {
        Behaviour::Reply {
            status,
            content_type,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} Whatever\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Behaviour::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Behaviour::Hang => {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}
