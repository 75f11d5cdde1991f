//! Uploaded images: type sniffing, declared dimensions and memory checked before decoding,
//! strict JPEG decoding, re-encoding. Refused or processed, never a crash or a runaway.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(image) = puentes_app::media::process_image(data) {
        assert!(image.width > 0 && image.height > 0);
        assert!(image.width.max(image.height) <= puentes_app::media::MAX_STORED_SIDE);
    }
});
