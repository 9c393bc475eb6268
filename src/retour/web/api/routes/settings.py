"""The calling store's settings: money (fees, bonus, refunds, exchanges) and branding."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from retour.services.store_branding import store_branding, update_store_branding
from retour.services.store_settings import MoneySettings, money_settings, update_money_settings
from retour.web.api.deps import Api

router = APIRouter(prefix="/settings", tags=["settings"])

Minor = Annotated[int, Field(ge=0, le=10**9)]
BasisPoints = Annotated[int, Field(ge=0, le=10_000, description="1000 = 10 %")]


class MoneySettingsPublic(BaseModel):
    restocking_fee_bp: int
    restocking_fee_fixed: int
    return_shipping_fee: int
    label_cost: int
    store_credit_bonus_bp: int
    store_credit_bonus_fixed: int
    store_credit_bonus_cap: int | None
    waive_fees_for_store_credit: bool
    waive_fees_for_exchange: bool
    refund_original_shipping: bool
    auto_refund: str
    exchange_fallback: str
    store_credit_expiry_days: int | None

    @classmethod
    def from_service(cls, settings: MoneySettings) -> MoneySettingsPublic:
        return cls(**settings.__dict__)


class MoneySettingsUpdate(BaseModel):
    """Send only what changes; amounts are minor units of the store's currency."""

    model_config = ConfigDict(extra="forbid")

    restocking_fee_bp: BasisPoints | None = None
    restocking_fee_fixed: Minor | None = None
    return_shipping_fee: Minor | None = None
    label_cost: Minor | None = None
    store_credit_bonus_bp: BasisPoints | None = None
    store_credit_bonus_fixed: Minor | None = None
    store_credit_bonus_cap: Minor | None = None
    waive_fees_for_store_credit: bool | None = None
    waive_fees_for_exchange: bool | None = None
    refund_original_shipping: bool | None = None
    auto_refund: Literal["off", "on_approval", "on_receipt", "on_inspection"] | None = None
    exchange_fallback: Literal["store_credit", "refund"] | None = None
    store_credit_expiry_days: Annotated[int, Field(ge=1, le=3650)] | None = None


@router.get("/money", response_model=MoneySettingsPublic)
def get_money_settings_route(api: Api) -> MoneySettingsPublic:
    return MoneySettingsPublic.from_service(money_settings(api.uow(), api.store_id))


@router.patch("/money", response_model=MoneySettingsPublic)
def update_money_settings_route(body: MoneySettingsUpdate, api: Api) -> MoneySettingsPublic:
    """Fees, store-credit bonus and expiry, automatic refunds, exchange fallback.

    `null` clears `store_credit_bonus_cap` (no cap) and `store_credit_expiry_days` (never
    lapses); fields left out keep their value.
    """
    changes = body.model_dump(exclude_unset=True)
    nullable = {"store_credit_bonus_cap", "store_credit_expiry_days"}
    for name, value in list(changes.items()):
        if value is None and name not in nullable:
            del changes[name]
    settings = update_money_settings(api.uow(), api.store_id, changes)
    return MoneySettingsPublic.from_service(settings)


class BrandingPublic(BaseModel):
    name: str
    logo_url: str = Field(description="https:// address of the logo e-mails show; empty: none")
    primary_color: str = Field(description="#rrggbb of buttons and accents")
    button_text_color: str = Field(description="#rrggbb of button labels")
    reply_to: str = Field(description="where answers to e-mails go; empty: the From address")


class BrandingUpdate(BaseModel):
    """Send only what changes. Colours are `#rrggbb`; button text must keep a contrast of at
    least 4.5:1 on the primary colour (WCAG AA)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    logo_url: Annotated[str, Field(max_length=500)] | None = None
    primary_color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    button_text_color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    reply_to: Annotated[str, Field(max_length=254)] | None = None


@router.get("/branding", response_model=BrandingPublic)
def get_branding_route(api: Api) -> BrandingPublic:
    return BrandingPublic(**store_branding(api.uow(), api.store_id).__dict__)


@router.patch("/branding", response_model=BrandingPublic)
def update_branding_route(body: BrandingUpdate, api: Api) -> BrandingPublic:
    """The store's name, logo, colours and reply-to address, as e-mails show them."""
    changes = {name: value for name, value in body.model_dump(exclude_unset=True).items()
               if value is not None}  # fmt: skip
    return BrandingPublic(**update_store_branding(api.uow(), api.store_id, changes).__dict__)
