/* Small accessibility fixes to the stock Jupyter Book 1 theme, found by axe-core
   (tests/browser/test_accessibility.py). Loaded on every page by book/_ext/defi_book.py. */
document.addEventListener("DOMContentLoaded", function () {
  // The search buttons show "Search Ctrl+K" but are labelled "Search": make the name include the visible text.
  document.querySelectorAll(".search-button__button[aria-label]").forEach(function (b) {
    var text = b.textContent.replace(/\s+/g, " ").trim();
    if (text) b.setAttribute("aria-label", text);
  });
  // The colour-mode switch (shown again now that charts follow dark mode): its icons are decoration
  // (their glyphs count as visible text for axe-core); the button's name says the current mode.
  document.querySelectorAll(".theme-switch-button").forEach(function (b) {
    b.querySelectorAll("i").forEach(function (i) { i.setAttribute("aria-hidden", "true"); });
    function name() {
      var mode = document.documentElement.dataset.mode || "auto";
      var icon = b.querySelector('i[data-mode="' + mode + '"]');
      b.setAttribute("aria-label", "Color mode: " + (icon ? icon.getAttribute("title") : mode));
    }
    name();
    new MutationObserver(name).observe(document.documentElement, {attributes: true, attributeFilter: ["data-mode"]});
  });
  // docutils marks the bibliography as role=list but its entries as doc-biblioentry, not listitem.
  document.querySelectorAll(".citation-list[role=list]").forEach(function (el) { el.removeAttribute("role"); });
  // Scrollable outputs (wide tables, long code) must be reachable with the keyboard.
  document.querySelectorAll(".cell_output, .output, div.highlight pre, .table-wrapper, .pst-scrollable-table-container")
    .forEach(function (el) {
      if (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) {
        el.setAttribute("tabindex", "0");
        if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", "Scrollable output");
      }
    });
});
