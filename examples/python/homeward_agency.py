"""Homeward agency client example (Python 3.9+).

Three things an agency system does with Homeward, each a subcommand:

  submit    POST a report to intake as a CloudEvent (binary mode) with the agency's API key;
            retries keep the event id, so a retried report is answered with the first answer.
  produce   produce the same CloudEvent to the agency's own Kafka topic
            agency.reports.v1.<agencyId> (SASL/SCRAM-SHA-512), then poll intake for the outcome.
  webhook   receive a unit's alert webhooks and verify their Standard Webhooks signature.

Dependencies (requirements.txt): cloudevents (the CloudEvents SDK), standardwebhooks (the
signature scheme's own library), confluent-kafka (Kafka). Settings come from the environment:
see README.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Optional

from cloudevents.v1.conversion import to_binary
from cloudevents.v1.http import CloudEvent
from cloudevents.v1.kafka import to_binary as to_kafka_binary

REPORT_TYPE = "homeward.report.submitted"
# Statuses worth retrying with the same event id: rate limited, a conflict intake marks
# retriable (another copy of the report is being decided), and the platform or a proxy away.
RETRIABLE_STATUSES = {409, 429, 500, 502, 503, 504}


class ProblemError(Exception):
    """An RFC 9457 problem answer: `type`, `code`, `title`, `detail` and, for input, `errors`."""

    def __init__(self, status: int, problem: dict[str, Any], retry_after: Optional[float] = None):
        self.status = status
        self.problem = problem
        self.retry_after = retry_after
        super().__init__(f"{status} {problem.get('code')}: {problem.get('detail') or problem.get('title')}")

    @property
    def retriable(self) -> bool:
        # 409 is retriable only when intake says so (INTAKE_ERR_CONCURRENT_UPDATE); a reused id
        # with other content (INTAKE_ERR_ID_REUSED) never succeeds.
        if self.status == 409:
            return self.problem.get("code") == "INTAKE_ERR_CONCURRENT_UPDATE"
        return self.status in RETRIABLE_STATUSES


def env(name: str, default: Optional[str] = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        sys.exit(f"set {name} (see README.md)")
    return value


def report_event(agency_id: str, data: dict[str, Any], event_id: Optional[str] = None) -> CloudEvent:
    """A homeward.report.submitted CloudEvent; keep `event_id` to retry the same report."""
    return CloudEvent(
        {
            "type": REPORT_TYPE,
            "source": f"agency/{agency_id}",
            "id": event_id or str(uuid.uuid4()),
            "datacontenttype": "application/json",
        },
        data,
    )


def report_id_for(agency_id: str, event_id: str) -> str:
    """The report id intake derives from (agency, event id): what GET /v1/reports/{id} takes."""
    digest = hashlib.sha256(f"report\n{agency_id}\n{event_id}".encode()).digest()
    text = base64.urlsafe_b64encode(digest).decode().rstrip("=").replace("_", "x").replace("-", "y")
    return f"rpt-{text[:22]}"


def _request(method: str, url: str, api_key: str, body: Optional[bytes] = None,
             headers: Optional[dict[str, str]] = None, timeout: float = 10.0) -> tuple[int, dict[str, str], Any]:
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Authorization", f"Bearer {api_key}")
    req.add_header("Accept", "application/json, application/problem+json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, dict(res.headers), json.loads(res.read() or b"null")
    except urllib.error.HTTPError as err:
        raw = err.read()
        ctype = err.headers.get("content-type", "")
        problem = json.loads(raw) if raw and "json" in ctype else {"title": err.reason}
        if "problem+json" not in ctype:
            problem.setdefault("code", f"HTTP_{err.code}")
        retry_after = err.headers.get("retry-after")
        raise ProblemError(err.code, problem, float(retry_after) if retry_after and retry_after.isdigit() else None) from None


def submit(base_url: str, api_key: str, event: CloudEvent, attempts: int = 5) -> dict[str, Any]:
    """POSTs the report in binary mode; retries what may succeed later, always with the same ce-id."""
    headers, body = to_binary(event)
    headers = {k: str(v) for k, v in headers.items()}
    headers["content-type"] = "application/json"
    for attempt in range(1, attempts + 1):
        try:
            status, _, answer = _request("POST", f"{base_url}/v1/reports", api_key, body, headers)
            return {"status": status, **answer}
        except ProblemError as err:
            if not err.retriable or attempt == attempts:
                raise
            wait = err.retry_after or random.uniform(0, min(8.0, 0.25 * 2 ** attempt))
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            if attempt == attempts:
                raise
            wait = random.uniform(0, min(8.0, 0.25 * 2 ** attempt))
        time.sleep(wait)
    raise AssertionError("unreachable")


def report_status(base_url: str, api_key: str, report_id: str) -> Optional[dict[str, Any]]:
    """The report's status, or None while intake has not stored it (or refused it)."""
    try:
        return _request("GET", f"{base_url}/v1/reports/{report_id}", api_key)[2]
    except ProblemError as err:
        if err.status == 404:
            return None
        raise


