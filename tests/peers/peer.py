#!/usr/bin/env python3
"""A small third-party ActivityPub peer built on bovine, for interop tests.

Run:  python3 tests/peers/peer.py --port PORT --name NAME

It serves plain HTTP on 127.0.0.1:PORT; its public base URL is
http://localhost:PORT.  All HTTP signing and verifying is done by bovine
(draft-cavage HTTP signatures, RSA-SHA256); this file only wires bovine up
to an aiohttp server and a tiny JSON control API.  See README.md.
"""

import argparse
import asyncio
import contextvars
import hashlib
import json
import logging
import sys
import uuid
from urllib.parse import urldefrag

import aiohttp
from aiohttp import web

from bovine.activitystreams import Actor, factories_for_actor_object
from bovine.clients.signed_http import (
    SignedHttpClient,
    legacy_digest_method,
    legacy_digest_method_uppercase,
)
from bovine.crypto import (
    build_validate_http_signature_raw,
    generate_ed25519_private_key,
    generate_rsa_public_private_key,
)
from bovine.crypto.multibase import (
    encode_public_key_to_multibase,
    multibase_58btc_encode,
    multibase_to_private_key,
)
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
import jcs
from bovine.utils import webfinger_response_json

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AP_JSON = "application/activity+json"

log = logging.getLogger("peer")

# Why verifying the current request failed.  bovine's checker only returns
# None on failure and logs the reason, so its log lines are collected here
# (per request, via a context variable), next to our key retriever's notes.
_verify_notes: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "verify_notes", default=None
)


class _CollectNotes(logging.Handler):
    def emit(self, record):
        notes = _verify_notes.get()
        # Keep bovine.crypto's plain messages; skip its dumps of the headers.
        if (
            notes is not None
            and record.name.startswith("bovine.crypto")
            and isinstance(record.msg, str)
            and not record.msg.startswith("{")
        ):
            notes["bovine"].append(record.getMessage())


def _note(message: str) -> None:
    notes = _verify_notes.get()
    if notes is not None:
        notes["peer"].append(message)


def _verify_error(notes: dict) -> str:
    # bovine logs nothing when only the RSA check itself fails.
    if notes["peer"]:
        return "; ".join(notes["peer"])
    if notes["bovine"]:
        return notes["bovine"][0]
    return "signature verification failed"


def ap_response(data, status=200):
    return web.Response(status=status, text=json.dumps(data), content_type=AP_JSON)


def _pick_public_key(document: dict, key_id: str) -> dict:
    """Finds the publicKey object for key_id in an actor or key document."""
    keys = document.get("publicKey", document)
    if isinstance(keys, list):
        matching = [k for k in keys if isinstance(k, dict) and k.get("id") == key_id]
        keys = matching[0] if matching else keys[0]
    return keys


