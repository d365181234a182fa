//! The review desk: every delivery the swarm makes is staged until the
//! inquiry is settled, then sent or held by the approval policy; people
//! clear, block, edit, approve or reject held inquiries; every change is
//! an audit event. The one place deliveries leave when a policy is on, so
//! nothing held goes out by any other path.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tradewind_core::{now_ms, AgentOutcome, RiskLevel, SwarmResult};
use tradewind_ports::review::{
    Actor, Approvals, AuditEvent, AuditLog, DecideError, Decision, DecisionRequest, DraftVersion, HeldDelivery, Review,
    ReviewError, ReviewStore, Stage,
};

pub type DeskError = DecideError;
use tradewind_ports::{Delivery, Sink, SinkError};

/// `[approval]`: which steps need a human.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalSection {
    /// At or above this customs risk ("review", "high", "blocked"; "never"
    /// turns it off) everything for the inquiry waits for compliance.
    pub compliance_at: String,
    /// "auto" sends the proposal draft to sales at once; "hold" waits for a
    /// salesperson to approve it (and lets them edit it first).
    pub proposal: String,
    /// The same for the customs report to logistics.
    pub customs: String,
    /// The same for the FAQ cards to customer service.
    pub faq_card: String,
    /// Reviews kept in process (without Redis), pending ones included;
    /// twice as many audit events.
    pub in_process_cap: usize,
    /// Bytes of settled (sent or rejected) reviews kept in process, in MiB;
    /// the oldest settled ones go first, pending ones never for this.
    pub in_process_mib: usize,
}

impl Default for ApprovalSection {
    fn default() -> Self {
        Self {
            compliance_at: "high".into(),
            proposal: "auto".into(),
            customs: "auto".into(),
            faq_card: "auto".into(),
            in_process_cap: 10_000,
            in_process_mib: 16,
        }
    }
}

impl ApprovalSection {
    pub fn validate(&self) -> Result<(), String> {
        if !matches!(self.compliance_at.as_str(), "review" | "high" | "blocked" | "never") {
            return Err(format!(
                "[approval] compliance_at = \"{}\": use \"review\", \"high\", \"blocked\" or \"never\"",
                self.compliance_at
            ));
        }
        for (k, v) in [("proposal", &self.proposal), ("customs", &self.customs), ("faq_card", &self.faq_card)] {
            if !matches!(v.as_str(), "auto" | "hold") {
                return Err(format!("[approval] {k} = \"{v}\": use \"auto\" or \"hold\""));
            }
        }
        Ok(())
    }

    fn compliance_threshold(&self) -> Option<RiskLevel> {
        match self.compliance_at.as_str() {
            "review" => Some(RiskLevel::Review),
            "high" => Some(RiskLevel::High),
            "blocked" => Some(RiskLevel::Blocked),
            _ => None,
        }
    }

    /// Whether a delivery of `kind` waits for sales once compliance (if
    /// asked) has cleared it.
    fn holds_kind(&self, kind: &str) -> bool {
        let policy = match kind {
            "proposal" => &self.proposal,
            "customs" => &self.customs,
            "faq_card" => &self.faq_card,
            _ => return false,
        };
        policy == "hold"
    }
}

/// Deliveries made while an inquiry's swarm runs, by inquiry id, until it
/// is settled. Bounded by time and count: a swarm that dies before settling
/// leaves nothing behind for long.
pub struct Staging {
    staged: moka::sync::Cache<String, Arc<std::sync::Mutex<Vec<HeldDelivery>>>>,
}

impl Default for Staging {
    fn default() -> Self {
        Self {
            staged: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(15 * 60))
                .build(),
        }
    }
}

impl Staging {
    fn push(&self, sink: &str, d: &Delivery) {
        let slot = self.staged.get_with_by_ref(&d.inquiry_id, Default::default);
        let mut v = slot.lock().unwrap_or_else(|p| p.into_inner());
        // A retried tool call stages the same delivery again: keep one.
        if !v.iter().any(|h| h.delivery.delivery_id == d.delivery_id && h.sink == sink) {
            v.push(HeldDelivery { sink: sink.to_string(), delivery: d.clone() });
        }
    }

    fn take(&self, inquiry_id: &str) -> Vec<HeldDelivery> {
        match self.staged.remove(inquiry_id) {
            Some(slot) => std::mem::take(&mut *slot.lock().unwrap_or_else(|p| p.into_inner())),
            None => Vec::new(),
        }
    }
}

