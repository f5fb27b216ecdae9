"""The chapters in JupyterLab with jupyterlab-myst, on 127.0.0.1 (offline when run through tests/offline.sh).

For the collateral and looping chapters: the learning objectives render as an
admonition (not a code block), exercise text keeps its money amounts as text
(not typeset as maths), solutions are folded until clicked, every cell runs, the
charts render from the vendored Vega (no CDN), and moving an explorer's ipywidget
slider makes Python redraw its chart.

JupyterLab runs on a temporary copy of the notebooks (tests never modify tracked
files; autosave is off as well), with its news, update check and windowing off,
and cells are run through JupyterLab's command registry (``window.jupyterapp``),
waiting on observable state rather than on clicks in menus that a dialog may cover.
``DEFI_HANDBOOK_LAB_SOURCE`` may name another book root to copy the chapters from (its
``defi_helpers`` is then imported first).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import ROOT, free_port

CHAPTERS = ["notebooks/01-collateral.ipynb", "notebooks/02-looping.ipynb"]
#: A rendered markdown cell: jupyterlab-myst's widget (or JupyterLab's own renderer without it).
MD = ".jp-MarkdownCell .myst, .jp-MarkdownCell .jp-MarkdownOutput"
SOURCE = Path(os.environ.get("DEFI_HANDBOOK_LAB_SOURCE") or ROOT)
TOKEN = "handbook-test"
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Every cell in the DOM (JupyterLab 4 otherwise renders only the cells in view).
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the book (notebooks, pages for the links, config)."""
    work = tmp_path_factory.mktemp("lab")
    root = work / "book-copy"
    root.mkdir()
    shutil.copytree(SOURCE / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build"))
    shutil.copytree(SOURCE / "book", root / "book", ignore=shutil.ignore_patterns("_build", "_vendor"))
    shutil.copy(SOURCE / "_config.yml", root / "_config.yml")
    settings = work / "settings"
    for name, value in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(work / "runtime"), "JUPYTER_CONFIG_DIR": str(work / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
           "JUPYTER_DATA_DIR": str(work / "data"), "IPYTHONDIR": str(work / "ipython")}
    env.pop("DEFI_HANDBOOK_BUILD", None)
    if SOURCE != ROOT:       # that root's package too
        env["PYTHONPATH"] = os.pathsep.join([str(SOURCE), *filter(None, [env.get("PYTHONPATH")])])
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}", "--ServerApp.allow_root=True",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"JupyterLab did not start (log: {work / 'lab.log'})")
    if proc.poll() is not None:
        pytest.fail(f"JupyterLab exited (log: {work / 'lab.log'})")
    yield base, root
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


DISMISS_DIALOGS = """() => {
  // Kernel choice, "build recommended", news: accept the default / dismiss whatever is open.
  for (const d of document.querySelectorAll('.jp-Dialog')) {
    const ok = d.querySelector('.jp-Dialog-button.jp-mod-accept') || d.querySelector('.jp-Dialog-button');
    if (ok) ok.click();
  }
  for (const b of document.querySelectorAll('.jp-Notification-Toast-Close, .Toastify__close-button')) b.click();
}"""

NOTEBOOK_READY = """() => {
  const app = window.jupyterapp;
  if (!app || !app.shell || !app.commands.hasCommand('notebook:run-all-cells')) return false;
  const w = app.shell.currentWidget;
  if (!w || !w.sessionContext || !w.content || !w.context.isReady || !w.sessionContext.isReady) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""

ALL_CELLS_RAN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  const code = w.content.widgets.filter(c => c.model.type === 'code');
  return code.length > 0 && code.every(c => c.model.executionCount !== null) && k && k.status === 'idle';
}"""


def _wait(page, fn, timeout=120_000, arg=None):
    """Wait for a JS condition, dismissing any dialog that appears meanwhile."""
    deadline = time.time() + timeout / 1000
    while True:
        try:
            page.evaluate(DISMISS_DIALOGS)
            page.wait_for_function(fn, arg=arg, timeout=3_000, polling=250)
            return
        except Exception:   # not yet, or the page navigated (``?reset`` redirects once)
            if time.time() > deadline:
                raise


