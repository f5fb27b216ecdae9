"""Every chapter notebook runs top to bottom in a live kernel, and is committed clean.

The book build runs the notebooks too, in static mode; this runs them as a
reader in JupyterLab would (explorers as ipywidgets), so both modes are tested.
"""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import ROOT, toc_files, toc_notebooks

NOTEBOOKS = sorted(set(toc_notebooks()) | set((ROOT / "notebooks").glob("*.ipynb")))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert dirty == [], f"{path.name}: cells {dirty} have outputs; clear them before committing"


def test_every_notebook_is_in_the_toc():
    listed = {ROOT / f"{f}.ipynb" for f in toc_files()}
    missing = [p.name for p in (ROOT / "notebooks").glob("*.ipynb") if p not in listed]
    assert missing == [], f"notebooks not in _toc.yml: {missing}"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_live(path, monkeypatch):
    monkeypatch.delenv("DEFI_HANDBOOK_BUILD", raising=False)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert errors == []
    charts = [o for o in outputs if "defi-chart" in str(o.get("data", {}).get("text/html", ""))]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert charts or widgets, f"{path.name} shows no chart"
