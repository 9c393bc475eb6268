"""`retour serve` on SQLite sends mail by itself: the app's in-process outbox worker runs while
it serves (`--no-worker` / RETOUR_OUTBOX_IN_PROCESS=false turn it off)."""

from __future__ import annotations

import time

import httpx

from retour.services.context import FixedClock
from retour.services.stores import create_api_key
from retour.settings import Settings
from retour.web.app import create_app
from tests.api.conftest import serving
from tests.conftest import START
from tests.factories import make_store, order_payload


def test_the_served_app_sends_the_emails_of_what_happens_through_it(
    settings, uow, engine, tmp_path
):
    from tests.conftest import empty_all_tables

    empty_all_tables(engine)
    clock = FixedClock(START)
    make_store(uow, clock)
    key = create_api_key(uow, "acme", "tests", clock.now())
    data_dir = tmp_path / "data"
    app_settings = settings.model_copy(update={"data_dir": data_dir, "smtp_host": ""})
    app = create_app(app_settings, clock=clock, run_worker=True)

    with (
        serving(app) as base_url,
        httpx.Client(
            base_url=f"{base_url}/api/v1", headers={"Authorization": f"Bearer {key}"}
        ) as client,
    ):
        imported = client.post("/orders", json=order_payload("1001", placed_at=START))
        assert imported.status_code == 201, imported.text
        order = imported.json()
        line = {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
        created = client.post("/returns", json={"order_id": order["id"], "lines": [line]})
        deadline = time.monotonic() + 30  # generous: a loaded CI machine is slow
        while time.monotonic() < deadline:
            mails = client.get("/notifications").json()["items"]
            if mails and all(mail["status"] == "delivered" for mail in mails):
                break
            time.sleep(0.1)

    assert created.status_code == 201
    assert [(mail["kind"], mail["status"]) for mail in mails] == [("return_requested", "delivered")]
    assert list((data_dir / "mail" / "acme").glob("*-return_requested.eml"))


def test_the_worker_runs_in_process_by_default_on_sqlite_only(tmp_path):
    sqlite = Settings(data_dir=tmp_path)
    postgres = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://u@h/db")
    switched_off = Settings(data_dir=tmp_path, outbox_in_process=False)

    assert (sqlite.runs_worker_in_process, postgres.runs_worker_in_process) == (True, False)
    assert switched_off.runs_worker_in_process is False
