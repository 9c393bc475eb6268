"""EasyPost's API on loopback, answering as its API reference documents.

Only what Retour calls is served, under `/v2` with HTTP Basic authentication (the API key as
the user name): `POST /shipments` (rates), `POST /shipments/{id}/buy` (the label, its tracker;
a shipment bought already is refused with 422), `GET /shipments/{id}/label?file_format=ZPL`,
`GET /shipments/{id}` (with its tracker's `tracking_details`), `GET /shipments` (the list,
newest first: `purchased`, `start_datetime`, `page_size`, `before_id`, `has_more`),
`POST /shipments/{id}/refund`; and Orders: `POST /orders` (one shipment per parcel, each
with its own rates; the order's `rates` are all of them), `POST /orders/{id}/buy` (`carrier`
and `service`: every shipment bought at its rate of those, each with its own tracking code,
label and tracker; an order bought already, or a rate one of its shipments lacks, is refused
with 422), `GET /orders/{id}`. Label files are under `/files/`: a real one-page 4×6 PDF
saying "EasyPost label" and the tracking code, and a ZPL format with the code. Errors are
EasyPost's error object `{"error": {"code", "message", "errors": [{"field", "message"}]}}`
(the codes are this fake's; Retour reads only the status and the messages).

    with FakeEasyPost(api_key="EZTK…") as easypost:
        easypost.reject_addresses = True   # 422 ADDRESS.VERIFY.FAILURE
        easypost.first_parcel_rate = ("USPS", "LibraryMail", "2.10")  # only an order's first
        easypost.fail_next(429, times=1)   # in front of everything, like its rate limiter
        easypost.fail_next(503, on="/v2/orders")  # the next request to that path
        easypost.lose_next_buy_answers(1)  # buys, then answers 500 (the answer is lost)
        easypost.lose_next_buy_answers(1, then_down=4)  # … and the next 4 requests fail
        easypost.add_scan("EZ1000000001", "in_transit", "2026-03-03T08:00:00Z")
"""

from __future__ import annotations

import base64
import io
import json
import threading
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

RATES = [("rate_express", "DHLExpress", "ExpressWorldwide", "31.20"),
         ("rate_cheap", "USPS", "GroundAdvantage", "7.58")]  # fmt: skip


