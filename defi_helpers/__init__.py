"""defi_helpers: models, charts and explorers for the DeFi Lending Handbook.

Layers (arrows point one way):

* models -- pure functions over numpy/pandas: :mod:`.collateral`, :mod:`.rates`,
  :mod:`.looping`, :mod:`.lst`, :mod:`.usde`, :mod:`.pendle`, :mod:`.tvl`, :mod:`.rwa`,
  :mod:`.flashloans`, :mod:`.risk`;
* :mod:`.charts` -- Altair chart functions and the house theme;
* :mod:`.explore` -- explorers: one declaration, ipywidgets live or Vega sliders static;
* :mod:`.data` -- bundled, dated datasets with sources;
* :mod:`.exercises` -- self-checks for students.
"""

__version__ = "0.1.0"
