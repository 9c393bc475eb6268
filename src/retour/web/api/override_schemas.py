"""Staff overrides of the return policy (docs/policy.md): the return request's, and the
refund terms of a return already made."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retour.domain.policy_override import TermsOverride
from retour.domain.refund_quote import FeeCode
from retour.web.api.schemas import ReturnCreate


class PolicyOverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ReturnCreateWithOverride(ReturnCreate):
    policy_override: PolicyOverrideIn | None = Field(
        default=None,
        description="staff only: create the return although the policy refuses lines, for "
        "this reason (kept with the return and on its timeline; it then waits for staff)",
    )


class TermsOverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    waive_fees: list[FeeCode] = Field(
        default_factory=list,
        max_length=len(FeeCode),
        description="fees not charged on this return from now on (none: the policy's fees)",
    )
    refund_original_shipping: bool = Field(
        default=False, description="refund the order's original shipping with the items"
    )
    reason: Annotated[str, Field(min_length=1, max_length=2000)]

    def override(self) -> TermsOverride:
        return TermsOverride(frozenset(self.waive_fees), self.refund_original_shipping, self.reason)
