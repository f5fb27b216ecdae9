"""Keep the chapter notebooks readable in JupyterLab as well as in the book.

Two commands, each run once over the chapters (both idempotent)::

    .venv/bin/python book/_ext/notebook_tools.py migrate notebooks/*.ipynb
    .venv/bin/python book/_ext/notebook_tools.py install-cell notebooks/*.ipynb
    .venv/bin/python book/_ext/notebook_tools.py all notebooks/*.ipynb      # both

``migrate`` rewrites a notebook's markdown so that the book (myst-parser) and
JupyterLab (jupyterlab-myst) read it alike:

* ``{term}`text <target>``` and ``{term}`text``` become links to the glossary
  term's anchor, ``[text](../book/glossary.md#term-Target)`` (the anchor is the
  id Sphinx gives the term; the target is matched case-insensitively, as Sphinx
  does). In the book, ``book/_ext/defi_book.py`` resolves them and warns when
  the anchor is not a glossary term.
* ``{cite}`a,b``` / ``{cite:p}`` become "(Author, Year; Author2, Year)" (no extra
  brackets when the role already follows an opening one) with
  each label linked to ``../book/references.md#cite-<key>``; ``{cite:t}`` becomes
  "Author (Year)", linked. Labels are built from the ``.bib`` files listed in
  ``_config.yml`` the way sphinxcontrib-bibtex's author-year style builds them.
* ``{doc}`` becomes a relative link to the notebook or page (its title when the
  role gave no text).
* every ``$`` that the book's parser reads as text (money: ``$10,000``) gets a
  backslash (``\\$10,000``), so that jupyterlab-myst, which ignores the book's
  ``myst_dmath_allow_space/allow_digits: false``, does not typeset it as maths.
  A ``$`` is escaped only when escaping it leaves the book parser's tokens
  unchanged (same text, same maths, same code), so maths delimiters, code
  spans, fenced code and URLs are never touched.

``install-cell`` writes (or updates) a first code cell that installs the
``defi_helpers`` package when it is missing (Colab, a bare Jupyter), from the
repository set in ``_config.yml`` (``repository.url`` and ``branch``, also used
by the launch buttons). The cell is tagged ``remove-cell``: the book executes
it (a no-op there) but does not show it. ``DEFI_HANDBOOK_PIP_SOURCE`` overrides
what is passed to ``pip install`` (a requirement, a path or URL, optionally
preceded by pip options), for offline tests and forks.

Notebook JSON is written as the repository keeps it: ``indent=1``,
``ensure_ascii=False``, a trailing newline, every cell's metadata kept.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = "book/glossary.md"
REFERENCES = "book/references.md"
INSTALL_CELL_ID = "install-defi-helpers"
INSTALL_MARKER = "# Installs the handbook's package where it is missing"
PIP_SOURCE_ENV = "DEFI_HANDBOOK_PIP_SOURCE"

# Directives whose body is not Markdown (left alone by the `$` pass).
_LITERAL_DIRECTIVES = {"code", "code-block", "sourcecode", "code-cell", "math", "raw", "eval-rst",
                       "csv-table", "toctree", "bibliography", "mermaid", "literalinclude", "glossary"}


# -- configuration -------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def load_config(root: Path = ROOT) -> dict:
    import yaml

    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def pip_source(root: Path = ROOT) -> str:
    """``git+<repository.url>@<branch>`` from ``_config.yml``."""
    repo = load_config(root).get("repository") or {}
    url = repo.get("url")
    if not url:
        raise ValueError("_config.yml: repository.url is not set")
    return f"git+{url.rstrip('/')}@{repo.get('branch') or 'main'}"


# -- the book's Markdown parser ----------------------------------------------------------------------
@lru_cache(maxsize=None)
def md_parser(permissive: bool = False, root: Path = ROOT):
    """myst-parser's markdown-it parser configured as the book's ``_config.yml`` configures it.

    ``permissive=True`` sets ``dmath_allow_space`` and ``dmath_allow_digits`` to true: what
    jupyterlab-myst does, since it does not read the book's settings.
    """
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    cfg = load_config(root)
    exts = set((cfg.get("parse") or {}).get("myst_enable_extensions") or [])
    sphinx_cfg = ((cfg.get("sphinx") or {}).get("config") or {})
    kwargs = {k[len("myst_"):]: v for k, v in sphinx_cfg.items()
              if k.startswith("myst_dmath_") or k == "myst_heading_anchors"}
    if permissive:
        kwargs.update(dmath_allow_space=True, dmath_allow_digits=True)
    return create_md_parser(MdParserConfig(enable_extensions=exts, **kwargs), RendererHTML)


def _signature(tokens) -> list:
    """What a reader gets from ``tokens``: types and contents, text runs merged (markup ignored)."""
    out = []
    for t in tokens:
        if t.children:
            kids = []
            for c in t.children:
                if c.type in ("text", "text_special") and kids and kids[-1][0] == "text":
                    kids[-1] = ("text", kids[-1][1] + c.content)
                else:
                    kids.append(("text" if c.type == "text_special" else c.type, c.content,
                                 tuple(sorted((c.attrs or {}).items()))))
            out.append((t.type, tuple(kids)))
        else:
            out.append((t.type, t.content, t.info))
    return out


def math_tokens(text: str, permissive: bool = False) -> list[tuple[str, str]]:
    """Every maths token (inline and block) the parser finds in ``text``, recursing into directives."""
    found = []
    for t in md_parser(permissive).parse(text):
        if t.type in ("fence", "colon_fence") and _directive_body(t) is not None:
            found += math_tokens(_directive_body(t)[1], permissive)
        elif t.type.startswith("math") or t.type == "amsmath":
            found.append((t.type, t.content.strip()))
        for c in t.children or ():
            if c.type.startswith("math"):
                found.append((c.type, c.content.strip()))
    return found


def _directive_body(tok):
    """(offset of the body in ``tok.content`` lines, body text) for a Markdown-bodied directive."""
    m = re.match(r"\{([\w:-]+)\}", tok.info.strip())
    if not m or m.group(1).split(":")[-1] in _LITERAL_DIRECTIVES:
        return None
    lines = tok.content.splitlines(keepends=True)
    i = 0
    if lines and lines[0].strip() == "---":
        for j in range(1, len(lines)):
            if lines[j].strip() == "---":
                i = j + 1
                break
    else:
        while i < len(lines) and re.match(r"\s*:[\w-]+:", lines[i]):
            i += 1
    return i, "".join(lines[i:])


def _unescaped_dollars(text: str) -> list[int]:
    out = []
    for m in re.finditer(r"\$", text):
        k = m.start()
        backslashes = len(text[:k]) - len(text[:k].rstrip("\\"))
        if backslashes % 2 == 0:
            out.append(k)
    return out


def escape_money(text: str) -> str:
    """Backslash every ``$`` the book's parser reads as text; leave maths, code and URLs alone."""
    parser = md_parser(False)
    tokens = parser.parse(text)
    reference = _signature(tokens)
    offset = 0
    for k in _unescaped_dollars(text):
        trial = text[:k + offset] + "\\" + text[k + offset:]
        if _signature(parser.parse(trial)) == reference:
            text, offset = trial, offset + 1
    # Markdown-bodied directives (admonitions, exercises, solutions): their bodies, recursively.
    lines = text.splitlines(keepends=True)
    for t in reversed(parser.parse(text)):
        if t.type not in ("fence", "colon_fence") or t.map is None:
            continue
        body = _directive_body(t)
        if body is None:
            continue
        skip, src = body
        start = t.map[0] + 1 + skip
        n = len(src.splitlines(keepends=True))
        old = "".join(lines[start:start + n])
        if old != src:   # indented fences: leave them (none in the chapters)
            continue
        new = escape_money(src)
        if new != src:
            lines[start:start + n] = new.splitlines(keepends=True)
    return "".join(lines)


