//! The `numba-wasm` command line.

use std::fmt::Display;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use numba_wasm::codegen::SimdLevel;
use numba_wasm::diagnostic::{Diagnostic, Diagnostics};
use numba_wasm::input::Source;
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "numba-wasm",
    version,
    about = "Compile Numba @njit kernels' LLVM IR to WebAssembly + JS/TS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How to print diagnostics: `human` text on stderr, or `json`, one
    /// object per line on stdout (as cargo does).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

/// One line of `--message-format json`; `reason` says which kind, as in
/// cargo's messages.
#[derive(Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum Message<'a> {
    Diagnostic(&'a Diagnostic),
    /// An entry point `inspect` found.
    Entry {
        function: &'a str,
        symbol: &'a str,
        signature: Option<String>,
        name_from: String,
        return_type_from: Option<String>,
        /// Compiled with `parallel=True`; runs on one thread in wasm.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        parallel: bool,
    },
    /// The last line of each command: whether it succeeded.
    BuildFinished {
        success: bool,
    },
    InspectFinished {
        success: bool,
    },
    WrapFinished {
        success: bool,
    },
}

/// Print one line on stdout. A closed stdout (`| head`) is the reader's
/// choice, not a failure to report, and must not panic like `println!`.
fn say(line: impl Display) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn emit(message: &Message<'_>) {
    say(serde_json::to_string(message).expect("messages serialize"));
}

#[derive(Subcommand)]
enum Command {
    /// Build OUTDIR/NAME.wasm, NAME.js and NAME.d.ts from Numba IR dumps.
    Build {
        /// IR files (text or bitcode); `-` or nothing reads standard input.
        inputs: Vec<String>,
        /// Output directory.
        #[arg(short, long, required_unless_present = "package")]
        out_dir: Option<PathBuf>,
        /// Also (or instead) write an npm package into DIR: the three files
        /// plus package.json and README.md.
        #[arg(long, value_name = "DIR")]
        package: Option<PathBuf>,
        /// The package's npm name (default: --name).
        #[arg(long, value_name = "NAME", requires = "package")]
        package_name: Option<String>,
        /// The package's version.
        #[arg(
            long,
            value_name = "VERSION",
            requires = "package",
            default_value = "0.1.0"
        )]
        package_version: String,
        /// Base name of the output files.
        #[arg(long, default_value = "kernels")]
        name: String,
        /// Return type of a function whose dump does not record it, e.g.
        /// `--return total=float64` (needed for bare NUMBA_DUMP_LLVM captures).
        #[arg(long = "return", value_name = "NAME=TYPE", value_parser = parse_return)]
        returns: Vec<(String, String)>,
        /// No SIMD instructions at all, for engines without WebAssembly
        /// SIMD (kernels and runtime scalar; results identical, slower).
        #[arg(long, conflicts_with = "relaxed_simd")]
        no_simd: bool,
        /// Also use relaxed SIMD (fused multiply-add at the engine's choice):
        /// float results may round differently from native Numba. Needs
        /// Chrome 114+ or Node 22+ (Node 20: --experimental-wasm-relaxed-simd).
        #[arg(long)]
        relaxed_simd: bool,
        /// Smaller output: NAME.js without comments or layout and with short
        /// local names, NAME.wasm without names for debuggers.
        #[arg(long)]
        minify: bool,
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
        /// Smaller output: NAME.js without comments or layout and with short
        /// local names, NAME.wasm without names for debuggers.
        #[arg(long)]
        minify: bool,
    },
}

/// `NAME=TYPE`; the type is parsed where the entry it names is described,
/// so that its error names the function (and quotes a bounded excerpt).
fn parse_return(s: &str) -> Result<(String, String), String> {
    let (name, ty) = s
        .split_once('=')
        .ok_or("expected NAME=TYPE, e.g. total=float64")?;
    Ok((name.trim().to_string(), ty.trim().to_string()))
}

fn read_sources(inputs: &[String]) -> anyhow::Result<Vec<Source>> {
    if inputs.is_empty() {
        return Ok(vec![Source::read("-")?]);
    }
    inputs.iter().map(|i| Source::read(i)).collect()
}

impl Command {
    /// The summary line that ends this command's JSON output.
    fn finished(&self, success: bool) -> Message<'static> {
        match self {
            Command::Build { .. } => Message::BuildFinished { success },
            Command::Inspect { .. } => Message::InspectFinished { success },
            Command::Wrap { .. } => Message::WrapFinished { success },
        }
    }
}

