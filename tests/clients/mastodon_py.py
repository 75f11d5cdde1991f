"""Mastodon.py (PyPI) against Puentes: apps, the consent page with PKCE and the password
grant, instance v1/v2, credentials, a post with an image and alt text, timelines with
Link paging, a remote actor looked up, followed and read in home, notifications of a
follow and a mention, favourite and boost; and one staff member's two tokens."""

import requests
from mastodon import Mastodon, MastodonAPIError

from common import BASE, CONFIG, check, check_account, check_link, check_status, consent, control, pkce

REDIRECT = "https://client.example/callback"
SCOPES = ["read", "write", "follow"]

client_id, client_secret = Mastodon.create_app(
    "Puentes test (Mastodon.py)", scopes=SCOPES, redirect_uris=[REDIRECT, "urn:ietf:wg:oauth:2.0:oob"],
    api_base_url=BASE)

# The authorization code through the consent page, speaking as the organization.
anon = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=BASE, version_check_mode="none")
code = consent(client_id, REDIRECT, " ".join(SCOPES), "ong")
ong_token = anon.log_in(code=code, redirect_uri=REDIRECT, scopes=SCOPES, allow_http=True)
ong = Mastodon(access_token=ong_token, api_base_url=BASE, version_check_mode="created")

# PKCE (S256), speaking as the alliance, and the code page for out-of-band clients.
verifier, challenge = pkce()
code = consent(client_id, "urn:ietf:wg:oauth:2.0:oob", "read write", "red", challenge=challenge)
token_url = f"{BASE}/oauth/token"
exchange = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": client_secret, "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}
check(requests.post(token_url, data={**exchange, "code_verifier": "wrong" * 10}).status_code == 400,
      "a wrong PKCE verifier is refused")
code = consent(client_id, "urn:ietf:wg:oauth:2.0:oob", "read write", "red", challenge=challenge)
got = requests.post(token_url, data={**exchange, "code": code, "code_verifier": verifier})
check(got.status_code == 200, f"PKCE exchange: {got.text}")
token = got.json()
check(token["token_type"] == "Bearer" and isinstance(token["created_at"], int), "token shape")
red = Mastodon(access_token=token["access_token"], api_base_url=BASE, version_check_mode="none")
again = requests.post(token_url, data={**exchange, "code": code, "code_verifier": verifier})
check(again.status_code == 400, "a code is used once")

# The password grant (command-line clients) also works.
pw = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=BASE, version_check_mode="none")
pw_token = pw.log_in(CONFIG["email"], CONFIG["password"], scopes=SCOPES, allow_http=True)
check(pw_token, "password grant")

# Instance v1 and v2, with a version Mastodon.py parses.
v2 = ong.instance_v2()
check(v2["api_versions"]["mastodon"] >= 1, "api_versions")
check(v2["version"].startswith("4.5.0 (compatible; Puentes "), v2["version"])
v1 = ong.instance_v1()
check(v1["uri"] == CONFIG["domain"], "v1 uri")
check(ong.verify_minimum_version("4.0.0", cached=True), "version parsed")

# Who each token speaks as.
me = ong.account_verify_credentials()
check_account(me, "verify_credentials")
check(me["username"] == "ong" and "source" in me, "ong speaks as ong")
check(red.account_verify_credentials()["username"] == "red", "red speaks as red")
check(ong.app_verify_credentials()["name"] == "Puentes test (Mastodon.py)", "app credentials")

# A post with an image and alt text.
media = ong.media_post(CONFIG["image"], mime_type="image/png", description="A bridge over a river")
check(media["description"] == "A bridge over a river", "alt text kept")
status = ong.status_post("Hola desde Mastodon.py #puentes", media_ids=[media], visibility="public")
check_status(status, "posted")
check(status["media_attachments"][0]["description"] == "A bridge over a river", "image alt")
check(status["account"]["id"] == me["id"], "posted as ong")
check(ong.status(status["id"])["id"] == status["id"], "read back")

# A token speaks only for its actor: red cannot delete ong's post.
try:
    red.status_delete(status["id"])
    raise AssertionError("red deleted ong's post")
except MastodonAPIError:
    pass

for n in range(3):
    ong.status_post(f"Post número {n}")
home = ong.timeline_home(limit=2)
check(len(home) == 2, "home page of 2")
for s in home:
    check_status(s, "home")
older = ong.fetch_next(home)
check(older and all(int(s["id"]) < int(home[-1]["id"]) for s in older), "Link next page is older")
public = ong.timeline_public(limit=2)
check(len(public) == 2, "public timeline")
r = requests.get(f"{BASE}/api/v1/timelines/public?limit=2", headers={"Authorization": f"Bearer {ong_token}"})
check_link(r, "public timeline")

