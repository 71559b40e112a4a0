#!/usr/bin/python3
"""dkimpy side of the DKIM cross-check (test/crosscheck/dkim-crosscheck.ts).

Reads a JSON array of tasks on stdin, writes a JSON array of answers on stdout.
  {"op": "verify", "msg": b64, "dns": {name: txt}}                   -> {"pass": bool, "error": str}
  {"op": "sign", "msg": b64, "domain", "selector", "key": pem|seed-b64,
   "alg": "rsa-sha256"|"ed25519-sha256", "canon": "relaxed/simple", "headers": [..]} -> {"header": str}
  {"op": "body", "body": b64, "canon": "simple"|"relaxed"}           -> {"canonical": b64}
Needs Debian python3-dkim (dkimpy) and python3-nacl (ed25519).
"""
import base64
import json
import sys

import dkim
from dkim.canonicalization import Relaxed, Simple


def run(task):
    op = task["op"]
    if op == "verify":
        msg = base64.b64decode(task["msg"])
        dns = {k.rstrip(".") + ".": v.encode() for k, v in task["dns"].items()}

        def dnsfunc(name, timeout=5):
            if isinstance(name, bytes):
                name = name.decode()
            return dns.get(name, b"")

        d = dkim.DKIM(msg, minkey=1024)
        try:
            ok = d.verify(idx=task.get("idx", 0), dnsfunc=dnsfunc)
            return {"pass": bool(ok), "error": "" if ok else "verify returned False"}
        except Exception as e:  # noqa: BLE001 — any dkimpy error is a non-pass
            return {"pass": False, "error": repr(e)}
    if op == "sign":
        msg = base64.b64decode(task["msg"])
        h, b = task["canon"].split("/")
        header = dkim.sign(
            msg,
            task["selector"].encode(),
            task["domain"].encode(),
            task["key"].encode(),
            canonicalize=(h.encode(), b.encode()),
            include_headers=[x.encode() for x in task["headers"]],
            signature_algorithm=task["alg"].encode(),
            linesep=b"\r\n",
        )
        return {"header": header.decode("latin1")}
    if op == "body":
        body = base64.b64decode(task["body"])
        c = Relaxed if task["canon"] == "relaxed" else Simple
        return {"canonical": base64.b64encode(c.canonicalize_body(body)).decode()}
    raise ValueError(op)


tasks = json.load(sys.stdin)
json.dump([run(t) for t in tasks], sys.stdout)
