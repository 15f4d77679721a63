//! Photos as evidence: a picture from the camera (or a file) is downscaled on the device to
//! at most [`MAX_EDGE`] pixels on its longest side, encoded as JPEG, and hashed (SHA-256, by
//! the browser's Web Crypto) at once. The hash goes into the finding; the bytes into the
//! device store until they are uploaded, so the server can show they are unaltered.
//! (`app_core::picture` shows a photo again, from the device store through the context the
//! field app provides.)

use js_sys::{ArrayBuffer, Promise, Uint8Array};
use leptos::prelude::{document, window};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, File, HtmlCanvasElement, ImageBitmap};

/// Longest side of a stored photo, in pixels: enough to read a sign or a badge.
pub const MAX_EDGE: u32 = 1600;
const JPEG_QUALITY: f64 = 0.82;

/// A processed photo.
pub struct Photo {
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub content_type: &'static str,
}

/// Downscales, encodes and hashes `file`.
pub async fn process(file: File) -> Result<Photo, JsValue> {
    let bitmap: ImageBitmap = JsFuture::from(window().create_image_bitmap_with_blob(&file)?)
        .await?
        .dyn_into()?;
    let (w, h) = (bitmap.width(), bitmap.height());
    let scale = f64::from(MAX_EDGE) / f64::from(w.max(h).max(1));
    let scale = scale.min(1.0);
    let (tw, th) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    let canvas: HtmlCanvasElement = document().create_element("canvas")?.dyn_into()?;
    canvas.set_width(tw);
    canvas.set_height(th);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    context.draw_image_with_image_bitmap_and_dw_and_dh(
        &bitmap,
        0.0,
        0.0,
        f64::from(tw),
        f64::from(th),
    )?;
    bitmap.close();
    let blob = to_blob(&canvas).await?;
    let buffer: ArrayBuffer = JsFuture::from(blob.array_buffer()).await?.dyn_into()?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    let sha256 = sha256_hex(&bytes).await?;
    Ok(Photo {
        bytes,
        sha256,
        content_type: "image/jpeg",
    })
}

/// `canvas.toBlob` as a future.
async fn to_blob(canvas: &HtmlCanvasElement) -> Result<Blob, JsValue> {
    let canvas = canvas.clone();
    let promise = Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if let Err(e) = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            "image/jpeg",
            &JsValue::from_f64(JPEG_QUALITY),
        ) {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    let blob = JsFuture::from(promise).await?;
    blob.dyn_into()
        .map_err(|_| JsValue::from_str("the photo could not be encoded"))
}

/// SHA-256 of `bytes` as 64 lowercase hex characters, by Web Crypto.
pub async fn sha256_hex(bytes: &[u8]) -> Result<String, JsValue> {
    let subtle = window().crypto()?.subtle();
    let digest = JsFuture::from(subtle.digest_with_str_and_u8_array("SHA-256", bytes)?).await?;
    let digest = Uint8Array::new(&digest).to_vec();
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}
