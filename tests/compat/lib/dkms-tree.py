#!/usr/bin/env python3
"""Records of a DKMS sandbox run for the differential tests (tests/compat/dkms*.sh), and their
comparison: modkit's dkms against DKMS 3.4.3 (run live, or its recorded transcripts in
tests/compat/dkms-oracle/), and against Debian's DKMS 3.0.10 for module bytes.

A sandbox root R holds dkms/ (--dkmstree), src/ (--sourcetree), root/lib/modules/
(--installtree) and arch/ (tarballs). Paths inside R print as @R@, kernel source dirs (however
reached) as @KSRC:<K>@. A run directory (written by the worker of lib/dkms-harness.sh) holds
`steps` and, per step N, N.out/N.err (a command's output), N.tree (every path with a content
hash), N.ptree (the same with modules described portably: what modinfo says, stripped or not,
signed or not; a recording made on one machine must hold on another, where compilers and
signing keys differ), N.status*, N.hooks and N.makelog.

usage: dkms-tree.py checkpoint R PREFIX     PREFIX.{tree,ptree,hooks,makelog}
       dkms-tree.py record RUN KEY OUT.json the normalised transcript of a run (what is committed)
       dkms-tree.py compare SC ORACLE.json MKRUN KEY REFMODE [--o34-run RUN] [--r30-run RUN]
                                            one line per check; exits with the number of failures
"""
import difflib
import gzip
import hashlib
import json
import lzma
import os
import re
import stat
import struct
import subprocess
import sys
import tarfile

# Bump when what a record holds or how it is normalised changes: older recordings are stale.
FORMAT = 1
ROOTS = ("dkms", "src", "root", "arch")
# depmod's outputs in root/lib/modules/<K>/: compared separately (index checks), not here.
INDEX_FILES = {
    "modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin", "modules.softdep",
    "modules.symbols", "modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin",
    "modules.devname", "modules.weakdep",
}
SIG_MAGIC = b"~Module signature appended~\n"


def norm(text, r):
    """Sandbox paths as placeholders, every spelling of a kernel source dir as one, and what
    varies from run to run (temporary names, dates, elapsed times, progress dots)."""
    text = re.sub(re.escape(r) + r"/root/lib/modules/([^/\s'\"]+)/build", r"@KSRC:\1@", text)
    text = text.replace(r, "@R@")
    if os.environ.get("KEYS"):
        text = text.replace(os.environ["KEYS"], "@KEYS@")  # the test signing key's directory
    text = re.sub(r"(?<![\w@/])/lib/modules/([^/\s'\"]+)/build", r"@KSRC:\1@", text)
    text = re.sub(r"/usr/src/linux-headers-([^/\s'\"]+)", r"@KSRC:\1@", text)
    text = re.sub(r"\.tmp_([\w-]+)_[A-Za-z0-9]{6}", r".tmp_\1_@TMP@", text)
    text = re.sub(r"/dkms\.[A-Za-z0-9]{6}", "/dkms.@TMP@", text)
    text = re.sub(r"\.\.\.\.+", "...", text)  # a dot every 3 s while a command runs
    text = text.replace("dkms-3.4.3 (modkit ", "dkms-3.4.3 (@MODKIT@ ")
    text = re.sub(r"dkms-3\.4\.3 \(@MODKIT@ [^)]*\)", "dkms-3.4.3", text)
    text = re.sub(r"^# elapsed time: \d\d:\d\d:\d\d$", "# elapsed time: @T@", text, flags=re.M)
    text = re.sub(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d [A-Z]+ \d{4}$", "@DATE@",
                  text, flags=re.M)
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


def elf_sections(data):
    """{name: bytes} of a little-endian ELF64 file, {} for anything else."""
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return {}
    try:
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        heads = []
        for i in range(shnum):
            off = shoff + i * shentsize
            name, _, _, _, sh_off, size = struct.unpack_from("<IIQQQQ", data, off)
            heads.append((name, sh_off, size))
        strtab = heads[shstrndx]
        names = data[strtab[1]:strtab[1] + strtab[2]]
        out = {}
        for name, off, size in heads:
            end = names.find(b"\0", name)
            out[names[name:end].decode(errors="replace")] = data[off:off + size]
        return out
    except (struct.error, IndexError):
        return {}


