//! `daftar office`: the operator sets up the municipality's city-services offices, before
//! any staff member is granted a role in one or any application is taken.

use clap::Subcommand;
use daftar_app::Config;
use daftar_core::roles::OfficeCode;

use crate::open_store;

#[derive(Debug, Subcommand)]
pub enum OfficeCommand {
    /// Sets up an office, or renames one. Its district is its code's first two digits:
    /// applications about that district's properties go to it.
    Add {
        #[command(flatten)]
        config: Config,
        /// The office's four-digit code, e.g. 0101 (district 01, office 01).
        #[arg(value_parser = parse_office)]
        code: OfficeCode,
        /// Its name in Persian, as pages show it.
        #[arg(long)]
        name_fa: String,
        /// Its name in English.
        #[arg(long)]
        name_en: String,
    },
    /// Lists the offices: code, district, Persian name, English name (tab-separated).
    List {
        #[command(flatten)]
        config: Config,
    },
}

fn parse_office(input: &str) -> Result<OfficeCode, String> {
    OfficeCode::parse(input).map_err(|e| e.to_string())
}

pub async fn run(command: OfficeCommand) -> anyhow::Result<()> {
    let config = match &command {
        OfficeCommand::Add { config, .. } | OfficeCommand::List { config } => config.clone(),
    };
    // The store alone: nothing else of an office (its signing key) is made on the
    // operator's machine.
    let store = open_store(&config).await?;
    match command {
        OfficeCommand::Add {
            code,
            name_fa,
            name_en,
            ..
        } => {
            let office =
                daftar_app::accounts::set_up_office(store.as_ref(), code, &name_fa, &name_en)
                    .await
                    .map_err(|e| match e {
                        daftar_app::AccountError::Invalid("office.district") => anyhow::anyhow!(
                            "an office's code starts with its district, 01 to 99 (nothing was \
                             changed)"
                        ),
                        daftar_app::AccountError::Invalid(_) => anyhow::anyhow!(
                            "an office's names must be 1 to {} characters (nothing was changed)",
                            daftar_app::accounts::OFFICE_NAME_MAX_CHARS
                        ),
                        e => anyhow::Error::new(e),
                    })?;
            println!(
                "Office {} of district {} is set up.",
                office.code, office.district
            );
        }
        OfficeCommand::List { .. } => {
            for office in store.offices().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    office.code, office.district, office.name_fa, office.name_en
                );
            }
        }
    }
    Ok(())
}
