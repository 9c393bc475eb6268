"""What can go wrong with a shipment, each with its stable code (docs/api.md)."""

from __future__ import annotations

from retour.domain.errors import DomainError


class ShipmentExists(DomainError):
    """The return already has a label being made, usable or travelling: void it first. 409."""

    code = "shipment_exists"

    def __init__(self, return_number: str, shipment_id: int) -> None:
        super().__init__(
            f"return {return_number} already has shipment {shipment_id}; void it to make another",
            shipment_id=shipment_id,
        )


class LabelAddressedElsewhere(DomainError):
    """A label (or drop-off code) of the return is addressed to its location: void it before
    sending the return elsewhere. 409."""

    code = "label_addressed_elsewhere"

    def __init__(self, return_number: str, shipment_id: int, location: str) -> None:
        super().__init__(
            f"return {return_number} has shipment {shipment_id} addressed to {location}; "
            "void it first, then make a new one for the new location",
            shipment_id=shipment_id,
            location=location,
        )


class LabelUnavailable(DomainError):
    """The label cannot be handed out: pending, failed, voided or expired. 409."""

    code = "label_unavailable"

    def __init__(self, shipment_id: int, current_status: str) -> None:
        super().__init__(
            f"the label of shipment {shipment_id} is {current_status}",
            current_status=current_status,
        )


class CarrierRefusedShipment(DomainError):
    """The carrier said no; `reason` is its own, scrubbed of credentials. 422.

    The shipment stays `failed` with the reason; the return is untouched (still approved), and
    the request may be sent again with the same Idempotency-Key once the cause is fixed.
    """

    code = "carrier_refused"

    def __init__(self, carrier: str, shipment_id: int, reason: str) -> None:
        super().__init__(
            f"{carrier} refused: {reason}", shipment_id=shipment_id, carrier=carrier, reason=reason
        )


class CarrierDown(DomainError):
    """The carrier could not be reached or kept failing; nothing is lost. 503.

    The shipment stays `pending`; the same request with the same Idempotency-Key finishes
    it (the carrier is asked again with the same shipment id, so no second label is bought).
    """

    code = "carrier_unavailable"

    def __init__(self, carrier: str, shipment_id: int) -> None:
        super().__init__(
            f"{carrier} is not answering; send the same request again later",
            shipment_id=shipment_id,
            carrier=carrier,
        )


class AccountCredentialsUnreadable(DomainError):
    """A carrier account's API key or webhook secret was sealed with another
    RETOUR_SECRET_KEY: set it again. 409; names the account, never shows the value."""

    code = "credentials_unreadable"

    def __init__(self, carrier: str, credential: str) -> None:
        super().__init__(
            f"the store's {carrier} account's {credential} cannot be read: RETOUR_SECRET_KEY "
            "has changed since it was set; set it again (Settings → Carriers, or "
            f"`retour shipments account-set {carrier}`)",
            carrier=carrier,
            credential=credential,
        )
