//! Headless Chromium through WebDriver: Debian's `chromedriver` on a free port, one browser
//! session per scenario (a fresh profile in a temporary directory, so no cookie is carried
//! over), the browser's console log, a page's width set through the DevTools protocol, and
//! screenshots of the whole page.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Where Debian's packages put them (`chromium`, `chromium-driver`); overridable for other
/// systems with `HUIQI_CHROMIUM` and `HUIQI_CHROMEDRIVER`.
pub fn chromium() -> PathBuf {
    std::env::var_os("HUIQI_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

pub fn chromedriver() -> PathBuf {
    std::env::var_os("HUIQI_CHROMEDRIVER")
        .map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from)
}

/// A running chromedriver, stopped when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Driver {
    /// chromedriver on a free port, once it takes connections.
    pub fn start(log: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            // Chromium takes its locale (date fields' format, `navigator.language`) from these.
            .env("LANG", "zh_CN.UTF-8")
            .env("LANGUAGE", "zh_CN")
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver().display()));
        let driver = Driver { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start in 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

/// A WebDriver command fantoccini has no method for: `POST /session/{id}/{path}` with a body.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/{}", session.unwrap_or_default(), self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// One browser session.
pub struct Browser {
    pub client: Client,
    pub base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A new headless Chromium with a fresh profile, pages at `base`.
    pub async fn open(driver: &Driver, base: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            // Containers give /dev/shm little room; Chromium then crashes on big pages.
            "--disable-dev-shm-usage".to_owned(),
            "--lang=zh-CN".to_owned(),
            "--window-size=1366,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium(), "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let serde_json::Value::Object(caps) = caps else { unreachable!() };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session: {e}"));
        Browser { client, base: base.to_owned(), _profile: profile }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Opens a page of the service and waits for it to load.
    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// A DevTools protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(SessionPost { path: "goog/cdp/execute", body: json!({"cmd": cmd, "params": params}) })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// The page laid out `width` CSS pixels wide (a phone's viewport at 390, a desk's at 1366).
    pub async fn set_width(&self, width: u32) {
        let mobile = width < 800;
        let height = if mobile { 844 } else { 900 };
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        )
        .await;
    }

    /// The console's messages since the last call: `(level, message)`.
    pub async fn console(&self) -> Vec<(String, String)> {
        let entries = self
            .client
            .issue_cmd(SessionPost { path: "se/log", body: json!({"type": "browser"}) })
            .await
            .unwrap_or_else(|e| panic!("reading the browser's log: {e}"));
        entries
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["level"].as_str().unwrap_or_default().to_owned(),
                            e["message"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The whole page (not only the viewport), as PNG, at most 8000 pixels tall.
    pub async fn screenshot(&self, to: &Path) {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let size = &metrics["cssContentSize"];
        let width = size["width"].as_f64().unwrap_or(1366.0);
        let height = size["height"].as_f64().unwrap_or(900.0).min(8000.0);
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                }),
            )
            .await;
        let png = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            shot["data"].as_str().unwrap(),
        )
        .unwrap();
        std::fs::write(to, png).unwrap();
    }

    /// Runs a script in the page and returns what it returns.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
    }

    /// Waits (up to 10 s) for an element, then returns it.
    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("`{css}` did not appear within 10 s: {e}"))
    }

    /// Clicks what `css` finds and waits (up to 10 s) for the next page to have loaded: a form
    /// sent or a link followed.
    pub async fn click_and_wait(&self, css: &str) {
        self.js("window.__huiqi_before = true").await;
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("clicking `{css}`: {e}"));
        let started = Instant::now();
        loop {
            let ready = self
                .client
                .execute(
                    "return window.__huiqi_before === undefined && document.readyState === 'complete'",
                    vec![],
                )
                .await
                .is_ok_and(|v| v == Value::Bool(true));
            if ready {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no new page within 10 s of clicking `{css}`"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText").await.as_str().unwrap_or_default().to_owned()
    }

    /// Waits (up to 10 s) until the page's text contains `what`.
    pub async fn wait_text(&self, what: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text().await;
            if text.contains(what) {
                return text;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "`{what}` did not appear within 10 s on {}; the page says:\n{text}",
                self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
