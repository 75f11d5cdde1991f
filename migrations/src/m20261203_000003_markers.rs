//! Read markers of the client API (Mastodon's `/api/v1/markers`): where a staff member
//! stopped reading an actor's home timeline and notifications, kept across their apps.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("marker")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("staff_id"))
                    .col(big_integer("actor_id"))
                    // home or notifications
                    .col(text("timeline"))
                    .col(text("last_read_id"))
                    .col(integer("version"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("marker", "staff_id")
                            .to("staff", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("marker", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("marker_once")
                    .table("marker")
                    .col("staff_id")
                    .col("actor_id")
                    .col("timeline")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("marker").to_owned())
            .await
    }
}
