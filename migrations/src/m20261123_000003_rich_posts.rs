//! Posts in several languages, with hashtags and mentions, and the alliance they address.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            text_null("content_map"),
            text("tags_json").default("[]").take(),
            text_null("audience"),
            text("attachments_json").default("[]").take(),
        ] {
            manager
                .alter_table(Table::alter().table("post").add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["content_map", "tags_json", "audience", "attachments_json"] {
            manager
                .alter_table(Table::alter().table("post").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
