#!/usr/bin/env bash
# Re-pin requirements.txt from requirements.in in a throwaway virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q -r requirements.in
{ echo "# Everything the book and its tests need, pinned (pip freeze of a working environment)."
  echo "# Direct dependencies are listed in requirements.in; regenerate with scripts/freeze.sh."
  "$tmp/venv/bin/pip" freeze --exclude-editable; } > requirements.txt
rm -rf "$tmp"
