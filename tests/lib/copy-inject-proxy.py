#!/usr/bin/env python3
"""A hostile connection between lotbackup and the test cluster.

Listens on 127.0.0.1 (a free port, written to PORTFILE once it listens),
relays each connection to the server's unix socket SOCKET and appends
PAYLOAD to the last CopyData row of every COPY OUT the server sends, as
a server or a proxy on an unencrypted connection could; with "split",
in CopyData messages of one byte each after that row instead. The client must
connect with sslmode=disable gssencmode=disable: every message from the
server is then typed (a type byte and an int32 length).

Usage: copy-inject-proxy.py SOCKET PORTFILE PAYLOAD [split]
"""
import os
import socket
import struct
import sys
import threading


def relay_raw(src, dst):
    try:
        while True:
            buf = src.recv(65536)
            if not buf:
                break
            dst.sendall(buf)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def copy_data(body):
    return b"d" + struct.pack("!I", len(body) + 4) + body


def relay_server(server, client, payload, split):
    """Server to client, message by message, holding back each CopyData
    until the next message shows whether it was the last of its COPY."""
    held = None
    try:
        while True:
            head = read_exact(server, 5)
            if head is None:
                break
            kind, length = head[:1], struct.unpack("!I", head[1:])[0]
            body = read_exact(server, length - 4)
            if body is None:
                break
            if held is not None:
                if kind == b"c" and split:
                    held = copy_data(held) + b"".join(copy_data(payload[i:i + 1]) for i in range(len(payload)))
                elif kind == b"c":
                    held = copy_data(held + payload)
                else:
                    held = copy_data(held)
                client.sendall(held)
                held = None
            if kind == b"d":
                held = body
                continue
            client.sendall(head + body)
    except OSError:
        pass
    finally:
        for s in (server, client):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    path, portfile, payload = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    split = len(sys.argv) > 4 and sys.argv[4] == "split"
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while True:
        client, _ = lsock.accept()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.connect(path)
        except OSError:
            client.close()
            continue
        threading.Thread(target=relay_raw, args=(client, server), daemon=True).start()
        threading.Thread(target=relay_server, args=(server, client, payload, split), daemon=True).start()


if __name__ == "__main__":
    main()
