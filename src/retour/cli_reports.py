"""`retour report …`: the analytics reports in a terminal (docs/metrics.md defines them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.domain.money import currency_precision
from retour.domain.reports.periods import Cohort
from retour.services.reports.breakdowns import Grouping, reasons_breakdown, resolution_mix
from retour.services.reports.decisions import policy_decisions
from retour.services.reports.money import refund_totals
from retour.services.reports.outcomes import repeat_returners
from retour.services.reports.return_rate import return_rate
from retour.services.reports.scope import report_period, report_store
from retour.services.reports.timing import Duration, time_to_refund
from retour.settings import get_settings

report_app = typer.Typer(
    help="Analytics: return rates, reasons, money, timings.", no_args_is_help=True
)
_out = Console(soft_wrap=True, markup=False, highlight=False)
_err = Console(stderr=True, soft_wrap=True)

#: Reasons listed in the summary, most units first.
TOP_REASONS = 5
COHORT_LABELS = {Cohort.ORDER_DATE: "by order date", Cohort.RETURN_DATE: "by return date"}


@report_app.command("summary")
def summary(
    date_from: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first day (YYYY-MM-DD)")
    ],
    date_to: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last day, inclusive")
    ],
    store: Annotated[
        str | None, typer.Option(help="store slug (default: the only store there is)")
    ] = None,
    cohort: Annotated[
        Cohort, typer.Option(help="put returns in the period by their order's date or their own")
    ] = Cohort.ORDER_DATE,
) -> None:
    """Print the period's key figures as a text table, in the store's timezone."""
    uow = UnitOfWork(create_session_factory(create_db_engine(get_settings())))
    try:
        rows, heading = summary_rows(uow, store, date_from.date(), date_to.date(), cohort)
    except DomainError as error:
        field = error.extra.get("field")
        prefix = f"--{field}: " if field else ""
        _err.print(f"[red]error:[/red] {prefix}{error.detail}")
        raise typer.Exit(1) from error
    _out.print(heading)
    _out.print(table(rows))


def summary_rows(
    uow: UnitOfWork, slug: str | None, first: date, last: date, cohort: Cohort
) -> tuple[list[tuple[str, str]], str]:
    """The summary's (figure, value) rows and its heading."""
    store_id, store_slug = report_store(uow, slug)
    period = report_period(uow, store_id, first, last)
    heading = (
        f"Returns {first} – {last} ({period.timezone}), {COHORT_LABELS[cohort]}, store {store_slug}"
    )
    args = (uow, store_id, first, last, cohort)
    rate = return_rate(*args)
    rows = [
        ("orders placed", str(rate.orders)),
        ("orders with a return", f"{rate.returned_orders} ({_percent(rate.order_rate)})"),
        (
            "units returned",
            f"{rate.units_returned} of {rate.units_sold} ({_percent(rate.unit_rate)})",
        ),
    ]
    rows += [
        (f"value returned, {v.currency}",
         f"{_money(v.returned, v.currency)} of {_money(v.sold, v.currency)} ({_percent(v.rate)})")
        for v in rate.value
    ]  # fmt: skip
    refunded: dict[str, tuple[int, int, int]] = {}
    for total in refund_totals(*args):
        if total.status == "succeeded":
            count, amount, bonus = refunded.get(total.currency, (0, 0, 0))
            refunded[total.currency] = (
                count + total.count, amount + total.amount, bonus + total.bonus_amount
            )  # fmt: skip
    rows += [
        (f"refunded, {currency}",
         f"{_money(amount, currency)} in {count} refund(s), bonus {_money(bonus, currency)}")
        for currency, (count, amount, bonus) in sorted(refunded.items())
    ]  # fmt: skip
    rows += [
        (f"revenue retained, {kept.currency}",
         f"{_money(kept.retained_value, kept.currency)} of "
         f"{_money(kept.returned_value, kept.currency)} ({_percent(kept.rate)})")
        for kept in resolution_mix(*args).retained
    ]  # fmt: skip
    for duration in time_to_refund(*args):
        label = duration.name.replace("_", " ")
        rows.append((f"time to refund {label}", _hours(duration)))
    repeat = repeat_returners(*args)
    rows.append(
        ("repeat returners",
         f"{repeat.repeat_customers} of {repeat.customers} customer(s) "
         f"({_percent(repeat.share_of_customers)})")
    )  # fmt: skip
    reasons = reasons_breakdown(*args, Grouping.REASON)[:TOP_REASONS]
    rows.append(("top reasons", ", ".join(f"{r.reason_code} {r.units}" for r in reasons) or "—"))
    decided: dict[str, int] = {}
    for decision in policy_decisions(*args):
        decided[decision.outcome] = decided.get(decision.outcome, 0) + decision.returns
    rows.append(
        ("policy decisions", ", ".join(f"{name} {n}" for name, n in sorted(decided.items())) or "—")
    )
    return rows, heading


def table(rows: list[tuple[str, str]]) -> str:
    """Two left-aligned columns under a header, separated by two spaces."""
    rows = [("figure", "value"), *rows]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}".rstrip() for label, value in rows]
    lines.insert(1, "-" * width + "  " + "-" * max(len(value) for _, value in rows))
    return "\n".join(lines)


def _money(amount: int, currency: str) -> str:
    digits = currency_precision(currency)
    return f"{Decimal(amount).scaleb(-digits):.{digits}f} {currency}"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %"


def _hours(duration: Duration) -> str:
    if not duration.count:
        return "—"
    return (
        f"median {duration.median_hours} h, p90 {duration.p90_hours} h ({duration.count} refund(s))"
    )
