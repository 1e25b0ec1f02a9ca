#!/usr/bin/env bash
# Rewrites the parameter tables in README.md from the declarations (`fdsl list --markdown`).
# A test fails when the README is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
FDSL=${1:-build/fdsl}
tables=$("$FDSL" list --markdown)
/usr/bin/python3 - "$tables" <<'PY'
import sys
begin, end = "<!-- fdsl list --markdown: begin -->", "<!-- fdsl list --markdown: end -->"
text = open("README.md").read()
a, b = text.index(begin) + len(begin), text.index(end)
open("README.md", "w").write(text[:a] + "\n" + sys.argv[1].strip("\n") + "\n" + text[b:])
PY
echo "README.md: parameter tables updated"
