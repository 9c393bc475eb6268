"""The shopper portal at /s/{slug}/returns: server-rendered, works without JavaScript."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from retour.db.models import Store
from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.refund_quote import FeeCode
from retour.notifications.formatting import format_day, format_moment, format_money
from retour.services.errors import NotFound
from retour.services.portal.lookup import (
    LookupRequest,
    TooManyTries,
    find_order,
    store_of_portal,
)
from retour.services.portal.order_view import PortalOrder, portal_order
from retour.services.portal.photos import photo_tokens_of_return, read_photo
from retour.services.portal.preview import Preview, check_selection, preview_return
from retour.services.portal.status import cancel_own_return, portal_return
from retour.services.portal.submitting import PortalSubmission, submit_return
from retour.services.shipments.documents import packing_slip
from retour.web.portal.forms import submission_of, take_photos
from retour.web.portal.session import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    PortalSigner,
    csrf_matches,
    new_csrf_token,
)

#: An RMA number as the portal's links carry it.
RMA = re.compile(r"R-\d{1,12}")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class PortalRoute(APIRoute):
    """Anything the shopper may not see (another order's return, a guessed URL, an unknown
    store) is the same plain "not found" page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound:
                response = templates.TemplateResponse(request, "not_found.html", {}, 404)
                response.headers["Content-Security-Policy"] = CSP
                return response

        return handle


router = APIRouter(prefix="/s/{slug}/returns", include_in_schema=False, route_class=PortalRoute)
STYLESHEET = (Path(__file__).parent / "static" / "portal.css").read_text()
#: No inline scripts or styles anywhere; logos may come from the store's own https host.
CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
LABELS = {
    Resolution.REFUND: "Refund to my original payment",
    Resolution.STORE_CREDIT: "Store credit",
    ReturnMethod.PREPAID_LABEL: "Prepaid return label (print at home)",
    ReturnMethod.QR_DROP_OFF: "QR code for drop-off (no printer needed)",
    ReturnMethod.SHIP_YOURSELF: "I will ship it myself",
    ReturnMethod.IN_STORE: "Bring it to a store",
}


FEE_LABELS = {
    FeeCode.RESTOCKING: "Restocking fee",
    FeeCode.RESTOCKING_FIXED: "Restocking fee",
    FeeCode.RETURN_SHIPPING: "Return shipping",
    FeeCode.LABEL: "Return label",
}


