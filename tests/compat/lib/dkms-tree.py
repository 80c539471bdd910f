#!/usr/bin/env python3
"""Canonical views of a DKMS sandbox for the differential tests (tests/compat/dkms*.sh), so
that what DKMS 3.0.10 and modkit's dkms leave behind can be compared with `diff`.

A sandbox root R holds dkms/ (--dkmstree), src/ (--sourcetree), root/lib/modules/
(--installtree) and arch/ (tarballs the tests ask for). Paths inside R print as @R@, kernel
source dirs (however reached) as @KSRC:<K>@. The intended differences of modkit (DKMS 3.4.3
behaviour, see docs/compat.md, dkms) are normalised here and only here.

usage: dkms-tree.py list R                 every path: type, mode, symlink target, content hash
       dkms-tree.py status FILE            `dkms status` stdout in DKMS 3.4.3's wording
       dkms-tree.py checkpoint R PREFIX    PREFIX.{tree,fakemake,makecmds,hooks,originals}
       dkms-tree.py compare SC REF MK REFMODE   compares two runs' records, prints one line per
                                           check, exits with the number of failures
"""
import gzip
import hashlib
import lzma
import os
import re
import stat
import subprocess
import sys
import tarfile

ROOTS = ("dkms", "src", "root", "arch")
# depmod's outputs in root/lib/modules/<K>/: compared separately (index checks), not here.
INDEX_FILES = {
    "modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin", "modules.softdep",
    "modules.symbols", "modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin",
    "modules.devname", "modules.weakdep",
}


def norm(text, r):
    """Sandbox paths as placeholders, every spelling of a kernel source dir as one."""
    text = re.sub(re.escape(r) + r"/root/lib/modules/([^/\s]+)/build", r"@KSRC:\1@", text)
    text = text.replace(r, "@R@")
    text = re.sub(r"(?<![\w@/])/lib/modules/([^/\s]+)/build", r"@KSRC:\1@", text)
    text = re.sub(r"/usr/src/linux-headers-([^/\s]+)", r"@KSRC:\1@", text)
    return text


def digest(data):
    return hashlib.sha256(data).hexdigest()[:16]


def decompress(name, data):
    try:
        if name.endswith(".xz"):
            return "xz", lzma.decompress(data)
        if name.endswith(".gz"):
            return "gz", gzip.decompress(data)
        if name.endswith(".zst"):
            return "zst", subprocess.run(["zstd", "-dcq"], input=data, capture_output=True,
                                         check=True).stdout
    except (lzma.LZMAError, OSError, EOFError, subprocess.CalledProcessError):
        return "corrupt", data
    return None, data


def ignored(rel):
    """Paths left out of the comparison on purpose (docs/compat.md, dkms)."""
    parts = rel.split("/")
    if any(p.startswith(".modkit") for p in parts):
        return True  # modkit's own bookkeeping
    if len(parts) >= 2 and parts[-2] == "log" and parts[-1] in (".config", "auto.conf"):
        return True  # 3.0.10 copies the kernel config into log/; 3.2.2+ does not
    if rel.startswith("root/lib/modules/") and len(parts) == 5 and (
            parts[4] in INDEX_FILES or parts[4] == "modules.modkit.cache"):
        return True  # compared by the index checks; the cache is modkit depmod's own
    if len(parts) == 7 and parts[0] == "dkms" and parts[5] == "module" and \
            parts[6] == "Module.symvers":
        return True  # kept since DKMS 3.1.3; 3.0.10 drops it
    if len(parts) == 5 and parts[0] == "dkms" and parts[3] == "build" and parts[4] == "make.log":
        return True  # a failed build's log: 3.4 also logs patches there (make invocations are
        #              compared from the make.log contents)
    return False


