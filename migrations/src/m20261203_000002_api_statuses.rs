//! Status ids for what the Mastodon client API shows besides posts: joint statements,
//! calls to action and relays (a reblog by the announcing actor). Each such status takes
//! its id from the post id sequence when it appears, so ids stay numeric, never collide
//! with posts' ids and sort by time with them (clients page one timeline by id).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("api_status")
                    // Reserved from the post sequence: not an auto-increment of its own.
                    .col(big_integer("id").primary_key())
                    // statement, call or reblog
                    .col(text("kind"))
                    // The statement's, call's or announce's row id.
                    .col(big_integer("object_id"))
                    // Whose account shows it: owner, organizer or relaying actor.
                    .col(big_integer("actor_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("api_status", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("api_status_object")
                    .table("api_status")
                    .col("kind")
                    .col("object_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("api_status_actor")
                    .table("api_status")
                    .col("actor_id")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("api_status").to_owned())
            .await
    }
}
