"""Signing in and out of the back office."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from retour.domain.errors import DomainError
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


def _safe_next(wanted: str) -> str:
    """Only a back-office path: never another site (`//evil`, `https://…`)."""
    if wanted.startswith(BASE) and not wanted.startswith("//") and "\\" not in wanted:
        return wanted
    return BASE


def _redirect_to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