# -- glossary, bibliography, documents -------------------------------------------------------------------
@lru_cache(maxsize=None)
def glossary_anchors(root: Path = ROOT) -> dict[str, str]:
    """Lower-cased glossary term -> the id Sphinx gives it (``term-Automated-market-maker``)."""
    from sphinx.util.nodes import _make_id

    text = (root / GLOSSARY).read_text(encoding="utf-8")
    anchors: dict[str, str] = {}
    used: set[str] = set()
    for block in re.finditer(r"^(`{3,}|:{3,})\{glossary\}[^\n]*\n(.*?)^\1\s*$", text, re.M | re.S):
        for line in block.group(2).splitlines():
            if not line.strip() or line[0].isspace() or re.match(r":[\w-]+:", line):
                continue
            term = line.strip()
            anchor = "term-" + _make_id(term)
            if not _make_id(term) or anchor in used:   # Sphinx falls back to a serial id: avoid
                raise ValueError(f"{GLOSSARY}: term {term!r} has no unique id ({anchor!r})")
            used.add(anchor)
            anchors.setdefault(term.lower(), anchor)
    return anchors


@lru_cache(maxsize=None)
def bib_entries(root: Path = ROOT) -> dict:
    from pybtex.database import parse_file

    entries = {}
    for f in load_config(root).get("bibtex_bibfiles") or []:
        entries.update(parse_file(str(root / f)).entries)
    return entries


