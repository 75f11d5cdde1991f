"""Shared by the client scripts: the scenario's configuration, the test harness's control
endpoint (it drives the federation queues and makes the remote instance act), the consent
page driven by plain HTTP requests, and strict checks of Mastodon's entity shapes."""

import base64
import datetime
import hashlib
import json
import re
import secrets
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlparse

import requests

CONFIG = json.load(open(sys.argv[1]))
BASE = CONFIG["base"]
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def control(action, **body):
    """Asks the test harness to act (settle the queues, post from the remote instance…)."""
    r = requests.post(f"{CONFIG['control']}/{action}", json=body, timeout=120)
    r.raise_for_status()
    return r.json()


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def numeric_id(value, what):
    # Mastodon.py may hand ids back as numbers; raw JSON must carry numeric strings.
    check((isinstance(value, str) and value.isdigit()) or isinstance(value, int),
          f"{what}: id {value!r} is not numeric")


def timestamp(value, what):
    # Mastodon.py parses times (it refuses ones it cannot read); raw JSON keeps milliseconds.
    check(isinstance(value, datetime.datetime) or (isinstance(value, str) and TIME.match(value)),
          f"{what}: time {value!r}")


def check_account(a, what="account"):
    numeric_id(a["id"], what)
    for key in ("username", "acct", "display_name", "note", "url", "uri"):
        check(isinstance(a[key], str), f"{what}.{key} is not a string")
    for key in ("avatar", "avatar_static", "header", "header_static"):
        check(isinstance(a[key], str) and a[key].startswith("http"), f"{what}.{key} is empty")
    for key in ("locked", "bot", "group"):
        check(isinstance(a[key], bool), f"{what}.{key} is not a boolean")
    for key in ("fields", "emojis"):
        check(isinstance(a[key], list), f"{what}.{key} is not a list")
    timestamp(a["created_at"], f"{what}.created_at")


def check_status(s, what="status"):
    numeric_id(s["id"], what)
    timestamp(s["created_at"], f"{what}.created_at")
    check_account(s["account"], f"{what}.account")
    for key in ("media_attachments", "mentions", "tags", "emojis", "filtered"):
        check(isinstance(s[key], list), f"{what}.{key} is not a list")
    for key in ("reblog", "poll", "card", "in_reply_to_id", "edited_at", "language", "application"):
        check(key in s, f"{what}.{key} is missing (must be explicit)")
    for key in ("favourited", "reblogged", "muted", "bookmarked", "pinned", "sensitive"):
        check(isinstance(s[key], bool), f"{what}.{key} is not a boolean")
    check(s["visibility"] in ("public", "unlisted", "private", "direct"), f"{what}.visibility")
    for m in s["media_attachments"]:
        numeric_id(m["id"], f"{what}.media")
        check(m["url"].startswith("http"), f"{what}.media.url")


def check_link(response, what):
    link = response.headers.get("Link", "")
    check('rel="next"' in link and 'rel="prev"' in link and "max_id=" in link, f"{what}: Link header {link!r}")


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def inputs(html):
    parser = _Form()
    parser.feed(html)
    return parser.inputs


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def consent(client_id, redirect_uri, scope, actor, challenge=None, state="xyz"):
    """Drives the consent page: signs in, chooses `actor`, approves; returns the code."""
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
              "scope": scope, "state": state}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    s = requests.Session()
    page = s.get(f"{BASE}/oauth/authorize?{urlencode(params)}")
    check(page.status_code == 200, f"consent page: {page.status_code}")
    hidden = {i["name"]: i.get("value", "") for i in inputs(page.text) if i.get("type") == "hidden"}
    check(hidden.get("client_id") == client_id, "the sign-in form carries the request")
    wrong = s.post(f"{BASE}/oauth/authorize", data={**hidden, "email": CONFIG["email"], "password": "wrong password!"})
    check(wrong.status_code == 401, "a wrong password is refused")
    chooser = s.post(f"{BASE}/oauth/authorize", data={**hidden, "email": CONFIG["email"], "password": CONFIG["password"]})
    check(chooser.status_code == 200, f"sign-in: {chooser.status_code}")
    fields = inputs(chooser.text)
    ticket = next(i["value"] for i in fields if i.get("name") == "ticket")
    choices = [i["value"] for i in fields if i.get("name") == "actor"]
    check(actor in choices, f"{actor} offered among {choices}")
    data = {"ticket": ticket, "actor": actor, "decision": "approve", "state": state}
    done = s.post(f"{BASE}/oauth/authorize", data=data, allow_redirects=False)
    if redirect_uri == "urn:ietf:wg:oauth:2.0:oob":
        check(done.status_code == 200, f"code page: {done.status_code}")
        return next(i["value"] for i in inputs(done.text) if i.get("id") == "code")
    check(done.status_code in (302, 303), f"redirect: {done.status_code}")
    query = parse_qs(urlparse(done.headers["Location"]).query)
    check(query["state"] == [state], "state comes back")
    return query["code"][0]
