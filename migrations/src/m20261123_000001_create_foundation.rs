//! Actors, staff, follows, blocks, posts, the activity store and the delivery queue.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    big_integer("id").auto_increment().primary_key().take()
}

fn now(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn maybe_time(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

async fn index(
    manager: &SchemaManager<'_>,
    table: &'static str,
    name: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(*column);
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("instance")
                    .col(id())
                    .col(text_uniq("domain"))
                    .col(text_null("software"))
                    .col(text_null("software_version"))
                    .col(boolean("blocked").default(false))
                    .col(text_null("block_reason"))
                    .col(integer("failure_count").default(0))
                    .col(maybe_time("parked_until"))
                    .col(maybe_time("last_success_at"))
                    .col(maybe_time("last_failure_at"))
                    .col(maybe_time("nodeinfo_fetched_at"))
                    .col(now("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("actor")
                    .col(id())
                    .col(text_uniq("ap_id"))
                    .col(text("username"))
                    .col(text("domain"))
                    .col(text("kind"))
                    .col(text_null("display_name"))
                    .col(text_null("summary"))
                    .col(text("inbox"))
                    .col(text_null("shared_inbox"))
                    .col(text_null("outbox"))
                    .col(text_null("followers_url"))
                    .col(text_null("following_url"))
                    .col(text_null("featured_url"))
                    .col(text_null("url"))
                    .col(text_null("icon_url"))
                    .col(text("public_key_id"))
                    .col(text("public_key_pem"))
                    .col(text_null("private_key_pem"))
                    .col(text_null("ed25519_public"))
                    .col(text_null("ed25519_private"))
                    .col(boolean("local"))
                    .col(boolean("manually_approves_followers").default(false))
                    .col(boolean("discoverable").default(true))
                    .col(boolean("indexable").default(true))
                    .col(now("created_at"))
                    .col(now("updated_at"))
                    .col(maybe_time("last_fetched_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "actor",
            "actor_domain_username",
            &["domain", "username"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("staff")
                    .col(id())
                    .col(text_uniq("email"))
                    .col(text("password_hash"))
                    .col(now("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("staff_role")
                    .col(id())
                    .col(big_integer("staff_id"))
                    .col(big_integer("actor_id"))
                    .col(text("role"))
                    .col(now("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("staff_role", "staff_id")
                            .to("staff", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("staff_role", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "staff_role",
            "staff_role_staff_actor",
            &["staff_id", "actor_id"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("follow")
                    .col(id())
                    .col(text_uniq("ap_id"))
                    .col(big_integer("follower_id"))
                    .col(big_integer("followed_id"))
                    .col(text("state"))
                    .col(now("created_at"))
                    .col(now("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("follow", "follower_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("follow", "followed_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "follow",
            "follow_pair",
            &["follower_id", "followed_id"],
            true,
        )
        .await?;
        index(
            manager,
            "follow",
            "follow_followed",
            &["followed_id", "state"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("block")
                    .col(id())
                    .col(big_integer("actor_id"))
                    .col(big_integer("blocked_actor_id"))
                    .col(now("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("block", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("block", "blocked_actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "block",
            "block_pair",
            &["actor_id", "blocked_actor_id"],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("post")
                    .col(id())
                    .col(text_uniq("ap_id"))
                    .col(big_integer("author_id"))
                    .col(text("kind"))
                    .col(text("content"))
                    .col(text_null("summary"))
                    .col(text_null("name"))
                    .col(text_null("language"))
                    .col(boolean("sensitive").default(false))
                    .col(text_null("in_reply_to"))
                    .col(text_null("url"))
                    .col(text("visibility"))
                    .col(text("to_json"))
                    .col(text("cc_json"))
                    .col(boolean("local"))
                    .col(now("published"))
                    .col(maybe_time("updated_at"))
                    .col(maybe_time("deleted_at"))
                    .col(now("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("post", "author_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "post",
            "post_author_published",
            &["author_id", "published"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("activity")
                    .col(id())
                    .col(text_uniq("ap_id"))
                    .col(big_integer("actor_id"))
                    .col(text("kind"))
                    .col(text_null("object_ap_id"))
                    .col(text("json"))
                    .col(boolean("public").default(false))
                    .col(now("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("activity", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "activity",
            "activity_actor",
            &["actor_id", "id"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("received_activity")
                    .col(id())
                    .col(text_uniq("ap_id"))
                    .col(now("received_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox_event")
                    .col(id())
                    .col(text("kind"))
                    .col(text("payload"))
                    .col(integer("attempts").default(0))
                    .col(text_null("last_error"))
                    .col(now("available_at"))
                    .col(maybe_time("locked_until"))
                    .col(maybe_time("processed_at"))
                    .col(now("created_at"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "outbox_event",
            "outbox_event_pending",
            &["processed_at", "available_at"],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table("delivery")
                    .col(id())
                    .col(big_integer("activity_id"))
                    .col(big_integer("actor_id"))
                    .col(text("inbox"))
                    .col(text("host"))
                    .col(text("state"))
                    .col(integer("attempts").default(0))
                    .col(now("next_attempt_at"))
                    .col(maybe_time("locked_until"))
                    .col(text_null("last_error"))
                    .col(integer_null("last_status"))
                    .col(now("created_at"))
                    .col(maybe_time("finished_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("delivery", "activity_id")
                            .to("activity", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("delivery", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "delivery",
            "delivery_due",
            &["state", "next_attempt_at"],
            false,
        )
        .await?;
        index(
            manager,
            "delivery",
            "delivery_host",
            &["host", "state"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "delivery",
            "outbox_event",
            "received_activity",
            "activity",
            "post",
            "block",
            "follow",
            "staff_role",
            "staff",
            "actor",
            "instance",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
