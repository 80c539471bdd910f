#!/usr/bin/env python3
"""Copies the modules a VM boot needs out of the cached Debian tree: every requested module,
its full modules.dep closure and its soft dependencies (modules.softdep names are resolved
through modules.alias: `libcrc32c` needs `crc32c`, which is crc32c_generic/crc32c_intel).

usage: subset.py INDEXED_MODDIR CACHE_KVER_DIR KVER DEST_MODDIR REQUEST...
  INDEXED_MODDIR  an indexed copy of the plain tree (modules.dep, .softdep, .alias)
  CACHE_KVER_DIR  /var/cache/modkit/<kver>, holding plain/ gz/ xz/ zst/
  REQUEST         NAME (plain .ko) or xz:NAME / zst:NAME / gz:NAME (that compressed copy)
Prints the chosen module files, one per line. The caller runs depmod on the result.
"""
import fnmatch
import os
import shutil
import sys

SUFFIX = {"plain": ".ko", "gz": ".ko.gz", "xz": ".ko.xz", "zst": ".ko.zst"}


def strip_ext(rel):
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if rel.endswith(ext):
            return rel[: -len(ext)]
    return rel


def norm(name):
    return name.replace("-", "_")


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    moddir, cache, kver, dest = sys.argv[1:5]
    requests = sys.argv[5:]

    deps, path_of = {}, {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.rstrip("\n").partition(":")
            name = norm(os.path.basename(mod).split(".")[0])
            path_of[name] = mod
            deps[name] = [norm(os.path.basename(d).split(".")[0]) for d in rest.split()]

    aliases = []  # (pattern, module) in file order
    with open(os.path.join(moddir, "modules.alias")) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "alias":
                aliases.append((parts[1], parts[2]))

    softdeps = {}
    with open(os.path.join(moddir, "modules.softdep")) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "softdep":
                names = [p for p in parts[2:] if p not in ("pre:", "post:")]
                softdeps.setdefault(norm(parts[1]), []).extend(names)

    def resolve(name):
        n = norm(name)
        if n in path_of:
            return [n]
        return [m for pat, m in aliases if fnmatch.fnmatchcase(n, norm(pat))]

    variant_of = {}
    todo = []
    for req in requests:
        variant, _, name = req.rpartition(":")
        variant = variant or "plain"
        if variant not in SUFFIX:
            sys.exit(f"subset: unknown compression '{variant}' in '{req}'")
        found = resolve(name)
        if not found:
            sys.exit(f"subset: no module or alias '{name}' in {moddir}/modules.dep")
        for m in found:
            # A compressed request wins over a plain one (it still loads the same module).
            if variant != "plain" or m not in variant_of:
                variant_of[m] = variant
            todo.append(m)

    plain_requests = {m for req in requests if ":" not in req for m in resolve(req)}
    for m, v in variant_of.items():
        if v != "plain" and m in plain_requests:
            print(f"subset: warning: {m} is requested as {v} and plain; the {v} file wins", file=sys.stderr)

    chosen = set()
    while todo:
        m = todo.pop()
        if m in chosen:
            continue
        chosen.add(m)
        todo.extend(deps.get(m, []))
        for s in softdeps.get(m, []):
            todo.extend(resolve(s))

    for m in sorted(chosen):
        rel = path_of[m]
        variant = variant_of.get(m, "plain")
        if variant == "plain":  # as the package ships it (.ko.xz for trixie's kernels)
            src = os.path.join(cache, "plain", "lib", "modules", kver, rel)
        else:
            src = os.path.join(cache, variant, "lib", "modules", kver, strip_ext(rel) + SUFFIX[variant])
        dst = os.path.join(dest, os.path.dirname(rel), os.path.basename(src))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        print(os.path.relpath(dst, dest))

    for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        src = os.path.join(cache, "plain", "lib", "modules", kver, f)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(dest, f))


if __name__ == "__main__":
    main()
