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
import struct
import sys

from pg_proxy import close_both, read_exact, read_message, relay_raw, serve


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
            msg = read_message(client)
            if msg is None:
                break
            head, body = msg
            if head[:1] == b"Q" and body.startswith(prefix):
                break
            server.sendall(head + body)
    except OSError:
        pass
    finally:
        close_both(client, server)


def main():
    path, portfile, prefix = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    serve(path, portfile, lambda client, server: relay_client(client, server, prefix), relay_raw)


if __name__ == "__main__":
    main()
