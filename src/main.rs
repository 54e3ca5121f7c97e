//! The `ckasim` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser as _;

use ckasim::cli::{self, Cli, Command, Failure};

fn main() -> ExitCode {
    let args = match Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(&e),
    };
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

/// Help and version go out as clap prints them; a usage mistake is one line.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.render().to_string();
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    eprintln!("ckasim: {first} (see 'ckasim --help')");
    ExitCode::from(2)
}

fn run(args: Cli) -> Result<u8, Failure> {
    let dir = args.scenarios.as_deref();
    match args.command {
        None => cli::start::picker(cli::library_or_fail(dir)?),
        Some(Command::Start(s)) => cli::start::start(cli::library_or_fail(dir)?, &s),
        Some(Command::Replay(r)) => cli::start::replay(cli::library_or_fail(dir)?, &r),
        Some(Command::List { format }) => {
            let lib = cli::library_or_fail(dir)?;
            ckasim::out!("{}", cli::list::render(&lib, format));
            Ok(0)
        }
        Some(Command::Validate) => match cli::validate::run(dir) {
            Ok(summary) => {
                ckasim::out!("{summary}");
                Ok(0)
            }
            Err(lines) => {
                for l in lines {
                    ckasim::outln!("{l}");
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
            if g.record {
                let store = ckasim::session::Store::new(&ckasim::paths::home());
                cli::grade::record(&store, entry, &report)?;
            }
            Ok(cli::grade::exit_code(&report))
        }
        Some(Command::PodSecurity(p)) => {
            let verdicts = cli::pod_security::evaluate(&p)?;
            ckasim::out!(
                "{}",
                cli::pod_security::render(&verdicts, p.format, p.version)
            );
            Ok(0)
        }
        Some(Command::NetworkPolicy(n)) => {
            let answer = cli::network_policy::evaluate(&n)?;
            ckasim::out!("{}", cli::network_policy::render(&answer, n.format));
            Ok(u8::from(!answer.verdict.allowed))
        }
        Some(Command::History(h)) => cli::history::run(&h, dir),
        Some(Command::Export(e)) => cli::export::run(&e, dir),
        Some(Command::Snapshot(a)) => cli::snapshot::run(&cli::library_or_fail(dir)?, &a),
        Some(Command::Reset(a)) => cli::reset::run(&cli::library_or_fail(dir)?, &a),
        Some(Command::Doctor(a)) => cli::doctor::run(&cli::library_or_fail(dir)?, &a),
        Some(Command::Auth(a)) => cli::auth::run(&a),
    }
}
