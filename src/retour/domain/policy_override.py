"""Staff override of a return's refund terms, with a reason: fees waived, the order's
original shipping refunded.

The policy's fees are enforced for shoppers; staff may override them with a recorded reason
(DESIGN.md §4). The override is kept with the return's policy decision (`terms_override`)
and read by the refund quote. It changes what is still to be refunded; refunds already made
are not recalculated. The latest override replaces the one before; each is on the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from retour.domain.errors import InvalidRequest
from retour.domain.inputs import required_text
from retour.domain.refund_quote import FeeCode

#: Where the override is kept in the return's policy decision.
DECISION_KEY = "terms_override"


@dataclass(frozen=True)
class TermsOverride:
    waived_fees: frozenset[FeeCode] = frozenset()
    refund_original_shipping: bool = False
    reason: str = ""

    def terms(self) -> tuple[frozenset[FeeCode], bool]:
        """What the override changes, without the reason given for it."""
        return self.waived_fees, self.refund_original_shipping

    def as_json(self) -> dict[str, Any]:
        return {
            "waived_fees": sorted(code.value for code in self.waived_fees),
            "refund_original_shipping": self.refund_original_shipping,
            "reason": self.reason,
        }


def fee_codes(values: Sequence[str], field: str = "waive_fees") -> frozenset[FeeCode]:
    """The fee codes named, or InvalidRequest naming the first unknown one's position."""
    known = {code.value: code for code in FeeCode}
    codes: set[FeeCode] = set()
    for index, value in enumerate(values):
        code = known.get(value.strip())
        if code is None:
            choices = ", ".join(known)
            raise InvalidRequest(f"no fee {value!r}; one of: {choices}", field=f"{field}.{index}")
        codes.add(code)
    return frozenset(codes)


def override_of(decision: Mapping[str, Any] | None) -> TermsOverride | None:
    """The override kept in a return's policy decision, if staff made one."""
    kept = (decision or {}).get(DECISION_KEY)
    if not kept:
        return None
    return TermsOverride(
        waived_fees=fee_codes(kept.get("waived_fees") or []),
        refund_original_shipping=bool(kept.get("refund_original_shipping")),
        reason=str(kept.get("reason") or ""),
    )


def changed_override(
    override: TermsOverride, decision: Mapping[str, Any] | None
) -> TermsOverride | None:
    """`override` with its reason checked, or None when it repeats the override in force
    (the same terms again change nothing); refused when there is nothing to override."""
    kept = replace(override, reason=required_text(override.reason, "reason"))
    earlier = override_of(decision) or TermsOverride()
    if earlier.terms() == kept.terms():
        if earlier.reason:
            return None
        raise InvalidRequest(
            "nothing to override: waive a fee or refund the original shipping",
            field="waive_fees",
        )
    return kept
