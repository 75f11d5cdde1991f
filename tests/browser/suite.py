"""The public web in headless Chromium, as a reader on a desktop and on a 360 px phone.
Usage: python3 suite.py CONFIG.json (written by tests/federation/web.rs, which starts the
instances and fills them with federated data). Saves screenshots under config["screenshots"].
"""

import json
import os
import sys
import urllib.parse

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


def watch(page, problems):
    """Content-Security-Policy violations and failed loads count as failures."""
    page.on(
        "console",
        lambda m: problems.append(m.text)
        if m.type == "error" and ("Content Security Policy" in m.text or "Refused" in m.text)
        else None,
    )


def main() -> int:
    config = json.load(open(sys.argv[1], encoding="utf-8"))
    shots = config["screenshots"]
    os.makedirs(shots, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=config["chromium"], args=ARGS, headless=True)
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        def phone_context(locale):
            return browser.new_context(
                viewport={"width": 360, "height": 740},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale=locale,
            )

        phone = phone_context("en-GB")
        # Its own context: the language cookie it sets must not change the other checks.
        switcher = phone_context("en-GB")
        arabic_phone = phone_context("ar")
        csp_problems = []

        # 1. A member's post relayed by an alliance on another instance, with its image.
        page = switcher.new_page()
        watch(page, csp_problems)
        page.goto(config["alliance_page"], wait_until="load")
        article = page.locator("article.post", has_text=config["relayed_text"]).first
        check("relayed post shown", article.count() == 1, "no article with the member's text")
        check(
            "relayed post says who relayed it",
            article.locator(".relayed").count() == 1,
            article.inner_html() if article.count() else "",
        )
        image = article.locator(f'img[alt="{config["image_alt"]}"]')
        check("relayed image present with alt text", image.count() == 1)
        if image.count() == 1:
            image.scroll_into_view_if_needed()
            # A lazy image may still be on its way: wait for it to load or fail (10 s at most).
            loaded = image.evaluate(
                """img => img.complete && img.naturalWidth > 0 ? true : new Promise(done => {
                    img.addEventListener("load", () => done(img.naturalWidth > 0));
                    img.addEventListener("error", () => done(false));
                    setTimeout(() => done(img.complete && img.naturalWidth > 0), 10000);
                })"""
            )
            check("relayed image loaded from the member's instance", loaded)
            src = image.get_attribute("src")
            check("image served by the member's instance", src.startswith(config["member_base"]), src)

        # 2. The language switch to Arabic gives a right-to-left page, and is remembered.
        page.locator("nav.langs a", has_text="العربية").click()
        page.wait_for_load_state("load")
        html = page.locator("html")
        check("arabic lang", html.get_attribute("lang") == "ar", html.get_attribute("lang"))
        check("arabic dir", html.get_attribute("dir") == "rtl", html.get_attribute("dir"))
        direction = page.evaluate("getComputedStyle(document.body).direction")
        check("laid out right to left", direction == "rtl", direction)
        check("same page after the switch", page.url.rstrip("/") == config["alliance_page"].rstrip("/"), page.url)
        page.goto(config["pages"]["home_alliance"], wait_until="load")
        check("choice remembered", page.locator("html").get_attribute("dir") == "rtl")
        page.close()

        # 3. The network map shows the nested alliance, readable on a phone.
        page = phone.new_page()
        watch(page, csp_problems)
        page.goto(config["network_page"], wait_until="load")
        svg = page.locator("figure.network svg")
        check("network map present", svg.count() == 1)
        boxes = {}
        for name in config["nested"]:
            node = svg.locator("text.name", has_text=name)
            check(f"map names {name}", node.count() >= 1)
            if node.count():
                boxes[name] = node.first.bounding_box()
        if len(boxes) == len(config["nested"]):
            top, middle, bottom = (boxes[n] for n in config["nested"])
            check(
                "nested alliance drawn inside its parent",
                top["y"] < middle["y"] < bottom["y"] and top["x"] < middle["x"] < bottom["x"],
                str(boxes),
            )
            check("map text readable on a phone", middle["height"] >= 10, str(middle))
        link = svg.locator("a", has_text=config["nested"][1]).first
        check("map nodes are links", (link.get_attribute("href") or "").startswith("http"))

        # 4. The Follow button sends a visitor to their own server's subscribe page.
        if config.get("follow"):
            follow = config["follow"]
            page.goto(follow["profile"], wait_until="load")
            page.locator("a.button", has_text="Follow").click()
            page.wait_for_load_state("load")
            page.fill("#handle", follow["handle"])
            with page.expect_navigation():
                page.locator("form.follow-form button").click()
            landed = urllib.parse.unquote(page.url)
            check(
                "follow lands on the visitor's server",
                landed.startswith(follow["expect_prefix"]) and follow["expect_uri"] in landed,
                landed,
            )
        page.close()

        # 5. Keyboard: the first Tab reaches the skip link, which leads to the content.
        page = desktop.new_page()
        page.goto(config["pages"]["organization"], wait_until="load")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        check("skip link first", focused == "skip", focused)
        page.close()

        # 6. Every main page, desktop and phone: no sideways scrolling on a phone, no CSP
        #    violation, screenshots as artifacts.
        for name, url in config["pages"].items():
            for label, context in (
                ("desktop", desktop),
                ("phone", phone),
                ("phone-ar", arabic_phone),
            ):
                page = context.new_page()
                watch(page, csp_problems)
                response = page.goto(url, wait_until="load")
                expected = 404 if name == "not_found" else 200
                check(f"{name} status", response.status == expected, f"{response.status}")
                if label == "phone-ar":
                    rtl = page.locator("html").get_attribute("dir")
                    check(f"{name} right to left for Arabic readers", rtl == "rtl", rtl)
                if label.startswith("phone"):
                    width = page.evaluate("document.documentElement.scrollWidth")
                    check(f"{name} fits 360 px", width <= 360, f"{width} px wide")
                page.screenshot(path=f"{shots}/{name}-{label}.png", full_page=True)
                page.close()
        check("no Content-Security-Policy violation", not csp_problems, "; ".join(csp_problems))
        browser.close()
    for failure in failures:
        print("BROWSER FAILED:", failure)
    print(f"browser checks: {len(passed)} ok, {len(failures)} problems; screenshots in {shots}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
