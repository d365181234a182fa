//! Development aid: scores every labelled pair of a name-benchmark CSV and
//! prints the errors at both thresholds (`cargo run -p tradewind-customs
//! --example name_pairs -- <cases.csv>`). `tradewind eval screening` is the
//! command that reports the figures.

use std::path::PathBuf;

use tradewind_customs::names::pairs::read_pairs;
use tradewind_customs::names::{analyse, compare};
use tradewind_customs::{MATCH_THRESHOLD, REVIEW_THRESHOLD};

fn main() {
    let Some(path) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: name_pairs <cases.csv>");
        std::process::exit(2);
    };
    let pairs = match read_pairs(&path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut scored = Vec::new();
    for p in &pairs {
        let c = compare(&analyse(&p.name1), &analyse(&p.name2));
        scored.push((c.score, p.is_match, p, c.why));
    }
    for (t, label) in [(MATCH_THRESHOLD, "match"), (REVIEW_THRESHOLD, "potential")] {
        let tp = scored.iter().filter(|s| s.0 >= t && s.1).count();
        let fp = scored.iter().filter(|s| s.0 >= t && !s.1).count();
        let fneg = scored.iter().filter(|s| s.0 < t && s.1).count();
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fneg).max(1) as f64;
        println!("{label:<10} t={t:.2} P={p:.3} R={r:.3} F1={:.3} tp={tp} fp={fp} fn={fneg}", 2.0 * p * r / (p + r));
    }
    if std::env::args().any(|a| a == "-a") {
        for (s, m, p, why) in &scored {
            println!("ALL\t{s:.3}\t{m}\t{}\t{}\t{why}", p.name1, p.name2);
        }
    }
    let verbose = std::env::args().any(|a| a == "-v");
    if verbose {
        for (s, m, p, why) in &scored {
            let wrong_match = (*s >= MATCH_THRESHOLD) != *m;
            let missed_review = *m && *s < REVIEW_THRESHOLD;
            if wrong_match || missed_review {
                println!("{} {:.3} {} | {} | {}", if *m { "FN" } else { "FP" }, s, p.name1, p.name2, why);
            }
        }
    }
}