def module_text(name, data):
    """A module described by what survives another compiler and another key: its .modinfo
    name, version, srcversion and vermagic, whether it has debug info, whether it is signed."""
    kind, plain = decompress(name, data)
    sections = elf_sections(plain)
    if not sections:
        return f"{kind + ':' if kind else ''}not-elf:{digest(plain)}"
    info = {}
    for item in sections.get(".modinfo", b"").split(b"\0"):
        k, _, v = item.decode(errors="replace").partition("=")
        if k in ("name", "version", "srcversion", "vermagic") and k not in info:
            info[k] = v
    debug = "debug" if any(s.startswith(".debug") for s in sections) else "stripped"
    signed = "signed" if plain.endswith(SIG_MAGIC) else "unsigned"
    fields = ":".join(info.get(k, "-") for k in ("name", "version", "srcversion", "vermagic"))
    return f"{kind + ':' if kind else ''}ko:{fields}:{debug}:{signed}"


def ignored(rel):
    """Paths left out on purpose (docs/compat.md, dkms)."""
    parts = rel.split("/")
    if any(p.startswith(".modkit") for p in parts):
        return True  # modkit's lock and journal
    if len(parts) >= 2 and parts[-2] == "log" and parts[-1] in (".config", "auto.conf"):
        return True  # 3.0.10 copies the kernel config into log/
    if rel.startswith("root/lib/modules/") and len(parts) == 5 and (
            parts[4] in INDEX_FILES or parts[4] == "modules.modkit.cache"):
        return True  # compared by the index checks; the cache is modkit depmod's own
    return False


def file_line(rel, data, mode, r, portable):
    name = os.path.basename(rel)
    if name == "make.log":
        return f"f {rel} {mode:o} (make.log)"
    if ".ko" in name and (name.endswith(".ko") or ".ko." in name):
        if portable:
            return f"f {rel} {mode:o} {module_text(name, data)}"
        kind, plain = decompress(name, data)
        return f"f {rel} {mode:o} {kind + ':' if kind else ''}{digest(plain)}"
    try:
        data = norm(data.decode(), r).encode()
    except UnicodeDecodeError:
        pass
    return f"f {rel} {mode:o} {digest(data)}"


def tar_lines(rel, path, r, portable):
    lines = []
    try:
        with tarfile.open(path) as tar:
            for m in tar.getmembers():
                name = os.path.normpath(m.name)
                if name == "." or ignored("tar/" + name):
                    continue
                if m.isdir():
                    lines.append(f"  {rel} :: d {name}")
                elif m.issym():
                    lines.append(f"  {rel} :: l {name} -> {norm(m.linkname, r)}")
                elif m.isfile():
                    data = tar.extractfile(m).read()
                    lines.append(f"  {rel} :: " + file_line(name, data, m.mode & 0o7777, r,
                                                           portable))
                else:
                    lines.append(f"  {rel} :: ? {name}")
    except (tarfile.TarError, OSError) as e:
        lines.append(f"  {rel} :: unreadable tarball ({type(e).__name__})")
    return sorted(lines)


def listing(r, portable):
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
                    out.append(f"d {norm(rel, r)} {mode:o}")
                elif stat.S_ISREG(st.st_mode):
                    with open(path, "rb") as fh:
                        data = fh.read()
                    shown = norm(rel, r)
                    if re.search(r"\.tar(\.\w+)?$", name):
                        out.append(f"f {shown} {mode:o} (tarball)")  # members are what counts
                        out.extend(tar_lines(shown, path, r, portable))
                    else:
                        out.append(file_line(shown, data, mode, r, portable))
                else:
                    out.append(f"? {rel}")
    return sorted(out, key=lambda l: l[2:])


def read_text(path):
    with open(path, errors="replace") as fh:
        return fh.read()


def make_log_lines(r):
    """Every make.log, normalised. Within a command's output the lines are sorted: make -jN
    interleaves the output of parallel jobs differently from run to run."""
    out = []
    for dirpath, dirs, files in os.walk(os.path.join(r, "dkms")):
        dirs.sort()
        if "make.log" not in files:
            continue
        path = os.path.join(dirpath, "make.log")
        out.append(f"== {os.path.relpath(path, r)}")
        block = None
        for line in norm(read_text(path), r).splitlines():
            if line.startswith("# command: "):
                out.append(line)
                block = []
            elif line.startswith("# exit code: ") and block is not None:
                out.extend(sorted(block))
                out.append(line)
                block = None
            elif block is not None:
                block.append(line)
            else:
                out.append(line)
        if block is not None:
            out.extend(sorted(block))
    return out


