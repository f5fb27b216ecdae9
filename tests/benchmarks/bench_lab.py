"""Benchmarks for the protocol lab (:mod:`defi_helpers.lab`): Aave v3.0.2's bytecode in titanoboa.

``run()`` measures

* the import time of ``defi_helpers.lab`` in a fresh interpreter (boa, py-evm, pandas);
* deploying and configuring a whole market (``AaveMarket.deploy()``: 6 reserves, E-Mode,
  caps, premiums), wall clock and CPU, median of 5 (target: under 1 s);
* per-call costs of ``supply``, ``borrow``, ``getUserAccountData``, ``liquidationCall`` and
  ``flashLoan`` (median of 15, each on a fresh snapshot);
* where a deployment's time goes: contract creations vs configuration calls (count and CPU);
* the lab notebooks executed live in a kernel, as a reader runs them (the flash-loan chapter
  and the lab page; target: each under 20 s);
* the differential suite (``tests/test_differential_aave.py``, 200 scenarios per property)
  run as ``make test`` runs it, with ``-n 2`` (target: under 2 minutes on 2 cores), wall
  clock and the CPU time of the pytest processes.

Wall-clock figures depend on the machine's load; the CPU figures less so.
``make bench`` picks this file up (``bench_*.py`` with ``run() -> dict``); alone:
``python tests/benchmarks/bench_lab.py``.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["run"]


def _import_seconds(repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import defi_helpers.lab"], check=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 2)


def _timed(fn, repeats: int):
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def _calls(repeats: int = 15) -> dict:
    from defi_helpers.lab import AaveMarket

    m = AaveMarket.deploy(whale_liquidity_usd=10_000_000)
    m.fund("alice", usd=1e7)
    m.fund("liquidator", usd=1e7)
    out = {}

    def one(name, setup, call):
        samples = []
        for _ in range(repeats):
            with m.snapshot():
                setup()
                t = time.perf_counter()
                call()
                samples.append(time.perf_counter() - t)
        out[name] = round(1000 * statistics.median(samples), 1)

    def nothing():
        return None

    def pos():
        m.supply("alice", "WETH", 10, mint=False)
        m.borrow("alice", "USDC", 12_000)

    def underwater():
        pos()
        m.set_price("WETH", 1_400)

    one("supply_ms", nothing, lambda: m.supply("alice", "WETH", 10, mint=False))
    one("borrow_ms", lambda: m.supply("alice", "WETH", 10, mint=False), lambda: m.borrow("alice", "USDC", 12_000))
    one("getUserAccountData_ms", pos, lambda: m.pool.getUserAccountData(m.user("alice")))
    one("liquidationCall_ms", underwater,
        lambda: m.pool.liquidationCall(m.tokens["WETH"].address, m.tokens["USDC"].address, m.user("alice"),
                                       2**256 - 1, False, sender=m.user("liquidator")))
    one("flashLoan_ms", nothing,
        lambda: m.pool.flashLoan(m.receiver.address, [m.tokens["USDC"].address], [10**12], [0],
                                 m.user("alice"), b"", 0, sender=m.user("alice")))
    return out


def _deploy(repeats: int = 5) -> dict:
    from defi_helpers.lab import AaveMarket

    AaveMarket.deploy()  # warm: artifacts read and ABIs parsed once per process
    wall, cpu = _timed(AaveMarket.deploy, repeats)
    return {"deploy_market_s": round(wall, 2), "deploy_market_cpu_s": round(cpu, 2), "deploy_target_s": 1.0}


def _deploy_breakdown() -> dict:
    """Count and time (CPU) the contract creations and the calls made by one ``AaveMarket.deploy()``."""
    import boa
    from boa.contracts.abi import abi_contract

    from defi_helpers.lab import AaveMarket

    AaveMarket.deploy()  # warm
    calls = {"create": [0, 0.0], "call": [0, 0.0]}
    orig_call, orig_deploy = abi_contract.ABIFunction.__call__, boa.env.deploy_code

    def call(self, *a, **k):
        t = time.process_time()
        try:
            return orig_call(self, *a, **k)
        finally:
            calls["call"][0] += 1
            calls["call"][1] += time.process_time() - t

    def deploy(*a, **k):
        t = time.process_time()
        try:
            return orig_deploy(*a, **k)
        finally:
            calls["create"][0] += 1
            calls["create"][1] += time.process_time() - t

    abi_contract.ABIFunction.__call__, boa.env.deploy_code = call, deploy
    try:
        t = time.process_time()
        AaveMarket.deploy()
        total = time.process_time() - t
    finally:
        abi_contract.ABIFunction.__call__, boa.env.deploy_code = orig_call, orig_deploy
    return {"deploy_cpu_s": round(total, 2), "contract_creations": calls["create"][0],
            "contract_creations_cpu_s": round(calls["create"][1], 2), "contract_calls": calls["call"][0],
            "contract_calls_cpu_s": round(calls["call"][1], 2),
            "python_side_cpu_s": round(total - calls["create"][1] - calls["call"][1], 2)}


def _notebooks() -> dict:
    """Execute the lab notebooks live (explorers as widgets, as in JupyterLab) and time each."""
    import nbformat
    from nbclient import NotebookClient

    out = {}
    env_build = os.environ.pop("DEFI_HANDBOOK_BUILD", None)
    try:
        for name in ("08-flashloans.ipynb", "lab.ipynb"):
            path = ROOT / "notebooks" / name
            nb = nbformat.read(path, as_version=4)
            t = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            out[name] = round(time.perf_counter() - t, 1)
    finally:
        if env_build is not None:
            os.environ["DEFI_HANDBOOK_BUILD"] = env_build
    return {"lab_notebooks_live_s": out, "lab_notebook_target_s": 20}


def _differential() -> dict:
    """The suite as ``make test`` runs it (``-n 2``); CPU of pytest and its workers via ``/usr/bin/time``
    when present (the workers are not always reaped in time for ``RUSAGE_CHILDREN``)."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
           "tests/test_differential_aave.py"]
    timer = Path("/usr/bin/time")
    if timer.exists():
        cmd = [str(timer), "-f", "CPU user %U sys %S"] + cmd
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ})
    wall = time.perf_counter() - t
    lines = [ln for ln in r.stdout.splitlines() if re.search(r"\b(passed|failed|error)", ln)]
    cpu = re.search(r"CPU user ([\d.]+) sys ([\d.]+)", r.stderr)
    return {"differential_suite_s": round(wall, 1), "differential_suite_result": lines[-1] if lines else
            f"exit code {r.returncode}", "differential_suite_user_cpu_s": float(cpu.group(1)) if cpu else None,
            "differential_suite_sys_cpu_s": float(cpu.group(2)) if cpu else None,
            "differential_suite_target_s": 120, "cores": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 1)}


def run() -> dict:
    out = {"import_defi_helpers_lab_s": _import_seconds()}
    out.update(_deploy())
    out["deploy_breakdown"] = _deploy_breakdown()
    out["per_call"] = _calls()
    out.update(_notebooks())
    out.update(_differential())
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
