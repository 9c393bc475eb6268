"""Settings: the index, users and roles, and API keys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.domain.staff import MIN_PASSWORD_LENGTH, NotPermitted, Permission, Role
from retour.services.backoffice.api_key_settings import create_key, list_api_keys, revoke_api_key
from retour.services.backoffice.staff_settings import (
    NewStaffUser,
    add_staff_user,
    change_role,
    deactivate_staff_user,
    list_staff,
    reactivate_staff_user,
)
from retour.web.api.key_cache import ApiKeyCache
from retour.web.backoffice import forms
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(prefix=f"{BASE}/settings", include_in_schema=False, route_class=BackOfficeRoute)

#: Each settings page: its path under /settings, title, what it is for, and who may open it.
PAGES = (
    ("users", "Users and roles", "Who works in this store and what each may do.",
     Permission.MANAGE_STAFF),
    ("store", "Store profile and branding",
     "Name, time zone, language, deadlines, automatic refunds, logo and colours.",
     Permission.CONFIGURE_STORE),
    ("reasons", "Return reasons", "The reasons shoppers choose from, in their order.",
     Permission.CONFIGURE_STORE),
    ("locations", "Return locations",
     "Where returns are sent: addresses, the default, rules by country or product tag.",
     Permission.CONFIGURE_STORE),
    ("policy", "Return policy",
     "Windows, fees, automatic decisions: edit, simulate on history, versions.",
     Permission.CONFIGURE_STORE),
    ("emails", "E-mails",
     "Which e-mails are sent, and their templates in each language, previewed before saving.",
     Permission.CONFIGURE_STORE),
    ("carriers", "Carriers",
     "The carriers labels are bought with: EasyPost accounts, what a label costs.",
     Permission.CONFIGURE_STORE),
    ("payments", "Payment providers",
     "Which provider refunds each payment gateway; fees and store-credit settings.",
     Permission.CONFIGURE_STORE),
    ("webhooks", "Webhooks", "The store's events sent to your systems as they happen.",
     Permission.CONFIGURE_STORE),
    ("api-keys", "API keys", "Keys for the JSON API: created, shown once, revoked.",
     Permission.CONFIGURE_STORE),
    ("audit", "Audit log", "Who changed which setting here, when, and to what.",
     Permission.CONFIGURE_STORE),
)  # fmt: skip
DONE = {
    "added": "The account is added.",
    "role": "The role is changed.",
    "deactivated": "The account is deactivated and signed out everywhere.",
    "reactivated": "The account is active again.",
    "revoked": "The key is revoked: it no longer opens the API.",
}


@router.get("")
def settings_page(request: Request) -> Response:
    visit = StaffVisit(request)
    pages = [page for page in PAGES if visit.staff.may(page[3])]
    if not pages:
        raise NotPermitted(visit.staff.role.value, Permission.CONFIGURE_STORE)
    return visit.page("settings.html", pages=pages)


@router.get("/users")
def users_page(request: Request) -> Response:
    return _users(StaffVisit(request))


@router.post("/users")
async def add_user(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        form = NewStaffUser(
            email=fields.get("email", ""), name=fields.get("name", ""),
            role=fields.get("role", ""), password=fields.get("password", ""),
            confirmation=fields.get("confirmation", ""),
        )  # fmt: skip
        add_staff_user(visit.new_uow(), visit.staff, form, visit.now)
    except DomainError as error:
        kept = {name: fields.get(name, "") for name in ("email", "name", "role")}
        return _users(visit, error, refusal_status(error), kept=kept, target="new")
    return visit.redirect("/settings/users?done=added")


@router.post("/users/{user_id}/role")
async def set_role(request: Request, user_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        fields = await visit.form()
        change_role(visit.new_uow(), visit.staff, user_id, fields.get("role", ""))
    except DomainError as error:
        return _users(visit, error, refusal_status(error), target=str(user_id))
    return visit.redirect(f"/settings/users?done=role#user-{user_id}")


@router.post("/users/{user_id}/deactivate")
async def deactivate(request: Request, user_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        fields = await visit.form()
        forms.confirmed(fields, "deactivate this account")
        deactivate_staff_user(visit.new_uow(), visit.staff, user_id, visit.now)
    except DomainError as error:
        return _users(visit, error, refusal_status(error), target=str(user_id))
    if user_id == visit.staff.user_id:
        return visit.redirect("/login")  # they deactivated themself: their session is over
    return visit.redirect(f"/settings/users?done=deactivated#user-{user_id}")


@router.post("/users/{user_id}/reactivate")
async def reactivate(request: Request, user_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        reactivate_staff_user(visit.new_uow(), visit.staff, user_id)
    except DomainError as error:
        return _users(visit, error, refusal_status(error), target=str(user_id))
    return visit.redirect(f"/settings/users?done=reactivated#user-{user_id}")


@router.get("/api-keys")
def api_keys_page(request: Request) -> Response:
    return _api_keys(StaffVisit(request))


@router.post("/api-keys")
async def add_api_key(request: Request) -> Response:
    """The new key on a page of its own, this once (a 200, not a redirect to a GET)."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        created = create_key(visit.new_uow(), visit.staff, fields.get("name", ""), visit.now)
    except DomainError as error:
        return _api_keys(
            visit, error, refusal_status(error), kept={"name": fields.get("name", "")}, target="new"
        )
    return visit.page("settings_api_key_created.html", created=created)


@router.post("/api-keys/{key_id}/revoke")
async def revoke(request: Request, key_id: int) -> Response:
    visit = StaffVisit(request)
    try:
        fields = await visit.form()
        forms.confirmed(fields, "revoke this key")
        revoke_api_key(visit.new_uow(), visit.staff, key_id, visit.now)
    except DomainError as error:
        return _api_keys(visit, error, refusal_status(error), target=str(key_id))
    # This process forgets the keys it had checked, so the revoked one is refused at once
    # here; other processes refuse it once their cache entry expires (key_cache.TTL_SECONDS).
    visit.state.api_keys = ApiKeyCache()
    return visit.redirect("/settings/api-keys?done=revoked")


def _users(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
    target: str = "",
) -> Response:
    users = list_staff(visit.new_uow(), visit.staff)
    return visit.page(
        "settings_users.html", status_code, users=users, roles=[role.value for role in Role],
        error=error, field=error.extra.get("field", "") if error else "", target=target,
        fields=kept or {}, done=DONE.get(visit.request.query_params.get("done", ""), ""),
        min_password=MIN_PASSWORD_LENGTH,
    )  # fmt: skip


def _api_keys(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
    target: str = "",
) -> Response:
    keys = list_api_keys(visit.new_uow(), visit.staff)
    return visit.page(
        "settings_api_keys.html", status_code, keys=keys, error=error,
        field=error.extra.get("field", "") if error else "", target=target, fields=kept or {},
        done=DONE.get(visit.request.query_params.get("done", ""), ""),
    )  # fmt: skip
