//! The HTTP server against hostile clients, over real sockets on loopback:
//! a chat's replies only for its token's holder, no cross-site `text/plain`
//! posts, rate limits per address and per chat with `Retry-After`, half-open
//! and idle connections closed, and CORS only for configured origins.

use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tradewind_testkit::{start_stack, Stack};

async fn new_chat(client: &reqwest::Client, s: &Stack) -> (String, String) {
    let v: Value = client.post(s.url("/v1/chats")).send().await.unwrap().json().await.unwrap();
    (v["chat_id"].as_str().unwrap().into(), v["chat_token"].as_str().unwrap().into())
}

#[tokio::test]
async fn a_chats_replies_need_the_token_issued_with_it() {
    let s = start_stack(|_| {}).await;
    let client = reqwest::Client::new();
    let (chat, token) = new_chat(&client, &s).await;
    let (other, other_token) = new_chat(&client, &s).await;
    assert_ne!(chat, other);
    let events = |path: String| client.get(s.url(&path)).send();

    let none = events(format!("/v1/chats/{chat}/events")).await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let wrong = events(format!("/v1/chats/{chat}/events?token={other_token}")).await.unwrap();
    assert_eq!(wrong.status().as_u16(), 403, "another chat's token opens nothing here");
    let forged =
        events(format!("/v1/chats/{chat}/events?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).await.unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let ok = events(format!("/v1/chats/{chat}/events?token={token}")).await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let by_header = client.get(s.url(&format!("/v1/chats/{chat}/events"))).header("x-chat-token", &token).send();
    assert_eq!(by_header.await.unwrap().status().as_u16(), 200);
    drop(ok);

    // Posting into a chat needs its token too; a message without a chat
    // starts one and gets its token back.
    let post = |body: Value, token: Option<&str>| {
        let mut r =
            client.post(s.url("/v1/messages")).header("content-type", "application/json").body(body.to_string());
        if let Some(t) = token {
            r = r.header("x-chat-token", t);
        }
        r.send()
    };
    let res = post(json!({"chat_id": chat, "text": "hello"}), None).await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let res = post(json!({"chat_id": chat, "text": "hello"}), Some(&other_token)).await.unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let res = post(json!({"chat_id": chat, "text": "hello", "chat_token": token}), None).await.unwrap();
    assert_eq!(res.status().as_u16(), 202);
    let fresh: Value = post(json!({"text": "hello"}), None).await.unwrap().json().await.unwrap();
    let (new_id, new_token) = (fresh["chat_id"].as_str().unwrap(), fresh["chat_token"].as_str().unwrap());
    let res = events(format!("/v1/chats/{new_id}/events?token={new_token}")).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    drop(res);
    s.stop().await;
}

#[tokio::test]
async fn a_cross_site_text_plain_post_is_refused_with_415() {
    let s = start_stack(|_| {}).await;
    let client = reqwest::Client::new();
    let body = json!({"text": "We need 800 battery packs"}).to_string();
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data"), None] {
        let mut r = client.post(s.url("/v1/messages")).body(body.clone());
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        let res = r.send().await.unwrap();
        assert_eq!(res.status().as_u16(), 415, "{ct:?}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["status"], json!(415));
    }
    s.stop().await;
}

#[tokio::test]
async fn too_many_requests_get_429_with_retry_after() {
    let s = start_stack(|c| {
        c.http.rate_per_chat_per_min = 1;
        c.http.burst_per_chat = 2;
    })
    .await;
    let client = reqwest::Client::new();
    let (chat, token) = new_chat(&client, &s).await;
    let post = || {
        client
            .post(s.url("/v1/messages"))
            .header("content-type", "application/json")
            .header("x-chat-token", &token)
            .body(json!({"chat_id": chat, "text": "Do you sell hub motors?"}).to_string())
            .send()
    };
    assert_eq!(post().await.unwrap().status().as_u16(), 202);
    assert_eq!(post().await.unwrap().status().as_u16(), 202);
    let limited = post().await.unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "retry after {wait} s");
    // Another chat from the same address is not held up by this one.
    let (other, other_token) = new_chat(&client, &s).await;
    let res = client
        .post(s.url("/v1/messages"))
        .header("content-type", "application/json")
        .header("x-chat-token", &other_token)
        .body(json!({"chat_id": other, "text": "Do you sell hub motors?"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 202);
    s.stop().await;

    // Per address: every route that costs work counts.
    let s = start_stack(|c| {
        c.http.rate_per_ip_per_min = 1;
        c.http.burst_per_ip = 3;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(client.post(s.url("/v1/chats")).send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, vec![201, 201, 201, 429, 429]);
    s.stop().await;
}

/// Opens `n` connections that send half a request and then nothing.
async fn half_open(addr: std::net::SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        c.write_all(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Ty").await.unwrap();
        conns.push(c);
    }
    conns
}

/// Waits until the server closes `c` (EOF or reset), and says whether it did.
async fn closed_by_server(c: &mut tokio::net::TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(30), c.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A 408 before closing is fine; keep reading to the close.
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn half_open_and_idle_connections_are_closed() {
    let s = start_stack(|c| c.http.header_timeout_ms = 300).await;
    let mut conns = half_open(s.addr, 200).await;
    for (i, c) in conns.iter_mut().enumerate() {
        assert!(closed_by_server(c).await, "half-open connection {i} is still held");
    }

    // A kept-alive connection left idle after a request is closed too.
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 512];
    let n = c.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed_by_server(&mut c).await, "an idle kept-alive connection is still held");

    // And the server still serves.
    let res = reqwest::get(s.url("/healthz")).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    s.stop().await;
}

#[tokio::test]
async fn a_request_whose_body_never_ends_times_out() {
    let s = start_stack(|c| c.http.request_timeout_ms = 300).await;
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    c.write_all(
        b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"te",
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(30), c.read(&mut buf)).await {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        if got.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&got);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    s.stop().await;
}

#[tokio::test]
async fn a_kept_alive_connection_survives_opening_a_chat_with_a_late_body() {
    let s = start_stack(|_| {}).await;
    let mut c = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let head = "POST /v1/chats HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n";
    c.write_all(head.as_bytes()).await.unwrap();
    // The body lands after the handler could have answered without it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    c.write_all(b"{}").await.unwrap();
    let first = read_response(&mut c).await;
    assert!(first.starts_with("HTTP/1.1 201"), "{first}");
    c.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let second = read_response(&mut c).await;
    assert!(second.starts_with("HTTP/1.1 200"), "the same connection answers again: {second}");
    s.stop().await;
}

/// One response with a `content-length` body, read off a raw socket.
async fn read_response(c: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), c.read(&mut chunk)).await.unwrap().unwrap();
        assert!(n > 0, "closed by the server after {:?}", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn cors_is_off_unless_an_origin_is_configured() {
    let preflight = |s: &Stack| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, s.url("/v1/messages"))
            .header("origin", "https://shop.example.com")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let s = start_stack(|_| {}).await;
    let res = preflight(&s).await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"), "{:?}", res.headers());
    s.stop().await;

    let s = start_stack(|c| c.http.cors_origins = vec!["https://shop.example.com".into()]).await;
    let res = preflight(&s).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://shop.example.com");
    let other = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, s.url("/v1/messages"))
        .header("origin", "https://evil.example.net")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    s.stop().await;
}
