//! Saving from the app as a file: an object URL clicked through a detached `<a download>`
//! (the router leaves such links to the browser).

use leptos::prelude::{document, set_timeout};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Saves what `href` (an object URL) holds as `filename`. `false` when the page could not
/// make the link.
pub fn save_url(href: &str, filename: &str) -> bool {
    let Some(anchor) = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return false;
    };
    anchor.set_href(href);
    anchor.set_download(filename);
    anchor.click();
    true
}

/// `json` indented for people to read (by the browser's `JSON`); as it is when it is not JSON.
pub fn pretty_json(json: &str) -> String {
    js_sys::JSON::parse(json)
        .and_then(|v| {
            js_sys::JSON::stringify_with_replacer_and_space(&v, &JsValue::NULL, &JsValue::from(2))
        })
        .map(String::from)
        .unwrap_or_else(|_| json.to_owned())
}

/// Saves `text` as the file `filename` of type `content_type`.
pub fn save_text(text: &str, content_type: &str, filename: &str) -> bool {
    let options = BlobPropertyBag::new();
    options.set_type(content_type);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let Some(href) = Blob::new_with_str_sequence_and_options(&parts, &options)
        .ok()
        .and_then(|blob| Url::create_object_url_with_blob(&blob).ok())
    else {
        return false;
    };
    let saved = save_url(&href, filename);
    // The browser has started the download by then; the URL only holds the blob in memory.
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&href);
        },
        Duration::from_secs(60),
    );
    saved
}
