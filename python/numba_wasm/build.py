"""`numba_wasm.build`: Numba dispatchers -> .wasm + .js + .d.ts via the CLI."""
from __future__ import annotations

import functools
import io
import json
import subprocess
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from . import _ir
from ._binary import find_binary
from .errors import BuildError, Diagnostic, UntestedNumbaWarning

#: One overload: (dispatcher, tuple of Numba argument types).
Overload = tuple[Any, tuple]
#: A dispatcher, dispatchers, or {dispatcher: [example args or signature, ...] | None}.
Targets = Any | Iterable[Any] | Mapping[Any, Any]
#: Which WebAssembly SIMD instructions the module may hold: "simd128" (the
#: default; every current browser, Node >= 16.4), "none" (engines without
#: SIMD; same results, slower) or "relaxed" (simd128 plus relaxed SIMD's fused
#: multiply-add: Chrome >= 114, Node >= 22 or Node 20 with
#: --experimental-wasm-relaxed-simd; float results may round differently
#: from native Numba). The binary's --no-simd / --relaxed-simd.
SimdLevel = Literal["simd128", "none", "relaxed"]
SIMD_FLAGS: dict[str, list[str]] = {"simd128": [], "none": ["--no-simd"],
                                    "relaxed": ["--relaxed-simd"]}


@dataclass(frozen=True)
class BuildResult:
    """Paths of the written files and the functions they export."""

    wasm: Path
    js: Path
    dts: Path
    #: (Python name, Numba signature) per exported overload, in build order.
    functions: list[tuple[str, str]] = field(default_factory=list)


def build(targets: Targets, out_dir: str | Path, name: str = "kernels", *,
          simd: SimdLevel = "simd128", minify: bool = False) -> BuildResult:
    """Compile Numba dispatchers to `out_dir/name.{wasm,js,d.ts}`.

    `targets` is
      - a dispatcher or a list of dispatchers: all their existing overloads
        (explicit signatures, or those compiled by earlier calls);
      - a dict `{dispatcher: spec}` where `spec` is None / [] (existing
        overloads), a list whose items are example-argument tuples or Numba
        signatures (`"float64(float64[:])"`), or a single example-argument
        tuple. Example arguments are compiled, never run.
    `simd` chooses the SIMD instructions (`SimdLevel`).
    `minify`: smaller output: `name.js` without comments or layout and with
    short local names, `name.wasm` without names for debuggers.
    Raises BuildError (with `.functions` and `.stderr`) if anything fails.
    """
    return build_overloads(resolve_targets(targets), out_dir, name, simd=simd, minify=minify)


def resolve_targets(targets: Targets) -> list[Overload]:
    """The (dispatcher, argument types) overloads a `targets` value stands for."""
    if _ir.is_dispatcher(targets):
        items: list[tuple[Any, Any]] = [(targets, None)]
    elif isinstance(targets, Mapping):
        items = list(targets.items())
    elif isinstance(targets, Iterable) and not isinstance(targets, (str, bytes)):
        items = [(d, None) for d in targets]
    else:
        raise TypeError(f"build() expects Numba dispatchers, got {targets!r}")
    out: list[Overload] = []
    for disp, spec in items:
        _check_dispatcher(disp)
        keys = _keys_for_spec(disp, spec)
        out.extend((disp, k) for k in keys if (disp, k) not in out)
    if not out:
        raise BuildError("nothing to build: no dispatchers given")
    return out


def _check_dispatcher(disp: Any) -> None:
    if not _ir.is_dispatcher(disp):
        raise TypeError(f"expected a Numba @njit dispatcher, got {disp!r}")


def _keys_for_spec(disp: Any, spec: Any) -> list[tuple]:
    qual = disp.py_func.__qualname__
    if spec is None or (isinstance(spec, (list, tuple)) and len(spec) == 0):
        keys = list(disp.overloads)
        if not keys:
            raise BuildError(
                f"`{_ir.full_name(disp)}` has no compiled overloads: give it a "
                f"signature or example arguments, e.g. "
                f"@njit(\"float64(float64[:])\") or "
                f"build({{{disp.py_func.__name__}: [(arg1, ...)]}}, ...)",
                functions=[qual])
        return keys
    if isinstance(spec, tuple):        # one tuple of example arguments
        spec = [spec]
    if not isinstance(spec, Iterable) or isinstance(spec, (str, bytes)):
        spec = [spec]
    return [_key_for_entry(disp, entry) for entry in spec]


