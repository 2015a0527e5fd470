//! `runbook-portal`: serves the portal (by default on the embedded emulator), or the emulator alone.

mod answer;
mod assets;
mod audit_export;
mod cli;
mod config;
mod data_dir;
mod database_probe;
mod form_errors;
mod grants_file;
mod health;
mod logging;
mod metrics_endpoint;
mod oidc;
mod preferences;
mod presentation;
mod probe;
mod probes;
mod public_url;
mod request_log;
mod request_safety;
mod rerun;
mod routes;
mod serve;
mod session_store;
mod shutdown;
mod sign_in;
mod status_streams;
mod trusted_proxy;
mod users;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new()?;
    match cli.command {
        Some(Command::Emulator(args)) => {
            logging::init(args.log_format);
            runtime.block_on(serve::run_emulator(args))
        }
        Some(Command::Serve(args)) => serve(runtime, args),
        Some(Command::Users(args)) => runtime.block_on(users::run(args)),
        Some(Command::Routes) => runtime.block_on(async { routes::print() }),
        Some(Command::Probe(args)) => runtime.block_on(probe::run(args)),
        None => serve(runtime, cli.serve),
    }
}

fn serve(runtime: tokio::runtime::Runtime, args: cli::ServeArgs) -> anyhow::Result<()> {
    let config = config::ServeConfig::resolve(args)?;
    logging::init(config.log_format);
    let served = runtime.block_on(serve::run(config));
    // Tasks still running (watchers, a request past the grace period) do not hold the exit up.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    served
}
