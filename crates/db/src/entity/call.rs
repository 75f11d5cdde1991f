use sea_orm::entity::prelude::*;

/// A call to action (an `Event`), ours or a remote one we were told about. Times are UTC;
/// `timezone` is the organizer's IANA zone, used to show them.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "call")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ap_id: String,
    pub organizer_id: i64,
    pub name: String,
    /// The organizer's own words on what to do (local calls).
    pub what: Option<String>,
    /// Plain-text summary as sent on the wire (what Mastodon shows).
    pub summary: String,
    /// Sanitized HTML.
    pub content: String,
    /// `{language: html}` when the call has several languages.
    pub content_map: Option<String>,
    pub language: Option<String>,
    pub start_time: DateTimeUtc,
    pub end_time: Option<DateTimeUtc>,
    /// Set when the call was moved (FEP-8a8e `previousStartTime`).
    pub previous_start_time: Option<DateTimeUtc>,
    pub timezone: Option<String>,
    pub location_name: Option<String>,
    pub location_address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    /// tentative, confirmed or cancelled
    pub status: String,
    pub capacity: Option<i64>,
    /// free, restricted, external (or invite, from Mobilizon)
    pub join_mode: String,
    pub external_participation_url: Option<String>,
    /// Accepted pledges: counted here for our calls, as the organizer says for remote ones.
    pub participant_count: i64,
    pub tags_json: String,
    pub url: Option<String>,
    /// iCalendar SEQUENCE: raised on every change of time, place or status.
    pub sequence: i32,
    pub local: bool,
    pub published: DateTimeUtc,
    pub updated_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::actor::Entity",
        from = "Column::OrganizerId",
        to = "super::actor::Column::Id"
    )]
    Organizer,
}

impl ActiveModelBehavior for ActiveModel {}