fn run(command: &Command, format: MessageFormat) -> anyhow::Result<()> {
    match command {
        Command::Build {
            inputs,
            out_dir,
            package,
            package_name,
            package_version,
            name,
            returns,
            no_simd,
            relaxed_simd,
            minify,
        } => {
            if name.is_empty() || name.contains(['/', '\\']) {
                anyhow::bail!("--name must be a plain file name, got `{name}`");
            }
            // Checked before compiling: a bad name fails fast.
            let info = package
                .as_ref()
                .map(|_| {
                    numba_wasm::package::PackageInfo::new(
                        package_name.as_deref().unwrap_or(name),
                        package_version,
                    )
                })
                .transpose()?;
            let sources = read_sources(inputs)?;
            let simd = match (no_simd, relaxed_simd) {
                (true, _) => SimdLevel::None,
                (_, true) => SimdLevel::Relaxed,
                _ => SimdLevel::Simd128,
            };
            let options = numba_wasm::Options { simd };
            let (wasm, _) = numba_wasm::compile_with(&sources, returns, &options)?;
            if let Some(out_dir) = out_dir {
                let a = numba_wasm::write_outputs(&wasm, out_dir, name, *minify)?;
                eprintln!(
                    "wrote {}, {}, {}",
                    a.wasm.display(),
                    a.js.display(),
                    a.dts.display()
                );
            }
            if let (Some(dir), Some(info)) = (package, info) {
                numba_wasm::package::write_package(&wasm, dir, name, &info, *minify)?;
                eprintln!(
                    "wrote npm package {}@{} in {}",
                    info.name,
                    info.version,
                    dir.display()
                );
            }
        }
        Command::Inspect { inputs, returns } => {
            let sources = read_sources(inputs)?;
            let reports = numba_wasm::inspect(&sources, returns)?;
            if format == MessageFormat::Json {
                for r in &reports {
                    inspect_json(r);
                }
                return Ok(());
            }
            for r in reports {
                match &r.signature {
                    Ok((sig, _)) => say(format_args!("{}  {}", r.qualname, sig)),
                    Err(why) => say(format_args!("{}  <signature unknown: {why}>", r.qualname)),
                }
                say(format_args!("    symbol: {}", r.symbol));
                say(format_args!("    name from: {}", r.name_source));
                if let Ok((_, source)) = &r.signature {
                    say(format_args!("    return type from: {source}"));
                }
                if r.parallel {
                    say(format_args!("    parallel: {}", numba_wasm::PARALLEL_NOTE));
                }
                for p in &r.problems {
                    say(format_args!(
                        "    blocks the build: `{}` {}",
                        p.symbol, p.reason
                    ));
                }
            }
        }
        Command::Wrap { wasm, minify } => {
            let bytes =
                std::fs::read(wasm).with_context(|| format!("cannot read `{}`", wasm.display()))?;
            let name = wasm
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("kernels")
                .to_string();
            let dir = wasm.parent().map(PathBuf::from).unwrap_or_default();
            numba_wasm::write_outputs(&bytes, &dir, &name, *minify)?;
        }
    }
    Ok(())
}

/// One entry object, then a diagnostic for each thing that would stop its
/// build (the command itself succeeds).
fn inspect_json(r: &numba_wasm::EntryReport) {
    let signature = r.signature.as_ref().ok();
    emit(&Message::Entry {
        function: &r.qualname,
        symbol: &r.symbol,
        signature: signature.map(|(sig, _)| sig.clone()),
        name_from: r.name_source.to_string(),
        return_type_from: signature.map(|(_, source)| source.to_string()),
        parallel: r.parallel,
    });
    if let Err(d) = &r.signature {
        emit(&Message::Diagnostic(d));
    }
    for p in &r.problems {
        let d = p.diagnostic(&r.qualname, signature.map(|(sig, _)| sig.as_str()));
        emit(&Message::Diagnostic(&d));
    }
}

