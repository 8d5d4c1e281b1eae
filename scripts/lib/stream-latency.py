#!/usr/bin/env python3
"""Reads Redis streams live (XREAD BLOCK) and measures commit->stream latency per event.

Used by scripts/bench-live.sh. Python's standard library only (a minimal RESP client), so the
benchmark needs no package beyond python3.

  stream-latency.py PORT START_MS EXPECTED_FILE OUT_JSON KEY...

Reads every entry after START_MS-0 of the given stream keys. For each credit-config UPDATE event the
commit-side time is data.newValue.updatedAt (the benchmark's UPDATE sets updated_at =
clock_timestamp(), evaluated just before its commit), else the event's timestamp; the latency is
  stream: the entry id's milliseconds (Redis's clock at XADD) - that time
  reader: this reader's clock when the entry arrived - that time
Same machine, same clock. Ends when EXPECTED_FILE holds a number N and N distinct UPDATE events have
arrived, or when it holds N and nothing arrived for 15 s (then events are missing), and writes a
JSON summary to OUT_JSON, and per event "commit-epoch-ms commit->stream-ms" to OUT_JSON.series.
"""
import json
import os
import re
import socket
import sys
import time
from datetime import datetime

port, start_ms, expected_file, out_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
keys = sys.argv[5:]

sock = socket.create_connection(("127.0.0.1", port))
buf = sock.makefile("rb")


def command(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    sock.sendall(b"".join(parts))
    return reply()


def reply():
    line = buf.readline()
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = buf.read(n + 2)[:-2]
        return data
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [reply() for _ in range(n)]
    raise RuntimeError("unexpected reply %r" % line)


TS = re.compile(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d(:?\d\d)?)?$")


def epoch_ms(text):
    """An ISO-8601 or PostgreSQL timestamptz text as epoch milliseconds (float)."""
    m = TS.match(text)
    if not m:
        raise ValueError(text)
    frac = (m.group(3) or ".0")[1:7].ljust(6, "0")
    zone = m.group(4) or "Z"
    if zone == "Z":
        zone = "+00:00"
    elif len(zone) == 3:
        zone += ":00"
    elif ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    return datetime.fromisoformat("%sT%s.%s%s" % (m.group(1), m.group(2), frac, zone)).timestamp() * 1000.0


ids = {k: "%d-0" % start_ms for k in keys}
stream_lat, reader_lat, series = [], [], []
seen = set()
entries = duplicates = other = from_updated_at = from_timestamp = 0
expected = None
last_arrival = time.time()
while True:
    args = ["XREAD", "COUNT", 2000, "BLOCK", 500, "STREAMS"] + keys + [ids[k] for k in keys]
    result = command(*args) or []
    now_ms = time.time() * 1000.0
    for key, items in result:
        key = key.decode()
        for entry_id, fields in items:
            entry_id = entry_id.decode()
            ids[key] = entry_id
            entries += 1
            last_arrival = time.time()
            f = {fields[i].decode(): fields[i + 1] for i in range(0, len(fields), 2)}
            event = json.loads(f["event"])
            if event.get("operation") != "UPDATE" or event.get("entity") != "credit-config":
                other += 1
                continue
            if event["eventId"] in seen:
                duplicates += 1
                continue
            seen.add(event["eventId"])
            new_value = (event.get("data") or {}).get("newValue") or {}
            if "updatedAt" in new_value:
                committed = epoch_ms(new_value["updatedAt"])
                from_updated_at += 1
            else:
                committed = epoch_ms(event["timestamp"])
                from_timestamp += 1
            stream_lat.append(int(entry_id.split("-")[0]) - committed)
            series.append((committed, stream_lat[-1]))
            reader_lat.append(now_ms - committed)
    if expected is None and os.path.exists(expected_file):
        text = open(expected_file).read().strip()
        expected = int(text) if text else None
        last_arrival = max(last_arrival, time.time())
    if expected is not None and (len(seen) >= expected or time.time() - last_arrival > 15):
        break


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))], 2)


summary = {
    "entries": entries, "updateEvents": len(seen), "expectedUpdates": expected,
    "missing": (expected - len(seen)) if expected is not None else None,
    "duplicates": duplicates, "otherEvents": other,
    "commitTimeFrom": {"newValue.updatedAt": from_updated_at, "timestamp": from_timestamp},
    "streamP50Ms": pct(stream_lat, 50), "streamP99Ms": pct(stream_lat, 99),
    "streamMaxMs": round(max(stream_lat), 2) if stream_lat else None,
    "readerP50Ms": pct(reader_lat, 50), "readerP99Ms": pct(reader_lat, 99),
    "readerMaxMs": round(max(reader_lat), 2) if reader_lat else None,
}
with open(out_file, "w") as out:
    json.dump(summary, out)
# per event, for a look at when the tail happens: commit epoch ms, commit->stream ms
with open(out_file + ".series", "w") as out:
    out.writelines("%.1f %.1f\n" % pair for pair in series)
