"""The store's carrier accounts (EasyPost): set, switch off and on, remove. The API key and
webhook secret are taken, stored sealed, and never shown again (docs/shipping.md)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from retour.services.shipments.accounts import (
    AccountChanges,
    CarrierAccountView,
    list_carrier_accounts,
    remove_carrier_account,
    set_carrier_account,
    store_default_carrier,
    switch_carrier_account,
)
from retour.web.api.deps import Api
from retour.web.api.routes.shipments import CarriersDep

router = APIRouter(prefix="/carrier-accounts", tags=["carrier accounts"])


class CarrierAccountPublic(BaseModel):
    carrier: str
    service: str = Field(description="the service bought; empty: the cheapest rate")
    has_webhook_secret: bool = Field(description="the secret itself is never shown")
    is_active: bool = Field(
        description="off: new labels are made by another account or the built-in carrier; "
        "its shipments are still voided and tracked"
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: CarrierAccountView) -> CarrierAccountPublic:
        return cls(carrier=view.carrier, service=view.service,
                   has_webhook_secret=view.has_webhook_secret, is_active=view.is_active,
                   created_at=view.created_at, updated_at=view.updated_at)  # fmt: skip


class CarrierAccountList(BaseModel):
    items: list[CarrierAccountPublic]
    default_carrier: str = Field(description="the carrier the store's new labels are made by")


class CarrierAccountSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: str | None = Field(default=None, description="needed for a new account; "
                                "absent: the account keeps its key")  # fmt: skip
    webhook_secret: str | None = Field(default=None, description="the tracking webhooks' "
                                       "signing secret; absent: kept; empty: none")  # fmt: skip
    service: str | None = Field(default=None, description="absent: kept; empty: cheapest rate")


class CarrierAccountSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_active: bool


@router.get("", response_model=CarrierAccountList)
def list_accounts_route(api: Api, carriers: CarriersDep) -> CarrierAccountList:
    accounts = list_carrier_accounts(api.uow(), api.store_id)
    return CarrierAccountList(
        items=[CarrierAccountPublic.of(account) for account in accounts],
        default_carrier=store_default_carrier(api.uow(), carriers, api.store_id),
    )


@router.put(
    "/{carrier}",
    response_model=CarrierAccountPublic,
    responses={422: {"description": "names the field (an unknown carrier: `carrier`)"}},
)
def set_account_route(
    carrier: str, body: CarrierAccountSet, api: Api, carriers: CarriersDep
) -> CarrierAccountPublic:
    """Create or change the store's account with `carrier`; from the next label on, the
    store's labels are bought with it (while it is on)."""
    changes = AccountChanges(body.api_key, body.webhook_secret, body.service)
    view = set_carrier_account(api.uow(), carriers, api.store_id, carrier, changes, api.clock.now())
    return CarrierAccountPublic.of(view)


@router.patch("/{carrier}", response_model=CarrierAccountPublic)
def switch_account_route(
    carrier: str, body: CarrierAccountSwitch, api: Api
) -> CarrierAccountPublic:
    """Switch the account off (its key and secret are kept) or on again."""
    view = switch_carrier_account(api.uow(), api.store_id, carrier, body.is_active, api.clock.now())
    return CarrierAccountPublic.of(view)


@router.delete("/{carrier}", status_code=204, response_class=Response)
def remove_account_route(carrier: str, api: Api) -> Response:
    """The store's labels are made by the built-in carrier again; shipments bought with the
    account keep their carrier (voiding or tracking them needs the account back)."""
    remove_carrier_account(api.uow(), api.store_id, carrier)
    return Response(status_code=204)
