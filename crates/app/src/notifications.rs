//! Notifications: what happened to our actors, recorded where each event is handled
//! (follows, mentions, replies, boosts, likes, member requests, endorsements, pledges) and
//! read by their staff in the pages and in apps (the Mastodon client API).

use crate::{App, Caller, Permission};
use puentes_core::{NotificationKind, Result, content::Tag};
use puentes_db::{
    ConnectionTrait, actor, notification, post,
    query::{
        self, IdRange,
        notification::{KindFilter, NewNotification},
    },
};

/// Tells `recipient` (when it is ours) that `from` did `kind`.
pub(crate) async fn tell(
    db: &impl ConnectionTrait,
    recipient: &actor::Model,
    kind: NotificationKind,
    from: &actor::Model,
    post_id: Option<i64>,
    subject: Option<&str>,
) -> Result<()> {
    if !recipient.local {
        return Ok(());
    }
    query::notification::record(
        db,
        NewNotification {
            recipient_id: recipient.id,
            kind,
            from_id: from.id,
            post_id,
            subject,
        },
    )
    .await?;
    Ok(())
}

/// Like [`tell`], for a recipient known by id.
pub(crate) async fn tell_id(
    db: &impl ConnectionTrait,
    recipient_id: i64,
    kind: NotificationKind,
    from: &actor::Model,
    post_id: Option<i64>,
    subject: Option<&str>,
) -> Result<()> {
    let recipient = query::actor::get(db, recipient_id).await?;
    tell(db, &recipient, kind, from, post_id, subject).await
}

/// A new post (ours or received): our actors it mentions, and the author of our post it
/// answers, are told. A reply that also mentions is told once, as a reply.
pub(crate) async fn post_stored(
    db: &impl ConnectionTrait,
    row: &post::Model,
    author: &actor::Model,
) -> Result<()> {
    let mut told = Vec::new();
    if let Some(parent) = &row.in_reply_to
        && let Some(parent) = query::post::by_ap_id(db, parent).await?
        && parent.local
    {
        tell_id(
            db,
            parent.author_id,
            NotificationKind::Reply,
            author,
            Some(row.id),
            Some(&row.ap_id),
        )
        .await?;
        told.push(parent.author_id);
    }
    for tag in row.tags() {
        let Tag::Mention {
            href: Some(href), ..
        } = tag
        else {
            continue;
        };
        if let Some(mentioned) = query::actor::by_ap_id(db, &href).await?
            && mentioned.local
            && !told.contains(&mentioned.id)
        {
            tell(
                db,
                &mentioned,
                NotificationKind::Mention,
                author,
                Some(row.id),
                Some(&row.ap_id),
            )
            .await?;
            told.push(mentioned.id);
        }
    }
    Ok(())
}

/// A notification with who did it and the post concerned.
#[derive(Debug, Clone)]
pub struct Told {
    pub row: notification::Model,
    pub from: actor::Model,
    pub post: Option<post::Model>,
}

impl Told {
    pub fn kind(&self) -> NotificationKind {
        self.row.kind()
    }
}

