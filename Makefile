# Two commands (see README); a fresh machine needs only Python 3.11 and make:
#   make book   set up .venv and build the site strictly into _build/html
#   make test   set up .venv and run the whole test suite (includes the strict build)
# Also: make lab (the chapters as notebooks in JupyterLab), make clean.
PY      := .venv/bin/python
STAMP   := .venv/.installed

.PHONY: book test assets lab clean

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	.venv/bin/pip install -q -r requirements.txt
	.venv/bin/pip install -q --no-deps -e .
	touch $(STAMP)

# The build vendors these itself (fiscalbook.site); the tests check them before building.
assets: $(STAMP)
	$(PY) scripts/vendor_assets.py

book: $(STAMP)
	$(PY) -m fiscalbook.fetch
	-$(PY) scripts/prebuild_cache.py -j 2    # chapters in parallel into the cache (optional speed-up)
	.venv/bin/jb build --all -W -n --keep-going .

test: assets
	$(PY) -m pytest

# MyST chapters open as notebooks (jupytext) with the project's kernel; settings in .jupyter/.
lab: $(STAMP)
	JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter .venv/bin/jupyter lab --notebook-dir=$(CURDIR)

clean:
	rm -rf _build
