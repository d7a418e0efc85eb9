//! `twt-gen preview --config FILE`: builds the customer's widget into a temporary folder with the
//! dev runtime, serves it on loopback (a demo host page on one origin, the runtime on another),
//! and rebuilds when the config changes, pushing a reload to the page.
//!
//! [`build`] checks and builds; [`page`] renders the page; [`server`] serves both origins and the
//! reload stream; [`watch`] watches the folders of the config and of the files it extends.

pub mod build;
pub mod page;
pub mod server;
pub mod watch;

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch as channel};

use crate::diagnostics::codes;
use crate::diagnostics::emit;
use crate::error::{exit, Error};
use crate::escape::terminal_text;
use crate::pipeline::Deployment;
use build::{Built, Failure, Target};
use server::{Shared, Status};

pub struct Options {
    pub config: PathBuf,
    /// The page's port; 0 picks a free one.
    pub port: u16,
    /// Open the page in the default browser.
    pub open: bool,
}

/// Runs the preview until Ctrl-C or SIGTERM; the exit code follows docs/contracts.md.
pub fn main(options: Options) -> ExitCode {
    match run(&options) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(Stop::Error(error)) => {
            if let Some(diagnostic) = error.diagnostic() {
                let color = crate::terminal::stderr_wants_color();
                let _ = writeln!(io::stderr(), "{}", emit::human(&diagnostic, color));
            }
            ExitCode::from(error.exit_code())
        }
        Err(Stop::Usage(message)) => {
            let _ = writeln!(io::stderr(), "{}", terminal_text(&message));
            ExitCode::from(exit::USAGE)
        }
    }
}

enum Stop {
    Error(Error),
    /// A flag's value cannot be used (the port is taken): exit 2, as for clap's usage errors.
    Usage(String),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        Stop::Error(error)
    }
}

fn internal(what: &str, error: impl std::fmt::Display) -> Stop {
    Stop::Error(Error::Internal(format!("{what}: {error}")))
}

fn run(options: &Options) -> Result<(), Stop> {
    let config = &options.config;
    if config.is_dir() {
        return Err(Error::fault(
            &codes::FOLDER_NOT_FILE,
            Some(config),
            "`preview` takes one config file, and this is a folder",
            "name one config file of the folder",
        )
        .into());
    }
    // Before anything is served, the config must be good: as `validate` reports it.
    build::check(config, true).map_err(Failure::into_error)?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| internal("starting the async runtime", e))?;
    runtime.block_on(serve(options))
}

async fn listen(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await
}

