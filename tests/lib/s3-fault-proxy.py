#!/usr/bin/env python3
"""A fault-injecting proxy in front of the test S3 server, on 127.0.0.1.

Forwards every request to UPSTREAM (host:port) as it came, Host header
included, so SigV4 signatures still match, except that
  --fail-part N     answers 500 InternalError to the first PUT of partNumber=N
  --delay-parts S   waits S seconds before forwarding each part's PUT
  --cut-get N       every GET reply of more than N bytes (the first
                    --cut-gets of them, if given) sends N bytes of its body,
                    then the connection drops
  --gone-when F     while the file F exists, answers an AbortMultipartUpload
                    404 NoSuchUpload (as S3 does for an upload that is gone)
  --listen ADDR     listens on ADDR rather than 127.0.0.1 (a client that
                    must not see a loopback address)
  --hold-object-until GLOB
                    holds the request that makes a dump's object whole (its
                    one PUT, or CompleteMultipartUpload) until a file matches
                    GLOB, 10 s at most; logged with "held" or "held-timeout"
  --note-ranges     logs a request's Range header after its status
  --swap-after N FILE
                    after the first N GETs of a data object (.sql.gz, .enc,
                    .tar.gz), answers each with FILE's bytes in place of the
                    object's, the same range of them (a server that sends
                    another object the second time); logged with "swapped"
  --list-repeat S   a ListObjectsV2 reply names twice each object whose key
                    holds S (its <Contents> repeated), as a listing that
                    contradicts itself would
  --list-pages MODE answers listings itself, never ending:
                    cycle          ListObjectsV2 continuation tokens A, B, A, B...
                    endless        ListObjectsV2 pages of 1000 new keys, each
                                   with a token never given before
                    endless-pages  the same with one key a page
                    uploads-cycle  ListMultipartUploads markers A, B, A, B...
Each request is logged to LOG as "METHOD PATH?QUERY STATUS". Prints its port
on stdout once it listens. Stop it with SIGTERM.
"""
import argparse
import glob
import http.client
import http.server
import os
import re
import sys
import threading
import time
import urllib.parse

