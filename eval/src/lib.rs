//! `tradewind eval`: quality figures measured on labelled cases: name pairs
//! for screening, inquiries for customs verdicts, messages for intake,
//! dialogues for conversations.

pub mod conversations;
pub mod customs;
pub mod intake;
pub mod screening;

use tradewind_app::{AppError, Config};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum EvalCommand {
    /// Precision, recall and F1 of name screening at each outcome threshold, plus latency.
    Screening(screening::ScreeningEvalArgs),
    /// Risk levels of labelled inquiries against their expected levels.
    Customs(customs::CustomsEvalArgs),
    /// Multi-turn dialogues: is the inquiry after the last turn the expected one?
    Conversations(conversations::ConversationEvalArgs),
    /// Rule-based intake on labelled messages: SKUs, quantities, destination, Incoterm, contact.
    Intake(intake::IntakeEvalArgs),
}

pub async fn run(config: Config, cmd: EvalCommand) -> Result<(), AppError> {
    match cmd {
        EvalCommand::Screening(a) => screening::run(config, a).await,
        EvalCommand::Customs(a) => customs::run(config, a).await,
        EvalCommand::Conversations(a) => conversations::run(config, a).await,
        EvalCommand::Intake(a) => intake::run(config, a).await,
    }
}
