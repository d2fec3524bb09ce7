#!/usr/bin/env python3
"""A tiny HTTP listener for --notify-url tests, on 127.0.0.1.

Records each request line and its User-Agent to LOG, and each request body
as a JSON line {path, type, body} to BODIES: /ping... answers 200, /bad...
500, /slow... after 5 s, /moved... 302 to /ping/moved-here. Writes its port
to PORTFILE once it listens; stops by itself after 300 s at the latest.
Usage: notify-listener.py LOG PORTFILE BODIES
"""
import http.server, json, sys, threading, time
log, portfile, bodies = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.requestline, self.headers.get("User-Agent", "")))
        if body:
            with open(bodies, "a") as f:
                f.write(json.dumps({"path": self.path, "type": self.headers.get("Content-Type", ""),
                                    "body": body.decode("utf-8", "replace")}) + "\n")
        if self.path.startswith("/slow"):
            time.sleep(5)
        code = 500 if self.path.startswith("/bad") else 302 if self.path.startswith("/moved") else 200
        self.send_response(code)
        if code == 302:
            self.send_header("Location", "/ping/moved-here")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")
    do_POST = do_GET
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(portfile, "w").write(str(srv.server_address[1]))
threading.Timer(300, srv.shutdown).start()
srv.serve_forever()
