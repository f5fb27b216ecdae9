"""The Vyper contracts the handbook writes for the lab, compiled in-process.

Sources live in ``defi_helpers/lab/contracts/*.vy`` (shipped with the package);
each is compiled once per process with titanoboa's ``boa.load_partial`` (Vyper
0.4.3, brought by titanoboa 0.2.8) and deployed with :func:`deploy`.
They are teaching contracts, written for the handbook (MIT): no audit, no
production use.
"""

from __future__ import annotations

from pathlib import Path

import boa

__all__ = ["CONTRACTS_DIR", "source_path", "deploy"]

#: Folder of the handbook's Vyper sources.
CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
_DEPLOYERS: dict[str, object] = {}


def source_path(name: str) -> Path:
    """Path of ``contracts/<name>.vy``; ``ValueError`` if there is no such contract."""
    path = CONTRACTS_DIR / f"{name}.vy"
    if not path.is_file():
        names = sorted(p.stem for p in CONTRACTS_DIR.glob("*.vy"))
        raise ValueError(f"name must be one of {names}; got {name!r}")
    return path


def deploy(name: str, *args, sender=None):
    """Compile (once) and deploy ``contracts/<name>.vy`` with constructor ``args``."""
    if name not in _DEPLOYERS:
        _DEPLOYERS[name] = boa.load_partial(str(source_path(name)))
    return _DEPLOYERS[name].deploy(*args, sender=sender) if sender else _DEPLOYERS[name].deploy(*args)
