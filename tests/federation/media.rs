//! Uploaded images are re-encoded: what is served has no EXIF, GPS or comments.

use crate::on_every_backend;
use puentes_app::posts::{NewImage, NewPost};
use puentes_tests::{Backend, OP, TestNetwork};

/// A JPEG carrying a GPS position in EXIF and a camera serial in a comment, as phones write.
fn jpeg_with_gps() -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(32, 16, |x, y| {
        image::Rgb([(x * 8) as u8, (y * 16) as u8, 90])
    });
    let mut plain = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(
            &mut std::io::Cursor::new(&mut plain),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    // TIFF (little endian): IFD0 with one GPSInfo pointer to a GPS IFD with GPSLatitudeRef "N".
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x8825u16.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(2u32.to_le_bytes());
    tiff.extend(b"N\0\0\0");
    tiff.extend(0u32.to_le_bytes());
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(tiff);
    let comment = b"SECRET-CAMERA-SERIAL 4815162342 GPS 14.6349 -90.5069".to_vec();
    let mut out = plain[..2].to_vec();
    for (marker, payload) in [(0xE1u8, exif), (0xFEu8, comment)] {
        out.extend([0xFF, marker]);
        out.extend(((payload.len() + 2) as u16).to_be_bytes());
        out.extend(payload);
    }
    out.extend(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn image_scenario(backend: &Backend) {
    let net = TestNetwork::alpha_followed_by_beta(backend).await;
    let (a, b) = (net.get(0), net.get(1));

    let upload = jpeg_with_gps();
    assert!(
        contains(&upload, b"Exif") && contains(&upload, b"SECRET-CAMERA-SERIAL"),
        "the test image carries metadata"
    );
    let post = a
        .instance
        .app
        .publish(
            &OP,
            "alpha",
            NewPost {
                images: vec![NewImage {
                    bytes: upload,
                    alt: "Personas marchando frente al congreso".into(),
                }],
                ..NewPost::text("Marcha de hoy")
            },
        )
        .await
        .unwrap();
    net.settle().await;

    let stored = b.post_by_id(&post.ap_id).await.expect("post delivered");
    let attachments = stored.attachments();
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0].alt.as_deref(),
        Some("Personas marchando frente al congreso"),
        "alt text travels"
    );
    let url = attachments[0].url.as_str();
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let served = response.bytes().await.unwrap();
    for secret in [&b"Exif"[..], b"GPS", b"SECRET-CAMERA-SERIAL", b"4815162342"] {
        assert!(
            !contains(&served, secret),
            "served bytes still contain {:?}",
            String::from_utf8_lossy(secret)
        );
    }
    let decoded = image::load_from_memory(&served).expect("still a valid image");
    assert_eq!((decoded.width(), decoded.height()), (32, 16));

    // Refused: not an image, and an image without alt text.
    let err = a
        .instance
        .app
        .publish(
            &OP,
            "alpha",
            NewPost {
                images: vec![NewImage {
                    bytes: b"%PDF-1.4".to_vec(),
                    alt: "x".into(),
                }],
                ..NewPost::text("x")
            },
        )
        .await
        .unwrap_err();
    assert!(err.message().contains("JPEG"), "{}", err.message());
    let err = a
        .instance
        .app
        .publish(
            &OP,
            "alpha",
            NewPost {
                images: vec![NewImage {
                    bytes: jpeg_with_gps(),
                    alt: " ".into(),
                }],
                ..NewPost::text("x")
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), puentes_core::ErrorKind::BadRequest);
}

#[tokio::test]
async fn uploaded_images_are_served_without_metadata() {
    on_every_backend!(image_scenario);
}
