#!/usr/bin/env python3
"""Independent oracle for DogStatsdMetricMapperGoldenTest.

Reads the fixture records' JSON twins (../shared/fixtures/*.jsonl, which Go's encoding/json wrote
from the same records) and writes, per record, the metric Tyk's dogstatsd pump emits for it
(reference/tyk-pump.md section 5.2): the request_time value and Tyk's tags, as JSON lines.

Run from this directory:  python3 generate_golden.py /path/to/shared/fixtures
"""
import json
import sys

DEFAULT_ORDER = ["path", "method", "response_code", "api_version", "api_name", "api_id", "org_id", "tracked"]
CONFIGURED = ["org_id", "path", "oauth_id", "tracked", "response_code"]


def tag(name, rec, trim_path):
    if name == "path":
        p = rec["path"].rstrip("/") if trim_path else rec["path"]
        return "path:" + p
    if name == "tracked":
        return "tracked:" + ("true" if rec["track_path"] else "false")
    if name == "response_code":
        return "response_code:%d" % rec["response_code"]
    return name + ":" + rec[name]


def default_tags(rec):
    tags = [tag(n, rec, False) for n in DEFAULT_ORDER]
    if rec["oauth_id"]:
        tags.append("oauth_id:" + rec["oauth_id"])
    return tags


def configured_tags(rec):
    out = []
    for n in CONFIGURED:
        if n == "oauth_id" and not rec["oauth_id"]:
            continue
        out.append(tag(n, rec, True))
    return out


def main(fixtures):
    for name in ["tyk-records-modern", "tyk-records-legacy"]:
        recs = [json.loads(l) for l in open(f"{fixtures}/{name}.jsonl", encoding="utf-8")]
        for kind, fn in [("default", default_tags), ("configured", configured_tags)]:
            with open(f"{name}.{kind}-tags.jsonl", "w", encoding="utf-8") as out:
                for r in recs:
                    out.write(json.dumps({"value": r["request_time"], "tags": fn(r)}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
