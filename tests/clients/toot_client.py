"""toot (PyPI) against Puentes, through toot's own functions and entity classes: the
instance it reads to register, `login_cli`'s password grant, posting with an image,
timelines paged by the Link header, lookup, follow, notifications, favourite and boost."""

import os
import tempfile

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()

from toot import api, auth  # noqa: E402
from toot.entities import Account, Instance, Notification, Status, from_dict  # noqa: E402

from common import BASE, CONFIG, check, check_account, check_status, control  # noqa: E402

instance = auth.find_instance(BASE)
check(isinstance(from_dict(Instance, api.get_instance(BASE).json()), Instance), "Instance entity")
check(instance.uri == CONFIG["domain"], f"instance uri {instance.uri}")
app = auth.get_or_create_app(BASE)
user = auth.login_username_password(app, CONFIG["email"], CONFIG["password"])
check(user.username in ("ong", "red"), f"logged in as {user.username}")

me = from_dict(Account, api.verify_credentials(app, user).json())
check(me.username == user.username, "verify_credentials")

with open(CONFIG["image"], "rb") as image:
    media = api.upload_media(app, user, image, description="Un puente sobre el río").json()
check(media["description"] == "Un puente sobre el río", "alt text")
posted = api.post_status(app, user, "Hola desde toot", media_ids=[media["id"]], visibility="public").json()
check_status(posted, "toot post")
status = from_dict(Status, posted)
check(status.media_attachments[0].description == "Un puente sobre el río", "image parsed")
check(from_dict(Status, api.fetch_status(app, user, status.id).json()).id == status.id, "fetched")

pages = api.home_timeline_generator(app, user, limit=1)
first, second = next(pages), next(pages)
check(len(first) == 1 and len(second) == 1 and int(second[0]["id"]) < int(first[0]["id"]),
      "home pages follow the Link header")
for s in first + second:
    from_dict(Status, s)
public = next(api.public_timeline_generator(app, user, limit=5))
for s in public:
    check_status(s, "public")
    from_dict(Status, s)

remote = api.lookup(app, user, CONFIG["remote_handle"]).json()
check_account(remote, "lookup")
from_dict(Account, remote)
api.follow(app, user, remote["id"])
control("settle")
posted = control("remote_post", text="Otra noticia de la vecina")
home = next(api.home_timeline_generator(app, user, limit=40))
theirs = [s for s in home if s["uri"] == posted["id"]]
check(theirs, "remote post in home")
check(from_dict(Status, api.favourite(app, user, theirs[0]["id"]).json()).favourited, "favourite")
boost = from_dict(Status, api.reblog(app, user, theirs[0]["id"]).json())
check(boost.reblog is not None, "boost")

notes = api.get_notifications(app, user).json()
for n in notes:
    from_dict(Notification, n)
check(any(n["type"] == "follow" for n in notes), "follow notification")
print("toot: all checks passed")
