//! `tradewind users`: the console's accounts. Passwords are read from
//! standard input (never from the command line, where `ps` would show
//! them); a token is printed once and only its digest is kept.

use anyhow::Context;
use std::io::BufRead;
use tradewind_app::Config;
use tradewind_console::{Role, UserStore};

#[derive(clap::Subcommand)]
pub enum UsersCommand {
    /// Add an operator. With --password-stdin the first line of standard input is the password.
    Add {
        /// The sign-in name: 1-64 of A-Z, a-z, 0-9, '.', '_', '-', '@'.
        name: String,
        /// admin, sales, compliance, logistics, support or finance.
        #[arg(long)]
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List operators (no secrets).
    List,
    /// Revoke an operator's password, tokens and sessions.
    Revoke {
        /// The operator to revoke.
        name: String,
    },
    /// Issue an API token for an operator (shown once).
    Token {
        /// The operator the token signs in as.
        name: String,
    },
}

pub fn store(config: &Config) -> UserStore {
    let path = config.console.users_file.clone().unwrap_or_else(|| tradewind_app::data_root(config).join("users.json"));
    UserStore::open(path)
}

pub fn run(config: &Config, cmd: UsersCommand) -> anyhow::Result<()> {
    let users = store(config);
    match cmd {
        UsersCommand::Add { name, role, password_stdin } => {
            let role = Role::parse(&role).with_context(|| {
                format!("unknown role '{role}'; use admin, sales, compliance, logistics, support or finance")
            })?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            users.add(&name, role, password.as_deref())?;
            println!("added {name} ({}) to {}", role.as_str(), users.path().display());
            if password.is_none() {
                println!("no password: sign in with a token (tradewind users token {name})");
            }
        }
        UsersCommand::List => {
            for u in users.list()? {
                println!(
                    "{:<20} {:<11} {}{} token(s){}",
                    u.name,
                    u.role.as_str(),
                    if u.password.is_some() { "password, " } else { "" },
                    u.tokens.len(),
                    if u.revoked { ", REVOKED" } else { "" }
                );
            }
        }
        UsersCommand::Revoke { name } => {
            users.revoke(&name)?;
            println!("revoked {name}");
        }
        UsersCommand::Token { name } => {
            println!("{}", users.issue_token(&name)?);
        }
    }
    Ok(())
}