impl App {
    /// `as_name`'s notifications, newest first (any staff role reads them).
    pub async fn notifications(
        &self,
        caller: &Caller,
        as_name: &str,
        filter: &KindFilter,
        range: IdRange,
    ) -> Result<Vec<Told>> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let rows = query::notification::page(&self.db, acting.actor.id, filter, range).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.told(row).await?);
        }
        Ok(out)
    }

    async fn told(&self, row: notification::Model) -> Result<Told> {
        let from = query::actor::get(&self.db, row.from_id).await?;
        let post = match row.post_id {
            Some(id) => query::post::by_id(&self.db, id).await?,
            None => None,
        };
        Ok(Told { row, from, post })
    }

    /// One of `as_name`'s notifications.
    pub async fn notification(&self, caller: &Caller, as_name: &str, id: i64) -> Result<Told> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        let row = query::notification::get(&self.db, acting.actor.id, id)
            .await?
            .ok_or_else(|| puentes_core::Error::not_found("notification"))?;
        self.told(row).await
    }

    /// How many notifications `as_name` has newer than `after_id`.
    pub async fn unread_notifications(
        &self,
        caller: &Caller,
        as_name: &str,
        filter: &KindFilter,
        after_id: Option<i64>,
    ) -> Result<u64> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        query::notification::count_after(&self.db, acting.actor.id, filter, after_id).await
    }

    /// Dismisses one notification; false when it was not there.
    pub async fn dismiss_notification(
        &self,
        caller: &Caller,
        as_name: &str,
        id: i64,
    ) -> Result<bool> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        query::notification::dismiss(&self.db, acting.actor.id, id).await
    }

    /// Dismisses all of `as_name`'s notifications.
    pub async fn clear_notifications(&self, caller: &Caller, as_name: &str) -> Result<u64> {
        let acting = self.acting(caller, as_name, Permission::Publish).await?;
        query::notification::clear(&self.db, acting.actor.id).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::{posts::NewPost, testing::TestApp};
    use puentes_core::{ActorKind, StaffRole, content::Tag};
    use puentes_db::query::post::PostData;

    fn remote_post(
        author: &actor::Model,
        n: u32,
        text: &str,
        tags: Vec<Tag>,
        reply: Option<String>,
    ) -> PostData {
        // Mentioned actors are addressed, as Mastodon does.
        let cc = tags
            .iter()
            .filter_map(|t| match t {
                Tag::Mention { href, .. } => href.clone(),
                Tag::Hashtag { .. } => None,
            })
            .collect();
        PostData {
            in_reply_to: reply,
            cc,
            tags,
            ..crate::testing::remote_note(author, n, text)
        }
    }

    #[tokio::test]
    async fn events_are_told_once_to_the_actor_concerned() {
        for app in TestApp::all().await {
            check(&app).await;
            app.close().await;
        }
    }

    async fn check(app: &TestApp) {
        let ong = app.actor("ong", ActorKind::Organization).await;
        app.actor("red", ActorKind::Alliance).await;
        let editor = app.staff("ed@ong.example", "ong", StaffRole::Editor).await;
        let stranger = app.staff("x@red.example", "red", StaffRole::Owner).await;
        let ana = app.remote("ana", ActorKind::Person).await;
        let from_ana = Caller::remote_actor(&ana);

        // A follow, told once though Mastodon sends it twice.
        app.receive_follow(&from_ana, &ong, "http://remote.example/f/1")
            .await
            .unwrap();
        app.receive_follow(&from_ana, &ong, "http://remote.example/f/2")
            .await
            .unwrap();
        // A mention.
        let mention = Tag::mention("ong@localhost:8080", &ong.ap_id);
        app.receive_post(
            &from_ana,
            remote_post(&ana, 1, "hola @ong", vec![mention.clone()], None),
        )
        .await
        .unwrap();
        // A reply to our post that also mentions us: one notification, a reply.
        let ours = app
            .publish(&editor, "ong", NewPost::text("nuestra"))
            .await
            .unwrap();
        app.receive_post(
            &from_ana,
            remote_post(
                &ana,
                2,
                "respuesta",
                vec![mention],
                Some(ours.ap_id.clone()),
            ),
        )
        .await
        .unwrap();
        // A boost and a like of our post.
        app.receive_announce(&from_ana, &ours, "http://remote.example/a/1")
            .await
            .unwrap();
        let like = "http://remote.example/l/1";
        assert!(
            app.receive_post_like(&from_ana, &ours.ap_id, like)
                .await
                .unwrap()
        );
        assert!(
            app.receive_post_like(&from_ana, &ours.ap_id, like)
                .await
                .unwrap()
        );
        // An organization asks to join our alliance (here, a local one).
        app.join_alliance(&Caller::Operator, "ong", "red@localhost:8080")
            .await
            .unwrap();

        let all = app
            .notifications(&editor, "ong", &KindFilter::default(), IdRange::newest(40))
            .await
            .unwrap();
        let kinds: Vec<NotificationKind> = all.iter().map(Told::kind).collect();
        assert_eq!(
            kinds,
            [
                NotificationKind::Favourite,
                NotificationKind::Reblog,
                NotificationKind::Reply,
                NotificationKind::Mention,
                NotificationKind::Follow,
            ]
        );
        assert!(all.iter().all(|t| t.from.id == ana.id));
        assert_eq!(
            all[2].post.as_ref().unwrap().ap_id,
            "http://remote.example/actors/ana/posts/2"
        );
        let red = app
            .notifications(
                &stranger,
                "red",
                &KindFilter::default(),
                IdRange::newest(40),
            )
            .await
            .unwrap();
        assert_eq!(red.len(), 1);
        assert_eq!(red[0].kind(), NotificationKind::MemberRequest);
        assert_eq!(red[0].from.id, ong.id);

        // Only the actor's staff read them; filters and pages work.
        assert!(
            app.notifications(
                &stranger,
                "ong",
                &KindFilter::default(),
                IdRange::newest(40)
            )
            .await
            .is_err()
        );
        let mentions = KindFilter {
            types: vec![NotificationKind::Mention, NotificationKind::Reply],
            exclude: vec![NotificationKind::Reply],
        };
        let only = app
            .notifications(&editor, "ong", &mentions, IdRange::newest(40))
            .await
            .unwrap();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].kind(), NotificationKind::Mention);
        let older = IdRange {
            max_id: Some(all[1].row.id),
            limit: 2,
            ..IdRange::default()
        };
        let page = app
            .notifications(&editor, "ong", &KindFilter::default(), older)
            .await
            .unwrap();
        assert_eq!(
            page.iter().map(|t| t.row.id).collect::<Vec<_>>(),
            [all[2].row.id, all[3].row.id]
        );
        let newer = IdRange {
            min_id: Some(all[4].row.id),
            limit: 2,
            ..IdRange::default()
        };
        let page = app
            .notifications(&editor, "ong", &KindFilter::default(), newer)
            .await
            .unwrap();
        assert_eq!(
            page.iter().map(|t| t.row.id).collect::<Vec<_>>(),
            [all[2].row.id, all[3].row.id]
        );
        assert_eq!(
            app.unread_notifications(&editor, "ong", &KindFilter::default(), Some(all[2].row.id))
                .await
                .unwrap(),
            2
        );
        assert!(
            app.dismiss_notification(&editor, "ong", all[0].row.id)
                .await
                .unwrap()
        );
        assert!(
            !app.dismiss_notification(&stranger, "red", all[1].row.id)
                .await
                .unwrap()
        );
        assert_eq!(app.clear_notifications(&editor, "ong").await.unwrap(), 4);
    }
}
