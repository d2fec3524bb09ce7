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
import struct
import sys

from pg_proxy import close_both, read_message, relay_raw, serve


def copy_data(body):
    return b"d" + struct.pack("!I", len(body) + 4) + body


def relay_server(server, client, payload, split):
    """Server to client, message by message, holding back each CopyData
    until the next message shows whether it was the last of its COPY."""
    held = None
    try:
        while True:
            msg = read_message(server)
            if msg is None:
                break
            head, body = msg
            kind = head[:1]
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
        close_both(server, client)


def main():
    path, portfile, payload = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    split = len(sys.argv) > 4 and sys.argv[4] == "split"
    serve(path, portfile, relay_raw, lambda server, client: relay_server(server, client, payload, split))


if __name__ == "__main__":
    main()
