"""What the test proxies between lotbackup and the cluster share: a TCP
listener on 127.0.0.1 relaying each connection to the server's unix
socket, by the two relays a proxy gives."""
import os
import socket
import struct
import threading


def read_exact(sock, n):
    """N bytes from SOCK, or None at its end."""
    buf = b""
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            return None
        buf += part
    return buf


def read_message(sock):
    """One typed message (a type byte and an int32 length): (head, body),
    or None at SOCK's end."""
    head = read_exact(sock, 5)
    if head is None:
        return None
    body = read_exact(sock, struct.unpack("!I", head[1:])[0] - 4)
    return None if body is None else (head, body)


def close_both(a, b):
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay_raw(src, dst):
    """SRC's bytes to DST as they come, both closed at SRC's end."""
    try:
        while True:
            buf = src.recv(65536)
            if not buf:
                break
            dst.sendall(buf)
    except OSError:
        pass
    finally:
        close_both(src, dst)


def serve(path, portfile, to_server, to_client):
    """Listens on a free port of 127.0.0.1, written to PORTFILE once it
    listens; for each connection runs to_server(client, server) and
    to_client(server, client) on threads of their own."""
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
        threading.Thread(target=to_server, args=(client, server), daemon=True).start()
        threading.Thread(target=to_client, args=(server, client), daemon=True).start()
