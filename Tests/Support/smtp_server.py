#!/usr/bin/env python3
"""An SMTP server for certcycle's tests and benchmark: aiosmtpd on 127.0.0.1 (pip install aiosmtpd).

Usage:
    smtp_server.py serve --port-file PATH --folder DIR [behaviour options]
    smtp_server.py decode DIR      prints every saved message, parsed by Python's `email`, as JSON

`serve` binds 127.0.0.1 on a free port and writes the port to --port-file (atomically). Every
accepted message is saved as DIR/NNNNNN.eml with DIR/NNNNNN.json (envelope: mail_from, rcpt_tos,
message_id, tls, login); every attempt (accepted or not) is one line of DIR/attempts.jsonl,
written before the answer is sent.

Behaviour (all per Message-ID, counted at the end of DATA):
    --fail-first N        answer --fail-code (default 451) to the first N attempts, then accept
    --fail-fraction F     answer --fail-code to the first attempt of a fraction F of the
                          messages (chosen by a hash of the Message-ID, so reproducible)
    --reject              answer 550 to every message
    --stall               never answer the end of DATA (the client must time out)
    --slow SECONDS        wait this long before accepting each message (to kill a client mid-way)
    --tls-cert/--tls-key  offer STARTTLS with this certificate, and require it
    --auth USER:PASSWORD  require AUTH PLAIN/LOGIN with these credentials (over TLS)
    --no-save             count, do not write .eml files (the benchmark)
"""

import argparse
import asyncio
import hashlib
import json
import os
import ssl
import sys
import threading


def parse_args():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--port-file", required=True)
    serve.add_argument("--folder", required=True)
    serve.add_argument("--fail-first", type=int, default=0)
    serve.add_argument("--fail-fraction", type=float, default=0.0)
    serve.add_argument("--fail-code", type=int, default=451)
    serve.add_argument("--reject", action="store_true")
    serve.add_argument("--stall", action="store_true")
    serve.add_argument("--slow", type=float, default=0.0)
    serve.add_argument("--tls-cert")
    serve.add_argument("--tls-key")
    serve.add_argument("--auth")
    serve.add_argument("--no-save", action="store_true")
    decode = sub.add_parser("decode")
    decode.add_argument("folder")
    return parser.parse_args()


def message_id_of(content: bytes) -> str:
    from email.parser import BytesHeaderParser
    headers = BytesHeaderParser().parsebytes(content)
    return (headers.get("Message-ID") or "").strip()


def login_of(session):
    return getattr(session, "certcycle_login", None)


class Handler:
    def __init__(self, args):
        self.args = args
        self.attempts = {}
        self.saved = 0
        self.lock = threading.Lock()
        self.log = open(os.path.join(args.folder, "attempts.jsonl"), "a", encoding="utf-8")

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        mid = message_id_of(content)
        n = self.attempts.get(mid, 0) + 1
        self.attempts[mid] = n
        code = 250
        if self.args.reject:
            code = 550
        elif n <= self.args.fail_first:
            code = self.args.fail_code
        elif n == 1 and self.args.fail_fraction > 0:
            bucket = int(hashlib.sha256(mid.encode()).hexdigest()[:8], 16) % 1000
            if bucket < self.args.fail_fraction * 1000:
                code = self.args.fail_code
        record = {"message_id": mid, "attempt": n, "code": code, "mail_from": envelope.mail_from,
                  "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None,
                  "login": login_of(session)}
        if self.args.stall:
            record["code"] = 0
            self.log.write(json.dumps(record) + "\n")
            self.log.flush()
            await asyncio.sleep(3600)
        if self.args.slow:
            await asyncio.sleep(self.args.slow)
        if code == 250 and not self.args.no_save:
            self.saved += 1
            base = os.path.join(self.args.folder, "%06d" % self.saved)
            with open(base + ".eml.tmp", "wb") as f:
                f.write(content)
            os.rename(base + ".eml.tmp", base + ".eml")
            with open(base + ".json", "w", encoding="utf-8") as f:
                json.dump(record, f)
        self.log.write(json.dumps(record) + "\n")
        self.log.flush()
        if code == 250:
            return "250 2.0.0 OK"
        if code == 550:
            return "550 5.7.1 Message refused"
        return "%d 4.3.0 Try again later" % code


def serve(args):
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    os.makedirs(args.folder, exist_ok=True)
    handler = Handler(args)
    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)
    authenticator = None
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            if ok:
                session.certcycle_login = user
            return AuthResult(success=ok)

    def factory():
        return SMTP(handler, hostname="certcycle-test", tls_context=tls_context, require_starttls=tls_context is not None,
                    authenticator=authenticator, auth_required=authenticator is not None,
                    auth_require_tls=tls_context is not None, decode_data=False, data_size_limit=0, timeout=600)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=0))
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    loop.run_forever()


def decode(folder):
    """Every saved message, decoded as a mail reader would, with the raw checks tests need."""
    import email
    from email import policy

    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".eml"):
            continue
        raw = open(os.path.join(folder, name), "rb").read()
        envelope = json.load(open(os.path.join(folder, name[:-4] + ".json"), encoding="utf-8"))
        message = email.message_from_bytes(raw, policy=policy.default)
        header_block = raw.split(b"\r\n\r\n", 1)[0]
        lines = raw.split(b"\r\n")
        parts = []
        for part in message.walk():
            if part.is_multipart():
                parts.append({"content_type": part.get_content_type(), "boundary": part.get_boundary()})
                continue
            payload = part.get_payload(decode=True) or b""
            parts.append({
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "filename": part.get_filename(),
                "transfer_encoding": part.get("Content-Transfer-Encoding"),
                "text": payload.decode(part.get_content_charset() or "utf-8", "replace"),
            })
        out.append({
            "file": name,
            "envelope": envelope,
            "subject": str(message["Subject"]),
            "from": str(message["From"]),
            "to": str(message["To"]),
            "to_addresses": [a.addr_spec for a in message["To"].addresses] if message["To"] else [],
            "message_id": str(message["Message-ID"]),
            "date": str(message["Date"]),
            "header_names": [k for k in message.keys()],
            "raw_subject": [l.decode("ascii", "replace") for l in header_block.split(b"\r\n")
                            if l.startswith(b"Subject:") or l.startswith(b" =?")],
            "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
            "longest_line": max(len(l) for l in lines),
            "defects": [str(d) for p in message.walk() for d in p.defects],
            "parts": parts,
        })
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.command == "serve":
        serve(arguments)
    else:
        decode(arguments.folder)