class Visit:
    """One request to the portal: its store, clock, signer and the shopper's order if any."""

    def __init__(self, request: Request, slug: str) -> None:
        self.request = request
        self.state = request.app.state
        self.store: Store = store_of_portal(self.state.new_uow(), slug)
        self.now = self.state.clock.now()
        self.signer = PortalSigner(self.state.settings.secret_key.get_secret_value())
        self.csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
        self.access = self.signer.access(
            request.cookies.get(SESSION_COOKIE), self.store.id, self.now
        )
        self.base = f"/s/{self.store.slug}/returns"

    def page(self, template: str, status_code: int = 200, **context: Any) -> Response:
        context |= {
            "store": self.store,
            "base": self.base,
            "csrf": self.csrf,
            "labels": LABELS,
            "money": lambda amount, currency: format_money(amount, currency, self.locale),
            "day": lambda value: format_day(value, self.locale, self.store.timezone),
            "moment": lambda value: format_moment(value, self.locale, self.store.timezone),
        }
        response = templates.TemplateResponse(self.request, template, context, status_code)
        return self.secured(response)

    @property
    def locale(self) -> str:
        return self.store.locale or "en"

    def secured(self, response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.set_cookie(
            CSRF_COOKIE, self.csrf, path=self.base, httponly=True, samesite="lax",
            secure=self.is_https,
        )  # fmt: skip
        return response

    @property
    def is_https(self) -> bool:
        return str(self.state.settings.base_url).startswith("https://")

    def redirect(self, path: str) -> Response:
        return self.secured(RedirectResponse(self.base + path, status_code=303))

    async def form(self) -> dict[str, str]:
        """The posted fields; a missing or wrong CSRF token is refused before anything."""
        fields, _ = await self.form_with_files()
        return fields

    async def form_with_files(self) -> tuple[dict[str, str], dict[str, list[UploadFile]]]:
        form = await self.request.form(max_files=20, max_fields=200)
        fields: dict[str, str] = {}
        files: dict[str, list[UploadFile]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields[key] = value
            else:
                files.setdefault(key, []).append(value)
        if not csrf_matches(self.request.cookies.get(CSRF_COOKIE), fields.get("csrf")):
            raise InvalidRequest("This form has expired. Please try again.", field="csrf")
        return fields, files


@router.get("")
def lookup_page(request: Request, slug: str) -> Response:
    visit = Visit(request, slug)
    return visit.page("lookup.html", fields={}, error=None)


@router.post("")
async def lookup(request: Request, slug: str) -> Response:
    visit = Visit(request, slug)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        access = find_order(
            visit.state.new_uow(),
            visit.store.id,
            LookupRequest(
                fields.get("order_number", ""),
                fields.get("email", ""),
                fields.get("postal_code", ""),
            ),
            client=request.client.host if request.client else "unknown",
            now=visit.now,
        )
    except TooManyTries as limited:
        response = visit.page("lookup.html", 429, fields={}, error=_wait_message(limited))
        response.headers["Retry-After"] = str(limited.retry_after)
        return response
    except InvalidRequest as error:
        return visit.page("lookup.html", 400, fields=fields, error=error)
    wanted = fields.get("return", "")
    response = visit.redirect(f"/{wanted}" if RMA.fullmatch(wanted) else "/order")
    response.set_cookie(
        SESSION_COOKIE, visit.signer.session(access, visit.now), path=visit.base,
        max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True, samesite="lax",
        secure=visit.is_https,
    )  # fmt: skip
    return response


@router.get("/order")
def order_page(request: Request, slug: str) -> Response:
    visit = Visit(request, slug)
    if visit.access is None:
        return visit.redirect("?expired=1")
    order = portal_order(visit.state.new_uow(), visit.access, visit.now)
    return _order_page(visit, order, {}, None)


@router.post("/order")
async def choose(request: Request, slug: str) -> Response:
    """The items page posts here: checked, then the review with the amounts; the review's
    "Request the return" (`confirm`) makes the return, its "Change" (`edit`) goes back."""
    visit = Visit(request, slug)
    if visit.access is None:
        return visit.redirect("?expired=1")
    order = portal_order(visit.state.new_uow(), visit.access, visit.now)
    fields: dict[str, str] = {}
    try:
        fields, files = await visit.form_with_files()
        await take_photos(
            visit.state.new_uow(), visit.access, fields, files, visit.state.settings.data_dir,
            visit.now,
        )  # fmt: skip
        if "edit" in fields:
            return _order_page(visit, order, fields, None)
        submission = submission_of(fields)
        check_selection(order, submission)
        if "confirm" not in fields:
            preview = preview_return(visit.state.new_uow(), visit.access, submission, visit.now)
            return _review_page(visit, order, fields, submission, preview)
        ret = submit_return(visit.state.new_uow(), visit.access, submission, visit.now)
    except InvalidRequest as error:
        return _order_page(visit, order, fields, error, status_code=400)
    return visit.redirect(f"/{ret.number}")


@router.get("/portal.css")
def stylesheet(request: Request, slug: str) -> Response:
    """The portal's style with the store's colours (checked hex values, see branding)."""
    visit = Visit(request, slug)
    theme = (
        f":root {{ --brand: {visit.store.primary_color}; "
        f"--brand-text: {visit.store.button_text_color}; }}\n"
    )
    return Response(theme + STYLESHEET, media_type="text/css")


@router.get("/photos/{token}")
def photo(request: Request, slug: str, token: str) -> Response:
    """A photo sent with an item of the session's order; any other is not found."""
    visit = Visit(request, slug)
    if visit.access is None:
        return visit.redirect("?expired=1")
    content, media_type = read_photo(
        visit.state.new_uow(), visit.access, token, visit.state.settings.data_dir
    )
    response = Response(content, media_type=media_type, headers={"Cache-Control": "private"})
    return visit.secured(response)


@router.get("/{number}")
def status_page(request: Request, slug: str, number: str) -> Response:
    """Linked from every e-mail: without a session, the look-up first, then back here."""
    visit = Visit(request, slug)
    access = visit.access
    if access is None:
        return visit.redirect(f"?return={number}" if RMA.fullmatch(number) else "?expired=1")
    view = portal_return(visit.state.new_uow(), access, number)
    photos = photo_tokens_of_return(visit.state.new_uow(), access, view.return_id)
    return visit.page("status.html", view=view, error=None, photos=photos)


@router.post("/{number}/cancel")
async def cancel(request: Request, slug: str, number: str) -> Response:
    visit = Visit(request, slug)
    access = visit.access
    if access is None:
        return visit.redirect("?expired=1")
    try:
        await visit.form()
        cancel_own_return(visit.state.new_uow(), access, number, visit.now)
    except NotFound:
        raise  # the plain "not found" page
    except DomainError as error:  # the return moved on meanwhile: its state says why
        view = portal_return(visit.state.new_uow(), access, number)
        return visit.page("status.html", 409, view=view, error=error, photos=[])
    return visit.redirect(f"/{number}")


@router.get("/{number}/packing-slip.pdf")
def slip(request: Request, slug: str, number: str) -> Response:
    visit = Visit(request, slug)
    access = visit.access
    if access is None:
        return visit.redirect("?expired=1")
    view = portal_return(visit.state.new_uow(), access, number)
    pdf = packing_slip(visit.state.new_uow(), access.store_id, view.return_id, visit.now)
    ret = view.ret
    headers = {"Content-Disposition": f'inline; filename="{ret.number}-packing-slip.pdf"'}
    return visit.secured(Response(pdf, media_type="application/pdf", headers=headers))


def _order_page(
    visit: Visit,
    order: PortalOrder,
    fields: dict[str, str],
    error: InvalidRequest | None,
    status_code: int = 200,
) -> Response:
    return visit.page(
        "order.html", status_code, order=order, fields=fields, error=error,
        submission_key=fields.get("submission_key") or secrets.token_urlsafe(16),
    )  # fmt: skip


def _review_page(
    visit: Visit,
    order: PortalOrder,
    fields: dict[str, str],
    submission: PortalSubmission,
    preview: Preview,
) -> Response:
    items = {item.order_line_id: item for item in order.items}
    reasons = {reason.code: reason.label for reason in order.reasons}
    chosen = [
        (items[line.order_line_id], line.quantity, reasons[line.reason_code])
        for line in submission.lines
    ]
    kept = {name: value for name, value in fields.items() if name not in ("csrf", "resolution")}
    return visit.page(
        "review.html", order=order, submission=submission, preview=preview, chosen=chosen,
        kept=kept, fee_labels=FEE_LABELS,
    )  # fmt: skip


def _wait_message(limited: TooManyTries) -> InvalidRequest:
    minutes = max(1, round(limited.retry_after / 60))
    return InvalidRequest(
        f"Too many tries. For your security, please wait {minutes} minutes and try again.",
        field="order_number",
    )