/// The message format, for LLVM's fatal errors, which arrive outside `run`.
static FORMAT: std::sync::OnceLock<(MessageFormat, &'static str)> = std::sync::OnceLock::new();

/// LLVM's fatal errors (a construct it cannot lower, memory exhausted by
/// corrupt bitcode) end here instead of in "LLVM ERROR" and an abort.
extern "C" fn llvm_fatal(reason: *const std::ffi::c_char) {
    // SAFETY: LLVM passes a NUL-terminated message.
    let reason = unsafe { std::ffi::CStr::from_ptr(reason) }.to_string_lossy();
    let doing = numba_wasm::diagnostic::activity();
    let what = doing.as_deref().unwrap_or("working");
    let hint = if what.starts_with("parsing") {
        "the input is corrupt or is not LLVM IR from Numba"
    } else {
        "LLVM cannot compile this construct for wasm32; please report it with the input"
    };
    let d = Diagnostic::error(format!(
        "LLVM failed while {what}: {}; {hint}",
        numba_wasm::diagnostic::excerpt_lines(&reason)
    ))
    .hint(hint);
    match FORMAT.get().copied() {
        Some((MessageFormat::Json, finished)) => {
            emit(&Message::Diagnostic(&d));
            say(serde_json::json!({ "reason": finished, "success": false }));
        }
        _ => eprintln!("numba-wasm: error: {d}"),
    }
    std::process::exit(1);
}

/// The Numba releases whose fixtures this build was tested with.
const NUMBA_VERSIONS: &str = include_str!("../fixtures/numba-versions.txt");

/// `--version`: the LLVM inside and the supported Numba releases (the
/// Python helper reads the last line to warn about other Numbas).
fn long_version() -> String {
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: writes three integers.
    unsafe { inkwell::llvm_sys::core::LLVMGetVersion(&mut major, &mut minor, &mut patch) };
    let numba: Vec<&str> = NUMBA_VERSIONS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    format!(
        "{}\nLLVM {major}.{minor}.{patch}\nNumba versions with fixtures: {}",
        env!("CARGO_PKG_VERSION"),
        numba.join(" ")
    )
}

fn parse_cli() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    // clap keeps a `&'static str`; the text is made once per process.
    let text: &'static str = Box::leak(long_version().into_boxed_str());
    let matches = Cli::command().long_version(text).try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// Set in the worker process that does the work (see `supervise`).
const WORKER_ENV: &str = "NUMBA_WASM_WORKER";

/// Run this same command in a worker process and wait for it. LLVM can
/// crash on corrupt input in ways no check foresees (a segfault in its IR
/// parser on an out-of-range value number); the worker dies, and this
/// process turns that into a clean error with exit 1. `None` when no worker
/// can be started: the command then runs in this process.
fn supervise() -> Option<ExitCode> {
    use std::os::unix::process::ExitStatusExt;
    let exe = std::env::current_exe().ok()?;
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(WORKER_ENV, "1")
        .status()
        .ok()?;
    if let Some(code) = status.code() {
        return Some(ExitCode::from(u8::try_from(code).unwrap_or(1)));
    }
    let signal = status.signal().unwrap_or(0);
    let why = match signal {
        9 => "was killed (SIGKILL; out of memory?)".to_string(),
        11 => "crashed (SIGSEGV)".to_string(),
        6 => "aborted (SIGABRT)".to_string(),
        n => format!("died of signal {n}"),
    };
    let hint = "the input is probably corrupt or not LLVM IR from Numba; if it is Numba's own \
                output, please report it with the input";
    let d = Diagnostic::error(format!("numba-wasm's LLVM stage {why}: {hint}")).hint(hint);
    match parse_cli() {
        Ok(cli) if cli.message_format == MessageFormat::Json => {
            emit(&Message::Diagnostic(&d));
            emit(&cli.command.finished(false));
        }
        _ => eprintln!("numba-wasm: error: {d}"),
    }
    Some(ExitCode::FAILURE)
}

fn main() -> ExitCode {
    if std::env::var_os(WORKER_ENV).is_none()
        && let Some(code) = supervise()
    {
        return code;
    }
    let cli = match parse_cli() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let format = cli.message_format;
    let finished_reason = match cli.command.finished(false) {
        Message::BuildFinished { .. } => "build-finished",
        Message::InspectFinished { .. } => "inspect-finished",
        _ => "wrap-finished",
    };
    let _ = FORMAT.set((format, finished_reason));
    numba_wasm::codegen::on_llvm_fatal_error(llvm_fatal);
    let finished = |success| cli.command.finished(success);
    let result = run(&cli.command, format);
    if let Err(e) = &result {
        match format {
            MessageFormat::Human => eprintln!("numba-wasm: error: {e:#}"),
            MessageFormat::Json => {
                for d in Diagnostics::of(e) {
                    emit(&Message::Diagnostic(&d));
                }
            }
        }
    }
    if format == MessageFormat::Json {
        emit(&finished(result.is_ok()));
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
