//! Indexes for the lookups every request or delivery makes, so they stay flat as the
//! database grows: local actors by name (`actor_domain_username` starts with the domain,
//! which local lookups do not give), follows by follower, and the hourly pruning of
//! finished deliveries and received activity ids.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str, &[&str]); 4] = [
    ("actor_local_username", "actor", &["local", "username"]),
    ("follow_follower_state", "follow", &["follower_id", "state"]),
    ("delivery_finished", "delivery", &["finished_at"]),
    (
        "received_activity_received_at",
        "received_activity",
        &["received_at"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(table).if_not_exists();
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
