#!/usr/bin/env node
// A Fedify-based ActivityPub peer for Puentes' interop tests: every signature it makes or
// checks, every JSON-LD document it parses and every proof it verifies is Fedify's own
// code (npm @fedify/fedify, pinned in package.json). This file only wires Fedify to a
// Node HTTP server and a small JSON control API. See README.md.
//
//   node tests/peers/fedify/peer.mjs --port PORT [--verbose]
//   stdout: READY http://localhost:PORT

import "./polyfill.mjs";
import { createServer } from "node:http";
import { Temporal } from "@js-temporal/polyfill";
import { randomUUID } from "node:crypto";
import { configure, getConsoleSink } from "@logtape/logtape";
import {
  Accept,
  Article,
  Create,
  Endpoints,
  Follow,
  MemoryKvStore,
  Move,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Undo,
  createFederation,
  generateCryptoKeyPair,
  isActor,
  lookupObject,
  verifyObject,
} from "@fedify/fedify";

const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1]);
const verbose = args.includes("--verbose");
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: peer.mjs --port PORT [--verbose]");
  process.exit(2);
}
const base = `http://localhost:${port}`;
const NAME = "fed";

await configure({
  sinks: { stderr: getConsoleSink({ console: { ...console, debug: console.error, info: console.error, log: console.error } }) },
  loggers: [
    { category: ["logtape", "meta"], lowestLevel: "error", sinks: ["stderr"] },
    { category: "fedify", lowestLevel: verbose ? "debug" : "error", sinks: ["stderr"] },
  ],
});

// State, in memory only.
const keys = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
const followers = new Map(); // actor id -> { id, inboxId, endpoints }
const following = new Set(); // actor ids that accepted our Follow
const pendingFollows = new Map(); // Follow id -> target actor id
const received = []; // { type, id, actor, object, signed }
const notes = new Map(); // note uuid -> Note
const requests = []; // { method, path, scheme, status } of every federation request

const federation = createFederation({
  kv: new MemoryKvStore(),
  // The peers live on loopback.
  allowPrivateAddress: true,
});

// Only signed requests may read this actor, its notes and its followers (as GoToSocial
// and Mastodon's secure mode answer).
const signedOnly = (_ctx, _values, signedKey) => signedKey != null;

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== NAME) return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify peer",
      inbox: ctx.getInboxUri(identifier),
      outbox: new URL(`${base}/users/${identifier}/outbox`),
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((p) => p.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === NAME ? keys : []))
  .authorize(signedOnly);

federation
  .setObjectDispatcher(Note, "/notes/{uuid}", (_ctx, values) => notes.get(values.uuid) ?? null)
  .authorize(signedOnly);

federation
  .setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
    if (identifier !== NAME) return null;
    return { items: [...followers.values()] };
  })
  .authorize(signedOnly);

federation.setNodeInfoDispatcher("/nodeinfo/2.1", () => ({
  software: { name: "fedify-peer", version: { major: 1, minor: 0, patch: 0 } },
  protocols: ["activitypub"],
  usage: { users: { total: 1 }, localPosts: notes.size, localComments: 0 },
}));

