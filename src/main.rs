//! The `helpcenter` binary: parse the command line, run the command, map errors to exit codes.

use clap::Parser;

use helpcenter::cli::{Cli, Command};
use helpcenter::error::{exit, Result};
use helpcenter::output::Ui;

/// A site build allocates millions of small strings across threads; mimalloc does that
/// markedly faster than glibc's allocator (see `cargo bench --bench build`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    let ui = Ui::new(cli.verbosity());
    ui.init_logging();
    let code = match run(cli, &ui) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli, ui: &Ui) -> Result<i32> {
    match cli.command {
        Command::Pull(args) => helpcenter::commands::pull(args, ui).map(|()| exit::OK),
        Command::Build(args) => helpcenter::commands::build(args, ui).map(|()| exit::OK),
        Command::Push(args) => helpcenter::commands::push(args, ui),
        Command::Archive(args) => helpcenter::commands::archive(args, ui).map(|()| exit::OK),
        Command::Verify(args) => helpcenter::commands::verify(args, ui),
        Command::Restore(args) => helpcenter::commands::restore(args, ui).map(|()| exit::OK),
    }
}
