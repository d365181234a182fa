//! In-process adapters of the review ports: `InProcessReviews` (`ReviewStore`)
//! and `InProcessAudit` (`AuditLog`), both bounded so a long-running process
//! keeps a fixed ceiling on memory.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use tradewind_ports::review::{AuditEvent, AuditLog, Review, ReviewError, ReviewStore, Stage};

/// `ReviewStore` kept in this process: at most `cap` reviews, and settled
/// ones (sent or rejected) only within `budget` bytes of their JSON.
///
/// Settled reviews go first, oldest first, when the bytes run out: they are
/// history. A pending review is work a person has not done yet, so only the
/// count cap, a last resort against a desk nobody attends, ever drops one
/// (the oldest, with an error in the log).
///
/// One `Mutex` over the map and its age index rather than moka: `put` must
/// compare the stored revision and write in one step, and eviction must drop
/// the oldest by `created_ms`, whereas moka evicts by its own frequency
/// policy, on its own schedule, with no ordered listing.
pub struct InProcessReviews {
    cap: usize,
    budget: usize,
    inner: Mutex<Reviews>,
}

#[derive(Default)]
struct Reviews {
    /// Each review with the size of its JSON.
    by_id: HashMap<String, (Review, usize)>,
    /// `(created_ms, inquiry_id)`: the id breaks ties, so reviews created in
    /// the same millisecond list in a stable order (as Redis' sorted set does).
    by_age: BTreeSet<(u64, String)>,
    /// The settled subset of `by_age`, the first to go.
    settled: BTreeSet<(u64, String)>,
    /// Sum of the sizes in `by_id`.
    bytes: usize,
}

fn settled(stage: Stage) -> bool {
    matches!(stage, Stage::Sent | Stage::Rejected)
}

impl Reviews {
    fn remove(&mut self, id: &str) -> Option<Review> {
        let (old, size) = self.by_id.remove(id)?;
        let key = (old.created_ms, old.inquiry_id.clone());
        self.by_age.remove(&key);
        self.settled.remove(&key);
        self.bytes = self.bytes.saturating_sub(size);
        Some(old)
    }
}

impl InProcessReviews {
    /// Keeps at most `cap` reviews (at least one), settled ones within 16 MiB.
    pub fn new(cap: usize) -> Self {
        Self::with_budget(cap, 16 << 20)
    }

