"""numba_wasm.image_view in a real notebook: JupyterLab, and nbconvert's HTML export.

examples/notebook/numba_wasm_view.ipynb is
  * opened in a JupyterLab server started here (127.0.0.1, a free port, no
    token, config/data/runtime dirs in a temp dir, no news, update check or
    extension index), driven by tests/js/widget_chromium.mjs --run-notebook in
    headless Chromium: Run All Cells, then the slider is moved;
  * executed and converted by `jupyter nbconvert --to html --execute`, and the
    HTML opened from disk (file://, no server, no kernel) with every request
    off the page blocked; the slider still drives the wasm kernel.
Both times the canvas pixels before and after the move must equal what native
Numba computes for the same kernel (the notebook's code run here:
`view.render()`), byte for byte.
"""
from __future__ import annotations

import base64
import html as html_lib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import numpy as np
import psutil
import pytest
from numba_wasm.widget import ImageView

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "notebook" / "numba_wasm_view.ipynb"
SCRIPT = ROOT / "tests" / "js" / "widget_chromium.mjs"
CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node")
SLIDER, NEW_VALUE = "max_iter", 50
STARTUP_TIMEOUT = 90.0  # seconds for JupyterLab to answer

pytestmark = pytest.mark.skipif(
    NODE is None or not Path(CHROMIUM).exists() or not (ROOT / "node_modules" / "playwright-core").is_dir(),
    reason="needs node, /usr/bin/chromium and playwright-core in node_modules")


@pytest.fixture(scope="module")
def view() -> ImageView:
    """The notebook's ImageView, built by running its code cells in this process (the native oracle)."""
    ns: dict = {"__name__": "__main__"}  # as in a notebook
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, str(NOTEBOOK), "exec"), ns)  # noqa: S102 -- the repo's own example
    return ns["view"]


@pytest.fixture()
def jupyter_env(tmp_path: Path) -> dict[str, str]:
    """Environment of an isolated, offline Jupyter: its own config/data/runtime dirs, this checkout's package."""
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        (tmp_path / sub).mkdir()
        env[var] = str(tmp_path / sub)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "python"), env.get("PYTHONPATH")]))
    return env


def check_pixels(view: ImageView, r: dict) -> None:
    """The canvas before and after the slider move equals native Numba's image, byte for byte."""
    px = lambda b64: np.frombuffer(base64.b64decode(b64), np.uint8).reshape(r["height"], r["width"], 4)  # noqa: E731
    before, after = px(r["before"]), px(r["after"])
    np.testing.assert_array_equal(before, view.render())
    np.testing.assert_array_equal(after, view.render(**{SLIDER: NEW_VALUE}))
    assert (before != after).any()


def drive(page: str, *flags: str, env: dict[str, str] | None = None) -> dict:
    """tests/js/widget_chromium.mjs's result for PAGE: move SLIDER to NEW_VALUE."""
    p = subprocess.run([NODE, str(SCRIPT), page, SLIDER, str(NEW_VALUE), *flags], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=240, check=False)
    assert p.returncode == 0, f"widget_chromium.mjs failed:\n{p.stdout}\n{p.stderr}"
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["errors"] == []
    return r


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_exported_html_works_without_kernel(tmp_path: Path, jupyter_env: dict[str, str], view: ImageView) -> None:
    nb = tmp_path / "nb" / NOTEBOOK.name
    nb.parent.mkdir()
    shutil.copy(NOTEBOOK, nb)
    out = tmp_path / "html"
    p = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
                        "--ExecutePreprocessor.timeout=300", str(nb), "--output-dir", str(out)],
                       env=jupyter_env, capture_output=True, text=True, timeout=360, check=False)
    assert p.returncode == 0, p.stderr
    html = out / nb.with_suffix(".html").name
    text = html.read_text()
    # The view (wasm inlined as base64, "AGFzbQ" = "\0asm") is in the page; its pixels are checked below.
    assert f'"kernel":"{view.name}","wasm":"AGFzbQ' in text
    r = drive(str(html), "--offline-assets")
    # What was blocked is only the template's own <script src> (require.js, MathJax from a CDN).
    template_srcs = {html_lib.unescape(u) for u in re.findall(r'<script src="([^"]+)"', text)}
    assert {u.removeprefix("network request: ") for u in r["blocked"]} <= template_srcs, r["blocked"]
    check_pixels(view, r)


def test_jupyterlab_runs_the_view(tmp_path: Path, jupyter_env: dict[str, str], view: ImageView) -> None:
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port = free_port()
    config = f"""
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = {port}
c.ServerApp.port_retries = 0
c.ServerApp.open_browser = False
c.ServerApp.allow_root = True  # CI runs as root
c.ServerApp.root_dir = {str(root)!r}
c.IdentityProvider.token = ""
c.PasswordIdentityProvider.hashed_password = ""
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.extension_manager = "readonly"
"""
    cfg = Path(jupyter_env["JUPYTER_CONFIG_DIR"])
    for name in ("jupyter_server_config.py", "jupyter_lab_config.py"):
        (cfg / name).write_text(config)
    # No "get notified about Jupyter news?" prompt (and so never a news fetch from the browser).
    news = cfg / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab"], cwd=root, env=jupyter_env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert server.poll() is None, f"JupyterLab exited:\n{(tmp_path / 'jupyterlab.log').read_text()}"
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "JupyterLab did not answer in time"
            time.sleep(0.5)
        r = drive(f"{base}/lab/tree/{NOTEBOOK.name}", "--run-notebook",
                  env={**os.environ, "WIDGET_TIMEOUT_MS": "150000"})
        assert r["blocked"] == []
        check_pixels(view, r)
    finally:
        # Kernels run in sessions of their own: remember them in case the server cannot stop them.
        try:
            kernels = psutil.Process(server.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            kernels = []
        server.terminate()  # SIGTERM: the server shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for k in kernels:
            try:
                k.kill()
            except psutil.NoSuchProcess:
                pass
        log.close()