/// Stands in for an audience's sink during the swarm: stages instead of
/// sending. The desk sends (or holds) once the inquiry is settled.
pub struct GateSink {
    audience: String,
    staging: Arc<Staging>,
}

impl GateSink {
    pub fn new(audience: &str, staging: Arc<Staging>) -> Self {
        Self { audience: audience.to_string(), staging }
    }
}

#[async_trait]
impl Sink for GateSink {
    fn name(&self) -> &str {
        &self.audience
    }

    async fn deliver(&self, d: &Delivery) -> Result<String, SinkError> {
        self.staging.push(&self.audience, d);
        Ok(format!("review desk ({}): sent or held when the inquiry is settled", self.audience))
    }
}

pub struct Desk {
    pub reviews: Arc<dyn ReviewStore>,
    pub audit: Arc<dyn AuditLog>,
    policy: ApprovalSection,
    /// The real sinks, by audience.
    sinks: Arc<BTreeMap<String, Arc<dyn Sink>>>,
    staging: Arc<Staging>,
    /// Inquiry ids whose review changed (for live pages in this process).
    changed: tokio::sync::broadcast::Sender<String>,
    /// Told the strategy of every inquiry a person rejects: negative
    /// feedback for the canary (set once the strategies are wired).
    on_reject: std::sync::OnceLock<RejectHook>,
}

/// Called with the rejected inquiry's strategy; the decision waits for it
/// (a canary rollback it triggers is recorded before the answer).
pub type RejectHook =
    Arc<dyn Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync>;

impl Desk {
    pub fn new(
        reviews: Arc<dyn ReviewStore>,
        audit: Arc<dyn AuditLog>,
        policy: ApprovalSection,
        sinks: Arc<BTreeMap<String, Arc<dyn Sink>>>,
        staging: Arc<Staging>,
    ) -> Self {
        let (changed, _) = tokio::sync::broadcast::channel(256);
        Self { reviews, audit, policy, sinks, staging, changed, on_reject: std::sync::OnceLock::new() }
    }

    /// Where rejections are reported; the first hook set stays.
    pub fn on_reject(&self, hook: RejectHook) {
        let _ = self.on_reject.set(hook);
    }

    pub fn policy(&self) -> &ApprovalSection {
        &self.policy
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.changed.subscribe()
    }

    /// After the swarm: sends what needs no human, holds the rest, and
    /// records the review and the agents' changes.
    pub async fn settle(&self, result: &SwarmResult, channel: &str) -> Result<Review, DeskError> {
        self.settle_with(result, channel, &self.policy).await
    }

