#!/usr/bin/env python3
"""A webhook receiver for certcycle's tests: a real HTTP server on 127.0.0.1 (stdlib only).

Usage: webhook_receiver.py [--port-file PATH] [--log PATH] [--secret whsec_...]

Binds 127.0.0.1 on a free port and writes the port to --port-file (atomically: the file
appears whole), or prints it as the first line of stdout when no --port-file is given.
Every request is appended to --log as one JSON line, written (and flushed) before the
answer is sent, so a client that got an answer finds its request in the log:

    {"method": "POST", "path": "/ok?x=1", "headers": {"webhook-id": ...}, "body": "...",
     "time": 1790000000.123, "status": 200}

`status` is what the receiver answered (0 for /reset: no answer). Header names are lower case.

Behaviour by path (a query string is ignored for the behaviour, kept in the log):
    /ok                      200
    /slow/<seconds>          sleeps, then 200
    /endless                 200 and a body that never ends (until the client hangs up)
    /status/<code>           that status
    /retry-after/<seconds>   429 with Retry-After: <seconds>
    /retry-after-date/<s>    429 with Retry-After: the HTTP date <s> seconds from now
    /gone                    410
    /redirect                302 to /ok
    /reset                   closes the connection without answering (RST: SO_LINGER 0)
    /flaky/<n>               the first n requests of each webhook-id get 500, then 200
    /first-fails/<n>         the first event (webhook-id) seen of each certificate gets 500
                             n times, then 200; every other event 200 at once
    /verify                  checks the signature with the `standardwebhooks` library
                             (pip install standardwebhooks) and the --secret given: 204 when
                             valid, 401 when not; 500 with a clear body when the library is missing
anything else                404
"""

import argparse
import io
import json
import os
import socket
import struct
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
    IMPORT_ERROR = None
except Exception as error:  # noqa: BLE001 - any failure means "not usable"
    Webhook = None
    WebhookVerificationError = Exception
    IMPORT_ERROR = error

lock = threading.Lock()
log_file = None
secrets = []
attempts_by_id = {}
first_event_of_certificate = {}


def certificate_of(body):
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict):
        inner = data.get("data")
        if isinstance(inner, dict) and "certificate" in inner:
            return inner["certificate"]
        return data.get("certificate_number")
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "webhook-receiver"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive answer back ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass

    def record(self, body, status):
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
            "time": time.time(),
            "status": status,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with lock:
            if log_file is not None:
                log_file.write(line)
                log_file.flush()

    def answer(self, status, body=b"", headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def reset(self):
        """Closes the socket so that the kernel sends RST instead of FIN."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        # The socket only really closes when its file objects are closed too.
        for stream in (self.rfile, self.wfile):
            try:
                stream.close()
            except Exception:  # noqa: BLE001
                pass
        self.connection.close()
        # handle_one_request flushes wfile after we return: give it something harmless.
        self.wfile = io.BytesIO()

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        route = self.path.split("?", 1)[0]
        parts = [p for p in route.split("/") if p]
        name = parts[0] if parts else ""
        argument = parts[1] if len(parts) > 1 else None
        webhook_id = self.headers.get("webhook-id") or ""

        if name == "ok":
            self.record(body, 200)
            self.answer(200, b"ok")
        elif name == "slow" and argument is not None:
            self.record(body, 200)
            time.sleep(float(argument))
            try:
                self.answer(200, b"ok")
            except OSError:
                self.close_connection = True
        elif name == "endless":
            self.record(body, 200)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"x" * 65536
            deadline = time.time() + 120
            try:
                while time.time() < deadline:
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
        elif name == "status" and argument is not None:
            code = int(argument)
            self.record(body, code)
            self.answer(code, b"status %d" % code)
        elif name == "retry-after" and argument is not None:
            self.record(body, 429)
            self.answer(429, b"slow down", {"Retry-After": argument})
        elif name == "retry-after-date" and argument is not None:
            self.record(body, 429)
            self.answer(429, b"slow down", {"Retry-After": formatdate(time.time() + float(argument), usegmt=True)})
        elif name == "gone":
            self.record(body, 410)
            self.answer(410, b"gone")
        elif name == "redirect":
            self.record(body, 302)
            self.answer(302, b"", {"Location": "/ok"})
        elif name == "reset":
            self.record(body, 0)
            self.reset()
        elif name == "flaky" and argument is not None:
            with lock:
                seen = attempts_by_id.get(webhook_id, 0)
                attempts_by_id[webhook_id] = seen + 1
            status = 500 if seen < int(argument) else 200
            self.record(body, status)
            self.answer(status, b"flaky")
        elif name == "first-fails" and argument is not None:
            certificate = certificate_of(body)
            with lock:
                first = first_event_of_certificate.setdefault(certificate, webhook_id)
                seen = attempts_by_id.get(webhook_id, 0)
                attempts_by_id[webhook_id] = seen + 1
            status = 500 if first == webhook_id and seen < int(argument) else 200
            self.record(body, status)
            self.answer(status, b"first fails")
        elif name == "verify":
            if Webhook is None:
                self.record(body, 500)
                self.answer(500, ("the standardwebhooks library is not installed (pip install standardwebhooks): %s"
                                  % IMPORT_ERROR).encode())
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            verified = False
            problem = "no --secret given"
            for secret in secrets:
                try:
                    Webhook(secret).verify(body, headers)
                    verified = True
                    break
                except WebhookVerificationError as error:
                    problem = str(error)
                except Exception as error:  # noqa: BLE001 - a malformed header is "not valid"
                    problem = "%s: %s" % (type(error).__name__, error)
            status = 204 if verified else 401
            self.record(body, status)
            self.answer(status, b"" if verified else problem.encode())
        else:
            self.record(body, 404)
            self.answer(404, b"no such route")

    do_POST = handle_any
    do_PUT = handle_any
    do_GET = handle_any
    do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that gave up (timeout) or a reset socket is expected here: stay quiet.
        pass


def main():
    global log_file, secrets
    parser = argparse.ArgumentParser(description="webhook receiver for certcycle tests")
    parser.add_argument("--port-file", help="write the port here (else: first line of stdout)")
    parser.add_argument("--log", help="append one JSON line per request here")
    parser.add_argument("--secret", action="append", default=[], help="whsec_ secret for /verify (repeatable)")
    arguments = parser.parse_args()
    secrets = arguments.secret
    if arguments.log:
        log_file = open(arguments.log, "a", encoding="utf-8")
    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    if arguments.port_file:
        temporary = arguments.port_file + ".tmp"
        with open(temporary, "w") as f:
            f.write("%d\n" % port)
        os.replace(temporary, arguments.port_file)
    else:
        print(port, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
