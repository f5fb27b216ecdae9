"""Fetch, verify and read the compiled contracts the protocol lab runs.

Set-up (``make venv``, hence ``make book`` and ``make test``) runs::

    python defi_helpers/lab/artifacts.py fetch

which downloads each tarball pinned in ``defi_helpers/lab/artifacts.json`` from
the npm registry with a plain HTTPS GET (no npm or node needed), checks it
against the sha512 ``integrity`` the registry publishes, and unpacks the files
the lab needs into the cache with a ``MANIFEST.json`` of their sha256 digests.
At build and test time nothing touches the network: :func:`load` reads only
the cache and checks each file it reads against that manifest.

Where the cache lives
---------------------
``$DEFI_HANDBOOK_ARTIFACTS`` if set, else ``.cache/artifacts/`` at the
repository root (gitignored). Inside the repository rather than in
``~/.cache`` because (i) a fresh clone's ``make`` fetches it and
``rm -rf .cache`` forgets it, with no state left elsewhere on the machine;
(ii) the book build and the benchmark's fresh copy of the repository find it
beside the package they import; (iii) sandboxed CI runners often have no
writable home. It is outside ``_build`` so ``make book-clean`` and
``make test-book`` (which deletes ``_build``) keep it, and an offline rebuild
works.

Provenance and licences
-----------------------
* ``@aave/core-v3`` 1.19.3 (Aave protocol v3.0.2), built from
  ``aave/aave-v3-core`` tag v1.19.3: hardhat artifacts (ABI, bytecode, link
  references) and the Solidity sources they were compiled from. BUSL-1.1:
  non-production use -- testing, research, teaching -- is permitted; the
  artifacts are fetched, never committed or redistributed by the handbook.
* ``@uniswap/v2-core`` 1.0.1 (``Uniswap/v2-core``): ``build/*.json`` and
  sources. GPL-3.0-or-later.

This module uses the standard library only, so set-up can run it with the
system Python before the virtual environment exists.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

__all__ = ["PINS", "ArtifactsMissing", "cache_dir", "package_dir", "fetch", "verify", "load",
           "load_contract", "FETCH_COMMAND"]

HERE = Path(__file__).resolve().parent
PINS_FILE = HERE / "artifacts.json"
#: The pinned packages: name -> {package, version, tarball, integrity, licence, ...}.
PINS: dict = json.loads(PINS_FILE.read_text())["packages"]
#: What to run when the cache is missing or fails verification.
FETCH_COMMAND = "make venv   (or: python defi_helpers/lab/artifacts.py fetch)"
ENV_VAR = "DEFI_HANDBOOK_ARTIFACTS"


class ArtifactsMissing(RuntimeError):
    """The artifact cache is missing, incomplete or does not match the pinned integrity."""


def cache_dir() -> Path:
    """The cache root: ``$DEFI_HANDBOOK_ARTIFACTS`` or ``<repo>/.cache/artifacts``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return HERE.parent.parent / ".cache" / "artifacts"


def package_dir(name: str) -> Path:
    """Folder of one unpacked package, e.g. ``.cache/artifacts/aave-v3-core-1.19.3``.

    ``name`` is a key of :data:`PINS` (``"aave-v3-core"`` or ``"uniswap-v2-core"``).
    """
    pin = _pin(name)
    return cache_dir() / f"{name}-{pin['version']}"


def _pin(name: str, param: str = "name") -> dict:
    # Argument checks are written out here, not declared with defi_helpers._validate: set-up runs this
    # module with the system Python (standard library only) before the virtual environment exists.
    if not isinstance(name, str) or name not in PINS:
        raise ValueError(f"{param} must be one of {sorted(PINS)}; got {_shown(name)}")
    return PINS[name]


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + f"... ({len(text):,} characters)"