    /// As [`Desk::settle`], under the approval policy of the strategy that
    /// made the result.
    pub async fn settle_with(
        &self,
        result: &SwarmResult,
        channel: &str,
        policy: &ApprovalSection,
    ) -> Result<Review, DeskError> {
        let staged = self.staging.take(&result.inquiry_id);
        let now = now_ms();
        let risk = match &result.customs {
            AgentOutcome::Done { value } => Some(value.risk),
            _ => None,
        };
        // Without a verdict (customs failed or timed out) nothing can be
        // called clear: compliance looks first whenever a threshold is set.
        let needs_compliance = match (policy.compliance_threshold(), risk) {
            (None, _) => false,
            (Some(at), Some(r)) => r >= at,
            (Some(_), None) => true,
        };
        let (held, now_out): (Vec<_>, Vec<_>) =
            staged.into_iter().partition(|h| needs_compliance || policy.holds_kind(&h.delivery.kind));
        let previous = self.reviews.get(&result.inquiry_id).await?;
        let mut review = match previous {
            // A rerun of the same inquiry (a redelivery after a crash, or a
            // later message of the conversation): keep what people decided.
            Some(r) => r,
            None => Review {
                inquiry_id: result.inquiry_id.clone(),
                stage: Stage::Drafted,
                rev: 0,
                risk: String::new(),
                channel: String::new(),
                customer: result.customer.clone(),
                language: String::new(),
                created_ms: now,
                updated_ms: now,
                held: Vec::new(),
                sent: Vec::new(),
                drafts: Vec::new(),
                decisions: Vec::new(),
                strategy: None,
            },
        };
        let before = review.clone();
        review.strategy.clone_from(&result.strategy);
        review.risk = risk.map_or("unknown", RiskLevel::as_str).to_string();
        review.language = serde_json::to_value(result.inquiry.lang)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        review.channel = channel.to_string();
        if let AgentOutcome::Done { value } = &result.proposal {
            if review.drafts.last().map(|d| &d.body) != Some(&value.markdown) {
                let version = review.drafts.len() as u32 + 1;
                review.drafts.push(DraftVersion {
                    version,
                    // Stored, so masked like everything else at rest.
                    body: tradewind_nlp::pii::mask(&value.markdown).into_owned(),
                    by: "agent:proposal".into(),
                    at_ms: now,
                });
            }
        }
        let trigger = format!("inquiry:{}", result.inquiry_id);
        let mut events = vec![];
        if before.risk != review.risk {
            events.push(agent_event(
                "customs",
                &review,
                "customs.risk",
                (!before.risk.is_empty()).then(|| json!(before.risk)),
                Some(json!(review.risk)),
                &trigger,
            ));
        }
        if before.drafts.len() != review.drafts.len() && !review.drafts.is_empty() {
            events.push(agent_event(
                "proposal",
                &review,
                "proposal.body",
                before.drafts.last().map(|d| json!(d.body)),
                review.drafts.last().map(|d| json!(d.body)),
                &trigger,
            ));
        }
        // A settled inquiry that people already rejected sends nothing new.
        let rejected = review.stage == Stage::Rejected;
        for h in held {
            review.held.retain(|o| o.delivery.delivery_id != h.delivery.delivery_id || o.sink != h.sink);
            events.push(agent_event(
                &h.delivery.kind,
                &review,
                &format!("delivery.{}", h.sink),
                None,
                Some(json!({"held": h.delivery.delivery_id})),
                &format!("delivery:{}", h.delivery.delivery_id),
            ));
            review.held.push(h);
        }
        if !rejected {
            for h in now_out {
                let where_ = self.send(&h).await;
                events.push(agent_event(
                    &h.delivery.kind,
                    &review,
                    &format!("delivery.{}", h.sink),
                    None,
                    Some(json!({"sent": h.delivery.delivery_id, "to": where_})),
                    &format!("delivery:{}", h.delivery.delivery_id),
                ));
                review.sent.push((h.delivery.delivery_id.clone(), where_));
            }
        }
        let stage = if rejected {
            Stage::Rejected
        } else if review.held.is_empty() {
            Stage::Sent
        } else if needs_compliance && !review.decisions.iter().any(|d| d.action == "clear") {
            Stage::AwaitingCompliance
        } else {
            Stage::AwaitingSales
        };
        if stage != before.stage || before.rev == 0 {
            events.push(agent_event(
                "desk",
                &review,
                "stage",
                (before.rev > 0).then(|| json!(before.stage.as_str())),
                Some(json!(stage.as_str())),
                &trigger,
            ));
        }
        review.stage = stage;
        review.updated_ms = now;
        review.rev = before.rev + 1;
        self.reviews.put(&review).await?;
        self.audit.append(&masked(events)).await?;
        let _ = self.changed.send(review.inquiry_id.clone());
        Ok(review)
    }

    /// Sends a delivery again (a dead letter an operator retries).
    pub async fn resend(&self, sink: &str, d: &Delivery) -> Result<String, String> {
        let s = self.sinks.get(sink).ok_or_else(|| format!("no sink {sink}"))?;
        s.deliver(d).await.map_err(|e| e.to_string())
    }

    async fn send(&self, h: &HeldDelivery) -> String {
        match self.sinks.get(&h.sink) {
            Some(sink) => match sink.deliver(&h.delivery).await {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(delivery = %h.delivery.delivery_id, error = %e, "delivery failed");
                    format!("failed: {e}")
                }
            },
            None => "no sink".into(),
        }
    }

    /// A person's decision. Compliance (or admin) clears or blocks an
    /// inquiry awaiting compliance; sales (or admin) edits, approves or
    /// rejects one awaiting sales.
    pub async fn decide_now(&self, inquiry_id: &str, who: &Actor, req: &DecisionRequest) -> Result<Review, DeskError> {
        let mut review = self.reviews.get(inquiry_id).await?.ok_or_else(|| DeskError::NotFound(inquiry_id.into()))?;
        if review.rev != req.rev {
            return Err(ReviewError::Conflict(inquiry_id.into()).into());
        }
        let compliance = matches!(who.role.as_str(), "compliance" | "admin");
        let sales = matches!(who.role.as_str(), "sales" | "admin");
        let before = review.clone();
        let now = now_ms();
        let trigger = format!("approval:{inquiry_id}:{}", review.rev + 1);
        let mut events = Vec::new();
        let reason = req.reason.trim().to_string();
        match (req.action.as_str(), review.stage) {
            ("clear" | "block", Stage::AwaitingCompliance) if !compliance => {
                return Err(DeskError::Forbidden("only compliance clears or blocks an inquiry".into()));
            }
            ("clear" | "block", Stage::AwaitingCompliance) if reason.is_empty() => {
                return Err(DeskError::Invalid("a reason is required".into()));
            }
            ("clear", Stage::AwaitingCompliance) => {
                let (wait, go): (Vec<_>, Vec<_>) = std::mem::take(&mut review.held)
                    .into_iter()
                    .partition(|h| self.policy.holds_kind(&h.delivery.kind));
                review.held = wait;
                self.release(&mut review, go, who, &trigger, &mut events).await;
                review.stage = if review.held.is_empty() { Stage::Sent } else { Stage::AwaitingSales };
            }
            ("block", Stage::AwaitingCompliance) => self.drop_held(&mut review, who, &trigger, &mut events),
            ("edit" | "approve" | "reject", Stage::AwaitingSales) if !sales => {
                return Err(DeskError::Forbidden("only sales edits, approves or rejects a draft".into()));
            }
            ("edit" | "approve", Stage::AwaitingSales) => {
                // Browsers send a textarea's line breaks as CRLF; the drafts
                // use LF, and an unchanged draft must not count as an edit.
                // Masked like every card the agents send: a person's edit
                // leaves by the same sinks and is kept in the same store.
                let body = req.body.as_deref().map(|b| tradewind_nlp::pii::mask(&b.replace("\r\n", "\n")).into_owned());
                if let Some(body) = body.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
                    if review.drafts.last().map(|d| d.body.as_str()) != Some(body) {
                        let version = review.drafts.len() as u32 + 1;
                        events.push(self.person_event(
                            who,
                            &review,
                            "proposal.body",
                            review.drafts.last().map(|d| json!(d.body)),
                            Some(json!(body)),
                            &trigger,
                        ));
                        review.drafts.push(DraftVersion {
                            version,
                            body: body.to_string(),
                            by: format!("user:{}", who.name),
                            at_ms: now,
                        });
                        for h in review.held.iter_mut().filter(|h| h.delivery.kind == "proposal") {
                            h.delivery.body = body.to_string();
                            if let Some(obj) = h.delivery.payload.as_object_mut() {
                                obj.insert("markdown".into(), Value::String(body.to_string()));
                                obj.insert("edited_by".into(), Value::String(who.name.clone()));
                            }
                        }
                    }
                } else if req.action == "edit" {
                    return Err(DeskError::Invalid("an edit needs the new draft".into()));
                }
                if req.action == "approve" {
                    let go = std::mem::take(&mut review.held);
                    self.release(&mut review, go, who, &trigger, &mut events).await;
                    review.stage = Stage::Sent;
                }
            }
            ("reject", Stage::AwaitingSales) => {
                if reason.is_empty() {
                    return Err(DeskError::Invalid("a reason is required".into()));
                }
                self.drop_held(&mut review, who, &trigger, &mut events);
                if let (Some(hook), Some(strategy)) = (self.on_reject.get(), &review.strategy) {
                    hook(strategy.clone()).await;
                }
            }
            (action, stage) => {
                return Err(DeskError::Invalid(format!("cannot {action} an inquiry that is {}", stage.as_str())));
            }
        }
        review.decisions.push(Decision {
            action: req.action.clone(),
            by: who.name.clone(),
            role: who.role.clone(),
            reason,
            at_ms: now,
        });
        if review.stage != before.stage {
            events.push(self.person_event(
                who,
                &review,
                "stage",
                Some(json!(before.stage.as_str())),
                Some(json!(review.stage.as_str())),
                &trigger,
            ));
        }
        review.rev += 1;
        review.updated_ms = now;
        self.reviews.put(&review).await?;
        self.audit.append(&masked(events)).await?;
        let _ = self.changed.send(review.inquiry_id.clone());
        Ok(review)
    }

    /// Sends held deliveries on a person's decision, one audit event each.
    async fn release(
        &self,
        review: &mut Review,
        go: Vec<HeldDelivery>,
        who: &Actor,
        trigger: &str,
        events: &mut Vec<AuditEvent>,
    ) {
        for h in go {
            let w = self.send(&h).await;
            let (before, after) =
                (json!({"held": h.delivery.delivery_id}), json!({"sent": h.delivery.delivery_id, "to": w}));
            events.push(self.person_event(
                who,
                review,
                &format!("delivery.{}", h.sink),
                Some(before),
                Some(after),
                trigger,
            ));
            review.sent.push((h.delivery.delivery_id.clone(), w));
        }
    }

    /// Drops everything held (blocked or rejected), one audit event each.
    fn drop_held(&self, review: &mut Review, who: &Actor, trigger: &str, events: &mut Vec<AuditEvent>) {
        for h in std::mem::take(&mut review.held) {
            let (before, after) = (json!({"held": h.delivery.delivery_id}), json!({"dropped": h.delivery.delivery_id}));
            events.push(self.person_event(
                who,
                review,
                &format!("delivery.{}", h.sink),
                Some(before),
                Some(after),
                trigger,
            ));
        }
        review.stage = Stage::Rejected;
    }

    fn person_event(
        &self,
        who: &Actor,
        review: &Review,
        field: &str,
        before: Option<Value>,
        after: Option<Value>,
        trigger: &str,
    ) -> AuditEvent {
        event(format!("user:{}", who.name), who.role.clone(), review, field, before, after, trigger)
    }
}

