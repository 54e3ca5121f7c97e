//! The `ckasim` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser as _;

use ckasim::cli::{self, Cli, Command, Failure};

fn main() -> ExitCode {
    let args = Cli::parse();
    match run(args) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(message)) => {
            for line in message.lines() {
                eprintln!("ckasim: {line}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(args: Cli) -> Result<u8, Failure> {
    let dir = args.scenarios.as_deref();
    match args.command {
        None => {
            let lib = cli::library_or_fail(dir)?;
            print!("{}", cli::list::render(&lib, cli::ListFormat::Text));
            Ok(0)
        }
        Some(Command::List { format }) => {
            let lib = cli::library_or_fail(dir)?;
            print!("{}", cli::list::render(&lib, format));
            Ok(0)
        }
        Some(Command::Validate) => match cli::validate::run(dir) {
            Ok(summary) => {
                print!("{summary}");
                Ok(0)
            }
            Err(lines) => {
                for l in lines {
                    println!("{l}");
                }
                Ok(1)
            }
        },
        Some(Command::Grade(g)) => {
            let lib = cli::library_or_fail(dir)?;
            let entry = lib
                .get(&g.id)
                .ok_or_else(|| cli::unknown_scenario(&lib, &g.id))?;
            let report = if g.snapshot.is_empty() {
                cli::live::grade(entry, g.context.as_deref())?
            } else {
                cli::grade::grade_snapshot(entry, &g.snapshot)?
            };
            cli::grade::emit(&report, &g)?;
            if let Some(line) = cli::live::errors_line(&report) {
                eprintln!("ckasim: {line}");
            }
            Ok(cli::grade::exit_code(&report))
        }
        Some(Command::Snapshot(a)) => cli::snapshot::run(&cli::library_or_fail(dir)?, &a),
        Some(Command::Reset(a)) => cli::reset::run(&cli::library_or_fail(dir)?, &a),
        Some(Command::Doctor(a)) => cli::doctor::run(&cli::library_or_fail(dir)?, &a),
    }
}
