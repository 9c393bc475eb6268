"""Short secrets sealed with AES-GCM under a key derived from RETOUR_SECRET_KEY: they open
again with the same secret key, never with another, and a plain value reads as it is."""

from __future__ import annotations

import base64

import pytest

from retour.security.sealed import PREFIX, SealedValueUnreadable, Sealer, is_sealed

SECRET_KEY = "k" * 40
API_KEY = "EZTK_unit_sealed_0123456789"


def test_a_sealed_value_opens_to_itself_and_shows_nothing_of_it():
    sealer = Sealer(SECRET_KEY)

    sealed = sealer.seal(API_KEY)

    assert sealed.startswith("sealed:v1:")
    assert API_KEY not in sealed
    assert sealer.open(sealed) == API_KEY
    assert Sealer(SECRET_KEY).open(sealed) == API_KEY


def test_a_value_sealed_before_opens_now_so_the_derivation_never_changes_silently():
    # Sealed with SECRET_KEY by the first version: a new HKDF label or cipher breaks this.
    stored = (
        "sealed:v1:-Agw60Q_JO6Jh-clET4H0IbsnQQTLmfIs5yOv9Nhk9i0VtdDDYEm1gTEyw37m9itJ8yJtH3O5A=="
    )

    assert Sealer(SECRET_KEY).open(stored) == API_KEY


def test_each_seal_uses_a_fresh_nonce():
    sealer = Sealer(SECRET_KEY)

    first, second = sealer.seal(API_KEY), sealer.seal(API_KEY)

    assert first != second
    assert (sealer.open(first), sealer.open(second)) == (API_KEY, API_KEY)


def test_a_plain_value_from_before_sealing_reads_as_it_is_and_is_sealed_when_stored():
    sealer = Sealer(SECRET_KEY)

    assert (is_sealed(API_KEY), sealer.open(API_KEY)) == (False, API_KEY)
    stored = sealer.sealed(API_KEY)
    assert (is_sealed(stored), sealer.open(stored)) == (True, API_KEY)
    assert sealer.sealed(stored) == stored


def test_empty_means_none_set_and_stays_empty():
    sealer = Sealer(SECRET_KEY)

    assert (sealer.seal(""), sealer.sealed(""), sealer.open("")) == ("", "", "")


def test_another_secret_key_cannot_open_it_and_the_error_holds_no_part_of_it():
    sealed = Sealer(SECRET_KEY).seal(API_KEY)

    with pytest.raises(SealedValueUnreadable) as raised:
        Sealer("j" * 40).open(sealed)

    assert str(raised.value) == "a sealed value that this RETOUR_SECRET_KEY cannot open"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize(
    "stored",
    [PREFIX + "not base64!", PREFIX + "AAAA", PREFIX, "sealed:v1:" + "A" * 80],
    ids=["not-base64", "too-short", "empty", "wrong-tag"],
)
def test_a_damaged_sealed_value_is_unreadable_not_a_crash(stored):
    with pytest.raises(SealedValueUnreadable):
        Sealer(SECRET_KEY).open(stored)


def test_an_altered_ciphertext_does_not_open():
    sealed = Sealer(SECRET_KEY).seal(API_KEY)
    raw = bytearray(base64.urlsafe_b64decode(sealed[len(PREFIX) :]))
    raw[-1] ^= 1

    with pytest.raises(SealedValueUnreadable):
        Sealer(SECRET_KEY).open(PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode())


def test_the_sealer_shows_no_key():
    assert repr(Sealer(SECRET_KEY)) == "Sealer(key derived from RETOUR_SECRET_KEY)"
    assert SECRET_KEY not in repr(Sealer(SECRET_KEY))
