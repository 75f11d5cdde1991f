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
    page.goto(url, wait_until="load")
    while True:
        if text in page.content():
            return True
        if time.time() > deadline:
            return False
        time.sleep(0.3)
        # A reload asks the server again (public pages may be cached for a minute).
        page.reload(wait_until="load")


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

        # 2. The alliance's secretariat admits the organization's member request.
        secretariat = phone(browser)
        spage = secretariat.new_page()
        login(spage, alliance["base"], *alliance["secretariat"])
        inbox = f"{alliance['base']}/staff/as/{alliance['actor']}"
        check("member request in the inbox", wait_for_text(spage, inbox, member["handle"]))
        request = spage.locator("li.work-member", has_text=member["handle"]).first
        with spage.expect_navigation():
            request.locator("button[value=approve]").click()
        check("member admitted in one tap", "Approved." in spage.content())

        # 3. The editor logs in on a phone and posts with an image into the alliance.
        editor = phone(browser)
        page = editor.new_page()
        login(page, member["base"], *member["editor"])
        check("editor lands on the staff pages", "/staff/as/" in page.url, page.url)
        check("page says whom the editor acts as", "Acting as" in page.content())
        compose = f"{member['base']}/staff/as/{member['actor']}/compose"
        check(
            "the alliance is offered once membership is confirmed",
            wait_for_text(page, compose, f'value="{alliance["handle"]}"'),
        )
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
        # And a form without the token is refused, whoever sends it.
        forged = page.request.post(
            f"{member['base']}/staff/as/{member['actor']}/posts/1/delete",
            form={"text": "x"},
            max_redirects=0,
        )
        check("form without CSRF token refused", forged.status == 403, str(forged.status))

        # 4. The secretariat approves the member's post held by the alliance.
        page = spage
        words = config["post_text"].split(" #")[0]
        check("held post reaches the secretariat", wait_for_text(page, inbox, words))
        fits(page, "inbox")
        item = page.locator("li.work-post", has_text=words).first
        with page.expect_navigation():
            item.locator("button[value=approve]").click()
        check("approved in one tap", "Approved." in page.content())
        public = f"{alliance['base']}/@{alliance['actor']}"
        check("relayed post on the alliance's page", wait_for_text(page, public, words))
        image = page.locator(f'img[alt="{config["image_alt"]}"]')
        check("relayed image with its description", image.count() >= 1)

        # 5. The editor endorses the alliance's statement without its name, and pledges to
        #    its call, from the staff pages by pasting their addresses.
        page = editor.new_page()
        page.goto(f"{member['base']}/staff/as/{member['actor']}/statements", wait_until="load")
        fits(page, "statements")
        page.fill("#url", config["statement_url"])
        page.check("input[name=anonymous]")
        with page.expect_navigation():
            page.locator("form.stack button[type=submit]:not([name])").first.click()
        check("endorsed", "Endorsed." in page.content(), page.content()[-2000:])
        check(
            "counted without its name on the statement's page",
            wait_for_text(page, config["statement_page"], "1 not named"),
        )
        check("the endorser's name is not shown", member["display"] not in page.content())
        page.goto(f"{member['base']}/staff/as/{member['actor']}/calls", wait_until="load")
        fits(page, "calls")
        page.fill("#url", config["call_url"])
        with page.expect_navigation():
            page.locator("form.stack button[type=submit]:not([name])").first.click()
        check("pledged", "Pledged." in page.content(), page.content()[-2000:])
        check("pledge counted on the call's page", wait_for_text(page, config["call_page"], "1 pledge"))

        # 6. The owner adds an editor, who then cannot reach owner-only pages or actions,
        #    even with crafted requests carrying a valid token.
        owner = phone(browser)
        page = owner.new_page()
        login(page, member["base"], *member["owner"])
        page.goto(f"{member['base']}/staff/as/{member['actor']}/settings", wait_until="load")
        fits(page, "settings")
        new_email, new_password = config["new_editor"]
        page.fill("#staff-email", new_email)
        page.select_option("#staff-role", "editor")
        page.fill("#staff-password", new_password)
        with page.expect_navigation():
            page.locator("form.staff-add button[type=submit]").click()
        check("editor added", "Staff member added." in page.content() and new_email in page.content())
        newcomer = phone(browser)
        page = newcomer.new_page()
        login(page, member["base"], new_email, new_password)
        check("new editor logged in", "Acting as" in page.content(), page.url)
        check("no settings tab for an editor", "/settings\"" not in page.content())
        token = csrf_of(page)
        for path in config["owner_only_get"]:
            response = page.goto(f"{member['base']}{path}", wait_until="load")
            check(f"editor refused the page {path}", response.status == 403, str(response.status))
        for path, form in config["owner_only_post"]:
            form = dict(form, _csrf=token)
            crafted = page.request.post(f"{member['base']}{path}", form=form, max_redirects=0)
            check(f"editor refused at {path}", crafted.status == 403, str(crafted.status))
        page.goto(f"{member['base']}/staff/as/{member['actor']}", wait_until="load")
        check("the organization still exists", "Acting as" in page.content())

        # 7. A staff member endorses from the statement's public page, as another actor
        #    it writes for; a visitor's copy of the page shows no staff form.
        endorse = config["public_endorse"]
        visitor = phone(browser)
        page = visitor.new_page()
        page.goto(config["statement_page"], wait_until="load")
        check("no staff form for a visitor", "_csrf" not in page.content())
        check("no cookie for a visitor", not visitor.cookies())
        visitor.close()
        staffer = phone(browser)
        page = staffer.new_page()
        login(page, alliance["base"], *alliance["secretariat"])
        page.goto(config["statement_page"], wait_until="load")
        fits(page, "public statement with the staff form")
        form = page.locator(f"form[action='/staff/as/{endorse['as']}/endorse']")
        check("endorse form on the public page", form.count() == 1, page.content()[:2000])
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        check("endorsed from the public page", "Endorsed." in page.content(), page.url)
        check(
            "named on the statement's page",
            wait_for_text(page, config["statement_page"], endorse["display"]),
        )
        staffer.close()

        # 8. Screenshots of every staff page at 360 px, in English and Arabic.
        for label, locale in (("en", "en-GB"), ("ar", "ar")):
            for who, base, account in (
                ("member", member["base"], member["editor"]),
                ("alliance", alliance["base"], alliance["secretariat"]),
            ):
                ctx = phone(browser, locale)
                page = ctx.new_page()
                page.goto(f"{base}/lang/{label}?next=/staff/login", wait_until="load")
                if who == "member":
                    fits(page, f"login {label}")
                    page.screenshot(path=f"{shots}/login-{label}.png", full_page=True)
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
