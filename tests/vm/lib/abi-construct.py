#!/usr/bin/env python3
"""Constructs a module with one load problem from a real one, for the ABI oracle
(tests/vm/cases/abi-oracle.sh). Every edit keeps the file's size and layout: a .modinfo string
rewritten in place (padded with NULs), a section flag or a __versions CRC changed. By default
the appended signature is dropped (a module changed after signing is what --keep-sig tests).

usage: abi-construct.py SRC DST EDIT... [--keep-sig]
  EDIT: modinfo:KEY=VALUE   the KEY=... string of .modinfo rewritten (VALUE no longer than
                            the old one); modinfo:KEY= with nothing after removes the entry
        noalloc:SECTION     SHF_ALLOC cleared: the kernel no longer sees the section
        crc:SYMBOL          that symbol's CRC in __versions changed
        none                only the signature handling
ELF64 little endian only (Debian amd64 modules).
"""
import struct
import sys

MAGIC = b"~Module signature appended~\n"
SHF_ALLOC = 0x2


def strip_signature(data):
    if not data.endswith(MAGIC):
        return data
    (sig_len,) = struct.unpack_from(">I", data, len(data) - len(MAGIC) - 4)
    return data[: len(data) - len(MAGIC) - 12 - sig_len]


def sections(data):
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not an ELF64 LE file"
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    hdrs = []
    for i in range(shnum):
        at = shoff + i * shentsize
        name, _type, flags, _addr, off, size = struct.unpack_from("<IIQQQQ", data, at)
        hdrs.append((name, flags, off, size, at))
    stroff = hdrs[shstrndx][2]
    out = {}
    for name, flags, off, size, at in hdrs:
        end = data.index(b"\0", stroff + name)
        out[data[stroff + name : end].decode()] = (off, size, flags, at)
    return out


def edit_modinfo(data, secs, key, value):
    off, size, _, _ = secs[".modinfo"]
    info = data[off : off + size]
    start = info.find(key.encode() + b"=")
    if start < 0:
        sys.exit(f"no {key}= in .modinfo")
    end = info.index(b"\0", start)
    old = info[start:end]
    new = (key + "=" + value).encode() if value else b""
    if len(new) > len(old):
        sys.exit(f"{key}={value} is longer than {old!r}")
    new += b"\0" * (len(old) - len(new))
    data[off + start : off + end] = new


def edit_crc(data, secs, symbol):
    off, size, _, _ = secs["__versions"]
    for e in range(off, off + size, 64):
        if data[e + 8 : e + 8 + len(symbol) + 1] == symbol.encode() + b"\0":
            (crc,) = struct.unpack_from("<Q", data, e)
            struct.pack_into("<Q", data, e, crc ^ 0x5A5A5A5A)
            return
    sys.exit(f"no {symbol} in __versions")


def main():
    args = [a for a in sys.argv[1:] if a != "--keep-sig"]
    keep = "--keep-sig" in sys.argv
    if len(args) < 3:
        sys.exit(__doc__)
    src, dst, edits = args[0], args[1], args[2:]
    raw = open(src, "rb").read()
    data = bytearray(raw if keep else strip_signature(raw))
    secs = sections(data)
    for edit in edits:
        kind, _, arg = edit.partition(":")
        if kind == "modinfo":
            key, _, value = arg.partition("=")
            edit_modinfo(data, secs, key, value)
        elif kind == "noalloc":
            _, _, flags, at = secs[arg]
            struct.pack_into("<Q", data, at + 8, flags & ~SHF_ALLOC)
        elif kind == "crc":
            edit_crc(data, secs, arg)
        elif kind != "none":
            sys.exit(f"unknown edit {edit}")
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
