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

from .i18n import language, tr

__all__ = ["enable", "reset", "build_mode", "chart_html", "responsive", "mimebundle", "vendor_dir", "VENDOR_FILES"]

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


def responsive(spec: dict) -> dict:
    """``spec`` sized to its column: a single or layered view takes the container's width.

    Concatenated, faceted and repeated charts cannot (Vega-Lite's ``"container"`` width is for
    single views); the embed script lays those out for the width it finds and, as a last resort,
    scales their SVG down (its ``viewBox``), so no chart is ever wider than its column.
    """
    composite = {"hconcat", "vconcat", "concat", "facet", "repeat"} & spec.keys()
    if composite or any(ch in (spec.get("encoding") or {}) for ch in ("row", "column", "facet")):
        return spec
    return {**spec, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}}


# The embed script shared by every chart (book and live kernel). It adapts a copy of the
# spec to the page before drawing: titles re-wrapped to the column's width, side-by-side
# panels stacked on a narrow column, dark colours when the page is dark (the site's
# html[data-theme=dark], JupyterLab's dark theme), slider readouts in the parameter's unit
# (usermeta.readouts, from defi_helpers.explore); it redraws when the colour mode changes.
_EMBED_JS = r"""
var CJK="\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef",
 UNITS=new RegExp("["+CJK+"]|[^\\s"+CJK+"]+|\\s+","g"),ISCJK=new RegExp("["+CJK+"]"),
 NOEND=/[\uff08\u300c\u300e\u3010\u3008\u300a(\[{]$/,NOSTART=/^[\uff0c\u3002\u3001\uff1b\uff1a\uff1f\uff01\uff09\u300d\u300f\u3011\u3009\u300b\uff05,.;:?!)\]}%]/;
function wid(t){var w=0;for(var i=0;i<t.length;i++)w+=ISCJK.test(t[i])?2:1;return w;}
function join(lines){return lines.reduce(function(a,b){
 return a+(a&&b&&ISCJK.test(a.slice(-1))&&ISCJK.test(b[0])?"":" ")+b;},"").trim();}
// Lines of at most n columns (a CJK character is two): Latin breaks at spaces, CJK between
// characters but never before closing or after opening punctuation (as defi_helpers.charts.wrap does).
function wrap(s,n){var out=[],line="";(String(s).match(UNITS)||[]).forEach(function(u){
 if(/^\s+$/.test(u)){if(line)line+=" ";return;}
 if(line&&wid(line.replace(/\s+$/,"")+u)>n&&!NOSTART.test(u)&&!NOEND.test(line)){out.push(line.replace(/\s+$/,""));line="";}
 line+=u;});if(line.trim())out.push(line.replace(/\s+$/,""));return out;}
// Month and day names in the page's language (Vega's default axis formats use %B, %b, %a).
var TIME_LOCALES={"zh-TW":{dateTime:"%Y\u5e74%-m\u6708%-d\u65e5 %A %X",date:"%Y/%-m/%-d",time:"%H:%M:%S",
 periods:["\u4e0a\u5348","\u4e0b\u5348"],
 days:["\u661f\u671f\u65e5","\u661f\u671f\u4e00","\u661f\u671f\u4e8c","\u661f\u671f\u4e09","\u661f\u671f\u56db","\u661f\u671f\u4e94","\u661f\u671f\u516d"],
 shortDays:["\u9031\u65e5","\u9031\u4e00","\u9031\u4e8c","\u9031\u4e09","\u9031\u56db","\u9031\u4e94","\u9031\u516d"],
 months:["1\u6708","2\u6708","3\u6708","4\u6708","5\u6708","6\u6708","7\u6708","8\u6708","9\u6708","10\u6708","11\u6708","12\u6708"],
 shortMonths:["1\u6708","2\u6708","3\u6708","4\u6708","5\u6708","6\u6708","7\u6708","8\u6708","9\u6708","10\u6708","11\u6708","12\u6708"]}};
function dark(){var d=document.documentElement,b=document.body;
 return d.getAttribute("data-theme")==="dark"||(b&&b.getAttribute("data-jp-theme-light")==="false");}
var DARK={"#000000":"#e8e8e8","#000":"#e8e8e8","black":"#e8e8e8","#222":"#e8e8e8","#222222":"#e8e8e8",
 "#333":"#d8d8d8","#333333":"#d8d8d8","#444":"#c8c8c8","#444444":"#c8c8c8","#555555":"#bbbbbb","#555":"#bbbbbb",
 "#666":"#b0b0b0","#666666":"#b0b0b0","#888":"#9a9a9a","#e6e6e6":"#3a3a3a","white":"#1e1e1e","#ffffff":"#1e1e1e","#fff":"#1e1e1e"};
function adapt(spec,W){
 var s=JSON.parse(JSON.stringify(spec)),isDark=dark();
 if(isDark){s=JSON.parse(JSON.stringify(s).replace(/"(#[0-9a-fA-F]{3,6}|black|white)"/g,function(m,c){
   var k=c.toLowerCase();return DARK[k]?'"'+DARK[k]+'"':m;}));}
 var c=s.config=s.config||{};c.background="transparent";
 if(isDark){var t=c.title=c.title||{};t.color="#f0f0f0";t.subtitleColor="#d0d0d0";
  ["axis","legend","header"].forEach(function(k){var a=c[k]=c[k]||{};a.labelColor="#d8d8d8";a.titleColor="#f0f0f0";});
  c.axis.gridColor="#3a3a3a";c.axis.domainColor="#9a9a9a";c.axis.tickColor="#9a9a9a";
  c.text=c.text||{};if(!c.text.color)c.text.color="#e8e8e8";}
 if(s.title){var tt=typeof s.title==="string"||Array.isArray(s.title)?{text:s.title}:s.title;
  tt.text=wrap(join([].concat(tt.text)),Math.max(18,Math.floor(W/9.5)));
  if(tt.subtitle)tt.subtitle=wrap(join([].concat(tt.subtitle)),Math.max(24,Math.floor(W/7)));s.title=tt;}
 var narrow=W<640;
 if(narrow&&s.hconcat){s.vconcat=s.hconcat;delete s.hconcat;}
 if(narrow&&s.encoding&&s.encoding.column){s.encoding.row=s.encoding.column;delete s.encoding.column;
  if(s.encoding.row.header===undefined)s.encoding.row.header={labelAngle:0,labelAlign:"left",labelOrient:"top"};}
 return s;}
function readouts(el,spec){var ro=(spec.usermeta||{}).readouts;if(!ro)return;
 el.querySelectorAll(".vega-bind input[type=range]").forEach(function(i){
  var table=ro[i.name];if(!table)return;var span=i.nextElementSibling;if(!span)return;
  span.classList.add("defi-readout");
  function show(){var v=+i.value,t=table[String(v)];
   if(t===undefined){var best=null,bd=Infinity;for(var k in table){var d=Math.abs(+k-v);if(d<bd){bd=d;best=k;}}t=table[best];}
   span.textContent=t;}
  i.addEventListener("input",show);i.addEventListener("change",show);show();});}
function fit(el){var s=el.querySelector("svg");if(!s)return;s.setAttribute("role","img");
 s.setAttribute("aria-label",el.__defiSpec.description||"Chart");
 for(var i=0;i<s.children.length;i++){s.children[i].setAttribute("aria-hidden","true");}
 var w=+s.getAttribute("width"),h=+s.getAttribute("height");
 if(w&&h&&!s.getAttribute("viewBox"))s.setAttribute("viewBox","0 0 "+w+" "+h);
 s.style.maxWidth="100%";s.style.height="auto";}
function draw(el){var spec=el.__defiSpec,W=el.clientWidth||el.parentNode.clientWidth||560,mode=dark();
 el.__defiMode=mode;el.__defiWidth=W;
 if(el.__defiView){try{el.__defiView.finalize();}catch(e){}}
 var opts={actions:false,renderer:"svg"},tl=TIME_LOCALES[(spec.usermeta||{}).locale];
 if(tl)opts.timeFormatLocale=tl;
 return window.vegaEmbed(el,adapt(spec,W),opts).then(function(r){
  el.__defiView=r.view;fit(el);readouts(el,spec);el.setAttribute("data-defi-mode",mode?"dark":"light");});}
"""