def cite_label(key: str, root: Path = ROOT) -> tuple[str, str]:
    """(authors, year) as sphinxcontrib-bibtex's author-year style writes them."""
    from pybtex.richtext import Text

    entries = bib_entries(root)
    if key not in entries:
        raise ValueError(f"unknown citation key {key!r} (not in the .bib files of _config.yml)")
    e = entries[key]
    people = e.persons.get("author") or e.persons.get("editor") or []
    names = [" ".join(str(Text.from_latex(n)) for n in p.last_names) for p in people]
    if len(names) >= 3:
        who = f"{names[0]} et al."
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    elif names:
        who = names[0]
    else:
        who = str(Text.from_latex(e.fields.get("organization") or e.fields.get("key") or key))
    return who, e.fields.get("year", "n.d.")


def _rel(target: str, nb_path: Path, root: Path) -> str:
    return Path(os.path.relpath(root / target, nb_path.resolve().parent)).as_posix()


def _split_role(content: str) -> tuple[str | None, str]:
    m = re.fullmatch(r"\s*(.*?)\s*<([^<>]+)>\s*", content, re.S)
    return (m.group(1), m.group(2).strip()) if m else (None, content.strip())


def _doc_title(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    m = re.search(r"^#\s+(.+?)\s*$", text, re.M)
    if not m:
        raise ValueError(f"{path}: no title to link with")
    return m.group(1)


def rewrite_roles(text: str, nb_path: Path, root: Path = ROOT) -> str:
    """Replace ``{term}``, ``{cite}``/``{cite:p}``/``{cite:t}`` and ``{doc}`` roles by Markdown links."""
    glossary = _rel(GLOSSARY, nb_path, root)
    refs = _rel(REFERENCES, nb_path, root)
    anchors = glossary_anchors(root)

    def term(m):
        shown, target = _split_role(m.group(1))
        shown = shown if shown is not None else target
        anchor = anchors.get(" ".join(target.split()).lower())
        if anchor is None:
            raise ValueError(f"{nb_path}: {{term}} target {target!r} is not a term of {GLOSSARY}")
        return f"[{shown}]({glossary}#{anchor})"

    def cite(m):
        kind, keys = m.group(1) or "p", [k.strip() for k in m.group(2).split(",") if k.strip()]
        labels = [(k, *cite_label(k, root)) for k in keys]
        if kind == "t":
            return "; ".join(f"[{who} ({year})]({refs}#cite-{k})" for k, who, year in labels)
        inner = "; ".join(f"[{who}, {year}]({refs}#cite-{k})" for k, who, year in labels)
        # "({cite}`a`, `File.sol`)" read "((A, 2024), File.sol)" in the book: one pair of brackets.
        return inner if m.string[:m.start()].endswith("(") else f"({inner})"

    def doc(m):
        shown, target = _split_role(m.group(1))
        base = (root / target.lstrip("/")) if target.startswith("/") else (nb_path.resolve().parent / target)
        for suffix in ("", ".ipynb", ".md"):
            path = base.with_name(base.name + suffix)
            if path.is_file():
                break
        else:
            raise ValueError(f"{nb_path}: {{doc}} target {target!r} not found")
        link = Path(os.path.relpath(path, nb_path.resolve().parent)).as_posix()
        return f"[{shown if shown is not None else _doc_title(path)}]({link})"

    text = re.sub(r"\{term\}`([^`]+)`", term, text)
    text = re.sub(r"\{cite(?::(p|t))?\}`([^`]+)`", cite, text)
    return re.sub(r"\{doc\}`([^`]+)`", doc, text)


def migrate_markdown(text: str, nb_path: Path, root: Path = ROOT) -> str:
    return escape_money(rewrite_roles(text, nb_path, root))


# -- notebooks -------------------------------------------------------------------------------------------
def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def read_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_notebook(path: Path, nb: dict) -> None:
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def migrate_notebook(path: Path, root: Path = ROOT) -> bool:
    """Rewrite a notebook's markdown cells in place; return True if anything changed."""
    nb = read_notebook(path)
    changed = False
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        old = _source(cell)
        new = migrate_markdown(old, Path(path), root)
        if new != old:
            cell["source"] = _lines(new)
            changed = True
    if changed:
        write_notebook(path, nb)
    return changed


def install_cell_source(root: Path = ROOT) -> str:
    """The code of the first cell of every chapter."""
    return (
        f"{INSTALL_MARKER} (Colab, a bare Jupyter);\n"
        "# where it is installed (JupyterLab after `make lab`, Binder, the book) it does nothing.\n"
        "import importlib.util, os\n"
        "if importlib.util.find_spec(\"defi_helpers\") is None:\n"
        f"    _defi_source = os.environ.get(\"{PIP_SOURCE_ENV}\", \"{pip_source(root)}\")\n"
        "    %pip install -q {_defi_source}\n"
        "    importlib.invalidate_caches()"
    )


def install_cell(root: Path = ROOT) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": INSTALL_CELL_ID,
            "metadata": {"tags": ["remove-cell"]}, "outputs": [],
            "source": _lines(install_cell_source(root))}


def is_install_cell(cell) -> bool:
    return cell["cell_type"] == "code" and (cell.get("id") == INSTALL_CELL_ID
                                            or _source(cell).startswith(INSTALL_MARKER))


def set_install_cell(path: Path, root: Path = ROOT) -> bool:
    """Write or update the install cell as the notebook's first code cell; True if changed."""
    nb = read_notebook(path)
    want = install_cell(root)
    cells = nb["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    if code and is_install_cell(cells[code[0]]):
        cell = cells[code[0]]
        tags = list(dict.fromkeys([*(cell.get("metadata", {}).get("tags") or []), "remove-cell"]))
        new = {**cell, "source": want["source"], "outputs": [], "execution_count": None,
               "metadata": {**cell.get("metadata", {}), "tags": tags}}
        if new == cell:
            return False
        cells[code[0]] = new
    else:
        for i in code:     # a stale install cell further down goes
            if is_install_cell(cells[i]):
                del cells[i]
                break
        code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
        if "id" not in (cells[0] if cells else {"id": 1}) and nb.get("nbformat_minor", 0) < 5:
            want.pop("id")
        cells.insert(code[0] if code else len(cells), want)
    write_notebook(path, nb)
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["migrate", "install-cell", "all"])
    ap.add_argument("notebooks", nargs="+", type=Path)
    args = ap.parse_args(argv)
    for path in args.notebooks:
        done = []
        if args.command in ("migrate", "all") and migrate_notebook(path):
            done.append("migrated")
        if args.command in ("install-cell", "all") and set_install_cell(path):
            done.append("install cell written")
        print(f"{path}: {', '.join(done) or 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
