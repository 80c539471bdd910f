#!/usr/bin/env python3
"""Host side of QEMU monitor hotplug for tests/vm/cases/daemon.sh.

The guest writes one command per line to its second serial port (/dev/ttyS1, a QEMU chardev
socket WORK/hp.sock); this relay passes each to the human monitor (WORK/mon.sock) and answers
"ok" or "error: ..." on the same port. Only device_add and device_del are relayed: the monitor
can do anything to the host, the guest must not. Exits when the guest's port closes (the VM
stopped) or after TIMEOUT seconds.

usage: hotplug-relay.py WORK [TIMEOUT]
"""
import os
import socket
import sys
import time

work = sys.argv[1]
deadline = time.time() + float(sys.argv[2] if len(sys.argv) > 2 else 1200)


def connect(path):
    while time.time() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            time.sleep(0.2)
    sys.exit(0)


def until_prompt(mon):
    data = b""
    mon.settimeout(max(1.0, deadline - time.time()))
    while not data.endswith(b"(qemu) "):
        chunk = mon.recv(65536)
        if not chunk:
            sys.exit(0)
        data += chunk
    return data.decode(errors="replace")


hp = connect(os.path.join(work, "hp.sock"))
mon = connect(os.path.join(work, "mon.sock"))
until_prompt(mon)
buf = b""
hp.settimeout(1.0)
while time.time() < deadline:
    try:
        chunk = hp.recv(4096)
    except socket.timeout:
        continue
    if not chunk:
        break
    buf += chunk
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        cmd = line.decode(errors="replace").strip()
        if not cmd:
            continue
        if not (cmd.startswith("device_add ") or cmd.startswith("device_del ")):
            hp.sendall(b"error: only device_add and device_del\n")
            continue
        mon.sendall(cmd.encode() + b"\n")
        out = until_prompt(mon)
        # The monitor echoes the command with line editing; anything after it is an error.
        tail = out.rsplit("\r\n", 1)[0].split("\r\n")[1:]
        answer = "ok" if not any(t.strip() for t in tail) else "error: " + " ".join(tail)
        hp.sendall(answer.encode() + b"\n")
