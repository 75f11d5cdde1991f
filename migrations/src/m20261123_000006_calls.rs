//! Calls to action: events (local and remote), their co-organizers and pledges.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    big_integer("id").auto_increment().primary_key().take()
}

fn to_actor(table: &'static str, column: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to("actor", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn to_call(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "call_id")
        .to("call", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("call")
                    .col(id())
                    .col(text("ap_id").unique_key())
                    .col(big_integer("organizer_id"))
                    .col(text("name"))
                    // The organizer's words on what to do; the wire summary is built from it.
                    .col(text_null("what"))
                    .col(text("summary"))
                    .col(text("content"))
                    .col(text_null("content_map"))
                    .col(text_null("language"))
                    .col(timestamp_with_time_zone("start_time"))
                    .col(timestamp_with_time_zone_null("end_time"))
                    .col(timestamp_with_time_zone_null("previous_start_time"))
                    .col(text_null("timezone"))
                    .col(text_null("location_name"))
                    .col(text_null("location_address"))
                    .col(double_null("latitude"))
                    .col(double_null("longitude"))
                    .col(text_null("online_url"))
                    .col(text("status"))
                    .col(big_integer_null("capacity"))
                    .col(text("join_mode"))
                    .col(text_null("external_participation_url"))
                    .col(big_integer("participant_count").default(0))
                    .col(text("tags_json").default("[]"))
                    .col(text_null("url"))
                    .col(integer("sequence").default(0))
                    .col(boolean("local"))
                    .col(timestamp_with_time_zone("published"))
                    .col(timestamp_with_time_zone_null("updated_at"))
                    .col(timestamp_with_time_zone_null("deleted_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut to_actor("call", "organizer_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("call_organizer_start")
                    .table("call")
                    .col("organizer_id")
                    .col("start_time")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("call_organizer")
                    .col(id())
                    .col(big_integer("call_id"))
                    .col(big_integer("actor_id"))
                    .col(text("status"))
                    .col(text_null("invite_ap_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_call("call_organizer"))
                    .foreign_key(&mut to_actor("call_organizer", "actor_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("call_organizer_pair")
                    .table("call_organizer")
                    .col("call_id")
                    .col("actor_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("pledge")
                    .col(id())
                    .col(big_integer("call_id"))
                    .col(big_integer("actor_id"))
                    .col(text("status"))
                    .col(text_null("join_ap_id"))
                    .col(text_null("message"))
                    .col(text_null("reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_call("pledge"))
                    .foreign_key(&mut to_actor("pledge", "actor_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("pledge_pair")
                    .table("pledge")
                    .col("call_id")
                    .col("actor_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("pledge_join")
                    .table("pledge")
                    .col("join_ap_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["pledge", "call_organizer", "call"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