def file_line(rel, data, mode):
    name = os.path.basename(rel)
    if name == "make.log":
        return f"f {rel} {mode:o} (make.log)"
    kind, plain = decompress(name, data) if ".ko." in name else (None, data)
    tag = f"{kind}:" if kind else ""
    return f"f {rel} {mode:o} {tag}{digest(plain)}"


def tar_lines(rel, path, r):
    lines = []
    try:
        with tarfile.open(path) as tar:
            for m in tar.getmembers():
                name = os.path.normpath(m.name)
                if name == ".":
                    continue
                if ignored("tar/" + name):
                    continue
                if m.isdir():
                    lines.append(f"  {rel} :: d {name}")
                elif m.issym():
                    lines.append(f"  {rel} :: l {name} -> {norm(m.linkname, r)}")
                elif m.isfile():
                    data = tar.extractfile(m).read()
                    lines.append("  " + rel + " :: " +
                                 file_line(name, data, m.mode & 0o7777))
                else:
                    lines.append(f"  {rel} :: ? {name}")
    except (tarfile.TarError, OSError) as e:
        lines.append(f"  {rel} :: unreadable tarball ({type(e).__name__})")
    return sorted(lines)


def originals(r):
    """{archived path: original path}: modkit (like DKMS 3.1+) moves an in-tree module of the
    same name to <m>/original_module/<K>/<A>/ with a .origin file; 3.0.10 on Debian leaves it
    where it is. The listing shows it at its original place either way."""
    moved = {}
    top = os.path.join(r, "dkms")
    if not os.path.isdir(top):
        return moved
    for m in os.listdir(top):
        base = os.path.join(top, m, "original_module")
        for dirpath, _, files in os.walk(base):
            for f in files:
                if f.endswith(".origin") and f[:-7] in files:
                    with open(os.path.join(dirpath, f)) as fh:
                        origin = fh.read().strip()
                    moved[os.path.join(dirpath, f[:-7])] = origin
    return moved


def listing(r):
    moved = originals(r)
    hidden_dirs = set()
    for archived in moved:
        d = os.path.dirname(archived)
        while os.path.basename(d) != "original_module":
            hidden_dirs.add(d)
            d = os.path.dirname(d)
        hidden_dirs.add(d)
    out = []
    for top in ROOTS:
        base = os.path.join(r, top)
        if not os.path.lexists(base):
            continue
        for dirpath, dirs, files in os.walk(base):
            dirs.sort()
            for name in sorted(dirs + files):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, r)
                if ignored(rel):
                    continue
                st = os.lstat(path)
                mode = stat.S_IMODE(st.st_mode)
                if stat.S_ISLNK(st.st_mode):
                    out.append(f"l {rel} -> {norm(os.readlink(path), r)}")
                elif stat.S_ISDIR(st.st_mode):
                    if path not in hidden_dirs:
                        out.append(f"d {rel} {mode:o}")
                elif stat.S_ISREG(st.st_mode):
                    if name.endswith(".origin") and path[:-7] in moved:
                        continue
                    with open(path, "rb") as fh:
                        data = fh.read()
                    shown = rel
                    if path in moved:
                        origin = moved[path]
                        shown = os.path.relpath(origin, r) if origin.startswith(r + "/") \
                            else "OUTSIDE-SANDBOX:" + origin
                    if re.search(r"\.tar(\.\w+)?$", name):
                        # Archive bytes carry mtimes; the members are what counts.
                        out.append(f"f {shown} {mode:o} (tarball)")
                        out.extend(tar_lines(shown, path, r))
                    else:
                        out.append(file_line(shown, data, mode))
                else:
                    out.append(f"? {rel}")
    archived = sorted({tuple(os.path.relpath(a, r).split("/")[1:2] +
                             os.path.relpath(a, r).split("/")[3:5]) for a in moved})
    return sorted(out, key=lambda l: l[2:]), archived