class FakeEasyPost:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.reject_addresses = False
        #: Every request: (method, path, JSON body or None, Authorization header).
        self.requests: list[tuple[str, str, Any, str]] = []
        self.shipments: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        #: (carrier, service, price) offered to the first shipment of each order only.
        self.first_parcel_rate: tuple[str, str, str] | None = None
        self._files: dict[str, bytes] = {}
        self._failures: deque[tuple[int, str, str]] = deque()
        self._lost_buy_answers = 0
        self._down_after_lost_buy = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.root}/v2"

    def fail_next(self, status: int, times: int = 1, retry_after: str = "", on: str = "") -> None:
        """The next `times` requests answer `status`; with `on`, the next ones to that path
        (the failures queue up: one waiting for its path holds back those after it)."""
        self._failures.extend([(status, retry_after, on)] * times)

    def lose_next_buy_answers(self, times: int = 1, then_down: int = 0) -> None:
        """The next `times` purchases happen, but answer 500, as if the answer were lost; and
        the `then_down` requests after each such purchase answer 500 too."""
        self._lost_buy_answers += times
        self._down_after_lost_buy = then_down

    def label_file(self, name: str) -> bytes:
        """A label file as served, e.g. `shp_0001.pdf`, `shp_0001.zpl`."""
        return self._files[name]

    def bought(self) -> list[str]:
        """Ids of the shipments bought, in the order made."""
        return [id_ for id_, shipment in self.shipments.items() if shipment["postage_label"]]

    def add_scan(self, tracking_code: str, status: str, moment: str, message: str = "") -> None:
        for shipment in self.shipments.values():
            if shipment.get("tracking_code") == tracking_code:
                tracker = shipment["tracker"]
                tracker["status"] = status
                tracker["tracking_details"].append(_detail(status, moment, message))
                return
        raise KeyError(tracking_code)

    def __enter__(self) -> FakeEasyPost:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str, body: Any, auth: str) -> tuple[int, Any, str]:
        with self._lock:
            self.requests.append((method, path, body, auth))
            if self._failures and self._failures[0][2] in ("", path):
                status, retry_after, _ = self._failures.popleft()
                return status, _error("RATE_LIMITED" if status == 429 else "INTERNAL_SERVER_ERROR",
                                      "Try again later."), retry_after  # fmt: skip
            if path.startswith("/files/"):
                return 200, self._files[path.removeprefix("/files/")], ""
            expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
            if auth != expected:
                return 401, _error("APIKEY.INVALID", "Invalid API key."), ""
            return self._route(method, path.removeprefix("/v2"), body)

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any, str]:
        parts = urlsplit(path).path.strip("/").split("/")
        if parts[0] == "orders":
            return self._route_order(method, parts, body)
        if method == "POST" and parts == ["shipments"]:
            return self._create(body["shipment"])
        if method == "GET" and parts == ["shipments"]:
            return self._list(parse_qs(urlsplit(path).query))
        shipment = self.shipments.get(parts[1]) if len(parts) > 1 else None
        if shipment is None:
            return 404, _error("NOT_FOUND", "The requested resource could not be found."), ""
        if method == "POST" and parts[2:] == ["buy"]:
            return self._buy(shipment, body["rate"]["id"])
        if method == "GET" and parts[2:] == ["label"]:
            shipment["postage_label"]["label_zpl_url"] = f"{self.root}/files/{parts[1]}.zpl"
            return 200, shipment, ""
        if method == "POST" and parts[2:] == ["refund"]:
            shipment["refund_status"] = "submitted"
            return 200, shipment, ""
        if method == "GET" and parts[2:] == []:
            return 200, shipment, ""
        return 404, _error("NOT_FOUND", "The requested resource could not be found."), ""

    def _route_order(self, method: str, parts: list[str], body: Any) -> tuple[int, Any, str]:
        if method == "POST" and parts == ["orders"]:
            return self._create_order(body["order"])
        order = self.orders.get(parts[1]) if len(parts) > 1 else None
        if order is None:
            return 404, _error("NOT_FOUND", "The requested resource could not be found."), ""
        if method == "POST" and parts[2:] == ["buy"]:
            return self._buy_order(order, str(body.get("carrier", "")),
                                   str(body.get("service", "")))  # fmt: skip
        if method == "GET" and parts[2:] == []:
            return 200, order, ""
        return 404, _error("NOT_FOUND", "The requested resource could not be found."), ""

    def _create_order(self, given: dict[str, Any]) -> tuple[int, Any, str]:
        if self.reject_addresses:
            return _address_refused()
        order_id = f"order_{len(self.orders) + 1:04d}"
        shipments = []
        for position, parcel in enumerate(given["shipments"]):
            extra = [self.first_parcel_rate] if self.first_parcel_rate and not position else []
            _, shipment, _ = self._create(
                {**parcel, "to_address": given["to_address"],
                 "from_address": given["from_address"], "is_return": given.get("is_return")},
                extra_rates=extra,
            )  # fmt: skip
            shipments.append(shipment)
        order = {"id": order_id, "object": "Order", "mode": "test",
                 "reference": given.get("reference"), "is_return": given.get("is_return"),
                 "to_address": given["to_address"], "from_address": given["from_address"],
                 "shipments": shipments, "messages": [],
                 "rates": [rate for shipment in shipments for rate in shipment["rates"]],
                 "created_at": _now(), "updated_at": _now()}  # fmt: skip
        self.orders[order_id] = order
        return 200, order, ""

    def _buy_order(self, order: dict[str, Any], carrier: str, service: str) -> tuple[int, Any, str]:
        if any(shipment["postage_label"] for shipment in order["shipments"]):
            return 422, _error("ORDER.POSTAGE.BOUGHT", "The order is bought already."), ""
        chosen = []
        for shipment in order["shipments"]:
            offered = {(rate["carrier"], rate["service"]): rate for rate in shipment["rates"]}
            rate = offered.get((carrier, service))
            if rate is None:
                message = f"No {carrier} {service} rate for shipment {shipment['id']}."
                return 422, _error("ORDER.RATE.UNAVAILABLE", message), ""
            chosen.append((shipment, rate))
        for shipment, rate in chosen:
            self._purchase(shipment, rate)
        order["updated_at"] = _now()
        return self._answer_purchase(order)

    def _create(
        self, given: dict[str, Any], extra_rates: list[tuple[str, str, str]] | None = None
    ) -> tuple[int, Any, str]:
        if self.reject_addresses:
            return _address_refused()
        number = len(self.shipments) + 1
        shipment_id = f"shp_{number:04d}"
        offered = [(f"rate_{service.lower()}", carrier, service, price)
                   for carrier, service, price in extra_rates or []]  # fmt: skip
        rates = [
            {"id": f"{rate_id}_{number}", "object": "Rate", "carrier": carrier,
             "service": service, "rate": price, "currency": "USD", "shipment_id": shipment_id}
            for rate_id, carrier, service, price in RATES + offered
        ]  # fmt: skip
        shipment = {"id": shipment_id, "object": "Shipment", "is_return": given.get("is_return"),
                    "to_address": given["to_address"], "from_address": given["from_address"],
                    "parcel": given["parcel"], "reference": given.get("reference"),
                    "rates": rates, "messages": [], "selected_rate": None,
                    "postage_label": None, "tracking_code": None, "tracker": None,
                    "created_at": _now()}  # fmt: skip
        self.shipments[shipment_id] = shipment
        return 200, shipment, ""

    def _list(self, query: dict[str, list[str]]) -> tuple[int, Any, str]:
        newest_first = sorted(self.shipments.values(), key=lambda s: s["id"], reverse=True)
        if query.get("purchased") == ["true"]:
            newest_first = [shipment for shipment in newest_first if shipment["postage_label"]]
        if "start_datetime" in query:
            since = _moment(query["start_datetime"][0])
            newest_first = [s for s in newest_first if _moment(s["created_at"]) >= since]
        if "before_id" in query:
            newest_first = [s for s in newest_first if s["id"] < query["before_id"][0]]
        size = int(query.get("page_size", ["20"])[0])
        page = newest_first[:size]
        return 200, {"shipments": page, "has_more": len(newest_first) > size}, ""

    def _buy(self, shipment: dict[str, Any], rate_id: str) -> tuple[int, Any, str]:
        if shipment["postage_label"]:
            return 422, _error("SHIPMENT.POSTAGE.BOUGHT", "The shipment is bought already."), ""
        rate = next((rate for rate in shipment["rates"] if rate["id"] == rate_id), None)
        if rate is None:
            return 422, _error("SHIPMENT.RATE.INVALID", "Rate not found."), ""
        self._purchase(shipment, rate)
        return self._answer_purchase(shipment)

    def _purchase(self, shipment: dict[str, Any], rate: dict[str, Any]) -> None:
        number = int(shipment["id"].removeprefix("shp_"))
        code = f"EZ{number:010d}"
        self._files[f"{shipment['id']}.pdf"] = label_pdf(code)
        self._files[f"{shipment['id']}.zpl"] = label_zpl(code)
        shipment.update(
            selected_rate=rate,
            tracking_code=code,
            postage_label={
                "object": "PostageLabel",
                "label_file_type": "application/pdf",
                "label_url": f"{self.root}/files/{shipment['id']}.pdf",
            },
            tracker={
                "id": f"trk_{number:04d}",
                "object": "Tracker",
                "tracking_code": code,
                "status": "pre_transit",
                "carrier": rate["carrier"],
                "shipment_id": shipment["id"],
                "tracking_details": [],
            },
        )

    def _answer_purchase(self, bought: dict[str, Any]) -> tuple[int, Any, str]:
        if self._lost_buy_answers:
            self._lost_buy_answers -= 1
            self._failures.extend([(500, "", "")] * self._down_after_lost_buy)
            return 500, _error("INTERNAL_SERVER_ERROR", "Try again later."), ""
        return 200, bought, ""


