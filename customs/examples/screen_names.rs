//! Development aid: screens names against a list read straight from the
//! OFAC legacy CSV (`cargo run -p tradewind-customs --release --example
//! screen_names -- <sdn.csv> [name …]`). Without names it times screening
//! each line of standard input. `tradewind bench screening` is the command
//! that reports the figures.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use tradewind_customs::lists;
use tradewind_customs::ScreeningList;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: screen_names <sdn.csv> [name …]");
        std::process::exit(2);
    };
    let t = Instant::now();
    let list = match lists::parse("ofac-sdn", &path, Some("2019-01-01")) {
        Ok(l) => ScreeningList::from_lists(vec![l]),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    eprintln!("{} entries, {} names in {:?}", list.len(), list.name_count(), t.elapsed());
    let names: Vec<String> = args.collect();
    if !names.is_empty() {
        for n in &names {
            let t = Instant::now();
            let hits = list.screen(n, None);
            println!("{n}: {:?}", t.elapsed());
            for h in hits {
                println!("  {:.3} {:?} {} [{}] {}", h.score, h.outcome, h.entry_name, h.matched_name, h.why);
            }
        }
        return;
    }
    let queries: Vec<String> = std::io::stdin().lock().lines().map_while(Result::ok).collect();
    for q in &queries {
        let _ = list.screen(q, None);
    }
    let mut us = Vec::new();
    for q in &queries {
        let t = Instant::now();
        let _ = list.screen(q, None);
        us.push((t.elapsed().as_secs_f64() * 1e6, q));
    }
    us.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = |p: f64| us[((us.len() - 1) as f64 * p) as usize].0;
    println!("{} queries: p50 {:.0} µs p99 {:.0} µs max {:.0} µs", us.len(), at(0.5), at(0.99), at(1.0));
    for (t, q) in us.iter().rev().take(5) {
        println!("  slow {t:.0} µs {q}");
    }
}
