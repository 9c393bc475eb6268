"""Photos taken at the station with each line: kept with the return, marked with who took
them, shown on its page; a file that is not a photo is refused and nothing is received."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from retour.db.models import ReturnPhoto, ReturnRow
from tests.backoffice.steps import BASE
from tests.backoffice.test_backoffice_station import approved


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(out, format="PNG")
    return out.getvalue()


def form_of(client, number: str) -> tuple[dict[str, str], list[str]]:
    """The receive form's fields as they stand, and the line ids."""
    page = client.get(f"{BASE}/station/{number}").text
    assert 'enctype="multipart/form-data"' in page
    fields = dict(re.findall(r'<input id="[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', page))
    fields |= dict(re.findall(r'name="(csrf|seen)" value="([^"]*)"', page))
    for name in re.findall(r'<select id="[^"]+" name="([^"]+)">', page):
        fields[name] = {"grade": "A", "disposition": "restock", "outcome": "accepted"}[
            name.split("-")[0]
        ]
    return fields, re.findall(r'name="photos-(\d+)"', page)


def test_photos_of_a_line_are_kept_with_the_return_and_shown(shop, uow, settings):
    approved(shop)
    worker = shop.staff("warehouse")
    fields, (shirt_m, _shirt_l) = form_of(worker, shop.requested)
    files = [
        (f"photos-{shirt_m}", ("front.png", png("red"), "image/png")),
        (f"photos-{shirt_m}", ("back.png", png("blue"), "image/png")),
    ]
    done = worker.post(f"{BASE}/station/{shop.requested}", data=fields, files=files)
    assert done.status_code == 303
    with uow:
        photos = uow.session.execute(
            select(ReturnPhoto.taken_by, ReturnPhoto.media_type, ReturnPhoto.width,
                   ReturnPhoto.path, ReturnPhoto.token)
            .join(ReturnRow, ReturnRow.id == ReturnPhoto.return_id)
            .where(ReturnRow.number == shop.requested)
            .order_by(ReturnPhoto.id)
        ).all()  # fmt: skip
        status = uow.session.scalar(
            select(ReturnRow.status).where(ReturnRow.number == shop.requested)
        )
    assert status == "inspected"
    assert [photo[:3] for photo in photos] == [("staff:warehouse@acme.test", "image/png", 8)] * 2
    assert all((settings.data_dir / photo.path).is_file() for photo in photos)
    page = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}").text
    for photo in photos:
        assert f'<img src="/backoffice/photos/{photo.token}"' in page


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_received(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    fields, (shirt_m, _shirt_l) = form_of(worker, shop.requested)
    files = [(f"photos-{shirt_m}", ("notes.png", b"not an image", "image/png"))]
    refused = worker.post(f"{BASE}/station/{shop.requested}", data=fields, files=files)
    assert refused.status_code == 400
    assert "This file is not a photo we can read." in refused.text
    with uow:
        assert uow.session.scalars(select(ReturnPhoto)).all() == []
        status = uow.session.scalar(
            select(ReturnRow.status).where(ReturnRow.number == shop.requested)
        )
    assert status == "in_transit"


def test_without_photos_the_form_still_receives_in_one_press(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    fields, (shirt_m, _shirt_l) = form_of(worker, shop.requested)
    empty = [(f"photos-{shirt_m}", ("", b"", "application/octet-stream"))]
    done = worker.post(f"{BASE}/station/{shop.requested}", data=fields, files=empty)
    assert done.status_code == 303
    with uow:
        assert uow.session.scalars(select(ReturnPhoto)).all() == []


def test_a_photo_of_one_unit_is_kept_with_its_unit_and_named_so(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    fields, (shirt_m, _shirt_l) = form_of(worker, shop.requested)
    fields |= {f"grade-{shirt_m}-2": "C", f"disposition-{shirt_m}-2": "refurbish"}
    files = [(f"photos-{shirt_m}-2", ("seam.png", png("green"), "image/png"))]

    done = worker.post(f"{BASE}/station/{shop.requested}", data=fields, files=files)

    assert done.status_code == 303
    with uow:
        units = uow.session.execute(
            select(ReturnPhoto.unit, ReturnPhoto.token)
            .join(ReturnRow, ReturnRow.id == ReturnPhoto.return_id)
            .where(ReturnRow.number == shop.requested)
        ).all()
    assert [unit for unit, _ in units] == [2]
    page = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}").text
    assert (
        f'<img src="/backoffice/photos/{units[0].token}" alt="Photo 1 of Linen shirt M, unit 2"'
        in page
    )


def test_a_photo_of_a_unit_that_did_not_arrive_is_refused_and_nothing_is_received(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    fields, (shirt_m, _shirt_l) = form_of(worker, shop.requested)
    fields[f"received-{shirt_m}"] = "1"
    files = [(f"photos-{shirt_m}-2", ("seam.png", png("green"), "image/png"))]

    refused = worker.post(f"{BASE}/station/{shop.requested}", data=fields, files=files)

    assert refused.status_code == 400
    assert "No unit 2 of this item arrived." in refused.text
    with uow:
        status = uow.session.scalar(
            select(ReturnRow.status).where(ReturnRow.number == shop.requested)
        )
        assert status == "in_transit"
        assert uow.session.scalars(select(ReturnPhoto)).all() == []
