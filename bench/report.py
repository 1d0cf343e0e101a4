#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""
report.py DIR EVENTS RUNS SIZE_MB MIX PROJECT

The tables of bench/run for one data mix, in Markdown, from what bench/run wrote in DIR:
  rows       NAME RUN SECONDS OUTPUT_BYTES MAXRSS_KB       one line per measurement
  windows    NAME RUN T0_NS T1_NS                          when each measurement ran (wall clock)
  volstream  RUN KEY BYTES SECONDS                         each volume's GET in the ceiling
  mounts     CONTAINER KEY                                 the volumes each container mounts
  volseconds NAME RUN KEY SECONDS                          each volume's time in a Lifeboat
                                                           backup (its manifest)
and EVENTS, the engine's container events (`docker events --format '{{json .}}'`, one JSON
object a line, timeNano in nanoseconds of the same clock).

Downtime of a container in a measurement: from its `die` (or `stop`, when no `die` came first)
to its next `start`, summed; a container still down at the end of the measurement counts as
down until then, and is marked with "!".
"""

import collections
import json
import statistics
import sys

DB = "cvat_db"   # the database container of the CVAT stack


def load(path, types):
    out = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == len(types):
                    out.append(tuple(t(p) for t, p in zip(types, parts)))
    except FileNotFoundError:
        pass
    return out


def main():
    d, events_path, runs, size_mb, mix, project = sys.argv[1:7]
    rows = collections.defaultdict(list)
    for name, run, secs, size, rss in load(d + "/rows", (str, int, float, int, int)):
        rows[name].append((secs, size, rss))
    windows = load(d + "/windows", (str, int, int, int))
    volstream = load(d + "/volstream", (int, str, int, float))
    mounts = collections.defaultdict(list)
    for c, key in load(d + "/mounts", (str, str)):
        mounts[c].append(key)
    containers = set(mounts)
    volseconds = {}
    for name, run, key, secs in load(d + "/volseconds", (str, int, str, float)):
        volseconds[(name, run, key)] = secs

    events = []
    with open(events_path) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            attrs = e.get("Actor", {}).get("Attributes", {})
            name = attrs.get("name")
            if name not in containers:
                continue
            if attrs.get("com.docker.compose.project", project) != project:
                continue
            events.append((int(e["timeNano"]), e.get("Action") or e.get("status"), name))
    events.sort()

    def med(name, i):
        return statistics.median(r[i] for r in rows[name])

    def has(*names):
        return all(n in rows for n in names)

    # ---- downtime per measurement -------------------------------------------------------------
    down = collections.defaultdict(list)   # name -> [(longest s, container, db s, open, {c: s})]
    parts = collections.defaultdict(list)  # name -> [(die to GET s, stream s, stream end to start s)]
    for name, run, t0, t1 in windows:
        since = {}
        total = collections.defaultdict(float)
        for t, action, c in events:
            if t < t0 or t > t1:
                continue
            if action in ("die", "stop") and c not in since:
                since[c] = t
            elif action == "start" and c in since:
                total[c] += (t - since.pop(c)) / 1e9
        for c, t in since.items():
            total[c] += (t1 - t) / 1e9
        if total:
            longest = max(total, key=lambda c: total[c])
            down[name].append((total[longest], longest, total.get(DB, 0.0), set(since), dict(total)))
        else:
            down[name].append((0.0, "-", 0.0, set(), {}))
        # the database's downtime in parts: its die to its volume's archive GET (the engine's
        # archive-path event), the stream (the manifest's seconds), the rest until its start
        db_die = next((t for t, a, c in events if t0 <= t <= t1 and c == DB and a == "die"), None)
        db_get = next((t for t, a, c in events
                       if db_die and db_die <= t <= t1 and c == DB and a == "archive-path"), None)
        db_start = next((t for t, a, c in events
                         if db_die and db_die <= t <= t1 and c == DB and a == "start"), None)
        if db_die and db_get and db_start and (name, run, DB) in volseconds:
            secs = volseconds[(name, run, DB)]
            parts[name].append(((db_get - db_die) / 1e9, secs, (db_start - db_get) / 1e9 - secs))

    def dmed(name, i):
        return statistics.median(r[i] for r in down[name])

    def dcontainer(name):
        return collections.Counter(r[1] for r in down[name]).most_common(1)[0][0]

    # each volume's stream, alone (the ceiling's GETs one after the other): median per key
    stream = collections.defaultdict(list)
    for run, key, nbytes, secs in volstream:
        stream[key].append(secs)
    stream = {k: statistics.median(v) for k, v in stream.items()}

    def stream_of(container):
        return sum(stream.get(k, 0.0) for k in mounts.get(container, []))

    stream_bytes = med("stream-bytes", 1) if has("stream-bytes") else 0
    print("### Backup and restore of a %s MiB CVAT-shaped stack, %s mix, median of %s runs"
          % (size_mb, mix, runs))
    print()
    print("Volume data: %.1f MB as the engine's tar stream (MB/s below = these bytes / seconds)."
          % (stream_bytes / 1e6))
    print()
    print("| method | seconds | MB/s | output MB | peak RSS MB | runs (s) |")
    print("|---|---:|---:|---:|---:|---|")
    order = ["guide-backup", "ceiling", "ceiling-disk", "libsoup-read", "lifeboat-gzip",
             "lifeboat-zstd", "lifeboat-none", "ssh-ceiling", "lifeboat-ssh-none",
             "guide-restore", "lifeboat-restore", "guide-restore-fresh", "lifeboat-restore-fresh"]
    for name in order:
        if name not in rows:
            continue
        s = med(name, 0)
        size = med(name, 1)
        rss = med(name, 2)
        note = " (docker client)" if name.startswith("guide") else ""
        if name in ("ceiling", "ceiling-disk", "ssh-ceiling"):
            note = " (curl)"
        print("| %s | %.2f | %.1f | %s | %.1f%s | %s |" % (
            name, s, stream_bytes / 1e6 / s if s else 0,
            "%.1f" % (size / 1e6) if size else "-", rss / 1024, note,
            " ".join("%.2f" % r[0] for r in rows[name])))
    print()

    def ratio(a, b, what, target=""):
        if has(a, b):
            print("- %s: %.2f (time of %s / time of %s)%s"
                  % (what, med(a, 0) / med(b, 0), a, b, target))

    print("Ratios of median times (below 1 = faster than the reference):")
    print()
    ratio("lifeboat-gzip", "guide-backup", "gzip backup / guide backup", "; target ≤ 0.2")
    ratio("lifeboat-gzip", "ceiling", "gzip backup / stream ceiling", "; target ≤ 2")
    ratio("lifeboat-zstd", "ceiling", "zstd backup / stream ceiling", "; target ≤ 1.3")
    ratio("lifeboat-none", "ceiling", "uncompressed backup / stream ceiling")
    ratio("ceiling-disk", "ceiling", "disk-inclusive ceiling / stream ceiling (the disk's share)")
    for comp in ("gzip", "zstd", "none"):
        ratio("lifeboat-" + comp, "ceiling-disk", "%s backup / disk-inclusive ceiling" % comp,
              "; target ≤ 1.3")
    ratio("lifeboat-ssh-none", "lifeboat-none", "uncompressed backup over SSH / the same locally")
    ratio("ssh-ceiling", "ceiling", "stream ceiling through the SSH tunnel / stream ceiling")
    ratio("lifeboat-ssh-none", "ssh-ceiling", "uncompressed backup over SSH / ceiling through the tunnel")
    ratio("lifeboat-restore", "guide-restore", "restore / guide restore", "; target ≤ 1.2")
    ratio("lifeboat-restore-fresh", "guide-restore-fresh",
          "restore into empty volumes / guide restore into empty volumes")
    ratio("libsoup-read", "ceiling", "the same GETs read through libsoup 3 / stream ceiling (curl)")
    if has("lifeboat-gzip", "guide-backup"):
        print("- output size, gzip backup / guide backup: %.3f; target ≤ 1.02"
              % (med("lifeboat-gzip", 1) / med("guide-backup", 1)))
    print()

    if not down:
        return
    print("#### Downtime, from the engine's container events (die → start), median of %s runs" % runs)
    print()
    print("| method | whole job s | longest down s | longest down: container | database (%s) down s | runs: longest down (s) |" % DB)
    print("|---|---:|---:|---|---:|---|")
    dorder = ["guide-backup", "lifeboat-gzip", "lifeboat-zstd", "lifeboat-none", "lifeboat-ssh-none",
              "guide-restore", "lifeboat-restore", "guide-restore-fresh", "lifeboat-restore-fresh",
              "db-restart"]
    for name in dorder:
        if name not in down:
            continue
        still = set().union(*(r[3] for r in down[name]))
        print("| %s | %.2f | %.2f | %s%s | %.2f | %s |" % (
            name, med(name, 0) if name in rows else 0, dmed(name, 0), dcontainer(name),
            " (! not started again: %s)" % ", ".join(sorted(still)) if still else "",
            dmed(name, 2), " ".join("%.2f" % r[0] for r in down[name])))
    print()
    if stream:
        print("Each volume's stream alone (the ceiling's GETs, median): %s."
              % ", ".join("%s %.2f s" % (k, stream[k]) for k in sorted(stream, key=lambda k: -stream[k])))
        print()

    def dratio(a, b, what, target=""):
        if a in down and b in down and dmed(b, 0) > 0:
            print("- %s: %.2f (%.2f s / %.2f s)%s" % (what, dmed(a, 0) / dmed(b, 0), dmed(a, 0),
                                                      dmed(b, 0), target))

    print("Downtime ratios (medians):")
    print()
    dratio("lifeboat-restore", "guide-restore",
           "restore into volumes holding data: longest down / guide restore's longest down",
           "; target ≤ 0.5")
    if "lifeboat-restore" in down and has("lifeboat-restore", "guide-restore"):
        print("- restore into volumes holding data: whole job / guide restore: %.2f (%.2f s / %.2f s); target ≤ 1.2"
              % (med("lifeboat-restore", 0) / med("guide-restore", 0), med("lifeboat-restore", 0),
                 med("guide-restore", 0)))
    dratio("lifeboat-restore-fresh", "guide-restore-fresh",
           "restore into empty volumes: longest down / guide's longest down")
    for comp in ("gzip", "zstd", "none", "ssh-none"):
        name = "lifeboat-" + comp
        if name not in down:
            continue
        dratio(name, "guide-backup", "%s backup: longest down / guide backup's longest down" % comp,
               "; target ≤ 0.15")
        c = dcontainer(name)
        if stream_of(c) > 0:
            print("- %s backup: longest down / stream of the volumes %s mounts (%s): %.2f (%.2f s / %.2f s); target ≤ 1.2"
                  % (comp, c, " ".join(mounts[c]), dmed(name, 0) / stream_of(c), dmed(name, 0),
                     stream_of(c)))
        if stream_of(DB) > 0 and "db-restart" in down:
            base = stream_of(DB) + dmed("db-restart", 2)
            print("- %s backup: database down / (its volume's stream + a bare stop and start): %.2f (%.2f s / (%.2f s + %.2f s)); target ≤ 1"
                  % (comp, dmed(name, 2) / base, dmed(name, 2), stream_of(DB), dmed("db-restart", 2)))
        if parts[name]:
            p = [statistics.median(r[i] for r in parts[name]) for i in range(3)]
            print("  - its downtime in parts: %.2f s from its stop to its volume's archive GET, "
                  "%.2f s its volume's stream in the backup (manifest), %.2f s from the stream's end to its start"
                  % tuple(p))


if __name__ == "__main__":
    main()
