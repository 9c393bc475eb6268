"""The return request body with the staff override of the return policy (docs/policy.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

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
