#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 reverse proxy for testing S3 clients against a loopback server.

    python3 tests/support/faultproxy.py --upstream 127.0.0.1:PORT [--port 0] [--p 0.2] [--seed N]
                                        [--kinds reset,drop_reply,503,delay]

Listens on 127.0.0.1 and prints `listening on 127.0.0.1:N` as its first stdout line. Every request
is forwarded over a fresh upstream connection with its request line and all headers unchanged
(Host included, so SigV4 signatures stay valid); the body is streamed by Content-Length or as raw
chunks (`Transfer-Encoding: chunked`), and the reply is streamed back. Client connections are
kept alive (a thread each). With probability p, one request gets one fault, picked uniformly from
--kinds:
  reset       close the client connection with a TCP reset before forwarding anything
  drop_reply  forward the request, read the whole reply, then reset the client without answering
              (the write landed upstream, but the client cannot know)
  503         answer 503 with an S3 `SlowDown` error body, without forwarding
  delay       wait 0.5-2 s, then forward normally
Each fault is logged to stderr as `fault KIND METHOD TARGET`. On SIGTERM (or SIGINT) it prints
`{"requests": n, "faults": {"reset": a, "drop_reply": b, "503": c, "delay": d}}` to stderr and
exits 0. Standard library only.
"""

import argparse
import json
import os
import random
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time

KINDS = ("reset", "drop_reply", "503", "delay")
SLOWDOWN = b"<Error><Code>SlowDown</Code><Message>injected</Message></Error>"
MAX_HEAD = 64 * 1024
BUF = 64 * 1024
CONTINUE_WAIT = 1.0  # how long to wait for the upstream's `100 Continue` before sending anyway


class Closed(Exception):
    """The peer closed the connection (or sent garbage): stop serving this client."""


class Stats:
    def __init__(self, p, kinds, seed):
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.p, self.kinds = p, kinds
        self.requests = 0
        self.faults = {k: 0 for k in KINDS}

    def next_fault(self, method, target):
        with self.lock:
            self.requests += 1
            if self.p <= 0 or self.rng.random() >= self.p:
                return None, 0.0
            kind = self.rng.choice(self.kinds)
            self.faults[kind] += 1
            delay = self.rng.uniform(0.5, 2.0) if kind == "delay" else 0.0
        log(f"fault {kind} {method} {target}")
        return kind, delay

    def summary(self):
        with self.lock:
            return json.dumps({"requests": self.requests, "faults": dict(self.faults)})


def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def read_head(rfile, first=False):
    """The start line and header lines (raw bytes, CRLFs kept), or None at a clean EOF."""
    line = rfile.readline(MAX_HEAD)
    while first and line in (b"\r\n", b"\n"):  # stray CRLFs between requests are allowed
        line = rfile.readline(MAX_HEAD)
    if not line:
        return None
    lines, size = [line], len(line)
    while True:
        line = rfile.readline(MAX_HEAD)
        if not line:
            raise Closed("EOF inside a message head")
        lines.append(line)
        size += len(line)
        if size > MAX_HEAD:
            raise Closed("message head too large")
        if line in (b"\r\n", b"\n"):
            return lines


def headers_of(lines):
    """Lower-cased name -> list of values (for our decisions only; the raw lines are forwarded)."""
    out = {}
    for line in lines[1:-1]:
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            out.setdefault(name.strip().lower(), []).append(value.strip())
    return out


def tokens(headers, name):
    return {t.strip().lower() for v in headers.get(name, []) for t in v.split(",") if t.strip()}


def body_framing(headers):
    """('chunked', None) | ('length', n) | ('none', None)."""
    if "chunked" in tokens(headers, "transfer-encoding"):
        return "chunked", None
    if "content-length" in headers:
        try:
            return "length", int(headers["content-length"][0])
        except ValueError as e:
            raise Closed("bad Content-Length") from e
    return "none", None


def copy_body(rfile, send, framing, length):
    """Copy one message body from rfile to send() byte for byte (chunk framing kept)."""
    if framing == "length":
        left = length
        while left > 0:
            data = rfile.read(min(BUF, left))
            if not data:
                raise Closed("EOF inside a body")
            send(data)
            left -= len(data)
    elif framing == "chunked":
        while True:
            line = rfile.readline(MAX_HEAD)
            if not line.endswith(b"\n"):
                raise Closed("EOF inside a chunk size line")
            send(line)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as e:
                raise Closed("bad chunk size") from e
            if size == 0:
                while True:  # trailers, then the final empty line
                    line = rfile.readline(MAX_HEAD)
                    if not line.endswith(b"\n"):
                        raise Closed("EOF inside trailers")
                    send(line)
                    if line in (b"\r\n", b"\n"):
                        return
            copy_body(rfile, send, "length", size + 2)  # the data and its CRLF
    elif framing == "eof":
        while True:
            data = rfile.read1(BUF)
            if not data:
                return
            send(data)


def keeps_alive(version, headers):
    """HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 only on `keep-alive`."""
    conn = tokens(headers, "connection")
    if version.upper() == "HTTP/1.0":
        return "keep-alive" in conn
    return "close" not in conn


def reset(sock):
    """Close with RST instead of FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(self.server.idle_timeout)
        self.rfile = sock.makefile("rb")
        try:
            while self.one_request():
                pass
        except (Closed, OSError):
            pass
        finally:
            self.rfile.close()
            sock.close()

    def finish_with_reset(self):
        self.rfile.close()  # drop the makefile reference, or close() would not close the fd
        reset(self.request)
        return False

    def one_request(self):
        """Serves one request; True when the client connection stays open for another."""
        client = self.request
        try:
            head = read_head(self.rfile, first=True)
        except socket.timeout:
            return False
        if head is None:
            return False
        parts = head[0].decode("latin-1").split()
        if len(parts) != 3:
            raise Closed("bad request line")
        method, target, version = parts
        headers = headers_of(head)
        framing, length = body_framing(headers)
        has_body = framing == "chunked" or (framing == "length" and length > 0)
        expects = has_body and "100-continue" in tokens(headers, "expect")
        alive = keeps_alive(version, headers)

        kind, delay = self.server.stats.next_fault(method, target)
        if kind == "reset":
            return self.finish_with_reset()
        if kind == "503":
            close = expects or not alive  # with Expect the client may or may not send the body
            if not expects:
                copy_body(self.rfile, lambda b: None, framing, length)
            reply = (b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                     b"Content-Length: %d\r\n%s\r\n" % (len(SLOWDOWN), b"Connection: close\r\n" if close else b""))
            client.sendall(reply if method == "HEAD" else reply + SLOWDOWN)
            return not close
        if kind == "delay":
            time.sleep(delay)
        drop = kind == "drop_reply"

        try:
            up = socket.create_connection(self.server.upstream, timeout=self.server.upstream_timeout)
        except OSError as e:
            log(f"error upstream {self.server.upstream[0]}:{self.server.upstream[1]}: {e}")
            if has_body and not expects:
                copy_body(self.rfile, lambda b: None, framing, length)
            msg = f"faultproxy: upstream unreachable: {e}\n".encode()
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                           b"Connection: close\r\n\r\n%s" % (len(msg), b"" if method == "HEAD" else msg))
            return False
        up_r = up.makefile("rb")
        try:
            up.sendall(b"".join(head))
            body_sent = not has_body
            if expects:
                # Let the upstream answer the Expect: relay its 100 Continue (then send the body), or
                # its early final answer (then the client may or may not send the body: close after).
                ready, _, _ = select.select([up], [], [], CONTINUE_WAIT)
                if ready:
                    status_head = read_head(up_r)
                    if status_head is None:
                        raise Closed("upstream closed")
                    if status_head[0].split(b" ")[1:2] == [b"100"]:
                        client.sendall(b"".join(status_head))
                    else:
                        return self.relay_response(method, status_head, up_r, drop, False)
            if not body_sent:
                copy_body(self.rfile, up.sendall, framing, length)
            status_head = read_head(up_r)
            if status_head is None:
                raise Closed("upstream closed without a reply")
            return self.relay_response(method, status_head, up_r, drop, alive)
        finally:
            up_r.close()
            up.close()

    def relay_response(self, method, status_head, up_r, drop, alive):
        """Relays (or, for drop_reply, swallows) interim replies and the final reply."""
        client = self.request
        while True:
            code = status_head[0].split(b" ")[1:2]
            if not (code and code[0].startswith(b"1") and code[0] != b"101"):
                break
            if not drop:
                client.sendall(b"".join(status_head))
            status_head = read_head(up_r)
            if status_head is None:
                raise Closed("upstream closed without a final reply")
        code = int(status_head[0].split(b" ")[1])
        headers = headers_of(status_head)
        if method == "HEAD" or code in (204, 304):
            framing, length = "none", None
        else:
            framing, length = body_framing(headers)
            if framing == "none":
                framing = "eof"  # neither length nor chunked: the body runs to the close
        send = (lambda b: None) if drop else client.sendall
        send(b"".join(status_head))
        copy_body(up_r, send, framing, length)
        if drop:
            return self.finish_with_reset()
        version = status_head[0].split(b" ", 1)[0].decode("latin-1")
        return alive and framing != "eof" and keeps_alive(version, headers)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", required=True, help="HOST:PORT of the real server")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (0: any free one)")
    ap.add_argument("--p", type=float, default=0.2, help="probability of a fault per request")
    ap.add_argument("--seed", type=int, default=None, help="seed for reproducible faults")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated subset of " + ",".join(KINDS))
    ap.add_argument("--idle-timeout", type=float, default=300.0, help="seconds an idle client may stay")
    args = ap.parse_args()

    host, _, port = args.upstream.rpartition(":")
    if not host or not port.isdigit():
        ap.error("--upstream must be HOST:PORT")
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        ap.error(f"unknown fault kind(s) {bad}: choose from {','.join(KINDS)}")
    if not 0.0 <= args.p <= 1.0:
        ap.error("--p must be between 0 and 1")

    stats = Stats(args.p, kinds, args.seed)
    server = Server(("127.0.0.1", args.port), Handler)
    server.upstream = (host.strip("[]"), int(port))
    server.upstream_timeout = 300.0
    server.idle_timeout = args.idle_timeout
    server.stats = stats

    def stop(_sig, _frame):
        log(stats.summary())
        os._exit(0)  # do not wait for client threads

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
