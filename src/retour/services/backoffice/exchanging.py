"""Exchanges from the return's page, for a return the shopper wants exchanged: the variants of
the returned products with their stock, the exchange chosen so far, and choosing (or changing)
it. The exchange use cases (services/exchanges) keep the stock and money rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from retour.db.models import ReplacementOrderRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.exchanges import ExchangeKind
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.actions import StalePage, actor_of
from retour.services.backoffice.detail import return_id_of, version_of
from retour.services.exchanges.choosing import (
    CHOOSABLE,
    EXCHANGE_RESOLUTIONS,
    ItemChoice,
    choose_exchange,
)
from retour.services.exchanges.queries import VariantOption, exchange_options
from retour.services.exchanges.records import active_replacement
from retour.services.returns.common import load_return

KINDS = (ExchangeKind.SAME_PRODUCT.value, ExchangeKind.REPLACEMENT.value)


@dataclass(frozen=True)
class ExchangePanel:
    #: Every variant of the returned products, with price and sellable stock.
    options: list[VariantOption]
    current: ReplacementOrderRow | None
    #: The exchange can be chosen or changed now, and the role may.
    may_choose: bool


def exchange_panel(uow: UnitOfWork, staff: StaffMember, number: str) -> ExchangePanel | None:
    """None when the return is not to be exchanged."""
    ensure_permitted(staff, Permission.VIEW_RETURNS)
    with uow:
        ret = load_return(uow, staff.store_id, return_id_of(uow, staff.store_id, number))
        if ret.resolution not in EXCHANGE_RESOLUTIONS or ret.id is None:
            return None
        current = active_replacement(uow, ret)
        if current is not None:
            current.lines  # noqa: B018 - loaded before the session closes
        options = exchange_options(uow, staff.store_id, ret.id)
        may = ret.status in CHOOSABLE and staff.may(Permission.MOVE_MONEY)
    return ExchangePanel(options, current, may)


def choose_from_page(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    kind: str,
    wanted: dict[int, int],
    now: datetime,
) -> ReplacementOrderRow:
    """Choose (or change) the exchange: `wanted` is variant id → units; a replacement
    ignores it, as it sends the same items again. One transaction with the stale check."""
    ensure_permitted(staff, Permission.MOVE_MONEY)
    if kind not in KINDS:
        raise InvalidRequest("Choose another variant, or a replacement.", field="kind")
    exchange_kind = ExchangeKind(kind)
    choices = [ItemChoice(variant, units) for variant, units in sorted(wanted.items()) if units]
    if exchange_kind is ExchangeKind.SAME_PRODUCT and not choices:
        raise InvalidRequest("Say how many of which item to send instead.", field="items")
    with uow:
        return_id = return_id_of(uow, staff.store_id, number)
        current = load_return(uow, staff.store_id, return_id)
        if seen and version_of(current) != seen:
            raise StalePage(current.number, current.status.value)
        chosen = choose_exchange(
            uow, staff.store_id, return_id, exchange_kind, choices, actor_of(staff), now
        )
        chosen.lines  # noqa: B018 - loaded for the page before the session closes
        uow.commit()
    return chosen