SUFFIXES = [
    (" (original_module exists)", " (Original modules exist)"),
    (" (WARNING! Missing some built modules!)",
     " (Built modules are missing in the kernel modules folder)"),
    (" (WARNING! Diff between built and installed module!)",
     " (Differences between built and installed modules)"),
]
ORIGINALS = SUFFIXES[0][1]


def map_status(text):
    """DKMS 3.0.10's status wording as 3.4.3 prints it (the same text, already mapped, for a
    3.4.3-like tool)."""
    out = []
    for line in text.splitlines():
        for old, new in SUFFIXES:
            line = line.replace(old, new)
        # 3.0.10 repeats the last two once per module; 3.4.3 prints at most one of them.
        missing, diff = SUFFIXES[1][1], SUFFIXES[2][1]
        found = sorted((line.find(x), x) for x in (missing, diff) if x in line)
        if found:
            pos, first = found[0]
            line = line.replace(missing, "").replace(diff, "")
            line = line[:pos] + first + line[pos:]
        out.append(line)
    return out


def make_logs(r):
    for dirpath, dirs, files in os.walk(os.path.join(r, "dkms")):
        dirs.sort()
        if "make.log" in files:
            yield os.path.join(dirpath, "make.log")


def read_text(path):
    with open(path, errors="replace") as fh:
        return fh.read()


def cmd_checkpoint(r, prefix):
    lines, archived = listing(r)
    fake, cmds = [], []
    for log in make_logs(r):
        rel = os.path.relpath(log, r)
        in_build_dir = os.path.basename(os.path.dirname(log)) == "build"
        for line in read_text(log).splitlines():
            if line.startswith("fake-make: "):
                fake.append(f"{rel}: {norm(line, r)}")
            elif not in_build_dir and (line.startswith("# command: ") or
                                       line.startswith("# exit code: ")):
                cmds.append(f"{rel}\t{norm(line, r)}")
    files = {"tree": lines, "fakemake": fake, "makecmds": cmds,
             "originals": [" ".join(a) for a in archived]}
    hooks = os.path.join(r, "hooks.log")
    if os.path.exists(hooks):
        files["hooks"] = norm(read_text(hooks), r).splitlines()
    for ext, content in files.items():
        with open(f"{prefix}.{ext}", "w") as fh:
            fh.write("".join(l + "\n" for l in content))


def ref_make_commands(stdout, r):
    """3.0.10 prints "Building module:", "Cleaning build area...", then the rewritten make
    command followed by progress dots (and "(bad exit status: N)" on failure)."""
    lines = stdout.splitlines()
    cmds = []
    for i, line in enumerate(lines):
        if line == "Building module:" and i + 2 < len(lines):
            cmds.append(norm(re.sub(r"\.*(\(bad exit status: \d+\))?$", "", lines[i + 2]), r))
    return cmds


class Report:
    def __init__(self, sc, names):
        self.sc, self.names, self.fails, self.skipped = sc, names, 0, 0

    def ok(self, what):
        print(f"  ok: {self.sc}: {what}", flush=True)

    def fail(self, what, detail=()):
        self.fails += 1
        print(f"FAIL: {self.sc}: {what}")
        for line in list(detail)[:40]:
            print(f"      {line}")
        sys.stdout.flush()

    def same(self, what, a, b):
        """Compares two lists of lines; prints ok or a unified diff."""
        if a == b:
            self.ok(what)
            return True
        import difflib
        diff = difflib.unified_diff(a, b, self.names[0], self.names[1], lineterm="", n=1)
        self.fail(f"{what} differs", list(diff)[2:])
        return False


def read_lines(path):
    return read_text(path).splitlines() if os.path.exists(path) else None


def tail(path, n=4):
    lines = read_lines(path) or []
    return [l for l in lines if l.strip()][-n:]


def idxdump(path):
    here = os.path.dirname(os.path.abspath(__file__))
    tool = os.path.join(here, "..", "..", "oracle", "idxdump.py")
    return subprocess.run([sys.executable, tool, path], capture_output=True, check=False).stdout


