"""Parses the feeds named in a JSON file with feedparser and checks what a feed reader
would show. Usage: python3 feeds.py CONFIG.json (written by tests/federation/web.rs)."""

import json
import sys

import feedparser


def main() -> int:
    config = json.load(open(sys.argv[1], encoding="utf-8"))
    failures = []
    checked = 0
    for feed in config["feeds"]:
        parsed = feedparser.parse(feed["url"])
        where = feed["url"]
        checked += 1
        if parsed.bozo:
            failures.append(f"{where}: not well-formed: {parsed.bozo_exception!r}")
            continue
        expected_version = {"rss": "rss20", "atom": "atom10"}[feed["kind"]]
        if parsed.version != expected_version:
            failures.append(f"{where}: version {parsed.version!r}, expected {expected_version}")
        if feed["title"] not in parsed.feed.get("title", ""):
            failures.append(f"{where}: title {parsed.feed.get('title')!r}")
        if not parsed.feed.get("link", "").startswith("http"):
            failures.append(f"{where}: no link to the page")
        entries = parsed.entries
        if len(entries) < feed["min_entries"]:
            failures.append(f"{where}: {len(entries)} entries, expected at least {feed['min_entries']}")
            continue
        for needle in feed.get("contains", []):
            if not any(
                needle in (e.get("title", "") + " " + e.get("summary", "")) for e in entries
            ):
                failures.append(f"{where}: no entry mentions {needle!r}")
        for entry in entries:
            if not entry.get("link", "").startswith("http"):
                failures.append(f"{where}: entry {entry.get('id')!r} has no link")
            if not entry.get("id"):
                failures.append(f"{where}: an entry has no id")
            if not (entry.get("published_parsed") or entry.get("updated_parsed")):
                failures.append(f"{where}: entry {entry.get('id')!r} has no date")
        for image in feed.get("images", []):
            if not any(image in e.get("summary", "") for e in entries):
                failures.append(f"{where}: the image {image} is missing")
    for failure in failures:
        print("FEED FAILED:", failure)
    print(f"feeds checked: {checked}, problems: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
