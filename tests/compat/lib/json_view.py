#!/usr/bin/env python3
"""Checks modkit's JSON views: validates a document (stdin) against a schema of docs/json/, and
turns a view back into the text the tool prints, so a test can compare the two byte for byte.

usage: json_view.py validate SCHEMA      exit 1 naming the first violations
       json_view.py modinfo-text         modinfo's text output from modinfo --json
       json_view.py lsmod-text           lsmod's text output from lsmod --json
       json_view.py depends-text         modprobe -D's lines from modprobe -D --json
       json_view.py resolve-text         modprobe -R's lines from modprobe -R --json
       json_view.py symbols-text         --show-modversions/--show-exports' lines
       json_view.py dkms-status-text     dkms status's lines from dkms status --json
       json_view.py config-text          modprobe -c's output from modprobe -c --json
"""
import json
import sys


def validate(schema_path):
    import jsonschema
    schema = json.load(open(schema_path))
    doc = json.load(sys.stdin)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:10]:
        print(f"{schema_path}: /{'/'.join(map(str, e.path))}: {e.message[:200]}", file=sys.stderr)
    if errors:
        sys.exit(1)
    count = len(doc.get("modules", [])) if isinstance(doc, dict) else len(doc)
    print(f"valid: {count} items")


def labelled(label, value):
    return label + " " * max(0, 16 - len(label)) + value + "\n"


def modinfo_text():
    out = []
    for m in json.load(sys.stdin)["modules"]:
        if m["builtin"]:
            out.append(labelled("name:", m["name"]))
        out.append(labelled("filename:", m["filename"]))
        for f in m["fields"]:
            key, value = f["key"], f["value"]
            pad = 15 - len(key) if len(key) <= 15 else len(key) - 15
            out.append(f"{key}:{' ' * pad}{value}\n")
        for p in m["parameters"]:
            if p["description"] is None:
                line = f"{p['name']}:{p['type']}"
            else:
                line = f"{p['name']}:{p['description']}"
                if p["type"] is not None:
                    line += f" ({p['type']})"
            out.append(labelled("parm:", line))
    sys.stdout.write("".join(out))


def lsmod_text():
    out = ["Module                  Size  Used by\n"]
    for m in json.load(sys.stdin)["modules"]:
        line = f"{m['name']:<19} {m['size']:>8}  {m['refcount']}"
        if m["holders"]:
            line += " " + ",".join(m["holders"])
        out.append(line + "\n")
    sys.stdout.write("".join(out))


def depends_text():
    out = []
    for q in json.load(sys.stdin)["queries"]:
        for s in q["steps"]:
            if s["action"] == "insmod":
                out.append(f"insmod {s['path']} {s['options']}\n")
            elif s["action"] == "install":
                out.append(f"install {s['command']} {s['options']}\n")
            else:
                out.append(f"builtin {s['module']}\n")
    sys.stdout.write("".join(out))


def resolve_text():
    out = []
    for q in json.load(sys.stdin)["queries"]:
        out.extend(m + "\n" for m in q["modules"])
    sys.stdout.write("".join(out))


def symbols_text():
    doc = json.load(sys.stdin)
    sys.stdout.write("".join(f"{s['crc']}\t{s['symbol']}\n" for s in doc["symbols"]))


def config_text():
    doc = json.load(sys.stdin)
    out = []
    for e in doc["configuration"]:
        line = f"{e['command']} {e['module']}"
        if e["value"] is not None:
            line += f" {e['value']}"
        out.append(line + "\n")
    out.append("\n# End of configuration files. Dumping indexes now:\n\n")
    for section in ("aliases", "symbols"):
        out.extend(f"alias {a['key']} {a['module']}\n" for a in doc[section])
    sys.stdout.write("".join(out))


DKMS_FLAGS = {"original-modules-exist": "Original modules exist",
              "built-modules-missing": "Built modules are missing in the kernel modules folder",
              "built-and-installed-differ": "Differences between built and installed modules"}


def dkms_status_text():
    out = []
    for m in json.load(sys.stdin)["modules"]:
        if m["state"] in ("added", "broken"):
            out.append(f"{m['module']}/{m['version']}: {m['state']}\n")
            continue
        flags = "".join(f" ({DKMS_FLAGS[f]})" for f in m["flags"])
        out.append(f"{m['module']}/{m['version']}, {m['kernel']}, {m['arch']}: {m['state']}{flags}\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "validate" and len(sys.argv) == 3:
        validate(sys.argv[2])
    elif cmd == "modinfo-text":
        modinfo_text()
    elif cmd == "lsmod-text":
        lsmod_text()
    elif cmd == "depends-text":
        depends_text()
    elif cmd == "resolve-text":
        resolve_text()
    elif cmd == "symbols-text":
        symbols_text()
    elif cmd == "config-text":
        config_text()
    elif cmd == "dkms-status-text":
        dkms_status_text()
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