def compare_index(rep, label, ref, mk, refmode):
    d = f"{mk}.idx"
    mine, kmod = os.path.join(d, "mine"), os.path.join(d, "kmod")
    names = sorted(set(os.listdir(mine)) | set(os.listdir(kmod)))
    bad = []
    for f in names:
        a, b = os.path.join(kmod, f), os.path.join(mine, f)
        if not os.path.exists(b):
            bad.append(f"{f}: missing")
            continue
        if not os.path.exists(a):
            # kmod 34's modules.weakdep (kmod 30 has no weakdep) and modkit depmod's
            # incremental cache are modkit's on purpose (docs/compat.md, depmod).
            if f not in ("modules.weakdep", "modules.modkit.cache"):
                bad.append(f"{f}: kmod does not write it")
            continue
        with open(a, "rb") as fa, open(b, "rb") as fb:
            da, db = fa.read(), fb.read()
        if f.endswith(".bin"):
            if da != db and idxdump(a) != idxdump(b):
                bad.append(f"{f}: content differs")
        elif da != db:
            bad.append(f"{f}: differs")
    what = f"{label}: indexes{' (simulated with kmod)' if refmode else ''} == kmod depmod -b"
    if bad:
        rep.fail(what, bad)
    else:
        rep.ok(f"{what} ({len(names)} files)")


def compare_status(rep, what, ref_text, mk_text, mk_originals):
    a = map_status(ref_text)
    b = []
    bad = []
    for line in map_status(mk_text):
        m = re.match(r"^([^/]+)/[^,]+, ([^,]+), ([^:]+): ", line)
        if m and (m.group(1), m.group(2), m.group(3)) in mk_originals:
            if ORIGINALS not in line:
                bad.append(f"modkit archived an original module but says: {line}")
            line = line.replace(ORIGINALS, "")
        b.append(line)
    if bad:
        rep.fail(f"{what}: (Original modules exist)", bad)
    return rep.same(what, a, b)


