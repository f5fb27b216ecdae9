"""The model chapter in JupyterLab, served on 127.0.0.1 (offline when run through tests/offline.sh).

Runs every cell, checks that the charts render from the vendored Vega (no
CDN), and that moving an explorer's ipywidget slider makes Python redraw its chart.
"""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from helpers import ROOT, free_port

NOTEBOOK = "notebooks/01-collateral.ipynb"


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    port = free_port()
    token = "handbook-test"
    runtime = tmp_path_factory.mktemp("lab")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(runtime / "config")}
    env.pop("DEFI_HANDBOOK_BUILD", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
         "--ServerApp.allow_root=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=ROOT, env=env, stdout=open(runtime / "lab.log", "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start")
    print("lab log:", runtime / "lab.log")
    yield base, token
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_notebook_runs_and_explorer_redraws_in_lab(watched, lab_url):
    base, token = lab_url
    page = watched.page
    page.set_default_timeout(60_000)
    page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}&reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    charts = page.locator(".jp-OutputArea figure.defi-chart")
    for attempt in range(3):  # the kernel may still be connecting on a busy machine
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(
                "() => document.querySelectorAll('.jp-OutputArea figure.defi-chart svg.marks').length >= 3",
                timeout=60_000)
            break
        except Exception:
            if attempt == 2:
                raise
    assert page.locator("pre.defi-chart-error").count() == 0
    assert charts.count() >= 3

    # The first explorer: an ipywidgets slider under an Output holding the chart.
    explorer = page.locator(".defi-explorer").first
    explorer.scroll_into_view_if_needed()
    svg = explorer.locator("figure.defi-chart svg.marks")
    svg.wait_for()
    before = svg.inner_html()
    handle = explorer.locator(".widget-slider .noUi-handle, .widget-slider [role=slider]").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "b => { const s = document.querySelector('.defi-explorer figure.defi-chart svg.marks');"
        " return s && s.innerHTML !== b; }", arg=before, timeout=30_000)
    assert explorer.locator("figure.defi-chart svg.marks").inner_html() != before
    assert watched.external_requests() == []
