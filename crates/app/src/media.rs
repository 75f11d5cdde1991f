//! Uploaded images. Every image is decoded and re-encoded from its pixels alone, so no
//! metadata survives: no EXIF (GPS position, camera serial), no XMP, no IPTC, no comments,
//! no text chunks, no ICC profile. People who defend migrants' rights are at risk; the
//! position where a photo was taken must never leak.
//!
//! Files live in `{data_dir}/media/{uuid}.{ext}` and are served (by the web crate) at
//! `/media/{uuid}.{ext}`.

use crate::ports::MediaStore;
use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits,
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    error::LimitErrorKind,
    imageops::FilterType,
};
use puentes_core::{Config, Error, ErrorKind, Result, urls::Urls};
use puentes_db::{ConnectionTrait, media, query};
use std::{
    io::Cursor,
    path::{Path as FsPath, PathBuf},
};
use uuid::Uuid;

/// Largest accepted upload, bytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest accepted image, pixels (width × height), checked before decoding: Mastodon's
/// limit (7680 × 4320).
pub const MAX_PIXELS: u64 = 7680 * 4320;
/// Largest accepted width or height, pixels (a strict decoder limit).
pub const MAX_SIDE: u32 = 32_768;
/// Stored images are downscaled so their longest side is at most this.
pub const MAX_STORED_SIDE: u32 = 2560;
/// Longest alt text, characters.
pub const MAX_ALT_CHARS: usize = 1500;
/// Quality of re-encoded JPEG images.
pub const JPEG_QUALITY: u8 = 85;
/// Most memory a decoded image may take (the largest 8-bit RGBA image fits; 16-bit images
/// fit up to 20 megapixels), so one upload cannot take the server's memory.
const MAX_DECODER_ALLOC: u64 = 160 * 1024 * 1024;

const ACCEPTED: &str = "accepted image types are JPEG, PNG, WebP and GIF";

/// An image re-encoded from its pixels alone.
#[derive(Debug, Clone)]
pub struct ProcessedImage {
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    /// `jpg` or `png`, without the dot.
    pub extension: &'static str,
}