def cmd_compare(sc, ref, mk, refmode):
    refmode = refmode == "1"
    rep = Report(sc, ("3.0.10", "3.0.10-as-modkit" if refmode else "modkit"))

    def steps(d):
        out = []
        for line in read_lines(os.path.join(d, "steps")) or []:
            n, kind, rc, label = line.split("\t", 3)
            out.append((n, kind, rc, label))
        return out

    rs, ms = steps(ref), steps(mk)
    if [(n, k, l) for n, k, _, l in rs] != [(n, k, l) for n, k, _, l in ms] or not rs:
        rep.fail("the two runs did not record the same steps (worker crashed?)",
                 [f"3.0.10: {len(rs)} steps, other: {len(ms)} steps"])
        return rep.fails
    ref_cmds = []
    r = read_text(os.path.join(ref, "R")).strip()
    for (n, kind, rrc, label), (_, _, mrc, _) in zip(rs, ms):
        rp, mp = os.path.join(ref, n), os.path.join(mk, n)
        if kind in ("cmd", "status"):
            ref_cmds += ref_make_commands(read_text(rp + ".out"), r)
            if rrc == mrc:
                rep.ok(f"{label} (exit {rrc})")
            else:
                rep.fail(f"{label}: exit {rrc} ({rep.names[0]}) vs {mrc} ({rep.names[1]})",
                         [f"{rep.names[0]}: {l}" for l in tail(rp + ".err")] +
                         [f"{rep.names[1]}: {l}" for l in tail(mp + ".err")])
            if kind == "status":
                compare_status(rep, f"{label}: output", read_text(rp + ".out"),
                               read_text(mp + ".out"), set())
        elif kind == "cp":
            tree = read_lines(rp + ".tree")
            rep.same(f"{label}: tree ({len(tree)} paths)", tree, read_lines(mp + ".tree"))
            mk_orig = {tuple(l.split()) for l in read_lines(mp + ".originals")}
            if os.path.exists(rp + ".status.rc"):
                rrc, mrc = read_text(rp + ".status.rc").strip(), read_text(mp + ".status.rc").strip()
                if rrc != mrc:
                    rep.fail(f"{label}: status exit {rrc} vs {mrc}")
                lines = read_lines(rp + ".status")
                compare_status(rep, f"{label}: status ({len(lines)} lines)",
                               read_text(rp + ".status"), read_text(mp + ".status"), mk_orig)
            rh, mh = read_lines(rp + ".hooks"), read_lines(mp + ".hooks")
            if rh is not None or mh is not None:
                rep.same(f"{label}: hooks run", rh or [], mh or [])
            rf, mf = read_lines(rp + ".fakemake"), read_lines(mp + ".fakemake")
            if rf or mf:
                rep.same(f"{label}: make invocations in make.log", rf, mf)
            if not refmode:
                check_make_logs(rep, label, read_lines(mp + ".makecmds"), ref_cmds, mp)
            else:
                rep.skipped += 1
        elif kind == "cmdx":
            ref_cmds += ref_make_commands(read_text(rp + ".out"), r)
            print(f"  --: {sc}: {label}: exit {rrc} ({rep.names[0]}), {mrc} ({rep.names[1]}); "
                  "not compared, see the [modkit] checks")
        elif kind == "info":
            for name, p in zip(rep.names, (rp, mp)):
                text = " | ".join(tail(p + ".out", 3)) or "(nothing)"
                print(f"  --: {sc}: {label}: {name}: {text}")
        elif kind == "idx":
            compare_index(rep, label, rp, mp, refmode)
        elif kind == "expect":
            if refmode:
                rep.skipped += 1
            elif mrc == "0":
                rep.ok(f"[modkit] {label}")
            else:
                rep.fail(f"[modkit] {label}", [f"3.0.10 gives {'yes' if rrc == '0' else 'no'}"] +
                         tail(mp + ".out", 8))
    if rep.skipped:
        print(f"  --: {sc}: {rep.skipped} modkit-only checks skipped (reference mode)")
    return rep.fails


def check_make_logs(rep, label, cmds, ref_cmds, mp):
    """modkit writes 3.4's make.log: a `# command:` block per step. Its make command must be
    the one 3.0.10 ran (and echoed) for the same build, and it must have succeeded."""
    logs = {}
    for line in cmds:
        path, text = line.split("\t", 1)
        logs.setdefault(path, []).append(text)
    bad = []
    for path, lines in sorted(logs.items()):
        commands = [l[len("# command: "):] for l in lines if l.startswith("# command: ")]
        codes = [l for l in lines if l.startswith("# exit code: ")]
        if not commands:
            bad.append(f"{path}: no '# command:' line")
        for c in commands:
            # Patch and pre/post_build blocks have their own commands; check the make ones.
            if re.match(r"'?make'?( |$)", c) and c not in ref_cmds:
                bad.append(f"{path}: '# command: {c}' is not a make command 3.0.10 ran")
                bad.extend(f"   3.0.10 ran: {x}" for x in ref_cmds[-3:])
        if any(c != "# exit code: 0" for c in codes) or not codes:
            bad.append(f"{path}: exit codes {codes}")
    if bad:
        rep.fail(f"{label}: [modkit] make.log", bad)
    elif logs:
        rep.ok(f"{label}: [modkit] make.log has 3.0.10's make command and exit code 0 "
               f"({len(logs)} logs)")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "list":
        print("\n".join(listing(args[0].rstrip("/"))[0]))
    elif cmd == "status":
        print("\n".join(map_status(read_text(args[0]))))
    elif cmd == "checkpoint":
        cmd_checkpoint(args[0].rstrip("/"), args[1])
    elif cmd == "compare":
        sys.exit(min(cmd_compare(*args), 100))
    else:
        sys.exit(f"dkms-tree.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
