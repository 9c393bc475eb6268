"""A carrier that answers as told, for the paths the built-in one never takes: refusals,
outages, scans. It makes real labels with the built-in carrier, so its documents are real."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from retour.domain.shipments import Scan
from retour.shipping.base import (
    CarrierRefused,
    CarrierUnavailable,
    Label,
    LabelRequest,
    TrackingNotice,
    scrubbed,
)
from retour.shipping.builtin import BuiltinCarrier

API_KEY = "ek_live_SECRET_0123456789"


@dataclass
class ScriptedCarrier:
    """`refuse` (a reason, which may mention the key) or `outages` (how many calls fail)
    script create_label; `scans` is what fetch_tracking answers."""

    name: str = "scripted"
    api_key: str = API_KEY
    refuse: str = ""
    outages: int = 0
    #: A price of its own for each label, in minor units; None: none (like the built-in).
    cost: int | None = None
    scans: list[Scan] = field(default_factory=list)
    label_requests: list[LabelRequest] = field(default_factory=list)
    voided: list[str] = field(default_factory=list)

    def create_label(self, request: LabelRequest) -> Label:
        self.label_requests.append(request)
        if self.outages > 0:
            self.outages -= 1
            raise CarrierUnavailable(f"503 from the carrier (key {self.api_key})")
        if self.refuse:
            raise CarrierRefused(scrubbed(self.refuse, [self.api_key]))
        label = BuiltinCarrier().create_label(request)
        if self.cost is None:
            return label
        return Label(label.tracking_number, "express", label.documents,
                     label.carrier_reference, self.cost, "EUR", label.qr_payload)  # fmt: skip

    def void_label(self, tracking_number: str, carrier_reference: str) -> None:
        self.voided.append(tracking_number)

    def fetch_tracking(self, tracking_number: str, carrier_reference: str) -> list[Scan]:
        return list(self.scans)

    def parse_tracking_webhook(
        self, headers: Mapping[str, str], body: bytes
    ) -> list[TrackingNotice]:
        raise CarrierRefused("no webhooks here")