#[async_trait]
impl Approvals for Desk {
    async fn decide(&self, inquiry_id: &str, who: &Actor, req: &DecisionRequest) -> Result<Review, DecideError> {
        self.decide_now(inquiry_id, who, req).await
    }
}

/// Audit values pass the same masking as everything else at rest.
fn masked(mut events: Vec<AuditEvent>) -> Vec<AuditEvent> {
    for e in &mut events {
        for v in [&mut e.before, &mut e.after].into_iter().flatten() {
            tradewind_nlp::pii::mask_json(v);
        }
    }
    events
}

fn agent_event(
    agent: &str,
    review: &Review,
    field: &str,
    before: Option<Value>,
    after: Option<Value>,
    trigger: &str,
) -> AuditEvent {
    event(format!("agent:{agent}"), "agent".into(), review, field, before, after, trigger)
}

/// One change to `review`, by `actor` in `role`.
fn event(
    actor: String,
    role: String,
    review: &Review,
    field: &str,
    before: Option<Value>,
    after: Option<Value>,
    trigger: &str,
) -> AuditEvent {
    AuditEvent {
        id: String::new(),
        at_ms: now_ms(),
        actor,
        role,
        inquiry_id: review.inquiry_id.clone(),
        field: field.to_string(),
        before,
        after,
        trigger: trigger.to_string(),
        strategy: review.strategy.clone(),
    }
}

/// The review store the configuration chooses: Redis under the memory
/// prefix when memory is on Redis (so every gateway and worker sees the
/// same reviews), else in process.
pub async fn open_reviews(config: &crate::Config) -> Result<Arc<dyn ReviewStore>, tradewind_ports::AppError> {
    let cap = config.approval.in_process_cap.max(1);
    Ok(match &config.memory.redis_url {
        Some(url) => Arc::new(
            tradewind_redis::RedisReviews::connect(url, &config.memory.prefix, record_ttl(config), cap)
                .await
                .map_err(|e| tradewind_ports::AppError::Unavailable(format!("reviews at {url}: {e}")))?,
        ),
        None => Arc::new(tradewind_memory::InProcessReviews::with_budget(
            cap,
            config.approval.in_process_mib.saturating_mul(1 << 20),
        )),
    })
}

/// The audit log, beside the reviews.
pub async fn open_audit(config: &crate::Config) -> Result<Arc<dyn AuditLog>, tradewind_ports::AppError> {
    let cap = config.approval.in_process_cap.max(1);
    Ok(match &config.memory.redis_url {
        Some(url) => Arc::new(
            tradewind_redis::RedisAudit::connect(
                url,
                &config.memory.prefix,
                record_ttl(config),
                cap.saturating_mul(10),
            )
            .await
            .map_err(|e| tradewind_ports::AppError::Unavailable(format!("audit log at {url}: {e}")))?,
        ),
        // In process the audit log is a window, not the record (that is
        // Redis, or the export API): a fixed share of the reviews.
        None => Arc::new(tradewind_memory::InProcessAudit::new(cap.saturating_mul(2))),
    })
}

fn record_ttl(config: &crate::Config) -> Duration {
    Duration::from_secs(config.memory.record_ttl_secs.max(1))
}
