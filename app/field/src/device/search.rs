//! Searching the working set on the device, as the inspector types.
//!
//! The word index ([`shared::search::WordIndex`], the one the server searches with) is built
//! once when the working set loads or changes, over the enclaves in the server's order (by
//! sort key, then id), with the server's folding of the same fields: a text search answers
//! with the same enclaves in the same order as the server, without reading every enclave.
//! Only the page asked for gets its checks computed.

use chrono::Utc;
use leptos::prelude::*;
use shared::dto::enclave::EnclaveSummary;
use shared::dto::field::FieldEnclave;
use shared::rules::geo::haversine_km;
use shared::search::{WordIndex, normalise, search_text, words};

use super::Device;
use app_core::api::SearchQuery;

/// Results per page, as the server gives them.
pub const PAGE: usize = 20;

/// The search index of a working set.
#[derive(Debug, Default)]
pub struct LocalIndex {
    /// Indexes into the working set, in the server's order: by sort key (host and site
    /// name, folded), then id.
    order: Vec<u32>,
    /// The search texts' words, by position in `order`.
    words: WordIndex,
}

impl LocalIndex {
    /// Indexes `enclaves`.
    pub fn build(enclaves: &[FieldEnclave]) -> Self {
        let mut keyed: Vec<(String, uuid::Uuid, u32)> = enclaves
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let s = &e.summary;
                let key = normalise(&format!("{} {}", s.host.name, s.site.name));
                (key, s.id, i as u32)
            })
            .collect();
        // A uuid orders as its lower-case text does, the server's id column.
        keyed.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let order: Vec<u32> = keyed.into_iter().map(|(_, _, i)| i).collect();
        let texts: Vec<String> = order
            .iter()
            .map(|i| {
                let s = &enclaves[*i as usize].summary;
                search_text(&[
                    &s.host.name,
                    &s.maatwerkbedrijf.name,
                    &s.site.name,
                    &s.site.street,
                    &s.site.postcode,
                    &s.site.municipality,
                    &s.activity,
                ])
            })
            .collect();
        Self {
            words: WordIndex::build(texts.iter().map(String::as_str)),
            order,
        }
    }
}

/// A page of results from the working set.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPage {
    pub items: Vec<EnclaveSummary>,
    /// Whether more results follow this page.
    pub more: bool,
}

impl Device {
    /// Whether search answers from the working set as the inspector types: the device holds
    /// this user's whole region (a chosen list would miss enclaves the server finds).
    pub fn searches_as_you_type(self) -> bool {
        self.field_meta().is_some_and(|m| m.region)
    }

    /// Searches the working set: text words must each start a word of the names, address
    /// or activity; an enterprise number matches host or maatwerkbedrijf, an establishment
    /// unit number the site; near is by distance. Gives the page of [`PAGE`] results from
    /// the `skip`th on, each with checks 1 and 2. `None` when the device holds no working
    /// set of this user.
    pub fn search_local(self, query: &SearchQuery, skip: usize) -> Option<LocalPage> {
        let rules = self.field_meta()?.rules;
        // Each result carries checks 1 and 2 for now, computed from the device's copy, as
        // the server's results do.
        let now = shared::rules::time::belgian_local(Utc::now());
        let summary = |e: &FieldEnclave| EnclaveSummary {
            checks: Some(e.checks(now.date(), now, &rules)),
            ..e.summary.clone()
        };
        let page = |found: &mut dyn Iterator<Item = &FieldEnclave>| {
            let mut items: Vec<EnclaveSummary> =
                found.skip(skip).take(PAGE + 1).map(summary).collect();
            let more = items.len() > PAGE;
            items.truncate(PAGE);
            LocalPage { items, more }
        };
        let index = self.index;
        Some(self.enclaves.with_value(|all| {
            index.with_value(|index| {
                let in_order = || index.order.iter().map(|i| &all[*i as usize]);
                match query {
                    SearchQuery::Text(text) => {
                        let wanted: Vec<String> =
                            words(&normalise(text)).map(str::to_owned).collect();
                        page(
                            &mut index
                                .words
                                .positions(&wanted, 0)
                                .filter_map(|p| index.order.get(p))
                                .map(|i| &all[*i as usize]),
                        )
                    }
                    SearchQuery::EnterpriseNumber(number) => {
                        let digits =
                            |n: &str| n.chars().filter(char::is_ascii_digit).collect::<String>();
                        let mut wanted = digits(number);
                        if wanted.len() == 9 {
                            wanted.insert(0, '0');
                        }
                        let is_wanted = |n: Option<&String>| {
                            n.is_some_and(|n| {
                                n.bytes().filter(u8::is_ascii_digit).eq(wanted.bytes())
                            })
                        };
                        // The establishment unit number an enclave page shows finds that site.
                        page(&mut in_order().filter(|e| {
                            let s = &e.summary;
                            is_wanted(s.host.enterprise_number.as_ref())
                                || is_wanted(s.maatwerkbedrijf.enterprise_number.as_ref())
                                || is_wanted(s.site.establishment_unit_number.as_ref())
                        }))
                    }
                    SearchQuery::Near {
                        lat,
                        lon,
                        radius_km,
                    } => {
                        let mut near: Vec<(f64, &FieldEnclave)> = all
                            .iter()
                            .map(|e| {
                                let s = &e.summary;
                                (haversine_km(*lat, *lon, s.latitude, s.longitude), e)
                            })
                            .filter(|(d, _)| *d <= f64::from(*radius_km))
                            .collect();
                        near.sort_by(|a, b| {
                            a.0.total_cmp(&b.0)
                                .then_with(|| a.1.summary.id.cmp(&b.1.summary.id))
                        });
                        let mut found = page(&mut near.iter().map(|(_, e)| *e));
                        for (item, (d, _)) in found.items.iter_mut().zip(near.iter().skip(skip)) {
                            item.distance_km = Some((d * 100.0).round() / 100.0);
                        }
                        found
                    }
                }
            })
        }))
    }
}
