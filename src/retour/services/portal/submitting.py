"""A shopper asks for a return from the portal: once per submission, however often sent."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from retour.db.models import Variant
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest, QuantityExceeded
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.exchanges.choosing import choose_exchange
from retour.services.idempotency import Response, fingerprint, run_idempotently
from retour.services.portal.exchange_choice import (
    KIND,
    exchange_field,
    item_choices,
    line_of_choice,
    out_of_stock,
)
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.photos import attach_photos
from retour.services.queries import get_return
from retour.services.returns import ReturnRequest, request_return

SHOPPER = Actor("customer")
#: How the exchange service names a choice's field: `items[0].quantity`.
CHOICE_FIELD = re.compile(r"items\[(\d+)\]")
MAX_NOTE = 2000


@dataclass(frozen=True)
class PortalSubmission:
    lines: Sequence[LineRequest]
    resolution: Resolution
    return_method: ReturnMethod
    note: str
    #: Minted when the form was shown: sending the same form twice makes one return.
    submission_key: str
    #: Per order line: the tokens of the photos sent with it (services/portal/photos.py).
    photos: Mapping[int, Sequence[str]] = field(default_factory=dict)
    #: Per order line: the variant it is exchanged for (read when the resolution is exchange).
    exchanges: Mapping[int, int] = field(default_factory=dict)


def submit_return(
    uow: UnitOfWork, access: PortalAccess, submission: PortalSubmission, now: datetime
) -> Return:
    if not submission.lines:
        raise InvalidRequest("Choose at least one item to return.", field="lines")
    if access.is_gift and submission.resolution is not Resolution.STORE_CREDIT:
        raise InvalidRequest("A gift is returned for store credit.", field="resolution")
    if len(submission.note) > MAX_NOTE:
        raise InvalidRequest(
            f"Keep the note under {MAX_NOTE} characters.", field="note",
            msgid="Keep the note under {count} characters.", params={"count": MAX_NOTE},
        )  # fmt: skip
    request = ReturnRequest(
        order_id=access.order_id,
        lines=submission.lines,
        resolution=submission.resolution,
        return_method=submission.return_method,
        customer_note=submission.note.strip(),
    )

    def open_return() -> Response:
        # One transaction: the return and its exchange are made together, or neither is.
        ret = request_return(uow, access.store_id, request, SHOPPER, now)
        if submission.resolution is Resolution.EXCHANGE:
            _choose_exchange(uow, access, ret, submission, now)
        return 201, {"return_id": ret.id}

    (_, body), _ = run_idempotently(
        uow,
        store_id=access.store_id,
        key=f"portal:{access.order_id}:{submission.submission_key}",
        # The form's key alone: sent again, changed or not, it shows the return it made.
        request_fingerprint=fingerprint("POST", "portal", b""),
        now=now,
        action=open_return,
    )
    ret = get_return(uow, access.store_id, int(body["return_id"]))
    attach_photos(
        uow, access, ret, [token for tokens in submission.photos.values() for token in tokens]
    )
    return ret


def _choose_exchange(
    uow: UnitOfWork, access: PortalAccess, ret: Return, submission: PortalSubmission, now: datetime
) -> None:
    """Swap the return for the variants picked; the exchange service's refusal (one went out
    of stock since the items page) is given the portal's field of that item."""
    assert ret.id is not None
    choices = item_choices(submission.lines, submission.exchanges)
    try:
        choose_exchange(uow, access.store_id, ret.id, KIND, choices, SHOPPER, now)
    except InvalidRequest as refused:
        found = CHOICE_FIELD.match(refused.field)
        if found is None:
            raise
        choice = choices[int(found.group(1))]
        field = exchange_field(line_of_choice(submission.lines, submission.exchanges, choice))
        if isinstance(refused, QuantityExceeded):
            variant = uow.session.get(Variant, choice.variant_id)
            raise out_of_stock(variant.title if variant else "", field) from refused
        raise InvalidRequest(
            "Choose the size or colour you want instead.", field=field
        ) from refused
