#!/usr/bin/env python3
"""A bovine-herd server for Puentes' interop tests.

Run:  python3 tests/peers/herd.py --port PORT

bovine-herd (PyPI) is a complete ActivityPub server: its actors answer only
signed GETs (401 otherwise), it verifies every inbox request and key fetch
with bovine, and it signs what it sends.  This file only starts it on
127.0.0.1:PORT (public base URL http://localhost:PORT) with one registered
actor, `herdy`, and adds a JSON control API that acts as that actor through
bovine-herd's own outbox processing (what its client-to-server API does).
It prints `READY http://localhost:PORT` once listening.  See README.md.
"""

import argparse
import asyncio
import logging
import socket
import sys
import tempfile

from quart import Quart, current_app, request
from bovine_herd import BovineHerd
from bovine_herd.add_to_queue import add_to_queue
from bovine_process import handle_outbox_item, process_inbox_item, process_outbox_item
from bovine_process.types import ProcessingItem
from bovine_process.utils import ProcessorList
from bovine_store import BovineAdminStore
from bovine_store.store.collection import collection_all

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

log = logging.getLogger("herd")

# What arrived at the actor's inbox, verified by bovine-herd (oldest first).
received: list[dict] = []


async def inbox_inline(item: ProcessingItem, actor):
    """Processes inbox items while the request is open (bovine-herd normally uses a
    background task), so a sender's delivery has taken effect when it returns."""
    received.append({"signer": item.submitter, "activity": item.data})
    await ProcessorList(process_inbox_item, add_to_queue)(item, actor)


async def outbox_inline(item: ProcessingItem, actor):
    await process_outbox_item(item, actor)


def build_app(port: int, db_path: str) -> Quart:
    base = f"http://localhost:{port}"
    app = Quart(__name__)
    BovineHerd(
        app,
        db_url=f"sqlite://{db_path}",
        start_background_task_inbox=inbox_inline,
        start_background_task_outbox=outbox_inline,
    )

    @app.before_serving
    async def register_actor():
        admin = BovineAdminStore(domain=base)
        app.config["herd_name"] = await admin.register("herdy")

    async def herd_actor():
        store = current_app.config["bovine_store"]
        return await store.actor_for_name(current_app.config["herd_name"])

    async def act(data: dict) -> dict:
        """Posts an activity to herdy's outbox, as bovine-herd's client API does."""
        actor = await herd_actor()
        data = {"@context": AS_CONTEXT, "actor": actor.actor_id, **data}
        item = ProcessingItem(actor.actor_id, data)
        item = await handle_outbox_item(item, actor)
        await process_outbox_item(item, actor)
        return item.data

    @app.get("/control/health")
    async def health():
        actor = await herd_actor()
        return {"ok": True, "actor": actor.actor_id}

    @app.get("/control/received")
    async def control_received():
        return received

    @app.get("/control/followers")
    async def control_followers():
        actor = await herd_actor()
        return await collection_all(actor.actor_id, actor.actor_object.followers)

    @app.get("/control/following")
    async def control_following():
        actor = await herd_actor()
        return await collection_all(actor.actor_id, actor.actor_object.following)

    @app.post("/control/follow")
    async def control_follow():
        target = (await request.get_json())["actor"]
        sent = await act({"type": "Follow", "object": target, "to": [target]})
        return {"follow_id": sent["id"]}

    @app.post("/control/accept-follows")
    async def control_accept():
        """Accepts every Follow of herdy received so far."""
        actor = await herd_actor()
        accepted = []
        for entry in received:
            follow = entry["activity"]
            if follow.get("type") != "Follow" or follow.get("object") != actor.actor_id:
                continue
            if follow["id"] in accepted:
                continue
            await act({"type": "Accept", "object": follow, "to": [follow["actor"]]})
            accepted.append(follow["id"])
        return {"accepted": accepted}

    @app.post("/control/note")
    async def control_note():
        body = await request.get_json()
        actor = await herd_actor()
        to = [AS_PUBLIC]
        cc = [actor.actor_object.followers]
        sent = await act(
            {
                "type": "Create",
                "to": to,
                "cc": cc,
                "object": {
                    "type": "Note",
                    "attributedTo": actor.actor_id,
                    "content": body["content"],
                    "to": to,
                    "cc": cc,
                },
            }
        )
        return {"create_id": sent["id"], "note_id": sent["object"]["id"]}

    @app.after_serving
    async def done():
        log.info("stopped")

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr
    )
    with tempfile.TemporaryDirectory(prefix="puentes-herd-") as tmp:
        app = build_app(args.port, f"{tmp}/bovine.sqlite3")

        async def serve():
            from hypercorn.asyncio import serve as hypercorn_serve
            from hypercorn.config import Config

            # Bound before serving: connections wait in the backlog until the herd,
            # with its actor registered, accepts them.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", args.port))
            sock.listen(128)
            sock.set_inheritable(True)
            config = Config()
            config.bind = [f"fd://{sock.fileno()}"]
            config.accesslog = None
            config.errorlog = None
            print(f"READY http://localhost:{args.port}", flush=True)
            await hypercorn_serve(app, config)

        asyncio.run(serve())


if __name__ == "__main__":
    main()
