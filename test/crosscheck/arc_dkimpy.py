#!/usr/bin/python3
"""dkimpy side of the ARC cross-check (test/crosscheck/arc-crosscheck.ts).

Reads a JSON array of tasks on stdin, writes a JSON array of answers on stdout.
  {"op": "verify", "msg": b64, "dns": {name: txt}}             -> {"cv": "pass"|"fail"|"none"|null, "reason": str}
  {"op": "seal", "msg": b64, "domain", "selector", "key": pem (PKCS#1), "srv_id", "headers": [..], "t": int}
                                                                -> {"fields": [str, ...]} (AS, AMS, AAR; [] = none)
Needs Debian python3-dkim (dkimpy 1.1.4) and python3-authres.
"""
import base64
import json
import sys

import dkim


def run(task):
    op = task["op"]
    if op == "verify":
        msg = base64.b64decode(task["msg"])
        dns = {k.rstrip(".") + ".": v.encode() for k, v in task["dns"].items()}

        def dnsfunc(name, timeout=5):
            if isinstance(name, bytes):
                name = name.decode()
            return dns.get(name, b"")

        try:
            cv, _results, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc)
        except Exception as e:  # noqa: BLE001 — any dkimpy error is a failed chain
            return {"cv": "fail", "reason": repr(e)}
        return {"cv": cv.decode() if cv is not None else None, "reason": reason}
    if op == "seal":
        msg = base64.b64decode(task["msg"])
        fields = dkim.arc_sign(
            msg,
            task["selector"].encode(),
            task["domain"].encode(),
            task["key"].encode(),
            task["srv_id"].encode(),
            include_headers=[h.encode() for h in task["headers"]],
            timestamp=task["t"],
        )
        return {"fields": [f.decode() for f in fields]}
    raise ValueError("unknown op " + op)


def main():
    tasks = json.load(sys.stdin)
    out = []
    for task in tasks:
        try:
            out.append(run(task))
        except Exception as e:  # noqa: BLE001
            out.append({"error": repr(e)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
