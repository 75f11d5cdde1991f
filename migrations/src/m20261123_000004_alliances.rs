//! Alliances: memberships across instances, alliance policies, relays and held relays.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    big_integer("id").auto_increment().primary_key().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Alliance policies live on the actor row; SQLite alters one column per statement.
        for column in [
            text("join_policy").default("manual").take(),
            text("member_list_visibility").default("public").take(),
            text("moderation").default("auto").take(),
        ] {
            manager
                .alter_table(Table::alter().table("actor").add_column(column).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("membership")
                    .col(id())
                    .col(big_integer("alliance_id"))
                    .col(big_integer("member_id"))
                    .col(text("role"))
                    .col(text("status"))
                    .col(text_null("request_ap_id"))
                    .col(text("relay_policy").default("off"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("joined_at"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("membership", "alliance_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("membership", "member_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("membership_pair")
                    .table("membership")
                    .col("alliance_id")
                    .col("member_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("announce")
                    .col(id())
                    .col(big_integer("actor_id"))
                    .col(text("object_ap_id"))
                    .col(text_null("activity_ap_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("announce", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("announce_once")
                    .table("announce")
                    .col("actor_id")
                    .col("object_ap_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("held_relay")
                    .col(id())
                    .col(big_integer("actor_id"))
                    .col(big_integer("post_id"))
                    .col(text("state"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("held_relay", "actor_id")
                            .to("actor", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("held_relay", "post_id")
                            .to("post", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("held_relay_once")
                    .table("held_relay")
                    .col("actor_id")
                    .col("post_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["held_relay", "announce", "membership"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in ["join_policy", "member_list_visibility", "moderation"] {
            manager
                .alter_table(Table::alter().table("actor").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
