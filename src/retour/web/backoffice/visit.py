"""What every back-office page shares: the signed-in staff member (or a redirect to sign in),
CSRF on every form, page rendering with security headers, and the refusal pages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.staff import NotPermitted, StaffMember
from retour.notifications.formatting import format_day, format_moment, format_money
from retour.services.errors import NotFound
from retour.services.staff.signing_in import staff_of_session
from retour.web.portal.session import csrf_matches, new_csrf_token

BASE = "/backoffice"
SESSION_COOKIE = "retour_staff"
CSRF_COOKIE = "retour_staff_csrf"
#: As the portal: no inline scripts or styles; logos may come from the store's https host.
CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class SignInNeeded(Exception):
    """No open session: the page sends the browser to sign in, and back afterwards."""


class BackOfficeRoute(APIRoute):
    """Refusals as pages: sign in when signed out, 403 for a role that may not, 404 else."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                wanted = quote(request.url.path if request.method == "GET" else BASE)
                return secured(RedirectResponse(f"{BASE}/login?next={wanted}", status_code=303))
            except NotPermitted as refused:
                return _refusal(request, "forbidden.html", 403, str(refused))
            except NotFound:
                return _refusal(request, "not_found.html", 404, "")
            except DomainError as error:  # an expired form, or bad input on a page without fields
                status = 409 if "current_status" in error.extra else 400
                return _refusal(request, "refused.html", status, str(error))

        return handle


class StaffVisit:
    """One request from a staff member: who they are, the clock, and the page helpers."""

    def __init__(self, request: Request, signed_in: bool = True) -> None:
        self.request = request
        self.state = request.app.state
        self.now = self.state.clock.now()
        self.csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
        found = staff_of_session(
            self.state.new_uow(), request.cookies.get(SESSION_COOKIE), self.now
        )
        if signed_in and found is None:
            raise SignInNeeded
        self._staff = found

    @property
    def staff(self) -> StaffMember:
        assert self._staff is not None, "a page for signed-in staff only"
        return self._staff

    def new_uow(self) -> Any:
        return self.state.new_uow()

    def page(self, template: str, status_code: int = 200, **context: Any) -> Response:
        context |= {
            "base": BASE,
            "csrf": self.csrf,
            "staff": self._staff,
            "money": lambda amount, currency: format_money(amount, currency, "en"),
            "day": lambda value: format_day(value, "en", self.timezone),
            "moment": lambda value: format_moment(value, "en", self.timezone),
        }
        response = templates.TemplateResponse(self.request, template, context, status_code)
        return self.secured(response)

    @property
    def timezone(self) -> str:
        return self._staff.timezone if self._staff else "UTC"

    def secured(self, response: Response) -> Response:
        response.set_cookie(
            CSRF_COOKIE, self.csrf, path=BASE, httponly=True, samesite="strict",
            secure=self.is_https,
        )  # fmt: skip
        return secured(response)

    @property
    def is_https(self) -> bool:
        return str(self.state.settings.base_url).startswith("https://")

    def redirect(self, path: str) -> Response:
        return self.secured(RedirectResponse(BASE + path, status_code=303))

    async def form(self, max_files: int = 0) -> dict[str, str]:
        """The posted fields; a missing or wrong CSRF token is refused before anything.
        With `max_files`, files may come too (`files()` reads them)."""
        form = await self.request.form(max_files=max_files, max_fields=500)
        fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        if not csrf_matches(self.request.cookies.get(CSRF_COOKIE), fields.get("csrf")):
            raise InvalidRequest("This form has expired. Please try again.", field="csrf")
        return fields

    async def files(self, name: str) -> list[bytes]:
        """The contents of the files posted as `name` (none chosen: an empty list); call
        after `form`, which parsed them."""
        form = await self.request.form()
        contents = []
        for value in form.getlist(name):
            if isinstance(value, UploadFile) and value.filename:
                contents.append(await value.read())
        return contents


def secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def _refusal(request: Request, template: str, status_code: int, message: str) -> Response:
    context = {"base": BASE, "staff": None, "message": message, "csrf": ""}
    return secured(templates.TemplateResponse(request, template, context, status_code))


def refusal_status(error: DomainError) -> int:
    """The status of a page showing a refused action again: 409 for a state conflict, 400
    for bad input. A role's refusal, and another store's record (or none), are not shown on
    the page: they go on up as the 403 and the 404."""
    if isinstance(error, NotPermitted | NotFound):
        raise error
    return 409 if "current_status" in error.extra else 400
