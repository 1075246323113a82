//! Firefox ESR and WebKitGTK, driven through W3C WebDriver (geckodriver,
//! WebKitWebDriver) with `fantoccini`, for the user paths that must hold
//! in every engine a tablet may run (Safari's family among them), beside
//! the Chromium suite.
//!
//! Each browser gets a driver process of its own on a free loopback port,
//! and WebKit a display of its own (`Xvfb`, which picks a free display
//! number); all of them are killed when the browser is closed or dropped.
//! Every wait is bounded.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::ui::Ui;

/// How long a driver, a display or a browser session may take to start.
const START_WAIT: Duration = Duration::from_secs(60);

/// A browser engine reached through WebDriver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Debian's `firefox-esr`, through `geckodriver` (from crates.io).
    Firefox,
    /// Debian's WebKitGTK `MiniBrowser`, through `WebKitWebDriver`, on a
    /// virtual display.
    WebKit,
}

impl Engine {
    /// The engine's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKitGTK",
        }
    }

    /// The driver program: `THAMGIA_GECKODRIVER` or `THAMGIA_WEBKITDRIVER`
    /// when set, else where `cargo xtask setup --for-tests` installs it.
    fn driver(self) -> PathBuf {
        let (variable, default) = match self {
            Engine::Firefox => ("THAMGIA_GECKODRIVER", cargo_bin("geckodriver")),
            Engine::WebKit => (
                "THAMGIA_WEBKITDRIVER",
                PathBuf::from("/usr/bin/WebKitWebDriver"),
            ),
        };
        std::env::var_os(variable).map_or(default, PathBuf::from)
    }

    /// The session's capabilities: the browser binary, headless (Firefox)
    /// or on the virtual display (WebKit), a tablet's landscape window.
    fn capabilities(self) -> Result<Capabilities> {
        let value = match self {
            Engine::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": std::env::var("THAMGIA_FIREFOX")
                        .unwrap_or_else(|_| "/usr/bin/firefox-esr".to_owned()),
                    "args": ["-headless", "-width", "1280", "-height", "800"],
                    "prefs": {
                        // Answer `navigator.storage.persist()` as a person
                        // allowing it would (the prompt never settles
                        // under automation otherwise).
                        "dom.storageManager.prompt.testing": true,
                        "dom.storageManager.prompt.testing.allow": true,
                    },
                },
            }),
            Engine::WebKit => json!({
                "webkitgtk:browserOptions": {
                    "binary": minibrowser()?,
                    // Without it MiniBrowser starts as a plain window and
                    // the session is never created.
                    "args": ["--automation"],
                },
            }),
        };
        match value {
            Value::Object(capabilities) => Ok(capabilities),
            _ => Err(anyhow!("capabilities are an object")),
        }
    }
}

/// `~/.cargo/bin/NAME` (or `$CARGO_HOME/bin/NAME`).
fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    home.map_or_else(|| PathBuf::from(name), |home| home.join("bin").join(name))
}

/// WebKitGTK's MiniBrowser, as Debian's `webkit2gtk-driver` installs it.
fn minibrowser() -> Result<String> {
    if let Ok(binary) = std::env::var("THAMGIA_MINIBROWSER") {
        return Ok(binary);
    }
    let found = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|architecture| {
            std::fs::read_dir(architecture.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|entry| entry.path().join("MiniBrowser"))
        .find(|path| {
            path.parent()
                .and_then(Path::file_name)
                .is_some_and(|name| name.to_string_lossy().starts_with("webkit"))
                && path.is_file()
        });
    found
        .map(|path| path.to_string_lossy().into_owned())
        .context("WebKitGTK's MiniBrowser is missing: run `cargo xtask setup --for-tests` (it installs webkit2gtk-driver)")
}

/// A browser session through WebDriver, with the processes it needs.
pub struct WebDriverBrowser {
    engine: Engine,
    client: Client,
    driver: Child,
    display: Option<Child>,
    driver_log: PathBuf,
}

impl WebDriverBrowser {
    /// Starts `engine`'s driver (and for WebKit a display), logging into
    /// `scratch`, and opens a session.
    pub async fn launch(engine: Engine, scratch: &Path) -> Result<WebDriverBrowser> {
        let program = engine.driver();
        if !program.is_file() {
            bail!(
                "{} is missing: run `cargo xtask setup --for-tests`, which installs what {} needs",
                program.display(),
                engine.name()
            );
        }
        let (display, display_name) = match engine {
            Engine::WebKit => {
                let (display, name) = start_display().await?;
                (Some(display), Some(name))
            }
            Engine::Firefox => (None, None),
        };
        let port = free_port()?;
        let driver_log = scratch.join(format!("{}-driver.log", engine.name()));
        let log = std::fs::File::create(&driver_log)?;
        let mut command = Command::new(&program);
        match engine {
            Engine::Firefox => command.args(["--host", "127.0.0.1", "--port", &port.to_string()]),
            Engine::WebKit => command.args(["--host=local", &format!("--port={port}")]),
        };
        if let Some(name) = &display_name {
            command.env("DISPLAY", name);
        }
        let driver = command
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let mut browser_process = (driver, display);
        let client = match connect(engine, port).await {
            Ok(client) => client,
            Err(error) => {
                browser_process.0.kill().await.ok();
                let log = std::fs::read_to_string(&driver_log).unwrap_or_default();
                let tail: String = log
                    .chars()
                    .rev()
                    .take(3000)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                return Err(error.context(format!("the driver said:\n{tail}")));
            }
        };
        client
            .set_window_size(1280, 800)
            .await
            .context("sizing the window")?;
        // No command waits longer than any other wait of the tests (WebKit
        // lets a page load for five minutes by default).
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(crate::WAIT),
                Some(crate::WAIT),
                Some(Duration::ZERO),
            ))
            .await
            .context("bounding the driver's waits")?;
        let (driver, display) = browser_process;
        Ok(WebDriverBrowser {
            engine,
            client,
            driver,
            display,
            driver_log,
        })
    }

    /// The engine this browser is.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("opening {url} in {}", self.engine.name()))
    }

    /// Ends the session and stops the driver and the display.
    pub async fn close(mut self) -> Result<()> {
        let closed = tokio::time::timeout(Duration::from_secs(30), self.client.close()).await;
        self.driver.kill().await.ok();
        if let Some(display) = self.display.as_mut() {
            display.kill().await.ok();
        }
        match closed {
            Ok(result) => result.context("ending the WebDriver session"),
            Err(_) => bail!(
                "{} did not end its session within 30 s (driver log: {})",
                self.engine.name(),
                self.driver_log.display()
            ),
        }
    }
}

