# The DeFi Lending Handbook: every set-up step, from a fresh Debian/Ubuntu machine with Python 3.11.
#   make book   - create .venv, install, build the site (offline) into _build/html
#   make book-student - the same without exercise solutions, into _build/student/html
#   make test   - every test: unit, properties, notebooks, book build with -W, browser (site and JupyterLab)
#   make serve  - serve the built site on http://127.0.0.1:$(PORT)/
#   make lab    - JupyterLab on the notebooks
#   make bench  - benchmarks; rewrites book/benchmarks.md

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000
JB     := $(VENV)/bin/jupyter-book build . -W -n --keep-going
WORKERS ?= 2

.PHONY: artifacts venv book book-student book-clean serve lab test test-unit test-notebooks test-book test-student test-browser bench clean

# The protocol lab's compiled contracts (Aave v3 core, Uniswap v2 core): downloaded once from the npm
# registry, checked against the sha512 pinned in defi_helpers/lab/artifacts.json, cached outside git and
# _build (standard library only, so the system Python runs it). Offline once cached.
ARTIFACTS_DIR ?= $(or $(DEFI_HANDBOOK_ARTIFACTS),.cache/artifacts)
ARTIFACTS_OK  := $(ARTIFACTS_DIR)/.verified

$(ARTIFACTS_OK): defi_helpers/lab/artifacts.json defi_helpers/lab/artifacts.py
	DEFI_HANDBOOK_ARTIFACTS=$(abspath $(ARTIFACTS_DIR)) $(PYTHON) defi_helpers/lab/artifacts.py fetch
	@touch $(ARTIFACTS_OK)

artifacts:
	DEFI_HANDBOOK_ARTIFACTS=$(abspath $(ARTIFACTS_DIR)) $(PYTHON) defi_helpers/lab/artifacts.py fetch
	@touch $(ARTIFACTS_OK)

$(STAMP): requirements.txt pyproject.toml | $(ARTIFACTS_OK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

book: venv
	$(JB)
	@echo
	@echo "The handbook is built. Open it in a browser:"
	@echo "  file://$(CURDIR)/_build/html/index.html"
	@echo "or serve it with: make serve   (http://127.0.0.1:$(PORT)/)"

# The student edition: solutions removed from pages and downloadable notebooks.
book-student: venv
	$(PY) book/_ext/student_edition.py --out _build/student

book-clean:
	rm -rf _build

serve:
	@test -f _build/html/index.html || $(MAKE) book
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

lab: venv
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --notebook-dir=. notebooks/01-collateral.ipynb

test: test-unit test-notebooks test-book test-student test-browser

test-unit: venv
	$(PY) -m pytest -q -n $(WORKERS) -m "not notebooks and not browser" tests
	$(PY) -m pytest -q --doctest-modules defi_helpers

test-notebooks: venv
	$(PY) -m pytest -q -n $(WORKERS) -m notebooks tests/test_notebooks.py

# The book from a clean _build, warnings as errors (-W), broken references too (-n).
test-book: venv
	rm -rf _build
	$(JB)
	$(PY) -m pytest -q tests/test_chapters.py

test-student: venv
	$(PY) book/_ext/student_edition.py --out _build/student
	$(PY) -m pytest -q tests/test_student.py

# Chromium against the built site and JupyterLab, inside a network namespace with
# only loopback when the machine allows it (tests/offline.sh).
test-browser: venv
	@test -f _build/html/index.html || $(MAKE) test-book
	sh tests/offline.sh $(PY) -m pytest -q -m browser tests/browser

bench: venv
	$(PY) tests/benchmarks/run.py

clean:
	rm -rf _build .pytest_cache .hypothesis
