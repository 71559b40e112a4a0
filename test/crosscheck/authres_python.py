"""Parses Authentication-Results fields with the Python `authres` module (Debian python3-authres) for
test/crosscheck/authres-python.ts. Reads a JSON list of field texts on stdin, writes a JSON list of parses
(or {"error": ...}) on stdout."""
import json
import sys

import authres


def parse(text):
    try:
        header = authres.AuthenticationResultsHeader.parse(text)
    except Exception as error:  # noqa: BLE001 - any failure is a result here
        return {"error": f"{type(error).__name__}: {error}"}
    results = []
    for result in header.results:
        entry = {"method": result.method, "result": result.result, "properties": []}
        if result.version is not None:
            entry["methodVersion"] = int(result.version)
        if result.reason is not None:
            entry["reason"] = result.reason
        for prop in result.properties:
            entry["properties"].append({"ptype": prop.type, "property": prop.name, "value": prop.value})
        results.append(entry)
    parsed = {"authservId": header.authserv_id, "results": results}
    if header.version is not None:
        parsed["version"] = int(header.version)
    return parsed


json.dump([parse(text) for text in json.load(sys.stdin)], sys.stdout)
