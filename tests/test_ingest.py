"""Bytes to text: encodings, newlines and non-text input."""

from __future__ import annotations

import pytest

from newsdigest.ingest import ingest
from newsdigest.model import RawPage, Skip

UKR = (
    "Президент України Володимир Зеленський зустрівся з Генеральним секретарем НАТО Єнсом "
    "Столтенбергом у Києві. " * 3
)
FR = (
    "Le président Volodymyr Zelensky a rencontré à Paris le président français Emmanuel Macron, "
    "déjà évoqué à Bruxelles en été. " * 3
)


@pytest.mark.parametrize(
    "data, expected",
    [
        (UKR.encode("cp1251"), UKR),
        (FR.encode("cp1252"), FR),
        (b"\xef\xbb\xbf" + FR.encode("utf-8"), FR),
        (FR.encode("utf-16"), FR),
    ],
)
def test_encodings_decode(data, expected):
    page = ingest("x.txt", data)
    assert isinstance(page, RawPage) and page.text == expected


def test_crlf_and_cr_become_lf():
    page = ingest("x.txt", b"Title\r\n\r\nFirst line.\rSecond line.\n")
    assert page.text == "Title\n\nFirst line.\nSecond line.\n"


@pytest.mark.parametrize(
    "data", [b"", b"   \n\n  ", bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n" + bytes(200)]
)
def test_non_text_is_skipped_with_a_reason(data):
    result = ingest("x.bin", data)
    assert isinstance(result, Skip) and result.reason


def test_html_is_recognised_by_content_and_by_name():
    assert ingest("page.txt", b"<!DOCTYPE html><html><body>x</body></html>").form == "html"
    assert ingest("page.html", b"<div>x</div>").form == "html"
    assert ingest("page.txt", b"Plain text about <b> tags").form == "text"
