"""An Altair renderer that works with no network: vendored Vega, no CDN.

Altair's own ``html`` renderer loads Vega, Vega-Lite and Vega-Embed from a
CDN. This one emits a ``<figure>`` (alt text from the spec's ``description``,
a source line from ``usermeta.source``) and a script calling
``window.vegaEmbed``:

* **Book build** (``DEFI_HANDBOOK_BUILD=1``, set by the book's Sphinx
  extension): the site loads the vendored libraries once per page (see
  ``book/_ext/defi_book.py``), so each chart carries only its spec.
* **Live kernel** (JupyterLab, Notebook, VS Code): the first chart of the
  session carries the vendored libraries inline, so charts draw with no
  network. :func:`reset` makes the next chart carry them again (after
  reloading the browser tab, for instance).

The libraries live in ``defi_helpers/_vendor/vega`` with their licences.
"""

from __future__ import annotations

import html
import itertools
import json
import os
from functools import lru_cache
from importlib import resources

import altair as alt

__all__ = ["enable", "reset", "build_mode", "chart_html", "mimebundle", "vendor_dir", "VENDOR_FILES"]

VENDOR_FILES = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
_counter = itertools.count()
_state = {"libs_sent": False}


def vendor_dir():
    """Folder with the vendored Vega builds and their licence files."""
    return resources.files("defi_helpers").joinpath("_vendor", "vega")


def build_mode() -> bool:
    """True while the book is being built (static pages, no kernel for readers)."""
    return os.environ.get("DEFI_HANDBOOK_BUILD") == "1"


def reset() -> None:
    """Make the next chart in a live kernel carry the Vega libraries again."""
    _state["libs_sent"] = False


@lru_cache(maxsize=1)
def _inline_libraries() -> str:
    parts = []
    for name in VENDOR_FILES:
        code = vendor_dir().joinpath(name).read_text(encoding="utf-8")
        # UMD bundles: run with `this` = window so they set window.vega*.
        parts.append(f"<script type=\"text/javascript\">(function(){{{code}\n}}).call(window);</script>")
    return "\n".join(parts)


def _json_for_script(obj) -> str:
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/")


def chart_html(spec: dict, *, with_libraries: bool = False) -> str:
    """HTML for one chart: a labelled figure, its source line and the embed call."""
    div_id = f"defi-chart-{os.getpid()}-{next(_counter)}"
    description = spec.get("description") or "Chart"
    source = (spec.get("usermeta") or {}).get("source")
    caption = f'<figcaption class="defi-chart-source">{html.escape(source)}</figcaption>' if source else ""
    libs = _inline_libraries() + "\n" if with_libraries else ""
    return (
        f'{libs}<figure class="defi-chart" role="figure" tabindex="0" aria-label="{html.escape(description)}">'
        f'<div id="{div_id}" class="defi-chart-view"></div>{caption}</figure>\n'
        '<script type="text/javascript">(function(){'
        f'var el=document.getElementById("{div_id}");var spec={_json_for_script(spec)};'
        'function fail(e){el.innerHTML="";var p=document.createElement("pre");'
        'p.className="defi-chart-error";p.textContent="Chart failed to render: "+String(e);'
        'el.appendChild(p);console.error(e);}'
        'if(typeof window.vegaEmbed!=="function"){fail("the Vega libraries are not loaded '
        '(in a notebook: run defi_helpers.render.reset() and re-run this cell)");return;}'
        'window.vegaEmbed(el,spec,{actions:false,renderer:"svg"}).then(function(r){'
        # One accessible image: the SVG is an img named by the alt text; Vega's own
        # mark groups are hidden from assistive technology.
        'var s=el.querySelector("svg");if(!s)return;s.setAttribute("role","img");'
        's.setAttribute("aria-label",spec.description||"Chart");'
        'for(var i=0;i<s.children.length;i++){s.children[i].setAttribute("aria-hidden","true");}'
        '}).catch(fail);'
        '})();</script>'
    )


def mimebundle(spec: dict) -> dict:
    """The display bundle of a Vega-Lite spec (what the ``defi`` renderer returns)."""
    return _renderer(spec)


def _renderer(spec: dict, **_metadata) -> dict:
    send_libs = not build_mode() and not _state["libs_sent"]
    if send_libs:
        _state["libs_sent"] = True
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return {
        "text/html": chart_html(spec, with_libraries=send_libs),
        "text/plain": f"<chart: {title or spec.get('description', 'untitled')}>",
    }


def enable() -> None:
    """Register and enable the ``defi`` renderer (done on import of :mod:`defi_helpers.charts`)."""
    alt.renderers.register("defi", _renderer)
    alt.renderers.enable("defi")
