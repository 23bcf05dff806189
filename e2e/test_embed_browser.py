"""The MOOC embed (site/embed.html, site/embed.js): a course page on another origin embeds one
module in an iframe, the learner completes it there, and the course page hears of it.

The site is served under a subpath (/course/) on one 127.0.0.1 port, the host page on another.
"""

import pytest
from playwright.sync_api import expect

from site_tools import KERNEL_IDLE, complete_module

SUBPATH = "course/"

# The course page: an iframe of the embed URL, and every tinytorch message it receives, in order.
HOST = """<!doctype html>
<title>A course page</title>
<iframe id="tinytorch" src="{src}" width="1000" height="700" title="TinyTorch module 00"></iframe>
<script>
  window.received = [];
  addEventListener("message", (event) => {{
    if (String(event.data?.type).startsWith("tinytorch:")) received.push({{origin: event.origin, data: event.data}});
  }});
</script>
"""


@pytest.fixture(scope="module")
def site_under_subpath(site_dir, serve, tmp_path_factory):
    """The built site's base URL under /course/ (a link to the build, served on its own port)."""
    root = tmp_path_factory.mktemp("host-of-the-site")
    (root / SUBPATH.strip("/")).symlink_to(site_dir, target_is_directory=True)
    return serve(root) + SUBPATH


def host_page(page, serve, tmp_path, src):
    """Open a course page on a second port that embeds `src`; returns its origin."""
    (tmp_path / "host.html").write_text(HOST.format(src=src))
    url = serve(tmp_path) + "host.html"
    page.goto(url)
    return url.rsplit("/", 1)[0]


class InFrame:
    """A frame that site_tools' notebook helpers can use as their page: the frame's elements and
    scripts, the page's keyboard (keys go to the focused element, inside the frame)."""

    def __init__(self, page, frame):
        self.frame, self.keyboard = frame, page.keyboard

    def __getattr__(self, name):
        return getattr(self.frame, name)


def messages(page, kind):
    return [m["data"] for m in page.evaluate("received") if m["data"]["type"] == kind]


def test_a_course_page_on_another_origin_hears_the_module_completed(page, serve, tmp_path, site_under_subpath):
    site_origin = site_under_subpath.split("/" + SUBPATH)[0]
    host_page(page, serve, tmp_path, site_under_subpath + "embed.html?module=00")
    page.wait_for_function("() => received.some((m) => m.data.type === 'tinytorch:status')")
    [status] = messages(page, "tinytorch:status")
    assert status["embedded"] == {"kind": "module", "id": "00"}
    assert status["modules"]["00"] == "available" and status["modules"]["01"] == "locked"

    frame = page.frame(url=lambda url: "notebooks/index.html" in url)
    assert frame.url.startswith(site_under_subpath + "notebooks/index.html?path=00_welcome.ipynb")
    frame.wait_for_function(KERNEL_IDLE, timeout=300_000)
    # One notebook alone: no header (its logo leads to the file browser), no menus.
    assert frame.locator("#menu-panel-wrapper").is_hidden() and frame.locator("#top-panel-wrapper").is_hidden()

    output = complete_module(InFrame(page, frame), "00")
    assert "module 00 completed" in output, output
    page.wait_for_function("() => received.some((m) => m.data.type === 'tinytorch:module-completed')")
    [completed] = messages(page, "tinytorch:module-completed")
    assert completed["module"] == "00" and completed["title"] == "Welcome"
    assert completed["passed"] == completed["total"] > 0 and completed["at"]
    assert {m["origin"] for m in page.evaluate("received")} == {site_origin}

    # The host asks for the learner's status.
    page.evaluate("document.getElementById('tinytorch').contentWindow.postMessage({type: 'tinytorch:get-status'}, '*')")
    page.wait_for_function("() => received.filter((m) => m.data.type === 'tinytorch:status').length === 2")
    status = messages(page, "tinytorch:status")[-1]
    assert status["modules"]["00"] == "completed" and status["modules"]["01"] == "available"
    assert status["milestones"]["01"] == "locked"


def test_a_milestone_opens_alone(page, site_under_subpath):
    page.goto(site_under_subpath + "embed.html?milestone=1")
    page.wait_for_url(site_under_subpath + "notebooks/index.html?path=milestone_01_perceptron.ipynb&embed=milestone:01")


@pytest.mark.parametrize("query, says", [
    ("module=99", 'There is no module "99" in this course: the modules are 00, 01,'),
    ("milestone=42", 'There is no milestone "42" in this course: the milestones are 01,'),
    ("", "Say which notebook to show: embed.html?module=01 or embed.html?milestone=01."),
])
def test_a_wrong_embed_url_says_what_is_wrong(page, site_under_subpath, query, says):
    page.goto(site_under_subpath + "embed.html?" + query)
    # The message is written once the course's module list has loaded: wait for it.
    expect(page.locator("#embed-error")).to_contain_text(says)