def _no_vega_message() -> str:
    return tr("the Vega libraries are not loaded (in a notebook: run defi_helpers.render.reset() and "
              "re-run this cell)")


def chart_html(spec: dict, *, with_libraries: bool = False) -> str:
    """HTML for one chart: a labelled figure, its source line and the embed call."""
    div_id = f"defi-chart-{os.getpid()}-{next(_counter)}"
    if language() != "en":
        # The embed script draws month and day names in this language (TIME_LOCALES).
        spec = {**spec, "usermeta": {**(spec.get("usermeta") or {}), "locale": language().replace("_", "-")}}
    description = spec.get("description") or tr("Chart")
    failed = json.dumps(tr("Chart failed to render: "))
    source = (spec.get("usermeta") or {}).get("source")
    caption = f'<figcaption class="defi-chart-source">{html.escape(source)}</figcaption>' if source else ""
    libs = _inline_libraries() + "\n" if with_libraries else ""
    return (
        f'{libs}<figure class="defi-chart" role="figure" tabindex="0" aria-label="{html.escape(description)}"'
        ' style="max-width:100%;min-width:0">'
        f'<div id="{div_id}" class="defi-chart-view" style="width:100%"></div>{caption}</figure>\n'
        '<script type="text/javascript">(function(){'
        f'var el=document.getElementById("{div_id}");var spec={_json_for_script(responsive(spec))};'
        'function fail(e){el.innerHTML="";var p=document.createElement("pre");'
        f'p.className="defi-chart-error";p.textContent={failed}+String(e);'
        'el.appendChild(p);console.error(e);}'
        f'if(typeof window.vegaEmbed!=="function"){{fail({json.dumps(_no_vega_message())});return;}}'
        + _EMBED_JS +
        'el.__defiSpec=spec;draw(el).catch(fail);'
        # Redraw when the colour mode changes, or the column's width changes a lot (rotation).
        'if(window.MutationObserver){new MutationObserver(function(){if(dark()!==el.__defiMode)draw(el).catch(fail);})'
        '.observe(document.documentElement,{attributes:true,attributeFilter:["data-theme"]});'
        'if(document.body)new MutationObserver(function(){if(dark()!==el.__defiMode)draw(el).catch(fail);})'
        '.observe(document.body,{attributes:true,attributeFilter:["data-jp-theme-light"]});}'
        'var t=null;window.addEventListener("resize",function(){clearTimeout(t);t=setTimeout(function(){'
        'var W=el.clientWidth;if(W&&Math.abs(W-el.__defiWidth)>40)draw(el).catch(fail);},250);});'
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


def _series_html(series) -> str:
    """A pandas Series shown as a two-column table (its labels in header cells), as a DataFrame is:
    readable on a phone, and translated like every other output table in the Chinese edition."""
    return series.to_frame(name="" if series.name is None else series.name)._repr_html_()


def enable() -> None:
    """Register and enable the ``defi`` renderer (done on import of :mod:`defi_helpers.charts`);
    in IPython, also show pandas Series as HTML tables."""
    alt.renderers.register("defi", _renderer)
    alt.renderers.enable("defi")
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    ip = get_ipython()
    if ip is not None:
        import pandas as pd

        ip.display_formatter.formatters["text/html"].for_type(pd.Series, _series_html)
