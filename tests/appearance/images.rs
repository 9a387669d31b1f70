//! PNG inputs as the signer receives them from users: interlaced and 16-bit files normalise to the
//! same samples as plain ones, the embedded streams have the declared sizes, and files that are not
//! PNGs, are cut short or are huge are refused with a clear message.

use std::io::{Read as _, Write as _};

use vanthu::pdf::appearance::image::{MAX_DIMENSION, MAX_PNG_BYTES};
use vanthu::pdf::appearance::{ImageError, PngImage};

use super::fixtures;

fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("zlib stream");
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for byte in bytes {
        crc ^= u32::from(*byte);
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

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// An 8-bit RGBA PNG written with Adam7 interlacing (the `png` crate only writes non-interlaced
/// files): the seven passes' rows, each with filter type 0, in one IDAT.
fn interlaced_rgba_png(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    const PASSES: [(u32, u32, u32, u32); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in PASSES {
        if x0 >= width || y0 >= height {
            continue;
        }
        for y in (y0..height).step_by(dy as usize) {
            raw.push(0);
            for x in (x0..width).step_by(dx as usize) {
                let index = ((y * width + x) * 4) as usize;
                raw.extend_from_slice(&rgba[index..index + 4]);
            }
        }
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&raw).expect("deflate");
    let idat = encoder.finish().expect("deflate");

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 1]);
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn gradient(width: u32, height: u32) -> Vec<u8> {
    (0..width * height)
        .flat_map(|index| {
            let (x, y) = (index % width, index / width);
            [(x * 20) as u8, (y * 30) as u8, 200, ((x + y) * 15) as u8]
        })
        .collect()
}

#[test]
fn interlaced_png_decodes_to_the_same_samples_as_a_plain_one() {
    let (width, height) = (11, 7);
    let rgba = gradient(width, height);
    let plain = PngImage::decode(&fixtures::encode_png(width, height, &rgba, None)).expect("plain");
    let interlaced = PngImage::decode(&interlaced_rgba_png(width, height, &rgba)).expect("Adam7");
    assert_eq!(interlaced, plain);
    assert_eq!(plain.rgb()[..3], rgba[..3]);
}

#[test]
fn sixteen_bit_rgba_normalises_to_eight_bits() {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 1, 1);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Sixteen);
        let mut writer = encoder.write_header().expect("header");
        writer
            .write_image_data(&[0x12, 0x34, 0xAB, 0xCD, 0xFF, 0x00, 0x7F, 0xFF])
            .expect("data");
    }
    let image = PngImage::decode(&out).expect("16-bit");
    assert_eq!(image.rgb(), &[0x12, 0xAB, 0xFF]);
    assert_eq!(image.alpha(), Some(&[0x7F][..]));
}

#[test]
fn embedded_streams_hold_rgb_and_alpha_of_the_declared_size() {
    let seal = fixtures::decode(&fixtures::seal_png(Some(300.0)));
    let embedded = seal.embed("Im7").expect("embed");
    assert_eq!(embedded.resource_name, "Im7");
    assert_eq!((embedded.width, embedded.height), (425, 425));
    let rgb = inflate(&embedded.rgb);
    let alpha = inflate(embedded.alpha.as_ref().expect("the seal is transparent"));
    assert_eq!(rgb.len(), 425 * 425 * 3);
    assert_eq!(alpha.len(), 425 * 425);
    assert_eq!(alpha[0], 0, "corner is transparent");
    // The centre of the star is opaque seal red.
    let centre = 212 * 425 + 212;
    assert_eq!(alpha[centre], 255);
    assert_eq!(rgb[centre * 3..centre * 3 + 3], fixtures::RED);
}

#[test]
fn files_that_are_not_png_are_refused_with_a_bilingual_message() {
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    let error = PngImage::decode(&jpeg).expect_err("JPEG");
    assert!(matches!(error, ImageError::NotPng));
    let message = error.to_string();
    assert!(message.starts_with("tệp ảnh không phải PNG"), "{message}");
    assert!(message.contains("not a PNG"), "{message}");
}

#[test]
fn truncated_pngs_are_refused() {
    let signature = fixtures::signature_png(None);
    for keep in [9, 33, signature.len() / 2, signature.len() - 1] {
        let error = PngImage::decode(&signature[..keep])
            .map(|_| format!("kept {keep} of {}", signature.len()))
            .expect_err("truncated");
        assert!(
            matches!(error, ImageError::Decode { .. }),
            "kept {keep}: {error:?}"
        );
    }
    // A flipped byte inside the image data breaks its CRC.
    let mut damaged = signature.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    assert!(matches!(
        PngImage::decode(&damaged),
        Err(ImageError::Decode { .. })
    ));
}

#[test]
fn huge_pngs_are_refused_before_their_pixels_are_decoded() {
    let wide = fixtures::encode_png(
        MAX_DIMENSION + 1,
        1,
        &vec![0; (MAX_DIMENSION as usize + 1) * 4],
        None,
    );
    assert!(matches!(
        PngImage::decode(&wide),
        Err(ImageError::TooManyPixels { width, height: 1 }) if width == MAX_DIMENSION + 1
    ));
    let mut oversized = fixtures::signature_png(None);
    oversized.resize(MAX_PNG_BYTES + 1, 0);
    let error = PngImage::decode(&oversized).expect_err("file too large");
    assert!(matches!(error, ImageError::FileTooLarge { .. }));
}