async function record(ctx, activity) {
  received.push({
    type: activity.constructor.name,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    json: await activity.toJsonLd({ contextLoader: ctx.contextLoader }),
  });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  // Fetches made while handling the shared inbox (keys, objects) are signed too, so
  // servers in authorized-fetch mode answer them.
  .setSharedKeyDispatcher(() => ({ identifier: NAME }))
  .on(Follow, async (ctx, follow) => {
    await record(ctx, follow);
    if (follow.objectId?.href !== ctx.getActorUri(NAME).href) return;
    const follower = await follow.getActor(ctx);
    if (!isActor(follower) || follower.id == null) return;
    followers.set(follower.id.href, follower);
    await ctx.sendActivity(
      { identifier: NAME },
      follower,
      new Accept({
        id: new URL(`${base}/accepts/${randomUUID()}`),
        actor: ctx.getActorUri(NAME),
        object: follow,
      }),
    );
  })
  .on(Accept, async (ctx, accept) => {
    await record(ctx, accept);
    const followId = accept.objectId?.href;
    const target = pendingFollows.get(followId);
    if (target != null && accept.actorId?.href === target) {
      following.add(target);
      pendingFollows.delete(followId);
    }
  })
  .on(Create, async (ctx, create) => {
    await record(ctx, create);
  })
  // Mastodon's rule for account migration: the target, read fresh, must list the origin
  // in alsoKnownAs; then we follow the target and stop following the origin.
  .on(Move, async (ctx, move) => {
    await record(ctx, move);
    const origin = move.objectId?.href;
    if (origin == null || move.actorId?.href !== origin || move.targetId == null) return;
    if (!following.has(origin)) return;
    const target = await lookup(ctx, move.targetId.href);
    if (!isActor(target) || target.id == null) return;
    if (!target.aliasIds.some((alias) => alias.href === origin)) return;
    following.delete(origin);
    const follow = new Follow({
      id: new URL(`${base}/follows/${randomUUID()}`),
      actor: ctx.getActorUri(NAME),
      object: target.id,
    });
    pendingFollows.set(follow.id.href, target.id.href);
    await ctx.sendActivity({ identifier: NAME }, target, follow);
  })
  .on(Undo, async (ctx, undo) => {
    await record(ctx, undo);
    const object = await undo.getObject(ctx);
    if (object instanceof Follow && undo.actorId != null) followers.delete(undo.actorId.href);
  })
  .onError((_ctx, error) => console.error("inbox error:", error));

// --- control API -------------------------------------------------------------------------

async function loader(ctx) {
  return await ctx.getDocumentLoader({ identifier: NAME });
}

async function lookup(ctx, target) {
  return await lookupObject(target, {
    documentLoader: await loader(ctx),
    contextLoader: ctx.contextLoader,
  });
}

const control = {
  "GET /control/health": async (ctx) => ({ ok: true, actor: ctx.getActorUri(NAME).href }),
  "GET /control/received": async () => received,
  "GET /control/requests": async () => requests,
  "GET /control/followers": async () => [...followers.keys()],
  "GET /control/following": async () => [...following],
  // What Fedify's parser makes of a document (actor, note…), fetched signed.
  "POST /control/lookup": async (ctx, body) => {
    const object = await lookup(ctx, body.id);
    if (object == null) return { found: false };
    const out = { found: true, type: object.constructor.name, id: object.id?.href ?? null };
    if (isActor(object)) {
      out.preferredUsername = object.preferredUsername?.toString() ?? null;
      out.inbox = object.inboxId?.href ?? null;
      out.assertionMethods = [];
      for await (const key of object.getAssertionMethods({ documentLoader: await loader(ctx) })) {
        out.assertionMethods.push({ id: key.id?.href ?? null, controller: key.controllerId?.href ?? null });
      }
      const publicKey = await object.getPublicKey({ documentLoader: await loader(ctx) });
      out.publicKey = publicKey?.id?.href ?? null;
    } else {
      out.name = object.name?.toString() ?? null;
      out.content = object.content?.toString() ?? null;
      out.summary = object.summary?.toString() ?? null;
      out.attributedTo = object.attributionId?.href ?? null;
    }
    return out;
  },
  "POST /control/follow": async (ctx, body) => {
    const actor = await lookup(ctx, body.actor);
    if (!isActor(actor)) throw new Error(`not an actor: ${body.actor}`);
    const follow = new Follow({
      id: new URL(`${base}/follows/${randomUUID()}`),
      actor: ctx.getActorUri(NAME),
      object: actor.id,
    });
    pendingFollows.set(follow.id.href, actor.id.href);
    await ctx.sendActivity({ identifier: NAME }, actor, follow);
    return { follow_id: follow.id.href, actor: actor.id.href };
  },
  // A public Note to our followers (and to `to`, an actor id, when given).
  "POST /control/note": async (ctx, body) => {
    const uuid = randomUUID();
    const id = new URL(`${base}/notes/${uuid}`);
    const recipients = [];
    const cc = [ctx.getFollowersUri(NAME)];
    if (body.to) {
      const actor = await lookup(ctx, body.to);
      if (!isActor(actor)) throw new Error(`not an actor: ${body.to}`);
      recipients.push(actor);
      cc.push(actor.id);
    }
    const note = new Note({
      id,
      attribution: ctx.getActorUri(NAME),
      content: body.content,
      to: PUBLIC_COLLECTION,
      ccs: cc,
      published: Temporal.Now.instant(),
    });
    notes.set(uuid, note);
    const create = new Create({
      id: new URL(`${id.href}#create`),
      actor: ctx.getActorUri(NAME),
      object: note,
      to: PUBLIC_COLLECTION,
      ccs: cc,
    });
    await ctx.sendActivity({ identifier: NAME }, "followers", create, { preferSharedInbox: true });
    if (recipients.length > 0) await ctx.sendActivity({ identifier: NAME }, recipients, create);
    return { note_id: id.href, create_id: create.id.href };
  },
  // Fedify's own FEP-8b32 verifier on a document read (signed) from its origin: every
  // proof must hold and authenticate its attributedTo. `tamper` changes the content first.
  "POST /control/verify-proof": async (ctx, body) => {
    const documentLoader = await loader(ctx);
    const { document } = await documentLoader(body.url);
    if (body.tamper) document.content = `${document.content}<p>añadido</p>`;
    const options = { documentLoader, contextLoader: ctx.contextLoader };
    const object = await verifyObject(Article, document, options);
    let proofs = 0;
    if (object == null) {
      const parsed = await Article.fromJsonLd(document, options);
      for await (const _ of parsed.getProofs(options)) proofs++;
    } else {
      for await (const _ of object.getProofs(options)) proofs++;
    }
    return { verified: object != null, proofs, attributedTo: document.attributedTo ?? null };
  },
};

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, base);
    const body = await readBody(req);
    const handler = control[`${req.method} ${url.pathname}`];
    if (handler != null) {
      const ctx = federation.createContext(new URL(base), undefined);
      try {
        const result = await handler(ctx, body.length > 0 ? JSON.parse(body.toString()) : {});
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(result));
      } catch (error) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(error?.stack ?? error) }));
      }
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value != null) headers.set(name, value);
    }
    const request = new Request(url, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    const response = await federation.fetch(request, { contextData: undefined });
    requests.push({
      method: req.method,
      path: url.pathname + url.search,
      scheme: headers.has("signature-input") ? "rfc9421" : headers.has("signature") ? "cavage" : null,
      status: response.status,
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    console.error(error);
    res.writeHead(500);
    res.end(String(error));
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`READY ${base}`);
});
