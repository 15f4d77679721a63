//! The people in the data (target-group workers and supervisors of a maatwerkbedrijf): found by
//! name or staff number, and everything held about one of them, for an access request.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::{InspectionRow, PersonRow, RegistrationRow};
use crate::db::schema::{
    enclaves, inspections, organisations, people, registration_members, registrations,
};

#[diesel::declare_sql_function]
extern "SQL" {
    /// SQL `lower()`, on both databases.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A `LIKE` pattern that finds `text` anywhere, its own `%`, `_` and `\` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// People whose name or staff number contains `text` (case ignored), by name, at most
/// `limit`, each with the name of their maatwerkbedrijf.
pub fn search(
    conn: &mut DbConnection,
    text: &str,
    limit: i64,
) -> QueryResult<Vec<(PersonRow, String)>> {
    let pattern = contains_pattern(&text.to_lowercase());
    people::table
        .inner_join(organisations::table)
        .filter(
            lower(people::display_name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(people::company_reference).like(pattern).escape('\\')),
        )
        .order((people::display_name.asc(), people::id.asc()))
        .limit(limit)
        .select((PersonRow::as_select(), organisations::name))
        .load(conn)
}

/// One person with the name of their maatwerkbedrijf.
pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<(PersonRow, String)>> {
    people::table
        .inner_join(organisations::table)
        .filter(people::id.eq(id))
        .select((PersonRow::as_select(), organisations::name))
        .first(conn)
        .optional()
}

/// A registration a person appears in: the registration, their role in it, the site's name
/// and the host's name.
pub type Appearance = (RegistrationRow, String, String, String);

/// Every registration naming the person, oldest first.
pub fn registrations_of(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<Appearance>> {
    registration_members::table
        .inner_join(
            registrations::table.inner_join(enclaves::table.inner_join(organisations::table)),
        )
        .filter(registration_members::person_id.eq(id))
        .order((registrations::work_date.asc(), registrations::id.asc()))
        .select((
            RegistrationRow::as_select(),
            registration_members::role,
            enclaves::site_name,
            organisations::name,
        ))
        .load(conn)
}

/// The inspections whose record holds the person's id or name anywhere (the presence list,
/// findings, notes), oldest first; the caller reads each record to say where.
pub fn inspections_naming(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
) -> QueryResult<Vec<InspectionRow>> {
    let mut query = inspections::table
        .select(InspectionRow::as_select())
        .order((inspections::on_date.asc(), inspections::id.asc()))
        .into_boxed();
    query = if name.trim().is_empty() {
        query.filter(inspections::record.like(contains_pattern(id)).escape('\\'))
    } else {
        query.filter(
            inspections::record
                .like(contains_pattern(id))
                .escape('\\')
                .or(lower(inspections::record)
                    .like(contains_pattern(&name.to_lowercase()))
                    .escape('\\')),
        )
    };
    query.load(conn)
}
