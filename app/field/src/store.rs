//! The device store: IndexedDB (through the `idb` crate), where everything the app must keep
//! across reloads, power loss and offline restarts lives.
//!
//! | store      | key            | value                                             |
//! |------------|----------------|---------------------------------------------------|
//! | `meta`     | name           | JSON: working-set facts, the pull cursor          |
//! | `enclaves` | enclave id     | JSON [`FieldEnclave`](shared::dto::field::FieldEnclave) |
//! | `drafts`   | inspection id  | JSON [`Draft`](crate::draft::Draft)               |
//! | `outbox`   | record id      | JSON [`OutboxEntry`](crate::device::OutboxEntry)  |
//! | `photos`   | SHA-256 (hex)  | the photo's bytes (`Uint8Array`)                  |
//!
//! Values are JSON strings rather than structured clones: the same serde types as on the
//! wire, and no second (de)serialiser in the bundle. Writes that belong together go in one
//! transaction ([`write`]): a submitted inspection leaves the drafts and enters the outbox
//! at once, or not at all ([`move_to_outbox`]), and a draft is never written again once its
//! inspection is in the outbox ([`write_draft`]). IndexedDB runs transactions over the same
//! stores one after the other, across tabs too, so these read-then-write steps cannot
//! interleave. Writes to the drafts or the outbox ask for strict durability (reported done
//! only once on disk) where the browser supports it.

use std::cell::RefCell;

use idb::{
    DatabaseEvent, Factory, ObjectStore, ObjectStoreParams, Query, Transaction, TransactionMode,
    TransactionResult,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransaction};

const DB_NAME: &str = "enclave-inspect";
const DB_VERSION: u32 = 1;

/// An object store of the device database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Meta,
    Enclaves,
    Drafts,
    Outbox,
    Photos,
}

impl Store {
    const ALL: [Self; 5] = [
        Self::Meta,
        Self::Enclaves,
        Self::Drafts,
        Self::Outbox,
        Self::Photos,
    ];

    /// The object store's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Meta => "meta",
            Self::Enclaves => "enclaves",
            Self::Drafts => "drafts",
            Self::Outbox => "outbox",
            Self::Photos => "photos",
        }
    }
}

/// Why the device store failed (storage full, private mode, a broken database).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

impl StoreError {
    /// The browser refused the write because the device (or the site's share of it) is full.
    pub fn is_quota_exceeded(&self) -> bool {
        self.0.contains("QuotaExceededError")
    }
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        Self(e.to_string())
    }
}

/// A stored value that no longer parses as the app's type: kept as it is, never dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub store: Store,
    pub key: String,
    /// The stored text (JSON).
    pub raw: String,
}

/// One change of a [`write`].
pub enum Op {
    /// Stores `value` (JSON) under `key`.
    Put(Store, String, String),
    /// Stores bytes under `key`.
    PutBytes(Store, String, Vec<u8>),
    /// Removes what is under `key`.
    Delete(Store, String),
    /// Empties the store.
    Clear(Store),
}

impl Op {
    /// A `Put` of `value` as JSON.
    pub fn put<T: Serialize>(store: Store, key: impl Into<String>, value: &T) -> Self {
        // The app's own plain types: serialising them cannot fail.
        Self::Put(
            store,
            key.into(),
            serde_json::to_string(value).unwrap_or_default(),
        )
    }

    fn store(&self) -> Store {
        match self {
            Self::Put(s, ..) | Self::PutBytes(s, ..) | Self::Delete(s, _) | Self::Clear(s) => *s,
        }
    }

    fn apply(self, tx: &Transaction) -> Result<(), StoreError> {
        let store = tx.object_store(self.store().name())?;
        match self {
            Self::Put(_, key, json) => {
                store.put(&JsValue::from_str(&json), Some(&JsValue::from_str(&key)))?;
            }
            Self::PutBytes(_, key, bytes) => {
                let value: JsValue = js_sys::Uint8Array::from(bytes.as_slice()).into();
                store.put(&value, Some(&JsValue::from_str(&key)))?;
            }
            Self::Delete(_, key) => {
                store.delete(key_query(&key))?;
            }
            Self::Clear(_) => {
                store.clear()?;
            }
        }
        Ok(())
    }
}

