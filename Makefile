# The project's commands. `make book` and `make test` each set everything up first (idempotent).
SHELL    := /bin/bash
PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
SETUP    := $(VENV)/.setup-done
CHROMIUM := /usr/bin/chromium
MATHJAX  := /usr/share/javascript/mathjax/MathJax.js
POPPLER  := /usr/bin/pdftotext
SUDO     := $(if $(filter 0,$(shell id -u)),,sudo)
TIMES    := artefacts/test-times.txt

.PHONY: setup chromium mathjax poppler book pdf compare release test pytest nbval browser-tests book-tests pdf-tests data bench lab clean \
        edition-tests test-parts test-book test-edition test-pdf test-browser test-book-tests test-edition-tests \
        test-pdf-tests test-pytest test-nbval

## setup: create/reuse the local virtual environment with the pinned packages and the library
setup: $(SETUP)
$(SETUP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(SETUP)

## chromium: Debian's Chromium, which the browser tests drive with Playwright (no browser download)
chromium: $(CHROMIUM)
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

## mathjax: Debian's MathJax 2.7, which the HTML book serves itself (_ext/packaged_mathjax.py)
mathjax: $(MATHJAX)
$(MATHJAX):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libjs-mathjax

## poppler: Debian's poppler-utils (pdfinfo, pdftotext), which make pdf and the PDF tests read PDFs with
poppler: $(POPPLER)
$(POPPLER):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends poppler-utils

## book: execute every chapter (cached) and build the HTML book, strict; BOOK_OUTPUT=<folder> builds
## into <folder>/_build instead of ./_build (the tests build copies there). PARAMS=params/<name>.yml
## builds the edition under that file's assumptions instead, with its own execution cache, into
## <BOOK_OUTPUT>/_build/editions/<name>/ (_ext/edition.py; its pages say which assumptions differ)
BOOK_OUTPUT ?= .
book: setup mathjax
ifeq ($(PARAMS),)
	rm -rf $(BOOK_OUTPUT)/_build/html/reports  # execution reports of an earlier failed build: never published
	$(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output $(BOOK_OUTPUT)
	@echo "The book is at $(abspath $(BOOK_OUTPUT))/_build/html/index.html"
else
	$(PY) _ext/edition.py $(PARAMS) --output $(BOOK_OUTPUT)
endif

## pdf: the whole book as one PDF, printed by Chromium from a single-page build (same execution cache),
## to _build/pdf/ and into _build/html/ for the HTML edition's download menu (_ext/print_pdf.py);
## PARAMS=params/<name>.yml: the edition's, in its folder's _build/pdf/
pdf: book chromium poppler
ifeq ($(PARAMS),)
	$(VENV)/bin/jupyter-book build . --builder singlehtml -W -n --keep-going --path-output $(BOOK_OUTPUT)
	$(PY) _ext/print_pdf.py $(BOOK_OUTPUT)/_build
else
	$(PY) _ext/edition.py $(PARAMS) --output $(BOOK_OUTPUT) --pdf
endif

## release: build the book and its PDF from the respondent file that SOCIAL_LICENCE_DATA and
## SOCIAL_LICENCE_MAPPING name (into $(RELEASE_BUILD)), then gather them with the output checker's
## report (checks.csv, checks.html, ACRO's results.json) into $(RELEASE_OUTPUT) and scan the folder
## (_ext/release.py); exits non-zero, naming the values, if anything there breaks a disclosure rule
RELEASE_BUILD ?= _build/release-build
RELEASE_OUTPUT ?= _build/release
release: setup
	@test -n "$$SOCIAL_LICENCE_DATA" || { echo "make release builds from the respondent file: SOCIAL_LICENCE_DATA=data/raw/<file> SOCIAL_LICENCE_MAPPING=data/raw/mapping.yml make release" >&2; exit 2; }
	$(MAKE) --no-print-directory pdf BOOK_OUTPUT=$(RELEASE_BUILD)
	$(PY) _ext/release.py $(RELEASE_BUILD)/_build $(RELEASE_OUTPUT)

## compare: every number, verdict and table cell that differs between two builds, from their manifests
## (values.json): make compare A=<build folder or values.json> B=<...> [CSV=<file> for the full table]
compare: setup
	@if [ -z "$(A)" ] || [ -z "$(B)" ]; then \
	  echo "usage: make compare A=<build folder or values.json> B=<...> [CSV=<file>]" >&2; exit 2; fi
	$(PY) _ext/compare_builds.py "$(A)" "$(B)" $(if $(CSV),--csv "$(CSV)")

# $(call timed,NAME,COMMAND): run COMMAND and add its wall time to $(TIMES); on failure, show the
# times so far and stop with COMMAND's exit status
define timed
start=$$(date +%s%N); $(2); status=$$?; \
printf '%-34s %7.1f s\n' '$(1)' "$$(( ($$(date +%s%N) - start) / 1000000 ))e-3" >> $(TIMES); \
if [ $$status -ne 0 ]; then echo "== make test stopped: $(1) failed =="; cat $(TIMES); exit $$status; fi
endef

## test: every test, each part timed: setup; then, $(TEST_JOBS) at a time (the machine's cores), the
## library tests (pytest), the notebooks against their stored outputs (nbval, strict), and the book
## build followed by the PDF build; once the PDF is built, the built book in headless Chromium,
## the archived route (with the stale-number guard) on copies of the build, and the PDF. Parts that
## run side by side are timed each on its own, so their times add up to more than the total.
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test:
	@mkdir -p artefacts; : > $(TIMES); date +%s%N > $(TIMES).start
	@$(call timed,setup (venv; apt packages),$(MAKE) --no-print-directory setup chromium mathjax poppler)
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-parts
	@total=$$(( ($$(date +%s%N) - $$(cat $(TIMES).start)) / 1000000 )); \
	setup=$$(awk 'NR == 1 {print $$(NF - 1) * 1000}' $(TIMES)); \
	printf '%-34s %7.1f s\n' 'total' "$${total}e-3" 'total without setup' "$$(( total - $${setup%.*} ))e-3" >> $(TIMES); \
	echo "== make test: wall time of each part ($(TIMES)) =="; cat $(TIMES)

# the parts of `make test` after setup, listed so that the builds (the longest chains) start first
test-parts: test-browser test-book-tests test-edition-tests test-pdf-tests test-pytest test-nbval
test-book:
	@$(call timed,book build,$(MAKE) --no-print-directory book)
test-edition:
	@$(call timed,edition build (params/deff-3.yml),$(MAKE) --no-print-directory book PARAMS=$(TEST_EDITION))
test-pdf: test-book
	@$(call timed,pdf build (make pdf),$(MAKE) --no-print-directory pdf)
test-browser: test-pdf test-edition
	@$(call timed,browser tests (tests/browser),$(MAKE) --no-print-directory browser-tests)
test-edition-tests: test-edition test-book
	@$(call timed,edition tests (tests/editions),$(MAKE) --no-print-directory edition-tests)
test-book-tests: test-pdf
	@$(call timed,archived route (tests/book),$(MAKE) --no-print-directory book-tests)
test-pdf-tests: test-pdf
	@$(call timed,pdf tests (tests/pdf),$(MAKE) --no-print-directory pdf-tests)
test-pytest:
	@$(call timed,pytest (library),$(MAKE) --no-print-directory pytest)
test-nbval:
	@$(call timed,nbval (chapters),$(MAKE) --no-print-directory nbval)

## pytest: the library tests (everything under tests/ but the built-book tests); tests/survey and
## tests/study run first (tests/conftest.py), so that a broken core fails in seconds
pytest: setup
	$(PY) -m pytest tests --ignore=tests/browser --ignore=tests/book --ignore=tests/pdf \
	  --ignore=tests/editions
nbval: setup
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg intro.ipynb chapters

## browser-tests: every page of the built book in headless Chromium (after `make book`)
browser-tests: setup chromium
	$(PY) -m pytest tests/browser

## book-tests: the archived route end to end, which is also the stale-number guard, on copies of _build (after `make book`)
book-tests: setup
	$(PY) -m pytest tests/book

## edition-tests: the edition `make test` builds under a parameters file, and `make compare` against
## the default build (after `make book` and `make book PARAMS=$(TEST_EDITION)`)
TEST_EDITION := params/deff-3.yml
edition-tests: setup
	$(PY) -m pytest tests/editions

## pdf-tests: the PDF edition's text, bookmarks, page numbers and layout (after `make pdf`)
pdf-tests: setup poppler
	$(PY) -m pytest tests/pdf

## data: regenerate the synthetic respondent file and its ensemble (byte-identical to the committed ones)
data: setup
	$(PY) -m social_licence.study.synthetic
	$(PY) -m social_licence.study.ensemble

## bench: time the estimation core against its floor, svy and (where installed) R survey, in one run:
## weights-only and strata/PSU designs at 843 and 1,000,000 rows, 80 replicate weights, and the
## DuckDB route on a generated 100,000,000-row Parquet file (artefacts/bench/); ratios and peak memory
bench: setup
	$(PY) benchmarks/bench_estimation.py

## lab: open the chapters in JupyterLab with a kernel that has the library and the pinned packages,
## on 127.0.0.1 only (as root too); open the URL with its token that it prints; Ctrl-C stops it
lab: setup
	@echo "== JupyterLab starts: open the http://127.0.0.1:<port>/lab?token=... URL it prints below =="
	$(VENV)/bin/jupyter lab chapters --no-browser --ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root)

## clean: remove the built book and its execution cache
clean:
	rm -rf _build
