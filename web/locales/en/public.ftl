# Public pages: home, profiles, posts, statements, calls, hashtags, following.
home-empty = No organizations or alliances here yet.
home-alliances = Alliances
home-organizations = Organizations
home-latest-posts = Latest posts
calls-heading = Calls to action
statements-heading = Joint statements
kind-alliance = Alliance
kind-organization = Organization
followers-count = { $count ->
    [one] { $count } follower
   *[other] { $count } followers
}
feeds-label = Follow by feed:
follow-button = Follow
follow-hint = or search for { $handle } in your fediverse app
member-of-heading = Member of
members-heading = Members ({ $count })
members-private = This alliance keeps its member list private.
members-none = No members yet.
role-member = member
role-observer = observer
role-secretariat = secretariat
network-heading = Network map
network-explained = { $count ->
    [one] Who is a member of whom, across servers: { $count } other organization or alliance.
   *[other] Who is a member of whom, across servers: { $count } other organizations and alliances.
}
network-truncated = only part of the network is shown
posts-heading = Posts
posts-heading-alliance = Posts, and member posts relayed by the alliance
posts-none = Nothing posted yet.
pages-label = More posts
newer-posts = Newer posts
older-posts = Older posts
relayed-by = Relayed by { $alliance }
relayed-by-list = Relayed by
also-in = Also in:
edited = edited
in-reply-to = In reply to
replies-heading = { $count ->
    [one] { $count } reply
   *[other] { $count } replies
}
reply-hint = To reply, open this post from your fediverse app (search for its address).
tag-empty = No posts with this hashtag here yet.
statement-kicker = Joint statement
statement-initiated-by = Initiated by
statement-status-open = Open for endorsement
statement-status-closed = Closed
statement-status-draft = Draft
statement-until = until { $date }
statement-later-translation = Translation added after the statement opened; endorsements refer to the original text.
statement-version = Version { $number }
statement-earlier-text = earlier text
endorsements-count = { $count ->
    [0] No endorsements yet
    [one] { $count } endorsement
   *[other] { $count } endorsements
}
endorsements-anonymous = { $count ->
    [one] { $count } not named at the endorser's request
   *[other] { $count } not named at the endorsers' request
}
endorsements-withdrawn = { $count ->
    [one] { $count } withdrawn
   *[other] { $count } withdrawn
}
endorser-alliance-members = { $count ->
    [one] alliance of { $count } member
   *[other] alliance of { $count } members
}
verified = verified
verified-title = Signed by the endorser; the signature was checked
statement-supporters = { $count ->
    [one] { $count } supporter on the fediverse (a like; not a verified signature).
   *[other] { $count } supporters on the fediverse (likes; not verified signatures).
}
verify-heading = Anyone can check these endorsements
verify-explained = Every endorsement is signed by the organization or alliance that gave it, on its own server, for this exact text. A changed text is a new version, and signatures stay with the version they signed. So nobody, not even this server, can add a name, change the text under a signature, or hide a withdrawal without it showing.
endorse-how = Organizations and alliances endorse from their own Puentes account: open this page's address there and choose to endorse, with their name or counted without it.
verify-details = How to check it yourself
verify-command = With Puentes installed, this command fetches every signature from the servers that made it and checks each one against this text:
call-kicker = Call to action by { $organizer }
call-cancelled = cancelled
call-cancelled-notice = This call to action has been cancelled.
call-tentative = The date is not confirmed yet.
call-when = When
call-where = Where
call-online = Online
call-what = What to do
call-map = map
call-your-time = Your time:
call-moved = Moved; it was { $was }
call-pick-zone = Show the time in your time zone
call-show-zone = Show
call-co-organized = Co-organized with
call-add-calendar = Add to calendar
call-all-calendar = All calls of { $organizer }
call-pledged = { $count ->
    [0] No pledges yet
    [one] { $count } pledge
   *[other] { $count } pledges
}
call-pledged-of = { $count } of { $capacity } places pledged
call-pledge-how = Organizations and alliances pledge from their own account: on Puentes or Mobilizon, open this page's address there and choose to take part.
call-external = Or take part here:
follow-title = Follow { $name }
follow-explained = Enter your fediverse handle (Mastodon or another compatible server). We send you to your own server, where you confirm the follow.
follow-your-handle = Your handle
follow-placeholder = you@your.server
follow-go = Continue on my server
follow-other-ways = Other ways
follow-search = In your app, search for { $handle } and follow it.
follow-feeds = Without an account, by feed:
follow-error-invalid = That is not a handle. Write it like name@server.example.
follow-error-not-found = Your server does not know this handle. Check it and try again.
follow-error-no-template = Your server does not offer a follow link. Search for the handle below in your app instead.
follow-error-unreachable = Your server could not be reached. Try again later, or search for the handle below in your app.
interact-title = Follow or answer from this server
interact-explained = Your server sent you here to follow or answer something as an account of { $domain }.
interact-target = What you want to follow or answer:
interact-staff = Only the staff of the organizations and alliances on this server can do this, after logging in to act on their behalf. If you are one of them, log in and paste this address there.
moved-notice = This organization has moved to
moved-notice-alliance = This alliance has moved to
