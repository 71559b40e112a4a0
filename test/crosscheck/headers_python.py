"""Parses Date values and address lists with Python's standard `email` package for
test/crosscheck/headers-python.ts. Reads {"dates": [...], "addresses": [...]} as JSON on stdin, writes
{"dates": [iso-utc | {"error"}], "addresses": [[[local, domain], ...] | {"error"}]} on stdout."""
import json
import sys
from email import _header_value_parser as parser
from email import utils


def parse_date(text):
    try:
        parsed = utils.parsedate_to_datetime(text)
    except Exception as error:  # noqa: BLE001 - any failure is a result here
        return {"error": f"{type(error).__name__}: {error}"}
    if parsed.tzinfo is None:  # -0000: Python returns a naive datetime meaning UTC
        return parsed.strftime("%Y-%m-%dT%H:%M:%S")
    return parsed.astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def parse_addresses(text):
    try:
        address_list, rest = parser.get_address_list(text)
    except Exception as error:  # noqa: BLE001
        return {"error": f"{type(error).__name__}: {error}"}
    invalid = [d for d in address_list.all_defects if isinstance(d, parser.errors.InvalidHeaderDefect)]
    if rest or invalid:
        return {"error": "; ".join(str(d) for d in invalid) or f"unparsed: {rest!r}"}
    return [[m.local_part, m.domain] for m in address_list.all_mailboxes]


request = json.load(sys.stdin)
json.dump(
    {
        "dates": [parse_date(t) for t in request["dates"]],
        "addresses": [parse_addresses(t) for t in request["addresses"]],
    },
    sys.stdout,
)