def _key_for_entry(disp: Any, entry: Any) -> tuple:
    """Compile (not run) one signature or example-argument tuple; its overload key."""
    from numba.core import sigutils, types

    if isinstance(entry, str) or _is_signature(entry):
        return _compile(disp, tuple(sigutils.normalize_signature(entry)[0]), entry)
    if not isinstance(entry, (tuple, list)):
        raise TypeError(
            f"example arguments for {disp.py_func.__qualname__} must be tuples, "
            f"got {entry!r}")
    if entry and all(isinstance(a, types.Type) for a in entry):
        return _compile(disp, tuple(entry), tuple(entry))
    return overload_for_args(disp, tuple(entry), compile=True)


def _compile(disp: Any, key: tuple, sig: Any) -> tuple:
    if key not in disp.overloads:
        if not disp._can_compile:
            raise BuildError(
                f"`{_ir.full_name(disp)}` has explicit signatures and no overload "
                f"{sig}", functions=[disp.py_func.__qualname__])
        disp.compile(sig)
    return key


def _is_signature(obj: Any) -> bool:
    from numba.core.typing.templates import Signature
    return isinstance(obj, Signature)


def overload_for_args(disp: Any, args: tuple, compile: bool = False) -> tuple:
    """The key of the overload Numba selects when `disp(*args)` is called.

    With `compile=True` a missing specialization is compiled (not run).
    """
    argtys = tuple(disp.typeof_pyval(a) for a in args)
    if disp._can_compile:  # left-out arguments with defaults become Omitted
        argtys = tuple(disp.fold_argument_types(argtys, {})[1])
    if argtys in disp.overloads:
        return argtys
    if disp._can_compile:
        if not compile:
            raise BuildError(f"`{_ir.full_name(disp)}` has no overload for {argtys}",
                             functions=[disp.py_func.__qualname__])
        return _compile(disp, argtys, argtys)
    # Explicit signatures only: the type manager converts, as the C dispatcher does.
    sigs = list(disp.overloads)
    try:
        idx = disp._tm.select_overload(argtys, sigs, allow_unsafe=True,
                                       exact_match_required=False)
    except TypeError:   # no compatible or an ambiguous overload
        idx = None
    if idx is None or idx < 0:
        raise TypeError(
            f"No matching definition for argument type(s) "
            f"{', '.join(map(str, argtys))} of {disp.py_func.__qualname__}")
    return sigs[idx]


def dump_ir(overloads: Iterable[Overload]) -> str:
    """The annotated IR text the binary reads, refusing object-mode overloads."""
    buf = io.StringIO()
    for disp, key in overloads:
        if _ir.is_object_mode(disp.overloads[key]):
            raise BuildError(
                f"`{_ir.full_name(disp)}` was compiled in object mode; only "
                f"nopython (@njit) functions can run in wasm",
                functions=[disp.py_func.__qualname__])
        _ir.dump_overloads([(disp, key)], buf)
    return buf.getvalue()


def build_overloads(overloads: list[Overload], out_dir: str | Path,
                    name: str = "kernels", *, simd: SimdLevel = "simd128",
                    minify: bool = False) -> BuildResult:
    """Build exactly these overloads into `out_dir/name.*`."""
    check_simd(simd)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = {_ir.full_name(d): d.py_func.__qualname__ for d, _ in overloads}
    run_binary(dump_ir(overloads), out, name, names, simd=simd, minify=minify)
    result = BuildResult(
        wasm=out / f"{name}.wasm", js=out / f"{name}.js", dts=out / f"{name}.d.ts",
        functions=[(d.py_func.__name__, signature_str(d.overloads[k]))
                   for d, k in overloads])
    for p in (result.wasm, result.js, result.dts):
        if not p.is_file():
            raise BuildError(f"numba-wasm did not write {p}")
    return result


