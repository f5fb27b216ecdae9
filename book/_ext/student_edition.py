"""Build the student edition: the handbook with every exercise solution removed.

The default site keeps solutions folded (sphinx-exercise dropdowns). For a
course, ``make book-student`` builds from a copy of the sources in which every
```` ```{solution} ```` block has been cut out of the notebooks and pages, so
neither the pages nor the downloadable notebooks contain them, and sets
sphinx-exercise's ``hide_solutions`` as a second guard. Both editions are built from the
same stripped copy, English and Traditional Chinese (``_config.zh.yml`` over the copy's
configuration, see ``book/_ext/defi_i18n.py``), concurrently. Output:
``_build/student/html`` and ``_build/student/html/zh-tw``.

Usage: ``python book/_ext/student_edition.py [--src .] [--out _build/student] [--languages en zh_TW]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# An opening fence of 3+ backticks or colons, the solution directive, then anything up
# to a closing fence of the same characters and length on its own line.
_SOLUTION = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution\}[^\n]*\n.*?^(?P=fence)[ \t]*(?:\n|\Z)",
    re.MULTILINE | re.DOTALL,
)
_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache", ".hypothesis",
                                 "*.egg-info", "tests", "benchmarks")


def strip_solutions(text: str) -> str:
    """``text`` without its ``{solution}`` directive blocks (and the blank lines they leave)."""
    return re.sub(r"\n{3,}", "\n\n", _SOLUTION.sub("", text))


def strip_notebook(path: Path) -> int:
    """Strip solutions from a notebook's markdown cells in place; return how many blocks went."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    removed = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        removed += len(_SOLUTION.findall(src))
        cell["source"] = strip_solutions(src)
    nb["cells"] = [c for c in nb["cells"] if not (c["cell_type"] == "markdown" and not "".join(c["source"]).strip())]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return removed


def make_student_sources(src: Path, dst: Path) -> int:
    """Copy the book's sources to ``dst`` with solutions removed; return the number removed."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=_IGNORE)
    removed = 0
    for path in list(dst.glob("notebooks/*.ipynb")) + list(dst.glob("book/**/*.ipynb")):
        removed += strip_notebook(path)
    for path in dst.glob("book/**/*.md"):
        text = path.read_text(encoding="utf-8")
        removed += len(_SOLUTION.findall(text))
        path.write_text(strip_solutions(text), encoding="utf-8")
    config = dst / "_config.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("title: The DeFi Lending Handbook", "title: The DeFi Lending Handbook (student edition)", 1)
    text = text.replace("  config:\n", "  config:\n    hide_solutions: true\n", 1)
    config.write_text(text, encoding="utf-8")
    return removed


def build_command(work: Path, language: str) -> tuple[list[str], Path]:
    """The jupyter-book command for one edition of the stripped copy, and its html folder."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import defi_i18n

    jb = str(Path(sys.executable).parent / "jupyter-book")
    if defi_i18n.edition(language) == "en":
        return [jb, "build", str(work), "-W", "-n", "--keep-going"], work / "_build" / "html"
    out = work / "_build" / language
    out.mkdir(parents=True, exist_ok=True)
    import yaml

    config = out / "_config.yml"
    config.write_text(yaml.safe_dump(defi_i18n.edition_config(language, root=work), allow_unicode=True,
                                     sort_keys=False), encoding="utf-8")
    return ([jb, "build", str(work), "--config", str(config), "--path-output", str(out), "-W", "-n",
             "--keep-going"], out / "_build" / "html")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default=".", type=Path)
    ap.add_argument("--out", default=Path("_build/student"), type=Path)
    ap.add_argument("--languages", nargs="+", default=["en", "zh_TW"])
    args = ap.parse_args(argv)
    src = args.src.resolve()
    work = (src / args.out / "src").resolve()
    removed = make_student_sources(src, work)
    print(f"student edition: removed {removed} solution blocks")
    builds = {lang: build_command(work, lang) for lang in args.languages}
    # The editions have separate output folders and execution caches: build them at the same time.
    procs = {lang: subprocess.Popen(cmd, cwd=work, env=dict(os.environ)) for lang, (cmd, _) in builds.items()}
    failed = [lang for lang, p in procs.items() if p.wait() != 0]
    if failed:
        raise SystemExit(f"student edition: the build failed for {failed}")
    html = (src / args.out / "html").resolve()
    if html.exists():
        shutil.rmtree(html)
    first, *others = args.languages
    shutil.copytree(builds[first][1], html)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import defi_i18n

    for lang in others:
        shutil.copytree(builds[lang][1], html / defi_i18n.EDITIONS[lang]["subdir"])
    print(f"student edition built: file://{html}/index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
