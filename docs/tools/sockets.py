#!/usr/bin/env python3
"""Opens N loopback TCP connections from a chosen source address and reports what they cost.

usage: python3 docs/tools/sockets.py N [SOURCE_ADDRESS] [UNREAD_BYTES]

Each connection is a client socket bound to SOURCE_ADDRESS (default 127.0.0.2, port chosen by
the kernel) connected to a listener on 127.0.0.1, plus the accepted server socket: 2 file
descriptors per connection. With UNREAD_BYTES > 0 the server writes that many bytes to each
client, which never reads them (a stalled client). Prints the source ports used and the kernel's
TCP memory from /proc/net/sockstat before and after, in pages and KiB.
"""
import os
import resource
import socket
import sys


def tcp_mem_pages():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                fields = line.split()
                return int(fields[fields.index("mem") + 1])
    return 0


def main():
    n = int(sys.argv[1])
    source = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.2"
    unread = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    print(f"open files limit (soft, hard): {resource.getrlimit(resource.RLIMIT_NOFILE)}")

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    before = tcp_mem_pages()
    pairs = []
    ports = []
    for _ in range(n):
        c = socket.socket()
        c.bind((source, 0))
        c.connect(listener.getsockname())
        s, _ = listener.accept()
        pairs.append((c, s))
        ports.append(c.getsockname()[1])
    if unread:
        payload = b"x" * unread
        for _, s in pairs:
            s.setblocking(False)
            try:
                s.send(payload)
            except BlockingIOError:
                pass
    after = tcp_mem_pages()
    print(f"{n} connections from {source} to {listener.getsockname()}, source ports {min(ports)}-{max(ports)}")
    print(f"file descriptors used: {2 * n} (client and server side)")
    print(f"TCP memory (/proc/net/sockstat): {before} -> {after} pages, "
          f"{(after - before) * page_kib / n:.1f} KiB per connection with {unread} unread bytes each")


if __name__ == "__main__":
    main()
