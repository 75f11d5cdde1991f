//! Schema migrations, one migrator for SQLite and PostgreSQL. Only the backend-neutral
//! schema builder is used, so every migration runs on both.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_foundation;
mod m20261123_000002_create_media;
mod m20261123_000003_rich_posts;
mod m20261123_000004_alliances;
mod m20261123_000005_statements;
mod m20261123_000006_calls;
mod m20261130_000001_actor_lifecycle;
mod m20261130_000002_known_memberships;
mod m20261201_000001_interop;
mod m20261202_000001_notifications;
mod m20261202_000002_oauth;
mod m20261202_000003_staff_email_case;
mod m20261202_000004_settings;
mod m20261202_000005_hot_lookups;
mod m20261202_000010_staff_sessions;
mod m20261203_000001_moves;
mod m20261203_000002_api_statuses;
mod m20261203_000003_markers;
mod m20261203_000004_bookmarks;
mod m20261203_000005_pins;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_foundation::Migration),
            Box::new(m20261123_000002_create_media::Migration),
            Box::new(m20261123_000003_rich_posts::Migration),
            Box::new(m20261123_000004_alliances::Migration),
            Box::new(m20261123_000005_statements::Migration),
            Box::new(m20261123_000006_calls::Migration),
            Box::new(m20261130_000001_actor_lifecycle::Migration),
            Box::new(m20261130_000002_known_memberships::Migration),
            Box::new(m20261201_000001_interop::Migration),
            Box::new(m20261202_000001_notifications::Migration),
            Box::new(m20261202_000002_oauth::Migration),
            Box::new(m20261202_000003_staff_email_case::Migration),
            Box::new(m20261202_000004_settings::Migration),
            Box::new(m20261202_000005_hot_lookups::Migration),
            Box::new(m20261202_000010_staff_sessions::Migration),
            Box::new(m20261203_000001_moves::Migration),
            Box::new(m20261203_000002_api_statuses::Migration),
            Box::new(m20261203_000003_markers::Migration),
            Box::new(m20261203_000004_bookmarks::Migration),
            Box::new(m20261203_000005_pins::Migration),
        ]
    }
}
