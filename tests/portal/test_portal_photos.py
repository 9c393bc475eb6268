"""Photos sent with items: checked by decoding, stripped of metadata, kept, shown only to the
order's shopper; a bad file is refused next to its item and nothing is stored."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import func, select

from retour.db.models import ReturnPhoto, ReturnRow
from tests.factories import import_sample_order
from tests.portal.steps import BASE, line_ids, look_up, order_form, signed_in


def jpeg_with_gps(size: tuple[int, int] = (40, 30)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90°
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def stored_files(settings) -> set[str]:
    """The photo files under the data dir (shared by the run's tests)."""
    return {str(path) for path in (settings.data_dir / "photos").rglob("*.*")}


def count(uow, model) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def send(client, files, reason: str = "damaged", **extra: str):
    html, form = order_form(client)
    first = line_ids(html)[0]
    fields = {f"qty-{first}": "1", f"reason-{first}": reason, "resolution": "refund",
              "method": "ship_yourself", **extra}  # fmt: skip
    upload = [(f"photos-{first}", file) for file in files]
    return client.post(f"{BASE}/order", data={**form, **fields}, files=upload), first


def test_a_photo_is_kept_without_its_metadata_and_shown_with_the_return(portal, uow, settings):
    new_shopper, _ = portal
    client = signed_in(new_shopper())

    review, line = send(client, [("shirt.jpg", jpeg_with_gps(), "image/jpeg")])
    tokens = re.search(rf'name="photo-tokens-{line}" value="([^"]+)"', review.text)
    assert review.status_code == 200 and tokens is not None
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', review.text))
    made = client.post(f"{BASE}/order", data={**form, "resolution": "refund", "confirm": "1"})

    assert made.headers["location"] == f"{BASE}/R-100001"
    status = client.get(f"{BASE}/R-100001").text
    assert f'src="{BASE}/photos/{tokens.group(1)}"' in status
    served = client.get(f"{BASE}/photos/{tokens.group(1)}")
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.content)) as image:
        assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (30, 40), {})
    with uow:
        photo = uow.session.scalars(select(ReturnPhoto)).one()
        return_id = uow.session.scalars(select(ReturnRow.id)).one()
        assert (photo.return_id, photo.media_type) == (return_id, "image/jpeg")
        assert (settings.data_dir / photo.path).read_bytes() == served.content


def test_a_reason_that_needs_a_photo_asks_for_one_next_to_the_item(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())

    response, line = send(client, [], confirm="1")

    assert response.status_code == 400
    assert (
        f'<p class="error field-error" id="error-{line}">Add a photo: “Arrived damaged” '
        "needs one.</p>"
    ) in response.text
    assert count(uow, ReturnRow) == 0


def test_a_fake_photo_is_refused_and_nothing_is_stored(portal, uow, settings):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    good = ("good.jpg", jpeg_with_gps(), "image/jpeg")
    files_before = stored_files(settings)

    response, line = send(client, [good, ("evil.jpg", b"<?php echo 1; ?>", "image/jpeg")])

    assert response.status_code == 400
    assert (
        f'<p class="error field-error" id="error-{line}">This file is not a photo we can read.</p>'
    ) in response.text
    assert count(uow, ReturnPhoto) == 0
    assert stored_files(settings) == files_before


def test_a_photo_over_10_mb_is_refused(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    huge = jpeg_with_gps() + b"\0" * (10 * 1024 * 1024)

    response, _ = send(client, [("big.jpg", huge, "image/jpeg")])

    assert response.status_code == 400
    assert "This photo is larger than 10 MB." in response.text
    assert count(uow, ReturnPhoto) == 0


def test_a_decompression_bomb_is_refused_before_it_is_decoded(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG")  # 144 Mpx in a few kB

    response, _ = send(client, [("bomb.png", out.getvalue(), "image/png")])

    assert response.status_code == 400
    assert "This photo has too many pixels." in response.text
    assert count(uow, ReturnPhoto) == 0


def test_more_than_five_photos_for_an_item_are_refused(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    photo = ("p.jpg", jpeg_with_gps(), "image/jpeg")

    response, _ = send(client, [photo] * 6)

    assert response.status_code == 400
    assert "Send at most 5 photos per item." in response.text
    assert count(uow, ReturnPhoto) == 0


def test_another_shopper_cannot_see_the_photo(portal, uow):
    new_shopper, clock = portal
    with uow:
        store_id = uow.stores.by_slug("acme").id
    import_sample_order(uow, store_id, clock, platform_id="2002", email="other@example.com")
    owner = signed_in(new_shopper())
    review, line = send(owner, [("shirt.jpg", jpeg_with_gps(), "image/jpeg")])
    token = re.search(rf'name="photo-tokens-{line}" value="([^"]+)"', review.text).group(1)
    other = new_shopper()
    look_up(other, number="2002", email="other@example.com")

    assert other.get(f"{BASE}/photos/{token}").status_code == 404
    assert new_shopper().get(f"{BASE}/photos/{token}").headers["location"] == (f"{BASE}?expired=1")
    assert owner.get(f"{BASE}/photos/{token}").status_code == 200
