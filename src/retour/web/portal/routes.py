"""The shopper portal at /s/{slug}/returns: server-rendered, works without JavaScript."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import InvalidRequest
from retour.domain.lines import Resolution
from retour.services.portal.lookup import (
    LookupRequest,
    TooManyTries,
    find_order,
)
from retour.services.portal.order_view import PortalOrder, portal_order
from retour.services.portal.preview import (
    Preview,
    check_selection,
    exchange_options,
    preview_return,
)
from retour.services.portal.submitting import PortalSubmission, submit_return
from retour.web.portal.forms import submission_of, take_photos
from retour.web.portal.session import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
)
from retour.web.portal.visit import FEE_LABELS, RMA, PortalRoute, Visit

router = APIRouter(prefix="/s/{slug}/returns", include_in_schema=False, route_class=PortalRoute)
STATIC = Path(__file__).parent / "static"
STYLESHEET = (STATIC / "portal.css").read_text()


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
                fields.get("gift_code", ""),
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
    access = visit.access
    order: PortalOrder | None = None
    fields: dict[str, str] = {}
    try:
        fields, files = await visit.form_with_files()
        # The confirm only checks the choices again: no list of returns, and the variants to
        # swap for only when an exchange is asked for (a refusal shows the whole page again).
        confirming = "confirm" in fields and "edit" not in fields and "amounts" not in fields
        order = portal_order(
            visit.state.new_uow(), access, visit.now, listing=not confirming,
            exchange_options=not confirming or fields.get("resolution") == Resolution.EXCHANGE,
        )  # fmt: skip
        if "amounts" not in fields:  # the live amounts never keep photos
            await take_photos(
                visit.state.new_uow(), visit.access, fields, files,
                visit.state.settings.data_dir, visit.now,
            )  # fmt: skip
        if "edit" in fields:
            return _order_page(visit, order, fields, None)
        submission = submission_of(fields)
        check_selection(order, submission)
        if "confirm" not in fields:
            preview = preview_return(
                visit.state.new_uow(), visit.access, submission, visit.now,
                exchange_options(order),
            )  # fmt: skip
            if "amounts" in fields:  # the items page's live amounts (htmx), not the review
                return visit.page("amounts.html", order=order, preview=preview)
            return _review_page(visit, order, fields, submission, preview)
        ret = submit_return(visit.state.new_uow(), visit.access, submission, visit.now)
    except InvalidRequest as error:
        if order is None or "confirm" in fields:  # the whole page, returns and all
            order = portal_order(visit.state.new_uow(), access, visit.now)
        if "amounts" in fields:  # choices not complete yet: no amounts, and no error shown
            return visit.page("amounts.html", order=order, preview=None)
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


@router.get("/htmx.min.js")
@router.get("/portal.js")
def script(request: Request) -> Response:
    """htmx (vendored: static/htmx.LICENSE says which release) and the portal's few lines
    around it; every page works without them."""
    name = request.url.path.rsplit("/", 1)[-1]
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"}
    return Response(_script(name), media_type="text/javascript", headers=headers)


@cache
def _script(name: str) -> bytes:
    return (STATIC / name).read_bytes()


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
        kept=kept, fee_labels=FEE_LABELS, exchange=Resolution.EXCHANGE,
    )  # fmt: skip


def _wait_message(limited: TooManyTries) -> InvalidRequest:
    minutes = max(1, round(limited.retry_after / 60))
    return InvalidRequest(
        f"Too many tries. For your security, please wait {minutes} minutes and try again.",
        msgid="Too many tries. For your security, please wait {minutes} minutes and try again.",
        params={"minutes": minutes},
        field="order_number",
    )
