//! Moving an organization to another instance: the ids it was known by before
//! (`alsoKnownAs`), where it went (`movedTo`), and the key pairs it signed with at its old
//! address, kept so what it signed there keeps verifying when the old server is gone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE. A JSON array of actor ids.
        manager
            .alter_table(
                Table::alter()
                    .table("actor")
                    .add_column(text_null("also_known_as"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("actor")
                    .add_column(text_null("moved_to"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("retired_key")
                    .col(big_integer("id").auto_increment().primary_key())
                    // The local actor that now holds the key (the imported organization).
                    .col(big_integer("actor_id"))
                    // The id the key belonged to, and its key ids.
                    .col(text("ap_id"))
                    .col(text("public_key_id"))
                    .col(text("public_key_pem"))
                    .col(text_null("private_key_pem"))
                    .col(text_null("ed25519_public"))
                    .col(text_null("ed25519_private"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("retired_key", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("retired_key_ap_id")
                    .table("retired_key")
                    .col("ap_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("retired_key").to_owned())
            .await?;
        // One column per ALTER TABLE (SQLite).
        for column in ["moved_to", "also_known_as"] {
            manager
                .alter_table(Table::alter().table("actor").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