#[wasm_bindgen]
extern "C" {
    /// An `IDBDatabase`, for the one call web-sys has only behind `web_sys_unstable_apis`.
    #[wasm_bindgen(js_name = IDBDatabase)]
    type Connection;

    /// `transaction(names, mode, options)`.
    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(
        this: &Connection,
        names: &js_sys::Array,
        mode: &str,
        options: &js_sys::Object,
    ) -> Result<IdbTransaction, JsValue>;
}

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// The open database, opened (and created or upgraded) on first use.
async fn db() -> Result<IdbDatabase, StoreError> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let factory = Factory::new()?;
    let mut request = factory.open(DB_NAME, Some(DB_VERSION))?;
    request.on_upgrade_needed(|event| {
        let Ok(db) = event.database() else {
            return;
        };
        let existing = db.store_names();
        for store in Store::ALL {
            if !existing.iter().any(|n| n == store.name()) {
                // A failure here aborts the upgrade, and the open request reports it.
                let _ = db.create_object_store(store.name(), ObjectStoreParams::new());
            }
        }
    });
    let db: IdbDatabase = request.await?.into();
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// An open transaction, with the browser's own handle to learn why it aborted.
struct Tx {
    tx: Transaction,
    raw: IdbTransaction,
}

impl Tx {
    /// A transaction over `stores`; read-write ones that touch the drafts or the outbox are
    /// strictly durable where the browser supports it (others ignore the option).
    async fn open(stores: &[Store], write: bool) -> Result<Self, StoreError> {
        let db = db().await?;
        let mut names: Vec<&str> = stores.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        let names: js_sys::Array = names.into_iter().map(JsValue::from_str).collect();
        let strict = write
            && stores
                .iter()
                .any(|s| matches!(s, Store::Drafts | Store::Outbox));
        let raw = if strict {
            let options = js_sys::Object::new();
            js_sys::Reflect::set(&options, &"durability".into(), &"strict".into())
                .map_err(|e| js_error(&e))?;
            db.unchecked_ref::<Connection>()
                .transaction_with_options(&names, "readwrite", &options)
        } else {
            let mode = if write {
                TransactionMode::ReadWrite
            } else {
                TransactionMode::ReadOnly
            };
            db.transaction_with_str_sequence_and_mode(&names, mode.into())
        }
        .map_err(|e| js_error(&e))?;
        Ok(Self {
            tx: Transaction::from(raw.clone()),
            raw,
        })
    }

    fn store(&self, store: Store) -> Result<ObjectStore, StoreError> {
        Ok(self.tx.object_store(store.name())?)
    }

    /// Commits and waits until the browser has done so; an abort says why (e.g.
    /// `QuotaExceededError` when the device is full).
    async fn commit(self) -> Result<(), StoreError> {
        match self.tx.commit()?.await? {
            TransactionResult::Committed => Ok(()),
            TransactionResult::Aborted => Err(StoreError(match self.raw.error() {
                Some(e) => format!("transaction aborted: {}: {}", e.name(), e.message()),
                None => "transaction aborted".to_owned(),
            })),
        }
    }
}

fn js_error(e: &JsValue) -> StoreError {
    StoreError(text(e))
}

/// A stored value (or key, or error) as text: strings as they are, anything else as JSON.
fn text(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| {
        js_sys::JSON::stringify(value)
            .map(String::from)
            .unwrap_or_default()
    })
}

fn key_query(key: &str) -> Query {
    Query::from(JsValue::from_str(key))
}

/// Applies `ops` in one transaction: all of them, or none.
pub async fn write(ops: Vec<Op>) -> Result<(), StoreError> {
    if ops.is_empty() {
        return Ok(());
    }
    let stores: Vec<Store> = ops.iter().map(Op::store).collect();
    let tx = Tx::open(&stores, true).await?;
    for op in ops {
        op.apply(&tx.tx)?;
    }
    tx.commit().await
}

/// What [`write_draft`] did.
pub enum DraftWrite {
    Written,
    /// The inspection is in the outbox already (submitted, maybe in another tab): nothing was
    /// written; this is its stored entry (JSON).
    Submitted(String),
}

