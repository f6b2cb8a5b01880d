#!/usr/bin/env python3
"""Prints Leadflow lead events matching a NATS subscription (default `lead.>`) from a PUB endpoint.

ZeroMQ only filters by prefix, so the socket subscribes to the literal text before the first wildcard
and every received subject is then matched token by token.

    python3 examples/python/subscribe_events.py --subject 'lead.*.acme'
"""

import argparse
import sys

import zmq
from google.protobuf import json_format

from leadflow_bus import (MAX_PAYLOAD_BYTES, add_curve_arguments, configure_curve, decode_headers, decode_payload,
                          sub_filter, subject_matches)
from leadflow.v1 import lead_event_pb2  # generated into examples/python/gen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:4223", help="ingest PUB endpoint")
    parser.add_argument("--subject", default="lead.>", help="NATS subscription, may use * and >")
    parser.add_argument("--count", type=int, default=0, help="stop after this many events (0: never)")
    add_curve_arguments(parser)
    args = parser.parse_args()

    socket = zmq.Context.instance().socket(zmq.SUB)
    socket.setsockopt(zmq.MAXMSGSIZE, MAX_PAYLOAD_BYTES)  # ZeroMQ drops larger frames
    socket.setsockopt(zmq.SUBSCRIBE, sub_filter(args.subject))  # b"lead." for "lead.>"
    configure_curve(socket, args)
    socket.connect(args.endpoint)
    seen = 0
    while args.count == 0 or seen < args.count:
        frames = socket.recv_multipart()
        if len(frames) != 3:
            continue  # not a bus message
        subject = frames[0].decode(errors="replace")
        if not subject_matches(args.subject, subject):
            continue  # passed the prefix filter only, e.g. `lead.a.b.c` for `lead.*.acme`
        try:
            headers = decode_headers(frames[1])
            event = decode_payload(frames[2], headers, lead_event_pb2.LeadEvent)
        except Exception as error:  # a bad message must not stop the subscriber
            print(f"skipped {subject}: {error}", file=sys.stderr)
            continue
        seen += 1
        print(subject, headers.get("Traceparent", "-"),
              json_format.MessageToJson(event, indent=None, preserving_proto_field_name=True), flush=True)
    socket.close()


if __name__ == "__main__":
    main()
