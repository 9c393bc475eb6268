"""Photos sent with a form never confirmed: after a day, `prune_unattached_photos` (and
`retour portal prune-photos`) deletes their rows and files; attached ones and younger ones
stay, a file already gone is fine, and a second run finds nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from retour.cli import app
from retour.cli_portal import parse_age
from retour.db.models import ReturnPhoto
from retour.domain.inputs import LineRequest
from retour.services import returns as use_cases
from retour.services.context import FixedClock
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.photo_cleanup import MINIMUM_AGE, prune_unattached_photos
from retour.services.portal.photos import CleanImage, attach_photos, clean_image, keep_photos
from retour.settings import get_settings
from retour.web.portal.session import SESSION_LIFETIME
from tests.factories import STAFF, import_sample_order, make_store

runner = CliRunner()


def png() -> CleanImage:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 200)).save(out, format="PNG")
    return clean_image(out.getvalue(), "photos-1")


@pytest.fixture
def shop(uow, clock):
    """Store `acme` with order #1001; the portal access of its shopper."""
    store_id = make_store(uow, clock)
    order = import_sample_order(uow, store_id, clock).order
    return PortalAccess(store_id, order.id), order


def sent(uow, shop, data_dir, at: datetime, count: int = 1) -> list[str]:
    access, order = shop
    return keep_photos(uow, access, order.lines[0].id, [png()] * count, data_dir, at)


def rows(uow) -> list[tuple[str, int | None]]:
    with uow:
        found = uow.session.execute(
            select(ReturnPhoto.token, ReturnPhoto.return_id).order_by(ReturnPhoto.id)
        )
        return [(token, return_id) for token, return_id in found]


def files(data_dir) -> list[str]:
    return sorted(path.name for path in (data_dir / "photos").rglob("*.*"))


def test_unattached_photos_older_than_a_day_are_deleted_rows_and_files(uow, clock, shop, tmp_path):
    access, order = shop
    now = clock.now()
    old = sent(uow, shop, tmp_path, now - timedelta(hours=25), count=2)
    young = sent(uow, shop, tmp_path, now - timedelta(hours=23))
    kept = sent(uow, shop, tmp_path, now - timedelta(days=3))
    ret = use_cases.request_return(
        uow, access.store_id,
        use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "too_small")]),
        STAFF, now,
    )  # fmt: skip
    attach_photos(uow, access, ret, kept)

    pruned = prune_unattached_photos(uow, tmp_path, now)

    assert sorted(photo.token for photo in pruned) == sorted(old)
    assert [(p.store_id, p.byte_size > 0, p.had_file) for p in pruned] == [
        (access.store_id, True, True)
    ] * 2
    assert {p.path for p in pruned} == {f"photos/{access.store_id}/{token}.png" for token in old}
    assert rows(uow) == [(young[0], None), (kept[0], ret.id)]
    assert files(tmp_path) == sorted(f"{token}.png" for token in young + kept)


def test_a_second_run_finds_nothing_and_a_missing_file_is_fine(uow, clock, shop, tmp_path):
    access, _ = shop
    now = clock.now()
    tokens = sent(uow, shop, tmp_path, now - timedelta(days=2), count=2)
    (tmp_path / "photos" / str(access.store_id) / f"{tokens[0]}.png").unlink()

    first = prune_unattached_photos(uow, tmp_path, now)
    second = prune_unattached_photos(uow, tmp_path, now)

    assert {(p.token, p.had_file) for p in first} == {(tokens[0], False), (tokens[1], True)}
    assert second == []
    assert rows(uow) == []
    assert files(tmp_path) == []


def test_the_age_is_the_callers_and_never_shorter_than_a_portal_session(uow, clock, shop, tmp_path):
    now = clock.now()
    tokens = sent(uow, shop, tmp_path, now - timedelta(hours=3))

    assert prune_unattached_photos(uow, tmp_path, now, older_than=timedelta(hours=4)) == []
    with pytest.raises(ValueError, match="less than an hour"):
        prune_unattached_photos(uow, tmp_path, now, older_than=timedelta(minutes=30))
    assert rows(uow) == [(tokens[0], None)]
    pruned = prune_unattached_photos(uow, tmp_path, now, older_than=timedelta(hours=2))

    assert [p.token for p in pruned] == tokens
    assert files(tmp_path) == []
    assert MINIMUM_AGE > SESSION_LIFETIME


def test_a_row_whose_path_leaves_the_photos_folder_never_deletes_that_file(
    uow, clock, shop, tmp_path
):
    now = clock.now()
    tokens = sent(uow, shop, tmp_path, now - timedelta(days=2))
    outside = tmp_path / "retour.db"
    outside.write_bytes(b"not a photo")
    with uow:
        photo = uow.session.scalars(select(ReturnPhoto)).one()
        photo.path = "photos/../retour.db"
        uow.commit()

    pruned = prune_unattached_photos(uow, tmp_path, now)

    assert [(p.token, p.had_file) for p in pruned] == [(tokens[0], False)]
    assert outside.read_bytes() == b"not a photo"
    assert rows(uow) == []


@pytest.fixture
def cli_env(settings, session_factory, monkeypatch, tmp_path):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_prints_what_it_removed(uow, cli_env, tmp_path):
    # The command runs on the system clock.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    store_id = make_store(uow, clock)
    order = import_sample_order(uow, store_id, clock).order
    shop = (PortalAccess(store_id, order.id), order)
    sent_at = clock.now() - timedelta(hours=30)
    old = sent(uow, shop, tmp_path, sent_at)
    young = sent(uow, shop, tmp_path, clock.now() - timedelta(hours=1))
    size = (tmp_path / "photos" / str(store_id) / f"{old[0]}.png").stat().st_size

    result = runner.invoke(app, ["portal", "prune-photos", "--older-than", "24h"])
    again = runner.invoke(app, ["portal", "prune-photos"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"photos/{store_id}/{old[0]}.png {size} bytes, sent {sent_at:%Y-%m-%d %H:%M} UTC",
        f"1 unattached photo(s) removed, {size} bytes freed",
    ]
    assert again.output.splitlines() == ["0 unattached photo(s) removed, 0 bytes freed"]
    assert rows(uow) == [(young[0], None)]


def test_the_command_refuses_an_age_it_cannot_read_or_too_short(cli_env):
    unreadable = runner.invoke(app, ["portal", "prune-photos", "--older-than", "yesterday"])
    too_short = runner.invoke(app, ["portal", "prune-photos", "--older-than", "10m"])

    assert unreadable.exit_code == 2
    assert too_short.exit_code == 1
    assert "Photos sent less than an hour ago may still be sent with a return." in too_short.output
    assert (parse_age("90m"), parse_age("7d")) == (timedelta(minutes=90), timedelta(days=7))
