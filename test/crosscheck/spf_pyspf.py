#!/usr/bin/python3
"""Runs pyspf (Debian python3-spf) on SPF cases against a DNS server on loopback.

Input (stdin, JSON): {"port": N, "cases": [{"ip", "mailFrom", "helo"}]}.
Output (stdout, JSON): [{"result", "explanation", "detail"}] in the same order (detail: pyspf's message). pyspf's own default explanation is
reported as null, so only exp= explanations are compared.
Run by test/crosscheck/spf-pyspf.ts; needs /usr/bin/python3 with python3-spf and python3-dnspython.
"""
import json
import sys

import dns.resolver
import spf

request = json.load(sys.stdin)
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ['127.0.0.1']
resolver.port = request['port']
resolver.lifetime = 5
resolver.timeout = 5
dns.resolver.default_resolver = resolver

out = []
for case in request['cases']:
    try:
        # '<>' is how mailtrust's command line writes the null sender; pyspf takes it as ''.
        sender = '' if case['mailFrom'] == '<>' else case['mailFrom']
        query = spf.query(i=case['ip'], s=sender, h=case['helo'], receiver='unknown')
        result, _code, explanation = query.check()
        default = query.expand(spf.EXPLANATIONS['fail'])
        detail = explanation
        if result != 'fail' or explanation == default:
            explanation = None
        out.append({'result': result, 'explanation': explanation, 'detail': detail})
    except Exception as error:  # a crash in pyspf is reported, not hidden
        out.append({'result': 'crash', 'explanation': None, 'detail': repr(error)})
json.dump(out, sys.stdout)