def signature_str(cres: Any) -> str:
    """`float64(array(float64, 1d, C))`, as in the module metadata."""
    sig = cres.signature
    return f"{sig.return_type}({', '.join(map(str, sig.args))})"


@functools.cache
def tested_numba_versions(binary: str) -> tuple[str, ...]:
    """The Numba releases the binary's fixtures cover (`numba-wasm --version`)."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.startswith("Numba versions with fixtures:"):
            return tuple(line.split(":", 1)[1].split())
    return ()


def warn_if_untested_numba(binary: str) -> None:
    """A Numba outside the tested list may emit IR numba-wasm has not seen:
    say so, but build anyway."""
    import numba
    tested = tested_numba_versions(binary)
    if tested and numba.__version__ not in tested:
        warnings.warn(
            f"numba-wasm is tested with Numba {', '.join(tested)}; the installed Numba "
            f"{numba.__version__} is not among them, so its IR may hold constructs numba-wasm "
            "has not seen. `python scripts/gen_fixtures.py --live` in a numba-wasm checkout "
            "checks the corpus against it.", UntestedNumbaWarning, stacklevel=3)


def check_simd(simd: str) -> None:
    """A ValueError unless `simd` is one of `SimdLevel`."""
    if simd not in get_args(SimdLevel):
        raise ValueError(f"simd must be one of {', '.join(map(repr, get_args(SimdLevel)))}, "
                         f"got {simd!r}")


def run_binary(ir: str, out_dir: Path, name: str,
               names: Mapping[str, str] | None = None, *, simd: SimdLevel = "simd128",
               minify: bool = False) -> None:
    """Pipe `ir` into `numba-wasm build - -o out_dir --name name` (plus the
    flag of the `simd` level, and `--minify`).

    The binary reports its diagnostics as JSON lines (`--message-format
    json`); `names` maps their `function` (`module.qualname`) to the Python
    qualname reported in BuildError.functions.
    """
    binary = str(find_binary())
    warn_if_untested_numba(binary)
    check_simd(simd)
    cmd = [binary, "build", "-", "-o", str(out_dir), "--name", name, *SIMD_FLAGS[simd],
           "--message-format", "json"]
    if minify:
        cmd.append("--minify")
    proc = subprocess.run(cmd, input=ir.encode(), capture_output=True, check=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode(errors="replace")
        diagnostics = parse_diagnostics(proc.stdout.decode(errors="replace"))
        raise BuildError(binary_message(diagnostics, stderr, proc.returncode),
                         functions=diagnosed_functions(diagnostics, names),
                         stderr=rendered(diagnostics) + stderr,
                         diagnostics=diagnostics)


def parse_diagnostics(stdout: str) -> list[Diagnostic]:
    """The diagnostic objects among the binary's JSON lines, in order."""
    found: list[Diagnostic] = []
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:      # not a JSON line: not a diagnostic
            continue
        if isinstance(message, dict) and message.get("reason") == "diagnostic":
            found.append(Diagnostic(
                level=str(message.get("level", "error")),
                message=str(message.get("message", "")),
                function=message.get("function"), symbol=message.get("symbol"),
                input=message.get("input"), hint=message.get("hint")))
    return found


def binary_message(diagnostics: list[Diagnostic], stderr: str, returncode: int = 1) -> str:
    """One line per diagnostic; else whatever the binary wrote to stderr."""
    text = "\n".join(d["message"] for d in diagnostics) or stderr.strip()
    return text or f"numba-wasm exited with status {returncode}"


def rendered(diagnostics: list[Diagnostic]) -> str:
    """The diagnostics as the binary's human format prints them."""
    return "".join(f"numba-wasm: {d['level']}: {d['message']}\n" for d in diagnostics)


def diagnosed_functions(diagnostics: list[Diagnostic],
                        names: Mapping[str, str] | None = None) -> list[str]:
    """Python qualnames of the functions the diagnostics are about, once each.

    With `names` ({module.qualname: qualname}) only those functions count;
    without, each `module.qualname` is returned as the binary wrote it.
    """
    found: list[str] = []
    for d in diagnostics:
        function = d["function"]
        qual = function if names is None or function is None else names.get(function)
        if qual and qual not in found:
            found.append(qual)
    return found
