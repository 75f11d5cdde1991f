//! The Mastodon client API's OAuth 2: registered client apps, authorization codes and
//! access tokens (both stored as SHA-256 digests, never in clear), each token speaking for
//! one staff member as one actor; and the `Idempotency-Key`s of posts made through it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("oauth_app")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(text("client_id").unique_key())
                    .col(text("secret_hash"))
                    .col(text("name"))
                    .col(text_null("website"))
                    // JSON array of the redirect URIs the app registered.
                    .col(text("redirect_uris"))
                    .col(text("scopes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("oauth_grant")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("app_id"))
                    // `code` (authorization code, short-lived, used once) or `token`.
                    .col(text("kind"))
                    .col(text("secret_hash").unique_key())
                    // None for an app's own token (client_credentials).
                    .col(big_integer_null("staff_id"))
                    .col(big_integer_null("actor_id"))
                    .col(text("scopes"))
                    .col(text_null("redirect_uri"))
                    .col(text_null("code_challenge"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("oauth_grant", "app_id")
                            .to("oauth_app", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("oauth_grant", "staff_id")
                            .to("staff", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("oauth_grant", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("oauth_grant_staff_id")
                    .table("oauth_grant")
                    .col("staff_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("api_idempotency")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("grant_id"))
                    .col(text("key"))
                    .col(big_integer("post_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("api_idempotency", "grant_id")
                            .to("oauth_grant", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("api_idempotency", "post_id")
                            .to("post", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("api_idempotency_once")
                    .table("api_idempotency")
                    .col("grant_id")
                    .col("key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("favourite")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("actor_id"))
                    .col(big_integer("post_id"))
                    .col(text("like_ap_id").unique_key())
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("favourite", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("favourite", "post_id")
                            .to("post", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("favourite_once")
                    .table("favourite")
                    .col("post_id")
                    .col("actor_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["favourite", "api_idempotency", "oauth_grant", "oauth_app"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