/// Applies `ops` (which write the draft `key`, maybe with photo bytes) in one transaction,
/// unless the outbox already holds the record `key`: a submitted draft is never written again.
pub async fn write_draft(key: &str, ops: Vec<Op>) -> Result<DraftWrite, StoreError> {
    let mut stores: Vec<Store> = ops.iter().map(Op::store).collect();
    stores.push(Store::Outbox);
    let tx = Tx::open(&stores, true).await?;
    if let Some(entry) = tx.store(Store::Outbox)?.get(key_query(key))?.await? {
        tx.commit().await?;
        return Ok(DraftWrite::Submitted(text(&entry)));
    }
    for op in ops {
        op.apply(&tx.tx)?;
    }
    tx.commit().await?;
    Ok(DraftWrite::Written)
}

/// What [`move_to_outbox`] did.
pub enum Moved {
    /// The draft left the drafts and its entry is in the outbox.
    Done,
    /// The outbox held the record already; nothing was added. A draft still stored under its
    /// id (saved by another tab after the submit) was removed. This is the stored entry (JSON).
    AlreadyThere(String),
    /// The draft is no longer on the device (discarded, maybe in another tab): nothing changed.
    DraftGone,
    /// These photos the record names have no bytes on the device: nothing changed.
    MissingPhotos(Vec<String>),
}

/// Submits a draft in one transaction over drafts, outbox and photos: reads first, then
/// deletes the draft `key` and puts `entry` in the outbox under `key` — only when the outbox
/// does not hold `key` yet, the draft is still there and every photo in `photos` has its
/// bytes on the device.
pub async fn move_to_outbox<T: Serialize>(
    key: &str,
    entry: &T,
    photos: &[String],
) -> Result<Moved, StoreError> {
    let entry = serde_json::to_string(entry).unwrap_or_default();
    let tx = Tx::open(&[Store::Drafts, Store::Outbox, Store::Photos], true).await?;
    let (drafts, outbox) = (tx.store(Store::Drafts)?, tx.store(Store::Outbox)?);
    let draft = drafts.get_key(key_query(key))?.await?;
    if let Some(stored) = outbox.get(key_query(key))?.await? {
        if draft.is_some() {
            drafts.delete(key_query(key))?;
        }
        tx.commit().await?;
        return Ok(Moved::AlreadyThere(text(&stored)));
    }
    if draft.is_none() {
        tx.commit().await?;
        return Ok(Moved::DraftGone);
    }
    let bytes = tx.store(Store::Photos)?;
    let mut missing = Vec::new();
    for sha in photos {
        if bytes.get_key(key_query(sha))?.await?.is_none() {
            missing.push(sha.clone());
        }
    }
    if !missing.is_empty() {
        tx.commit().await?;
        return Ok(Moved::MissingPhotos(missing));
    }
    drafts.delete(key_query(key))?;
    outbox.put(&JsValue::from_str(&entry), Some(&JsValue::from_str(key)))?;
    tx.commit().await?;
    Ok(Moved::Done)
}

/// Deletes the draft `key`, and the bytes of those of `photos` that no other draft and no
/// outbox entry names any more (read in the same transaction, so records of other tabs and
/// entries that no longer parse count too).
pub async fn delete_draft(key: &str, photos: &[String]) -> Result<(), StoreError> {
    let tx = Tx::open(&[Store::Drafts, Store::Outbox, Store::Photos], true).await?;
    let drafts = tx.store(Store::Drafts)?;
    let keys = drafts.get_all_keys(None, None)?.await?;
    let values = drafts.get_all(None, None)?.await?;
    let mut named: Vec<String> = keys
        .iter()
        .zip(&values)
        .filter(|(k, _)| k.as_string().as_deref() != Some(key))
        .map(|(_, v)| text(v))
        .collect();
    let outbox = tx.store(Store::Outbox)?.get_all(None, None)?.await?;
    named.extend(outbox.iter().map(text));
    drafts.delete(key_query(key))?;
    let bytes = tx.store(Store::Photos)?;
    for sha in photos {
        if !named.iter().any(|json| json.contains(sha.as_str())) {
            bytes.delete(key_query(sha))?;
        }
    }
    tx.commit().await
}

