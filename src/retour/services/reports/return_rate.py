"""Return rate by orders, by units and by value (per currency), in either cohort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select

from retour.db.models import ReturnLineFact as F
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.domain.reports.statistics import ratio
from retour.services.reports.rollups import sold_per_currency
from retour.services.reports.scope import Scope, fact_in_scope, open_scope


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
    """Orders placed in the period, their units and value per currency (sales tallies)."""
    sold = sold_per_currency(uow, scope.store_id, scope.period)
    orders = sum(currency.orders for currency in sold.values())
    units = sum(currency.units for currency in sold.values())
    value = {
        currency: figures.value
        for currency, figures in sold.items()
        if figures.units or figures.value
    }
    return orders, units, value


def _returns(uow: UnitOfWork, scope: Scope) -> tuple[int, int, dict[str, int]]:
    """Orders with a return in scope; units asked back and their value per currency (units
    and value count the lines of order lines, as the value needs a price)."""
    in_scope = fact_in_scope(scope)
    returned_orders = uow.session.scalar(select(func.count(distinct(F.order_id))).where(in_scope))
    per_currency = (
        select(F.currency, func.sum(F.units), func.coalesce(func.sum(F.value), 0))
        .where(in_scope, F.order_line_id.is_not(None))
        .group_by(F.currency)
    )
    units = 0
    returned: dict[str, int] = {}
    for currency, currency_units, value in uow.session.execute(per_currency):
        units += int(currency_units)
        returned[currency] = int(value or 0)
    return int(returned_orders or 0), units, returned
