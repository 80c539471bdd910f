#!/usr/bin/env python3
"""Enforces the layering table of docs/architecture.md on every #include under src/.

The table between the `layers: begin` and `layers: end` markers says which directories each
layer may include. Every quoted include of a project header ("dir/file.hpp") in src/<layer>/
must name an allowed directory. Prints one line per violation, `file:line: ...`, and exits 1
if there is any; a layer directory missing from the table is a violation too.
"""
import pathlib
import re
import sys

top = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
doc = top / "docs" / "architecture.md"
text = doc.read_text()
m = re.search(r"<!-- layers: begin -->(.*?)<!-- layers: end -->", text, re.S)
if not m:
    print(f"{doc}: no layers table between the layers: begin/end markers", file=sys.stderr)
    sys.exit(2)

allowed = {}
for row in m.group(1).splitlines():
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    if len(cells) < 2 or cells[0] in ("layer", "") or set(cells[0]) <= set("-"):
        continue
    allowed[cells[0]] = {d.strip() for d in cells[1].split(",") if d.strip()}

include = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/')
problems = []
for path in sorted((top / "src").rglob("*")):
    if path.suffix not in (".cpp", ".hpp", ".h", ".c") or not path.is_file():
        continue
    layer = path.relative_to(top / "src").parts[0]
    rel = path.relative_to(top)
    if layer not in allowed:
        problems.append(f"{rel}:1: layer '{layer}' is not in the table of {doc.relative_to(top)}")
        continue
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        inc = include.match(line)
        if inc and inc.group(1) not in allowed[layer]:
            problems.append(f"{rel}:{n}: {layer}/ may not include {inc.group(1)}/ "
                            f"(docs/architecture.md)")

for p in problems:
    print(p)
if problems:
    print(f"check-layers: {len(problems)} include(s) against the layering", file=sys.stderr)
    sys.exit(1)
print(f"check-layers: {sum(1 for _ in (top / 'src').rglob('*.?pp'))} files follow docs/architecture.md")