def cmd_checkpoint(r, prefix):
    files = {"tree": listing(r, False), "ptree": listing(r, True), "makelog": make_log_lines(r)}
    hooks = os.path.join(r, "hooks.log")
    if os.path.exists(hooks):
        files["hooks"] = norm(read_text(hooks), r).splitlines()
    for ext, content in files.items():
        with open(f"{prefix}.{ext}", "w") as fh:
            fh.write("".join(l + "\n" for l in content))


# ------------------------------------------------------------------ transcripts

TEXT_EXTS = ("out", "err", "ptree", "status", "status.err", "status.rc", "hooks", "makelog")


def read_run(run):
    """A run directory as a transcript: {"steps": [[n, kind, rc, label]...], "files": {...}}
    with every text normalised."""
    r = read_text(os.path.join(run, "R")).strip()
    steps = []
    for line in read_text(os.path.join(run, "steps")).splitlines():
        n, kind, rc, label = line.split("\t", 3)
        steps.append([n, kind, rc, label])
    files = {}
    for n, kind, _, _ in steps:
        if kind == "idx":
            continue  # modkit's indexes against kmod's, not part of DKMS's transcript
        for ext in TEXT_EXTS:
            p = os.path.join(run, f"{n}.{ext}")
            if os.path.exists(p):
                files[f"{n}.{ext}"] = norm(read_text(p), r).splitlines()
    return {"steps": steps, "files": files}


def fixture_hashes(run):
    """{fixture: hash of its files} for the fixtures a run copied (tests/compat/dkms-fixtures)."""
    names = sorted(set(read_text(os.path.join(run, "fixtures")).split())) \
        if os.path.exists(os.path.join(run, "fixtures")) else []
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dkms-fixtures")
    out = {}
    for name in names:
        h = hashlib.sha256()
        base = os.path.join(top, name)
        for dirpath, dirs, files in os.walk(base):
            dirs.sort()
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                h.update(os.path.relpath(p, base).encode() + b"\0")
                h.update(b"x" if os.access(p, os.X_OK) else b"-")
                with open(p, "rb") as fh:
                    h.update(fh.read())
        out[name] = h.hexdigest()[:16]
    return out


def cmd_record(run, key, out):
    t = read_run(run)
    t = {"format": FORMAT, "oracle": "dkms-3.4.3", "key": key, "fixtures": fixture_hashes(run),
         **t}
    tmp = out + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(t, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, out)


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

    def same(self, what, a, b, quiet=False):
        if a == b:
            if not quiet:
                self.ok(what)
            return True
        diff = difflib.unified_diff(a, b, self.names[0], self.names[1], lineterm="", n=1)
        self.fail(f"{what} differs", list(diff)[2:])
        return False


def idxdump(path):
    here = os.path.dirname(os.path.abspath(__file__))
    tool = os.path.join(here, "..", "..", "oracle", "idxdump.py")
    return subprocess.run([sys.executable, tool, path], capture_output=True, check=False).stdout


def compare_index(rep, label, mk):
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
            # kmod 34's modules.weakdep and modkit depmod's cache (docs/compat.md, depmod).
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
    what = f"{label}: [modkit] indexes == kmod depmod -b over the same tree"
    if bad:
        rep.fail(what, bad)
    else:
        rep.ok(f"{what} ({len(names)} files)")


def module_lines(lines):
    return {l.split(" ")[1]: l for l in lines if l.startswith("f ") and ".ko" in l.split(" ")[1]}


def compare_bytes_with_3010(rep, label, n, o34, mkrun, r30run):
    """Where DKMS 3.0.10 (live) left the same module as DKMS 3.4.3 did (same path, same
    portable description), modkit's must be byte-identical to 3.0.10's."""
    p = lambda run, ext: (read_text(os.path.join(run, f"{n}.{ext}")).splitlines()
                          if os.path.exists(os.path.join(run, f"{n}.{ext}")) else [])
    o34_mods = module_lines(o34["files"].get(f"{n}.ptree", []))
    r30_port, r30_full = module_lines(p(r30run, "ptree")), module_lines(p(r30run, "tree"))
    mk_full = module_lines(p(mkrun, "tree"))
    agree = [path for path, line in r30_port.items() if o34_mods.get(path) == line]
    bad = [f"{path}: {mk_full.get(path, 'missing')} vs 3.0.10 {r30_full[path]}"
           for path in agree if mk_full.get(path) != r30_full[path]]
    if bad:
        rep.fail(f"{label}: modules byte-identical to DKMS 3.0.10's", bad)
    elif agree:
        rep.ok(f"{label}: {len(agree)} module(s) byte-identical to DKMS 3.0.10's (live)")


