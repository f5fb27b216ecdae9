# The DeFi Lending Handbook: every set-up step, from a fresh Debian/Ubuntu machine with Python 3.11.
#   make book   - create .venv, install, build the site (offline) into _build/html: the English edition,
#                 and the Traditional Chinese edition in _build/html/zh-tw/ (OUT=/tmp/x builds into /tmp/x/_build)
#   make book-student - the same without exercise solutions, into _build/student/html (and .../zh-tw)
#   make translations - refresh the translation catalogs (locale/, defi_helpers/locale/) from the English sources
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
# Where builds go: $(OUT)/_build (OUT=/tmp/x for a private build). The Chinese edition builds in its
# own folder - its own doctrees, execution cache and package-hash stamp, so it never shows English
# charts - and is copied into the site as zh-tw/. BOOK_JOBS=2 builds the two editions concurrently.
OUT      ?= .
BUILD    := $(OUT)/_build
SITE     := $(BUILD)/html
ZH_BUILD := $(BUILD)/zh
I18N     := $(PY) book/_ext/defi_i18n.py
BOOK_JOBS ?= 2

.PHONY: artifacts venv book book-en book-zh translations locale book-student book-clean serve lab test test-unit test-notebooks test-book test-student test-browser bench clean

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
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements.txt
	$(PY) -m pip check --disable-pip-version-check
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

book: venv
	@$(MAKE) --no-print-directory -j$(BOOK_JOBS) -O book-en book-zh
	@rm -rf $(SITE)/zh-tw && cp -a $(ZH_BUILD)/_build/html $(SITE)/zh-tw
	@echo
	@echo "The handbook is built (English, and 繁體中文 in zh-tw/). Open it in a browser:"
	@echo "  file://$(abspath $(SITE))/index.html"
	@echo "or serve it with: make serve   (http://127.0.0.1:$(PORT)/)"

book-en: venv
	$(JB) --path-output $(OUT)

book-zh: venv
	$(I18N) config zh_TW -o $(ZH_BUILD)/_config.yml
	$(JB) --config $(ZH_BUILD)/_config.yml --path-output $(ZH_BUILD)

# Translation catalogs from the English sources: Sphinx's gettext builder (own doctrees, no execution)
# then msgmerge --previous into locale/zh_TW/LC_MESSAGES/<doc>.po; the package's tr("...") strings
# with pybabel into defi_helpers/locale/zh_TW/LC_MESSAGES/defi_helpers.po. tests/test_i18n.py fails
# until every message is translated (none fuzzy, none missing).
translations: venv
	$(I18N) config en --gettext -o $(BUILD)/gettext/_config.yml
	$(VENV)/bin/jupyter-book build . --config $(BUILD)/gettext/_config.yml --path-output $(BUILD)/gettext \
	  --builder custom --custom-builder gettext -W -n --keep-going
	$(I18N) update $(BUILD)/gettext/_build/gettext --language zh_TW
	$(I18N) package --language zh_TW
	@test -f $(SITE)/index.html || $(MAKE) book
	$(I18N) tables --site $(SITE) --language zh_TW

locale: translations

# The student edition: solutions removed from pages and downloadable notebooks, in both languages.
book-student: venv
	$(PY) book/_ext/student_edition.py --out $(BUILD)/student

book-clean:
	rm -rf _build

serve:
	@test -f $(SITE)/index.html || $(MAKE) book
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory $(SITE)

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
	$(MAKE) --no-print-directory book
	$(PY) -m pytest -q tests/test_chapters.py tests/test_i18n.py

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
