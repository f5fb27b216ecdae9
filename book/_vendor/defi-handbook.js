/* Small accessibility fixes to the stock Jupyter Book 1 theme, found by axe-core
   (tests/browser/test_accessibility.py). Loaded on every page by book/_ext/defi_book.py. */
document.addEventListener("DOMContentLoaded", function () {
  // The search buttons show "Search Ctrl+K" but are labelled "Search": make the name include the visible text.
  document.querySelectorAll(".search-button__button[aria-label]").forEach(function (b) {
    var text = b.textContent.replace(/\s+/g, " ").trim();
    if (text) b.setAttribute("aria-label", text);
  });
  // The colour-mode switch (shown again now that charts follow dark mode): its icons are decoration
  // (their glyphs and, once Font Awesome has turned them into <svg>, their <title>s count as visible
  // text for axe-core); the button's name -- the theme's own, translated label -- says the current mode.
  // Font Awesome may replace the <i> icons before or after this runs, so both forms are handled and
  // the names are set again whenever the icons are swapped.
  document.querySelectorAll(".theme-switch-button").forEach(function (b) {
    var base = b.getAttribute("aria-label") || b.getAttribute("data-bs-title") || "Color mode";
    var sep = /^zh/.test(document.documentElement.lang || "") ? "\uff1a" : ": ";
    function title(el) {
      if (!el) return null;
      var t = el.getAttribute("title") || (el.querySelector("title") || {}).textContent;
      return t || null;
    }
    function name() {
      b.querySelectorAll("i, svg").forEach(function (el) {
        if (el.getAttribute("aria-hidden") !== "true") el.setAttribute("aria-hidden", "true");
      });
      var mode = document.documentElement.dataset.mode || "auto";
      var label = base + sep + (title(b.querySelector('[data-mode="' + mode + '"]')) || mode);
      if (b.getAttribute("aria-label") !== label) b.setAttribute("aria-label", label);
    }
    name();
    new MutationObserver(name).observe(document.documentElement, {attributes: true, attributeFilter: ["data-mode"]});
    new MutationObserver(name).observe(b, {childList: true, subtree: true});
  });
  // docutils marks the bibliography as role=list but its entries as doc-biblioentry, not listitem.
  document.querySelectorAll(".citation-list[role=list]").forEach(function (el) { el.removeAttribute("role"); });
  // Scrollable outputs (wide tables, long code) must be reachable with the keyboard.
  document.querySelectorAll(".cell_output, .output, div.highlight pre, .table-wrapper, .pst-scrollable-table-container")
    .forEach(function (el) {
      if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
        el.setAttribute("tabindex", "0");
        if (!el.getAttribute("aria-label"))
          el.setAttribute("aria-label", /^zh/.test(document.documentElement.lang || "") ? "可捲動的輸出" : "Scrollable output");
      }
    });
});
