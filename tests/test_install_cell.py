"""Each chapter's first code cell installs the package where it is missing (Colab, a bare Jupyter).

* The cell is the one ``book/_ext/notebook_tools.py install-cell`` generates from
  ``_config.yml`` (``repository.url``/``branch``, also used by the launch buttons),
  tagged ``remove-cell`` so the site hides it (the book still executes it: a no-op there).
* In a fresh virtual environment that can import every dependency but not
  ``defi_helpers``, running the cell installs the package (here from a local
  ``git clone`` of this repository, offline, through ``DEFI_HANDBOOK_PIP_SOURCE``) and
  ``import defi_helpers`` then works; running it again, or where the package is
  installed, does nothing. No network.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from helpers import ROOT, toc_notebooks

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import notebook_tools as nt  # noqa: E402

NOTEBOOKS = toc_notebooks()

RUN_CELL = """
import sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
result = shell.run_cell(open(sys.argv[1], encoding="utf-8").read())
result.raise_error()
import defi_helpers
print("DEFI_HELPERS_AT", defi_helpers.__file__)
"""


def test_cell_code_comes_from_config():
    code = nt.install_cell_source()
    url = nt.load_config()["repository"]["url"]
    assert f"git+{url}@{nt.load_config()['repository']['branch']}" in code
    assert nt.PIP_SOURCE_ENV in code and "%pip install" in code
    cell = nt.install_cell()
    assert cell["metadata"]["tags"] == ["remove-cell"] and cell["outputs"] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_code_cell_is_the_install_cell(path):
    nb = nt.read_notebook(path)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert nt._source(first) == nt.install_cell_source(), \
        f"{path.name}: run `.venv/bin/python book/_ext/notebook_tools.py install-cell notebooks/*.ipynb`"
    assert "remove-cell" in first.get("metadata", {}).get("tags", [])
    assert first.get("outputs") == [] and first.get("execution_count") is None


def test_install_cell_tool_is_idempotent_and_updates(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# T\n"]},
                    {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": ["import defi_helpers"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "x.ipynb"
    nt.write_notebook(path, nb)
    assert nt.set_install_cell(path)
    cells = nt.read_notebook(path)["cells"]
    assert [c["id"] for c in cells] == ["m", nt.INSTALL_CELL_ID, "c"]
    assert not nt.set_install_cell(path)                     # idempotent
    cells[1]["source"] = ["# Installs the handbook's package where it is missing, old version\n"]
    cells[1]["metadata"]["tags"] = ["keep-me"]
    nt.write_notebook(path, {**nb, "cells": cells})
    assert nt.set_install_cell(path)                         # updated in place, tags kept
    cells = nt.read_notebook(path)["cells"]
    assert len(cells) == 3 and nt._source(cells[1]) == nt.install_cell_source()
    assert set(cells[1]["metadata"]["tags"]) == {"keep-me", "remove-cell"}


def _shadow_site_packages(dest: Path) -> Path:
    """The .venv's site-packages, less defi_helpers (and its editable finder), as symlinks."""
    site = Path(sysconfig.get_paths()["purelib"])
    dest.mkdir()
    for entry in site.iterdir():
        low = entry.name.lower()
        if "defi_helpers" in low or "defi-helpers" in low or low.endswith(".pth"):
            continue
        (dest / entry.name).symlink_to(entry)
    return dest


def _run_cell(python: Path, cell: Path, cwd: Path, source: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "VIRTUAL_ENV"))}
    env.update({nt.PIP_SOURCE_ENV: source, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "PIP_CONFIG_FILE": os.devnull, "HOME": str(cwd)})
    env.pop("DEFI_HANDBOOK_BUILD", None)
    return subprocess.run([str(python), "-c", RUN_CELL, str(cell)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cell_installs_the_package_in_a_fresh_venv_offline(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is needed to clone the repository")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # Every dependency importable (pip, IPython, numpy, …), the handbook's package not.
    shadow = _shadow_site_packages(tmp_path / "deps")
    (Path(purelib) / "handbook_deps.pth").write_text(f"{shadow}\n")
    work = tmp_path / "work"
    work.mkdir()
    probe = subprocess.run([str(python), "-c", "import IPython, numpy, altair, defi_helpers"], cwd=work,
                           capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    assert "No module named 'defi_helpers'" in probe.stderr, probe.stderr

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    cell = tmp_path / "cell.py"
    cell.write_text(nt.install_cell_source(), encoding="utf-8")
    offline = f"--no-deps --no-build-isolation --no-index --no-cache-dir {clone}"

    first = _run_cell(python, cell, work, offline)
    assert first.returncode == 0, first.stdout + first.stderr
    where = [ln for ln in first.stdout.splitlines() if ln.startswith("DEFI_HELPERS_AT")]
    assert where and where[0].split()[1].startswith(purelib), first.stdout  # installed, in the fresh venv
    installed = sorted(p.name for p in Path(purelib).iterdir() if "defi_helpers" in p.name)
    assert installed, "nothing installed"

    # Again, with the package present: a no-op (a bogus source would make pip fail loudly).
    stamp = {p: p.stat().st_mtime_ns for p in Path(purelib).glob("defi_helpers*")}
    again = _run_cell(python, cell, work, "--no-index /nonexistent/source")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "ERROR" not in again.stdout + again.stderr and "pip" not in again.stdout.lower()
    assert {p: p.stat().st_mtime_ns for p in Path(purelib).glob("defi_helpers*")} == stamp


def test_cell_is_a_no_op_where_the_package_is_installed(tmp_path):
    cell = tmp_path / "cell.py"
    cell.write_text(nt.install_cell_source(), encoding="utf-8")
    out = _run_cell(Path(sys.executable), cell, tmp_path, "--no-index /nonexistent/source")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ERROR" not in out.stdout + out.stderr
    assert [ln for ln in out.stdout.splitlines() if not ln.startswith("DEFI_HELPERS_AT")] == []
