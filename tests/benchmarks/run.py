"""`make bench` (python tests/benchmarks/run.py): measure the build, the explorers and the site in Chromium.

Figures (printed, saved to tests/benchmarks/results.json and rendered into
book/benchmarks.md):

* cold build time of the whole book in a fresh copy, and the sum of the
  notebooks' own execution times (jupyter-cache records) -> build overhead;
* no-op rebuild; rebuild after a one-line change in defi_helpers (which must
  re-execute every notebook, see book/_ext/defi_book.py);
* live explorer recompute latency (slider change -> new chart bundle, in
  Python), p50/p95 per explorer;
* bytes per chapter page and per explorer (embedded grid + spec);
* in Chromium: time until every chart of a page has rendered; slider-to-repaint.
* chapter benchmarks that provide ``tests/benchmarks/bench_*.py`` with ``run() -> dict``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers import chapter_pages  # noqa: E402

JB = [str(Path(sys.executable).parent / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going", "-q"]
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache", ".hypothesis",
                                "*.egg-info")


def _timed_build(cwd: Path, env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(JB, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def _timed_both(copy: Path, env: dict) -> float:
    """Both editions built concurrently, as `make book` does (English, then the Chinese overlay)."""
    zh = copy / "_build" / "zh"
    subprocess.run([sys.executable, str(copy / "book" / "_ext" / "defi_i18n.py"), "config", "zh_TW", "-o",
                    str(zh / "_config.yml")], cwd=copy, env=env, check=True, stdout=subprocess.DEVNULL)
    t = time.perf_counter()
    procs = [subprocess.Popen(JB + ["--path-output", str(copy)], cwd=copy, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen(JB + ["--config", str(zh / "_config.yml"), "--path-output", str(zh)], cwd=copy,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    codes = [p.wait() for p in procs]
    if any(codes):
        raise RuntimeError(f"edition build failed: exit codes {codes}")
    return time.perf_counter() - t


@contextlib.contextmanager
def _fresh_copy():
    """A copy of the repository (no venv, build or git) and an environment whose PYTHONPATH makes
    the copy's defi_helpers win over the editable install, in Sphinx and in the kernels."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "book"
        shutil.copytree(ROOT, copy, ignore=IGNORE)
        yield copy, {**os.environ, "PYTHONPATH": str(copy)}


def bench_editions(runs: int = 3) -> dict:
    """Both editions (issue 15's targets: cold < 75 s, no-op < 8 s on 2 cores): the median of
    ``runs`` cold builds, each from an empty ``_build`` (one run varied by +-15 s on this machine)."""
    colds = []
    with _fresh_copy() as (copy, env):
        for _ in range(runs):
            shutil.rmtree(copy / "_build", ignore_errors=True)
            colds.append(round(_timed_both(copy, env), 1))
        noop = _timed_both(copy, env)
    return {"both_editions_cold_s": statistics.median(colds), "both_editions_cold_runs_s": colds,
            "both_editions_noop_s": round(noop, 1)}


def bench_build() -> dict:
    from jupyter_cache import get_cache

    with _fresh_copy() as (copy, env):
        cold = _timed_build(copy, env)
        records = get_cache(copy / "_build" / ".jupyter_cache").list_cache_records()
        per_nb = {Path(r.uri).name: round(r.data.get("execution_seconds", 0.0), 2) for r in records}
        noop = _timed_build(copy, env)
        target = copy / "defi_helpers" / "rates.py"
        target.write_text(target.read_text() + "\n# benchmark: one-line change\n")
        changed = _timed_build(copy, env)
        records2 = get_cache(copy / "_build" / ".jupyter_cache").list_cache_records()
        reexecuted = len(records2)
        pages = {}
        for page in chapter_pages():
            f = copy / "_build" / "html" / page
            if f.exists():
                pages[page] = f.stat().st_size
    exec_sum = sum(per_nb.values())
    return {
        "cold_build_s": round(cold, 1),
        "notebook_execution_sum_s": round(exec_sum, 1),
        "build_overhead_ratio": round(cold / exec_sum, 2) if exec_sum else None,
        "per_notebook_execution_s": per_nb,
        "noop_rebuild_s": round(noop, 1),
        "rebuild_after_package_change_s": round(changed, 1),
        "notebooks_reexecuted_after_change": reexecuted,
        "page_bytes": pages,
    }


