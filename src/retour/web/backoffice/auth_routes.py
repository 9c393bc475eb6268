"""Signing in and out of the back office."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import RedirectResponse, Response

from retour.domain.errors import DomainError, InvalidRequest
from retour.notifications.staff_mail import send_reset_letters
from retour.services.staff.password_reset import (
    LINK_UNUSABLE,
    RESET_LIFETIME,
    request_password_reset,
    reset_link_is_usable,
    reset_password,
)
from retour.services.staff.signing_in import SESSION_LIFETIME, sign_in, sign_out
from retour.web.backoffice.visit import BASE, SESSION_COOKIE, BackOfficeRoute, StaffVisit

router = APIRouter(prefix=BASE, include_in_schema=False, route_class=BackOfficeRoute)
STYLESHEET = (Path(__file__).parent / "static" / "backoffice.css").read_text()


@router.get("/backoffice.css")
def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    visit = StaffVisit(request, signed_in=False)
    return visit.page("login.html", fields={}, error=None, next=_safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    visit = StaffVisit(request, signed_in=False)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        signed = sign_in(
            visit.new_uow(), fields.get("email", ""), fields.get("password", ""), visit.now,
            fields.get("store", ""),
        )  # fmt: skip
    except DomainError as error:
        status = 429 if error.code == "account_locked" else 400
        kept = {"email": fields.get("email", ""), "store": fields.get("store", "")}
        response = visit.page(
            "login.html", status, fields=kept, error=error, next=_safe_next(fields.get("next", ""))
        )
        if "retry_after" in error.extra:
            response.headers["Retry-After"] = str(error.extra["retry_after"])
        return response
    response = visit.secured(_redirect_to(_safe_next(fields.get("next", ""))))
    response.set_cookie(
        SESSION_COOKIE, signed.token, path=BASE, max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True, samesite="strict", secure=visit.is_https,
    )  # fmt: skip
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    visit = StaffVisit(request, signed_in=False)
    await visit.form()
    sign_out(visit.new_uow(), request.cookies.get(SESSION_COOKIE), visit.now)
    response = visit.redirect("/login?signed_out=1")
    response.delete_cookie(SESSION_COOKIE, path=BASE)
    return response


@router.get("/password-reset")
def password_reset_page(request: Request) -> Response:
    visit = StaffVisit(request, signed_in=False)
    return visit.page("password_reset.html", fields={}, error=None, sent=False)


@router.post("/password-reset")
async def ask_for_password_reset(request: Request, background: BackgroundTasks) -> Response:
    """The same answer whether the address has an account or not; the e-mail goes out after
    the answer, so that the answer takes as long either way."""
    visit = StaffVisit(request, signed_in=False)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        letters = request_password_reset(visit.new_uow(), fields.get("email", ""), visit.now)
    except DomainError as error:
        return visit.page("password_reset.html", 400, fields=fields, error=error, sent=False)
    background.add_task(send_reset_letters, visit.state.settings, letters, visit.now)
    return visit.page(
        "password_reset.html", fields=fields, error=None, sent=True,
        minutes=int(RESET_LIFETIME.total_seconds() // 60),
    )  # fmt: skip


@router.get("/password-reset/{token}")
def new_password_page(request: Request, token: str) -> Response:
    visit = StaffVisit(request, signed_in=False)
    if not reset_link_is_usable(visit.new_uow(), token, visit.now):
        error = InvalidRequest(LINK_UNUSABLE, field="token")
        return visit.page("password_new.html", 400, token="", error=error)
    return visit.page("password_new.html", token=token, error=None)


@router.post("/password-reset/{token}")
async def set_new_password(request: Request, token: str) -> Response:
    visit = StaffVisit(request, signed_in=False)
    try:
        fields = await visit.form()
        reset_password(
            visit.new_uow(), token, fields.get("password", ""), fields.get("confirmation", ""),
            visit.now,
        )  # fmt: skip
    except DomainError as error:
        kept = "" if error.extra.get("field") == "token" else token
        return visit.page("password_new.html", 400, token=kept, error=error)
    response = visit.redirect("/login?password_changed=1")
    response.delete_cookie(SESSION_COOKIE, path=BASE)
    return response


def _safe_next(wanted: str) -> str:
    """Only a back-office path: never another site (`//evil`, `https://…`)."""
    if wanted.startswith(BASE) and not wanted.startswith("//") and "\\" not in wanted:
        return wanted
    return BASE


def _redirect_to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
