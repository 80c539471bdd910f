#!/usr/bin/env python3
"""Writes a minimal kernel-module ELF (x86-64 relocatable) for depmod/modprobe tests: enough
for kmod and modkit to read its name, .modinfo, exported symbols (with __crc_ CRCs), undefined
symbols and __versions. It cannot be loaded into a kernel; tests that load use real modules.

usage: mkmod.py OUT.ko [--export SYM[:CRC]]... [--import SYM[:CRC]]... [--weak SYM]...
                [--modinfo KEY=VALUE]... [--no-crc] [--name NAME]
"""
import argparse
import struct


def build(args):
    name = args.name
    modinfo = [f"name={name}"] + args.modinfo + ["vermagic=6.1.0-test SMP mod_unload modversions "]
    modinfo_blob = b"".join(s.encode() + b"\0" for s in modinfo)

    exports = [(e.split(":")[0], int(e.split(":")[1], 16) if ":" in e else 0x1000 + i)
               for i, e in enumerate(args.export)]
    imports = [(e.split(":")[0], int(e.split(":")[1], 16) if ":" in e else 0x2000 + i)
               for i, e in enumerate(args.imp)]

    strtab = bytearray(b"\0")

    def add_str(s):
        off = len(strtab)
        strtab.extend(s.encode() + b"\0")
        return off

    # Elf64_Sym: name u32, info u8, other u8, shndx u16, value u64, size u64
    syms = [struct.pack("<IBBHQQ", 0, 0, 0, 0, 0, 0)]
    SHN_ABS, STB_GLOBAL, STB_WEAK = 0xFFF1, 1, 2
    if not args.no_crc:
        for sym, crc in exports:
            syms.append(struct.pack("<IBBHQQ", add_str("__crc_" + sym), STB_GLOBAL << 4, 0, SHN_ABS, crc, 0))
    for sym, _ in imports:
        syms.append(struct.pack("<IBBHQQ", add_str(sym), STB_GLOBAL << 4, 0, 0, 0, 0))
    for sym in args.weak:
        syms.append(struct.pack("<IBBHQQ", add_str(sym), STB_WEAK << 4, 0, 0, 0, 0))
    symtab = b"".join(syms)

    ksymtab_strings = b"".join(s.encode() + b"\0" for s, _ in exports)
    versions = b"".join(struct.pack("<Q", crc) + sym.encode().ljust(56, b"\0")
                        for sym, crc in imports + [("module_layout", 0x1234)])
    this_module = bytearray(0x380)
    this_module[24:24 + len(name)] = name.encode()

    sections = [  # (name, type, flags, data, link, info, align, entsize)
        (".modinfo", 1, 2, modinfo_blob, 0, 0, 1, 0),
        ("__versions", 1, 2, versions, 0, 0, 8, 0),
        ("__ksymtab_strings", 1, 2, ksymtab_strings, 0, 0, 1, 0),
        (".gnu.linkonce.this_module", 1, 3, bytes(this_module), 0, 0, 64, 0),
        (".symtab", 2, 0, symtab, 6, 1, 8, 24),
        (".strtab", 3, 0, bytes(strtab), 0, 0, 1, 0),
    ]
    shstrtab = bytearray(b"\0")
    name_offs = []
    for s in sections + [(".shstrtab",)]:
        name_offs.append(len(shstrtab))
        shstrtab.extend(s[0].encode() + b"\0")

    body = bytearray(b"\0" * 64)
    offsets = []
    for s in sections:
        while len(body) % 8:
            body.append(0)
        offsets.append(len(body))
        body.extend(s[3])
    shstr_off = len(body)
    body.extend(shstrtab)
    while len(body) % 8:
        body.append(0)
    shoff = len(body)
    shdrs = [struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    for i, s in enumerate(sections):
        shdrs.append(struct.pack("<IIQQQQIIQQ", name_offs[i], s[1], s[2], 0, offsets[i], len(s[3]),
                                 s[4], s[5], s[6], s[7]))
    shdrs.append(struct.pack("<IIQQQQIIQQ", name_offs[-1], 3, 0, 0, shstr_off, len(shstrtab), 0, 0, 1, 0))
    body.extend(b"".join(shdrs))
    nsec = len(shdrs)
    ehdr = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7,
                       1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, nsec, nsec - 1)
    body[0:64] = ehdr
    return bytes(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--name")
    ap.add_argument("--export", action="append", default=[])
    ap.add_argument("--import", dest="imp", action="append", default=[])
    ap.add_argument("--weak", action="append", default=[])
    ap.add_argument("--modinfo", action="append", default=[])
    ap.add_argument("--no-crc", action="store_true")
    args = ap.parse_args()
    if not args.name:
        base = args.out.rsplit("/", 1)[-1]
        args.name = base.split(".", 1)[0].replace("-", "_")
    with open(args.out, "wb") as f:
        f.write(build(args))


if __name__ == "__main__":
    main()
