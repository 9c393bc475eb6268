"""Bulk load with server-side `generate_series`: orders for the create benchmark, and returns.

Ids are explicit so the load scripts can compute them: order `g` has lines `2g-1` and `2g`
(one unit each, both fulfilled), and return `r` (on order `r`) has lines `2r-1` and `2r`.
Orders `1..returns` carry the stored returns; the next `create_orders` are left untouched for
the create benchmark, one order per request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from database import BenchDatabase, Tenant

CUSTOMERS = 1000
_CUSTOMER = "mod(g - 1, 1000) + 1"
_EMAIL = f"'shopper' || ({_CUSTOMER}) || '@example.test'"
_LINE_VARIANT = "2 - mod(g, 2)"
_LINE_SKU = "CASE WHEN mod(g, 2) = 1 THEN 'LINEN-M' ELSE 'LINEN-L' END"
_LINE_TITLE = "CASE WHEN mod(g, 2) = 1 THEN 'Linen shirt M' ELSE 'Linen shirt L' END"
_LINE_REASON = "CASE WHEN mod(g, 2) = 1 THEN 'too_small' ELSE 'changed_mind' END"
_APPROVED = "mod(g, 2) = 0"
_STATUS = f"CASE WHEN {_APPROVED} THEN 'approved' ELSE 'requested' END"
_RETURN_LINES_JSON = """json_build_array(
    json_build_object('line_id', 2 * g - 1, 'sku', 'LINEN-M', 'quantity', 1,
        'reason', 'too_small'),
    json_build_object('line_id', 2 * g, 'sku', 'LINEN-L', 'quantity', 1,
        'reason', 'changed_mind'))"""

STATEMENTS: tuple[tuple[str, str], ...] = (
    (
        "customers",
        f"""INSERT INTO customers (id, store_id, email, name, is_blocked, is_vip, created_at)
        SELECT g, %(store)s, {_EMAIL}, 'Shopper ' || g, false, false, now()
        FROM generate_series(1, {CUSTOMERS}) g""",
    ),
    (
        "products",
        """INSERT INTO products (id, store_id, handle, title, collection, tags, is_returnable,
            is_final_sale)
        VALUES (1, %(store)s, 'linen-shirt', 'Linen shirt', 'Shirts', '[]', true, false)""",
    ),
    (
        "variants",
        """INSERT INTO variants (id, store_id, product_id, sku, title, options, price, barcode,
            weight_grams)
        VALUES (1, %(store)s, 1, 'LINEN-M', 'Linen shirt M', '{"size": "M"}', 4900, '', 300),
               (2, %(store)s, 1, 'LINEN-L', 'Linen shirt L', '{"size": "L"}', 4900, '', 320)""",
    ),
    (
        "orders",
        f"""INSERT INTO orders (id, store_id, platform_order_id, number, customer_id,
            customer_email, currency, placed_at, shipping_amount, shipping_tax, is_gift,
            shipping_postal_code, shipping_country, source_hash, created_at,
            updated_at)
        SELECT g, %(store)s, 'P' || g, '#' || g, {_CUSTOMER}, {_EMAIL}, 'EUR',
            now() - interval '20 days', 495, 0, false, '75011', 'FR', md5(g::text),
            now() - interval '20 days', now() - interval '20 days'
        FROM generate_series(1, %(orders)s) g""",
    ),
    (
        "order_lines",
        f"""INSERT INTO order_lines (id, order_id, store_id, platform_line_id, variant_id, sku,
            title, quantity, unit_price, line_discount, order_discount_allocated, tax)
        SELECT g, (g + 1) / 2, %(store)s, 'L' || g, {_LINE_VARIANT}, {_LINE_SKU},
            {_LINE_TITLE}, 1, 4900, 0, 0, 980
        FROM generate_series(1, 2 * %(orders)s) g""",
    ),
    (
        "order_payments",
        """INSERT INTO order_payments (id, order_id, store_id, platform_payment_id, gateway,
            amount, currency)
        SELECT g, g, %(store)s, 'PAY' || g, 'card', 10295, 'EUR'
        FROM generate_series(1, %(orders)s) g""",
    ),
    (
        "fulfilments",
        """INSERT INTO fulfilments (id, order_id, store_id, platform_fulfilment_id,
            tracking_number, shipped_at, delivered_at)
        SELECT g, g, %(store)s, 'F' || g, 'TRK' || g, now() - interval '19 days',
            now() - interval '17 days'
        FROM generate_series(1, %(orders)s) g""",
    ),
    (
        "fulfilment_lines",
        """INSERT INTO fulfilment_lines (id, fulfilment_id, order_line_id, quantity)
        SELECT g, (g + 1) / 2, g, 1 FROM generate_series(1, 2 * %(orders)s) g""",
    ),
    (
        "events (orders)",
        """INSERT INTO events (store_id, name, actor, occurred_at, return_id, order_id, payload)
        SELECT %(store)s, 'order.imported', 'api_key:bench', now() - interval '20 days', NULL,
            g, json_build_object('number', '#' || g, 'platform_order_id', 'P' || g)
        FROM generate_series(1, %(orders)s) g""",
    ),
    (
        "returns",
        f"""INSERT INTO returns (id, store_id, order_id, number, customer_email, currency,
            status, resolution, return_method, location_id, customer_note, staff_message,
            tracking_number, carrier, approved_at, expires_at, completed_at, created_at,
            updated_at, version)
        SELECT g, %(store)s, g, 'R-' || (%(number_base)s + g), {_EMAIL}, 'EUR', {_STATUS},
            'refund', 'ship_yourself', %(location)s, '', '', '', '',
            CASE WHEN {_APPROVED} THEN now() - interval '9 days' END,
            CASE WHEN {_APPROVED} THEN now() + interval '21 days' END,
            NULL, now() - interval '10 days',
            now() - CASE WHEN {_APPROVED} THEN interval '9 days' ELSE interval '10 days' END,
            CASE WHEN {_APPROVED} THEN 2 ELSE 1 END
        FROM generate_series(1, %(returns)s) g""",
    ),
    (
        "return_lines",
        f"""INSERT INTO return_lines (id, return_id, store_id, order_line_id, variant_id, sku,
            title, reason_code, reason_note, resolution, requested_quantity, approved_quantity,
            received_quantity, wrong_item_quantity, is_unexpected)
        SELECT g, (g + 1) / 2, %(store)s, g, {_LINE_VARIANT}, {_LINE_SKU}, {_LINE_TITLE},
            {_LINE_REASON}, '', 'refund', 1,
            CASE WHEN mod((g + 1) / 2, 2) = 0 THEN 1 ELSE 0 END, 0, 0, false
        FROM generate_series(1, 2 * %(returns)s) g""",
    ),
    (
        "events (returns requested)",
        f"""INSERT INTO events (store_id, name, actor, occurred_at, return_id, order_id, payload)
        SELECT %(store)s, 'return.requested', 'api_key:bench', now() - interval '10 days', g, g,
            json_build_object('number', 'R-' || (%(number_base)s + g), 'status', 'requested',
                'lines', {_RETURN_LINES_JSON})
        FROM generate_series(1, %(returns)s) g""",
    ),
    (
        "events (returns approved)",
        f"""INSERT INTO events (store_id, name, actor, occurred_at, return_id, order_id, payload)
        SELECT %(store)s, 'return.approved', 'staff:ann@example.test',
            now() - interval '9 days', g, g,
            json_build_object('number', 'R-' || (%(number_base)s + g), 'status', 'approved',
                'lines', {_RETURN_LINES_JSON})
        FROM generate_series(2, %(returns)s, 2) g""",
    ),
)
SEQUENCED_TABLES = (
    "customers",
    "products",
    "variants",
    "orders",
    "order_lines",
    "order_payments",
    "fulfilments",
    "fulfilment_lines",
    "returns",
    "return_lines",
)


@dataclass(frozen=True)
class Dataset:
    #: Stored returns have ids 1..returns, on orders 1..returns.
    returns: int
    #: Orders without returns for the create benchmark: first_free_order .. last_order.
    first_free_order: int
    last_order: int
    seconds: float


def load(database: BenchDatabase, tenant: Tenant, returns: int, create_orders: int) -> Dataset:
    started = time.perf_counter()
    orders = returns + create_orders
    with psycopg.connect(database.dsn) as conn:
        # Consistent by construction: skip the per-row foreign-key triggers while loading.
        conn.execute("SET session_replication_role = replica")
        params = {
            "store": tenant.store_id,
            "location": tenant.location_id,
            "orders": orders,
            "returns": returns,
            "number_base": 100000,  # RMA numbers are R-(100000 + id), as in Retour
        }
        for label, statement in STATEMENTS:
            step = time.perf_counter()
            conn.execute(statement, params)
            print(f"  {label:<28} {time.perf_counter() - step:6.1f} s", flush=True)
        for table in SEQUENCED_TABLES:
            conn.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}").format(
                    sql.Literal(table), sql.Identifier(table)
                )
            )
    with psycopg.connect(database.dsn, autocommit=True) as conn:
        step = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
        print(f"  {'VACUUM (ANALYZE)':<28} {time.perf_counter() - step:6.1f} s", flush=True)
    return Dataset(
        returns=returns,
        first_free_order=returns + 1,
        last_order=orders,
        seconds=time.perf_counter() - started,
    )
