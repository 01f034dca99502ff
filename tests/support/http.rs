//! A loopback HTTP/1.1 server on 127.0.0.1:0 with scripted routes (std only). Every
//! connection is served on its own thread and closed after one response.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub enum Route {
    /// 200 with a body and a content type.
    Ok { body: Vec<u8>, content_type: String },
    /// An empty response with this status.
    Status(u16),
    /// `fails` responses of 500, then the body with 200.
    FailThenOk { fails: usize, body: Vec<u8> },
    /// 302 to another path.
    Redirect(String),
    /// 200, sending the body in `pieces` parts with `pause` between them.
    Slow {
        body: Vec<u8>,
        pieces: usize,
        pause: Duration,
    },
    /// 200 announcing `length` bytes, sending only a few.
    Announce { length: u64 },
    /// 200 with a chunked body (no Content-Length) of `length` bytes.
    Chunked { length: usize },
}

pub struct Server {
    pub port: u16,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(routes: Vec<(&str, Route)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let routes: Arc<HashMap<String, Route>> = Arc::new(
            routes
                .into_iter()
                .map(|(p, r)| (p.to_string(), r))
                .collect(),
        );
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let hits = hits.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let routes = routes.clone();
                    let hits = hits.clone();
                    std::thread::spawn(move || {
                        let _ = serve(stream, &routes, &hits);
                    });
                }
            });
        }
        Server { port, hits, stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        *self.hits.lock().unwrap().get(path).unwrap_or(&0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        500 => "Internal Server Error",
        _ => "Whatever",
    }
}

fn head(stream: &mut TcpStream, code: u16, headers: &[(&str, String)]) -> std::io::Result<()> {
    let mut h = format!("HTTP/1.1 {code} {}\r\nConnection: close\r\n", reason(code));
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    stream.write_all(h.as_bytes())
}

fn serve(
    mut stream: TcpStream,
    routes: &HashMap<String, Route>,
    hits: &Mutex<HashMap<String, usize>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let n = {
        let mut h = hits.lock().unwrap();
        let e = h.entry(path.clone()).or_insert(0);
        *e += 1;
        *e
    };
    let ok = |stream: &mut TcpStream, body: &[u8], ctype: &str| -> std::io::Result<()> {
        head(
            stream,
            200,
            &[
                ("Content-Type", ctype.to_string()),
                ("Content-Length", body.len().to_string()),
            ],
        )?;
        stream.write_all(body)
    };
    match routes.get(&path) {
        None => head(&mut stream, 404, &[("Content-Length", "0".into())]),
        Some(Route::Ok { body, content_type }) => ok(&mut stream, body, content_type),
        Some(Route::Status(code)) => head(&mut stream, *code, &[("Content-Length", "0".into())]),
        Some(Route::FailThenOk { fails, body }) => {
            if n <= *fails {
                head(&mut stream, 500, &[("Content-Length", "0".into())])
            } else {
                ok(&mut stream, body, "image/png")
            }
        }
        Some(Route::Redirect(to)) => head(
            &mut stream,
            302,
            &[("Location", to.clone()), ("Content-Length", "0".into())],
        ),
        Some(Route::Slow {
            body,
            pieces,
            pause,
        }) => {
            head(
                &mut stream,
                200,
                &[
                    ("Content-Type", "image/png".into()),
                    ("Content-Length", body.len().to_string()),
                ],
            )?;
            for part in body.chunks(body.len().div_ceil(*pieces)) {
                stream.write_all(part)?;
                stream.flush()?;
                std::thread::sleep(*pause);
            }
            Ok(())
        }
        Some(Route::Announce { length }) => {
            head(
                &mut stream,
                200,
                &[
                    ("Content-Type", "image/png".into()),
                    ("Content-Length", length.to_string()),
                ],
            )?;
            stream.write_all(&[0u8; 1024])
        }
        Some(Route::Chunked { length }) => {
            head(
                &mut stream,
                200,
                &[
                    ("Content-Type", "image/png".into()),
                    ("Transfer-Encoding", "chunked".into()),
                ],
            )?;
            let piece = vec![0x42u8; 64 * 1024];
            let mut left = *length;
            while left > 0 {
                let n = left.min(piece.len());
                stream.write_all(format!("{n:x}\r\n").as_bytes())?;
                stream.write_all(&piece[..n])?;
                stream.write_all(b"\r\n")?;
                left -= n;
            }
            stream.write_all(b"0\r\n\r\n")
        }
    }
}
