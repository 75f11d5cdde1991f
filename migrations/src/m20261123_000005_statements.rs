//! Joint statements: versions with their digests, invitations (co-initiators and invited
//! endorsers), endorsements kept verbatim with their proofs, and unverified supporters.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    big_integer("id").auto_increment().primary_key().take()
}

fn cascade(
    table: &'static str,
    column: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(to, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

fn unique(name: &str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for column in columns {
        index.col(*column);
    }
    index.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("statement")
                    .col(id())
                    .col(text("uuid").unique_key())
                    .col(text("ap_url").unique_key())
                    .col(big_integer("owner_id"))
                    .col(boolean("local"))
                    .col(text("status"))
                    .col(text("policy"))
                    .col(text_null("ask"))
                    .col(timestamp_with_time_zone_null("deadline"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("opened_at"))
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .foreign_key(&mut cascade("statement", "owner_id", "actor"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("statement_version")
                    .col(id())
                    .col(big_integer("statement_id"))
                    .col(integer("number"))
                    .col(text("ap_id").unique_key())
                    .col(text("name"))
                    .col(text("content"))
                    .col(text_null("content_map"))
                    .col(text_null("language"))
                    .col(text("published"))
                    .col(text("digest"))
                    .col(text_null("translations"))
                    .col(text_null("document"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade(
                        "statement_version",
                        "statement_id",
                        "statement",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "statement_version_number",
                "statement_version",
                &["statement_id", "number"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("statement_invitation")
                    .col(id())
                    .col(big_integer("statement_id"))
                    .col(big_integer("actor_id"))
                    .col(text("role"))
                    .col(text("status"))
                    .col(text("ap_id").unique_key())
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("answered_at"))
                    .foreign_key(&mut cascade(
                        "statement_invitation",
                        "statement_id",
                        "statement",
                    ))
                    .foreign_key(&mut cascade("statement_invitation", "actor_id", "actor"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "statement_invitation_once",
                "statement_invitation",
                &["statement_id", "actor_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("endorsement")
                    .col(id())
                    .col(big_integer("statement_id"))
                    .col(big_integer("version_id"))
                    .col(big_integer("endorser_id"))
                    .col(text("ap_id").unique_key())
                    .col(text("status"))
                    .col(boolean("anonymous"))
                    .col(big_integer_null("endorser_members"))
                    .col(text_null("note"))
                    .col(text("activity"))
                    .col(text_null("revocation"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone_null("withdrawn_at"))
                    .foreign_key(&mut cascade("endorsement", "statement_id", "statement"))
                    .foreign_key(&mut cascade(
                        "endorsement",
                        "version_id",
                        "statement_version",
                    ))
                    .foreign_key(&mut cascade("endorsement", "endorser_id", "actor"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("statement_like")
                    .col(id())
                    .col(big_integer("statement_id"))
                    .col(text("actor_ap_id"))
                    .col(text("like_ap_id").unique_key())
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("statement_like", "statement_id", "statement"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "statement_like_once",
                "statement_like",
                &["statement_id", "actor_ap_id"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "statement_like",
            "endorsement",
            "statement_invitation",
            "statement_version",
            "statement",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