HOP = {'connection', 'keep-alive', 'expect', 'transfer-encoding', 'proxy-connection', 'te', 'upgrade'}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('upstream')
    ap.add_argument('log')
    ap.add_argument('--fail-part', type=int, default=0)
    ap.add_argument('--delay-parts', type=float, default=0.0)
    ap.add_argument('--cut-get', type=int, default=0)
    ap.add_argument('--cut-gets', type=int, default=0)
    ap.add_argument('--gone-when', default='')
    ap.add_argument('--listen', default='127.0.0.1')
    ap.add_argument('--hold-object-until', default='')
    ap.add_argument('--note-ranges', action='store_true')
    ap.add_argument('--swap-after', nargs=2, default=None)
    ap.add_argument('--list-repeat', default='')
    ap.add_argument('--list-pages', choices=['cycle', 'endless', 'endless-pages', 'uploads-cycle'])
    args = ap.parse_args()
    host, port = args.upstream.rsplit(':', 1)
    lock = threading.Lock()
    failed = set()
    cuts = [0]
    data_gets = [0]
    pages = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, fmt, *a):
            pass

        def note(self, status):
            with lock, open(args.log, 'a') as fp:
                rng = ' ' + self.headers.get('Range') if args.note_ranges and self.headers.get('Range') else ''
                fp.write('%s %s %d%s%s\n' % (self.command, self.path, status, getattr(self, 'held', ''), rng))

        def hold(self, query):
            # The object's last request: its one PUT (not a part, not a sidecar), or the completion.
            path = urllib.parse.urlsplit(self.path).path
            whole = ((self.command == 'PUT' and 'partNumber' not in query and path.endswith(('.sql.gz', '.enc')))
                     or (self.command == 'POST' and 'uploadId' in query))
            if not (args.hold_object_until and whole):
                return
            for _ in range(100):
                if glob.glob(args.hold_object_until):
                    self.held = ' held'
                    return
                time.sleep(0.1)
            self.held = ' held-timeout'

        def reply(self, status, headers, body, head=False):
            self.send_response(status)
            for k, v in headers:
                if k.lower() not in HOP and k.lower() != 'content-length':
                    self.send_header(k, v)
            length = dict((k.lower(), v) for k, v in headers).get('content-length', str(len(body)))
            self.send_header('Content-Length', length if head else str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            self.note(status)

        def listing(self, query):
            # A page of a listing that never ends, or None when this request is not one --list-pages answers.
            token = query.get('continuation-token', [''])[0]
            prefix = query.get('prefix', [''])[0]
            if args.list_pages == 'uploads-cycle' and 'uploads' in query:
                marker = 'B' if query.get('key-marker', [''])[0] == 'A' else 'A'
                return ('<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>%s</NextKeyMarker>'
                        '<NextUploadIdMarker>%s</NextUploadIdMarker></ListMultipartUploadsResult>' % (marker, marker))
            if args.list_pages == 'uploads-cycle' or 'list-type' not in query:
                return None
            with lock:
                pages[0] += 1
                page = pages[0]
            if args.list_pages == 'cycle':
                keys, next_token = ['%slot-systems-db-2026-01-01T00-00-00.sql.gz' % prefix], 'B' if token == 'A' else 'A'
            else:
                per_page = 1000 if args.list_pages == 'endless' else 1
                keys, next_token = ['%sjunk/%08d-%04d' % (prefix, page, i) for i in range(per_page)], 'page-%d' % page
            return ('<ListBucketResult><IsTruncated>true</IsTruncated>%s<NextContinuationToken>%s</NextContinuationToken>'
                    '</ListBucketResult>' % (''.join('<Contents><Key>%s</Key><Size>10</Size></Contents>' % k for k in keys),
                                              next_token))

        def repeat_contents(self, data):
            # Each <Contents> whose key holds --list-repeat, twice.
            part = args.list_repeat.encode()
            return re.sub(rb'<Contents>\s*<Key>([^<]*)</Key>.*?</Contents>',
                          lambda m: m.group(0) * 2 if part in m.group(1) else m.group(0), data, flags=re.S)

        def forward(self):
            n = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(n) if n else b''
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
            if self.command == 'GET' and args.list_pages:
                page = self.listing(query)
                if page is not None:
                    # One write: headers and body apart wait out a delayed ACK, and there are 10000 pages.
                    body = page.encode()
                    self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n'
                                     % len(body) + body)
                    self.note(200)
                    return
            part = int(query['partNumber'][0]) if 'partNumber' in query else 0
            if (self.command == 'DELETE' and 'uploadId' in query and args.gone_when
                    and os.path.exists(args.gone_when)):
                self.reply(404, [('Content-Type', 'application/xml')],
                           b'<Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>')
                return
            if self.command == 'PUT' and part:
                if part == args.fail_part:
                    with lock:
                        first = part not in failed
                        failed.add(part)
                    if first:
                        self.reply(500, [('Content-Type', 'application/xml')],
                                   b'<Error><Code>InternalError</Code><Message>injected</Message></Error>')
                        return
                if args.delay_parts:
                    time.sleep(args.delay_parts)
            self.hold(query)
            try:
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in self.headers.items():
                    if k.lower() not in HOP:
                        conn.putheader(k, v)
                conn.endheaders(body)
                resp = conn.getresponse()
                data = resp.read()
                headers = resp.getheaders()
                status = resp.status
                conn.close()
            except OSError:
                self.reply(502, [], b'')
                return
            if self.command == 'GET' and args.list_repeat and 'list-type' in query:
                data = self.repeat_contents(data)
            if self.command == 'GET' and args.cut_get and len(data) > args.cut_get:
                with lock:
                    cut = args.cut_gets == 0 or cuts[0] < args.cut_gets
                    cuts[0] += cut
                if cut:
                    self.cut(status, headers, data)
                    return
            if self.command == 'GET' and args.swap_after and status in (200, 206):
                data = self.swap(headers, data)
            self.reply(status, headers, data, head=self.command == 'HEAD')

        def swap(self, headers, data):
            path = urllib.parse.urlsplit(self.path).path
            if not path.endswith(('.sql.gz', '.enc', '.tar.gz')):
                return data
            with lock:
                data_gets[0] += 1
                if data_gets[0] <= int(args.swap_after[0]):
                    return data
            other = open(args.swap_after[1], 'rb').read()
            rng = dict((k.lower(), v) for k, v in headers).get('content-range')
            if rng:
                first, last = rng.split()[1].split('/')[0].split('-')
                other = other[int(first):int(last) + 1]
            self.held = ' swapped'
            return other

        def cut(self, status, headers, data):
            self.send_response(status)
            for k, v in headers:
                if k.lower() not in HOP and k.lower() != 'content-length':
                    self.send_header(k, v)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data[:args.cut_get])
            self.wfile.flush()
            self.close_connection = True
            with lock, open(args.log, 'a') as fp:
                fp.write('%s %s %d cut %s\n' % (self.command, self.path, status, self.headers.get('Range', '')))

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

    srv = http.server.ThreadingHTTPServer((args.listen, 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
