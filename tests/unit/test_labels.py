"""The built-in carrier's files read back as a scanner and a person would: each PDF page
rendered and its barcodes decoded with zxing-cpp, its text read with pypdf; the ZPL's
commands; the drop-off QR PNG; the packing slip."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from reportlab.graphics.barcode import qrencoder

from retour.domain.addresses import Address, checked_address
from retour.domain.shipments import ShipmentMethod
from retour.shipping.base import DocumentKind, LabelRequest
from retour.shipping.builtin import BuiltinCarrier, qr_payload
from retour.shipping.label_content import LabelContent, latin_text
from retour.shipping.label_zpl import label_zpl
from retour.shipping.packing_slip import PackingSlip, SlipLine, packing_slip_pdf
from retour.shipping.qr import penalty, qr_code, qr_matrix, qr_png
from tests.support.barcodes import pdf_barcodes, pdf_page_sizes, pdf_text, png_barcodes

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHOPPER = checked_address(
    Address(name="Zoë Müller", line1="12 rue de la Roquette", line2="Bâtiment B",
            city="Paris", postal_code="75011", country="FR", phone="+33 6 12 34 56 78"),
    "from_address",
)  # fmt: skip
WAREHOUSE = checked_address(
    Address(name="Acme Returns", company="Acme GmbH", line1="Lagerstraße 5",
            city="Berlin", postal_code="10115", country="DE"),
    "return_address",
)  # fmt: skip


def make_label(method=ShipmentMethod.PREPAID_LABEL, parcels=1, shipment_id=42, **addresses):
    request = LabelRequest(
        shipment_id=shipment_id,
        rma_number="R-100042",
        method=method,
        parcels=parcels,
        from_address=addresses.get("from_address", SHOPPER),
        to_address=addresses.get("to_address", WAREHOUSE),
        created_at=NOW,
        expires_at=NOW + timedelta(days=30),
    )
    label = BuiltinCarrier().create_label(request)
    return label, {document.kind: document.content for document in label.documents}


def test_every_page_of_the_pdf_label_scans_as_the_tracking_number_and_the_qr_payload():
    label, documents = make_label(parcels=3)

    assert label.tracking_number == "RT00000000422"
    assert label.qr_payload == "RETOUR:RT00000000422:R-100042"
    assert pdf_page_sizes(documents[DocumentKind.LABEL_PDF]) == [(288.0, 432.0)] * 3
    assert (
        pdf_barcodes(documents[DocumentKind.LABEL_PDF])
        == [{("Code128", "RT00000000422"), ("QRCode", "RETOUR:RT00000000422:R-100042")}] * 3
    )


def test_the_pdf_label_reads_both_addresses_the_rma_number_and_the_parcel():
    _, documents = make_label(parcels=2)

    pages = pdf_text(documents[DocumentKind.LABEL_PDF])

    for number, page in enumerate(pages, start=1):
        assert page == [
            "RETURN",
            "Retour built-in · standard",
            f"Parcel {number} of 2",
            "FROM",
            "Zoë Müller", "12 rue de la Roquette", "Bâtiment B", "75011 Paris", "FRANCE",
            "TO",
            "Acme Returns", "Acme GmbH", "Lagerstraße 5", "10115 Berlin", "GERMANY",
            "RT00000000422",
            "R-100042",
            "Use by 2026-04-01",
            "Stick on the parcel over any old label.",
        ]  # fmt: skip


def test_letters_the_label_font_lacks_are_spelled_as_the_post_would():
    shopper = checked_address(
        Address(name="Paweł Łukasz Ősz", line1="ул. Тверская 7", city="Łódź",
                postal_code="90-001", country="PL"),
        "from_address",
    )  # fmt: skip
    _, documents = make_label(from_address=shopper)

    page = pdf_text(documents[DocumentKind.LABEL_PDF])[0]

    assert page[4:8] == ["Pawel Lukasz Osz", "??. ???????? 7", "90-001 Lódz", "POLAND"]
    assert latin_text("Ærøskøbing ß €") == "Ærøskøbing ß €"
    assert latin_text("Łódź") == "Lódz"  # ó is in the font, ź is not


def test_a_long_address_is_shrunk_to_fit_and_the_barcodes_still_scan():
    shopper = checked_address(
        Address(name="Maximiliane Alexandrina von und zu Hohenzollern-Sigmaringen-Wittelsbach",
                line1="Boulevard " + "très long " * 12, city="Paris", postal_code="75011",
                country="FR"),
        "from_address",
    )  # fmt: skip
    _, documents = make_label(from_address=shopper)

    page = pdf_text(documents[DocumentKind.LABEL_PDF])[0]

    assert page[4] == shopper.name
    assert page[5].startswith("Boulevard très long") and page[5].endswith("…")
    assert pdf_barcodes(documents[DocumentKind.LABEL_PDF]) == [
        {("Code128", "RT00000000422"), ("QRCode", "RETOUR:RT00000000422:R-100042")}
    ]


def test_the_zpl_label_has_one_format_per_parcel_with_code_128_and_qr_commands():
    _, documents = make_label(parcels=2)

    zpl = documents[DocumentKind.LABEL_ZPL].decode("utf-8")
    formats = zpl.split("\n^XZ")

    assert zpl.count("^XA") == zpl.count("^XZ") == 2
    assert zpl.endswith("^XZ")
    for number, body in enumerate(formats[:2], start=1):
        lines = body.strip().splitlines()
        assert lines[:5] == ["^XA", "^CI28", "^PW812", "^LL1218", "^LH0,0"]
        assert "^FO205,750^BY3^BCN,170,Y,N,N,A^FDRT00000000422^FS" in lines
        assert "^FO30,1000^BQN,2,6^FDMA,RETOUR:RT00000000422:R-100042^FS" in lines
        assert f"^FO40,70^A0N,28,28^FB732,1,0,R,0^FH\\^FDParcel {number} of 2^FS" in lines
        texts = [line.split("^FD", 1)[1].removesuffix("^FS") for line in lines if "^FH" in line]
        assert texts == [
            "RETURN", "Retour built-in · standard", f"Parcel {number} of 2", "FROM",
            "Zoë Müller", "12 rue de la Roquette", "Bâtiment B", "75011 Paris", "FRANCE",
            "TO", "Acme Returns", "Acme GmbH", "Lagerstraße 5", "10115 Berlin", "GERMANY",
            "R-100042", "Use by 2026-04-01", "Stick on the parcel over any old label.",
        ]  # fmt: skip


def test_zpl_control_characters_in_an_address_are_escaped_not_obeyed():
    sneaky = checked_address(
        Address(name="Sam ^XZ~JR", line1="1 back\\slash_street", city="Paris",
                postal_code="75011", country="FR"),
        "from_address",
    )  # fmt: skip
    _, documents = make_label(from_address=sneaky)

    zpl = documents[DocumentKind.LABEL_ZPL].decode("utf-8")

    assert "^FH\\^FDSam \\5EXZ\\7EJR^FS" in zpl
    assert "^FH\\^FD1 back\\5Cslash_street^FS" in zpl
    assert zpl.count("^XZ") == 1 and "~JR" not in zpl


def test_barcode_data_zpl_cannot_carry_safely_is_refused():
    content = LabelContent("RT^XZ", "R-1", SHOPPER, WAREHOUSE, 1, "P", "s", date(2026, 4, 1))

    with pytest.raises(ValueError):
        label_zpl(content)


def test_a_qr_drop_off_shipment_also_gets_the_code_as_a_png():
    label, documents = make_label(method=ShipmentMethod.QR_DROP_OFF)

    png = documents[DocumentKind.QR_PNG]

    assert sorted(documents) == ["label_pdf", "label_zpl", "qr_png"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_barcodes(png) == {("QRCode", label.qr_payload)}
    assert "qr_png" not in {kind.value for kind in make_label()[1]}


@pytest.mark.parametrize(
    "payload",
    [
        "RETOUR:RT00000000018:R-100001",
        qr_payload("RT99999999990", "R-9999999999"),
        "https://shop.example/returns/drop-off?code=abc&lang=fr",
        "Zoë, Łódź — 返品",
        "X" * 300,  # version 10 and above: the version information blocks too
    ],
)
def test_qr_codes_of_any_size_and_mode_decode_to_their_payload(payload):
    assert png_barcodes(qr_png(qr_matrix(payload), scale=4)) == {("QRCode", payload)}


@pytest.mark.parametrize(
    "payload", ["RETOUR:RT00000000018:R-100001", "hello world", "1234567890" * 20, "X" * 300]
)
def test_the_qr_code_is_reportlabs_symbol_under_the_mask_the_standards_penalty_picks(payload):
    def reportlab_symbol(mask: int) -> list[list[bool]]:
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(payload)
        code.version = code.calculate_version()
        code.makeImpl(False, mask)
        return [[bool(dark) for dark in row] for row in code.modules]

    symbols = [reportlab_symbol(mask) for mask in range(8)]
    scores = [penalty(["".join("1" if dark else "0" for dark in row) for row in symbol])
              for symbol in symbols]  # fmt: skip

    matrix, mask = qr_code(payload)

    assert matrix == symbols[mask]
    assert scores[mask] == min(scores)


def slip(country: str = "DE", lines: int = 2) -> PackingSlip:
    to_address = WAREHOUSE if country == "DE" else checked_address(
        Address(name="Acme Returns", line1="1 Dock Rd", city="Reno", region="NV",
                postal_code="89501", country="US"),
        "return_address",
    )  # fmt: skip
    return PackingSlip(
        rma_number="R-100042",
        order_number="#1001",
        store_name="Acme & Co",
        customer_email="zoe@example.com",
        approved_on=date(2026, 3, 2),
        to_address=to_address,
        from_address=SHOPPER,
        lines=[SlipLine(f"LINEN-{index}", f"Linen shirt <{index}>", index + 1, "too_small")
               for index in range(lines)],
    )  # fmt: skip


def test_the_packing_slip_scans_as_the_rma_number_and_lists_the_lines():
    pdf = packing_slip_pdf(slip())

    text = pdf_text(pdf)[0]

    assert pdf_barcodes(pdf) == [{("Code128", "R-100042")}]
    assert [(round(w, 1), round(h, 1)) for w, h in pdf_page_sizes(pdf)] == [(595.3, 841.9)]  # A4
    assert text == [
        "Acme & Co", "Return packing slip", "Return R-100042 · order #1001",
        "zoe@example.com · approved 2026-03-02", "R-100042",
        "Send to", "Acme Returns", "Acme GmbH", "Lagerstraße 5", "10115 Berlin", "GERMANY",
        "From", "Zoë Müller", "12 rue de la Roquette", "Bâtiment B", "75011 Paris", "FRANCE",
        "SKU", "Item", "Quantity", "Reason",
        "LINEN-0", "Linen shirt <0>", "1", "too small",
        "LINEN-1", "Linen shirt <1>", "2", "too small",
        "Put this slip in the parcel with the items above, and stick the return label on the "
        "outside.",
    ]  # fmt: skip


def test_a_long_packing_slip_runs_over_pages_on_the_paper_of_its_country():
    pdf = packing_slip_pdf(slip(country="US", lines=60))

    pages = pdf_text(pdf)
    every_line = [line for page in pages for line in page]

    assert len(pages) == 3
    assert pdf_page_sizes(pdf) == [(612.0, 792.0)] * 3  # Letter
    assert pages[1][:4] == ["SKU", "Item", "Quantity", "Reason"]  # the header again
    assert pages[2] == [
        "Put this slip in the parcel with the items above, and stick the return label on the "
        "outside."
    ]
    assert [line for line in every_line if line.startswith("LINEN-")] == [
        f"LINEN-{index}" for index in range(60)
    ]
