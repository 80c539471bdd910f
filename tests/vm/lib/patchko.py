#!/usr/bin/env python3
"""Makes a copy of an uncompressed .ko that looks built for another kernel, for the
wrong-kernel scenarios. Edits are same-length byte patches, and the appended signature is
dropped: a module built elsewhere is not signed with Debian's key, and a signature that no
longer verifies is fatal (EKEYREJECTED) even without CONFIG_MODULE_SIG_FORCE.

usage: patchko.py SRC DST MODE
  version   vermagic's release changed (6.1.0-50-amd64 -> 6.1.0-99-amd64), rest kept. With
            CONFIG_MODVERSIONS the kernel compares vermagic without the release, so this loads.
  vermagic  vermagic of a non-preempt kernel of another release (padded with NULs).
            The kernel refuses it: "version magic ... should be ...", ENOEXEC.
  layout    the module_layout CRC in __versions changed (what a module built against other
            headers has): "disagrees about version of symbol module_layout", ENOEXEC.
"""
import struct
import sys


def sections(data):
    # ELF64 little endian only: Debian amd64 modules.
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not an ELF64 LE file"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    hdrs = []
    for i in range(shnum):
        name, _type, _flags, _addr, off, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        hdrs.append((name, off, size))
    stroff = hdrs[shstrndx][1]
    out = {}
    for name, off, size in hdrs:
        end = data.index(b"\0", stroff + name)
        out[data[stroff + name:end].decode()] = (off, size)
    return out


MAGIC = b"~Module signature appended~\n"


def strip_signature(data):
    # ... module | signature | struct module_signature (12 bytes, sig_len big endian last) | MAGIC
    if not data.endswith(MAGIC):
        return data
    sig_len, = struct.unpack_from(">I", data, len(data) - len(MAGIC) - 4)
    return data[: len(data) - len(MAGIC) - 12 - sig_len]


def main():
    src, dst, mode = sys.argv[1:4]
    data = bytearray(strip_signature(open(src, "rb").read()))
    secs = sections(data)
    off, size = secs[".modinfo"]
    modinfo = data[off:off + size]
    start = modinfo.index(b"vermagic=")
    end = modinfo.index(b"\0", start)
    old = bytes(modinfo[start:end])
    if mode == "version":
        new = old.replace(b"6.1.0-50-amd64", b"6.1.0-99-amd64", 1)
        if new == old:  # another release: bump the first digit of the release
            release = old[len(b"vermagic="):].split(b" ")[0]
            new = old.replace(release, b"9" + release[1:], 1)
    elif mode == "vermagic":
        new = b"vermagic=5.10.0-99-amd64 SMP mod_unload modversions "
        assert len(new) <= len(old)
        new = new + b"\0" * (len(old) - len(new))
    elif mode == "layout":
        new = old
        voff, vsize = secs["__versions"]
        # struct modversion_info { unsigned long crc; char name[56]; }
        for e in range(voff, voff + vsize, 64):
            if data[e + 8:e + 8 + 14] == b"module_layout\0":
                crc, = struct.unpack_from("<Q", data, e)
                struct.pack_into("<Q", data, e, crc ^ 0x5A5A5A5A)
                break
        else:
            sys.exit(f"{src}: no module_layout in __versions")
    else:
        sys.exit(__doc__)
    assert len(new) == len(old)
    data[off + start:off + end] = new
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
