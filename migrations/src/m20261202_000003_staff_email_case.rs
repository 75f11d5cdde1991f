//! Staff emails are one account whatever their case: stored emails are trimmed and
//! lower-cased (as the application has normalized new ones), and a unique index on the
//! lower-cased email refuses two accounts that differ only in case.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Rows whose normalized email no other row has: normalized in place.
        db.execute_unprepared(
            "UPDATE staff SET email = LOWER(TRIM(email)) \
             WHERE email <> LOWER(TRIM(email)) AND NOT EXISTS ( \
               SELECT 1 FROM staff other WHERE other.id <> staff.id \
               AND LOWER(TRIM(other.email)) = LOWER(TRIM(staff.email)))",
        )
        .await?;
        // Two accounts that already differ only in case are both kept (nothing stored is
        // lost; an operator merges them): the index is then left out, and the application
        // still finds accounts case-insensitively and refuses new duplicates.
        let duplicates = db
            .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                manager.get_database_backend(),
                "SELECT COUNT(*) AS n FROM (SELECT LOWER(email) AS e FROM staff \
                 GROUP BY LOWER(email) HAVING COUNT(*) > 1) dup",
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if duplicates == 0 {
            db.execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS staff_email_lower ON staff (LOWER(email))",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
