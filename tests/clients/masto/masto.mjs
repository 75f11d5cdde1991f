// masto (npm; the library behind Elk) against Puentes: app, password grant (multipart
// form, as masto sends it), instance v1/v2, credentials, an image with alt text, a post,
// timelines paged through the Link header, lookup and follow of a remote actor, its post
// in home, notifications, favourite and boost.
import { readFileSync } from "node:fs";
import { createOAuthAPIClient, createRestAPIClient } from "masto";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const base = config.base;
const check = (cond, what) => {
  if (!cond) throw new Error(what);
};
const control = async (action, body = {}) => {
  const r = await fetch(`${config.control}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  check(r.ok, `control ${action}: ${r.status}`);
  return r.json();
};
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const checkStatus = (s, what) => {
  check(/^\d+$/.test(s.id), `${what}: id ${s.id}`);
  check(TIME.test(s.createdAt), `${what}: createdAt ${s.createdAt}`);
  for (const key of ["mediaAttachments", "mentions", "tags", "emojis"]) {
    check(Array.isArray(s[key]), `${what}.${key} is not an array`);
  }
  check(s.account.avatar.startsWith("http"), `${what}: avatar`);
};

const anon = createRestAPIClient({ url: base });
const app = await anon.v1.apps.create({
  clientName: "Puentes test (masto)",
  redirectUris: ["urn:ietf:wg:oauth:2.0:oob"],
  scopes: "read write follow",
});
check(app.clientId && app.clientSecret, "app registered");
const oauth = createOAuthAPIClient({ url: base });
const token = await oauth.token.create({
  grantType: "password",
  clientId: app.clientId,
  clientSecret: app.clientSecret,
  redirectUri: "urn:ietf:wg:oauth:2.0:oob",
  username: config.email,
  password: config.password,
  scope: "read write follow",
});
check(token.accessToken, "password grant");
const masto = createRestAPIClient({ url: base, accessToken: token.accessToken });

const v1 = await masto.v1.instance.fetch();
check(v1.version.startsWith("4.5.0 (compatible; Puentes "), v1.version);
const v2 = await masto.v2.instance.fetch();
check(v2.apiVersions.mastodon >= 1, "api_versions");
const me = await masto.v1.accounts.verifyCredentials();
check(me.source && Array.isArray(me.fields), "credential account");

const image = new Blob([readFileSync(config.image)], { type: "image/png" });
const media = await masto.v2.media.create({ file: image, description: "Puente peatonal" });
check(media.description === "Puente peatonal", "alt text");
const status = await masto.v1.statuses.create({ status: "Hola desde masto", mediaIds: [media.id] });
checkStatus(status, "posted");
check(status.mediaAttachments[0].description === "Puente peatonal", "image alt");

const pages = masto.v1.timelines.home.list({ limit: 1 });
const seen = [];
for await (const page of pages) {
  for (const s of page) checkStatus(s, "home");
  seen.push(...page.map((s) => s.id));
  if (seen.length >= 3) break;
}
check(seen.length >= 3 && BigInt(seen[0]) > BigInt(seen[2]), `home paged newest first ${seen}`);
for await (const page of masto.v1.timelines.public.list({ limit: 2 })) {
  for (const s of page) checkStatus(s, "public");
  break;
}

const remote = await masto.v1.accounts.lookup({ acct: config.remote_handle });
check(remote.acct === config.remote_handle, "lookup");
await masto.v1.accounts.$select(remote.id).follow();
await control("settle");
const posted = await control("remote_post", { text: "Y una más de la vecina" });
const home = await masto.v1.timelines.home.list({ limit: 40 });
const theirs = home.find((s) => s.uri === posted.id);
check(theirs, "remote post in home");
const fav = await masto.v1.statuses.$select(theirs.id).favourite();
check(fav.favourited, "favourited");
const boost = await masto.v1.statuses.$select(theirs.id).reblog();
check(boost.reblog && boost.reblog.id === theirs.id, "boost");
const notes = await masto.v1.notifications.list();
check(notes.some((n) => n.type === "follow"), "follow notification");
await oauth.revoke({ clientId: app.clientId, clientSecret: app.clientSecret, token: token.accessToken });
console.log("masto: all checks passed");