def cmd_compare(sc, oracle_json, mkrun, key, refmode, o34run=None, r30run=None):
    refmode = refmode == "1"
    with open(oracle_json) as fh:
        o34 = json.load(fh)
    rep = Report(sc, ("dkms-3.4.3", "3.4.3-as-modkit" if refmode else "modkit"))
    if o34.get("format") != FORMAT or o34.get("key") != key or \
            o34.get("fixtures") != fixture_hashes(mkrun):
        rep.fail("the DKMS 3.4.3 transcript is stale: the scenario, the fixtures or the harness "
                 "changed since it was recorded",
                 ["re-record: MODKIT_DKMS_ORACLE=/path/to/dkms-3.4.3 MODKIT_DKMS_RECORD=1 "
                  "bash tests/compat/<suite>.sh"])
        return rep.fails
    mk = read_run(mkrun)
    if [s[:2] + s[3:] for s in o34["steps"]] != [s[:2] + s[3:] for s in mk["steps"]]:
        rep.fail("the two runs did not record the same steps (worker crashed?)",
                 [f"3.4.3: {len(o34['steps'])} steps, modkit: {len(mk['steps'])} steps"])
        return rep.fails
    of, mf = o34["files"], mk["files"]
    get = lambda files, name: files.get(name, [])
    for (n, kind, orc, label), (_, _, mrc, _) in zip(o34["steps"], mk["steps"]):
        if kind in ("cmd", "status"):
            ok = orc == mrc
            if not ok:
                rep.fail(f"{label}: exit {orc} (3.4.3) vs {mrc} (modkit)")
            ok &= rep.same(f"{label}: stdout", get(of, f"{n}.out"), get(mf, f"{n}.out"), True)
            ok &= rep.same(f"{label}: stderr", get(of, f"{n}.err"), get(mf, f"{n}.err"), True)
            if ok:
                rep.ok(f"{label} (exit {orc}, stdout and stderr identical)")
        elif kind == "cp":
            for ext, what in (("ptree", "tree"), ("status", "status"),
                              ("status.err", "status stderr"), ("status.rc", "status exit"),
                              ("hooks", "hooks run"), ("makelog", "make.log")):
                a, b = of.get(f"{n}.{ext}"), mf.get(f"{n}.{ext}")
                if a is None and b is None:
                    continue
                rep.same(f"{label}: {what} ({len(a or [])} lines)", a or [], b or [])
            if o34run:
                full = lambda run: read_text(os.path.join(run, f"{n}.tree")).splitlines()
                rep.same(f"{label}: tree with content hashes (modules byte for byte)",
                         full(o34run), full(mkrun))
            if r30run and os.path.exists(os.path.join(r30run, f"{n}.tree")):
                compare_bytes_with_3010(rep, label, n, o34, mkrun, r30run)
        elif kind == "cmdx":
            print(f"  --: {sc}: {label}: exit {orc} (3.4.3), {mrc} (modkit); an intended "
                  "difference (docs/compat.md), see the [modkit] checks")
        elif kind == "info":
            for name, files in zip(rep.names, (of, mf)):
                text = " | ".join([l for l in get(files, f"{n}.out") if l.strip()][-3:])
                print(f"  --: {sc}: {label}: {name}: {text or '(nothing)'}")
        elif kind == "idx":
            if not refmode:
                compare_index(rep, label, os.path.join(mkrun, n))
        elif kind == "expect":
            if refmode:
                rep.skipped += 1
            elif mrc == "0":
                rep.ok(f"[modkit] {label}")
            else:
                rep.fail(f"[modkit] {label}", [f"3.4.3 gives {'yes' if orc == '0' else 'no'}"] +
                         get(mf, f"{n}.out")[-8:])
    if rep.skipped:
        print(f"  --: {sc}: {rep.skipped} modkit-only checks skipped (reference mode)")
    return rep.fails


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "checkpoint":
        cmd_checkpoint(args[0].rstrip("/"), args[1])
    elif cmd == "record":
        cmd_record(*args)
    elif cmd == "compare":
        extra = {}
        rest = args[5:]
        while rest:
            opt, val, rest = rest[0], rest[1], rest[2:]
            extra[{"--o34-run": "o34run", "--r30-run": "r30run"}[opt]] = val
        sys.exit(min(cmd_compare(*args[:5], **extra), 100))
    else:
        sys.exit(f"dkms-tree.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
