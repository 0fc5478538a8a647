//! The `numba-wasm` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use numba_wasm::input::Source;

#[derive(Parser)]
#[command(
    name = "numba-wasm",
    version,
    about = "Compile Numba @njit kernels' LLVM IR to WebAssembly + JS/TS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build OUTDIR/NAME.wasm, NAME.js and NAME.d.ts from Numba IR dumps.
    Build {
        /// IR files (text or bitcode); `-` or nothing reads standard input.
        inputs: Vec<String>,
        /// Output directory.
        #[arg(short, long)]
        out_dir: PathBuf,
        /// Base name of the output files.
        #[arg(long, default_value = "kernels")]
        name: String,
        /// Return type of a function whose dump does not record it, e.g.
        /// `--return total=float64` (needed for bare NUMBA_DUMP_LLVM captures).
        #[arg(long = "return", value_name = "NAME=TYPE", value_parser = parse_return)]
        returns: Vec<(String, String)>,
    },
    /// List the entry points found in the dumps and what would stop a build.
    Inspect {
        /// IR files (text or bitcode); `-` or nothing reads standard input.
        inputs: Vec<String>,
        /// Return type of a function whose dump does not record it.
        #[arg(long = "return", value_name = "NAME=TYPE", value_parser = parse_return)]
        returns: Vec<(String, String)>,
    },
    /// Regenerate NAME.js and NAME.d.ts beside an existing NAME.wasm.
    Wrap {
        /// A `.wasm` built by numba-wasm.
        wasm: PathBuf,
    },
}

fn parse_return(s: &str) -> Result<(String, String), String> {
    let (name, ty) = s
        .split_once('=')
        .ok_or("expected NAME=TYPE, e.g. total=float64")?;
    numba_wasm::numba::types::NumbaType::parse(ty).map_err(|e| e.to_string())?;
    Ok((name.trim().to_string(), ty.trim().to_string()))
}

fn read_sources(inputs: &[String]) -> anyhow::Result<Vec<Source>> {
    if inputs.is_empty() {
        return Ok(vec![Source::read("-")?]);
    }
    inputs.iter().map(|i| Source::read(i)).collect()
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Build {
            inputs,
            out_dir,
            name,
            returns,
        } => {
            if name.is_empty() || name.contains(['/', '\\']) {
                anyhow::bail!("--name must be a plain file name, got `{name}`");
            }
            let sources = read_sources(&inputs)?;
            let a = numba_wasm::build(&sources, &returns, &out_dir, &name)?;
            eprintln!(
                "wrote {}, {}, {}",
                a.wasm.display(),
                a.js.display(),
                a.dts.display()
            );
        }
        Command::Inspect { inputs, returns } => {
            let sources = read_sources(&inputs)?;
            for r in numba_wasm::inspect(&sources, &returns)? {
                match &r.signature {
                    Ok((sig, _)) => println!("{}  {}", r.qualname, sig),
                    Err(why) => println!("{}  <signature unknown: {why}>", r.qualname),
                }
                println!("    symbol: {}", r.symbol);
                println!("    name from: {}", r.name_source);
                if let Ok((_, source)) = &r.signature {
                    println!("    return type from: {source}");
                }
                for p in &r.problems {
                    println!("    blocks the build: `{}` {}", p.symbol, p.reason);
                }
            }
        }
        Command::Wrap { wasm } => {
            let bytes = std::fs::read(&wasm)?;
            let name = wasm
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("kernels")
                .to_string();
            let dir = wasm.parent().map(PathBuf::from).unwrap_or_default();
            numba_wasm::write_outputs(&bytes, &dir, &name)?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("numba-wasm: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