def _flag(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False; got {_shown(value)}")
    return value


def _text(name: str, value, max_len: int = 500) -> str:
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ValueError(f"{name} must be a non-empty string of at most {max_len} characters; got {_shown(value)}")
    return value


def _sri_sha512(data: bytes) -> str:
    """Subresource-integrity string, as npm publishes it: ``sha512-<base64>``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _download(url: str, timeout: float = 120.0) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "defi-handbook-artifacts/1"})
    with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (https URL from the pin file)
        return r.read()


def _members(pin: dict, tar: tarfile.TarFile):
    for m in tar.getmembers():
        if not m.isfile():
            continue
        if not any(m.name == k or (k.endswith("/") and m.name.startswith(k)) for k in pin["keep"]):
            continue
        if any(m.name.endswith(s) for s in pin.get("skip_suffix", [])):
            continue
        rel = m.name[len("package/"):]
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise ArtifactsMissing(f"unsafe path in tarball: {m.name!r}")
        yield m, rel


def unpack(name: str, data: bytes) -> Path:
    """Verify ``data`` (the tarball's bytes) against the pin and unpack the kept files.

    Raises
    ------
    ArtifactsMissing
        If the sha512 integrity differs from the pinned one (nothing is written).
    """
    pin = _pin(name)
    got = _sri_sha512(data)
    if got != pin["integrity"]:
        raise ArtifactsMissing(
            f"{pin['package']}@{pin['version']}: integrity mismatch\n  pinned: {pin['integrity']}\n  got:    {got}")
    dest = package_dir(name)
    tmp = dest.with_name(dest.name + ".tmp")
    if tmp.exists():
        _rmtree(tmp)
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for m, rel in _members(pin, tar):
            blob = tar.extractfile(m).read()
            out = tmp / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(blob)
            files[rel] = hashlib.sha256(blob).hexdigest()
    manifest = {"package": pin["package"], "version": pin["version"], "tarball": pin["tarball"],
                "integrity": pin["integrity"], "licence": pin["licence"], "files": files}
    (tmp / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    if dest.exists():
        _rmtree(dest)
    tmp.rename(dest)
    return dest


def _rmtree(p: Path) -> None:
    import shutil

    shutil.rmtree(p)


def _manifest(name: str) -> dict:
    pin = _pin(name)
    path = package_dir(name) / "MANIFEST.json"
    if not path.exists():
        raise ArtifactsMissing(
            f"the compiled contracts of {pin['package']}@{pin['version']} are not in the cache "
            f"({package_dir(name)}).\nRun: {FETCH_COMMAND}")
    m = json.loads(path.read_text())
    if m.get("integrity") != pin["integrity"] or m.get("version") != pin["version"]:
        raise ArtifactsMissing(
            f"the cached {pin['package']} ({path}) was unpacked from a tarball other than the pinned one "
            f"{pin['version']} / {pin['integrity'][:24]}...\nRun: {FETCH_COMMAND}")
    return m


def verify(name: str, full: bool = True) -> Path:
    """Check the cached package against its manifest and the pin; return its folder.

    ``full=True`` re-hashes every file (about 0.1 s for Aave); ``False`` checks
    only the manifest (files are then checked one by one as :func:`load` reads them).
    ``name`` is a key of :data:`PINS`; ``full`` is True or False.
    """
    _flag("full", full)
    m = _manifest(name)
    root = package_dir(name)
    if full:
        for rel, digest in m["files"].items():
            f = root / rel
            if not f.exists() or hashlib.sha256(f.read_bytes()).hexdigest() != digest:
                raise ArtifactsMissing(f"{f} is missing or altered.\nRun: {FETCH_COMMAND}")
    return root


def fetch(names=None, tarball: str | None = None, quiet: bool = False) -> None:
    """Make sure every pinned package is in the cache, downloading what is missing.

    Idempotent and offline when the cache already verifies. ``tarball`` (a local
    ``.tgz`` path, with a single name) installs from a file instead of the network:
    the integrity check is the same.

    ``names`` is None (every pinned package) or a list of keys of :data:`PINS`;
    ``tarball`` None or a path; ``quiet`` True or False. Every argument is checked
    before anything is read or downloaded.
    """
    if names is not None and (isinstance(names, (str, bytes)) or not isinstance(names, (list, tuple, set))):
        raise ValueError(f"names must be None or a list of {sorted(PINS)}; got {_shown(names)}")
    names = list(PINS) if names is None else list(names)
    for name in names:
        _pin(name, "names")
    if tarball is not None:
        _text("tarball", tarball, max_len=4096)
        if len(names) != 1:
            raise ValueError(f"tarball installs one package: names must hold exactly one; got {names}")
    _flag("quiet", quiet)
    for name in names:
        pin = _pin(name)
        label = f"{pin['package']}@{pin['version']}"
        try:
            verify(name)
            if not quiet:
                print(f"artifacts: {label} verified in {package_dir(name)}")
            continue
        except ArtifactsMissing:
            pass
        if tarball:
            data = Path(tarball).read_bytes()
        else:
            if not quiet:
                print(f"artifacts: downloading {pin['tarball']}")
            try:
                data = _download(pin["tarball"])
            except OSError as e:
                raise ArtifactsMissing(
                    f"could not download {pin['tarball']} ({e}).\nThe lab needs it once, at set-up: connect to "
                    f"the internet and run `{FETCH_COMMAND}`, or download the tarball with `npm pack {label}` "
                    f"on another machine and run `python defi_helpers/lab/artifacts.py fetch --tarball "
                    f"<file.tgz> {name}`.") from e
        dest = unpack(name, data)
        if not quiet:
            print(f"artifacts: {label} verified ({pin['integrity'][:20]}...) and unpacked into {dest}")


_VERIFIED: dict[tuple[str, str], object] = {}


def load(name: str, relpath: str) -> bytes:
    """Bytes of one cached file, checked against the manifest's sha256.

    Parameters
    ----------
    name : str
        A key of :data:`PINS` (``"aave-v3-core"`` or ``"uniswap-v2-core"``).
    relpath : str
        Path inside the package, e.g. ``"artifacts/contracts/protocol/pool/Pool.sol/Pool.json"``.

    Raises
    ------
    ArtifactsMissing
        If the cache is missing, or the file is absent or altered; the message
        names the set-up command to run.
    """
    _text("relpath", relpath)
    m = _manifest(name)
    digest = m["files"].get(relpath)
    if digest is None:
        raise ValueError(f"relpath {relpath!r} is not in {m['package']}@{m['version']}")
    f = package_dir(name) / relpath
    try:
        blob = f.read_bytes()
    except FileNotFoundError:
        raise ArtifactsMissing(f"{f} is missing.\nRun: {FETCH_COMMAND}") from None
    if hashlib.sha256(blob).hexdigest() != digest:
        raise ArtifactsMissing(f"{f} does not match its manifest.\nRun: {FETCH_COMMAND}")
    return blob


def load_contract(name: str, contract: str) -> dict:
    """The artifact JSON (``abi``, ``bytecode``, ``linkReferences``...) of one contract.

    ``contract`` is a contract name (``"Pool"``, ``"UniswapV2Pair"``); Aave's are
    looked up under ``artifacts/contracts/**/<contract>.json``, Uniswap's under
    ``build/<contract>.json``.
    """
    _text("contract", contract, max_len=100)
    m = _manifest(name)
    suffix = f"/{contract}.json"
    hits = [rel for rel in m["files"] if rel.endswith(suffix) and
            (rel.startswith("artifacts/contracts/") or rel.startswith("build/"))]
    if len(hits) != 1:
        raise ValueError(f"contract {contract!r}: {len(hits)} artifacts match in {m['package']}")
    return json.loads(load(name, hits[0]))


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="download (if needed), verify and unpack the pinned packages")
    f.add_argument("names", nargs="*", help=f"package keys (default: all of {sorted(PINS)})")
    f.add_argument("--tarball", help="install one package from a local .tgz instead of the registry")
    sub.add_parser("verify", help="verify the cache; exit 1 if it does not match the pins")
    sub.add_parser("where", help="print the cache folder")
    a = p.parse_args(argv)
    try:
        if a.cmd == "fetch":
            if a.tarball and len(a.names) != 1:
                p.error("--tarball needs exactly one package name")
            fetch(a.names or None, tarball=a.tarball)
        elif a.cmd == "verify":
            for n in PINS:
                print(f"{n}: {verify(n)}")
        else:
            print(cache_dir())
    except ArtifactsMissing as e:
        print(f"artifacts: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
