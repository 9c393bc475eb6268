"""A typed policy: JSON read with the line of its first mistake, and the line of each JSON
pointer into it (services/policy/document_text.py)."""

from __future__ import annotations

import pytest

from retour.services.policy.document_text import NotJson, line_of, pointer_lines, read_document

TEXT = """{
  "default": {"window_days": 30},
  "overrides": [
    {"id": "a/b~c",
     "match": {"skus": ["X", "Y"]}},
    []
  ],
  "default": {
    "window_days": 14
  }
}"""


def test_every_pointer_is_on_the_line_its_value_starts_on():
    assert pointer_lines(TEXT) == {
        "": 1,
        # Given twice: the reader keeps the second, and so do the lines.
        "/default": 8,
        "/default/window_days": 9,
        "/overrides": 3,
        "/overrides/0": 4,
        "/overrides/0/id": 4,
        "/overrides/0/match": 5,
        "/overrides/0/match/skus": 5,
        "/overrides/0/match/skus/0": 5,
        "/overrides/0/match/skus/1": 5,
        "/overrides/1": 6,
    }


def test_a_pointer_the_text_lacks_is_on_the_line_of_its_nearest_value():
    lines = pointer_lines(TEXT)

    assert line_of(lines, "/overrides/0/match/tags") == 5
    assert line_of(lines, "/automation/default") == 1
    assert line_of(pointer_lines('"a~1b"'), "/x") == 1
    assert pointer_lines('{\n"a/b~": 1}') == {"": 1, "/a~1b~0": 2}


def test_text_that_is_not_json_names_the_line_and_column_where_reading_stopped():
    with pytest.raises(NotJson) as refused:
        read_document('{\n  "a": 1\n  "b": 2\n}')

    assert (refused.value.message, refused.value.line) == (
        "not JSON: Expecting ',' delimiter at column 3",
        3,
    )
    assert read_document(" [1] ") == [1]
