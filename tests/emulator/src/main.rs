//! `partner-referrals-emulator`: see `--help`.

use std::io::Write;
use std::process::ExitCode;

use partner_referrals_emulator::cli::{parse_args, Command, USAGE};
use partner_referrals_emulator::Emulator;

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(config) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    // One line on stdout, flushed, so scripts can read the URL.
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "emulator listening on {}", emulator.base_url());
    let _ = stdout.flush();
    emulator.wait();
    ExitCode::SUCCESS
}
