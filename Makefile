# The project's commands. `make book` and `make test` each set everything up first (idempotent).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SETUP  := $(VENV)/.setup-done

.PHONY: setup book test pytest nbval data bench lab clean

## setup: create/reuse the local virtual environment with the pinned packages and the library
setup: $(SETUP)
$(SETUP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(SETUP)

## book: execute every chapter (cached) and build the HTML book, strict
book: setup
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html"

## test: every test: library tests, then the notebooks against their stored outputs (nbval, strict)
test: pytest nbval
pytest: setup
	$(PY) -m pytest tests
nbval: setup
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg chapters

## data: regenerate the synthetic respondent file (byte-identical to the committed one)
data: setup
	$(PY) -m social_licence.synthetic

## bench: time the estimation core against a NumPy floor and samplics
bench: setup
	$(PY) benchmarks/bench_estimation.py

## lab: open the chapters in JupyterLab with a kernel that has the library and the pinned packages
lab: setup
	$(VENV)/bin/jupyter lab chapters

## clean: remove the built book and its execution cache
clean:
	rm -rf _build
