//! Finding the few list names worth scoring against a screened name.
//!
//! Scoring every name of a full list (the SDN list has some 17,000 names
//! and aliases) for every screening would cost milliseconds. The index
//! keeps each distinct list word once, with the names that use it, and
//! reaches words from a screened word three ways: the same word, the same
//! consonant skeleton (vowel and transliteration variants), and shared
//! letter trigrams (typos). Only words that pass the scorer's own pairing
//! test open their names as candidates, and their similarities are kept, so
//! scoring a candidate is mostly lookups. Names written together or apart
//! ("Goodwill" / "Good Will") and acronyms reach their names through the
//! joined form and the initials of each name.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::{word_similarity, Class, NameForm, Token};

/// A fast hash for the integer keys of the per-query maps (the default
/// SipHash guards against adversarial keys; these keys are our own ids).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Word ids and similarities of a word's neighbours.
type Neighbours = Box<[(u32, f64)]>;

/// Joined-form and acronym keys with more names than this are ignored.
const MAX_SURE_POSTINGS: usize = 64;

/// One list name (a primary name or an alias).
#[derive(Debug, Clone)]
pub struct IndexedName {
    /// Index of the entry the name belongs to.
    pub entry: u32,
    /// The name as the list writes it.
    pub text: String,
    pub form: NameForm,
    /// Word id of each of the form's words.
    ids: Vec<u32>,
    /// Sum of the words' weights.
    weight: f64,
}

#[derive(Debug, Default)]
pub struct NameIndex {
    names: Vec<IndexedName>,
    words: Vec<Token>,
    word_ids: HashMap<String, u32>,
    /// Word id → the names that use it.
    postings: Vec<Vec<u32>>,
    by_skeleton: HashMap<String, Vec<u32>>,
    /// Phonetic form and its one-letter deletions → words: every word one
    /// edit away, and most two edits away, share a key.
    by_deletion: HashMap<String, Vec<u32>>,
    by_trigram: HashMap<[u8; 3], Vec<u32>>,
    /// A name's words run together → names.
    by_joined: HashMap<String, Vec<u32>>,
    /// A name's initials (2 to 6 words) → names.
    by_initials: HashMap<String, Vec<u32>>,
    /// Per word, the list words close to it: found on first use and kept,
    /// since the same common words (Mohammed, Trading) recur in screening.
    neighbours: Vec<OnceLock<Neighbours>>,
}

/// A candidate name and the similarities found for it.
pub struct Candidate<'a> {
    pub name: &'a IndexedName,
    /// Upper estimate of its score, for ranking.
    pub estimate: f64,
}

/// Similarities between the screened name's words and list words, keyed by
/// (screened word, list word id).
pub struct Sims {
    /// Pairs that open candidates.
    map: IdMap<(u16, u32), f64>,
    /// Pairs of particles and titles: used in scoring only.
    weak: IdMap<(u16, u32), f64>,
}

impl Sims {
    /// The similarity of screened word `i` and list word `word`, when the
    /// search found the pair.
    pub fn get(&self, i: usize, word: u32) -> Option<f64> {
        let k = (i as u16, word);
        self.map.get(&k).or_else(|| self.weak.get(&k)).copied()
    }
}

/// Whether two equal words were read alike (same class and script flags),
/// so that one's similarities stand for the other's.
fn same_reading(a: &Token, b: &Token) -> bool {
    a.class == b.class && a.abjad == b.abjad && a.romanised == b.romanised && a.acronym_flag() == b.acronym_flag()
}

/// A phonetic form and each form with one letter left out (forms of four
/// letters or more; shorter ones would meet too many unrelated words).
fn deletions(phon: &str) -> Vec<String> {
    if phon.len() < 4 || !phon.is_ascii() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(phon.len() + 1);
    out.push(phon.to_string());
    for k in 0..phon.len() {
        let mut d = String::with_capacity(phon.len() - 1);
        d.push_str(&phon[..k]);
        d.push_str(&phon[k + 1..]);
        out.push(d);
    }
    out
}

fn trigrams(word: &str) -> impl Iterator<Item = [u8; 3]> + '_ {
    let b = word.as_bytes();
    let n = b.len();
    (0..n.max(1)).map(move |k| {
        let at = |i: isize| if i < 0 || i as usize >= n { b'^' } else { b[i as usize] };
        let k = k as isize;
        [at(k - 1), at(k), at(k + 1)]
    })
}

