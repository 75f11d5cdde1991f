//! Memberships of remote alliances read from their public member lists, so an alliance's
//! page can draw the network of alliances of alliances across instances; and when each list
//! was last read.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn to_actor(table: &'static str, column: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to("actor", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("known_membership")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("alliance_id"))
                    .col(big_integer("member_id"))
                    .col(timestamp_with_time_zone("seen_at"))
                    .foreign_key(&mut to_actor("known_membership", "alliance_id"))
                    .foreign_key(&mut to_actor("known_membership", "member_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("known_membership_pair")
                    .table("known_membership")
                    .col("alliance_id")
                    .col("member_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("known_membership_member")
                    .table("known_membership")
                    .col("member_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("member_list_read")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("alliance_id").unique_key())
                    .col(timestamp_with_time_zone("read_at"))
                    // Whether the list could be read and was public.
                    .col(boolean("listed"))
                    .foreign_key(&mut to_actor("member_list_read", "alliance_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("member_list_read").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("known_membership").to_owned())
            .await
    }
}