class Peer:
    def __init__(self, port: int, name: str, digest_uppercase: bool, auto_accept: bool):
        self.port = port
        self.name = name
        self.base = f"http://localhost:{port}"
        self.actor_id = f"{self.base}/actor"
        self.key_id = f"{self.actor_id}#main-key"
        self.auto_accept = auto_accept
        self.digest_method = (
            legacy_digest_method_uppercase if digest_uppercase else legacy_digest_method
        )

        # Fresh RSA-2048 key pair every start (bovine helper, PEM strings).
        self.public_pem, self._private_pem = generate_rsa_public_private_key()

        self.actor_document = Actor(
            id=self.actor_id,
            type="Person",
            preferred_username=name,
            inbox=f"{self.base}/inbox",
            outbox=f"{self.base}/outbox",
            followers=f"{self.base}/followers",
            public_key=self.public_pem,
            public_key_name="main-key",
        ).build()
        # Actor.build only lists `followers` for the owner's view; add it.
        self.actor_document["followers"] = f"{self.base}/followers"

        # Ed25519 key for FEP-8b32 proofs, published in assertionMethod (FEP-521a).
        ed25519_private = generate_ed25519_private_key()
        self.ed25519_key_id = f"{self.actor_id}#ed25519-key"
        self.proof_secret = CryptographicSecret.from_multibase(
            self.ed25519_key_id, ed25519_private
        )
        self.actor_document["assertionMethod"] = [
            {
                "id": self.ed25519_key_id,
                "type": "Multikey",
                "controller": self.actor_id,
                "publicKeyMultibase": encode_public_key_to_multibase(
                    multibase_to_private_key(ed25519_private).public_key()
                ),
            }
        ]

        self.activity_factory, self.object_factory = factories_for_actor_object(
            self.actor_document
        )

        self.received: list[dict] = []  # recorded incoming inbox POSTs
        self.objects: dict[str, dict] = {}  # id -> activity/note we published
        self.outbox: list[str] = []  # ids of activities we sent
        self.follows: dict[str, dict] = {}  # remote actor id -> our Follow
        self.followers: list[str] = []  # remote actors we auto-accepted
        self._tasks: set[asyncio.Task] = set()  # keeps background sends alive

        self.session: aiohttp.ClientSession | None = None
        self.client: SignedHttpClient | None = None
        self.validate = build_validate_http_signature_raw(self.retrieve_key)

    # -- outgoing (all signed by bovine) -----------------------------------

    async def start_client(self, _app=None):
        # ThreadedResolver: resolve `localhost` via the OS (/etc/hosts).
        connector = aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver())
        self.session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=20)
        )
        self.client = SignedHttpClient(
            self.session,
            self.key_id,
            self._private_pem,
            digest_method=self.digest_method,
        )

    async def stop_client(self, _app=None):
        if self.session:
            await self.session.close()

    async def signed_get_json(self, url: str) -> dict:
        """GET url with a bovine-signed request, return the parsed JSON."""
        response = await self.client.get(url, headers={"accept": AP_JSON})
        async with response:
            if response.status != 200:
                raise RuntimeError(f"GET {url} answered {response.status}")
            return await response.json(content_type=None)

    async def signed_post(self, inbox: str, activity: dict) -> tuple[int, str]:
        """POST activity to inbox with a bovine-signed request."""
        response = await self.client.post(inbox, json.dumps(activity))
        async with response:
            return response.status, await response.text()

    async def remote_inbox(self, actor_id: str) -> str:
        actor = await self.signed_get_json(actor_id)
        inbox = actor.get("inbox")
        if not isinstance(inbox, str):
            raise RuntimeError(f"actor {actor_id} has no inbox")
        return inbox

    def new_id(self, kind: str = "activities") -> str:
        return f"{self.base}/{kind}/{uuid.uuid4()}"

    def publish(self, document: dict) -> dict:
        self.objects[document["id"]] = document
        if document.get("type") != "Note":
            self.outbox.append(document["id"])
        return document

    # -- incoming ------------------------------------------------------------

    async def retrieve_key(self, key_id: str) -> CryptographicIdentifier | None:
        """Key retriever handed to bovine: dereference keyId (signed GET)."""
        try:
            document = await self.signed_get_json(urldefrag(key_id).url)
            return CryptographicIdentifier.from_public_key(
                _pick_public_key(document, key_id)
            )
        except Exception as error:  # reported as the verification error
            _note(f"could not retrieve key {key_id}: {type(error).__name__}: {error}")
            return None

    async def handle_inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            activity = json.loads(body)
        except ValueError:
            activity = body.decode("utf-8", errors="replace")

        notes: dict = {"bovine": [], "peer": []}
        _verify_notes.set(notes)
        # bovine checks: Signature present, Digest matches body, signed
        # headers include (request-target), date and digest, Date within
        # +-5 minutes, then the RSA signature; returns the key owner or None.
        signer = await self.validate(
            request.method, str(request.url), request.headers, request.read
        )
        _verify_notes.set(None)

        error = None
        if signer is None:
            error = _verify_error(notes)
        elif not isinstance(activity, dict):
            error = "body is not a JSON object"
        elif _id(activity.get("actor")) != signer:
            error = f"key owner {signer} is not the activity actor {_id(activity.get('actor'))}"

        verified = error is None
        self.received.append(
            {
                "verified": verified,
                "error": error,
                "activity": activity,
                "signer": signer,
            }
        )
        log.info("inbox: %s from %s verified=%s", _type(activity), signer, verified)
        if not verified:
            return web.json_response({"error": error}, status=401)

        undone = activity.get("object")
        if activity.get("type") == "Undo" and _type(undone) == "Follow":
            if signer in self.followers:
                self.followers.remove(signer)
        if self.auto_accept and activity.get("type") == "Follow":
            task = asyncio.create_task(self.accept_follow(activity))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.Response(status=202)

    async def accept_follow(self, follow: dict):
        try:
            accept = self.activity_factory.accept(follow, id=self.new_id()).build()
            self.publish(accept)
            follower = _id(follow.get("actor"))
            status, _ = await self.signed_post(
                await self.remote_inbox(follower), accept
            )
            if status < 300 and follower not in self.followers:
                self.followers.append(follower)
            log.info("sent Accept to %s: %s", follower, status)
        except Exception:
            log.exception("sending Accept failed")

    # -- public documents ----------------------------------------------------

    async def handle_actor(self, _request):
        return ap_response(self.actor_document)

    async def handle_webfinger(self, request):
        resource = request.query.get("resource", "")
        if resource != f"acct:{self.name}@localhost:{self.port}":
            return web.json_response({"error": "unknown resource"}, status=404)
        return web.json_response(
            webfinger_response_json(resource, self.actor_id),
            content_type="application/jrd+json",
        )

    async def handle_object(self, request):
        document = self.objects.get(f"{self.base}{request.path}")
        if document is None:
            return web.json_response({"error": "not found"}, status=404)
        return ap_response(document)

    def collection(self, path: str, items: list) -> web.Response:
        return ap_response(
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{self.base}{path}",
                "type": "OrderedCollection",
                "totalItems": len(items),
                "orderedItems": items,
            }
        )

    async def handle_outbox(self, _request):
        return self.collection("/outbox", list(reversed(self.outbox)))

    async def handle_followers(self, _request):
        return self.collection("/followers", self.followers)

    # -- control API (plain JSON, unsigned) ------------------------------

    async def control_follow(self, request):
        actor_id = (await request.json())["actor"]
        inbox = await self.remote_inbox(actor_id)
        follow = self.activity_factory.follow(actor_id, id=self.new_id()).build()
        self.publish(follow)
        self.follows[actor_id] = follow
        status, text = await self.signed_post(inbox, follow)
        return web.json_response(
            {"status": status, "follow_id": follow["id"], "body": text}
        )

    async def control_undo_follow(self, request):
        actor_id = (await request.json())["actor"]
        follow = self.follows.get(actor_id)
        if follow is None:
            return web.json_response(
                {"error": f"no earlier follow of {actor_id}"}, status=404
            )
        inbox = await self.remote_inbox(actor_id)
        # Embed the Follow (as Mastodon does) rather than only its id.
        embedded = {k: v for k, v in follow.items() if k != "@context"}
        undo = self.activity_factory.undo(
            embedded, include_activity=True, id=self.new_id()
        ).build()
        self.publish(undo)
        status, text = await self.signed_post(inbox, undo)
        if status < 300:
            del self.follows[actor_id]
        return web.json_response(
            {"status": status, "undo_id": undo["id"], "body": text}
        )

    async def control_note(self, request):
        data = await request.json()
        actor_id = data["to_actor"]
        inbox = await self.remote_inbox(actor_id)
        note = self.object_factory.note(
            id=self.new_id("notes"), content=data["content"], to={actor_id, AS_PUBLIC}
        ).build()
        create = self.activity_factory.create(
            {k: v for k, v in note.items() if k != "@context"}, id=self.new_id()
        ).build()
        self.publish(note)
        self.publish(create)
        status, text = await self.signed_post(inbox, create)
        return web.json_response(
            {
                "status": status,
                "note_id": note["id"],
                "create_id": create["id"],
                "body": text,
            }
        )

    async def control_endorse(self, request):
        """Endorses a Puentes statement: the digest of its frozen core is computed here
        (Python's jcs), the proof is made by bovine's FEP-8b32 code."""
        statement = await self.signed_get_json((await request.json())["statement"])
        core_fields = ["id", "type", "attributedTo", "initiators", "name", "content",
                       "contentMap", "published", "url"]
        core = {k: statement[k] for k in core_fields if statement.get(k) is not None}
        digest = multibase_58btc_encode(
            b"\x12\x20" + hashlib.sha256(jcs.canonicalize(core)).digest()
        )
        owner = _id(statement.get("attributedTo"))
        endorse = {
            "@context": [
                "https://www.w3.org/ns/activitystreams",
                "https://w3id.org/security/data-integrity/v2",
                {"Endorse": "https://puentes.network/ns#Endorse"},
            ],
            "id": self.new_id(),
            "type": "Endorse",
            "actor": self.actor_id,
            "object": statement["id"],
            "digestMultibase": digest,
            "content": "<p>Endorsed from a bovine peer</p>",
            "to": [owner],
            "cc": [AS_PUBLIC],
        }
        signed = self.proof_secret.sign_document(endorse)
        self.publish(signed)
        status, text = await self.signed_post(await self.remote_inbox(owner), signed)
        return web.json_response(
            {"status": status, "body": text, "endorse_id": signed["id"], "digest": digest}
        )

    async def control_received(self, _request):
        return web.json_response(self.received)

    async def control_health(self, _request):
        return web.json_response({"ok": True, "actor": self.actor_id})

    # -- wiring ----------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[_control_errors])
        app.on_startup.append(self.start_client)
        app.on_cleanup.append(self.stop_client)
        app.add_routes(
            [
                web.get("/actor", self.handle_actor),
                web.get("/.well-known/webfinger", self.handle_webfinger),
                web.post("/inbox", self.handle_inbox),
                web.get("/outbox", self.handle_outbox),
                web.get("/followers", self.handle_followers),
                web.get("/activities/{id}", self.handle_object),
                web.get("/notes/{id}", self.handle_object),
                web.post("/control/follow", self.control_follow),
                web.post("/control/undo-follow", self.control_undo_follow),
                web.post("/control/note", self.control_note),
                web.post("/control/endorse", self.control_endorse),
                web.get("/control/received", self.control_received),
                web.get("/control/health", self.control_health),
            ]
        )
        return app


