#!/usr/bin/python3
"""Reference side of the zone-file cross-check: parses zone texts with dnspython (Debian python3-dnspython).

Reads a JSON list of {"text", "origin"} from stdin, writes a JSON list of results to stdout, one per input:
{"ok": true, "rrsets": {"NAME TYPE": {"ttl": N, "rdata": [normalized text, sorted]}}} or {"ok": false, "error": "..."}.
Names are lower case without the trailing dot; TXT strings are hex; IPv6 addresses are their 16 bytes in hex.
Run through test/crosscheck/zonefile.ts, not alone.
"""
import ipaddress
import json
import sys

import dns.exception
import dns.rdataclass
import dns.rdatatype
import dns.zone


def name_text(name):
    # Labels as bytes (latin-1 keeps each byte one character), not dnspython's escaped presentation form.
    return '.'.join(label.decode('latin-1') for label in name.labels if label != b'').lower()


def rdata_text(rdtype, rd):
    if rdtype == 'A':
        return rd.address
    if rdtype == 'AAAA':
        return ipaddress.IPv6Address(rd.address).packed.hex()
    if rdtype in ('TXT', 'SPF'):
        return ' '.join(s.hex() for s in rd.strings)
    if rdtype == 'MX':
        return f'{rd.preference} {name_text(rd.exchange)}'
    if rdtype in ('PTR', 'CNAME', 'NS'):
        return name_text(rd.target)
    if rdtype == 'SOA':
        return (f'{name_text(rd.mname)} {name_text(rd.rname)} {rd.serial} {rd.refresh} {rd.retry} '
                f'{rd.expire} {rd.minimum}')
    return rd.to_text()


def parse(text, origin):
    # dnspython's tokenizer takes no CR; CRLF files are compared by their LF form.
    text = text.replace('\r\n', '\n')
    try:
        zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
    except (dns.exception.DNSException, ValueError, UnicodeError, KeyError, IndexError) as error:
        return {'ok': False, 'error': f'{type(error).__name__}: {error}'}
    rrsets = {}
    for name, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            rdtype = dns.rdatatype.to_text(rdataset.rdtype)
            rrsets[f'{name_text(name)} {rdtype}'] = {
                'ttl': rdataset.ttl,
                'rdata': sorted(rdata_text(rdtype, rd) for rd in rdataset),
            }
    return {'ok': True, 'rrsets': rrsets}


def main():
    cases = json.load(sys.stdin)
    json.dump([parse(case['text'], case.get('origin')) for case in cases], sys.stdout)


if __name__ == '__main__':
    main()
