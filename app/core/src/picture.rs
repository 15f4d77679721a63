//! Photos on screen: an object URL (`blob:`) for `<img src>`, from the device's own store
//! when the app has one ([`LocalPhotos`], the field app's), else from the server.

use futures::future::LocalBoxFuture;
use web_sys::{Blob, BlobPropertyBag, Url};

use crate::api;
use crate::session::Session;

/// Reads a photo's bytes from the device store by its SHA-256: provided as context by the
/// app that keeps photos on the device.
#[derive(Clone, Copy)]
pub struct LocalPhotos(pub fn(String) -> LocalBoxFuture<'static, Option<Vec<u8>>>);

/// An object URL for the photo `sha256` of type `content_type`: from `local` when it holds
/// the bytes, else from `GET /api/attachments/{sha256}` when a `session` is given. `None`
/// when neither has it. The caller revokes it ([`revoke`]) when the picture is gone.
pub async fn object_url(
    local: Option<LocalPhotos>,
    sha256: &str,
    content_type: &str,
    session: Option<Session>,
) -> Option<String> {
    if let Some(LocalPhotos(read)) = local
        && let Some(bytes) = read(sha256.to_owned()).await
    {
        let options = BlobPropertyBag::new();
        options.set_type(content_type);
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
        return Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .ok()
            .and_then(|blob| Url::create_object_url_with_blob(&blob).ok());
    }
    api::photo_url(session?, sha256).await.ok()
}

/// Frees an object URL made by [`object_url`].
pub fn revoke(url: &str) {
    let _ = Url::revoke_object_url(url);
}