impl Ui for WebDriverBrowser {
    async fn evaluate(&self, expression: &str) -> Result<Value> {
        // The expression is awaited in the page, and its outcome passed
        // back through WebDriver's asynchronous script callback.
        let script = format!(
            "const done = arguments[arguments.length - 1];\n\
             Promise.resolve().then(() => ({expression})).then(\n\
               (value) => done({{ ok: value === undefined ? null : value }}),\n\
               (error) => done({{ error: String((error && error.stack) || error) }}));"
        );
        let outcome = self
            .client
            .execute_async(&script, Vec::new())
            .await
            .with_context(|| format!("evaluating {expression} in {}", self.engine.name()))?;
        match outcome {
            Value::Object(mut fields) => {
                if let Some(error) = fields.remove("error") {
                    bail!("evaluating {expression}: {error}");
                }
                Ok(fields.remove("ok").unwrap_or(Value::Null))
            }
            other => bail!("evaluating {expression}: unexpected outcome {other}"),
        }
    }

    async fn insert_text(&self, text: &str) -> Result<()> {
        let element = self
            .client
            .active_element()
            .await
            .context("finding the focused element")?;
        element.send_keys(text).await.context("typing")?;
        Ok(())
    }
}

/// A loopback port free now (the driver binds it right after).
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Starts `Xvfb` on a display it picks itself, and returns it with the
/// display's name (`:N`).
async fn start_display() -> Result<(Child, String)> {
    let mut display = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting Xvfb: run `cargo xtask setup --for-tests` (it installs xvfb)")?;
    let stdout = display.stdout.take().context("Xvfb's output")?;
    let mut lines = BufReader::new(stdout).lines();
    let number = tokio::time::timeout(START_WAIT, lines.next_line())
        .await
        .context("Xvfb did not name its display in time")??
        .context("Xvfb stopped before naming its display")?;
    Ok((display, format!(":{}", number.trim())))
}

/// Opens a session on the driver at `port`, retrying while it starts.
async fn connect(engine: Engine, port: u16) -> Result<Client> {
    let started = Instant::now();
    let address = format!("http://127.0.0.1:{port}");
    let capabilities = engine.capabilities()?;
    loop {
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities.clone());
        let attempt = builder.connect(&address);
        match tokio::time::timeout(START_WAIT, attempt).await {
            Ok(Ok(client)) => return Ok(client),
            Ok(Err(error)) if started.elapsed() < START_WAIT => {
                // Not listening yet: the connection fails or is lost.
                use fantoccini::error::NewSessionError;
                let not_up = matches!(
                    error,
                    NewSessionError::Failed(_)
                        | NewSessionError::FailedC(_)
                        | NewSessionError::Lost(_)
                );
                if !not_up {
                    return Err(anyhow!("{} refused a session: {error}", engine.name()));
                }
            }
            Ok(Err(error)) => {
                return Err(anyhow!(
                    "{} did not start within {START_WAIT:?}: {error}",
                    engine.name()
                ))
            }
            Err(_) => bail!(
                "{} did not open a session within {START_WAIT:?}",
                engine.name()
            ),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
