"""What happens in a real browser: XSS payloads, posting in place, seeking, accessibility."""

import pytest
import sqlalchemy as sa

from eventsite.discussion.models import Comment, CommentStatus
from eventsite.discussion.moderation import Action, moderate
from eventsite.extensions import db
from tests.conftest import assert_no_axe_violations

from .conftest import panel_url

pytestmark = pytest.mark.browser

#: OWASP XSS filter-evasion cases, markdown-specific tricks and mutation-XSS classics.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112'
    '&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000039&#0000041">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<iframe src=http://xss.example/scriptlet.html <",
    "\\\";alert('XSS');//",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<svg/onload=alert('XSS')>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    '<object data="javascript:alert(1)">',
    "<details open ontoggle=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](  javascript:alert(1) )",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[a](&#106;avascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "'><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "[a](vbscript:msgbox(1))",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '[x](https://example.org "title" onmouseover=alert(1))',
    "`<script>alert(1)</script>` and ```\n<img src=x onerror=alert(1)>\n```",
]

WEBSITE_PAYLOADS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "http://example.org/'onmouseover=alert(1)",
    'http://example.org/"onmouseover="alert(1)',
    '" autofocus onfocus="alert(1)',
    "data:text/html,<script>alert(1)</script>",
    "http://example.org/<script>alert(1)</script>",
]

#: Everything in the discussion that could run script.
DOM_PROBE = """() => {
  const root = document.querySelector('#comments') || document.body;
  const all = [root, ...root.querySelectorAll('*')];
  return {
    handlers: all.flatMap(el => [...el.attributes].filter(a => a.name.toLowerCase().startsWith('on'))
                                                  .map(a => el.tagName + '[' + a.name + ']')),
    dangerous: [...root.querySelectorAll('script, iframe, object, embed, svg, math, style, meta, base, form img, '
                                        + 'img:not(.avatar), input[type=image], link')].map(el => el.outerHTML),
    badLinks: [...root.querySelectorAll('[href], [src], [action], [formaction], [data]')]
      .map(el => el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action')
                 || el.getAttribute('formaction') || el.getAttribute('data'))
      .filter(url => /^\\s*(javascript|vbscript|data):/i.test(url)),
  };
}"""


def assert_inert(page, dialogs) -> None:
    page.wait_for_timeout(300)  # let any onerror/onload/ontoggle fire
    assert dialogs == []
    assert page.evaluate("() => window.__xss === undefined")
    found = page.evaluate(DOM_PROBE)
    assert found == {"handlers": [], "dangerous": [], "badLinks": []}