impl NameIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, id: u32) -> &IndexedName {
        &self.names[id as usize]
    }

    /// Adds a list name of entry `entry`; names with no words are skipped.
    pub fn add(&mut self, entry: u32, text: &str) {
        let form = super::analyse(text);
        if form.is_empty() {
            return;
        }
        let id = self.names.len() as u32;
        let mut ids = Vec::with_capacity(form.tokens.len());
        for t in &form.tokens {
            let w = match self.word_ids.get(&t.text) {
                Some(&w) => w,
                None => {
                    let w = self.words.len() as u32;
                    self.word_ids.insert(t.text.clone(), w);
                    self.words.push(t.clone());
                    self.postings.push(Vec::new());
                    self.neighbours.push(OnceLock::new());
                    if t.skel.len() >= 2 {
                        self.by_skeleton.entry(t.skel.clone()).or_default().push(w);
                    }
                    for g in trigrams(&t.text) {
                        self.by_trigram.entry(g).or_default().push(w);
                    }
                    for key in deletions(&t.phon) {
                        let v = self.by_deletion.entry(key).or_default();
                        if v.last() != Some(&w) {
                            v.push(w);
                        }
                    }
                    w
                }
            };
            if self.postings[w as usize].last() != Some(&id) {
                self.postings[w as usize].push(id);
            }
            ids.push(w);
        }
        if form.tokens.len() >= 2 {
            let joined: String = form.tokens.iter().map(|t| t.text.as_str()).collect();
            self.by_joined.entry(joined).or_default().push(id);
            if form.tokens.len() <= 6 {
                let initials: String = form.tokens.iter().map(|t| char::from(t.text.as_bytes()[0])).collect();
                self.by_initials.entry(initials).or_default().push(id);
            }
        }
        let weight = form.tokens.iter().map(|t| t.class.weight()).sum();
        self.names.push(IndexedName { entry, text: text.to_string(), form, ids, weight });
    }

    /// The list words close to each screened word, with their similarity.
    pub fn similarities(&self, q: &NameForm) -> Sims {
        let mut map: IdMap<(u16, u32), f64> = IdMap::default();
        let mut weak_map: IdMap<(u16, u32), f64> = IdMap::default();
        // Particles and titles find nothing worth finding on their own;
        // they still count when a candidate is scored.
        let weak = |t: &Token| matches!(t.class, Class::Particle | Class::Honorific);
        let all_weak = q.tokens.iter().all(weak);
        for (i, t) in q.tokens.iter().enumerate() {
            let exact = self.word_ids.get(&t.text).copied();
            if weak(t) && !all_weak {
                if let Some(w) = exact {
                    weak_map.insert((i as u16, w), 1.0);
                }
                continue;
            }
            let found: &[(u32, f64)];
            let owned;
            match exact {
                // The same word as the list's, read the same way: its
                // neighbours are the list word's own.
                Some(w) if same_reading(t, &self.words[w as usize]) => {
                    found = self.neighbours[w as usize].get_or_init(|| self.search(t, exact).into_boxed_slice());
                }
                _ => {
                    owned = self.search(t, exact);
                    found = &owned;
                }
            }
            for &(w, s) in found {
                map.insert((i as u16, w), s);
            }
        }
        Sims { map, weak: weak_map }
    }

    /// The list words that pair with `t` (similarity above zero).
    fn search(&self, t: &Token, exact: Option<u32>) -> Vec<(u32, f64)> {
        let mut seen: IdMap<u32, f64> = IdMap::default();
        if let Some(w) = exact {
            seen.insert(w, word_similarity(t, &self.words[w as usize]));
        }
        if t.class == Class::Numeric || t.text.len() < 2 {
            // Numbers pair only when equal; initials are scored where they
            // meet a candidate, not searched for.
            return seen.into_iter().filter(|(_, s)| *s > 0.0).collect();
        }
        let mut consider = |w: u32| {
            seen.entry(w).or_insert_with(|| {
                let other = &self.words[w as usize];
                // Words of very different lengths are not one word
                // (Jaro-Winkler would say so too, at more cost).
                if other.text.len().abs_diff(t.text.len()) > 2 + t.text.len().max(other.text.len()) / 3 {
                    0.0
                } else {
                    word_similarity(t, other)
                }
            });
        };
        for v in super::given_name_variants(&t.text) {
            if let Some(&w) = self.word_ids.get(v) {
                consider(w);
            }
        }
        if t.skel.len() >= 2 {
            for &w in self.by_skeleton.get(&t.skel).map(Vec::as_slice).unwrap_or(&[]) {
                consider(w);
            }
        }
        for key in deletions(&t.phon) {
            for &w in self.by_deletion.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                consider(w);
            }
        }
        if exact.is_none() {
            // A word the lists do not use as written may be a typo beyond
            // what skeletons and deletions reach: letter trigrams. (For a
            // word they use, they would only add work.)
            let mut counts: IdMap<u32, u16> = IdMap::default();
            let mut n = 0u16;
            for g in trigrams(&t.text) {
                n += 1;
                for &w in self.by_trigram.get(&g).map(Vec::as_slice).unwrap_or(&[]) {
                    *counts.entry(w).or_default() += 1;
                }
            }
            // Two typos break up to six trigrams; ask for about a third of
            // them in common.
            let need = (n.saturating_sub(1) / 3).max(1);
            for (w, c) in counts {
                let len = self.words[w as usize].text.len();
                if c >= need && len.abs_diff(t.text.len()) <= t.text.len() / 2 + 2 {
                    consider(w);
                }
            }
        }
        let mut out: Vec<(u32, f64)> = seen.into_iter().filter(|(_, s)| *s > 0.0).collect();
        out.sort_unstable_by_key(|p| p.0);
        out
    }

    /// Candidate names for a screened name, best estimate first, at most
    /// `limit`, leaving out those whose estimate is below `floor`.
    pub fn candidates<'a>(&'a self, q: &NameForm, sims: &Sims, floor: f64, limit: usize) -> Vec<Candidate<'a>> {
        let n = q.tokens.len();
        // name id → slot; per slot, the best weighted similarity of each
        // screened word.
        let mut slot_of: Vec<u32> = vec![u32::MAX; self.names.len()];
        let mut slots: Vec<u32> = Vec::new();
        let mut best: Vec<f64> = Vec::new();
        for (&(i, w), &s) in &sims.map {
            let weight = q.tokens[i as usize].class.weight();
            for &name in &self.postings[w as usize] {
                let mut slot = slot_of[name as usize];
                if slot == u32::MAX {
                    slot = slots.len() as u32;
                    slot_of[name as usize] = slot;
                    slots.push(name);
                    best.extend(std::iter::repeat_n(0.0, n));
                }
                let b = &mut best[slot as usize * n + i as usize];
                if weight * s > *b {
                    *b = weight * s;
                }
            }
        }
        let q_weight: f64 = q.tokens.iter().map(|t| t.class.weight()).sum();
        let mut out: Vec<Candidate<'a>> = Vec::new();
        for (k, &id) in slots.iter().enumerate() {
            let per_word = &best[k * n..(k + 1) * n];
            let matched: f64 = per_word.iter().sum();
            let strong = per_word.iter().zip(&q.tokens).filter(|(b, t)| **b >= 0.95 * t.class.weight()).count();
            let name = &self.names[id as usize];
            let l_weight = name.weight;
            // The least the unmatched words can cost: the scorer's rates for
            // extra words, cut when two or more words match outright.
            let (rq, rl) = if strong >= 2 { (0.18, 0.075) } else { (0.6, 0.25) };
            let uq = (q_weight - matched).max(0.0);
            let ul = (l_weight - matched).max(0.0);
            let near = 0.15 * uq.min(ul);
            let estimate = (matched + near) / (matched + rq * uq + rl * ul).max(f64::EPSILON);
            if estimate >= floor {
                out.push(Candidate { name, estimate });
            }
        }
        // Joined and acronym forms: the screened name (or one of its words)
        // written together, or as initials, on the list, and the reverse.
        let mut sure: Vec<u32> = Vec::new();
        let joined: String = q.tokens.iter().map(|t| t.text.as_str()).collect();
        let initials: String = q.tokens.iter().filter_map(|t| t.text.bytes().next()).map(char::from).collect();
        // A key shared by very many names ("al" as initials) says nothing.
        let mut take = |ids: Option<&Vec<u32>>| {
            if let Some(ids) = ids.filter(|v| v.len() <= MAX_SURE_POSTINGS) {
                sure.extend(ids);
            }
        };
        let namelike = |t: &Token| matches!(t.class, Class::Name | Class::Initial);
        for t in q.tokens.iter().filter(|t| namelike(t)) {
            take(self.by_joined.get(&t.text));
            take(self.by_initials.get(&t.text));
        }
        if q.tokens.len() >= 2 {
            take(self.by_joined.get(&joined));
            let initials = Some(&initials).filter(|i| i.len() >= 3);
            for key in std::iter::once(&joined).chain(initials) {
                if let Some(&w) = self.word_ids.get(key.as_str()).filter(|&&w| namelike(&self.words[w as usize])) {
                    take(Some(&self.postings[w as usize]));
                }
            }
            let mut key = String::new();
            for pair in q.tokens.windows(2) {
                key.clear();
                key.push_str(&pair[0].text);
                key.push_str(&pair[1].text);
                if let Some(&w) = self.word_ids.get(&key) {
                    take(Some(&self.postings[w as usize]));
                }
            }
        }
        sure.sort_unstable();
        sure.dedup();
        for id in sure {
            if slot_of[id as usize] == u32::MAX {
                out.push(Candidate { name: &self.names[id as usize], estimate: 1.0 });
                continue;
            }
            match out.iter_mut().find(|c| std::ptr::eq(c.name, &self.names[id as usize])) {
                Some(c) => c.estimate = 1.0,
                None => out.push(Candidate { name: &self.names[id as usize], estimate: 1.0 }),
            }
        }
        out.sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
        out.truncate(limit);
        out
    }

    /// How many list names use a word.
    pub fn document_frequency(&self, word: &str) -> usize {
        self.word_ids.get(word).map_or(0, |&w| self.postings[w as usize].len())
    }

    /// Word id of the `j`-th word of a name.
    pub fn word_id(name: &IndexedName, j: usize) -> u32 {
        name.ids[j]
    }
}
