//! Each subcommand's glue: turn parsed flags into options, run, print the summary.

use crate::cli::PullArgs;
use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::output::Ui;
use crate::pull::{self, PullOptions};

/// `helpcenter pull`
pub fn pull(args: PullArgs, ui: &Ui) -> Result<()> {
    let client = Client::new(args.connection.client_options()?)?;
    let options = PullOptions {
        snapshot: args.snapshot,
        help_center: args.help_center,
    };
    let report = runtime()?.block_on(pull::pull(&client, &options, ui))?;
    ui.summary(&report.summary_line(), &report);
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Api(format!("cannot start the async runtime: {e}")))
}