/// Refuses uploads larger than [`MAX_UPLOAD_BYTES`].
pub fn check_upload_size(len: usize) -> Result<()> {
    if len > MAX_UPLOAD_BYTES {
        return Err(Error::new(
            ErrorKind::PayloadTooLarge,
            format!(
                "image file is too large: at most {} MiB",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

fn too_large_dimensions() -> Error {
    Error::new(
        ErrorKind::PayloadTooLarge,
        format!(
            "image is too large: at most {} megapixels and {MAX_SIDE} pixels a side",
            MAX_PIXELS / 1_000_000
        ),
    )
}

fn image_error(err: ImageError) -> Error {
    match err {
        ImageError::Limits(ref limit) => match limit.kind() {
            LimitErrorKind::DimensionError | LimitErrorKind::InsufficientMemory => {
                too_large_dimensions().with_source(err)
            }
            _ => Error::bad_request("the image could not be decoded").with_source(err),
        },
        ImageError::Unsupported(_) => {
            Error::bad_request(format!("unsupported image: {ACCEPTED}")).with_source(err)
        }
        ImageError::IoError(_) | ImageError::Decoding(_) | ImageError::Parameter(_) => {
            Error::bad_request("the image could not be decoded").with_source(err)
        }
        ImageError::Encoding(_) => {
            Error::internal("the image could not be encoded").with_source(err)
        }
    }
}

/// Decodes an uploaded image (type detected from its bytes, never from a name), applies its
/// EXIF orientation, downscales it to [`MAX_STORED_SIDE`] and re-encodes it without any
/// metadata: JPEG stays JPEG (quality 85), PNG, WebP and GIF (first frame) become PNG.
/// Only the first frame of an animation is decoded, so the frame count costs nothing.
pub fn process_image(bytes: &[u8]) -> Result<ProcessedImage> {
    check_upload_size(bytes.len())?;
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => f,
        _ => {
            return Err(Error::bad_request(format!(
                "not a supported image: {ACCEPTED}"
            )));
        }
    };

    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    // Reads only the headers; the pixel count is checked before anything is allocated for it.
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS
        || decoder.total_bytes() > MAX_DECODER_ALLOC
    {
        return Err(too_large_dimensions());
    }
    // Broken EXIF must not refuse the photo: it is dropped anyway.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = if format == ImageFormat::Jpeg {
        // The image crate decodes JPEG leniently (missing data becomes grey); a truncated
        // or inconsistent file is refused instead.
        drop(decoder);
        check_jpeg_data_fills(bytes, width, height)?;
        decode_jpeg_strictly(bytes)?
    } else {
        DynamicImage::from_decoder(decoder).map_err(image_error)?
    };
    // Deeper than 8 bits is not kept: convert before anything else copies the pixels.
    img = match img {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_) => img,
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.into_rgba8()),
        other => DynamicImage::ImageRgb8(other.into_rgb8()),
    };
    img.apply_orientation(orientation);
    if img.width().max(img.height()) > MAX_STORED_SIDE {
        img = img.resize(MAX_STORED_SIDE, MAX_STORED_SIDE, FilterType::CatmullRom);
    }

    let (width, height) = (img.width(), img.height());
    // The encoders write only what they are given: pixels, no ICC, EXIF or text.
    let mut out = Vec::new();
    let (content_type, extension) = if format == ImageFormat::Jpeg {
        let img = match img {
            DynamicImage::ImageLuma8(_) => img,
            other => DynamicImage::ImageRgb8(other.to_rgb8()),
        };
        img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
            .map_err(image_error)?;
        ("image/jpeg", "jpg")
    } else {
        let img = match img {
            DynamicImage::ImageLuma8(_)
            | DynamicImage::ImageLumaA8(_)
            | DynamicImage::ImageRgb8(_)
            | DynamicImage::ImageRgba8(_) => img,
            other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
            other => DynamicImage::ImageRgb8(other.to_rgb8()),
        };
        img.write_with_encoder(PngEncoder::new(&mut out))
            .map_err(image_error)?;
        ("image/png", "png")
    };
    Ok(ProcessedImage {
        bytes: out,
        content_type,
        width,
        height,
        extension,
    })
}

/// A JPEG's coded data needs at least one bit per 8 × 8 block of its declared size (a DC
/// code; baseline needs an end-of-block code too). A file whose data from its first scan to
/// its end is shorter was made for a smaller image: the decoder would fill the rest in.
fn check_jpeg_data_fills(bytes: &[u8], width: u32, height: u32) -> Result<()> {
    let scan = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .ok_or_else(|| Error::bad_request("the image is truncated or corrupt: no image data"))?;
    let end = bytes
        .windows(2)
        .rposition(|w| w == [0xFF, 0xD9])
        .filter(|end| *end > scan)
        .unwrap_or(bytes.len());
    let blocks = u64::from(width.div_ceil(8)) * u64::from(height.div_ceil(8));
    let data_bits = (end - scan) as u64 * 8;
    if data_bits < blocks {
        return Err(Error::bad_request(format!(
            "the image is truncated or corrupt: its data cannot fill {width} × {height} pixels"
        )));
    }
    Ok(())
}

/// Decodes a JPEG whose dimensions were checked, refusing it if its data ends early or is
/// corrupt (zune-jpeg's strict mode) rather than filling the rest in.
fn decode_jpeg_strictly(bytes: &[u8]) -> Result<DynamicImage> {
    use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let broken = |e: zune_jpeg::errors::DecodeErrors| {
        Error::bad_request("the image is truncated or corrupt")
            .with_source(std::io::Error::other(format!("{e:?}")))
    };
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(broken)?;
    let gray = matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::Luma | ColorSpace::LumaA)
    );
    let out = if gray {
        ColorSpace::Luma
    } else {
        ColorSpace::RGB
    };
    let options = decoder.options().jpeg_set_out_colorspace(out);
    decoder.set_options(options);
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| Error::bad_request("the image could not be decoded"))?;
    let pixels = decoder.decode().map_err(broken)?;
    let (width, height) = (width as u32, height as u32);
    let image = if gray {
        image::GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8)
    } else {
        image::RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
    };
    image.ok_or_else(|| Error::bad_request("the image is truncated or corrupt"))
}

