"""Reading the back office's posted forms into the services' inputs; a bad field is refused
with its name."""

from __future__ import annotations

from typing import TypeVar

from retour.domain.errors import InvalidRequest
from retour.domain.inputs import InspectionInput, Receipt
from retour.domain.lines import Disposition, Grade
from retour.domain.policy.sentences import amount_text
from retour.domain.returns import Return
from retour.services.backoffice.station import StationLine, UnitGrade

E = TypeVar("E", Grade, Disposition)


def whole_number(fields: dict[str, str], name: str, default: int = 0) -> int:
    text = fields.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise InvalidRequest(f"{name} must be a whole number of units, not {text!r}", field=name)
    return int(text)


def line_ids(ret: Return) -> list[int]:
    return [line.id for line in ret.lines if line.id is not None]


def approved_quantities(fields: dict[str, str], ret: Return) -> dict[int, int] | None:
    """Line id → units to approve; None when every requested unit is approved."""
    quantities = {
        line.id: whole_number(fields, f"approve-{line.id}", line.requested_quantity)
        for line in ret.lines
        if line.id is not None and not line.is_unexpected
    }
    full = all(
        quantities[line.id] == line.requested_quantity
        for line in ret.lines
        if line.id in quantities
    )
    return None if full else quantities


def edited_quantities(fields: dict[str, str], ret: Return) -> dict[int, int]:
    """Line id → approved units from the *Edit quantities* form, for each line it shows (a
    line left blank keeps its units)."""
    return {
        line.id: whole_number(fields, f"quantity-{line.id}", line.approved_quantity)
        for line in ret.lines
        if line.id is not None and line.is_quantity_editable
    }


def receipts(fields: dict[str, str], ret: Return) -> list[Receipt]:
    found: list[Receipt] = []
    for line_id in line_ids(ret):
        units = whole_number(fields, f"receive-{line_id}")
        wrong = whole_number(fields, f"wrong-{line_id}")
        if wrong > units:
            raise InvalidRequest(
                "wrong items cannot be more than the units received", field=f"wrong-{line_id}"
            )
        if units - wrong:
            found.append(Receipt(line_id, units - wrong))
        if wrong:
            found.append(Receipt(line_id, wrong, is_wrong_item=True))
    if not found:
        raise InvalidRequest("Enter the units that arrived.", field="lines")
    return found


def verdicts(fields: dict[str, str], ret: Return) -> list[InspectionInput]:
    found: list[InspectionInput] = []
    for line_id in line_ids(ret):
        units = whole_number(fields, f"inspect-{line_id}")
        if not units:
            continue
        found.append(
            InspectionInput(
                line_id,
                units,
                fields.get(f"outcome-{line_id}", "accepted") == "accepted",
                choice(Grade, fields, f"grade-{line_id}", Grade.A),
                choice(Disposition, fields, f"disposition-{line_id}", Disposition.RESTOCK),
                fields.get(f"note-{line_id}", "").strip(),
            )
        )
    if not found:
        raise InvalidRequest("Enter the units you inspected.", field="lines")
    return found


def station_lines(fields: dict[str, str], ret: Return) -> list[StationLine]:
    lines = []
    for line in ret.lines:
        if line.id is None or line.awaiting_receipt_quantity == 0:
            continue
        whole = UnitGrade(
            choice(Grade, fields, f"grade-{line.id}", Grade.A),
            choice(Disposition, fields, f"disposition-{line.id}", Disposition.RESTOCK),
            fields.get(f"outcome-{line.id}", "accepted") == "accepted",
            fields.get(f"note-{line.id}", "").strip(),
        )
        lines.append(
            StationLine(
                line.id,
                whole_number(fields, f"received-{line.id}", line.awaiting_receipt_quantity),
                whole_number(fields, f"wrong-{line.id}"),
                whole.grade,
                whole.disposition,
                whole.is_accepted,
                whole.note,
                fields.get(f"instead-{line.id}", "").strip(),
                _unit_grades(fields, f"{line.id}", line.awaiting_receipt_quantity, whole),
            )
        )
    return lines


def _unit_grades(
    fields: dict[str, str], line: str, count: int, whole: UnitGrade
) -> tuple[UnitGrade, ...]:
    """Units graded one by one (`grade-{line}-{n}`, …; empty: as the line), or () when no
    unit was graded apart."""
    named = [f"{kind}-{line}-{n}" for n in range(1, count + 1)
             for kind in ("grade", "disposition", "outcome", "note")]  # fmt: skip
    if not any(fields.get(name, "").strip() for name in named):
        return ()
    return tuple(
        UnitGrade(
            choice(Grade, fields, f"grade-{line}-{n}", whole.grade),
            choice(Disposition, fields, f"disposition-{line}-{n}", whole.disposition),
            {"accepted": True, "rejected": False}.get(
                fields.get(f"outcome-{line}-{n}", ""), whole.is_accepted
            ),
            fields.get(f"note-{line}-{n}", "").strip() or whole.note,
        )
        for n in range(1, count + 1)
    )


def choice(kind: type[E], fields: dict[str, str], name: str, default: E) -> E:
    text = fields.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidRequest(f"{name} must be one of {allowed}", field=name) from None


def confirmed(fields: dict[str, str], what: str) -> None:
    if fields.get("confirm") != "yes":
        raise InvalidRequest(f"Tick the box to confirm that you want to {what}.", field="confirm")


def amount_field(amount: int, currency: str) -> str:
    """An amount as a form shows it to be typed again: 450 EUR → `4.50`."""
    return amount_text(amount, currency).removesuffix(f" {currency}")
