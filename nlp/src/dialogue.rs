//! Reading a new message against a conversation's open inquiry: what it
//! filled, revised, added or corrected, as a new merged inquiry and the
//! list of changes. (A first, conservative reading: fill what is missing,
//! update quantities of products named again, add new products.)

use tradewind_core::{Change, Field, StructuredInquiry, TurnKind, TurnReading};

use crate::{compute_missing, Intake};

impl Intake {
    /// Reads `text` as the next message about `open`.
    pub fn read_turn(&self, open: &StructuredInquiry, text: &str) -> TurnReading {
        let new = self.parse(text);
        merge(open, new)
    }
}

fn merge(open: &StructuredInquiry, new: StructuredInquiry) -> TurnReading {
    let mut out = open.clone();
    let mut changes = Vec::new();
    let mut kinds = Vec::new();
    // Replies follow the language the customer writes in now.
    out.lang = new.lang;
    for item in &new.items {
        match out.items.iter_mut().find(|i| i.sku == item.sku) {
            Some(cur) => {
                if item.quantity.is_some() && item.quantity != cur.quantity {
                    let kind = if cur.quantity.is_none() { TurnKind::Fill } else { TurnKind::Revise };
                    changes.push(
                        Change::new(
                            Field::Quantities,
                            cur.quantity.map(|q| q.to_string()),
                            item.quantity.map(|q| q.to_string()),
                        )
                        .about(item.sku.clone()),
                    );
                    kinds.push(kind);
                    cur.quantity = item.quantity;
                }
            }
            None => {
                changes.push(Change::new(Field::Products, None, Some(item.sku.clone())));
                kinds.push(TurnKind::Add);
                out.items.push(item.clone());
            }
        }
    }
    for phrase in &new.unmatched_products {
        if !out.unmatched_products.contains(phrase) {
            out.unmatched_products.push(phrase.clone());
        }
    }
    if out.destination.is_none() && new.destination.is_some() {
        changes.push(Change::new(Field::Destination, None, new.destination.as_ref().map(|d| d.country.clone())));
        kinds.push(TurnKind::Fill);
        out.destination = new.destination;
    }
    let mut fill = |field: Field, cur: &mut Option<String>, new: Option<String>| {
        if cur.is_none() && new.is_some() {
            changes.push(Change::new(field, None, new.clone()));
            kinds.push(TurnKind::Fill);
            *cur = new;
        }
    };
    fill(Field::Incoterm, &mut out.incoterm, new.incoterm);
    fill(Field::Company, &mut out.company, new.company);
    fill(Field::Contact, &mut out.contact.name, new.contact.name);
    fill(Field::Contact, &mut out.contact.phone, new.contact.phone);
    fill(Field::Contact, &mut out.contact.email, new.contact.email);
    if out.credit_code.is_none() {
        out.credit_code = new.credit_code;
    }
    out.suspicious |= new.suspicious;
    out.missing = compute_missing(&out);
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        kinds.push(TurnKind::Chat);
    }
    TurnReading { kinds, inquiry: out, changes, question: None, start_new: false }
}