def test_xss_payloads_are_inert_in_chromium(app, client, page, panel, post_form, approved_comment):
    assert len(PAYLOADS) >= 30
    app.config["COMMENT_HOLD_FIRST"] = False
    refused_pages = []
    for n, payload in enumerate(PAYLOADS):
        # Names are one line (they go into e-mail subjects), so line breaks become spaces here.
        name = " ".join(payload[:100].splitlines())
        response = post_form(client, panel, body=f"{n}: {payload}", name=name, email=f"x{n}@example.com")
        assert response.status_code == 303, payload
    for n, website in enumerate(WEBSITE_PAYLOADS):
        response = post_form(client, panel, body=f"site {n}", website=website, email=f"w{n}@example.com")
        assert response.status_code == 400, website
        refused_pages.append(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == len(PAYLOADS)
    # Unproven comments are held; the moderator lets them all through.
    moderate(db.session.scalars(sa.select(Comment.id)).all(), Action.APPROVE)

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # 1. The real page, served with its Content-Security-Policy.
    page.goto(panel_url(panel))
    assert page.locator("#comments li.comment").count() == len(PAYLOADS)
    page.hover("#comments")
    assert_inert(page, dialogs)
    # 2. The same HTML with no CSP at all: the sanitiser alone must hold.
    html = client.get(panel_url(panel)).get_data(as_text=True)
    for markup in [html, *refused_pages]:
        page.set_content(markup.replace('<script type="module" src="/static/js/discussion.js" async></script>', ""))
        # Fire mouse events on everything, for payloads that wait for a hover.
        page.evaluate(
            "() => document.querySelectorAll('#comments *').forEach(el => ['mouseover', 'focus', 'click']"
            ".forEach(type => el.dispatchEvent(new Event(type, {bubbles: false}))))"
        )
        assert_inert(page, dialogs)


def test_reply_in_place_with_javascript(app, page, panel, approved_comment, confirmed_browser):
    app.config["COMMENT_MIN_SUBMIT_SECONDS"] = 0
    confirmed_browser(page, "gemma@example.com")
    anne = approved_comment(name="Anne", email="anne@example.com", body="Influence is trust.")
    approved_comment(name="Rich", email="rich@example.com", body="Context matters at 1:02.")
    approved_comment(email="gemma@example.com")  # Gemma is a known commenter: published at once
    page.goto(panel_url(panel))
    page.evaluate("() => { window.__sameDocument = true; }")
    page.click(f"#comment-{anne.id} .comment-reply-link")
    assert page.locator(f"#comment-{anne.id} #commentform").count() == 1
    assert "Leave a Reply to Anne" in page.inner_text("#reply-title")
    page.fill("#body", "Thanks Anne, and I agree.")
    page.fill("#name", "Gemma Went")
    page.fill("#email", "gemma@example.com")
    page.click("#submit")
    reply = page.locator(f"#comment-{anne.id} > ol.children > li.comment")
    reply.wait_for()
    assert "Thanks Anne, and I agree." in reply.inner_text()
    assert page.evaluate("() => window.__sameDocument") is True  # no reload
    assert "Thanks, your comment is published." in page.inner_text(".form-message")
    stored = db.session.scalars(sa.select(Comment).where(Comment.author_name == "Gemma Went")).one()
    assert stored.parent_id == anne.id
    # Held comments come back in place too, with the notice only their author sees.
    page.fill("#body", "A first-timer's thought.")
    page.fill("#name", "Newcomer")
    page.fill("#email", "new@example.com")
    page.click("#submit")
    page.locator(".comment-pending").wait_for()
    assert "Your comment is awaiting moderation." in page.inner_text(".comment-pending")


def test_timestamps_seek_a_video_on_the_page(app, page, panel, approved_comment):
    approved_comment(body="The best bit is at 1:02.")
    page.goto(panel_url(panel))
    page.evaluate(
        """() => { const v = document.createElement('video'); v.id = 'test-video';
                   Object.defineProperty(v, 'currentTime', {set: t => { window.__seekedTo = t; }, get: () => 0});
                   v.play = () => { window.__played = true; return Promise.resolve(); };
                   document.querySelector('.player-area').appendChild(v); }"""
    )
    page.click("#comments a[data-t='62']")
    assert page.evaluate("() => [window.__seekedTo, window.__played]") == [62, True]
    assert "?t=" not in page.url  # the link did not navigate


def test_no_js_links_carry_the_time(client, panel, approved_comment):
    approved_comment(body="At 12:34 exactly")
    assert 'href="?t=754#player"' in client.get(panel_url(panel)).get_data(as_text=True)


def test_panel_page_with_comments_has_no_axe_violations(app, page, client, panel, post_form, approved_comment):
    app.config["COMMENT_HOLD_FIRST"] = True
    anne = approved_comment(name="Anne", email="anne@example.com", body="*Great* panel, see 12:34.")
    approved_comment(name="Gemma Went", email="g@example.com", body="Thanks Anne.", parent=anne, badge="Panelist")
    approved_comment(
        name="Rich", email="rich@example.com", body="> quoted\n\n- a list", author_website="https://r.example"
    )
    page.goto(panel_url(panel))
    assert_no_axe_violations(page)
    # With an error showing and the form moved under a comment.
    page.click(f"#comment-{anne.id} .comment-reply-link")
    page.click("#submit")
    page.locator(".form-message .flash-error").wait_for()
    assert_no_axe_violations(page)


def test_moderation_queue_has_no_axe_violations(app, page, panel, make_organiser, approved_comment):
    from tests.conftest import PASSWORD

    make_organiser(email="olive@example.com")
    approved_comment(name="Anne", body="Held *one*", status=CommentStatus.PENDING)
    page.goto("/login")
    page.fill("#email", "olive@example.com")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto("/studio/comments/")
    assert "Held" in page.inner_text("main")
    assert_no_axe_violations(page)


def test_paged_discussion_with_javascript(app, page, panel, approved_comment):
    """The page navigation passes axe; a new thread posted on page 1 is shown on the last page."""
    app.config.update(COMMENT_MIN_SUBMIT_SECONDS=0, COMMENTS_PER_PAGE=2)
    for n in range(5):
        approved_comment(name=f"Visitor {n}", email="gemma@example.com", body=f"Thread {n}.")
    page.goto(panel_url(panel))
    assert page.locator("nav.comments-pagination [aria-current=page]").text_content() == "Page 1"
    assert_no_axe_violations(page)
    page.fill("#body", "A new thread.")
    page.fill("#name", "Gemma Went")
    page.fill("#email", "gemma@example.com")
    page.click("#submit")
    page.wait_for_url("**/?cpage=3#comment-*")
    assert "A new thread." in page.inner_text(".comment-list")
    assert page.locator("nav.comments-pagination [aria-current=page]").text_content() == "Page 3"