    /// Keeps at most `cap` reviews, and settled ones within `budget` bytes.
    pub fn with_budget(cap: usize, budget: usize) -> Self {
        Self { cap: cap.max(1), budget, inner: Mutex::new(Reviews::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, Reviews> {
        // The guarded maps are never left half-updated by a panic (every
        // write is one insert/remove pair), so a poisoned lock is still sound.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for InProcessReviews {
    fn default() -> Self {
        Self::new(10_000)
    }
}

#[async_trait]
impl ReviewStore for InProcessReviews {
    async fn put(&self, review: &Review) -> Result<(), ReviewError> {
        // Sized outside the lock; the size is what Redis would hold.
        let size = serde_json::to_vec(review).map_or(0, |v| v.len());
        let mut inner = self.lock();
        let stored_rev = inner.by_id.get(&review.inquiry_id).map(|(r, _)| r.rev);
        let accepted = match stored_rev {
            Some(rev) => rev.checked_add(1) == Some(review.rev),
            None => review.rev == 1,
        };
        if !accepted {
            return Err(ReviewError::Conflict(review.inquiry_id.clone()));
        }
        // A later revision may carry a different `created_ms` or stage; the
        // indexes must not keep the stale position.
        inner.remove(&review.inquiry_id);
        let key = (review.created_ms, review.inquiry_id.clone());
        if settled(review.stage) {
            inner.settled.insert(key.clone());
        }
        inner.by_age.insert(key);
        inner.by_id.insert(review.inquiry_id.clone(), (review.clone(), size));
        inner.bytes += size;
        while inner.bytes > self.budget {
            let Some((_, id)) = inner.settled.first().cloned() else { break };
            inner.remove(&id);
        }
        while inner.by_age.len() > self.cap {
            let Some((_, id)) = inner.by_age.first().cloned() else { break };
            if let Some(dropped) = inner.remove(&id) {
                if !settled(dropped.stage) {
                    tracing::error!(
                        inquiry_id = %dropped.inquiry_id,
                        stage = dropped.stage.as_str(),
                        cap = self.cap,
                        "review desk full: dropped the oldest review still waiting for a decision; keep reviews on Redis or raise [approval] in_process_cap"
                    );
                }
            }
        }
        Ok(())
    }

    async fn get(&self, inquiry_id: &str) -> Result<Option<Review>, ReviewError> {
        Ok(self.lock().by_id.get(inquiry_id).map(|(r, _)| r.clone()))
    }

    async fn list(&self, limit: usize) -> Result<Vec<Review>, ReviewError> {
        let inner = self.lock();
        Ok(inner
            .by_age
            .iter()
            .rev()
            .take(limit)
            .filter_map(|(_, id)| inner.by_id.get(id).map(|(r, _)| r.clone()))
            .collect())
    }
}

/// `AuditLog` kept in this process: the last `cap` events, oldest dropped
/// first.
pub struct InProcessAudit {
    cap: usize,
    inner: Mutex<Audit>,
}

#[derive(Default)]
struct Audit {
    events: VecDeque<AuditEvent>,
    /// Never reset, so ids stay unique even when two events share `at_ms`.
    seq: u64,
}

impl InProcessAudit {
    /// Keeps at most `cap` events (at least one).
    pub fn new(cap: usize) -> Self {
        Self { cap: cap.max(1), inner: Mutex::new(Audit::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, Audit> {
        // Appends are push/pop pairs with no panicking step in between.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for InProcessAudit {
    fn default() -> Self {
        Self::new(10_000)
    }
}

#[async_trait]
impl AuditLog for InProcessAudit {
    async fn append(&self, events: &[AuditEvent]) -> Result<(), ReviewError> {
        let mut inner = self.lock();
        for event in events {
            inner.seq += 1;
            let id = format!("{}-{}", event.at_ms, inner.seq);
            inner.events.push_back(AuditEvent { id, ..event.clone() });
            if inner.events.len() > self.cap {
                inner.events.pop_front();
            }
        }
        Ok(())
    }

    async fn for_inquiry(&self, inquiry_id: &str) -> Result<Vec<AuditEvent>, ReviewError> {
        Ok(self.lock().events.iter().filter(|e| e.inquiry_id == inquiry_id).cloned().collect())
    }

    async fn export(&self, since_ms: u64, limit: usize) -> Result<Vec<AuditEvent>, ReviewError> {
        Ok(self.lock().events.iter().filter(|e| e.at_ms >= since_ms).take(limit).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tradewind_ports::review::Stage;

    fn review(id: &str, rev: u64, created_ms: u64) -> Review {
        Review {
            inquiry_id: id.into(),
            stage: Stage::AwaitingSales,
            rev,
            risk: "clear".into(),
            channel: "telegram".into(),
            customer: "c:telegram:42".into(),
            language: "en".into(),
            created_ms,
            updated_ms: created_ms + rev,
            held: Vec::new(),
            sent: Vec::new(),
            drafts: Vec::new(),
            decisions: Vec::new(),
            strategy: None,
        }
    }

    fn event(inquiry: &str, at_ms: u64, field: &str) -> AuditEvent {
        AuditEvent {
            id: String::new(),
            at_ms,
            actor: "user:mei".into(),
            role: "sales".into(),
            inquiry_id: inquiry.into(),
            field: field.into(),
            before: Some(json!("awaiting_sales")),
            after: Some(json!("sent")),
            trigger: format!("approval:{inquiry}"),
            strategy: None,
        }
    }

    fn ids(reviews: &[Review]) -> Vec<&str> {
        reviews.iter().map(|r| r.inquiry_id.as_str()).collect()
    }

    #[tokio::test]
    async fn put_then_get_returns_the_review_and_list_is_newest_first() {
        let store = InProcessReviews::new(100);
        store.put(&review("b", 1, 2_000)).await.unwrap();
        store.put(&review("a", 1, 1_000)).await.unwrap();
        store.put(&review("c", 1, 3_000)).await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), Some(review("a", 1, 1_000)));
        assert_eq!(store.get("missing").await.unwrap(), None);
        assert_eq!(ids(&store.list(10).await.unwrap()), ["c", "b", "a"]);
        assert_eq!(ids(&store.list(2).await.unwrap()), ["c", "b"]);
        assert!(store.list(0).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn put_of_the_next_rev_replaces_the_stored_one() {
        let store = InProcessReviews::new(100);
        store.put(&review("a", 1, 1_000)).await.unwrap();
        let mut next = review("a", 2, 1_000);
        next.stage = Stage::Sent;
        store.put(&next).await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), Some(next));
        assert_eq!(store.list(10).await.unwrap().len(), 1, "one review, not one per revision");
    }

    #[tokio::test]
    async fn put_with_a_stale_rev_conflicts_and_keeps_the_stored_one() {
        let store = InProcessReviews::new(100);
        store.put(&review("a", 1, 1_000)).await.unwrap();
        store.put(&review("a", 2, 1_000)).await.unwrap();
        let mut stale = review("a", 2, 1_000);
        stale.stage = Stage::Rejected;
        match store.put(&stale).await {
            Err(ReviewError::Conflict(id)) => assert_eq!(id, "a"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(matches!(store.put(&review("a", 4, 1_000)).await, Err(ReviewError::Conflict(_))), "skips a rev");
        assert_eq!(store.get("a").await.unwrap().unwrap().stage, Stage::AwaitingSales);
    }

    #[tokio::test]
    async fn put_of_rev_1_conflicts_when_the_review_exists() {
        let store = InProcessReviews::new(100);
        store.put(&review("a", 1, 1_000)).await.unwrap();
        assert!(matches!(store.put(&review("a", 1, 1_000)).await, Err(ReviewError::Conflict(id)) if id == "a"));
    }

    #[tokio::test]
    async fn put_of_a_later_rev_conflicts_when_the_review_is_absent() {
        let store = InProcessReviews::new(100);
        assert!(matches!(store.put(&review("a", 2, 1_000)).await, Err(ReviewError::Conflict(_))));
        assert!(matches!(store.put(&review("a", 0, 1_000)).await, Err(ReviewError::Conflict(_))));
        assert_eq!(store.get("a").await.unwrap(), None);
    }

    #[tokio::test]
    async fn reviews_beyond_cap_evict_the_oldest_created() {
        let store = InProcessReviews::new(3);
        // Written out of creation order: eviction follows `created_ms`, not
        // the order of writes.
        for (id, created) in [("d", 4_000), ("a", 1_000), ("c", 3_000), ("b", 2_000)] {
            store.put(&review(id, 1, created)).await.unwrap();
        }
        assert_eq!(ids(&store.list(10).await.unwrap()), ["d", "c", "b"]);
        assert_eq!(store.get("a").await.unwrap(), None);
        // An update does not count twice towards the cap.
        store.put(&review("b", 2, 2_000)).await.unwrap();
        assert_eq!(ids(&store.list(10).await.unwrap()), ["d", "c", "b"]);
        store.put(&review("e", 1, 5_000)).await.unwrap();
        assert_eq!(ids(&store.list(10).await.unwrap()), ["e", "d", "c"]);
    }

    /// A long-running `serve` must not grow with every inquiry it settled,
    /// and must never lose work a person still has to do.
    #[tokio::test]
    async fn settled_reviews_past_the_byte_budget_go_first_and_pending_ones_stay() {
        let one = serde_json::to_vec(&review("x", 1, 0)).unwrap().len();
        // Room for about three reviews of this size.
        let store = InProcessReviews::with_budget(100, one * 3 + one / 2);
        store.put(&review("pending-old", 1, 1_000)).await.unwrap();
        for (i, id) in ["s1", "s2", "s3", "s4", "s5"].into_iter().enumerate() {
            let mut r = review(id, 1, 2_000 + i as u64);
            r.stage = Stage::Sent;
            store.put(&r).await.unwrap();
        }
        store.put(&review("pending-new", 1, 9_000)).await.unwrap();
        let listed = store.list(100).await.unwrap();
        let kept = ids(&listed);
        assert!(kept.contains(&"pending-old") && kept.contains(&"pending-new"), "{kept:?}");
        // The oldest settled ones went; the store is back within its budget.
        assert_eq!(store.get("s1").await.unwrap(), None);
        assert!(kept.contains(&"s5"), "{kept:?}");
        assert!(kept.len() <= 4, "{kept:?}");
        // A pending review that settles becomes evictable like the others.
        let mut done = store.get("pending-old").await.unwrap().unwrap();
        done.rev = 2;
        done.stage = Stage::Rejected;
        store.put(&done).await.unwrap();
        let mut r = review("s6", 1, 9_500);
        r.stage = Stage::Sent;
        store.put(&r).await.unwrap();
        assert_eq!(store.get("pending-old").await.unwrap(), None);
        assert!(store.get("pending-new").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn audit_keeps_append_order_and_assigns_unique_ids() {
        let log = InProcessAudit::new(100);
        log.append(&[event("a", 10, "stage"), event("b", 10, "stage")]).await.unwrap();
        log.append(&[event("a", 20, "proposal.body")]).await.unwrap();
        let a = log.for_inquiry("a").await.unwrap();
        assert_eq!(a.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["stage", "proposal.body"]);
        assert!(a.iter().all(|e| e.inquiry_id == "a"));
        let all = log.export(0, 100).await.unwrap();
        let ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["10-1", "10-2", "20-3"]);
        assert_eq!(AuditEvent { id: String::new(), ..all[0].clone() }, event("a", 10, "stage"));
        assert!(log.for_inquiry("none").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn audit_beyond_cap_drops_the_oldest_events() {
        let log = InProcessAudit::new(3);
        for at in 1..=5 {
            log.append(&[event("a", at, "stage")]).await.unwrap();
        }
        let kept: Vec<u64> = log.export(0, 100).await.unwrap().iter().map(|e| e.at_ms).collect();
        assert_eq!(kept, [3, 4, 5]);
        assert_eq!(log.for_inquiry("a").await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn audit_export_starts_at_since_and_stops_at_limit() {
        let log = InProcessAudit::new(100);
        let events: Vec<AuditEvent> = (1..=6).map(|i| event("a", i * 100, "stage")).collect();
        log.append(&events).await.unwrap();
        let at = |v: Vec<AuditEvent>| v.iter().map(|e| e.at_ms).collect::<Vec<_>>();
        assert_eq!(at(log.export(300, 100).await.unwrap()), [300, 400, 500, 600], "since is inclusive");
        assert_eq!(at(log.export(301, 2).await.unwrap()), [400, 500]);
        assert!(log.export(601, 10).await.unwrap().is_empty());
        assert!(log.export(0, 0).await.unwrap().is_empty());
    }
}