# A remote actor: looked up, followed, its post reaches home; it follows and mentions us.
remote = ong.account_lookup(CONFIG["remote_handle"])
check_account(remote, "remote account")
check(remote["acct"] == CONFIG["remote_handle"], "remote acct")
found = ong.search_v2(f"@{CONFIG['remote_handle']}", resolve=True, result_type="accounts")
check(found["accounts"] and found["accounts"][0]["id"] == remote["id"], "search resolves")
rel = ong.account_follow(remote["id"])
control("settle")
check(ong.account_relationships([remote["id"]])[0]["following"], "following after the Accept")
posted = control("remote_post", text="Noticias de la vecina")
control("follow_us")
control("remote_post", text=f"Hola @ong@{CONFIG['domain']}")
home = ong.timeline_home()
theirs = [s for s in home if s["uri"] == posted["id"]]
check(theirs, "the remote post is in home")
check_status(theirs[0], "remote status")

notes = ong.notifications()
kinds = {n["type"] for n in notes}
check({"follow", "mention"} <= kinds, f"notifications {kinds}")
for n in notes:
    check_account(n["account"], "notification account")
    if n["type"] == "mention":
        check_status(n["status"], "mention status")
only = ong.notifications(types=["mention"])
check(only and all(n["type"] == "mention" for n in only), "types[] filter")

# Grouped notifications (Mastodon 4.3): the same page folded by type (and status), the
# others one group each; unread counts follow the notifications marker.
flat = ong.notifications(limit=40)
grouped = ong.grouped_notifications(limit=40)
groups = grouped["notification_groups"]
check(sum(g["notifications_count"] for g in groups) == len(flat), f"every notification in a group {groups}")
follows = [n for n in flat if n["type"] == "follow"]
follow_groups = [g for g in groups if g["type"] == "follow"]
check(len(follow_groups) == 1 and follow_groups[0]["notifications_count"] == len(follows),
      f"follows in one group {follow_groups}")
check(follow_groups[0]["most_recent_notification_id"] == follows[0]["id"], "newest follow leads the group")
check({a["id"] for a in grouped["accounts"]} >= {n["account"]["id"] for n in flat}, "accounts listed")
for g in groups:
    if g["type"] == "mention":
        check(g["group_key"] == f"ungrouped-{g['most_recent_notification_id']}", f"mention ungrouped {g}")
        check(any(s["id"] == g["status_id"] for s in grouped["statuses"]), "its status listed")
r = requests.get(f"{BASE}/api/v2/notifications?limit=1", headers={"Authorization": f"Bearer {ong_token}"})
check_link(r, "grouped notifications")
check(len(r.json()["notification_groups"]) == 1, "a page of one")
ong.markers_set(["notifications"], [flat[-1]["id"]])
check(ong.notifications_unread_count()["count"] == len(flat) - 1, "unread after the marker")
v2_unread = requests.get(f"{BASE}/api/v2/notifications/unread_count", headers={"Authorization": f"Bearer {ong_token}"})
check(v2_unread.json()["count"] == len(flat) - 1, f"v2 unread {v2_unread.text}")
ong.markers_set(["notifications"], [flat[0]["id"]])
check(ong.notifications_unread_count()["count"] == 0, "all read")

fav = ong.status_favourite(theirs[0]["id"])
check(fav["favourited"], "favourited")
boost = ong.status_reblog(theirs[0]["id"])
check(boost["reblog"]["id"] == theirs[0]["id"], "boost wraps the post")
control("settle")
check(control("remote_counts", id=posted["id"])["likes"] == 1, "the Like reached the remote instance")

# Bookmarks: kept per actor, shown in entities, paged by bookmark; red keeps none of ong's.
check(not theirs[0]["bookmarked"], "not kept yet")
kept = ong.status_bookmark(theirs[0]["id"])
check(kept["bookmarked"], "bookmarked")
mine_kept = ong.status_bookmark(status["id"])
check(ong.status(theirs[0]["id"])["bookmarked"], "bookmarked when read again")
marks = ong.bookmarks(limit=1)
check([m["id"] for m in marks] == [status["id"]], f"newest kept first {marks}")
more = ong.fetch_next(marks)
check(more and [m["id"] for m in more] == [theirs[0]["id"]], f"next page of bookmarks {more}")
r = requests.get(f"{BASE}/api/v1/bookmarks?limit=1", headers={"Authorization": f"Bearer {ong_token}"})
check_link(r, "bookmarks")
check(red.bookmarks() == [], "bookmarks belong to one actor")
check(not red.status(status["id"])["bookmarked"], "not red's bookmark")
check(not ong.status_unbookmark(status["id"])["bookmarked"], "unbookmarked")
check([m["id"] for m in ong.bookmarks()] == [theirs[0]["id"]], "one left")

