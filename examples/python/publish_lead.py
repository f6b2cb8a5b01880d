#!/usr/bin/env python3
"""Upserts a lead and enrolls it in a pipeline through Leadflow ingest, retrying each message with the
same Nats-Msg-Id until ingest answers +OK (at-least-once delivery, effectively-once processing).

    pip install pyzmq protobuf
    mkdir -p examples/python/gen
    protoc -I proto --python_out=examples/python/gen proto/leadflow/v1/*.proto
    python3 examples/python/publish_lead.py --org acme --external-id crm-42 \\
        --email ada@example.com --first-name Ada --pipeline onboarding

Against a CURVE ingest add --curve-secret-key-file crm.key --curve-server-key-file ingest.key.pub
(or set LEADFLOW_BUS_CURVE_SECRET_KEY_FILE and LEADFLOW_BUS_CURVE_SERVER_KEY_FILE).
"""

import argparse
import secrets
import sys
import time
import uuid

import zmq
from google.protobuf import json_format

from leadflow_bus import (CONTENT_TYPE_JSON, CONTENT_TYPE_PROTOBUF, MAX_PAYLOAD_BYTES, add_curve_arguments,
                          configure_curve, encode_headers, validate_subject)
from leadflow.v1 import lead_pb2  # generated into examples/python/gen


class IngestError(Exception):
    """Ingest rejected a message with -ERR; resending cannot succeed until its cause is fixed."""


class Publisher:
    """Sends messages to ingest over one DEALER socket, many outstanding at once.

    Replies can come back in any order, so they are matched by msg-id. A message without a reply within
    the timeout is sent again, byte for byte, with the same msg-id: ingest deduplicates it.
    """

    def __init__(self, endpoint, timeout=2.0, attempts=5, json=False, curve=None):
        self.socket = zmq.Context.instance().socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        # A send waits at most this long for a connection: a peer that is down, or refused our handshake
        # (plaintext against CURVE, a key not on the allow-list), fails instead of blocking forever.
        self.socket.setsockopt(zmq.SNDTIMEO, int(timeout * 1000))
        if curve is not None:
            configure_curve(self.socket, curve)  # before connect: the handshake uses the keys
        self.socket.connect(endpoint)
        self.timeout, self.attempts, self.json = timeout, attempts, json

    def frames(self, subject, message, msg_id):
        """The three frames: subject, header block, payload."""
        validate_subject(subject)
        if self.json:
            payload, content_type = json_format.MessageToJson(message).encode(), CONTENT_TYPE_JSON
        else:
            payload, content_type = message.SerializeToString(), CONTENT_TYPE_PROTOBUF
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"{subject}: payload of {len(payload)} bytes is over 1 MiB")
        traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
        headers = encode_headers([("Nats-Msg-Id", msg_id), ("Content-Type", content_type),
                                  ("Traceparent", traceparent)])
        return [subject.encode(), headers, payload]

    def publish_all(self, messages):
        """Publishes [(subject, message)], returns their msg-ids once every one is acknowledged with +OK."""
        pending = {}  # msg-id -> frames, kept until +OK
        for subject, message in messages:
            msg_id = str(uuid.uuid4())
            pending[msg_id] = self.frames(subject, message, msg_id)
        acked, errors = [], {}
        for attempt in range(1, self.attempts + 1):
            for msg_id, frames in pending.items():
                try:
                    self.socket.send_multipart(frames)
                except zmq.Again:
                    raise TimeoutError("ingest is not reachable, or refused the connection (check the CURVE keys)")
            deadline = time.monotonic() + self.timeout * 2 ** (attempt - 1)  # back off on each retry
            while pending and time.monotonic() < deadline:
                if not self.socket.poll(max(1, int((deadline - time.monotonic()) * 1000)), zmq.POLLIN):
                    break
                reply = self.socket.recv_multipart()
                status, msg_id = reply[0], reply[1].decode() if len(reply) > 1 else ""
                if status == b"-ERR" and not msg_id:  # ingest could not even read the msg-id
                    raise IngestError(reply[2].decode() if len(reply) > 2 else "unreadable message")
                if msg_id not in pending:
                    continue  # a late reply to an earlier copy of a message already acknowledged
                frames = pending.pop(msg_id)
                if status == b"+OK":
                    acked.append(msg_id)
                else:
                    errors[msg_id] = (frames[0].decode(), reply[2].decode() if len(reply) > 2 else "?")
            if not pending or attempt == self.attempts:
                break
            print(f"no reply for {len(pending)} message(s) after attempt {attempt}; resending",
                  file=sys.stderr)
        if errors:
            raise IngestError("; ".join(f"{subject} ({msg_id}): {reason}"
                                        for msg_id, (subject, reason) in errors.items()))
        if pending:
            raise TimeoutError(f"no reply for {len(pending)} message(s) after {self.attempts} attempts")
        return acked

    def close(self):
        self.socket.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:4222", help="ingest ROUTER endpoint")
    parser.add_argument("--org", default="acme", help="organization id (one subject token)")
    parser.add_argument("--external-id", default="crm-42")
    parser.add_argument("--email", default="ada@example.com")
    parser.add_argument("--first-name", default="Ada")
    parser.add_argument("--pipeline", default="onboarding")
    parser.add_argument("--stage", help="stage to enter (default: the first)")
    parser.add_argument("--timeout", type=float, default=2.0,
                        help="seconds to wait for replies, doubled on each retry")
    parser.add_argument("--attempts", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="send protobuf-JSON instead of binary protobuf")
    add_curve_arguments(parser)
    args = parser.parse_args()

    upsert = lead_pb2.LeadUpsert(external_id=args.external_id, email=args.email, first_name=args.first_name,
                                 attributes={"source": "python-example"})
    enroll = lead_pb2.LeadEnroll(external_id=args.external_id, pipeline=args.pipeline)
    if args.stage:
        enroll.stage = args.stage

    publisher = Publisher(args.endpoint, args.timeout, args.attempts, args.json, curve=args)
    try:
        # The enroll waits for the upsert's +OK: outstanding messages have no guaranteed order, and the
        # pipeline's first email needs the address. Independent messages can go in one publish_all call.
        ids = publisher.publish_all([(f"lead.upsert.{args.org}", upsert)])
        ids += publisher.publish_all([(f"lead.enroll.{args.org}", enroll)])
    except (IngestError, TimeoutError) as error:
        print(f"failed: {error}", file=sys.stderr)
        return 1
    finally:
        publisher.close()
    for msg_id in ids:
        print(f"+OK {msg_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
