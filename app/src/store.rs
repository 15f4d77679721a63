//! The device store: IndexedDB (through the `idb` crate), where everything the app must keep
//! across reloads, power loss and offline restarts lives.
//!
//! | store      | key            | value                                             |
//! |------------|----------------|---------------------------------------------------|
//! | `meta`     | name           | JSON: working-set facts, the pull cursor          |
//! | `enclaves` | enclave id     | JSON [`FieldEnclave`](shared::dto::field::FieldEnclave) |
//! | `drafts`   | inspection id  | JSON [`Draft`](crate::draft::Draft)               |
//! | `outbox`   | record id      | JSON [`OutboxEntry`](crate::sync::OutboxEntry)    |
//! | `photos`   | SHA-256 (hex)  | the photo's bytes (`Uint8Array`)                  |
//!
//! Values are JSON strings rather than structured clones: the same serde types as on the
//! wire, and no second (de)serialiser in the bundle. Writes that belong together go in one
//! transaction ([`write`]): a submitted inspection leaves the drafts and enters the outbox
//! at once, or not at all.

use std::cell::RefCell;
use std::rc::Rc;

use idb::{
    Database, DatabaseEvent, Factory, ObjectStoreParams, Query, TransactionMode, TransactionResult,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

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

    fn name(self) -> &'static str {
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

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        Self(e.to_string())
    }
}

/// One change of a [`write`].
pub enum Op {
    /// Stores `value` (JSON) under `key`.
    Put(Store, String, String),
    /// Stores bytes under `key`.
    PutBytes(Store, String, Vec<u8>),
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
}

thread_local! {
    static DB: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

/// The open database, opened (and created or upgraded) on first use.
async fn db() -> Result<Rc<Database>, StoreError> {
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
    let db = Rc::new(request.await?);
    DB.with(|d| *d.borrow_mut() = Some(Rc::clone(&db)));
    Ok(db)
}

/// Applies `ops` in one transaction: all of them, or none.
pub async fn write(ops: Vec<Op>) -> Result<(), StoreError> {
    if ops.is_empty() {
        return Ok(());
    }
    let db = db().await?;
    let mut names: Vec<&str> = ops.iter().map(|op| op.store().name()).collect();
    names.sort_unstable();
    names.dedup();
    let tx = db.transaction(&names, TransactionMode::ReadWrite)?;
    for op in ops {
        let store = tx.object_store(op.store().name())?;
        match op {
            Op::Put(_, key, json) => {
                store.put(&JsValue::from_str(&json), Some(&JsValue::from_str(&key)))?;
            }
            Op::PutBytes(_, key, bytes) => {
                let value: JsValue = js_sys::Uint8Array::from(bytes.as_slice()).into();
                store.put(&value, Some(&JsValue::from_str(&key)))?;
            }
            Op::Delete(_, key) => {
                store.delete(Query::from(JsValue::from_str(&key)))?;
            }
            Op::Clear(_) => {
                store.clear()?;
            }
        }
    }
    match tx.commit()?.await? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(StoreError("transaction aborted".to_owned())),
    }
}

/// The JSON value under `key`, if any (and readable).
pub async fn get<T: DeserializeOwned>(store: Store, key: &str) -> Result<Option<T>, StoreError> {
    let db = db().await?;
    let tx = db.transaction(&[store.name()], TransactionMode::ReadOnly)?;
    let value = tx
        .object_store(store.name())?
        .get(Query::from(JsValue::from_str(key)))?
        .await?;
    Ok(value
        .and_then(|v| v.as_string())
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// Every JSON value of `store` (those that no longer parse are skipped).
pub async fn all<T: DeserializeOwned>(store: Store) -> Result<Vec<T>, StoreError> {
    let db = db().await?;
    let tx = db.transaction(&[store.name()], TransactionMode::ReadOnly)?;
    let values = tx.object_store(store.name())?.get_all(None, None)?.await?;
    Ok(values
        .into_iter()
        .filter_map(|v| v.as_string())
        .filter_map(|json| serde_json::from_str(&json).ok())
        .collect())
}

/// The bytes under `key` in `store`.
pub async fn bytes(store: Store, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let db = db().await?;
    let tx = db.transaction(&[store.name()], TransactionMode::ReadOnly)?;
    let value = tx
        .object_store(store.name())?
        .get(Query::from(JsValue::from_str(key)))?
        .await?;
    Ok(value.map(|v| js_sys::Uint8Array::new(&v).to_vec()))
}

/// Empties every store: the device forgets the working set, drafts, outbox and photos.
pub async fn purge() -> Result<(), StoreError> {
    write(Store::ALL.into_iter().map(Op::Clear).collect()).await
}
