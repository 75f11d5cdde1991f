//! Interoperability: the signature scheme each remote host accepts (draft-cavage or RFC
//! 9421, remembered after a double-knock), an instance actor username without the port,
//! which GoToSocial and Mastodon read as a plain name, and `Like`s of calls to action,
//! counted as those of statements are.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, FromQueryResult},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(FromQueryResult)]
struct InstanceActor {
    id: i64,
    username: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("instance")
                    .add_column(text_null("signature_scheme"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("call_like")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(big_integer("call_id"))
                    .col(text("actor_ap_id"))
                    .col(text("like_ap_id").unique_key())
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("call_like", "call_id")
                            .to("call", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("call_like_once")
                    .table("call_like")
                    .col("call_id")
                    .col("actor_ap_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // `localhost:8081` becomes `localhost`; computed here so the SQL stays the same on
        // SQLite and PostgreSQL.
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let select = Query::select()
            .columns([Alias::new("id"), Alias::new("username")])
            .from("actor")
            .and_where(Expr::col("local").eq(true))
            .and_where(Expr::col("kind").eq("Application"))
            .to_owned();
        let rows = InstanceActor::find_by_statement(backend.build(&select))
            .all(db)
            .await?;
        for row in rows {
            let Some((host, _port)) = row.username.split_once(':') else {
                continue;
            };
            let update = Query::update()
                .table("actor")
                .value("username", host)
                .and_where(Expr::col("id").eq(row.id))
                .to_owned();
            db.execute(&update).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("call_like").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("instance")
                    .drop_column("signature_scheme")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
