//! A CDN on 127.0.0.1 for `twt-gen verify`: it serves an output folder with the headers
//! `write::serving` prescribes (the table of the README and of PUBLISHING.md), and a [`Fault`]
//! makes it misbehave in one way. Plain `std::net`: one thread per connection, one request per
//! connection (`Connection: close`).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One way of misbehaving; `None` serves every file right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    /// No `Access-Control-Allow-Origin`.
    NoCors,
    /// Other bytes for the file at this path.
    WrongBytes(String),
    /// `Cache-Control: public, max-age=600` under install/.
    ShortCache,
    /// `Content-Type: text/plain` under install/.
    TextPlain,
    /// A `Content-Type` that is not ASCII text.
    BinaryContentType,
    /// 404 for the file at this path.
    Missing(String),
    /// Every request redirected to `/loop/<n+1>`.
    RedirectLoop,
    /// Reads the request and never answers.
    NeverAnswer,
    /// A body that never ends (streamed, chunk after chunk).
    EndlessBody,
}

/// The base URL of a CDN serving `root` with `fault`; it runs until the test process ends.
pub fn serve(root: &Path, fault: Fault) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (root, fault) = (root.clone(), fault.clone());
            std::thread::spawn(move || {
                let _ = answer(stream, &root, &fault);
            });
        }
    });
    base
}

/// A base URL where nothing listens: the port of a listener just closed.
pub fn nothing_listening() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

fn answer(mut stream: TcpStream, root: &Path, fault: &Fault) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? <= 2 {
            break;
        }
    }
    let target = request_line.split(' ').nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or_default().trim_start_matches('/').to_string();
    let install = path.starts_with("install/");
    let mut status = "200 OK";
    let mut headers: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut body = std::fs::read(safe_join(root, &path)).ok();
    if body.is_none() {
        status = "404 Not Found";
    }
    // The headers `write::serving` prescribes (those PUBLISHING.md and the README show), but
    // for the fault.
    if let Some(rule) = twt_gen::write::serving::rule_for(&path) {
        if let Some(origin) = rule.allow_origin.filter(|_| *fault != Fault::NoCors) {
            headers.push(("Access-Control-Allow-Origin", origin.as_bytes().to_vec()));
        }
        headers.push(match fault {
            Fault::TextPlain if install => ("Content-Type", b"text/plain".to_vec()),
            Fault::BinaryContentType if install => ("Content-Type", b"text/javascript\xff\xfe".to_vec()),
            _ => ("Content-Type", rule.content_type.as_bytes().to_vec()),
        });
        headers.push(match fault {
            Fault::ShortCache if install => ("Cache-Control", b"public, max-age=600".to_vec()),
            _ => ("Cache-Control", rule.cache_control.as_bytes().to_vec()),
        });
    }
    match fault {
        Fault::WrongBytes(wrong) if *wrong == path => body = Some(b"/* not the released bytes */".to_vec()),
        Fault::Missing(missing) if *missing == path => {
            (status, body) = ("404 Not Found", None);
        }
        Fault::RedirectLoop => {
            let next = path.strip_prefix("loop/").and_then(|n| n.parse::<u32>().ok()).map_or(0, |n| n + 1);
            status = "302 Found";
            headers.push(("Location", format!("/loop/{next}").into_bytes()));
            body = None;
        }
        Fault::NeverAnswer => {
            std::thread::sleep(Duration::from_secs(60));
            return Ok(());
        }
        Fault::EndlessBody if install => {
            let head = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/javascript\r\n\r\n";
            stream.write_all(head.as_bytes())?;
            let chunk = vec![b'/'; 64 * 1024];
            loop {
                stream.write_all(&chunk)?;
            }
        }
        _ => {}
    }
    let body = body.unwrap_or_default();
    let mut head =
        format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len()).into_bytes();
    for (name, value) in headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(&value);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    stream.write_all(&head)?;
    stream.write_all(&body)?;
    stream.flush()
}

/// `root/path`, or a path that does not exist when `path` tries to leave `root`.
fn safe_join(root: &Path, path: &str) -> PathBuf {
    if path.split('/').any(|part| part == ".." || part.is_empty()) {
        return root.join("\0");
    }
    root.join(path)
}
