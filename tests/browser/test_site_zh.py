"""The Traditional Chinese edition in Chromium: the English site's checks, plus the language switch.

Every page of ``zh-tw/`` passes what ``test_site.py`` and ``test_accessibility.py`` ask of the
English pages (charts drawn, sliders redraw them, no page error, nothing leaves 127.0.0.1,
axe-core clean); and the switch on every page of both editions leads to the same page in the
other edition, over http and from ``file://``.
"""

import re

import pytest
import test_accessibility as english_a11y
import test_site as english

from helpers import chapter_pages

ZH = "zh-tw"
ZH_PAGES = [f"{ZH}/{p}" for p in chapter_pages()]


def _zh_explorer_pages():
    return [f"{ZH}/{p}" for p in english._explorer_pages()]


@pytest.mark.parametrize("path", ZH_PAGES)
def test_chinese_page_renders_offline(watched, site_url, path):
    english.test_page_renders_offline(watched, site_url, path)


@pytest.mark.parametrize("path", _zh_explorer_pages())
def test_every_chinese_explorer_slider_redraws(watched, site_url, path):
    english.test_every_explorer_slider_redraws(watched, site_url, path)


@pytest.mark.parametrize("path", ZH_PAGES)
def test_no_serious_accessibility_violations_zh(watched, site_url, path):
    english_a11y.test_no_serious_accessibility_violations(watched, site_url, path)


def _switch_round_trip(page, start: str, base: str):
    page.goto(f"{base}/{start}", wait_until="load")
    lang = page.get_attribute("html", "lang")
    page.click("a.defi-lang-switch")
    page.wait_for_load_state("load")
    there = page.url
    other = page.get_attribute("html", "lang")
    page.click("a.defi-lang-switch")
    page.wait_for_load_state("load")
    return lang, there, other, page.url


# Every page's switch link is checked statically (tests/test_i18n.py); clicking it in a browser, a
# round trip per kind of page: the book's pages, a chapter, the glossary, the lab appendix.
@pytest.mark.parametrize("path", ["book/intro.html", "book/map.html", "notebooks/06-tvl.html", "book/glossary.html",
                                  "notebooks/lab.html"])
def test_switch_leads_to_the_same_page_over_http(watched, site_url, path):
    lang, there, other, back = _switch_round_trip(watched.page, path, site_url)
    assert (lang, other) == ("en", "zh-Hant-TW")
    assert there == f"{site_url}/{ZH}/{path}" and back == f"{site_url}/{path}"
    assert watched.errors == [] and watched.external_requests() == []


@pytest.mark.parametrize("path", ["book/intro.html", "notebooks/01-collateral.html", "book/glossary.html"])
def test_switch_works_from_file_urls(watched, path):
    base = english.SITE.resolve().as_uri()
    lang, there, other, back = _switch_round_trip(watched.page, path, base)
    assert (lang, other) == ("en", "zh-Hant-TW")
    assert there == f"{base}/{ZH}/{path}" and back == f"{base}/{path}"


def test_chinese_search_finds_chinese_terms(watched, site_url):
    page = watched.page
    page.goto(f"{site_url}/{ZH}/search.html?q=健康因子", wait_until="load")
    # Sphinx's search lists its results one by one: wait for the glossary's, not for the first result.
    found = "[...document.querySelectorAll('#search-results li a')].some(a => /詞彙表|Glossary/.test(a.innerText))"
    try:
        page.wait_for_function(found, timeout=30_000)
    finally:
        hits = page.locator("#search-results li a").all_inner_texts()
    assert any(re.search("詞彙表|Glossary", h) for h in hits), hits


@pytest.mark.parametrize("path", [f"{ZH}/notebooks/{c}.html" for c in ("02-looping", "04-usde", "06-tvl")])
def test_chinese_charts_fit_a_phone(phone, site_url, path):
    """Chinese titles wrap by display width: no chart is clipped or scrolls on a 390 px phone."""
    english.test_charts_fit_a_phone(phone, site_url, path)
    page = phone.page
    # Every title and subtitle line fits inside its chart (they are drawn unscaled before fitting).
    over = page.eval_on_selector_all("figure.defi-chart svg", """svgs => svgs.flatMap(s => {
        const w = +s.getAttribute('width');
        const lines = [...s.querySelectorAll('.role-title-text text, .role-title-subtitle text')]
            .flatMap(t => t.querySelector('tspan') ? [...t.querySelectorAll('tspan')] : [t]);
        return lines.filter(t => t.getComputedTextLength() > w + 1).map(t => t.textContent);
    })""")
    assert over == []


def test_chinese_readouts_and_month_names(watched, site_url):
    """Slider readouts and time axes in a Taipei reader's units: 85 %, 萬美元, 年/月, no English month names."""
    page = watched.page

    def load(path):
        page.goto(f"{site_url}/{ZH}/notebooks/{path}", wait_until="load")
        page.wait_for_function("document.querySelectorAll('figure.defi-chart svg.marks').length >= "
                               "document.querySelectorAll('figure.defi-chart').length", timeout=30_000)

    load("04-usde.html")
    text = " ".join(page.eval_on_selector_all("figure.defi-chart svg text", "ts => ts.map(t => t.textContent)"))
    assert re.search(r"20\d\d年\d{1,2}月", text), text[:300]
    assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", text)
    load("08-flashloans.html")
    readouts = page.eval_on_selector_all(".defi-readout", "rs => rs.map(r => r.textContent)")
    assert "200 萬美元" in readouts and any(r.endswith(" %") for r in readouts), readouts