async fn serve(options: &Options) -> Result<(), Stop> {
    // Signals first, so that a Ctrl-C right after the URL is printed stops us cleanly.
    let signals = Signals::new().map_err(|e| internal("listening for Ctrl-C", e))?;
    let page_listener = listen(options.port).await.map_err(|e| {
        Stop::Usage(format!(
            "error: --port {}: cannot listen on 127.0.0.1:{}: {e}\n  = help: another program may use this port: choose another --port, or --port 0 for a free one",
            options.port, options.port
        ))
    })?;
    let runtime_listener = listen(0).await.map_err(|e| internal("listening on a free port", e))?;
    let (page_port, runtime_port) = (port_of(&page_listener)?, port_of(&runtime_listener)?);
    let page_origin = format!("http://127.0.0.1:{page_port}");
    let runtime_origin = format!("http://127.0.0.1:{runtime_port}");

    let temp = tempfile::Builder::new()
        .prefix("twt-gen-preview-")
        .tempdir()
        .map_err(|e| Error::output(&std::env::temp_dir(), e))?;
    let target = Arc::new(Target {
        out: temp.path().join("build"),
        deployment: Deployment { cdn_base: page_origin.clone(), runtime_origin: runtime_origin.clone() },
    });
    let config = Arc::new(options.config.clone());
    let first = rebuild(&config, &target, 1, false, None, None)
        .await
        .map_err(Failure::into_error)?
        .expect("a first build is never unchanged");
    let (status, _) = channel::channel(Status { build: 1, failed: false, diagnostics: warnings_of(&first) });
    let (stopping, _) = channel::channel(false);
    let shared =
        Arc::new(Shared { built: RwLock::new(Arc::new(first)), status, stopping, out: target.out.clone() });

    let (edits_sender, mut edits) = mpsc::unbounded_channel();
    let mut watcher = watch::Watcher::start(&options.config, edits_sender)
        .map_err(|e| internal("watching the config", e))?;

    let url = format!("{page_origin}/");
    println!("{url}");
    let _ = io::stdout().flush();
    eprintln!(
        "twt-gen preview: {} at {url} (the dev runtime at {runtime_origin}); edit the config to rebuild, Ctrl-C to stop",
        terminal_text(&options.config.to_string_lossy())
    );
    if options.open {
        open_in_browser(&url);
    }

    let stop_servers = || {
        let mut stopping = shared.stopping.subscribe();
        async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        }
    };
    let page_server = axum::serve(page_listener, server::page_router(shared.clone(), page_port))
        .with_graceful_shutdown(stop_servers());
    let runtime_server = axum::serve(runtime_listener, server::runtime_router(shared.clone(), runtime_port))
        .with_graceful_shutdown(stop_servers());
    let servers = tokio::spawn(async move { tokio::join!(page_server, runtime_server) });

    let mut generation = 1;
    let mut signals = signals;
    loop {
        tokio::select! {
            () = signals.next() => break,
            edit = edits.recv() => {
                if edit.is_none() { break; }
                // One rebuild for the edits that came in meanwhile.
                while edits.try_recv().is_ok() {}
                // The edit may have changed `extends`.
                if let Err(error) = watcher.follow(&config) {
                    eprintln!("warning: {error}; edits there are not seen");
                }
                let current = shared.built.read().expect("the build lock is never poisoned").clone();
                let status = shared.status.borrow().clone();
                let reported = status.diagnostics.filter(|_| status.failed);
                match rebuild(&config, &target, generation + 1, true, Some(current), reported.clone()).await {
                    Ok(None) => {
                        // Fixed back to the running build: only the diagnostics go.
                        if shared.status.borrow().failed {
                            let warnings = warnings_of(&shared.built.read().expect("never poisoned"));
                            shared.status.send_replace(Status { build: generation, failed: false, diagnostics: warnings });
                        }
                    }
                    Ok(Some(built)) => {
                        generation += 1;
                        let warnings = warnings_of(&built);
                        *shared.built.write().expect("the build lock is never poisoned") = Arc::new(built);
                        shared.status.send_replace(Status { build: generation, failed: false, diagnostics: warnings });
                        eprintln!("twt-gen preview: rebuilt; the page reloads");
                    }
                    Err(failure) => {
                        let text = failure.text();
                        if reported.as_ref() == Some(&text) {
                            continue; // the same failure again: said already
                        }
                        if let Failure::Build(error) = &failure {
                            eprintln!("{error}");
                        }
                        eprintln!("twt-gen preview: the config has errors; the page shows them and keeps the last good build");
                        shared.status.send_replace(Status { build: generation, failed: true, diagnostics: Some(text) });
                    }
                }
            }
        }
    }

    eprintln!("twt-gen preview: stopping");
    shared.stopping.send_replace(true);
    // Open keep-alive connections are closed by the graceful shutdown; a stuck one is not
    // worth waiting for.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), servers).await;
    drop(watcher);
    temp.close().map_err(|e| Error::output(&target.out, e))?;
    Ok(())
}

/// Checking and building read files and run swc: off the async thread.
/// `report`: print the check's diagnostics on stderr (the first build's were, by the check at start).
async fn rebuild(
    config: &Arc<PathBuf>,
    target: &Arc<Target>,
    generation: u64,
    report: bool,
    current: Option<Arc<Built>>,
    reported: Option<String>,
) -> Result<Option<Built>, Failure> {
    let (config, target) = (config.clone(), target.clone());
    tokio::task::spawn_blocking(move || {
        build::build(&config, &target, generation, report, current.as_deref(), reported.as_deref())
    })
    .await
    .unwrap_or_else(|e| Err(Failure::Build(Error::Internal(format!("the build stopped: {e}")))))
}

fn warnings_of(built: &Built) -> Option<String> {
    Some(built.warnings.clone()).filter(|w| !w.is_empty())
}

fn port_of(listener: &TcpListener) -> Result<u16, Stop> {
    Ok(listener.local_addr().map_err(|e| internal("reading the bound address", e))?.port())
}

/// Ctrl-C (SIGINT) and, on Unix, SIGTERM. Registered when created: a signal that comes before
/// the loop waits for it is not lost.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Opens `url` in the default browser; a failure is a warning, the preview runs on.
fn open_in_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut start = std::process::Command::new("cmd");
        start.args(["/C", "start", ""]);
        start
    } else {
        std::process::Command::new("xdg-open")
    };
    command.arg(url).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || match child.wait() {
                Ok(status) if !status.success() => {
                    eprintln!("warning: could not open a browser ({status}); open the URL yourself")
                }
                _ => {}
            });
        }
        Err(error) => eprintln!("warning: could not open a browser ({error}); open the URL yourself"),
    }
}
