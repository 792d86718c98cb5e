# Two commands (see README):
#   make book   set up .venv and build the site strictly into _build/html
#   make test   set up .venv and run the whole test suite (includes the strict build)
PY      := .venv/bin/python
STAMP   := .venv/.installed

.PHONY: book test assets clean

$(STAMP): requirements.txt pyproject.toml
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip
	.venv/bin/pip install -q -r requirements.txt
	.venv/bin/pip install -q --no-deps -e .
	touch $(STAMP)

assets: $(STAMP)
	$(PY) scripts/vendor_assets.py

book: assets
	$(PY) -m fiscalbook.fetch
	-$(PY) scripts/prebuild_cache.py -j 2    # chapters in parallel into the cache (optional speed-up)
	.venv/bin/jb build --all -W -n --keep-going .

test: assets
	$(PY) -m pytest

clean:
	rm -rf _build
