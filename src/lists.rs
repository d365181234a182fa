//! `tradewind lists import <format> <path>` (being written).

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ListsCommand {
    /// Import a screening list or the HS nomenclature into the local index.
    Import {
        /// ofac-sdn (sdn.csv; alt.csv and add.csv beside it), csl (Consolidated Screening List CSV, 2019 or current layout), dpl (BIS Denied Persons List), hs (HS 2022 nomenclature CSV).
        format: String,
        path: PathBuf,
    },
}

pub async fn run(_config: crate::Config, _cmd: ListsCommand) -> Result<(), crate::AppError> {
    Err(crate::AppError::Internal("lists import is not written yet".into()))
}
