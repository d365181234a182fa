//! One connection type for a single Redis and for a Redis Cluster, shared by
//! every Redis adapter here and by the cluster runtime, so each command is
//! written once and routed by the redis crate.
//!
//! A deployment picks the topology by the URL it gives (`REDIS_URL`,
//! `[memory] redis_url`, `[cluster] redis_url`):
//!
//! - `redis://host:port/db` (or any other URL the redis crate accepts): one
//!   server, or a primary behind a proxy;
//! - `redis+cluster://[user[:password]@]host1:port1,host2:port2,…`: a Redis
//!   Cluster, reached through any of the listed seed nodes (the rest of the
//!   topology is discovered). Credentials apply to every node; a cluster has
//!   only database 0, so no path is accepted.
//!
//! On a cluster every multi-key command and every script must name keys of
//! one slot; the key layouts of the adapters (see their module docs) use
//! hash tags for that.

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{AsyncConnectionConfig, Client, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult, Value};

/// The scheme that selects a Redis Cluster.
pub const CLUSTER_SCHEME: &str = "redis+cluster://";

/// Connection tuning shared by the adapters.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// How long one command may wait for its reply.
    pub response_timeout: Duration,
    /// How long one TCP connect (and handshake) may take.
    pub connection_timeout: Duration,
    /// Reconnect attempts before a call reports the backend unavailable.
    pub retries: usize,
    /// Ceiling on the backoff between reconnect attempts.
    pub max_retry_delay: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            response_timeout: Duration::from_secs(2),
            connection_timeout: Duration::from_secs(2),
            retries: 3,
            max_retry_delay: Duration::from_secs(1),
        }
    }
}

/// Where Redis is: one server or a cluster's seed nodes.
#[derive(Debug, Clone)]
pub enum RedisTarget {
    Single(Client),
    /// The seed node URLs; a client is built per connection because the
    /// timeouts are fixed at build time.
    Cluster(Vec<String>),
}

fn invalid(detail: String) -> RedisError {
    RedisError::from((ErrorKind::InvalidClientConfig, "invalid redis url", detail))
}

impl RedisTarget {
    /// Parses a Redis URL (see the module docs for the two forms).
    pub fn open(url: &str) -> RedisResult<Self> {
        let Some(rest) = url.strip_prefix(CLUSTER_SCHEME) else {
            return Client::open(url).map(Self::Single);
        };
        let (credentials, hosts) = match rest.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, rest),
        };
        let hosts = hosts.strip_suffix('/').unwrap_or(hosts);
        if hosts.contains('/') || hosts.contains('?') {
            return Err(invalid(format!(
                "{CLUSTER_SCHEME} takes host:port,… only (a cluster has no databases): {url}"
            )));
        }
        let nodes: Vec<String> = hosts
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(|h| match credentials {
                Some(c) => format!("redis://{c}@{h}"),
                None => format!("redis://{h}"),
            })
            .collect();
        if nodes.is_empty() {
            return Err(invalid(format!("{CLUSTER_SCHEME} needs at least one host:port")));
        }
        // Checked now so a typo fails at start-up, not at the first command.
        ClusterClient::new(nodes.clone())?;
        Ok(Self::Cluster(nodes))
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self, Self::Cluster(_))
    }

    fn cluster_client(nodes: &[String], tuning: &Tuning) -> RedisResult<ClusterClient> {
        ClusterClientBuilder::new(nodes.to_vec())
            .connection_timeout(tuning.connection_timeout)
            .response_timeout(tuning.response_timeout)
            .retries(tuning.retries as u32)
            .max_retry_wait(tuning.max_retry_delay.as_millis() as u64)
            .build()
    }

    /// The shared command connection: auto-reconnecting and multiplexed on
    /// a single server; on a cluster, one multiplexed connection per node,
    /// following MOVED/ASK and topology changes.
    pub async fn connect(&self, tuning: &Tuning) -> RedisResult<RedisConn> {
        match self {
            Self::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_response_timeout(Some(tuning.response_timeout))
                    .set_connection_timeout(Some(tuning.connection_timeout))
                    .set_number_of_retries(tuning.retries)
                    .set_max_delay(tuning.max_retry_delay);
                Ok(RedisConn::Single(ConnectionManager::new_with_config(client.clone(), config).await?))
            }
            Self::Cluster(nodes) => {
                Ok(RedisConn::Cluster(Self::cluster_client(nodes, tuning)?.get_async_connection().await?))
            }
        }
    }

    /// A connection of its own for blocking reads (XREAD / XREADGROUP
    /// BLOCK): on a shared multiplexed connection a blocked read would hold
    /// up every command queued behind it, and the usual response timeout
    /// would cut the block short.
    pub async fn blocking(&self, block: Duration) -> RedisResult<RedisConn> {
        let tuning = Tuning { response_timeout: block + Duration::from_secs(5), ..Tuning::default() };
        match self {
            Self::Single(client) => {
                let cfg = AsyncConnectionConfig::new()
                    .set_response_timeout(Some(tuning.response_timeout))
                    .set_connection_timeout(Some(tuning.connection_timeout));
                Ok(RedisConn::Direct(client.get_multiplexed_async_connection_with_config(&cfg).await?))
            }
            Self::Cluster(nodes) => {
                Ok(RedisConn::Cluster(Self::cluster_client(nodes, &tuning)?.get_async_connection().await?))
            }
        }
    }
}

