"""Streaming (WebSocket, Mastodon's protocol) with the `websockets` library (PyPI): a `user`
stream authenticated by the access_token query and a `public` stream authenticated by the
Sec-WebSocket-Protocol header receive an `update` when a followed remote actor posts, the
user stream a `notification` when a remote actor follows and a `delete` when a post goes.
The test's control server makes the remote instance act; every wait is a receive with a
timeout, nothing sleeps."""

import asyncio
import json

import requests
import websockets

from common import BASE, CONFIG, check, check_account, check_status, control

WS = BASE.replace("http://", "ws://", 1)

app = requests.post(f"{BASE}/api/v1/apps", data={
    "client_name": "Puentes test (websockets)", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
    "scopes": "read write follow"}).json()
token = requests.post(f"{BASE}/oauth/token", data={
    "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
    "username": CONFIG["email"], "password": CONFIG["password"], "scope": "read write follow",
    "actor": "ong"}).json()["access_token"]
auth = {"Authorization": f"Bearer {token}"}


async def until(ws, event, test=lambda payload: True, timeout=30):
    """The next message of `event` whose payload passes `test` (others are skipped)."""
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if msg.get("event") != event:
            continue
        check(isinstance(msg["payload"], str) and isinstance(msg["stream"], list), f"message shape {msg}")
        payload = msg["payload"] if event == "delete" else json.loads(msg["payload"])
        if test(payload):
            return msg["stream"], payload


async def main():
    try:
        async with websockets.connect(f"{WS}/api/v1/streaming?stream=user"):
            raise AssertionError("a user stream without a token was accepted")
    except websockets.exceptions.InvalidStatus as e:
        check(e.response.status_code == 401, f"refused with {e.response.status_code}")

    async with websockets.connect(f"{WS}/api/v1/streaming?stream=user&access_token={token}") as user, \
            websockets.connect(f"{WS}/api/v1/streaming?stream=public", subprotocols=[token]) as public:
        check(public.subprotocol == token, "the token subprotocol is named back")
        posted = control("remote_post", text="En directo desde la vecina")
        stream, status = await until(user, "update", lambda s: s["uri"] == posted["id"])
        check(stream == ["user"], f"stream {stream}")
        check_status(status, "streamed update")
        stream, status = await until(public, "update", lambda s: s["uri"] == posted["id"])
        check(stream == ["public"], f"stream {stream}")

        control("remote_follow")
        stream, note = await until(user, "notification", lambda n: n["type"] == "follow")
        check(stream == ["user"], f"stream {stream}")
        check_account(note["account"], "streamed notification")
        check(note["account"]["acct"].startswith("seguidora@"), note["account"]["acct"])

        mine = requests.post(f"{BASE}/api/v1/statuses", headers=auth, data={"status": "Se borrará"}).json()
        await until(user, "update", lambda s: s["id"] == mine["id"])
        requests.delete(f"{BASE}/api/v1/statuses/{mine['id']}", headers=auth).raise_for_status()
        _, gone = await until(user, "delete", lambda i: i == mine["id"])
        check(gone == mine["id"], "delete names the status")


asyncio.run(main())
print("streaming: all checks passed")
