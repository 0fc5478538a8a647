"""scripts/corpus_hosts.py, the harness behind the feature table, reports
wrong results: a tampered expected value fails in Node, an error above a
case's bound fails in the Python runtime, and a refused kernel's message is
checked."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import corpus_hosts  # noqa: E402

PROBE = textwrap.dedent('''
    """Probe corpus."""
    import numpy as np
    from numba import njit

    @njit
    def hp_twice(a):
        return a * 2.0

    @njit
    def hp_add(x, y):
        return x + y

    FEATURES = {"doubling": [hp_twice], "adding": [hp_add]}

    def cases():
        return [("twice", hp_twice, (np.arange(4.0),)), ("add", hp_add, (1.5, 2.25))]

    def bounds():
        return {"twice": np.full(4, 1e-300)}
''')


def test_harness_passes_and_catches_a_wrong_value(tmp_path, monkeypatch):
    (tmp_path / "hosts_probe.py").write_text(PROBE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    rec = corpus_hosts.run_corpus("hosts_probe", tmp_path / "out", ["python", "node"])
    assert {cid: (c["feature"], c["python"], c["node"]) for cid, c in rec["cases"].items()} == {
        "twice": ("doubling", "pass", "pass"), "add": ("adding", "pass", "pass")}
    assert rec["cases"]["twice"]["tolerance"] == "within a stated bound"

    # Tamper with the expected results: Node must report both cases.
    path = tmp_path / "out" / "hosts_probe" / "cases.json"
    data = json.loads(path.read_text())
    for case in data["cases"]:
        if case["id"] == "add":
            case["result"]["bits"] = "400e000000000001"  # 3.75 + 1 ulp
        else:
            case["result"]["buffer_b64"] = case["args"][0]["buffer_b64"]  # a, not 2a
    path.write_text(json.dumps(data))
    got = corpus_hosts.run_js("node", path.parent, "hosts_probe", path, ["twice", "add"])
    assert "not within" in got["twice"], got
    assert "!= expected" in got["add"], got


def test_python_outcome_checks_the_bound():
    n, w = np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])
    assert corpus_hosts._python_outcome(n, None, w, None, np.array([0.0, 1e-8]), [], []) == "pass"
    msg = corpus_hosts._python_outcome(n, None, w, None, np.array([0.0, 1e-12]), [], [])
    assert "above the bound" in msg
    assert "differ" in corpus_hosts._python_outcome(n, None, w, None, None, [], [])
    assert corpus_hosts._python_outcome(None, ValueError("x"), None, ValueError("y"),
                                        None, [], []) != "pass"


def test_tolerance_words_per_kernel():
    from types import SimpleNamespace

    from numba import njit

    @njit
    def k1():
        return 0
    mod = SimpleNamespace(BOUND={k1: "|Δ| ≤ 32·n·eps"})
    assert corpus_hosts.tolerance_of(mod, {"id": "a", "func": "k1", "bound": {}}) == "|Δ| ≤ 32·n·eps"
    assert corpus_hosts.tolerance_of(mod, {"id": "b", "func": "k2", "bound": {}}) == "within a stated bound"
    assert corpus_hosts.tolerance_of(mod, {"id": "c", "func": "k1"}) == "exact"


def test_linalg_hosts_corpus_is_complete():
    # Every kernel has cases and a feature row; every float-valued kernel a
    # bound formula (only the ranks are compared exactly).
    sys.path.insert(0, str(ROOT / "fixtures" / "corpus"))
    import linalg_hosts as lh
    used = {id(f) for _cid, f, _args in lh.cases()}
    assert all(id(k) in used for k in lh.KERNELS)
    assert {id(k) for ks in lh.FEATURES.values() for k in ks} == {id(k) for k in lh.KERNELS}
    exact = {lh.lh_matrix_rank, lh.lh_lstsq_rank}
    assert set(lh.BOUNDS) == set(lh.KERNELS) - exact
