"""Take in a carrier's tracking webhook: verified, once per delivery, its scans recorded.

The carrier posts to one URL for the whole installation, so the delivery belongs to the
store whose account's webhook secret verifies its signature; nothing else is trusted before
that. Nothing is written for a delivery that does not verify (401). A delivery taken in
before (the carrier's id for it) is a replay: answered, and nothing is done again. The
delivery and its scans are recorded in one transaction, so a failure midway leaves nothing
and the carrier's retry is taken in afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.services.context import Actor
from retour.services.errors import ConcurrentModification, NotFound, Unauthorized
from retour.services.shipments.accounts import account_of
from retour.services.shipments.common import load_shipment
from retour.services.shipments.errors import AccountCredentialsUnreadable
from retour.services.shipments.tracking import apply_scans
from retour.shipping.base import (
    CarrierAccount,
    CarrierRefused,
    TrackingDelivery,
    WebhookSignatureInvalid,
)
from retour.shipping.registry import Carriers

MAX_DELIVERY_ID = 100
log = logging.getLogger("retour.shipments")


class WebhookSignatureRefused(Unauthorized):
    """No store's webhook secret for the carrier verifies the delivery. 401."""

    code = "invalid_signature"


@dataclass(frozen=True)
class WebhookOutcome:
    #: True when the delivery was taken in before: nothing was done this time.
    replayed: bool
    #: The shipments whose scans it carried (new scans or not).
    shipment_ids: tuple[int, ...] = ()
    #: How many of its scans were new.
    new_scans: int = 0
    #: Its tracking numbers that are no shipment of the store (ignored).
    unknown_tracking_numbers: tuple[str, ...] = ()


def receive_tracking_webhook(
    uow: UnitOfWork,
    carriers: Carriers,
    carrier: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> WebhookOutcome:
    """Verify the delivery, then record it and its scans, once."""
    if carrier not in carriers.account_carriers():
        raise NotFound("carrier", carrier)
    lowered = {name.lower(): value for name, value in headers.items()}
    store_id, delivery = _verified(uow, carriers, carrier, lowered, body)
    if not 0 < len(delivery.delivery_id) <= MAX_DELIVERY_ID:
        raise InvalidRequest(f"the delivery id must have 1 to {MAX_DELIVERY_ID} characters",
                             field="body")  # fmt: skip
    try:
        return _take_in(uow, store_id, carrier, delivery, now)
    except ConcurrentModification:
        # The same delivery at the same moment, recorded by the other: now it is a replay.
        return _take_in(uow, store_id, carrier, delivery, now)


def _verified(
    uow: UnitOfWork, carriers: Carriers, carrier: str, headers: Mapping[str, str], body: bytes
) -> tuple[int, TrackingDelivery]:
    with uow:
        accounts = _readable_accounts(uow, carriers, carrier)
    for store_id, account in accounts:
        try:
            return store_id, carriers.for_account(account).parse_tracking_webhook(headers, body)
        except WebhookSignatureInvalid:
            continue
        except CarrierRefused as refusal:
            reason = f"{carrier} webhook not understood: {refusal.reason}"
            raise InvalidRequest(reason, field="body") from None
    raise WebhookSignatureRefused(
        f"the {carrier} webhook's signature does not verify with any store's webhook secret"
    )


def _readable_accounts(
    uow: UnitOfWork, carriers: Carriers, carrier: str
) -> list[tuple[int, CarrierAccount]]:
    """Every store's account with the carrier whose credentials open; one that does not
    (sealed with another secret key) is logged, by store, and verifies nothing."""
    accounts: list[tuple[int, CarrierAccount]] = []
    for row in uow.carrier_accounts.with_carrier(carrier):
        try:
            accounts.append((row.store_id, account_of(row, carriers.sealer)))
        except AccountCredentialsUnreadable as unreadable:
            log.warning("store %s: %s", row.store_id, unreadable.detail)
    return accounts


def _take_in(
    uow: UnitOfWork, store_id: int, carrier: str, delivery: TrackingDelivery, now: datetime
) -> WebhookOutcome:
    actor = Actor("carrier", carrier)
    with uow:
        if not uow.carrier_accounts.claim_delivery(store_id, carrier, delivery.delivery_id, now):
            return WebhookOutcome(replayed=True)
        shipment_ids: list[int] = []
        unknown: list[str] = []
        new_scans = 0
        for notice in delivery.notices:
            ids = uow.shipments.ids_by_tracking_number(store_id, carrier, notice.tracking_number)
            if not ids:
                unknown.append(notice.tracking_number)
            for shipment_id in ids:
                shipment = load_shipment(uow, store_id, shipment_id, for_update=True)
                new_scans += apply_scans(uow, shipment, notice.scans, actor, now)
                shipment_ids.append(shipment_id)
        uow.commit()
    return WebhookOutcome(False, tuple(shipment_ids), new_scans, tuple(unknown))