def bench_explorers(repeats: int = 60) -> dict:
    import random

    os.environ.pop("DEFI_HANDBOOK_BUILD", None)
    sys.path.insert(0, str(ROOT / "tests"))
    from test_explore import FACTORIES

    rng = random.Random(0)
    out = {}
    for name, factory in FACTORIES:
        e = factory()
        box = e.widget()
        times = []
        for _ in range(repeats):
            p = rng.choice(e.params)
            values = [v for v in p.values() if v != box.sliders[p.name].value]
            t = time.perf_counter()
            box.sliders[p.name].value = float(rng.choice(values))   # triggers the redraw in Python
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        try:
            data_bytes = len(e.static_data().values.encode())
            spec_bytes = len(json.dumps(e.static_chart().to_dict()).encode())
        except ValueError as err:  # over budget: report it rather than stop the benchmark
            out[name] = {"error": str(err)}
            continue
        out[name] = {
            "live_p50_ms": round(statistics.median(times), 1),
            "live_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "static_data_bytes": data_bytes,
            "static_spec_bytes": spec_bytes,
        }
    return out


def bench_browser() -> dict:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from conftest import CHROMIUM, CHROMIUM_ARGS  # type: ignore
    from helpers import free_port

    site = ROOT / "_build" / "html"
    if not (site / "index.html").exists():
        return {"skipped": "site not built (run make book first)"}
    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port),
        functools.partial(type("Q", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
                          directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in chapter_pages():
            if not path.startswith("notebooks/"):
                continue
            page = b.new_page()
            page.goto(f"http://127.0.0.1:{port}/{path}", wait_until="domcontentloaded")
            n = page.locator("figure.defi-chart").count()
            page.wait_for_function(
                "n => document.querySelectorAll('figure.defi-chart svg.marks').length >= n", arg=n, timeout=60_000)
            rendered_ms = page.evaluate("performance.now()")
            repaint = page.evaluate("""async () => {
                const out = [];
                for (const input of document.querySelectorAll('figure.defi-chart .vega-bindings input[type=range]')) {
                    const svg = input.closest('figure').querySelector('svg.marks');
                    const t0 = performance.now();
                    const done = new Promise(res => new MutationObserver((m, o) => { o.disconnect(); res(); })
                        .observe(svg, {subtree: true, childList: true, attributes: true}));
                    input.value = (+input.value >= +input.max) ? +input.min : +input.value + +input.step;
                    input.dispatchEvent(new Event('input', {bubbles: true}));
                    await done;
                    await new Promise(r => requestAnimationFrame(r));
                    out.push(performance.now() - t0);
                }
                return out;
            }""")
            results[path] = {
                "charts": n,
                "all_charts_rendered_ms": round(rendered_ms),
                "slider_repaint_ms_median": round(statistics.median(repaint), 1) if repaint else None,
                "slider_repaint_ms_max": round(max(repaint), 1) if repaint else None,
            }
            page.close()
        b.close()
    server.shutdown()
    return results


def bench_chapters() -> dict:
    out = {}
    for f in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(f.stem, f)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out[f.stem[len("bench_"):]] = mod.run()
    return out


def render_markdown(r: dict) -> str:
    b, ex, br = r["build"], r["explorers"], r["browser"]
    lines = [
        "# Benchmarks", "",
        f"Measured by `make bench` on {r['when']} ({r['machine']}). Re-run `make bench` to refresh this page; "
        "the raw figures are in `tests/benchmarks/results.json`.", "",
        "## Building the book", "",
        "| measure | value | target |", "|---|---|---|",
        f"| cold build, whole book (fresh copy, no cache) | {b['cold_build_s']} s | |",
        f"| sum of the notebooks' own execution times | {b['notebook_execution_sum_s']} s | |",
        f"| build overhead (cold build / execution sum) | {b['build_overhead_ratio']} | |",
        f"| no-op rebuild (everything cached) | {b['noop_rebuild_s']} s | < 5 s |",
        f"| both editions (English and 繁體中文, built concurrently), cold | {b.get('both_editions_cold_s', '-')} s"
        f"{_runs(b.get('both_editions_cold_runs_s'))} | < 75 s |",
        f"| both editions, no-op rebuild | {b.get('both_editions_noop_s', '-')} s | < 8 s |",
        f"| rebuild after a one-line change in `defi_helpers` | {b['rebuild_after_package_change_s']} s "
        f"({b['notebooks_reexecuted_after_change']} documents re-executed) | all re-run |", "",
        "| notebook | execution (s) |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in b["per_notebook_execution_s"].items()], "",
        "## Explorers", "",
        "Live: a slider change in Python until the new chart's bundle is ready (model, chart, HTML). "
        "Static: the grid embedded in the page, and the whole Vega-Lite spec.", "",
        "| explorer | live p50 (ms) | live p95 (ms) | embedded grid (KB) | spec (KB) |", "|---|---|---|---|---|",
        *[f"| `{k}` | {v['live_p50_ms']} | {v['live_p95_ms']} | {v['static_data_bytes'] / 1000:.1f} | "
          f"{v['static_spec_bytes'] / 1000:.1f} |" for k, v in ex.items()], "",
        "Targets: live p95 under 50 ms; each explorer's embedded data under 300 KB (enforced by `Explorer`).", "",
        "## Pages in Chromium", "",
        "| page | size (KB) | charts | all charts rendered (ms) | slider → repaint, median / max (ms) |",
        "|---|---|---|---|---|",
    ]
    for page, v in br.items():
        if isinstance(v, dict):
            lines.append(f"| {page} | {b['page_bytes'].get(page, 0) / 1000:.0f} | {v['charts']} | "
                         f"{v['all_charts_rendered_ms']} | {_repaint(v)} |")
    if r.get("chapters"):
        lines += ["", "## Chapter benchmarks", ""]
        for name, res in r["chapters"].items():
            lines += [f"### {name}", "", "```json", json.dumps(res, indent=2), "```", ""]
    return "\n".join(lines) + "\n"


def _runs(runs) -> str:
    return f" (median of {len(runs)}: {', '.join(f'{x} s' for x in runs)})" if runs and len(runs) > 1 else ""


def _repaint(v: dict) -> str:
    if v.get("slider_repaint_ms_median") is None:
        return "–"  # a page without sliders
    return f"{v['slider_repaint_ms_median']} / {v['slider_repaint_ms_max']}"


def main() -> None:
    if sys.argv[1:] == ["--editions"]:  # re-measure only the two editions' builds; rewrite the page
        r = json.loads((HERE / "results.json").read_text())
        r["build"].update(bench_editions())
        print(json.dumps({k: v for k, v in r["build"].items() if k.startswith("both_")}, indent=1))
        _write(r)
        return
    r = {"when": time.strftime("%Y-%m-%d"),
         "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"}
    print("explorers…", flush=True)
    r["explorers"] = bench_explorers()
    print(json.dumps(r["explorers"], indent=1))
    print("chapter benchmarks…", flush=True)
    r["chapters"] = bench_chapters()
    print(json.dumps(r["chapters"], indent=1))
    print("build (cold, no-op, after a package change)…", flush=True)
    r["build"] = bench_build()
    r["build"].update(bench_editions())
    print(json.dumps(r["build"], indent=1))
    print("browser…", flush=True)
    r["browser"] = bench_browser()
    print(json.dumps(r["browser"], indent=1))
    _write(r)


def _write(r: dict) -> None:
    (HERE / "results.json").write_text(json.dumps(r, indent=2) + "\n")
    (ROOT / "book" / "benchmarks.md").write_text(render_markdown(r))
    print("written: tests/benchmarks/results.json, book/benchmarks.md")


if __name__ == "__main__":
    main()
