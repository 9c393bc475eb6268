"""Loading what an e-mail is about from the database: the store, the return with its lines,
order and customer, and a merchant's own template. Read-only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retour.db.models import (
    Customer,
    EmailTemplate,
    InventoryLocation,
    OrderRow,
    ReplacementLineRow,
    ReturnLineRow,
    ReturnReason,
    ReturnRow,
    ShipmentRow,
    StaffUser,
    Store,
)
from retour.db.repositories.shipments import location_address
from retour.domain.addresses import address_lines
from retour.domain.branding import DEFAULT_BUTTON_TEXT_COLOR, DEFAULT_PRIMARY_COLOR
from retour.domain.lines import ReturnMethod
from retour.domain.notifications import EMAIL_KINDS, Audience
from retour.domain.shipments import LabelStatus, ShipmentStatus
from retour.notifications.context import (
    LineFacts,
    ReturnFacts,
    StoreFacts,
)
from retour.notifications.templates import TemplateSource

#: Methods whose approval e-mail gives the return location's address: a parcel the shopper
#: sends themselves, or items brought in.
_ADDRESS_GIVEN_ON_APPROVAL = (ReturnMethod.SHIP_YOURSELF.value, ReturnMethod.IN_STORE.value)


def store_facts(store: Store) -> StoreFacts:
    """The store as e-mails see it, with its branding (defaults where it set none)."""
    return StoreFacts(
        id=store.id,
        slug=store.slug,
        name=store.name,
        locale=store.locale,
        currency=store.currency,
        timezone=store.timezone,
        logo_url=store.logo_url or "",
        primary_color=store.primary_color or DEFAULT_PRIMARY_COLOR,
        button_text_color=store.button_text_color or DEFAULT_BUTTON_TEXT_COLOR,
        reply_to=store.reply_to or "",
    )


def load_store(session: Session, store_id: int) -> StoreFacts | None:
    store = session.get(Store, store_id)
    return store_facts(store) if store is not None else None


def load_reasons(session: Session, store_id: int) -> dict[str, str]:
    """The store's return reason labels by code."""
    statement = select(ReturnReason.code, ReturnReason.label).where(
        ReturnReason.store_id == store_id
    )
    return {code: text for code, text in session.execute(statement)}


def reason_label(reasons: dict[str, str], code: str) -> str:
    """A reason's label among the store's `reasons`, else its code made readable."""
    return reasons.get(code, code.replace("_", " "))


def load_return(
    session: Session, store_id: int, return_id: int, reasons: dict[str, str] | None = None
) -> ReturnFacts | None:
    header = session.execute(
        select(ReturnRow, OrderRow.number, OrderRow.placed_at, Customer.name, Customer.locale)
        .join(OrderRow, OrderRow.id == ReturnRow.order_id)
        .outerjoin(Customer, Customer.id == OrderRow.customer_id)
        .where(ReturnRow.id == return_id, ReturnRow.store_id == store_id)
    ).one_or_none()
    if header is None:
        return None
    row, order_number, placed_at, customer_name, customer_locale = header
    lines = session.scalars(
        select(ReturnLineRow).where(ReturnLineRow.return_id == return_id).order_by(ReturnLineRow.id)
    ).all()
    if reasons is None:
        reasons = load_reasons(session, store_id)
    return ReturnFacts(
        id=row.id,
        number=row.number,
        status=row.status,
        method=row.return_method,
        resolution=row.resolution,
        currency=row.currency,
        created_at=row.created_at,
        approved_at=row.approved_at,
        expires_at=row.expires_at,
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        customer_note=row.customer_note,
        staff_message=row.staff_message,
        customer_email=row.customer_email,
        customer_name=customer_name or "",
        order_number=order_number,
        order_placed_at=placed_at,
        customer_locale=customer_locale or "",
        lines=[
            LineFacts(
                title=line.title,
                sku=line.sku,
                reason_code=line.reason_code,
                reason_label=reason_label(reasons, line.reason_code),
                note=line.reason_note,
                requested=line.requested_quantity,
                approved=line.approved_quantity,
                received=line.received_quantity,
                id=line.id,
            )
            for line in lines
        ],
    )


def recipient_name(
    session: Session, store_id: int, kind: str, email: str, ret: ReturnFacts | None
) -> str:
    if EMAIL_KINDS[kind] is Audience.SHOPPER:
        return ret.customer_name if ret is not None else ""
    name = session.scalars(
        select(StaffUser.name).where(StaffUser.store_id == store_id, StaffUser.email == email)
    ).first()
    return name or ""


def exchange_titles(session: Session, store_id: int, exchange_id: Any) -> dict[str, str]:
    if not isinstance(exchange_id, int):
        return {}
    rows = session.execute(
        select(ReplacementLineRow.sku, ReplacementLineRow.title).where(
            ReplacementLineRow.replacement_order_id == exchange_id,
            ReplacementLineRow.store_id == store_id,
        )
    ).all()
    return dict(rows)


def label_is_issued(session: Session, store_id: int, shipment_id: Any) -> bool:
    """Whether the shipment's label was made and has not been voided since."""
    if not isinstance(shipment_id, int):
        return False
    row = session.execute(
        select(ShipmentRow.label_status, ShipmentRow.status).where(
            ShipmentRow.id == shipment_id, ShipmentRow.store_id == store_id
        )
    ).one_or_none()
    return (
        row is not None
        and row.label_status == LabelStatus.ISSUED.value
        and row.status != ShipmentStatus.VOIDED.value
    )


def return_location(session: Session, store_id: int, return_id: int) -> tuple[str, list[str]]:
    """The code of the location the return goes to now, and its address as the post reads it
    (no lines: the location has no address)."""
    location = session.scalars(
        select(InventoryLocation)
        .join(ReturnRow, ReturnRow.location_id == InventoryLocation.id)
        .where(ReturnRow.id == return_id, ReturnRow.store_id == store_id)
    ).one()
    address = location_address(location)
    return location.code, [] if address.is_empty() else address_lines(address)


def approval_return_address(session: Session, store_id: int, ret: ReturnFacts) -> list[str]:
    """Where the approval e-mail tells the shopper to send or bring the items: the return's
    location's address now (the one staff chose if they moved it), for the methods without a
    label or drop-off code, which carry their own address; no lines otherwise."""
    if ret.method not in _ADDRESS_GIVEN_ON_APPROVAL:
        return []
    return return_location(session, store_id, ret.id)[1]


def load_custom_templates(session: Session, store_id: int) -> dict[tuple[str, str], TemplateSource]:
    """The store's own templates by (kind, locale)."""
    rows = session.scalars(select(EmailTemplate).where(EmailTemplate.store_id == store_id))
    return {
        (row.kind, row.locale): TemplateSource(subject=row.subject, html=row.html, text=row.text)
        for row in rows
    }


def load_custom_template(
    session: Session, store_id: int, kind: str, locale: str
) -> TemplateSource | None:
    row = session.scalars(
        select(EmailTemplate).where(
            EmailTemplate.store_id == store_id,
            EmailTemplate.kind == kind,
            EmailTemplate.locale == locale,
        )
    ).one_or_none()
    if row is None:
        return None
    return TemplateSource(subject=row.subject, html=row.html, text=row.text)