def _money_in_markdown(path: Path, n_cells: int = 6) -> list[str]:
    """Money amounts written ``\\$10,000`` in the chapter's first markdown cells (and exercises)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    texts = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    picked = texts[:n_cells] + [t for t in texts if "{exercise}" in t]
    return sorted({m for t in picked for m in re.findall(r"\\\$([0-9][0-9,.]*[0-9])", t)})


@pytest.fixture(scope="module")
def opened(browser, lab):
    """Each chapter opened in JupyterLab and run; yields {chapter: page}."""
    base, root = lab
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pages, errors, requests = {}, [], []
    for chapter in CHAPTERS:
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/lab/tree/{chapter}?token={TOKEN}&reset")
        _wait(page, NOTEBOOK_READY)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        _wait(page, ALL_CELLS_RAN, timeout=240_000)
        pages[chapter] = page
    yield pages, root, requests
    ctx.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_objectives_render_as_an_admonition(opened, chapter):
    pages, _, _ = opened
    page = pages[chapter]
    box = page.locator(f":is({MD}) aside.myst-admonition").filter(has_text="Learning objectives").first
    box.wait_for()
    assert box.is_visible()
    raw = page.locator(f":is({MD}) :is(pre, code)").filter(has_text=":class:")
    assert raw.count() == 0, "a directive is shown as a code block"
    roles = page.locator(MD).filter(has_text=re.compile(r"\{(term|cite|doc)\}"))
    assert roles.count() == 0, "a Sphinx role is shown raw"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_money_stays_text(opened, chapter):
    pages, root, _ = opened
    page = pages[chapter]
    amounts = _money_in_markdown(root / chapter)
    assert amounts, f"{chapter}: no money amounts written \\$… (migration not run?)"
    text = page.evaluate("sel => [...document.querySelectorAll(sel)].map(e => e.textContent).join('\\n')", MD)
    missing = [a for a in amounts if f"${a}" not in text]
    assert missing == [], f"{chapter}: money typeset as maths or lost: {missing[:5]}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solutions_folded_until_clicked(opened, chapter):
    pages, _, _ = opened
    page = pages[chapter]
    folded = page.locator(f":is({MD}) details").filter(has=page.locator("summary", has_text="Solution"))
    assert folded.count() >= 1, "no folded solution"
    first = folded.first
    first.scroll_into_view_if_needed()
    assert first.evaluate("d => !d.open")
    body = first.locator(":scope > :not(summary)").first
    assert not body.is_visible()
    first.locator("summary").first.click()
    page.wait_for_function("d => d.open", arg=first.element_handle())
    assert body.is_visible()
    assert page.locator(f":is({MD}) details[open]").filter(
        has=page.locator("summary", has_text="Solution")).count() == 1   # the others stay folded


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_charts_render_and_explorer_redraws(opened, chapter):
    pages, _, requests = opened
    page = pages[chapter]
    assert page.locator("pre.defi-chart-error").count() == 0
    assert page.locator(".jp-OutputArea figure.defi-chart svg.marks").count() >= 1
    explorer = page.locator(".defi-explorer").first
    explorer.scroll_into_view_if_needed()
    svg = explorer.locator("figure.defi-chart svg.marks")
    svg.wait_for()
    before = svg.inner_html()
    readout = explorer.locator(".defi-readout").first
    readout_before = readout.inner_text()
    assert re.search(r"[%$×]|days|blocks", readout_before), f"readout without a unit: {readout_before!r}"
    handle = explorer.locator(".widget-slider .noUi-handle, .widget-slider [role=slider]").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, b]) => { const s = el.querySelector('figure.defi-chart svg.marks'); return s && s.innerHTML !== b; }",
        arg=[explorer.element_handle(), before], timeout=30_000)
    assert readout.inner_text() != readout_before
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))]
    assert outside == []


def test_tracked_notebooks_untouched(opened):
    """Lab ran on a copy: the working tree's chapters are exactly what git has."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git checkout")
    _, root, _ = opened
    assert root != ROOT and ROOT not in root.parents
    out = subprocess.run(["git", "status", "--porcelain", "--", *CHAPTERS], cwd=ROOT, capture_output=True,
                         text=True).stdout
    # Other edits may be in progress; what Lab would write (metadata, outputs) must not be.
    for chapter in CHAPTERS:
        text = (ROOT / chapter).read_text(encoding="utf-8")
        assert '"outputs": [\n    {' not in text and '"execution_count": 1' not in text, out
