"""Terminal summary of the API fuzzer (tests/test_api_fuzz.py), imported by conftest.py.

Each per-module fuzz test records its counts with ``record_property("api_fuzz", {...})``;
the counts travel with the test report (also from pytest-xdist workers), and this hook
adds them up into one table per module and failure kind at the end of the run.
"""

from __future__ import annotations

KINDS = ("wrong_exception", "silent_nonfinite", "accepted_out_of_domain", "message_unnamed",
         "timeout", "no_baseline")


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 - pytest hook
    rows = {}
    for reports in terminalreporter.stats.values():
        for rep in reports:
            if getattr(rep, "when", None) != "call":
                continue
            for key, value in getattr(rep, "user_properties", ()):
                if key == "api_fuzz":
                    rows[value["module"]] = value
    if not rows:
        return
    w = terminalreporter
    w.section("API fuzzer: failures per module and kind")
    head = ["module", "callables", "trials", *KINDS]
    table = [head]
    totals = {k: 0 for k in head[1:]}
    for mod in sorted(rows):
        r = rows[mod]
        line = [mod.replace("defi_helpers.", ""), r["callables"], r["trials"], *(r["counts"].get(k, 0) for k in KINDS)]
        table.append([str(x) for x in line])
        for k, v in zip(head[1:], line[1:]):
            totals[k] += v
    table.append(["TOTAL", *(str(totals[k]) for k in head[1:])])
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        w.write_line("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(row)))
        if i == 0 or i == len(table) - 2:
            w.write_line("  ".join("-" * n for n in widths))