@web.middleware
async def _control_errors(request, handler):
    """Turn failures of control calls into a JSON 500 the test can print."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        if not request.path.startswith("/control/"):
            raise
        log.exception("control call %s failed", request.path)
        return web.json_response(
            {"error": f"{type(error).__name__}: {error}"}, status=500
        )


def _id(value) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value if isinstance(value, str) else None


def _type(activity) -> str:
    return activity.get("type", "?") if isinstance(activity, dict) else "?"


def _setup_logging(verbose: bool):
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[stderr])
    # Capture everything bovine says during verification (see _verify_notes).
    bovine_logger = logging.getLogger("bovine")
    bovine_logger.setLevel(logging.DEBUG)
    bovine_logger.addHandler(_CollectNotes())


async def _serve(args):
    peer = Peer(args.port, args.name, args.digest_uppercase, args.auto_accept)
    runner = web.AppRunner(peer.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    print(f"READY {peer.base}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument(
        "--digest-uppercase",
        action="store_true",
        help="send `Digest: SHA-256=` instead of bovine's default `sha-256=`",
    )
    parser.add_argument(
        "--auto-accept",
        action="store_true",
        help="answer verified incoming Follows with a signed Accept",
    )
    parser.add_argument("--verbose", action="store_true", help="log to stderr at DEBUG")
    args = parser.parse_args()
    _setup_logging(args.verbose)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