def produce(event: CloudEvent, agency_id: str, brokers: str, password: str,
            topic_prefix: str = "", ssl_ca: Optional[str] = None) -> None:
    """Produces the report to agency.reports.v1.<agencyId>: binary mode, key = event id, acks=all."""
    from confluent_kafka import Producer  # imported here: `submit` and `webhook` do not need it

    config = {
        "bootstrap.servers": brokers,
        "security.protocol": "SASL_SSL" if ssl_ca else "SASL_PLAINTEXT",
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": f"agency.{agency_id}",
        "sasl.password": password,
        "enable.idempotence": True,
        "acks": "all",
        "client.id": f"agency.{agency_id}",
    }
    if ssl_ca:
        config["ssl.ca.location"] = ssl_ca
    message = to_kafka_binary(event, key_mapper=lambda e: e["id"])
    errors: list[Any] = []
    producer = Producer(config)
    producer.produce(
        f"{topic_prefix}agency.reports.v1.{agency_id}",
        key=message.key,
        value=message.value,
        headers=list(message.headers.items()),
        on_delivery=lambda err, _msg: errors.append(err) if err else None,
    )
    if producer.flush(30) > 0 or errors:
        raise RuntimeError(f"the report was not delivered: {errors or 'flush timed out'}")


def serve_webhooks(port: int, secret: str, on_event=None, host: str = "127.0.0.1") -> HTTPServer:
    """An HTTP server that accepts only correctly signed webhooks (204) and refuses the rest (401)."""
    from standardwebhooks import Webhook  # the scheme's own verifier: HMAC-SHA256, 5-minute tolerance

    verifier = Webhook(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                event = verifier.verify(body, headers)
            except Exception as err:  # WebhookVerificationError: bad signature, too old, missing header
                self.send_response(401)
                self.end_headers()
                print(json.dumps({"verified": False, "reason": str(err)}), flush=True)
                return
            # Deliveries are at least once: the webhook-id is the same on every retry of one delivery.
            print(json.dumps({"verified": True, "webhookId": headers.get("webhook-id"),
                              "type": event.get("type"), "subject": event.get("subject")}), flush=True)
            if on_event:
                on_event(event)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    return HTTPServer((host, port), Handler)


def _example_report(region: str) -> dict[str, Any]:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1800))
    return {
        "kind": "missing-child",
        "child": {"name": "Example Child", "sex": "female", "birthDate": "2019-05-04"},
        "lastSeen": {"at": now, "place": "Hefei South Railway Station", "lat": 31.7995, "lon": 117.2906,
                     "region": region},
        "reporter": {"name": "Example Parent", "phone": "+86 551 0000 0000"},
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("submit", "produce"):
        p = sub.add_parser(name)
        p.add_argument("--id", help="the CloudEvent id (keep it to retry the same report); a new UUID if unset")
        p.add_argument("--data", help="the report data as a JSON file; an example missing-child report if unset")
        p.add_argument("--region", default="340100", help="region of the example report")
    w = sub.add_parser("webhook")
    w.add_argument("--port", type=int, default=int(os.environ.get("PORT", "9000")))
    w.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    if args.command == "webhook":
        server = serve_webhooks(args.port, env("HOMEWARD_WEBHOOK_SECRET"), host=args.host)
        print(json.dumps({"listening": server.server_address[1]}), flush=True)
        server.serve_forever()
        return 0

    agency = env("HOMEWARD_AGENCY_ID")
    data = json.load(open(args.data, encoding="utf-8")) if args.data else _example_report(args.region)
    event = report_event(agency, data, args.id)
    base_url = env("HOMEWARD_INTAKE_URL", "http://127.0.0.1:8081")
    api_key = env("HOMEWARD_API_KEY")
    try:
        if args.command == "submit":
            print(json.dumps(submit(base_url, api_key, event)), flush=True)
            return 0
        produce(event, agency, env("HOMEWARD_KAFKA_BROKERS", "127.0.0.1:9092"), env("HOMEWARD_KAFKA_PASSWORD"),
                os.environ.get("HOMEWARD_TOPIC_PREFIX", ""), os.environ.get("HOMEWARD_KAFKA_CA_FILE"))
        report_id = report_id_for(agency, event["id"])
        deadline = time.monotonic() + float(os.environ.get("HOMEWARD_OUTCOME_WAIT_SECONDS", "30"))
        while time.monotonic() < deadline:
            status = report_status(base_url, api_key, report_id)
            if status:
                print(json.dumps({"produced": event["id"], **status}), flush=True)
                return 0
            time.sleep(0.5)
        # Not stored: still queued, or refused (the reason is in agency.reports.v1.dlq, read by operators).
        print(json.dumps({"produced": event["id"], "reportId": report_id, "status": "unknown"}), flush=True)
        return 3
    except ProblemError as err:
        print(json.dumps({"status": err.status, "problem": err.problem}), flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
