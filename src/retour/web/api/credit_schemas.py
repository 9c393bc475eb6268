"""Public JSON shapes of store credit: amounts are integers in the currency's minor unit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retour.services.store_credit.queries import CreditBalance, CustomerStatement
from retour.services.store_credit.spending import RecordedEntry

#: Below PostgreSQL's INTEGER limit with room to spare (ten million euros in cents).
MAX_AMOUNT = 1_000_000_000
# Strict: a JSON float (even 10.0) or string is refused; money is never a float.
MinorUnits = Annotated[
    int, Field(strict=True, ge=1, le=MAX_AMOUNT, description="minor units (cents, yen, fils…)")
]
SignedMinorUnits = Annotated[
    int,
    Field(strict=True, ge=-MAX_AMOUNT, le=MAX_AMOUNT, description="minor units; negative takes"),
]
Reason = Annotated[str, Field(min_length=1, max_length=5000)]
ExpiresInDays = Annotated[
    int | None,
    Field(
        ge=1, le=36_500, description="days until the credit lapses; the store's default if omitted"
    ),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RedemptionCreate(_In):
    amount: MinorUnits
    reference: Annotated[
        str, Field(max_length=255, description="the shop's checkout or order reference")
    ] = ""


class AdjustmentCreate(_In):
    amount: SignedMinorUnits
    reason: Reason
    expires_in_days: ExpiresInDays = None


class CreditGrantCreate(_In):
    # Checked by the use case, which names the field; the limits here only stop abuse.
    customer_email: Annotated[str, Field(max_length=1000)]
    currency: Annotated[str, Field(max_length=1000, description="ISO 4217, e.g. EUR")]
    amount: MinorUnits
    reason: Reason
    expires_in_days: ExpiresInDays = None


class CreditEntryPublic(BaseModel):
    """One ledger entry; `amount` is signed (redemptions and expiries are negative)."""

    id: int
    code: str
    customer_email: str
    currency: str
    kind: str
    amount: int
    balance_after: int
    expires_at: datetime | None
    reason: str
    reference: str
    actor: str
    created_at: datetime

    @classmethod
    def from_recorded(cls, recorded: RecordedEntry) -> CreditEntryPublic:
        account, entry = recorded.account, recorded.entry
        return cls(
            id=entry.id,
            code=account.code,
            customer_email=account.customer_email,
            currency=account.currency,
            kind=entry.kind,
            amount=entry.amount,
            balance_after=recorded.balance_after,
            expires_at=entry.expires_at,
            reason=entry.reason,
            reference=entry.reference,
            actor=entry.actor,
            created_at=entry.created_at,
        )


class _FromData(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CreditLotPublic(_FromData):
    entry_id: int
    issued: int
    remaining: int
    expires_at: datetime | None
    is_lapsed: bool


class CreditBalancePublic(_FromData):
    code: str
    customer_email: str
    currency: str
    balance: int = Field(description="the sum of the ledger")
    spendable: int = Field(description="what a redemption may take now (lapsed credit excluded)")
    lots: list[CreditLotPublic]

    @classmethod
    def from_view(cls, view: CreditBalance) -> CreditBalancePublic:
        return cls.model_validate(view)


class StatementLinePublic(_FromData):
    id: int
    kind: str
    amount: int
    balance_after: int
    expires_at: datetime | None
    reason: str
    reference: str
    actor: str
    created_at: datetime


class AccountStatementPublic(_FromData):
    code: str
    currency: str
    balance: int
    spendable: int
    entries: list[StatementLinePublic]


class CustomerStatementPublic(_FromData):
    customer_email: str
    accounts: list[AccountStatementPublic]

    @classmethod
    def from_view(cls, view: CustomerStatement) -> CustomerStatementPublic:
        return cls.model_validate(view)
