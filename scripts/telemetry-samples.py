#!/usr/bin/env python3
"""Shares of a `perf record --call-graph dwarf` profile of `leadflow bench e2e --telemetry on` that telemetry costs.

Usage (docs/benchmarks.md, "Telemetry overhead"):
  perf record -F 250 --call-graph dwarf,16384 -o on.data .build/release/leadflow bench e2e --leads 20000 \
      --telemetry on --directory /tmp/lf-tele-pg
  perf script --show-task-events -i on.data > on.script && scripts/telemetry-samples.py on.script

A sample counts as telemetry when its stack passes through the telemetry code (the publisher thread, `publish`,
the handlers' records, database round-trip records, tracer spans) or when it was taken on a thread of the
benchmark's own ZeroMQ context: its libzmq I/O thread (the `ZMQbg/IO` thread with the lowest id, the first created — the
benchmark binds its SUB before the engine starts) and its SUB socket's thread (a socket loop created before it).
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


def read(path):
    """The samples ((comm, tid), frames) and the ids of the ZMQbg/IO threads."""
    samples, io_threads = [], []
    head, frames = None, []
    for line in open(path, errors="replace"):
        if "PERF_RECORD_" in line:
            if "PERF_RECORD_COMM" in line and ": ZMQbg/IO/" in line:
                io_threads.append(int(line.rsplit("/", 1)[1]))
            continue
        if not line.strip():
            if head:
                samples.append((head, frames))
            head, frames = None, []
        elif head is None:
            head, frames = line.split()[:2], []
        else:
            frames.append(line.strip())
    if head:
        samples.append((head, frames))
    return samples, io_threads


def main(path):
    samples, io_threads = read(path)
    if not io_threads:
        sys.exit("no ZMQbg/IO thread in the task events: run perf script with --show-task-events")
    benchmark_io = min(io_threads)  # thread ids grow with creation; the COMM events may come out of order
    benchmark_loops = {int(tid) for (_, tid), frames in samples
                       if int(tid) < benchmark_io and any("SocketLoopC3run" in f for f in frames)}
    shares = collections.Counter()
    for (comm, tid), frames in samples:
        shares["all"] += 1
        if comm == "postgres":
            shares["postgres"] += 1
            continue
        shares["leadflow"] += 1
        if int(tid) == benchmark_io:
            shares["benchmark's libzmq I/O thread"] += 1
            continue
        if int(tid) in benchmark_loops:
            shares["benchmark's SUB thread"] += 1
            continue
        stack = " ".join(frames)
        for name, symbol in CODE:
            if symbol in stack:
                shares[name] += 1
                break
    parts = [name for name in shares if name not in ("all", "postgres", "leadflow")]
    telemetry = sum(shares[name] for name in parts)
    print(f"samples: {shares['all']} (leadflow {shares['leadflow']}, postgres {shares['postgres']})")
    for name in sorted(parts, key=lambda n: -shares[n]):
        print(f"  {name}: {shares[name]}")
    print(f"telemetry: {telemetry} samples = {100 * telemetry / shares['leadflow']:.1f} % of leadflow's, "
          f"{100 * telemetry / shares['all']:.1f} % of all (leadflow + PostgreSQL)")


if __name__ == "__main__":
    main(sys.argv[1])
