#!/usr/bin/env python3
"""Dumps a kmod .bin index as "key<TAB>priority<TAB>value" lines (trie pre-order: a node's
values, then its children by ascending byte), whatever its layout (kmod <= 33 post-order or
kmod 34 pre-order). Lets tests compare the *content* of two indexes written in different
layouts. Test oracle only. usage: idxdump.py FILE.bin
"""
import struct
import sys


def main():
    data = open(sys.argv[1], "rb").read()
    if len(data) == 0:
        return  # depmod publishes an empty file when its input is missing
    magic, version, root = struct.unpack_from(">III", data, 0)
    assert magic == 0xB007F457 and version >> 16 == 2, "not a kmod index"
    out = []

    def node(ptr, prefix):
        off = ptr & 0x0FFFFFFF
        if off == 0:
            return
        if ptr & 0x80000000:
            end = data.index(b"\0", off)
            prefix += data[off:end]
            off = end + 1
        children = []
        if ptr & 0x20000000:
            first, last = data[off], data[off + 1]
            off += 2
            for c in range(first, last + 1):
                children.append((c, struct.unpack_from(">I", data, off)[0]))
                off += 4
        if ptr & 0x40000000:
            (count,) = struct.unpack_from(">I", data, off)
            off += 4
            for _ in range(count):
                (prio,) = struct.unpack_from(">I", data, off)
                end = data.index(b"\0", off + 4)
                out.append(b"%s\t%d\t%s" % (prefix, prio, data[off + 4:end]))
                off = end + 1
        for c, child in children:
            node(child, prefix + bytes([c]))

    sys.setrecursionlimit(100000)
    node(root, b"")
    sys.stdout.buffer.write(b"".join(line + b"\n" for line in out))


if __name__ == "__main__":
    main()
