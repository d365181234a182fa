//! The screening lists and the HS nomenclature the app runs with: imported
//! ones from the lists folder (`data/lists` by default), else the built-in
//! ones.

use tradewind_tools::customs::{Nomenclature, ScreeningList};

use crate::{AppError, Config};

/// The screening lists imported into the lists folder, or the embedded demo
/// list when none has been imported. A list file that cannot be read stops
/// start-up: screening silently without a list would clear everyone.
pub fn load_screening(config: &Config) -> Result<ScreeningList, AppError> {
    let dir = lists_dir(config);
    let list = match ScreeningList::load_dir(&dir) {
        Ok(Some(l)) => l,
        Ok(None) => ScreeningList::demo().map_err(|e| AppError::Config(e.to_string()))?,
        Err(e) => return Err(AppError::Config(format!("screening lists in {}: {e}", dir.display()))),
    };
    Ok(list.with_max_list_age_days(config.screening.max_list_age_days))
}

/// Where imported lists live: `lists/` beside the knowledge data folder
/// (`data/lists` by default, `$TRADEWIND_DATA_DIR/lists` when that is set).
pub fn lists_dir(config: &Config) -> std::path::PathBuf {
    config.knowledge.lists_dir.clone().unwrap_or_else(|| crate::data_root(config).join("lists"))
}

/// The HS nomenclature imported into the lists folder, or the built-in
/// table when none was. A stored file that cannot be read stops start-up:
/// checking codes against a silently smaller table would hide the problem.
pub fn load_nomenclature(config: &Config) -> Result<Nomenclature, AppError> {
    let dir = lists_dir(config);
    match Nomenclature::load(&dir) {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Nomenclature::builtin().map_err(|e| AppError::Config(e.to_string())),
        Err(e) => Err(AppError::Config(e.to_string())),
    }
}
