"""The staff pages in headless Chromium on a 360 px phone, without JavaScript.
Usage: python3 staff.py CONFIG.json (written by tests/federation/staff_web.rs, which starts
two instances with their workers running). Saves screenshots of every staff page in English
and Arabic under config["screenshots"].
"""

import json
import os
import re
import sys
import time

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

failures = []
passed = []


def check(name, condition, detail=""):
    if condition:
        passed.append(name)
    else:
        failures.append(f"{name}: {detail}")


def phone(browser, locale="en-GB"):
    # Scripts off: every staff page must work without them.
    return browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        java_script_enabled=False,
    )


def login(page, base, email, password):
    page.goto(f"{base}/staff/login", wait_until="load")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("form.stack button[type=submit]").click()


def csrf_of(page):
    return page.locator("input[name=_csrf]").first.get_attribute("value")


def wait_for_text(page, url, text, seconds=20):
    """Federation runs in the instances' workers: look again until it has arrived."""
    deadline = time.time() + seconds
    while True:
        page.goto(url, wait_until="load")
        if text in page.content():
            return True
        if time.time() > deadline:
            return False
        time.sleep(0.3)


def fits(page, name):
    width = page.evaluate("document.documentElement.scrollWidth")
    check(f"{name} fits 360 px", width <= 360, f"{width} px wide")


def main() -> int:
    config = json.load(open(sys.argv[1], encoding="utf-8"))
    shots = config["screenshots"]
    os.makedirs(shots, exist_ok=True)
    member, alliance = config["member"], config["alliance"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=config["chromium"], args=ARGS, headless=True)

        # 1. The session cookie's flags, and the login's rate limit.
        ctx = phone(browser)
        page = ctx.new_page()
        page.goto(f"{member['base']}/staff/login", wait_until="load")
        cookies = {c["name"]: c for c in ctx.cookies()}
        session = cookies.get("puentes_staff")
        check("session cookie set by the login form", session is not None, str(cookies))
        if session:
            check("session cookie HttpOnly", session["httpOnly"] is True, str(session))
            check("session cookie SameSite=Lax", session["sameSite"] == "Lax", str(session))
        page.screenshot(path=f"{shots}/login-en.png", full_page=True)
        fits(page, "login")
        for _ in range(config["max_failures"]):
            login(page, member["base"], config["guessed"], "not the password")
        check(
            "wrong password says so",
            "Wrong email or password" in page.content() or "Too many" in page.content(),
        )
        login(page, member["base"], config["guessed"], config["guessed_password"])
        check("login locked after repeated failures", "Too many failed attempts" in page.content(), page.url)
        ctx.close()

        # 2. The editor logs in on a phone and posts with an image into the alliance.
        editor = phone(browser)
        page = editor.new_page()
        login(page, member["base"], *member["editor"])
        check("editor lands on the staff pages", "/staff/as/" in page.url, page.url)
        check("page says whom the editor acts as", "Acting as" in page.content())
        page.goto(f"{member['base']}/staff/as/{member['actor']}/compose", wait_until="load")
        fits(page, "compose")
        page.fill("#text", config["post_text"])
        page.set_input_files("#image", config["image_path"])
        page.fill("#alt", config["image_alt"])
        page.select_option("#to_alliance", alliance["handle"])
        page.check("input[name=visibility][value=public]")
        with page.expect_navigation():
            page.locator("form.compose button[type=submit]").click()
        check("post published", "Published." in page.content(), page.url)

        # The editor cannot take decisions, even with a crafted request and a valid token.
        page.goto(f"{member['base']}/staff/as/{member['actor']}", wait_until="load")
        token = csrf_of(page)
        crafted = page.request.post(
            f"{member['base']}/staff/as/{member['actor']}/decide",
            form={"_csrf": token, "kind": "follow", "handle": alliance["handle"], "verdict": "approve"},
            max_redirects=0,
        )
        check("editor's crafted decision refused", crafted.status == 403, str(crafted.status))
        for path in config["owner_only"]:
            crafted = page.request.post(
                f"{member['base']}{path}", form={"_csrf": token}, max_redirects=0
            )
            check(f"editor refused at {path}", crafted.status == 403, str(crafted.status))
        # And a form without the token is refused, whoever sends it.
        forged = page.request.post(
            f"{member['base']}/staff/as/{member['actor']}/posts/1/delete",
            form={"text": "x"},
            max_redirects=0,
        )
        check("form without CSRF token refused", forged.status == 403, str(forged.status))

        # 3. The secretariat approves the member's post held by the alliance.
        secretariat = phone(browser)
        page = secretariat.new_page()
        login(page, alliance["base"], *alliance["secretariat"])
        inbox = f"{alliance['base']}/staff/as/{alliance['actor']}"
        check("held post reaches the secretariat", wait_for_text(page, inbox, config["post_text"]))
        fits(page, "inbox")
        item = page.locator("li.work-post", has_text=config["post_text"]).first
        with page.expect_navigation():
            item.locator("button[value=approve]").click()
        check("approved in one tap", "Approved." in page.content())
        public = f"{alliance['base']}/@{alliance['actor']}"
        check("relayed post on the alliance's page", wait_for_text(page, public, config["post_text"]))
        image = page.locator(f'img[alt="{config["image_alt"]}"]')
        check("relayed image with its description", image.count() >= 1)

        # 4. Screenshots of every staff page at 360 px, in English and Arabic.
        for label, locale in (("en", "en-GB"), ("ar", "ar")):
            for who, base, account in (
                ("member", member["base"], member["editor"]),
                ("alliance", alliance["base"], alliance["secretariat"]),
            ):
                ctx = phone(browser, locale)
                page = ctx.new_page()
                page.goto(f"{base}/lang/{label}?next=/staff/login", wait_until="load")
                login(page, base, *account)
                for name, path in config["pages"][who].items():
                    response = page.goto(f"{base}{path}", wait_until="load")
                    check(f"{who} {name} {label} status", response.status == 200, str(response.status))
                    if label == "ar":
                        direction = page.locator("html").get_attribute("dir")
                        check(f"{who} {name} right to left", direction == "rtl", direction)
                    fits(page, f"{who} {name} {label}")
                    page.screenshot(path=f"{shots}/{who}-{name}-{label}.png", full_page=True)
                ctx.close()
        browser.close()
    for failure in failures:
        print("BROWSER FAILED:", failure)
    print(f"staff browser checks: {len(passed)} ok, {len(failures)} problems; screenshots in {shots}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