/// Checks alt text: required, at most [`MAX_ALT_CHARS`] characters; returns it trimmed.
pub fn validate_alt(alt: &str) -> Result<String> {
    let alt = alt.trim();
    if alt.is_empty() {
        return Err(Error::bad_request(
            "alt text is required: describe the image for people who cannot see it",
        ));
    }
    if alt.chars().count() > MAX_ALT_CHARS {
        return Err(Error::bad_request(format!(
            "alt text is too long: at most {MAX_ALT_CHARS} characters"
        )));
    }
    Ok(alt.to_string())
}

/// The folder holding uploaded media.
pub fn media_dir(config: &Config) -> PathBuf {
    config.data_dir.join("media")
}

/// File extension of a stored content type.
pub fn extension_for(content_type: &str) -> Option<&'static str> {
    match content_type {
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        _ => None,
    }
}

/// `{uuid}.{ext}`: the stored file's name, also the last segment of its URL.
pub fn file_name(media: &media::Model) -> String {
    let ext = extension_for(&media.content_type).unwrap_or("bin");
    format!("{}.{ext}", media.uuid)
}

/// Where the file of a media row is stored.
pub fn file_path(config: &Config, media: &media::Model) -> PathBuf {
    media_dir(config).join(file_name(media))
}

/// The public URL of a media file: `{base}/media/{uuid}.{ext}`.
pub fn media_url(urls: &Urls, media: &media::Model) -> String {
    format!("{}/media/{}", urls.base(), file_name(media))
}

/// Accepts only `{uuid}.{jpg|png}` with a lowercase hyphenated uuid: no path can be named.
/// How a stored image travels with its post.
pub fn attachment_of(urls: &Urls, media: &media::Model) -> puentes_core::content::Attachment {
    puentes_core::content::Attachment {
        kind: "Image".into(),
        media_type: Some(media.content_type.clone()),
        url: media_url(urls, media),
        alt: Some(media.alt.clone()),
        width: Some(media.width),
        height: Some(media.height),
    }
}

pub fn parse_file_name(name: &str) -> Option<(Uuid, &'static str)> {
    let (stem, ext) = name.split_once('.')?;
    let ext = match ext {
        "jpg" => "jpg",
        "png" => "png",
        _ => return None,
    };
    let uuid = Uuid::try_parse(stem).ok()?;
    (uuid.hyphenated().to_string() == stem).then_some((uuid, ext))
}

/// Media kept as files in a folder (`{data_dir}/media`), the default.
pub struct LocalMedia {
    dir: PathBuf,
}

impl LocalMedia {
    pub fn new(config: &Config) -> LocalMedia {
        LocalMedia {
            dir: media_dir(config),
        }
    }
}

#[async_trait::async_trait]
impl MediaStore for LocalMedia {
    async fn put(&self, name: &str, bytes: Vec<u8>, _content_type: &str) -> Result<()> {
        let (dir, name) = (self.dir.clone(), name.to_string());
        tokio::task::spawn_blocking(move || write_file(&dir, &name, &bytes))
            .await
            .map_err(|e| Error::internal("cannot store the image").with_source(e))?
    }

    async fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.dir.join(name);
        match tokio::task::spawn_blocking(move || std::fs::read(path))
            .await
            .map_err(|e| Error::internal("cannot read media").with_source(e))?
        {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::internal("cannot read media").with_source(e)),
        }
    }

    async fn delete(&self, name: &str) -> Result<()> {
        match std::fs::remove_file(self.dir.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::internal("cannot remove media").with_source(e))
            }
            _ => Ok(()),
        }
    }

    fn describe(&self) -> String {
        format!("local files in {}", self.dir.display())
    }
}

fn write_file(dir: &FsPath, name: &str, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::internal("cannot create the media folder").with_source(e))?;
    // Written beside, then renamed: a half-written file is never served.
    let partial = dir.join(format!(".{name}.partial"));
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, dir.join(name)))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            Error::internal("cannot store the image").with_source(e)
        })
}

/// Validates the alt text, re-encodes the image without metadata ([`process_image`]), stores
/// it in `store` as `{uuid}.{ext}` and inserts its row (not yet attached to a post;
/// see [`query::media::attach_to_post`]). `db` may be a transaction.
pub async fn store_upload(
    db: &impl ConnectionTrait,
    store: &dyn MediaStore,
    actor_id: i64,
    bytes: Vec<u8>,
    alt: &str,
) -> Result<media::Model> {
    let alt = validate_alt(alt)?;
    keep(db, store, actor_id, bytes, alt).await
}

