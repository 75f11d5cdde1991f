//! Staff sessions of the web pages: one row per browser, found by a hash of its cookie (a
//! copy of the table lets nobody log in), with the staff member it belongs to so they can
//! list and end their own sessions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("staff_session")
                    .col(big_integer("id").auto_increment().primary_key())
                    // SHA-256 of the cookie's session id, hex.
                    .col(string_len("key", 64).unique_key())
                    // None before logging in (the login form's CSRF token lives here).
                    .col(big_integer_null("staff_id"))
                    .col(text("data"))
                    .col(text_null("user_agent"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("staff_session", "staff_id")
                            .to("staff", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("staff_session_staff")
                    .table("staff_session")
                    .col("staff_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("staff_session").to_owned())
            .await
    }
}
