//! The `helpcenter` binary: parse the command line, run the command, map errors to exit codes.

use helpcenter::cli::{self, Command, Invocation};
use helpcenter::error::{exit, Result};
use helpcenter::output::Ui;

/// A site build allocates millions of small strings across threads; mimalloc does that
/// markedly faster than glibc's allocator (see `cargo bench --bench build`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    helpcenter::memory::disable_transparent_huge_pages();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let invocation = match cli::parse(args.clone()) {
        Ok(invocation) => invocation,
        Err(error) => {
            eprintln!("error: {error}");
            cli::early_ui(&args).failure(&error);
            std::process::exit(error.exit_code());
        }
    };
    let ui = Ui::new(invocation.cli.verbosity()).for_command(invocation.command.clone());
    ui.init_logging();
    let code = match run(invocation, args, &ui) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ui.failure(&error);
            error.exit_code()
        }
    };
    std::process::exit(code);
}

fn run(invocation: Invocation, argv: Vec<std::ffi::OsString>, ui: &Ui) -> Result<i32> {
    use helpcenter::commands;
    let Invocation {
        cli,
        config,
        origins,
        ..
    } = invocation;
    match cli.command {
        Command::Pull(args) => commands::pull(args, ui),
        Command::Build(args) => commands::build(args, &origins, ui).map(|()| exit::OK),
        Command::Serve(args) => commands::serve(args, config.as_ref(), argv).map(|()| exit::OK),
        Command::Push(args) => commands::push(args, ui),
        Command::Merge(args) => commands::merge(args, ui),
        Command::Config => commands::config(config.as_ref(), ui).map(|()| exit::OK),
        Command::Completions { shell } => commands::completions(shell).map(|()| exit::OK),
        Command::Archive(args) => commands::archive(args, ui).map(|()| exit::OK),
        Command::Verify(args) => commands::verify(args, ui),
        Command::Restore(args) => commands::restore(args, ui).map(|()| exit::OK),
    }
}
