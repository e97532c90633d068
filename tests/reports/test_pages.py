"""Self-contained report pages: escaped text, no external resources."""

from nebuladapt.reports.pages import html_figure, html_page, html_table


def test_page_is_self_contained_and_escaped():
    page = html_page("a <b> & c", html_table(["x<y"], [["<script>alert(1)</script>", "3"]], numeric=(1,)))
    assert page.startswith("<!doctype html>") and "<title>a &lt;b&gt; &amp; c</title>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<td class='num'>3</td>" in page
    assert "href='data:,'" in page  # no favicon request
    for external in ("http://", "https://", "<link rel='stylesheet'", "@import", "url("):
        assert external not in page


def test_figure_links_relatively():
    text = html_figure("bpt.png", "BPT 'planes'")
    assert "src='bpt.png'" in text and "BPT &#x27;planes&#x27;" in text
