//! `daftar open311`: the operator issues, lists and revokes the API keys of the Open311
//! clients (as the system admin does on `/staff/open311`). A new key is written to
//! standard output once; only its hash is kept.

use clap::Subcommand;
use daftar_app::Config;

use crate::open_store;

#[derive(Debug, Subcommand)]
pub enum Open311Command {
    /// Issues a client an API key and prints it (once).
    Issue {
        #[command(flatten)]
        config: Config,
        /// The client's name, as the admin's page lists it.
        name: String,
    },
    /// Lists the clients: id, issued, revoked, name (tab-separated).
    List {
        #[command(flatten)]
        config: Config,
    },
    /// Revokes a client's key by the client's id.
    Revoke {
        #[command(flatten)]
        config: Config,
        id: i64,
    },
}

pub async fn run(command: Open311Command) -> anyhow::Result<()> {
    let config = match &command {
        Open311Command::Issue { config, .. }
        | Open311Command::List { config }
        | Open311Command::Revoke { config, .. } => config.clone(),
    };
    let store = open_store(&config).await?;
    let complaints = daftar_app::Services::new(&config, store)?.complaints;
    match command {
        Open311Command::Issue { name, .. } => {
            let issued = complaints.issue_open311_key(&name).await?;
            tracing::info!(client = issued.client, "Issued an Open311 key.");
            println!("{}", issued.key);
        }
        Open311Command::List { .. } => {
            for client in complaints.open311_clients().await? {
                let revoked = client
                    .revoked_at
                    .map(|at| at.to_string())
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}",
                    client.id, client.created_at, revoked, client.name
                );
            }
        }
        Open311Command::Revoke { id, .. } => {
            complaints.revoke_open311_key(id).await?;
            tracing::info!(client = id, "Revoked an Open311 key.");
        }
    }
    Ok(())
}