def label_pdf(tracking_code: str) -> bytes:
    """The 4×6 inch label PDF the fake serves for a tracking code: one page."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(4 * inch, 6 * inch), invariant=True)
    canvas.drawString(20, 400, "EasyPost label")
    canvas.drawString(20, 380, tracking_code)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def label_zpl(tracking_code: str) -> bytes:
    return f"^XA^FO50,50^FD{tracking_code}^FS^XZ".encode()


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _address_refused() -> tuple[int, Any, str]:
    not_found = [{"field": "address", "message": "Address not found"}]
    return 422, _error("ADDRESS.VERIFY.FAILURE", "Unable to verify address.", not_found), ""


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _detail(status: str, moment: str, message: str) -> dict[str, Any]:
    return {"object": "TrackingDetail", "message": message or status, "status": status,
            "status_detail": "status_update", "datetime": moment, "source": "USPS",
            "tracking_location": {"object": "TrackingLocation", "city": "Berlin",
                                  "state": None, "country": "DE", "zip": "10115"}}  # fmt: skip


def tracker_event(event_id: str, tracker: dict[str, Any]) -> bytes:
    """The body of EasyPost's `tracker.updated` webhook Event for `tracker`."""
    event = {"id": event_id, "object": "Event", "mode": "test", "description": "tracker.updated",
             "previous_attributes": {}, "pending_urls": [], "completed_urls": [],
             "result": tracker}  # fmt: skip
    return json.dumps(event).encode()


def _error(code: str, message: str, errors: list[dict[str, str]] | None = None) -> Any:
    return {"error": {"code": code, "message": message, "errors": errors or []}}


def _handler(fake: FakeEasyPost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            self._serve(json.loads(raw) if raw else None)

        def _serve(self, body: Any) -> None:
            path = self.path
            query = parse_qs(urlsplit(path).query)
            if query.get("file_format") not in (None, ["ZPL"]):
                status, answer, retry_after = 422, _error("BAD_FORMAT", "Unknown format."), ""
            else:
                auth = self.headers.get("Authorization", "")
                status, answer, retry_after = fake.answer(self.command, path, body, auth)
            content = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(content)))
            if retry_after:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler
