# tongban: two commands for a fresh machine, `make demo` and `make test`.
# Each installs what it needs: Debian packages (when root), a virtualenv, the package.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim libzbar0 fonts-noto-cjk fonts-arphic-uming xvfb libgl1 \
	libmtdev1 chromium chromium-l10n chromium-driver espeak-ng poppler-utils postgresql-client \
	fonts-arphic-ukai fonts-wqy-microhei fonts-wqy-zenhei haproxy
PYTEST_ARGS ?= --durations=25  # the slowest tests, so CI time (limit 30 min) stays visible

.PHONY: demo test bench lint system-deps deps screenshots clean

system-deps:
	@bash scripts/system_deps.sh $(APT_PACKAGES)

$(STAMP): setup.py pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all]'
	@touch $(STAMP)

deps: system-deps $(STAMP)

lint: deps
	$(BIN)/ruff check .

test: deps lint
	bash scripts/run_tests.sh $(PYTEST_ARGS)

demo: deps
	$(BIN)/python -m tongban_cli.demo

bench: deps
	$(BIN)/python -m bench

screenshots: deps
	$(BIN)/python -m tongban_cli.screenshots

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
