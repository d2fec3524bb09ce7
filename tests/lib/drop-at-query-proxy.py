#!/usr/bin/env python3
"""A connection that breaks at a chosen statement.

Listens on 127.0.0.1 (a free port, written to PORTFILE once it listens),
relays each connection to the server's unix socket SOCKET, and closes a
connection, both ways, when its client sends a simple query starting with
PREFIX, before the server sees it: a connection lost exactly there, as a
network or an administrator's pg_terminate_backend could. The client must
connect with sslmode=disable gssencmode=disable: after the startup packet
every message from the client is then typed (a type byte and an int32
length).

Usage: drop-at-query-proxy.py SOCKET PORTFILE PREFIX
"""
import os
import socket
import struct
import sys
import threading


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def close_both(a, b):
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay_server(server, client):
    try:
        while True:
            buf = server.recv(65536)
            if not buf:
                break
            client.sendall(buf)
    except OSError:
        pass
    finally:
        close_both(server, client)


def relay_client(client, server, prefix):
    """Client to server, message by message, after the untyped startup packet."""
    try:
        head = read_exact(client, 4)
        if head is None:
            return
        body = read_exact(client, struct.unpack("!I", head)[0] - 4)
        if body is None:
            return
        server.sendall(head + body)
        while True:
            head = read_exact(client, 5)
            if head is None:
                break
            body = read_exact(client, struct.unpack("!I", head[1:])[0] - 4)
            if body is None:
                break
            if head[:1] == b"Q" and body.startswith(prefix):
                break
            server.sendall(head + body)
    except OSError:
        pass
    finally:
        close_both(client, server)


def main():
    path, portfile, prefix = sys.argv[1], sys.argv[2], sys.argv[3].encode()
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
        threading.Thread(target=relay_client, args=(client, server, prefix), daemon=True).start()
        threading.Thread(target=relay_server, args=(server, client), daemon=True).start()


if __name__ == "__main__":
    main()