# Pins: only one's own posts, at most five, shown with pinned=true and in entities.
own = [ong.status_post(f"Para fijar {n}") for n in range(6)]
pinned = ong.status_pin(own[0]["id"])
check(pinned["pinned"], "pinned")
try:
    ong.status_pin(theirs[0]["id"])
    raise AssertionError("pinned someone else's post")
except MastodonAPIError as e:
    check(e.args[1] == 422 and "Someone else" in str(e.args[3]), f"someone else's post: {e}")
for s in own[1:5]:
    ong.status_pin(s["id"])
try:
    ong.status_pin(own[5]["id"])
    raise AssertionError("a sixth pin")
except MastodonAPIError as e:
    check(e.args[1] == 422 and "maximum" in str(e.args[3]), f"a sixth pin: {e}")
shown = ong.account_statuses(me["id"], pinned=True)
check([s["id"] for s in shown] == [s["id"] for s in reversed(own[:5])], f"pinned statuses {shown}")
check(all(s["pinned"] for s in shown), "pinned in entities")
check(not ong.status_unpin(own[0]["id"])["pinned"], "unpinned")
check(len(ong.account_statuses(me["id"], pinned=True)) == 4, "four left")
check(ong.status_pin(own[5]["id"])["pinned"], "room for another")
check(not red.status(own[5]["id"])["pinned"], "pinned shows only to its actor")

# Puentes' own objects as statuses: the alliance ong follows opens a statement, calls to
# action and relays a member's post; all three show in home, in the alliance's statuses and
# (the statement and the call) in the public timeline, with numeric time-ordered ids.
objs = control("alliance_objects")
home = ong.timeline_home(limit=40)
for s in home:
    check_status(s, "home with objects")
ids = [int(s["id"]) for s in home]
check(ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), f"home ids ordered {ids}")
statement = next((s for s in home if s["uri"] == objs["statement"]), None)
check(statement, "the statement is a status in home")
for words in ("Vías seguras para todas", "Firmad por vías seguras y legales.", "Initiated by",
              "Endorsed by 1 organisation", objs["statement"]):
    check(words in statement["content"], f"statement text lacks {words!r}: {statement['content']}")
call = next((s for s in home if s["uri"] == objs["call"]), None)
check(call, "the call is a status in home")
for words in ("Concentración por el asilo", "14:00–17:00 CEST", "Plaza Mayor, Salamanca",
              "Traed pancartas", "Pledge:", objs["call_url"]):
    check(words in call["content"], f"call text lacks {words!r}: {call['content']}")
relayed = next((s for s in home if s["reblog"] and s["reblog"]["uri"] == objs["post"]), None)
check(relayed, "the member's post is a reblog in home")
check(relayed["account"]["acct"] == "red" and relayed["reblog"]["account"]["acct"] == "miembro",
      "reblogged by the alliance")
check_status(relayed["reblog"], "reblogged post")
check(int(statement["id"]) < int(call["id"]) < int(relayed["id"]), "ids follow time")
check(int(relayed["reblog"]["id"]) not in {int(statement["id"]), int(call["id"]), int(relayed["id"])},
      "no id collides with a post's")
check(ong.status(statement["id"])["content"] == statement["content"], "a statement read by id")
red_account = ong.account_lookup("red")
theirs = ong.account_statuses(red_account["id"], limit=40)
for s in theirs:
    check_status(s, "red's statuses")
uris = {s["uri"] for s in theirs} | {s["reblog"]["uri"] for s in theirs if s["reblog"]}
check({objs["statement"], objs["call"], objs["post"]} <= uris, f"red's statuses: {uris}")
public = ong.timeline_public(limit=40)
check({objs["statement"], objs["call"]} <= {s["uri"] for s in public}, "statement and call are public")
by = ong.status_reblogged_by(relayed["id"])
check([a["acct"] for a in by] == ["red"], f"reblogged_by {by}")
mine = ong.status_reblog(relayed["id"])
check(mine["reblog"]["uri"] == objs["post"] and mine["account"]["acct"] == "ong", "boosting a reblog boosts the post")
check({a["acct"] for a in ong.status_reblogged_by(relayed["reblog"]["id"])} == {"red", "ong"}, "both relayed")
undone = ong.status_unreblog(relayed["reblog"]["id"])
check(not undone["reblogged"], "unreblogged")
check([a["acct"] for a in ong.status_reblogged_by(relayed["reblog"]["id"])] == ["red"], "ong's boost is gone")
ong.status_favourite(relayed["reblog"]["id"])
check([a["acct"] for a in ong.status_favourited_by(relayed["reblog"]["id"])] == ["ong"], "favourited_by")