/// What the device keeps once the server ended the session: the working set and the sync
/// state go (`meta`, `enclaves`), and so do the outbox entries `synced` (on the server
/// already) and the bytes of those of `photos` that no draft and no remaining outbox entry
/// names; drafts and records not on the server stay, with their photos. One transaction.
pub async fn forget_all_but_unsynced(
    synced: &[String],
    photos: &[String],
) -> Result<(), StoreError> {
    let stores = [
        Store::Meta,
        Store::Enclaves,
        Store::Drafts,
        Store::Outbox,
        Store::Photos,
    ];
    let tx = Tx::open(&stores, true).await?;
    tx.store(Store::Meta)?.clear()?;
    tx.store(Store::Enclaves)?.clear()?;
    let outbox = tx.store(Store::Outbox)?;
    for key in synced {
        outbox.delete(key_query(key))?;
    }
    let keys = outbox.get_all_keys(None, None)?.await?;
    let values = outbox.get_all(None, None)?.await?;
    let mut named: Vec<String> = keys
        .iter()
        .zip(&values)
        .filter(|(k, _)| !k.as_string().is_some_and(|k| synced.contains(&k)))
        .map(|(_, v)| text(v))
        .collect();
    named.extend(
        tx.store(Store::Drafts)?
            .get_all(None, None)?
            .await?
            .iter()
            .map(text),
    );
    let bytes = tx.store(Store::Photos)?;
    for sha in photos {
        if !named.iter().any(|json| json.contains(sha.as_str())) {
            bytes.delete(key_query(sha))?;
        }
    }
    tx.commit().await
}

/// The JSON value under `key`, if any (and readable).
pub async fn get<T: DeserializeOwned>(store: Store, key: &str) -> Result<Option<T>, StoreError> {
    let tx = Tx::open(&[store], false).await?;
    let value = tx.store(store)?.get(key_query(key))?.await?;
    Ok(value
        .and_then(|v| v.as_string())
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// Every JSON value of `store` (those that no longer parse are skipped: for data the server
/// gives again, such as the working set). Without their keys: reading 15,000 keys besides the
/// values took 70 ms of a cold start (BENCHMARKS.md).
pub async fn all<T: DeserializeOwned>(store: Store) -> Result<Vec<T>, StoreError> {
    let tx = Tx::open(&[store], false).await?;
    let values = tx.store(store)?.get_all(None, None)?.await?;
    Ok(values
        .iter()
        .filter_map(|value| value.as_string())
        .filter_map(|json| serde_json::from_str(&json).ok())
        .collect())
}

/// Every JSON value of `store` that parses, and every one that does not, as it is stored
/// (for what only the device has: drafts and the outbox).
pub async fn all_checked<T: DeserializeOwned>(
    store: Store,
) -> Result<(Vec<T>, Vec<Broken>), StoreError> {
    let tx = Tx::open(&[store], false).await?;
    let objects = tx.store(store)?;
    let keys = objects.get_all_keys(None, None)?.await?;
    let values = objects.get_all(None, None)?.await?;
    let (mut parsed, mut broken) = (Vec::new(), Vec::new());
    for (key, value) in keys.iter().zip(&values) {
        match value
            .as_string()
            .and_then(|json| serde_json::from_str(&json).ok())
        {
            Some(v) => parsed.push(v),
            None => broken.push(Broken {
                store,
                key: text(key),
                raw: text(value),
            }),
        }
    }
    Ok((parsed, broken))
}

/// The bytes under `key` in `store`.
pub async fn bytes(store: Store, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let tx = Tx::open(&[store], false).await?;
    let value = tx.store(store)?.get(key_query(key))?.await?;
    Ok(value.map(|v| js_sys::Uint8Array::new(&v).to_vec()))
}

/// Empties every store: the device forgets the working set, drafts, outbox and photos.
pub async fn purge() -> Result<(), StoreError> {
    write(Store::ALL.into_iter().map(Op::Clear).collect()).await
}
