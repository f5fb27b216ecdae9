"""The build extension: static mode, offline scripts, and cache invalidation on package change."""

import importlib.util
import os
from types import SimpleNamespace

from helpers import ROOT


def load_ext():
    spec = importlib.util.spec_from_file_location("defi_book", ROOT / "book" / "_ext" / "defi_book.py")
    mod = importlib.util.module_from_spec(spec)
    before = os.environ.get("DEFI_HANDBOOK_BUILD")
    spec.loader.exec_module(mod)
    assert os.environ.get("DEFI_HANDBOOK_BUILD") == "1"   # set on load, before any kernel starts
    if before is None:
        del os.environ["DEFI_HANDBOOK_BUILD"]
    return mod


def test_package_hash_changes_with_any_file(tmp_path):
    ext = load_ext()
    pkg = tmp_path / "pkg"
    (pkg / "data").mkdir(parents=True)
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "data" / "d.csv").write_text("a\n1\n")
    h0 = ext.package_hash(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    assert ext.package_hash(pkg) == h0           # bytecode does not count
    (pkg / "a.py").write_text("x = 1\n# one-line change\n")
    h1 = ext.package_hash(pkg)
    assert h1 != h0
    (pkg / "data" / "d.csv").write_text("a\n2\n")
    assert ext.package_hash(pkg) != h1           # data changes count too


def test_stale_package_clears_cache_and_rereads_notebooks(tmp_path):
    ext = load_ext()
    cache = tmp_path / "_build" / ".jupyter_cache"
    cache.mkdir(parents=True)
    (cache / "global.db").write_text("cached")
    app = SimpleNamespace(config=SimpleNamespace(nb_execution_cache_path=str(cache)),
                          outdir=str(tmp_path / "_build" / "html"))
    ext._check_package(app)                      # no stamp yet: stale
    assert app.env_defi_stale and not cache.exists()
    env = SimpleNamespace(found_docs={"notebooks/01-collateral", "book/intro"},
                          doc2path=lambda d, base=False: d + (".ipynb" if d.startswith("notebooks") else ".md"))
    assert set(ext._outdated(app, env, set(), set(), set())) == {"notebooks/01-collateral", "book/intro"}
    ext._save_hash(app, None)                    # after a successful build
    cache.mkdir()
    ext._check_package(app)
    assert not app.env_defi_stale and cache.exists()
    assert ext._outdated(app, env, set(), set(), set()) == []
    ext._save_hash(app, RuntimeError("failed build"))   # a failed build keeps the old stamp
    assert (tmp_path / "_build" / ext._HASH_FILE).read_text().strip() == app.env_defi_hash