/// A connection to either topology; clones share the underlying sockets.
#[derive(Clone)]
pub enum RedisConn {
    Single(ConnectionManager),
    /// A plain multiplexed connection (blocking reads on a single server).
    Direct(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(c) => c.req_packed_command(cmd),
            Self::Direct(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Direct(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(c) => c.get_db(),
            Self::Direct(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
    }
}

impl RedisConn {
    /// Keys matching `pattern`, at most about `limit`, by SCAN: on a cluster
    /// every primary is scanned in turn (SCAN only sees its own node's keys).
    pub async fn scan_match(&mut self, pattern: &str, limit: usize) -> RedisResult<Vec<String>> {
        let nodes = match self {
            Self::Cluster(c) => primaries(c).await?.into_iter().map(Some).collect(),
            _ => vec![None],
        };
        let mut keys = Vec::new();
        for node in nodes {
            let mut cursor: u64 = 0;
            loop {
                let mut cmd = redis::cmd("SCAN");
                cmd.arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(500);
                let (next, batch): (u64, Vec<String>) = match (&mut *self, &node) {
                    (Self::Cluster(c), Some((host, port))) => {
                        let at = SingleNodeRoutingInfo::ByAddress { host: host.clone(), port: *port };
                        redis::from_redis_value(c.route_command(cmd, RoutingInfo::SingleNode(at)).await?)?
                    }
                    (conn, _) => cmd.query_async(conn).await?,
                };
                keys.extend(batch);
                cursor = next;
                if cursor == 0 || keys.len() >= limit {
                    break;
                }
            }
            if keys.len() >= limit {
                break;
            }
        }
        Ok(keys)
    }
}

/// The cluster's primaries, from CLUSTER NODES (`<id> <host:port@bus> <flags> …`).
async fn primaries(conn: &mut ClusterConnection) -> RedisResult<Vec<(String, u16)>> {
    let text: String = redis::cmd("CLUSTER").arg("NODES").query_async(conn).await?;
    let mut out = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let (Some(_), Some(addr), Some(flags)) = (fields.next(), fields.next(), fields.next()) else { continue };
        if !flags.split(',').any(|f| f == "master") || flags.contains("fail") {
            continue;
        }
        let addr = addr.split('@').next().unwrap_or(addr);
        if let Some((host, port)) = addr.rsplit_once(':') {
            if let Ok(port) = port.parse() {
                out.push((host.to_string(), port));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_urls_list_their_seed_nodes() {
        match RedisTarget::open("redis+cluster://u:pw@10.0.0.1:7000,10.0.0.2:7001/").unwrap() {
            RedisTarget::Cluster(nodes) => {
                assert_eq!(nodes, ["redis://u:pw@10.0.0.1:7000", "redis://u:pw@10.0.0.2:7001"])
            }
            other => panic!("{other:?}"),
        }
        assert!(!RedisTarget::open("redis://127.0.0.1:6379/2").unwrap().is_cluster());
        assert!(RedisTarget::open("redis+cluster://").is_err());
        assert!(RedisTarget::open("redis+cluster://h:1/3").is_err(), "a cluster has no databases");
    }
}
