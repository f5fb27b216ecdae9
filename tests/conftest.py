"""Put tests/ on sys.path so test modules can import `helpers`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hypothesis import settings  # noqa: E402

# Property tests are reproducible: the same examples on every run and in CI
# (run with --hypothesis-profile=explore to search afresh).
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("default")

# The API fuzzer's table of failures per module and kind (tests/fuzz_report.py).
from fuzz_report import pytest_terminal_summary  # noqa: E402,F401
