"""The built site ships no solution: no line of a curriculum solution region is in its files or in
the wheels it carries (the scan of tests/test_solutions_private.py). No browser needed."""

from tests.test_solutions_private import leaks, texts


def test_the_site_has_no_solutions(site_dir):
    assert not leaks(texts(site_dir)), "solutions in the built site"
    assert not list(site_dir.rglob("*instructor*"))
