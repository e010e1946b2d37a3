#!/usr/bin/env python3
"""Independent oracle for Influx2PointMapperTest.

Reads the fixture records' JSON twins (../shared/fixtures/*.jsonl, written by Go's encoding/json
from the same records) and writes, per record, the point Tyk's influx2 pump would write
(reference/tyk-pump.md section 5.3), except that the time is the record's TimeStamp in
microseconds (our documented fix): tag values are Go's json.Marshal text with the quotes trimmed
(empty values left out, as the client drops them), fields are typed ("i" integer, "s" string).
The "custom" files cover the first 300 records of each fixture, the "default" files all of them.

Run from this directory:  python3 generate_golden.py /path/to/shared/fixtures
"""
import datetime
import json
import sys

CONFIGS = {
    "custom": (
        ["method", "response_code", "time_stamp", "path", "oauth_id", "api_version"],
        ["api_key", "api_name", "api_id", "org_id", "raw_request", "request_time", "raw_response",
         "ip_address", "total_latency", "upstream_latency"],
    ),
    "default": ([], ["request_time", "total_latency", "upstream_latency", "response_code"]),
}


def go_json_string(s):
    """Go 1.22+ encoding/json string encoding with HTML escaping."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\b':
            out.append('\\b')
        elif ch == '\f':
            out.append('\\f')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif o < 0x20 or ch in '<>&' or o in (0x2028, 0x2029):
            out.append('\\u%04x' % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def value(name, rec):
    """(kind, value) with Tyk's Go types: 'i' for int/int64, 's' for string, 't' for time.Time."""
    if name == "time_stamp":
        return "t", rec["timestamp"]
    if name == "total_latency":
        return "i", rec["latency"]["total"]
    if name == "upstream_latency":
        return "i", rec["latency"]["upstream"]
    v = rec[name]
    return ("i", v) if isinstance(v, int) else ("s", v)


def micros(ts):
    date, frac = ts.rstrip("Z").split(".") if "." in ts else (ts.rstrip("Z"), "0")
    dt = datetime.datetime.strptime(date, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    secs = int(dt.timestamp())
    return secs * 1_000_000 + int((frac + "000000000")[:9]) // 1000


def point(rec, tags, fields):
    t = {}
    for n in tags:
        kind, v = value(n, rec)
        text = str(v) if kind == "i" else (v if kind == "t" else go_json_string(v).strip('"'))
        if text:
            t[n] = text
    f = {}
    for n in fields:
        kind, v = value(n, rec)
        f[n] = ["i", v] if kind == "i" else ["s", v]
    return {"tags": t, "fields": f, "time": micros(rec["timestamp"])}


def main(fixtures):
    for name in ["tyk-records-modern", "tyk-records-legacy"]:
        recs = [json.loads(l) for l in open(f"{fixtures}/{name}.jsonl", encoding="utf-8")]
        for kind, (tags, fields) in CONFIGS.items():
            # The custom config writes the raw request/response bodies: keep that golden file small.
            subset = recs[:300] if kind == "custom" else recs
            with open(f"{name}.{kind}.jsonl", "w", encoding="utf-8") as out:
                for r in subset:
                    out.write(json.dumps(point(r, tags, fields), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
