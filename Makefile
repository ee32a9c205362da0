# Two commands do everything on a fresh machine:
#   make demo   - create .venv, install, run an audit of the simulated demo site
#   make test   - create .venv, install with dev extras, run the whole suite
# Every run goes through tools/isolated: a network namespace with only `lo`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: demo test install browser bench lint clean screenshot

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Debian's Chromium for the browser tests of the HTML report (no browser download at test time),
# and a Korean font so screenshots of the Korean report show Hangul rather than boxes.
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/truetype/nanum ]; } || { \
	  echo "installing Debian's chromium and fonts-nanum for the HTML report tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null; }

test: $(STAMP) browser
	tools/isolated $(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	tools/isolated $(BIN)/cctv-inventory demo --out out/demo

bench: $(STAMP) .venv-naive/.installed
	tools/isolated $(BIN)/python -m benchmarks.run

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache

# The naive baseline (onvif-zeep 0.2.12) installs a package also named `onvif`,
# so it lives in a venv of its own and never beside onvif-zeep-async.
.venv-naive/.installed:
	$(PYTHON) -m venv .venv-naive
	.venv-naive/bin/python -m pip install -q onvif-zeep==0.2.12 WSDiscovery==2.1.2
	touch $@

# README's picture of the report: the demo's HTML report in headless Chromium.
screenshot: demo
	tools/isolated $(BIN)/python -m reports.screenshot out/demo/report.html docs/report-screenshot.png
