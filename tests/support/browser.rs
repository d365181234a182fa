//! The headless-Chromium harness the browser tests share: chromedriver in
//! its own process group (found through `CHROMEDRIVER` or `PATH`), a
//! WebDriver session, and `Ui`, which waits for what the page should show
//! and leaves a screenshot and the page's text when it does not.

// Each test file uses its own part of the harness.
#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(20);

/// chromedriver in its own process group: killing the group on drop also
/// takes the Chromium it launched, even when the test panics before the
/// WebDriver session is closed.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let pgid = self.child.id();
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|f| f.is_file()))
        .unwrap_or_default()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port()
}

pub async fn start_chromedriver(log: &Path) -> Chromedriver {
    use std::os::unix::process::CommandExt;
    let exe = std::env::var_os("CHROMEDRIVER")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| on_path("chromedriver"));
    let Some(exe) = exe.filter(|p| p.is_file()) else {
        panic!(
            "chromedriver not found: set CHROMEDRIVER or put chromedriver on PATH \
             (scripts/test.sh installs Debian's chromium and chromium-driver)"
        );
    };
    let port = free_port();
    let log_file = std::fs::File::create(log).expect("chromedriver log file");
    let child = Command::new(&exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(log_file)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let driver = Chromedriver { child, url: format!("http://127.0.0.1:{port}") };
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let ready = match http.get(format!("{}/status", driver.url)).send().await {
            Ok(r) => r.json::<Value>().await.ok().is_some_and(|v| v["value"]["ready"] == json!(true)),
            Err(_) => false,
        };
        if ready {
            return driver;
        }
        assert!(
            started.elapsed() < WAIT,
            "chromedriver at {} did not become ready; its log: {}",
            driver.url,
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The browser session, where screenshots go, and the site's base URL.
pub struct Ui {
    pub c: Client,
    pub base: String,
    pub shots: PathBuf,
    pub taken: Vec<String>,
}

impl Ui {
    pub async fn shot(&mut self, name: &str) {
        let png = self.c.screenshot().await.expect("screenshot");
        let file = format!("{:02}-{name}.png", self.taken.len() + 1);
        std::fs::write(self.shots.join(&file), png).expect("write screenshot");
        self.taken.push(file);
    }

    pub async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// Polls `check` until it yields; on timeout leaves a screenshot and the
    /// page's text in the failure, which is what one needs to see why.
    pub async fn until<T>(&self, what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(v) = check().await {
                return v;
            }
            if started.elapsed() > WAIT {
                if let Ok(png) = self.c.screenshot().await {
                    let _ = std::fs::write(self.shots.join("failed.png"), png);
                }
                let url = self.c.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                let text = self.text("body").await.unwrap_or_default();
                panic!("timed out after {WAIT:?} waiting for {what}; at {url}; page text:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn text(&self, css: &str) -> Option<String> {
        self.c.find(Locator::Css(css)).await.ok()?.text().await.ok()
    }

    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.c.find(Locator::Css(css)).await.ok()?.attr(name).await.ok()?
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.c.find_all(Locator::Css(css)).await.is_ok_and(|v| !v.is_empty())
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        el.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// A JS flag on the current document: it survives anything but a new
    /// page load, which tells a live update from a reload.
    pub async fn mark_document(&self) {
        self.c.execute("window.__twSamePage = true;", vec![]).await.expect("mark the page");
    }

    pub async fn same_document(&self) -> bool {
        self.c.execute("return window.__twSamePage === true;", vec![]).await.ok() == Some(json!(true))
    }

    /// Clicks a submit button and waits for the page the server answers
    /// with, so what follows reads the new page, not the old one.
    pub async fn submit(&self, button: &str) {
        self.mark_document().await;
        self.c
            .find(Locator::Css(button))
            .await
            .unwrap_or_else(|e| panic!("no {button}: {e}"))
            .click()
            .await
            .expect("click");
        self.until(&format!("the page after clicking {button}"), async || {
            let loaded = self.c.execute("return document.readyState;", vec![]).await.ok()? == json!("complete");
            (!self.same_document().await && loaded).then_some(())
        })
        .await;
    }

    pub async fn path(&self) -> String {
        self.c.current_url().await.map(|u| u.path().to_string()).unwrap_or_default()
    }
}

/// A headless Chromium session through `driver`.
pub async fn session(driver: &Chromedriver) -> Client {
    // Containers often give /dev/shm only 64 MB, where Chromium's tabs crash.
    let args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,900", "--disable-dev-shm-usage"];
    let mut chrome = json!({ "args": args });
    if let Some(bin) = std::env::var_os("CHROME_BIN").map(PathBuf::from).or_else(|| on_path("chromium")) {
        chrome["binary"] = json!(bin);
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), chrome);
    // ring and aws-lc-rs are both in the dependency graph, so rustls cannot
    // pick a provider by itself; another test may have installed one already.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("a Chromium session through {}: {e}", driver.url))
}
