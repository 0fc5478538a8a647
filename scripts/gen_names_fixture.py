#!/usr/bin/env python3
"""Write fixtures/names/mangled.json: Python qualified names mangled by
Numba's own mangler, for numba-wasm's name round-trip test (tests/names.rs).

    <venv>/bin/python scripts/gen_names_fixture.py

Deterministic (seeded). Each record:

    {"module": "kernels", "qualname": "outer.<locals>.laplace_2d",
     "symbol": "_ZN7kernels5outer12_3clocals_3e10laplace_2dB2v7...Ed",
     "ambiguous": false}

`ambiguous` is true when another valid, NFKC-normal Python name mangles to
the same text (for example `f_c3_a9` and `fé`): found by enumerating every
reading of the escapes and asking Python's own `str.isidentifier`, not
numba-wasm's rule. The symbol alone cannot tell those apart; numba-wasm then
needs the name the dump states (wrapper, dump tool, banner).
"""
from __future__ import annotations

import json
import os
import random
import re
import sys
import unicodedata
from functools import cache

from numba.core import itanium_mangler, types
from numba.core.funcdesc import qualifying_prefix

import numba

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                   "fixtures", "names", "mangled.json")

# Names that broke or could break a decoder: escapes that are also text.
NASTY = [
    "laplace_2d", "centered_diff_2d", "sum_axis0_3d", "conv_1d", "grid_3d",
    "step_ab", "rk_4a", "f_3c", "f_3e", "x_3clocals_3e", "_3clocals_3e",
    "f_e9", "f_c3_a9", "_c3_a9", "x_c3_a9y", "f_", "f__", "_", "__", "___init__",
    "_2d", "_2dconv", "a_2e_2e", "v_ce_bb", "énergie", "λ_max", "x_é",
    "ı", "İstanbul", "ı_2d", "データ_3d", "Ωmega", "naïve_2d", "f0_0", "f_00",
    "_ff", "_FF", "f_Fe", "f_c3", "f_c3_", "f_c3_a", "f_e2_82_ac",
    "f_f0_9f_98_80", "ab_cd_ef", "f_5f", "f_24", "a1_b2_c3",
]

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
UNICODE = ["é", "λ", "ı", "İ", "ü", "ß", "Ω", "ж", "ε", "ñ", "データ", "ﬁ", "K",
           "ſ", "ℌ", "²"]
FRAGMENTS = ["_2d", "_3c", "_3e", "_e9", "_c3_a9", "_ce_bb", "_5f", "_", "__",
             "0", "1", "9", "_00", "_ff", "_c4_b1"]

MODULES = ["__main__", "kernels", "pkg.sub_2d.mod", "my_3cmod", "énergie_mod"]


def is_name(text: str) -> bool:
    """A name Python can give a function: an identifier in NFKC form."""
    return text.isidentifier() and unicodedata.normalize("NFKC", text) == text


@cache
def readings(escaped: str) -> frozenset[str]:
    """Every text that `_escape_string` maps to `escaped`."""
    if not escaped:
        return frozenset([""])
    out = set()
    out.update(escaped[0] + r for r in readings(escaped[1:]))
    # One escaped character: 1 to 4 `_xx` groups forming one UTF-8 char.
    for n in range(1, 5):
        chunk = escaped[:3 * n]
        if not re.fullmatch(r"(?:_[0-9a-f]{2}){%d}" % n, chunk):  # noqa: UP031
            break
        try:
            ch = bytes.fromhex(chunk.replace("_", "")).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(ch) == 1 and itanium_mangler._escape_string(ch) == chunk:
            out.update(ch + r for r in readings(escaped[3 * n:]))
    return frozenset(out)


def is_ambiguous(qualname: str) -> bool:
    for part in qualname.split("."):
        esc = itanium_mangler._escape_string(part)
        names = {r for r in readings(esc)
                 if is_name(r) or re.fullmatch(r"<[a-z]+>", r)}
        if len(names) > 1:
            return True
    return False


def random_name(rng: random.Random) -> str:
    while True:
        pieces = [rng.choice(LETTERS + "_")]
        for _ in range(rng.randint(0, 6)):
            pool = rng.random()
            if pool < 0.45:
                pieces.append(rng.choice(LETTERS + "0123456789_"))
            elif pool < 0.8:
                pieces.append(rng.choice(FRAGMENTS))
            else:
                pieces.append(rng.choice(UNICODE))
        name = unicodedata.normalize("NFKC", "".join(pieces))
        if is_name(name):
            return name


def qualnames(rng: random.Random) -> list[tuple[str, str]]:
    out = []
    for name in NASTY:
        assert is_name(name), name
        out.append(("kernels", name))
    for i in range(260):
        module = MODULES[i % len(MODULES)]
        name = random_name(rng)
        shape = rng.random()
        if shape < 0.55:
            qual = name
        elif shape < 0.8:
            qual = f"{random_name(rng)}.<locals>.{name}"
        elif shape < 0.9:
            qual = f"{random_name(rng)}.{name}"
        else:
            qual = f"{random_name(rng)}.<locals>.<lambda>"
        out.append((module, qual))
    return out


def main() -> None:
    rng = random.Random(20261129)
    records = []
    for uid, (module, qual) in enumerate(qualnames(rng), start=1):
        symbol = itanium_mangler.mangle(
            qualifying_prefix(module, qual), (types.float64, types.intp),
            abi_tags=("cpu",), uid=uid)
        records.append({"module": module, "qualname": qual, "symbol": symbol,
                        "ambiguous": is_ambiguous(f"{module}.{qual}")})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        # One record per line: reviewable diffs.
        lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        f.write(f'{{"numba": "{numba.__version__}", "names": [\n{lines}\n]}}\n')
    amb = sum(r["ambiguous"] for r in records)
    print(f"wrote {len(records)} names ({amb} ambiguous) to {os.path.relpath(OUT)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
