#!/usr/bin/env python3
"""Shares of a `perf record --call-graph dwarf` profile of `leadflow bench e2e --telemetry on` that telemetry costs.

Usage (docs/benchmarks.md, "Telemetry overhead"):
  perf record -F 250 --call-graph dwarf,16384 -o on.data .build/release/leadflow bench e2e --leads 20000 \
      --telemetry on --directory /tmp/lf-tele-pg
  perf script -i on.data > on.script && scripts/telemetry-samples.py on.script

A sample counts as telemetry when its stack passes through the telemetry code (the publisher thread, `publish`,
the handlers' records, database round-trip records, tracer spans) or when it was taken on the threads of the
benchmark's own ZeroMQ context (its SUB socket's thread and libzmq I/O thread: the first of each, since the
benchmark binds its SUB before the engine starts).
"""
import collections
import sys

CODE = [
    ("publisher thread", "17LeadflowTelemetry0B9PublisherC3run"),
    ("publish (callers)", "17LeadflowTelemetry0B9PublisherC7publish"),
    ("database round-trip records", "18DatabaseRoundTrips"),
    ("handler records", "18HandlerInstrumentsV"),
    ("tracer spans", "15MeasurementSpanC"),
    ("tracer spans", "17MeasurementTracerV"),
]


def samples(path):
    head, frames = None, []
    for line in open(path, errors="replace"):
        if not line.strip():
            if head:
                yield head, frames
            head, frames = None, []
        elif head is None:
            head, frames = line.split()[:2], []
        else:
            frames.append(line.strip())
    if head:
        yield head, frames


def main(path):
    shares = collections.Counter()
    first_io, first_loop = None, None
    for (comm, tid), frames in samples(path):
        shares["all"] += 1
        if comm == "postgres":
            shares["postgres"] += 1
            continue
        shares["leadflow"] += 1
        stack = " ".join(frames)
        if comm.startswith("ZMQbg/IO"):
            first_io = min(first_io or int(tid), int(tid))
        if "SocketLoopC3run" in stack:
            first_loop = min(first_loop or int(tid), int(tid))
        for name, symbol in CODE:
            if symbol in stack:
                shares[name] += 1
                break
    for (comm, tid), _ in samples(path):
        if int(tid) == first_io:
            shares["benchmark's libzmq I/O thread"] += 1
        elif int(tid) == first_loop:
            shares["benchmark's SUB thread"] += 1
    parts = [name for name in shares if name not in ("all", "postgres", "leadflow")]
    telemetry = sum(shares[name] for name in parts)
    print(f"samples: {shares['all']} (leadflow {shares['leadflow']}, postgres {shares['postgres']})")
    for name in sorted(parts, key=lambda n: -shares[n]):
        print(f"  {name}: {shares[name]}")
    print(f"telemetry: {telemetry} samples = {100 * telemetry / shares['leadflow']:.1f} % of leadflow's, "
          f"{100 * telemetry / shares['all']:.1f} % of all (leadflow + PostgreSQL)")


if __name__ == "__main__":
    main(sys.argv[1])
