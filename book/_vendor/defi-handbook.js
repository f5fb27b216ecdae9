/* Small accessibility fixes to the stock Jupyter Book 1 theme, found by axe-core
   (tests/browser/test_accessibility.py). Loaded on every page by book/_ext/defi_book.py. */
document.addEventListener("DOMContentLoaded", function () {
  // The search buttons show "Search Ctrl+K" but are labelled "Search": make the name include the visible text.
  document.querySelectorAll(".search-button__button[aria-label]").forEach(function (b) {
    var text = b.textContent.replace(/\s+/g, " ").trim();
    if (text) b.setAttribute("aria-label", text);
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
