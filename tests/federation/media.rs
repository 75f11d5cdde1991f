//! Uploaded images are re-encoded: what is served has no EXIF, GPS or comments.

use crate::on_every_backend;
use puentes_app::posts::{NewImage, NewPost};
use puentes_tests::{Backend, OP, TestInstance, TestNetwork, peers};

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

const BUCKET: &str = "puentes-media";

/// With `[media] storage = "s3"`, uploads go to the bucket (moto's S3 server, from PyPI),
/// nothing is written to the data directory, and `/media/…` serves them from there, also
/// after a restart.
async fn s3_scenario(backend: &Backend) {
    let available = peers::runs("python3", &["-c", "import moto.server, boto3"], None);
    if !peers::available_or_skip(available, "moto[server] (tests/peers/requirements.txt)") {
        return;
    }
    let port = peers::free_port();
    let store = peers::PeerProcess::start(
        "python3",
        &["s3.py".into(), port.to_string(), BUCKET.into()],
        &peers::peers_dir(),
        port,
        "moto S3 server",
    )
    .await;
    let endpoint = store.base.clone();
    let mut home = TestInstance::start_with(backend, |config| {
        config.media.storage = puentes_core::MediaStorage::S3;
        config.media.s3 = Some(puentes_core::S3Config {
            endpoint: endpoint.clone(),
            bucket: BUCKET.into(),
            region: "eu-west-3".into(),
            access_key: "puentes-test".into(),
            secret_key: "puentes-test-secret".into(),
            path_style: true,
            prefix: "ong/".into(),
        });
    })
    .await;
    home.create_actor("alpha", "organization").await;
    let post = home
        .app()
        .publish(
            &OP,
            "alpha",
            NewPost {
                images: vec![NewImage {
                    bytes: jpeg_with_gps(),
                    alt: "Cartel de la vigilia".into(),
                }],
                ..NewPost::text("Vigilia esta noche")
            },
        )
        .await
        .unwrap();
    let url = post.attachments()[0].url.clone();
    let name = url.rsplit('/').next().unwrap().to_string();

    let served = reqwest::get(&url).await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    let served = served.bytes().await.unwrap();
    assert!(!contains(&served, b"SECRET-CAMERA-SERIAL"));
    image::load_from_memory(&served).expect("a valid image");

    // The bytes are in the bucket, under the prefix (read back with boto3), private to
    // anyone without the keys, and nowhere on the local disk.
    let read = std::process::Command::new("python3")
        .args([
            "-c",
            "import boto3, sys; sys.stdout.buffer.write(boto3.client('s3', \
             endpoint_url=sys.argv[1], region_name='eu-west-3', aws_access_key_id='puentes-test', \
             aws_secret_access_key='puentes-test-secret').get_object(Bucket=sys.argv[2], \
             Key=sys.argv[3])['Body'].read())",
            &endpoint,
            BUCKET,
            &format!("ong/{name}"),
        ])
        .output()
        .expect("boto3");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    assert_eq!(
        read.stdout, served,
        "the object in the bucket is what is served"
    );
    let anonymous = reqwest::get(format!("{endpoint}/{BUCKET}/ong/{name}"))
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        403,
        "objects are not public in the bucket"
    );
    let local = home.dir.join("media");
    assert!(
        std::fs::read_dir(&local).map_or(true, |mut d| d.next().is_none()),
        "nothing written to {}",
        local.display()
    );

    // A new process serves what the bucket holds; an unknown name is a 404.
    home.restart().await;
    let again = reqwest::get(&url).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.bytes().await.unwrap(), served);
    let missing = format!(
        "{}/media/{}.jpg",
        home.base(),
        uuid::Uuid::new_v4().hyphenated()
    );
    assert_eq!(reqwest::get(&missing).await.unwrap().status(), 404);

    // The bucket going away is a clear failure, never a lost post: the upload is refused.
    drop(store);
    let err = home
        .app()
        .publish(
            &OP,
            "alpha",
            NewPost {
                images: vec![NewImage {
                    bytes: jpeg_with_gps(),
                    alt: "Otra foto".into(),
                }],
                ..NewPost::text("Sin almacenamiento")
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.message().contains("media storage is unavailable"),
        "{}",
        err.message()
    );
    home.stop().await;
}

#[tokio::test]
async fn uploaded_images_can_live_in_an_s3_bucket() {
    on_every_backend!(s3_scenario);
}
