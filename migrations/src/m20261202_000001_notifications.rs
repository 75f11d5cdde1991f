//! Notifications: what happened to a local actor (follows, mentions, replies, boosts,
//! likes, member requests, endorsements, pledges), for its staff's pages and apps.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("notification")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("recipient_id"))
                    .col(text("kind"))
                    .col(big_integer("from_id"))
                    .col(big_integer_null("post_id"))
                    // What it is about (a post's, statement's or call's id), "" for none:
                    // the same event told twice is one notification.
                    .col(text("subject"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("notification", "recipient_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("notification", "from_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("notification", "post_id")
                            .to("post", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notification_once")
                    .table("notification")
                    .col("recipient_id")
                    .col("kind")
                    .col("from_id")
                    .col("subject")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notification_recipient_id")
                    .table("notification")
                    .col("recipient_id")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("notification").to_owned())
            .await?;
        Ok(())
    }
}
