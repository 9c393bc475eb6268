"""`retour policy …`: try a draft return policy on the store's history before it goes live."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError
from retour.domain.money import currency_precision
from retour.domain.policy import InvalidPolicy
from retour.services.policy.simulation import SimulationResult, simulate_policy
from retour.settings import get_settings

policy_app = typer.Typer(help="The return policy: what-if simulation.", no_args_is_help=True)
_out = Console(soft_wrap=True, markup=False, highlight=False)
_err = Console(stderr=True, soft_wrap=True)


@policy_app.command("simulate")
def simulate(
    draft: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="policy JSON")],
    store: Annotated[str, typer.Option(help="store slug")],
    since: Annotated[
        str | None, typer.Option(help="only returns asked for since this day (YYYY-MM-DD)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    processes: Annotated[
        int, typer.Option(min=1, max=64, help="share the customers out between processes")
    ] = 1,
) -> None:
    """Re-decide the store's past returns under DRAFT and under the live policy; report what
    would change (eligibility, fees, refunds, bonus, automatic approvals, keep-item), and
    which lines nobody returned would become or stop being eligible."""
    try:
        document = json.loads(draft.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise _fail(f"{draft}: not JSON: {error.msg} at line {error.lineno}") from error
    try:
        since_at = datetime.combine(date.fromisoformat(since), time(), UTC) if since else None
    except ValueError as error:
        raise _fail(f"--since: not a date (YYYY-MM-DD): {since!r}") from error
    uow = UnitOfWork(create_session_factory(create_db_engine(get_settings())))
    with uow:
        found = uow.stores.by_slug(store)
        currency = found.currency if found is not None else ""
    if found is None:
        raise _fail(f"no store {store!r}")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=_err, disable=as_json,
    ) as bar:  # fmt: skip
        task = bar.add_task("re-deciding returns", total=None)
        lines_task = bar.add_task("never-returned lines", total=None)
        try:
            result = simulate_policy(
                uow, found.id, document, since_at, processes=processes,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                lines_progress=lambda done, total: bar.update(
                    lines_task, completed=done, total=total
                ),
            )  # fmt: skip
        except InvalidPolicy as invalid:
            for pointer, message in invalid.errors:
                _err.print(f"{pointer or '/'}: {message}")
            raise _fail(f"{draft}: {invalid.detail}") from invalid
        except DomainError as error:
            raise _fail(error.detail) from error
    if as_json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        _print_report(result, currency)


def _print_report(result: SimulationResult, currency: str) -> None:
    data = result.as_json()
    live = f"live version {result.live_version}" if result.live_version else "built-in policy"
    _out.print(
        f"{data['returns_evaluated']} return(s), {data['lines_evaluated']} line(s) re-decided "
        f"under the draft and the {live} ({data['returns_skipped']} skipped)"
    )
    eligibility = data["eligibility"]
    _out.print(
        f"eligibility    {eligibility['lines_newly_refused']} line(s) newly refused, "
        f"{eligibility['lines_newly_admitted']} newly admitted"
        + _examples(eligibility["returns_newly_refused"]["examples"], "refused")
        + _examples(eligibility["returns_newly_admitted"]["examples"], "admitted")
    )
    for name, label in (("fees", "fees"), ("refunds", "refunds"),
                        ("store_credit_bonus", "bonus cost")):  # fmt: skip
        amounts = data[name]
        _out.print(
            f"{label:<14} {_money(amounts['live'], currency)} → "
            f"{_money(amounts['draft'], currency)} ({_signed(amounts['delta'], currency)})"
            + _examples(amounts["examples"], "most changed")
        )
    approval = data["automatic_approval"]
    _out.print(
        f"auto-approved  {approval['live']['approve']} → {approval['draft']['approve']} "
        f"({_percent(approval['live']['approval_rate_bp'])} → "
        f"{_percent(approval['draft']['approval_rate_bp'])}); "
        f"{approval['changes']['count']} decision(s) change"
        + _examples(approval["changes"]["examples"], "changed")
    )
    keep = data["keep_item"]
    _out.print(
        f"keep-item      {keep['live']} → {keep['draft']}"
        + _examples(keep["changes"]["examples"], "changed")
    )
    for rule, count in list(eligibility["refusals_draft"].items())[:5]:
        _out.print(f"  draft refuses {count} × {rule}")
    unreturned = data["unreturned_lines"]
    eligible = unreturned["eligible"]
    becoming, no_longer = unreturned["becoming_eligible"], unreturned["no_longer_eligible"]
    _out.print(
        f"never returned {unreturned['lines_evaluated']} line(s) asked back on their last day "
        f"({unreturned['lines_skipped']} skipped): eligible {eligible['live']} → "
        f"{eligible['draft']}; {becoming['count']} become eligible"
        + _line_examples(becoming["examples"])
        + f"; {no_longer['count']} no longer eligible"
        + _line_examples(no_longer["examples"])
    )
    for rule, count in list(unreturned["refusals_draft"].items())[:5]:
        _out.print(f"  draft refuses {count} never-returned × {rule}")


def _examples(examples: list[dict[str, Any]], label: str) -> str:
    if not examples:
        return ""
    return f"; {label}: " + ", ".join(example["number"] for example in examples)


def _line_examples(examples: list[dict[str, Any]]) -> str:
    if not examples:
        return ""
    return " (" + ", ".join(f"{line['order_number']} {line['sku']}" for line in examples) + ")"


def _money(amount: int, currency: str) -> str:
    digits = currency_precision(currency)
    return f"{Decimal(amount).scaleb(-digits):.{digits}f} {currency}"


def _signed(amount: int, currency: str) -> str:
    return ("+" if amount >= 0 else "-") + _money(abs(amount), currency)


def _percent(basis_points: int) -> str:
    return f"{basis_points / 100:.1f} %"


def _fail(message: str) -> typer.Exit:
    _err.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)
