#!/usr/bin/env python3
"""What a terminal shows once a transcript (script(1)'s output) has been played: carriage
returns, newlines, and the escapes modkit's live views use (ESC[nA up, ESC[nG column, ESC[K
erase to the end of the line, ESC[J erase to the end of the screen). Erased text is gone, as
on a real screen; lines never wrap (the views cut their lines to the width). Prints the screen.
usage: screen.py TRANSCRIPT"""
import re
import sys

data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
lines = [[]]
row = col = 0
i = 0
esc = re.compile(r"\x1b\[([0-9]*)([A-Za-z])")
while i < len(data):
    c = data[i]
    if c == "\x1b":
        m = esc.match(data, i)
        if not m:
            sys.exit(f"screen.py: unknown escape at byte {i}: {data[i:i+8]!r}")
        n = int(m.group(1) or "1")
        op = m.group(2)
        if op == "A":
            row = max(0, row - n)
        elif op == "G":
            col = n - 1
        elif op == "K":
            del lines[row][col:]
        elif op == "J":
            del lines[row][col:]
            del lines[row + 1:]
        else:
            sys.exit(f"screen.py: unexpected escape {m.group(0)!r}")
        i = m.end()
        continue
    if c == "\r":
        col = 0
    elif c == "\n":
        row += 1
        while len(lines) <= row:
            lines.append([])
    else:
        line = lines[row]
        while len(line) < col:
            line.append(" ")
        if col < len(line):
            line[col] = c
        else:
            line.append(c)
        col += 1
    i += 1
sys.stdout.write("\n".join("".join(l) for l in lines))