# The alliance's notifications: a member request and a pledge have no Mastodon type, so a
# client that does not name the types it knows never sees them; one that sends
# supported_types (Mastodon 4.6) gets them with a readable fallback.
STANDARD = {"mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update"}
plain = red.notifications()
check(all(n["type"] in STANDARD for n in plain), f"only standard types: {[n['type'] for n in plain]}")
r = requests.get(f"{BASE}/api/v1/notifications",
                 params=[("supported_types[]", t) for t in sorted(STANDARD)],
                 headers={"Authorization": f"Bearer {token['access_token']}"})
told = {(n["type"], n["account"]["acct"]): n for n in r.json()}
check(("puentes.member_request", "miembro") in told and ("puentes.pledge", "ong") in told,
      f"fallback types: {list(told)}")
join = told[("puentes.member_request", "miembro")]
check_account(join["account"], "member request account")
check("asks to join" in join["fallback"]["title"], join["fallback"])
pledge = told[("puentes.pledge", "ong")]
check(pledge["account"]["acct"] == "ong" and pledge["fallback"]["summary"] == "Concentración por el asilo",
      pledge["fallback"])

# Alliances from a client (Mitra's groups extension): ong is a member of red and follows it;
# posting with group_id, or mentioning the alliance from any app, has red relay the post.
auth = {"Authorization": f"Bearer {ong_token}"}
groups = requests.get(f"{BASE}/api/v1/groups", headers=auth).json()
check([g["acct"] for g in groups] == ["red"] and groups[0]["group"] is True, f"groups {groups}")
check_account(groups[0], "group")
followed = requests.get(f"{BASE}/api/v1/groups/followed", headers=auth).json()
check([g["acct"] for g in followed] == ["red"], f"followed groups {followed}")
members = requests.get(f"{BASE}/api/v1/groups/{red_account['id']}/members", headers=auth).json()
check({m["acct"] for m in members} == {"ong", "miembro"}, f"members {members}")
into = requests.post(f"{BASE}/api/v1/statuses", headers=auth,
                     data={"status": "Para toda la red", "group_id": red_account["id"]})
check(into.status_code == 200, f"posting into the group: {into.text}")
into = into.json()
check_status(into, "posted into the group")
mentioning = ong.status_post(f"Hola @red@{CONFIG['domain']}, os leemos")
r = requests.get(f"{BASE}/api/v1/timelines/group/{red_account['id']}?limit=40", headers=auth)
check_link(r, "group timeline")
group_line = r.json()
for s in group_line:
    check_status(s, "group timeline")
relayed_uris = {s["reblog"]["uri"] for s in group_line if s["reblog"]}
check({into["uri"], mentioning["uri"], objs["post"]} <= relayed_uris, f"relayed by red: {relayed_uris}")

# The profile from a client, through the staff settings page's commands.
before = ong.account_verify_credentials()
updated = ong.account_update_credentials(display_name="ONG Alfa", note="Trabajamos en el barrio",
                                         avatar=CONFIG["image"], avatar_mime_type="image/png", locked=True)
check_account(updated, "updated credentials")
check(updated["display_name"] == "ONG Alfa" and "Trabajamos en el barrio" in updated["note"], updated["note"])
check(updated["locked"] is True and updated["avatar"] != before["avatar"], "locked and a new avatar")
check(ong.account_verify_credentials()["display_name"] == "ONG Alfa", "kept")
ong.account_update_credentials(locked=False)
try:
    red.account_update_credentials(display_name="Otra red")
    raise AssertionError("an editor's token changed the alliance's profile")
except MastodonAPIError:
    pass

# Read markers are kept (Mastodon.py posts them as a form).
last = ong.timeline_home(limit=1)[0]["id"]
saved = ong.markers_set(["home"], [last])
check(str(saved["home"]["last_read_id"]) == str(last), f"marker saved {saved}")
again = ong.markers_set(["home"], [last])
check(again["home"]["version"] == saved["home"]["version"] + 1, "marker version counts moves")
check(str(ong.markers_get(["home"])["home"]["last_read_id"]) == str(last), "marker read back")

# Revoking: the token stops working.
requests.post(f"{BASE}/oauth/revoke", data={"client_id": client_id, "client_secret": client_secret, "token": pw_token})
r = requests.get(f"{BASE}/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {pw_token}"})
check(r.status_code == 401, "revoked token refused")
print("Mastodon.py: all checks passed")
