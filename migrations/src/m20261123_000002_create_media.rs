//! Uploaded media: one row per re-encoded image file stored under `{data_dir}/media/`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("media")
                    .col(big_integer("id").auto_increment().primary_key().take())
                    .col(text_uniq("uuid"))
                    .col(big_integer("actor_id"))
                    // No foreign key: the post may be created after the upload.
                    .col(big_integer_null("post_id"))
                    .col(text("content_type"))
                    .col(integer("width"))
                    .col(integer("height"))
                    .col(big_integer("byte_size"))
                    .col(text("alt"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("media", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("media_post")
                    .table("media")
                    .col("post_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("media_actor")
                    .table("media")
                    .col("actor_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("media").to_owned())
            .await
    }
}
