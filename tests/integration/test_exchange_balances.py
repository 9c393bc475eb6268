"""What exchanges owe and charge: the balance on the return, the fees on the exchange refund."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from retour.db.models import RefundRow, Store, Variant
from retour.db.repositories.returns import ReturnFilter
from retour.domain.exchanges import ExchangeKind
from retour.domain.inputs import Receipt
from retour.services import queries
from retour.services import returns as use_cases
from retour.services.exchanges.choosing import ItemChoice, choose_exchange
from retour.services.exchanges.lifecycle import release_exchange
from tests.factories import STAFF, import_sample_order, make_store
from tests.support.exchange_steps import exchange_return, stocked, variant_id


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def order(uow, store_id, clock):
    """Two linen shirts size M (line 1) and one size L (line 2), 49.00 + 9.80 tax each."""
    return import_sample_order(uow, store_id, clock).order


def test_the_return_shows_what_its_shopper_owes_read_in_one_statement(
    uow, engine, store_id, order, clock
):
    stocked(uow, store_id, clock, sku="LINEN-L")
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")
    with uow:
        uow.session.get(Variant, size_l).price = 7000
        uow.commit()
    chosen = choose_exchange(
        uow, store_id, ret.id, ExchangeKind.ANY_PRODUCT, [ItemChoice(size_l, 1)], STAFF, clock.now()
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    received = use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        if statement not in ("BEGIN", "COMMIT", "ROLLBACK"):  # SQLite's explicit BEGIN
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        viewed = queries.get_return(uow, store_id, ret.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    listed = queries.list_returns(uow, store_id, ReturnFilter(), None, 10).items
    release_exchange(uow, store_id, chosen.id, STAFF, clock.now(), "shop order #88")

    assert (received.balance_due, viewed.balance_due, len(statements)) == (2520, 2520, 1)
    assert [r.balance_due for r in listed] == [2520]
    assert queries.get_return(uow, store_id, ret.id).balance_due == 0  # paid and released


@pytest.mark.parametrize(
    ("fees", "charged"),
    [
        pytest.param({"restocking_fee_bp": 1000}, (490, False), id="percentage-only"),
        pytest.param({"restocking_fee_fixed": 300}, (300, True), id="fixed"),
    ],
)
def test_only_fixed_fees_count_as_charged_on_the_exchanges_refund(
    uow, store_id, order, clock, fees, charged
):
    with uow:
        store = uow.session.get(Store, store_id)
        store.waive_fees_for_exchange = False
        for name, value in fees.items():
            setattr(store, name, value)
        uow.commit()
    stocked(uow, store_id, clock)
    ret = exchange_return(uow, store_id, order, clock)
    size_l = variant_id(uow, store_id, "LINEN-L")
    with uow:
        uow.session.get(Variant, size_l).price = 4000  # 48.00 with tax: less than the credit
        uow.commit()
    choose_exchange(
        uow,
        store_id,
        ret.id,
        ExchangeKind.SAME_PRODUCT,
        [ItemChoice(size_l, 1)],
        STAFF,
        clock.now(),
    )
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )

    with uow:
        refund = uow.session.scalars(select(RefundRow)).one()
    assert (refund.method, refund.status) == ("exchange", "succeeded")
    assert (refund.fees_amount, refund.fixed_fees_charged) == charged
