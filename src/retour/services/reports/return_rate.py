"""Return rate by orders, by units and by value (per currency), in either cohort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select

from retour.db.models import OrderLineRow, OrderRow, ReturnLineRow, ReturnRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.domain.reports.statistics import ratio
from retour.services.reports.scope import Scope, open_scope, orders_in_period, return_in_scope
from retour.services.reports.sql import line_value, returned_value


@dataclass(frozen=True)
class CurrencyValue:
    currency: str
    sold: int
    returned: int
    rate: float | None


@dataclass(frozen=True)
class ReturnRate:
    date_from: date
    date_to: date
    timezone: str
    cohort: Cohort
    orders: int
    returned_orders: int
    order_rate: float | None
    units_sold: int
    units_returned: int
    unit_rate: float | None
    #: One entry per currency: values of different currencies are never added.
    value: list[CurrencyValue]


def return_rate(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> ReturnRate:
    """Orders placed in the period against the returns the cohort puts in it."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        orders, units_sold, sold = _sales(uow, scope)
        returned_orders, units_returned, returned = _returns(uow, scope)
    currencies = sorted(set(sold) | set(returned))
    return ReturnRate(
        date_from=first_day,
        date_to=last_day,
        timezone=scope.period.timezone,
        cohort=cohort,
        orders=orders,
        returned_orders=returned_orders,
        order_rate=ratio(returned_orders, orders),
        units_sold=units_sold,
        units_returned=units_returned,
        unit_rate=ratio(units_returned, units_sold),
        value=[
            CurrencyValue(
                currency,
                sold.get(currency, 0),
                returned.get(currency, 0),
                ratio(returned.get(currency, 0), sold.get(currency, 0)),
            )
            for currency in currencies
        ],
    )


def _sales(uow: UnitOfWork, scope: Scope) -> tuple[int, int, dict[str, int]]:
    order_count = uow.session.scalar(select(func.count()).where(orders_in_period(scope)))
    per_currency = (
        select(
            OrderRow.currency,
            func.coalesce(func.sum(OrderLineRow.quantity), 0),
            func.coalesce(func.sum(line_value(OrderLineRow.quantity)), 0),
        )
        .join(OrderLineRow, OrderLineRow.order_id == OrderRow.id)
        .where(orders_in_period(scope))
        .group_by(OrderRow.currency)
    )
    units = 0
    sold: dict[str, int] = {}
    for currency, currency_units, value in uow.session.execute(per_currency):
        units += int(currency_units)
        sold[currency] = int(value)
    return int(order_count or 0), units, sold


def _returns(uow: UnitOfWork, scope: Scope) -> tuple[int, int, dict[str, int]]:
    returned_orders = uow.session.scalar(
        select(func.count(distinct(ReturnRow.order_id))).where(return_in_scope(scope))
    )
    per_currency = (
        select(
            ReturnRow.currency,
            func.coalesce(func.sum(ReturnLineRow.requested_quantity), 0),
            func.coalesce(func.sum(returned_value()), 0),
        )
        .join(ReturnLineRow, ReturnLineRow.return_id == ReturnRow.id)
        .join(OrderLineRow, OrderLineRow.id == ReturnLineRow.order_line_id)
        .where(return_in_scope(scope))
        .group_by(ReturnRow.currency)
    )
    units = 0
    returned: dict[str, int] = {}
    for currency, currency_units, value in uow.session.execute(per_currency):
        units += int(currency_units)
        returned[currency] = int(value)
    return int(returned_orders or 0), units, returned
