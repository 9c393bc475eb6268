"""The portal's pages of one return: its status, cancelling, photos, slip, label and code."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retour.domain.errors import DomainError, InvalidRequest
from retour.services.errors import NotFound
from retour.services.portal.labels import label_file, make_label, offers_label, usable_shipments
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.photos import photo_tokens_of_return, read_photo
from retour.services.portal.status import (
    add_own_tracking,
    answer_own_return,
    cancel_own_return,
    portal_return,
)
from retour.services.shipments.documents import packing_slip
from retour.shipping.base import MEDIA_TYPES, DocumentKind
from retour.web.portal.visit import RMA, PortalRoute, Visit

# Under /s/{slug} rather than /s/{slug}/returns, for `unknown_path` (last, after `/{number}`).
router = APIRouter(prefix="/s/{slug}", include_in_schema=False, route_class=PortalRoute)
FILE_NAMES = {DocumentKind.LABEL_PDF: "label.pdf", DocumentKind.QR_PNG: "qr-code.png"}


@router.get("/returns/photos/{token}")
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


@router.get("/returns/{number}")
def status_page(request: Request, slug: str, number: str) -> Response:
    """Linked from every e-mail: without a session, the look-up first, then back here."""
    visit = Visit(request, slug)
    access = visit.access
    if access is None:
        return visit.redirect(f"?return={number}" if RMA.fullmatch(number) else "?expired=1")
    return _status_page(visit, number)


@router.post("/returns/{number}/cancel")
async def cancel(request: Request, slug: str, number: str) -> Response:
    """Cancel while the return allows it; once it moved on, the page says why (409)."""
    return await _act(
        request, slug, number,
        lambda visit, _fields: cancel_own_return(
            visit.state.new_uow(), _access(visit), number, visit.now
        ),
    )  # fmt: skip


@router.get("/returns/{number}/packing-slip.pdf")
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


@router.post("/returns/{number}/answer")
async def answer(request: Request, slug: str, number: str) -> Response:
    """The shopper answers the store's question."""
    return await _act(
        request, slug, number,
        lambda visit, fields: answer_own_return(
            visit.state.new_uow(), _access(visit), number, fields.get("message", ""), visit.now
        ),
    )  # fmt: skip


@router.post("/returns/{number}/tracking")
async def tracking(request: Request, slug: str, number: str) -> Response:
    """A shopper shipping it themselves gives the parcel's tracking number."""
    return await _act(
        request, slug, number,
        lambda visit, fields: add_own_tracking(
            visit.state.new_uow(), _access(visit), number, fields.get("tracking_number", ""),
            fields.get("carrier", ""), visit.now,
        ),
    )  # fmt: skip


@router.post("/returns/{number}/label")
async def label(request: Request, slug: str, number: str) -> Response:
    """Make the label or drop-off code (once); a carrier's refusal is shown with a retry."""
    visit = Visit(request, slug)
    if visit.access is None:
        return visit.redirect("?expired=1")
    try:
        await visit.form()
        make_label(
            visit.state.new_uow(), visit.state.carriers, visit.access, number, visit.state.clock
        )
    except NotFound:
        raise
    except DomainError as error:
        return _status_page(visit, number, error, 409)
    return visit.redirect(f"/{number}")


@router.get("/returns/{number}/shipments/{shipment_id}/{name}")
def label_download(
    request: Request, slug: str, number: str, shipment_id: int, name: str
) -> Response:
    visit = Visit(request, slug)
    if visit.access is None:
        return visit.redirect("?expired=1")
    content, kind = label_file(visit.state.new_uow(), visit.access, number, shipment_id, visit.now)
    if name != FILE_NAMES[kind]:
        raise NotFound("file", name)
    headers = {"Content-Disposition": f'inline; filename="{number}-{name}"'}
    return visit.secured(Response(content, media_type=MEDIA_TYPES[kind], headers=headers))


@router.api_route("/{path:path}", methods=["GET", "POST"])
def unknown_path(request: Request, slug: str, path: str) -> Response:
    """Any other path of a store's portal (or of an unknown store) is the portal's plain "not
    found" page in the shopper's language, not the API's JSON."""
    Visit(request, slug)  # the store's language; an unknown store is not found here already
    raise NotFound("page", path)


async def _act(
    request: Request, slug: str, number: str, action: Callable[[Visit, dict[str, str]], object]
) -> Response:
    """Do what the status page's form asks; a refusal is shown on the page."""
    visit = Visit(request, slug)
    if visit.access is None:
        return visit.redirect("?expired=1")
    try:
        fields = await visit.form()
        action(visit, fields)
    except NotFound:
        raise
    except DomainError as error:  # bad input: 400; the return's state does not allow it: 409
        return _status_page(visit, number, error, 400 if isinstance(error, InvalidRequest) else 409)
    return visit.redirect(f"/{number}")


def _access(visit: Visit) -> PortalAccess:
    assert visit.access is not None
    return visit.access


def _status_page(
    visit: Visit, number: str, error: DomainError | None = None, status_code: int = 200
) -> Response:
    assert visit.access is not None
    view = portal_return(visit.state.new_uow(), visit.access, number)
    photos = photo_tokens_of_return(visit.state.new_uow(), visit.access, view.return_id)
    shipments = (
        usable_shipments(visit.state.new_uow(), visit.access, view, visit.now)
        if offers_label(view)
        else []
    )
    return visit.page(
        "status.html", status_code, view=view, error=error, photos=photos,
        offers_label=offers_label(view), shipments=shipments, file_names=FILE_NAMES,
    )  # fmt: skip
