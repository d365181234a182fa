//! Human-readable rendering of results and transcripts for the terminal.

use std::fmt::Write;
use tradewind_core::{AgentOutcome, StepKind, SwarmResult, TranscriptStep};

fn outcome_header<T>(title: &str, o: &AgentOutcome<T>, ms: f64) -> String {
    match o {
        AgentOutcome::Done { .. } => format!("── {title} ({ms:.1} ms)"),
        AgentOutcome::TimedOut { after_ms } => format!("── {title}: TIMED OUT after {after_ms} ms"),
        AgentOutcome::Failed { error } => format!("── {title}: FAILED: {error}"),
        AgentOutcome::Skipped { reason } => format!("── {title}: not run ({reason})"),
    }
}

pub fn render_result(message: &str, r: &SwarmResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "════ Inquiry {} ({}) ════", r.inquiry_id, r.inquiry.lang.code());
    for line in message.lines().take(8) {
        let _ = writeln!(s, "> {}", line.chars().take(200).collect::<String>());
    }
    if let Some(t) = &r.thread {
        let kinds: Vec<&str> = t.kinds.iter().map(|k| k.as_str()).collect();
        let _ = writeln!(s, "\n── Inquiry {} v{} ({})", t.thread_id, t.version, kinds.join(", "));
        for c in &t.changes {
            let _ = writeln!(s, "  changed: {c}");
        }
        if !t.reused.is_empty() {
            let _ = writeln!(s, "  not re-run (nothing they read changed): {}", t.reused.join(", "));
        }
    }
    let _ = writeln!(s, "\n── Reply to the customer");
    let _ = writeln!(s, "{}\n", r.reply);
    let _ = writeln!(s, "{}", outcome_header("Sales proposal draft", &r.proposal, r.timings.agent("proposal")));
    if let Some(p) = r.proposal.value() {
        let _ = writeln!(s, "{}\n", p.markdown.trim_end());
    }
    let _ = writeln!(s, "{}", outcome_header("Customs pre-check", &r.customs, r.timings.agent("customs")));
    if let Some(c) = r.customs.value() {
        let _ = writeln!(s, "Risk: {}\n{}", c.risk.as_str().to_uppercase(), c.summary);
        for f in &c.findings {
            let cites: Vec<String> = f.citations.iter().map(|c| c.source.clone()).collect();
            let _ = writeln!(s, "  - [{}] {}: {} [{}]", f.level.as_str(), f.kind, f.message, cites.join("; "));
        }
        if !c.documents.is_empty() {
            let _ = writeln!(s, "  Documents: {}", c.documents.join("; "));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "{}", outcome_header("FAQ cards", &r.faq_cards, r.timings.agent("faq")));
    if let Some(cards) = r.faq_cards.value() {
        for c in cards {
            // Cut at a sentence or a word, never mid-word.
            let answer = tradewind_tools::wording::truncate(&c.answer, 240);
            let _ = writeln!(
                s,
                "  ▸ {}\n    {}\n    [{}{}]",
                c.question,
                answer,
                c.citation.source,
                c.citation.section.as_deref().map(|x| format!(" — {x}")).unwrap_or_default()
            );
        }
    }
    // Agents beyond the three above print as their JSON outputs.
    for (name, o) in &r.others {
        let _ = writeln!(s, "{}", outcome_header(name, o, r.timings.agent(name)));
        if let Some(v) = o.value() {
            let _ = writeln!(s, "{}\n", clip(&v.to_string(), 600));
        }
    }
    let t = &r.timings;
    let agents: Vec<String> = t.agents.iter().map(|(n, ms)| format!("{n} {ms:.1}")).collect();
    let _ = writeln!(
        s,
        "\n── Timings: intake {:.1} ms · fan-out {:.1} ms ({}) · total {:.1} ms\n",
        t.intake_ms,
        t.fanout_ms,
        agents.join(", "),
        t.total_ms
    );
    s
}

pub fn render_transcript(steps: &[TranscriptStep]) -> String {
    let mut s = String::new();
    for st in steps {
        let head = format!("#{:<3} {:<9} {:>8.2} ms ", st.seq, st.agent, st.duration_ms);
        let body = match &st.kind {
            StepKind::ToolCall { tool, args, result, error } => {
                let mut b = format!("tool {tool}({})", clip(&args.to_string(), 300));
                match (result, error) {
                    (_, Some(e)) => {
                        let _ = write!(b, "\n      ✗ {e}");
                    }
                    (Some(r), None) => {
                        let _ = write!(b, "\n      → {}", clip(&r.to_string(), 300));
                    }
                    _ => {}
                }
                b
            }
            StepKind::Prompt { system, user } => {
                format!("prompt\n      system: {}\n      user: {}", clip(system, 300), clip(user, 300))
            }
            StepKind::ModelReply { content, prompt_tokens, completion_tokens } => {
                format!("model reply ({prompt_tokens}+{completion_tokens} tokens): {}", clip(content, 300))
            }
            StepKind::Note { message } => format!("note: {message}"),
            StepKind::Output { value } => format!("output: {}", clip(&value.to_string(), 300)),
        };
        let _ = writeln!(s, "{head}{body}");
    }
    s
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The `--json` view: exactly the keys the CLI promises.
pub fn json_view(r: &SwarmResult) -> serde_json::Value {
    let mut v = serde_json::json!({
        "inquiry_id": r.inquiry_id,
        "reply": r.reply,
        "proposal": r.proposal,
        "customs": r.customs,
        "faq_cards": r.faq_cards,
        "timings": r.timings,
        "inquiry": r.inquiry,
    });
    // The conversation's inquiry: its id, version and what this message changed.
    if let Some(t) = &r.thread {
        v["thread"] = serde_json::json!(t);
    }
    // Other agents' outputs, under their names, when any ran.
    if !r.others.is_empty() {
        v["others"] = serde_json::json!(r.others);
    }
    v
}
