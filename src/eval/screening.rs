//! `tradewind eval screening` (being written).

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ScreeningEvalArgs {
    /// CSV with columns name1, name2, is_match.
    #[arg(long)]
    pub cases: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(_config: crate::Config, _args: ScreeningEvalArgs) -> Result<(), crate::AppError> {
    Err(crate::AppError::Internal("eval screening is not written yet".into()))
}
