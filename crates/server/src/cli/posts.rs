//! `puentes post`.

use super::{
    OPERATOR,
    parse::{some_of, translation},
    read_file,
};
use clap::Args;
use puentes_app::{
    App,
    posts::{NewImage, NewPost},
};
use puentes_core::{Error, Result, Visibility};
use std::path::PathBuf;

#[derive(Args)]
pub struct PostArgs {
    /// The local actor that posts.
    #[arg(long = "as", value_name = "NAME")]
    as_name: String,
    /// The text (Markdown, #hashtags, @name@domain mentions).
    text: String,
    /// Who may read it (members: only the members of the alliance given with --to).
    #[arg(long, default_value = "public", value_parser = some_of(Visibility::CHOSEN))]
    visibility: Visibility,
    /// Language of the text (es, fr, en, ar…).
    #[arg(long)]
    lang: Option<String>,
    /// The same post in another language, as LANG=TEXT; repeat for more.
    #[arg(long = "translation", value_name = "LANG=TEXT", value_parser = translation)]
    translations: Vec<(String, String)>,
    /// Publish a long-form Article (needs --title).
    #[arg(long, requires = "title")]
    article: bool,
    /// The title.
    #[arg(long, requires = "article")]
    title: Option<String>,
    /// An Article's summary, or a Note's content warning.
    #[arg(long)]
    summary: Option<String>,
    /// Id (or page URL) of the post this answers.
    #[arg(long)]
    reply_to: Option<String>,
    /// Address the post to an alliance (name@domain), which relays it to its followers.
    #[arg(long = "to", value_name = "ALLIANCE")]
    to_alliance: Option<String>,
    /// Attach an image (JPEG, PNG, WebP, GIF); its metadata is removed. Repeat for more.
    #[arg(long = "image", value_name = "FILE")]
    images: Vec<PathBuf>,
    /// Alt text of each --image, in the same order (required: describe it for people who
    /// cannot see it).
    #[arg(long = "alt", value_name = "TEXT")]
    alts: Vec<String>,
}

pub async fn post(app: &App, args: PostArgs) -> Result<()> {
    if args.images.len() != args.alts.len() {
        return Err(Error::bad_request(
            "give one --alt text for each --image (describe it for people who cannot see it)",
        ));
    }
    let mut images = Vec::new();
    for (path, alt) in args.images.iter().zip(args.alts) {
        let bytes = read_file(path)?;
        puentes_app::media::check_upload_size(bytes.len())?;
        images.push(NewImage { bytes, alt });
    }
    let new = NewPost {
        visibility: args.visibility,
        language: args.lang,
        translations: args.translations,
        title: args.title,
        summary: args.summary,
        reply_to: args.reply_to,
        to_alliance: args.to_alliance,
        images,
        ..NewPost::text(&args.text)
    };
    let post = app.publish(&OPERATOR, &args.as_name, new).await?;
    println!("{}", post.ap_id);
    Ok(())
}
