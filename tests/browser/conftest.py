"""Fixtures for the browser tests: the built site on 127.0.0.1 and Debian's Chromium.

The site tests read ``_build/html`` unless ``DEFI_HANDBOOK_SITE`` names another built
site (e.g. a private build: ``jupyter-book build . --path-output /tmp/x`` then
``DEFI_HANDBOOK_SITE=/tmp/x/_build/html``).
"""

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import ROOT, chapter_pages, free_port, toc_files  # noqa: E402,F401
from helpers import SITE as _DEFAULT_SITE  # noqa: E402

SITE = Path(os.environ.get("DEFI_HANDBOOK_SITE") or _DEFAULT_SITE)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-features=Translate,OptimizationHints,MediaRouter"]


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run `make test-book` (or `make book`) first")
    port = free_port()
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageWatch:
    """A page that records console errors, page errors and every request it makes."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))

    def external_requests(self) -> list[str]:
        return [u for u in self.requests
                if not (u.startswith("http://127.0.0.1") or u.startswith("data:") or u.startswith("blob:")
                        or u.startswith("about:"))]


@pytest.fixture()
def watched(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    yield PageWatch(page)
    ctx.close()


@pytest.fixture()
def phone(browser):
    """A 390 x 844 phone screen (touch, device scale 3)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    yield PageWatch(page)
    ctx.close()


@pytest.fixture()
def narrow_phone(browser):
    """The narrowest phone the handbook supports: 360 x 780."""
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    yield PageWatch(page)
    ctx.close()


@pytest.fixture()
def system_dark(browser):
    """A phone-sized page whose system asks for dark colours, and no choice stored by the reader."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = ctx.new_page()
    yield PageWatch(page)
    ctx.close()


@pytest.fixture()
def dark(browser):
    """A desktop page in the site's dark mode (pydata-sphinx-theme reads localStorage 'mode'/'theme')."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    ctx.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    page = ctx.new_page()
    yield PageWatch(page)
    ctx.close()
