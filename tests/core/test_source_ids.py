"""Source ids: one page, one id, however its URL is spelled; two pages, two ids; and the ids of earlier
versions kept (the local corpus and the research cache store them)."""

from __future__ import annotations

import pytest

from deepresearch.schemas import normalize_url, source_id_for, url_key


@pytest.mark.parametrize(
    ("spelled", "canonical"),
    [
        ("HTTPS://Example.ORG:443/Cats/?b=2&a=1&utm_source=feed#part", "https://example.org/Cats?a=1&b=2"),
        ("http://example.org:80", "http://example.org/"),
        ("https://example.org//a/b/", "https://example.org/a/b"),
        ("https://en.wikipedia.org/wiki/Mercury_%28planet%29", "https://en.wikipedia.org/wiki/Mercury_(planet)"),
        ("https://en.wikipedia.org/wiki/Les_Misérables", "https://en.wikipedia.org/wiki/Les_Mis%C3%A9rables"),
        ("https://example.org/%7Euser", "https://example.org/~user"),
        ("https://en.wikipedia.org/wiki/AT&T", "https://en.wikipedia.org/wiki/AT%26T"),
        ("https://xn--bcher-kva.example/", "https://bücher.example/"),
    ],
)
def test_spellings_of_one_page_share_a_key_and_an_id(spelled: str, canonical: str) -> None:
    assert normalize_url(spelled) == canonical
    assert source_id_for(spelled) == source_id_for(canonical)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://example.org/games?game=1", "https://example.org/games?game=2"),
        ("https://example.org/a?reference=x", "https://example.org/a"),  # a parameter, not a tracker
        ("http://example.org/", "https://example.org/"),
    ],
)
def test_different_pages_keep_different_ids(one: str, other: str) -> None:
    assert source_id_for(one) != source_id_for(other)


@pytest.mark.parametrize(
    ("locator", "earlier_id"),
    [  # ids written by the hand-written normalization this replaced: every stored one still matches
        ("https://en.wikipedia.org/wiki/Albert_Einstein", "src_0d452dd3bf67"),
        ("https://en.wikipedia.org/wiki/Mercury_(planet)", "src_ec4edc5b5777"),
        ("https://en.wikipedia.org/wiki/Alzheimer's_disease", "src_a9bca1208b3e"),
        ("https://en.wikipedia.org/wiki/Les_Mis%C3%A9rables", "src_8d307e41077b"),
        ("https://en.wikipedia.org/wiki/AT%26T", "src_0ae6a97b1c4a"),
        ("https://example.org/a?b=2&a=1", "src_acfdff69c781"),
        ("local:docs/notes/cats.md", "src_4476cfdac396"),
    ],
)
def test_ids_of_earlier_versions_are_kept(locator: str, earlier_id: str) -> None:
    assert source_id_for(locator) == earlier_id


def test_a_local_id_is_its_own_key() -> None:
    assert url_key("  local:docs/a.md ") == "local:docs/a.md"
    assert url_key("https://Example.org/a/") == "https://example.org/a"