/// Stores an upload whose alt text comes later (apps upload first, then describe; the
/// post that shows it still needs the description).
pub async fn store_upload_to_describe(
    db: &impl ConnectionTrait,
    store: &dyn MediaStore,
    actor_id: i64,
    bytes: Vec<u8>,
    alt: Option<&str>,
) -> Result<media::Model> {
    let alt = match alt.map(str::trim).filter(|a| !a.is_empty()) {
        Some(alt) => validate_alt(alt)?,
        None => String::new(),
    };
    keep(db, store, actor_id, bytes, alt).await
}

async fn keep(
    db: &impl ConnectionTrait,
    store: &dyn MediaStore,
    actor_id: i64,
    bytes: Vec<u8>,
    alt: String,
) -> Result<media::Model> {
    check_upload_size(bytes.len())?;
    let uuid = Uuid::new_v4().hyphenated().to_string();
    // Decoding a large photo takes a while: keep it off the async workers.
    let image = tokio::task::spawn_blocking(move || process_image(&bytes))
        .await
        .map_err(|e| Error::internal("image processing failed").with_source(e))??;
    let name = format!("{uuid}.{}", image.extension);
    let byte_size = i64::try_from(image.bytes.len())?;
    store.put(&name, image.bytes, image.content_type).await?;

    let row = query::media::insert(
        db,
        query::media::NewMedia {
            uuid,
            actor_id,
            post_id: None,
            content_type: image.content_type.to_string(),
            width: i32::try_from(image.width)?,
            height: i32::try_from(image.height)?,
            byte_size,
            alt,
        },
    )
    .await;
    if row.is_err() {
        let _ = store.delete(&name).await;
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};
    use puentes_migrations::MigratorTrait;

    const SERIAL: &[u8] = b"SECRET-CAMERA-SERIAL";
    const XMP_MARKER: &[u8] = b"SECRET-XMP-LOCATION";
    const PNG_MARKER: &[u8] = b"SECRET-PNG-MARKER";

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// A little-endian TIFF/EXIF block: IFD0 with Orientation = `orientation` and a GPSInfo
    /// pointer to a GPS IFD holding GPSLatitudeRef 'N', GPSLatitude 40° 26' 46.32" and a
    /// GPSProcessingMethod naming "GPS".
    fn exif_tiff(orientation: u16) -> Vec<u8> {
        fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&value);
        }
        const SHORT: u16 = 3;
        const LONG: u16 = 4;
        const ASCII: u16 = 2;
        const RATIONAL: u16 = 5;
        const UNDEFINED: u16 = 7;
        let ifd0 = 8u32;
        let gps_ifd = ifd0 + 2 + 2 * 12 + 4;
        let latitude = gps_ifd + 2 + 3 * 12 + 4;
        let method = latitude + 3 * 8;
        let method_bytes = b"ASCII\0\0\0GPS";

        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&ifd0.to_le_bytes());
        t.extend_from_slice(&2u16.to_le_bytes());
        let o = orientation.to_le_bytes();
        entry(&mut t, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
        entry(&mut t, 0x8825, LONG, 1, gps_ifd.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len() as u32, gps_ifd);
        t.extend_from_slice(&3u16.to_le_bytes());
        entry(&mut t, 0x0001, ASCII, 2, *b"N\0\0\0");
        entry(&mut t, 0x0002, RATIONAL, 3, latitude.to_le_bytes());
        entry(
            &mut t,
            0x001B,
            UNDEFINED,
            method_bytes.len() as u32,
            method.to_le_bytes(),
        );
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len() as u32, latitude);
        for (num, den) in [(40u32, 1u32), (26, 1), (4632, 100)] {
            t.extend_from_slice(&num.to_le_bytes());
            t.extend_from_slice(&den.to_le_bytes());
        }
        assert_eq!(t.len() as u32, method);
        t.extend_from_slice(method_bytes);
        t
    }

    fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([
                (x * 6) as u8,
                (y * 6) as u8,
                if x < width / 2 { 200 } else { 20 },
            ])
        })
    }

    /// A 40x20 JPEG carrying EXIF (orientation 6, GPS), XMP and a comment.
    fn jpeg_with_metadata() -> Vec<u8> {
        let mut plain = Vec::new();
        JpegEncoder::new_with_quality(&mut plain, 90)
            .encode_image(&gradient(40, 20))
            .unwrap();
        assert_eq!(&plain[..2], &[0xFF, 0xD8]);
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(&exif_tiff(6));
        let mut xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>".to_vec();
        xmp.extend_from_slice(XMP_MARKER);
        xmp.extend_from_slice(b"</exif:GPSLatitude></x:xmpmeta>");

        let mut out = plain[..2].to_vec();
        out.extend(jpeg_segment(0xE1, &exif));
        out.extend(jpeg_segment(0xE1, &xmp));
        out.extend(jpeg_segment(0xFE, SERIAL));
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// Markers of the segments before the image data.
    fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        let mut markers = Vec::new();
        let mut i = 2;
        while i + 4 <= bytes.len() {
            assert_eq!(bytes[i], 0xFF);
            let marker = bytes[i + 1];
            markers.push(marker);
            if marker == 0xDA {
                break;
            }
            let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
            i += 2 + len;
        }
        markers
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        c
    }

    fn png_chunk_types(bytes: &[u8]) -> Vec<String> {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let mut types = Vec::new();
        let mut i = 8;
        while i + 8 <= bytes.len() {
            let len = u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
            types.push(String::from_utf8_lossy(&bytes[i + 4..i + 8]).into_owned());
            i += 12 + len;
        }
        types
    }

    /// Inserts chunks right after IHDR (8 bytes of signature + 25 of IHDR).
    fn png_with_chunks(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut out = png[..33].to_vec();
        for c in chunks {
            out.extend_from_slice(c);
        }
        out.extend_from_slice(&png[33..]);
        out
    }

    fn encode_png(img: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    /// A PNG made of a header claiming `width`x`height`, a tiny IDAT and IEND.
    fn png_header_only(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(png_chunk(b"IHDR", &ihdr));
        out.extend(png_chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        out.extend(png_chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn jpeg_metadata_is_gone_and_orientation_applied() {
        let input = jpeg_with_metadata();
        // The input really carries what must disappear.
        assert!(contains(&input, b"Exif"));
        assert!(contains(&input, b"GPS"));
        assert!(contains(&input, SERIAL));
        assert!(contains(&input, XMP_MARKER));
        let mut decoder = ImageReader::with_format(Cursor::new(&input), ImageFormat::Jpeg)
            .into_decoder()
            .unwrap();
        assert_eq!(
            decoder.orientation().unwrap(),
            image::metadata::Orientation::Rotate90
        );
        assert!(decoder.exif_metadata().unwrap().is_some());

        let out = process_image(&input).unwrap();
        assert_eq!(out.content_type, "image/jpeg");
        assert_eq!(out.extension, "jpg");
        assert_eq!((out.width, out.height), (20, 40), "orientation 6 rotates");

        let markers = jpeg_markers(&out.bytes);
        assert!(!markers.contains(&0xE1), "no APP1 (EXIF/XMP): {markers:x?}");
        assert!(!markers.contains(&0xFE), "no COM: {markers:x?}");
        assert!(
            markers.iter().all(|m| !(0xE1..=0xEF).contains(m)),
            "only APP0 (JFIF) may remain: {markers:x?}"
        );
        for needle in [
            &b"Exif"[..],
            b"GPS",
            b"http://ns.adobe.com",
            SERIAL,
            XMP_MARKER,
        ] {
            assert!(
                !contains(&out.bytes, needle),
                "{:?} leaked",
                String::from_utf8_lossy(needle)
            );
        }

        let mut decoder = ImageReader::with_format(Cursor::new(&out.bytes), ImageFormat::Jpeg)
            .into_decoder()
            .unwrap();
        assert!(decoder.exif_metadata().unwrap().is_none());
        assert_eq!(
            decoder.orientation().unwrap(),
            image::metadata::Orientation::NoTransforms
        );
        let decoded = DynamicImage::from_decoder(decoder).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (20, 40));
    }

    #[test]
    fn png_text_and_exif_chunks_are_gone() {
        let base = encode_png(&DynamicImage::ImageRgba8(RgbaImage::from_fn(
            30,
            10,
            |x, _| Rgba([x as u8 * 8, 10, 10, 255]),
        )));
        let mut text = b"Comment\0".to_vec();
        text.extend_from_slice(PNG_MARKER);
        let input = png_with_chunks(
            &base,
            &[png_chunk(b"tEXt", &text), png_chunk(b"eXIf", &exif_tiff(6))],
        );
        assert!(contains(&input, PNG_MARKER));
        // The crafted file is valid: it decodes as is.
        image::load_from_memory(&input).unwrap();

        let out = process_image(&input).unwrap();
        assert_eq!(out.content_type, "image/png");
        assert_eq!(out.extension, "png");
        assert_eq!(
            (out.width, out.height),
            (10, 30),
            "eXIf orientation applied"
        );
        for needle in [PNG_MARKER, b"GPS", b"tEXt", b"eXIf"] {
            assert!(!contains(&out.bytes, needle));
        }
        let types = png_chunk_types(&out.bytes);
        assert!(
            types
                .iter()
                .all(|t| ["IHDR", "IDAT", "IEND"].contains(&t.as_str())),
            "{types:?}"
        );
        let decoded = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (10, 30));
    }

    #[test]
    fn gif_and_webp_become_png() {
        let img = DynamicImage::ImageRgba8(RgbaImage::from_pixel(12, 7, Rgba([200, 0, 0, 255])));
        let mut gif = Vec::new();
        img.write_to(&mut Cursor::new(&mut gif), ImageFormat::Gif)
            .unwrap();
        let mut webp = Vec::new();
        img.write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
            .unwrap();
        for input in [gif, webp] {
            let out = process_image(&input).unwrap();
            assert_eq!(out.content_type, "image/png");
            assert_eq!((out.width, out.height), (12, 7));
            image::load_from_memory_with_format(&out.bytes, ImageFormat::Png).unwrap();
        }
    }

    /// Frame counts cost nothing: only the first frame of an animation is ever decoded, so
    /// a GIF of hundreds of frames is read as one still image (its first).
    #[test]
    fn only_the_first_frame_of_an_animation_is_decoded() {
        use image::{Delay, Frame, codecs::gif::GifEncoder};
        let mut gif = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut gif);
            let frames = (0..300u32).map(|i| {
                let shade = if i == 0 { 255 } else { (i % 200) as u8 };
                Frame::from_parts(
                    RgbaImage::from_pixel(64, 48, Rgba([shade, 0, 0, 255])),
                    0,
                    0,
                    Delay::from_numer_denom_ms(10, 1),
                )
            });
            encoder.encode_frames(frames).unwrap();
        }
        let out = process_image(&gif).unwrap();
        assert_eq!((out.width, out.height), (64, 48));
        let still = image::load_from_memory_with_format(&out.bytes, ImageFormat::Png).unwrap();
        assert_eq!(still.to_rgba8().get_pixel(10, 10), &Rgba([255, 0, 0, 255]));
    }

    #[test]
    fn large_images_are_downscaled() {
        let input = encode_png(&DynamicImage::ImageRgb8(gradient(3000, 600)));
        let out = process_image(&input).unwrap();
        assert_eq!((out.width, out.height), (2560, 512));
    }

    #[test]
    fn other_types_are_refused() {
        for input in [
            &b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0", // BMP
            b"",
        ] {
            let err = process_image(input).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadRequest);
            assert!(err.message().contains("JPEG, PNG, WebP and GIF"), "{err:?}");
        }
        // A known signature over garbage is refused as undecodable, not as a crash.
        let err = process_image(b"\x89PNG\r\n\x1a\ngarbage").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest);
    }

    #[test]
    fn decompression_bombs_are_refused_before_allocation() {
        // Both sides beyond the per-side limit: refused on reading the header.
        let err = process_image(&png_header_only(100_000, 100_000)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PayloadTooLarge, "{err:?}");
        assert!(err.message().contains("33 megapixels"), "{err:?}");
        // Each side acceptable, 64 megapixels in all: refused by the pixel count.
        let err = process_image(&png_header_only(8000, 8000)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PayloadTooLarge, "{err:?}");
    }

    fn plain_jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(gradient(width, height))
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
            .unwrap();
        out
    }

    /// The JPEG with its frame header (SOF0) claiming other dimensions than its data has.
    fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = plain_jpeg(64, 48);
        let sof = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame header");
        bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        bytes
    }

    #[test]
    fn inconsistent_and_truncated_jpegs_are_refused() {
        assert!(process_image(&plain_jpeg(64, 48)).is_ok());
        // Claims 6000 × 6000 (36 megapixels): refused on its header, before any decoding.
        let err = process_image(&jpeg_claiming(6000, 6000)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PayloadTooLarge, "{err:?}");
        // Claims an acceptable size its data does not fill: refused, not filled with grey.
        let err = process_image(&jpeg_claiming(3000, 2000)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{err:?}");
        // Cut in the middle of its data.
        let whole = plain_jpeg(64, 48);
        let err = process_image(&whole[..whole.len() * 2 / 3]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{err:?}");
    }

    #[test]
    fn deep_images_beyond_the_memory_budget_are_refused_before_decoding() {
        // 16-bit RGBA, 25 megapixels: under the pixel limit, 200 MB decoded.
        let mut png = png_header_only(5000, 5000);
        png[24] = 16; // bit depth
        png[25] = 6; // RGBA
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = process_image(&png).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PayloadTooLarge, "{err:?}");
    }

    #[test]
    fn oversize_uploads_are_refused() {
        let mut input = jpeg_with_metadata();
        input.resize(MAX_UPLOAD_BYTES + 1, 0);
        let err = process_image(&input).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PayloadTooLarge);
        assert!(err.message().contains("10 MiB"));
    }

    #[test]
    fn alt_text_is_required_and_bounded() {
        assert_eq!(validate_alt("  A march  ").unwrap(), "A march");
        assert_eq!(
            validate_alt(" \n\t").unwrap_err().kind(),
            ErrorKind::BadRequest
        );
        assert!(validate_alt(&"é".repeat(MAX_ALT_CHARS)).is_ok());
        assert!(validate_alt(&"é".repeat(MAX_ALT_CHARS + 1)).is_err());
    }

    #[test]
    fn only_uuid_file_names_are_served() {
        let id = Uuid::new_v4();
        assert_eq!(parse_file_name(&format!("{id}.jpg")), Some((id, "jpg")));
        assert_eq!(parse_file_name(&format!("{id}.png")), Some((id, "png")));
        for bad in [
            format!("{id}.gif"),
            format!("{id}.jpg.png"),
            format!("{}.jpg", id.simple()),
            format!("{}.jpg", id.hyphenated().to_string().to_uppercase()),
            format!("../{id}.jpg"),
            format!("{id}/../../x.jpg"),
            "..%2Fpuentes.db".to_string(),
            "puentes.db".to_string(),
            format!(".{id}.jpg.partial"),
        ] {
            assert_eq!(parse_file_name(&bad), None, "{bad}");
        }
    }

    /// The server of `PUENTES_TEST_DATABASE_URL` (PostgreSQL), when set, with a fresh database
    /// `name` created on it; the URL of that database.
    async fn postgres_database(name: &str) -> Option<String> {
        let server = std::env::var("PUENTES_TEST_DATABASE_URL").ok()?;
        if server.is_empty() {
            return None;
        }
        let admin = puentes_db::connect_url(&server, None).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let scheme_end = server.find("://").unwrap() + 3;
        let base = match server.rfind('/') {
            Some(i) if i > scheme_end => &server[..i],
            _ => server.as_str(),
        };
        Some(format!("{base}/{name}"))
    }

    struct TestState {
        db: puentes_db::DatabaseConnection,
        config: std::sync::Arc<Config>,
        urls: Urls,
    }

    async fn test_state(database_url: Option<String>) -> (TestState, PathBuf, i64) {
        let dir = std::env::temp_dir().join(format!("puentes-media-{}", Uuid::new_v4()));
        let config = Config {
            data_dir: dir.clone(),
            database_url,
            ..Config::default()
        };
        let db = puentes_db::connect(&config).await.unwrap();
        puentes_migrations::Migrator::up(&db, None).await.unwrap();
        let actor = query::actor::insert(
            &db,
            query::actor::ActorData {
                ap_id: "http://localhost:8080/actors/alpha".into(),
                username: "alpha".into(),
                domain: "localhost:8080".into(),
                kind: puentes_core::ActorKind::Organization,
                display_name: None,
                summary: None,
                inbox: "http://localhost:8080/actors/alpha/inbox".into(),
                shared_inbox: None,
                outbox: None,
                followers_url: None,
                following_url: None,
                featured_url: None,
                url: None,
                icon_url: None,
                header_url: None,
                public_key_id: "http://localhost:8080/actors/alpha#main-key".into(),
                public_key_pem: String::new(),
                private_key_pem: None,
                ed25519_public: None,
                ed25519_private: None,
                local: true,
                manually_approves_followers: false,
                discoverable: true,
                indexable: true,
                also_known_as: Vec::new(),
                moved_to: None,
            },
        )
        .await
        .unwrap();
        (
            TestState {
                db,
                urls: Urls::new(&config),
                config: std::sync::Arc::new(config),
            },
            dir,
            actor.id,
        )
    }

    #[tokio::test]
    async fn uploads_are_stored_clean_and_served() {
        upload_round_trip(None).await;
    }

    /// The same on PostgreSQL, when `PUENTES_TEST_DATABASE_URL` names a server.
    #[tokio::test]
    async fn uploads_are_stored_clean_and_served_on_postgres() {
        let name = format!("puentes_media_test_{}", Uuid::new_v4().simple());
        if let Some(url) = postgres_database(&name).await {
            upload_round_trip(Some(url)).await;
            let server = std::env::var("PUENTES_TEST_DATABASE_URL").unwrap();
            let admin = puentes_db::connect_url(&server, None).await.unwrap();
            admin
                .execute_unprepared(&format!("DROP DATABASE {name}"))
                .await
                .unwrap();
        }
    }

    async fn upload_round_trip(database_url: Option<String>) {
        let (state, dir, actor_id) = test_state(database_url).await;
        let config = state.config.clone();
        let local = LocalMedia::new(&config);

        let err = store_upload(&state.db, &local, actor_id, jpeg_with_metadata(), "  ")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest);
        let err = store_upload(&state.db, &local, actor_id, b"%PDF-1.4".to_vec(), "x")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest);

        let row = store_upload(
            &state.db,
            &local,
            actor_id,
            jpeg_with_metadata(),
            " A banner at the march ",
        )
        .await
        .unwrap();
        assert_eq!(row.alt, "A banner at the march");
        assert_eq!(row.content_type, "image/jpeg");
        assert_eq!((row.width, row.height), (20, 40));
        assert_eq!(row.post_id, None);
        let stored = std::fs::read(file_path(&config, &row)).unwrap();
        assert_eq!(row.byte_size, stored.len() as i64);
        for needle in [&b"Exif"[..], b"GPS", SERIAL, XMP_MARKER] {
            assert!(!contains(&stored, needle));
        }
        assert_eq!(
            query::media::by_uuid(&state.db, &row.uuid).await.unwrap(),
            Some(row.clone())
        );
        assert_eq!(
            media_url(&state.urls, &row),
            format!("http://localhost:8080/media/{}.jpg", row.uuid)
        );

        // Attaching to a post, in upload order; attached media stay with their post.
        let second = store_upload(
            &state.db,
            &local,
            actor_id,
            encode_png(&DynamicImage::ImageRgb8(gradient(8, 8))),
            "A gradient",
        )
        .await
        .unwrap();
        assert_eq!(second.content_type, "image/png");
        let ids = [second.id, row.id];
        assert_eq!(
            query::media::attach_to_post(&state.db, &ids, 7)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            query::media::attach_to_post(&state.db, &ids, 8)
                .await
                .unwrap(),
            0
        );
        let attached = query::media::for_post(&state.db, 7).await.unwrap();
        assert_eq!(
            attached.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![row.id, second.id]
        );
        assert!(
            query::media::for_post(&state.db, 8)
                .await
                .unwrap()
                .is_empty()
        );

        state.db.clone().close().await.unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }
}
