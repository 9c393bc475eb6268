"""`retour credit …`: store-credit balances and the expiry job for cron."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from retour.cli_common import err, fail, open_uow, out
from retour.domain.errors import DomainError
from retour.domain.money import currency_precision
from retour.services.context import SystemClock
from retour.services.store_credit.expiry import ExpiryRun, expire_lapsed_credit
from retour.services.store_credit.queries import credit_balance
from retour.settings import get_settings

credit_app = typer.Typer(help="Store credit: balances and the expiry job.", no_args_is_help=True)


@credit_app.command("expire")
def credit_expire() -> None:
    """Write off store credit that has lapsed (safe to run from cron, as often as you like)."""
    settings = get_settings()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task("checking accounts")

        def report(run: ExpiryRun) -> None:
            progress.update(
                task, description=f"{run.checked} checked, {run.accounts} with credit expired"
            )

        run = expire_lapsed_credit(open_uow(settings), SystemClock().now(), progress=report)
    amounts = ", ".join(
        _minor_units(amount, currency) for currency, amount in sorted(run.amounts.items())
    )
    out.print(
        f"{run.accounts} account(s) had credit expired"
        + (f": {amounts}" if amounts else "")
        + f" ({run.checked} checked)"
    )


@credit_app.command("balance")
def credit_balance_show(
    code: Annotated[str, typer.Argument(help="the store-credit code, e.g. SC-ABCD-EFGH-JKMN")],
    store: Annotated[str, typer.Option(help="store slug")],
) -> None:
    """Show a code's balance, what is spendable now, and its lots."""
    settings = get_settings()
    uow = open_uow(settings)
    with uow:
        found = uow.stores.by_slug(store)
    if found is None:
        raise fail(f"no store {store!r}")
    try:
        view = credit_balance(uow, found.id, code, SystemClock().now())
    except DomainError as error:
        raise fail(error.detail) from error

    def money(amount: int) -> str:
        return _minor_units(amount, view.currency)

    out.print(f"{view.code}  {view.customer_email}")
    out.print(f"balance    {money(view.balance)}")
    out.print(f"spendable  {money(view.spendable)}")
    for lot in view.lots:
        lapses = lot.expires_at.date().isoformat() if lot.expires_at else "never"
        state = "lapsed" if lot.is_lapsed else f"lapses {lapses}"
        out.print(f"  lot {lot.entry_id}: {money(lot.remaining)} of {money(lot.issued)}, {state}")


def _minor_units(amount: int, currency: str) -> str:
    """`1250 EUR` → `12.50 EUR`: digits from CLDR, no locale, so cron logs read the same."""
    digits = currency_precision(currency)
    return f"{Decimal(amount).scaleb(-digits):.{digits}f} {currency}"
