//! Redis key names, shard routing and the stable inquiry id of a message:
//! everything gateways and workers must compute identically.

use tradewind_ports::ingress::InboundMessage;

/// The longest channel name, chat id or message id accepted; they end up in
/// Redis keys, so they are bounded.
pub const MAX_ID_BYTES: usize = 256;

/// Every key of one deployment (see the module docs of `cluster` for the
/// layout). `p` is the configured prefix plus the stream name in braces, so
/// two deployments can share one Redis, and on a Redis Cluster every key of
/// a deployment shares the hash tag `{stream}`: the scripts and multi-stream
/// reads name the inbound streams, the replies stream, the leases and the
/// dedupe keys together, which a cluster allows only within one slot.
#[derive(Debug, Clone)]
pub struct Keys {
    p: String,
    shards: usize,
}

impl Keys {
    pub fn new(prefix: &str, stream: &str, shards: usize) -> Self {
        Self { p: format!("{prefix}{{{stream}}}:"), shards: shards.max(1) }
    }

    pub fn shards(&self) -> usize {
        self.shards
    }

    pub fn inbound(&self, shard: usize) -> String {
        format!("{}in:{shard}", self.p)
    }

    pub fn replies(&self) -> String {
        format!("{}out", self.p)
    }

    pub fn dead(&self) -> String {
        format!("{}dead", self.p)
    }

    pub fn seen(&self, channel: &str, message_id: &str) -> String {
        format!("{}seen:{channel}:{message_id}", self.p)
    }

    pub fn done(&self, channel: &str, message_id: &str) -> String {
        format!("{}done:{channel}:{message_id}", self.p)
    }

    pub fn lease(&self, shard: usize) -> String {
        format!("{}lease:{shard}", self.p)
    }

    pub fn workers(&self) -> String {
        format!("{}workers", self.p)
    }

    pub fn meta(&self) -> String {
        format!("{}meta", self.p)
    }

    pub fn gateway_position(&self, gateway: &str) -> String {
        format!("{}gwpos:{gateway}", self.p)
    }

    /// The shard a chat's messages go to. FNV-1a rather than std's hasher:
    /// gateways and workers built by different compilers must agree.
    /// The 0xff between the two cannot occur in UTF-8, so ("a", "bc") and
    /// ("ab", "c") hash apart.
    pub fn shard_of(&self, channel: &str, chat_id: &str) -> usize {
        use std::hash::Hasher;
        let mut h = fnv::FnvHasher::default();
        h.write(channel.as_bytes());
        h.write(&[0xff]);
        h.write(chat_id.as_bytes());
        (h.finish() % self.shards as u64) as usize
    }
}

/// The lane a message runs in: one chat of one channel.
pub fn chat_key(msg: &InboundMessage) -> String {
    format!("{}\u{0}{}", msg.channel, msg.chat_id)
}

/// The inquiry id of a message, derived from (channel, message id) and the
/// time it was received, so a redelivered or reclaimed message runs (and
/// stores its result) under the same id every time: "was it completed?" is
/// then a lookup, not a guess.
pub fn inquiry_id_for(msg: &InboundMessage) -> String {
    let name = format!("tradewind\u{0}{}\u{0}{}", msg.channel, msg.message_id);
    let u = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes()).simple().to_string();
    format!("inq-{:x}-{}", msg.received_at_ms, &u[..12])
}

/// Checks what ends up in keys: a channel with ':' would make
/// `seen:{channel}:{id}` ambiguous.
pub fn validate(msg: &InboundMessage) -> Result<(), String> {
    if msg.channel.is_empty() || msg.channel.contains(':') || msg.channel.len() > 64 {
        return Err(format!("channel name '{}' must be 1-64 bytes without ':'", msg.channel.escape_debug()));
    }
    for (what, v) in [("message id", &msg.message_id), ("chat id", &msg.chat_id), ("user", &msg.user)] {
        if v.is_empty() || v.len() > MAX_ID_BYTES {
            return Err(format!("{what} must be 1-{MAX_ID_BYTES} bytes"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(channel: &str, chat: &str, id: &str) -> InboundMessage {
        InboundMessage {
            channel: channel.into(),
            chat_id: chat.into(),
            user: "u".into(),
            message_id: id.into(),
            text: "hi".into(),
            received_at_ms: 1_700_000_000_000,
            ..Default::default()
        }
    }

    #[test]
    fn shard_routing_is_stable_and_spreads_chats() {
        let k = Keys::new("tw:", "inquiries", 16);
        // Pinned: changing the hash would move chats of a running cluster
        // to other shards (and reorder their messages in flight).
        assert_eq!(k.shard_of("telegram", "42"), 13);
        assert_eq!(k.shard_of("web", "c1"), 14);
        assert_eq!(Keys::new("x:", "y", 16).shard_of("telegram", "42"), 13, "the prefix does not matter");
        let used: std::collections::BTreeSet<usize> = (0..200).map(|i| k.shard_of("web", &i.to_string())).collect();
        assert!(used.len() >= 14, "{used:?}");
        assert!(k.shard_of("a", "bc") != k.shard_of("ab", "c") || k.shard_of("a", "bd") != k.shard_of("ab", "d"));
    }

    #[test]
    fn shard_hash_bits_are_pinned() {
        // With u64::MAX shards the shard is the whole 64-bit hash (every
        // FNV-1a value here is below it), so this pins every bit a deployment's
        // shard count could depend on.
        let k = Keys::new("tw:", "inquiries", usize::MAX);
        assert_eq!(k.shard_of("telegram", "42"), 3_959_778_541_468_423_853);
        assert_eq!(k.shard_of("web", "c1"), 8_286_091_382_465_925_678);
        assert_eq!(k.shard_of("telegram", "-1001234567890"), 7_028_979_920_554_577_792);
        assert_eq!(k.shard_of("", ""), 12_638_352_127_299_873_646);
    }

    #[test]
    fn inquiry_ids_are_stable_per_message_and_distinct_across_messages() {
        let a = inquiry_id_for(&msg("web", "c1", "m1"));
        assert_eq!(a, inquiry_id_for(&msg("web", "c1", "m1")));
        assert_ne!(a, inquiry_id_for(&msg("web", "c1", "m2")));
        assert_ne!(a, inquiry_id_for(&msg("telegram", "c1", "m1")));
        assert!(a.starts_with("inq-18bcfe56800-"), "{a}");
    }

    #[test]
    fn ids_that_would_break_keys_are_refused() {
        assert!(validate(&msg("web", "c", "m")).is_ok());
        assert!(validate(&msg("we:b", "c", "m")).is_err());
        assert!(validate(&msg("web", "c", "")).is_err());
        assert!(validate(&msg("web", &"x".repeat(300), "m")).is_err());
    }
}
