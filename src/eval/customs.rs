//! `tradewind eval customs` (being written).

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct CustomsEvalArgs {
    /// JSON Lines of labelled inquiries with their expected risk levels.
    #[arg(long)]
    pub cases: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(_config: crate::Config, _args: CustomsEvalArgs) -> Result<(), crate::AppError> {
    Err(crate::AppError::Internal("eval customs is not written yet".into()))
}
