//! Actor lifecycle: a header image beside the avatar, and deletion (an organization taking
//! itself off the network keeps a row, so its id answers 410 and its posts stay Tombstones);
//! staff who administer the instance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table("actor")
                    .add_column(text_null("header_url"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("actor")
                    .add_column(timestamp_with_time_zone_null("deleted_at"))
                    .to_owned(),
            )
            .await?;
        // Staff who run the instance (domain blocks, the delivery queue) besides their roles.
        manager
            .alter_table(
                Table::alter()
                    .table("staff")
                    .add_column(boolean("is_admin").default(false))
                    .to_owned(),
            )
            .await
    }
}
