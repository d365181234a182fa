//! `MaskedMemory`: any `Memory` behind the write boundary where personal
//! identifiers are masked (请求内容脱敏). Turns, threads, transcripts and
//! results are stored with resident IDs, card numbers, IBANs, phones,
//! e-mails and passports masked; customer facts keep the contact fields
//! sales needs (name, phone, e-mail, company) in the clear under
//! `customer_ttl_secs`, and so does the open version of a conversation's
//! inquiry (its past versions are masked); `forget_customer` erases both.
//!
//! A decorator rather than code in each adapter, so that both backends (and
//! any later one) store the same thing and the behaviour suite need not
//! know about masking.

use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tradewind_core::{CustomerId, InquiryThread, SwarmResult, TranscriptStep};
use tradewind_nlp::pii;
use tradewind_ports::memory::{CustomerFacts, CustomerView, Forgotten, Memory, MemoryError, Turn};

pub struct MaskedMemory {
    inner: Arc<dyn Memory>,
}

impl MaskedMemory {
    pub fn new(inner: Arc<dyn Memory>) -> Self {
        Self { inner }
    }
}

/// `value` with every string in it masked; unchanged values are not copied
/// back through serde.
fn masked<T: Serialize + DeserializeOwned + Clone>(value: &T) -> Result<T, MemoryError> {
    let mut v = serde_json::to_value(value).map_err(|e| MemoryError::Corrupt(format!("cannot mask: {e}")))?;
    if !pii::mask_json(&mut v) {
        return Ok(value.clone());
    }
    serde_json::from_value(v).map_err(|e| MemoryError::Corrupt(format!("cannot mask: {e}")))
}

#[async_trait]
impl Memory for MaskedMemory {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn load_customer(&self, id: &CustomerId) -> Result<CustomerView, MemoryError> {
        self.inner.load_customer(id).await
    }

    async fn link(&self, channel: &CustomerId, unified: &CustomerId) -> Result<(), MemoryError> {
        self.inner.link(channel, unified).await
    }

    async fn remember(&self, id: &CustomerId, facts: &CustomerFacts) -> Result<CustomerFacts, MemoryError> {
        let mut facts = facts.clone();
        // Only the contact fields are kept in the clear; a resident ID taken
        // for a credit code, say, is not one of them.
        for f in [&mut facts.country, &mut facts.preferred_incoterm, &mut facts.credit_code].into_iter().flatten() {
            pii::mask_in_place(f);
        }
        self.inner.remember(id, &facts).await
    }

    async fn push_turns(&self, id: &CustomerId, turns: &[Turn]) -> Result<(), MemoryError> {
        let turns: Vec<Turn> =
            turns.iter().map(|t| Turn { text: pii::mask(&t.text).into_owned(), ..t.clone() }).collect();
        self.inner.push_turns(id, &turns).await
    }

    async fn open_thread(&self, conversation: &str) -> Result<Option<InquiryThread>, MemoryError> {
        self.inner.open_thread(conversation).await
    }

    async fn save_thread(&self, thread: &InquiryThread, window_secs: u64) -> Result<(), MemoryError> {
        let mut stored = masked(thread)?;
        // The inquiry as it stands keeps its contact in the clear, as customer
        // facts do: sales' next draft needs it. Past versions are masked.
        stored.inquiry.contact = thread.inquiry.contact.clone();
        self.inner.save_thread(&stored, window_secs).await
    }

    async fn thread(&self, thread_id: &str) -> Result<Option<InquiryThread>, MemoryError> {
        self.inner.thread(thread_id).await
    }

    async fn append_transcript(&self, inquiry_id: &str, steps: &[TranscriptStep]) -> Result<(), MemoryError> {
        let steps = steps.iter().map(masked).collect::<Result<Vec<_>, _>>()?;
        self.inner.append_transcript(inquiry_id, &steps).await
    }

    async fn transcript(&self, inquiry_id: &str) -> Result<Vec<TranscriptStep>, MemoryError> {
        self.inner.transcript(inquiry_id).await
    }

    async fn save_result(&self, result: &SwarmResult) -> Result<(), MemoryError> {
        self.inner.save_result(&masked(result)?).await
    }

    async fn result(&self, inquiry_id: &str) -> Result<Option<SwarmResult>, MemoryError> {
        self.inner.result(inquiry_id).await
    }

    async fn recent_inquiries(&self, limit: usize) -> Result<Vec<String>, MemoryError> {
        self.inner.recent_inquiries(limit).await
    }

    async fn forget_customer(&self, id: &CustomerId) -> Result<Forgotten, MemoryError> {
        self.inner.forget_customer(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InProcessMemory;

    #[tokio::test]
    async fn turns_and_records_are_stored_masked_and_facts_keep_contacts() {
        let mem = MaskedMemory::new(Arc::new(InProcessMemory::default()));
        let id = CustomerId::channel("web", "c1");
        let turn = Turn {
            role: "customer".into(),
            text: "ID 11010519491231002X, call +49 40 1234567".into(),
            at_ms: 1,
            inquiry_id: "inq-1".into(),
        };
        mem.push_turns(&id, &[turn]).await.unwrap();
        let facts = CustomerFacts {
            phone: Some("+49 40 1234567".into()),
            email: Some("ruth@example.com".into()),
            credit_code: Some("11010519491231002X".into()),
            ..CustomerFacts::default()
        };
        mem.remember(&id, &facts).await.unwrap();
        let mut si = tradewind_core::StructuredInquiry::empty(tradewind_core::Lang::En);
        si.contact.email = Some("ruth@example.com".into());
        let thread = InquiryThread::open("thr-1".into(), "web:c1".into(), id.key(), "inq-1", si, 1);
        mem.save_thread(&thread, 60).await.unwrap();
        let view = mem.load_customer(&id).await.unwrap();
        assert_eq!(view.recent_turns[0].text, "ID 1101**********002X, call +49 40 ****567");
        assert_eq!(view.facts.phone.as_deref(), Some("+49 40 1234567"));
        assert_eq!(view.facts.email.as_deref(), Some("ruth@example.com"));
        assert_eq!(view.facts.credit_code.as_deref(), Some("1101**********002X"));
        let stored = mem.thread("thr-1").await.unwrap().expect("thread stored");
        assert_eq!(stored.inquiry.contact.email.as_deref(), Some("ruth@example.com"), "the open version for sales");
        assert_eq!(stored.versions[0].inquiry.contact.email.as_deref(), Some("r***@example.com"), "history masked");
    }
}
