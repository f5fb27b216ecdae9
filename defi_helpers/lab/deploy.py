"""Deploy compiled contracts from their hardhat artifacts into titanoboa's EVM.

Two small steps the rest of the lab builds on:

* :func:`link` -- replace the ``__$<34 hex>$__`` placeholders a library call
  leaves in a contract's bytecode with the deployed library's address, at the
  offsets the artifact's ``linkReferences`` lists (``Pool`` links seven logic
  libraries; ``FlashLoanLogic`` itself links ``BorrowLogic``, so libraries are
  deployed in dependency order);
* :func:`deploy` -- ABI-encode the constructor arguments (``eth_abi``), append
  them to the linked creation bytecode, deploy, and return a callable contract.

References
----------
Hardhat artifact format (``abi``, ``bytecode``, ``linkReferences``:
``{source: {library: [{start, length}]}}``, offsets in bytes of the creation
code): hardhat docs, "Compilation artifacts". Deployment order follows
``aave/aave-v3-deploy`` ``deploy/01_core`` and ``02_market`` scripts.
"""

from __future__ import annotations

import json

import boa
from eth_abi import encode

from . import artifacts

__all__ = ["contract_artifact", "link", "deploy", "deploy_raw", "at"]

_CACHE: dict[tuple[str, str], dict] = {}
_FACTORIES: dict[tuple[str, str], object] = {}


def contract_artifact(contract: str, package: str = "aave-v3-core") -> dict:
    """Artifact of ``contract`` (memoised for the process; verified on first read)."""
    key = (package, contract)
    if key not in _CACHE:
        _CACHE[key] = artifacts.load_contract(package, contract)
    return _CACHE[key]


def _factory(contract: str, package: str):
    key = (package, contract)
    if key not in _FACTORIES:
        art = contract_artifact(contract, package)
        _FACTORIES[key] = boa.loads_abi(json.dumps(art["abi"]), name=contract)
    return _FACTORIES[key]


def _bytecode_hex(art: dict) -> str:
    code = art.get("bytecode") or art.get("evm", {}).get("bytecode", {}).get("object", "")
    return code[2:] if code.startswith("0x") else code


def link(contract: str, libraries: dict[str, str], package: str = "aave-v3-core") -> bytes:
    """Creation bytecode of ``contract`` with every library placeholder filled.

    Parameters
    ----------
    contract : str
        Contract name, e.g. ``"Pool"``.
    libraries : dict
        Library name -> deployed address (``"0x..."``). Every library the
        artifact references must be given.

    Raises
    ------
    ValueError
        If a referenced library is missing from ``libraries``.
    """
    art = contract_artifact(contract, package)
    raw = _bytecode_hex(art)
    if not art.get("linkReferences"):
        return bytes.fromhex(raw)
    # Copy the code between placeholders, and each library's address in place of its placeholder.
    code = bytearray()
    i = 0
    spans = sorted((ref["start"], ref["length"], lib)
                   for libs in art["linkReferences"].values() for lib, refs in libs.items() for ref in refs)
    for start, length, lib in spans:
        if lib not in libraries:
            raise ValueError(f"libraries must include {lib!r} to link {contract}; got {sorted(libraries)}")
        code += bytes.fromhex(raw[2 * i: 2 * start])
        addr = bytes.fromhex(str(libraries[lib])[2:])
        if len(addr) != length:
            raise ValueError(f"library address for {lib} must be {length} bytes; got {libraries[lib]!r}")
        code += addr
        i = start + length
    code += bytes.fromhex(raw[2 * i:])
    return bytes(code)


def deploy(contract: str, *args, libraries: dict | None = None, package: str = "aave-v3-core",
           sender=None):
    """Deploy ``contract`` with constructor ``args``; return a callable boa contract.

    Examples
    --------
    ``deploy("MintableERC20", "USD Coin", "USDC", 6)`` deploys Aave's mock ERC20.
    """
    art = contract_artifact(contract, package)
    if args and not any(a.get("type") == "constructor" for a in art["abi"]):
        raise ValueError(f"{contract} takes no constructor arguments; got {len(args)}")
    return at(contract, deploy_raw(contract, *args, libraries=libraries, package=package, sender=sender), package)


def deploy_raw(contract: str, *args, libraries: dict | None = None, package: str = "aave-v3-core", sender=None):
    """Like :func:`deploy` but return only the address (no contract object: cheaper in loops)."""
    art = contract_artifact(contract, package)
    code = link(contract, libraries or {}, package)
    ctor = next((a for a in art["abi"] if a.get("type") == "constructor"), None)
    if ctor:
        code += encode([_abi_type(i) for i in ctor["inputs"]], list(args))
    address, _ = boa.env.deploy_code(bytecode=code, sender=sender)
    return address


def at(contract: str, address, package: str = "aave-v3-core"):
    """A callable boa contract for ``contract``'s ABI at ``address``."""
    return _factory(contract, package).at(address, nowarn=True)


def _abi_type(inp: dict) -> str:
    t = inp["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in inp["components"]) + ")" + t[len("tuple"):]
    return t
