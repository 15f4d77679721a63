//! Diesel table definitions, identical for SQLite and PostgreSQL (see `migrations/`).

diesel::table! {
    organisations (id) {
        id -> Text,
        kind -> Text,
        name -> Text,
        enterprise_number -> Nullable<Text>,
        street -> Text,
        postcode -> Text,
        municipality -> Text,
        nace_code -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    enclaves (id) {
        id -> Text,
        maatwerkbedrijf_id -> Text,
        host_id -> Text,
        site_name -> Text,
        street -> Text,
        postcode -> Text,
        municipality -> Text,
        province -> Text,
        latitude -> Double,
        longitude -> Double,
        establishment_unit_number -> Nullable<Text>,
        activity -> Text,
        status -> Text,
        search_text -> Text,
        sort_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        support_need -> Nullable<Text>,
    }
}

diesel::table! {
    contracts (id) {
        id -> Text,
        enclave_id -> Text,
        reference -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        notified_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        regime -> Text,
        status -> Text,
        rejection_reason -> Nullable<Text>,
        min_supervisors -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    people (id) {
        id -> Text,
        maatwerkbedrijf_id -> Text,
        display_name -> Text,
        company_reference -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        enclave_id -> Text,
        work_date -> Date,
        registered_at -> Timestamp,
        planned_start -> Time,
        created_at -> Timestamp,
    }
}

diesel::table! {
    registration_members (registration_id, person_id) {
        registration_id -> Text,
        person_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    /// The registered days of a person per year, enclave and role: counts the database keeps
    /// up to date as registration members are inserted and deleted (triggers, see
    /// `migrations/*/2026-12-06-200000_registered_people`). Rows with no days are deleted.
    registered_people (year, enclave_id, person_id, role) {
        year -> Integer,
        enclave_id -> Text,
        person_id -> Text,
        role -> Text,
        days -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        provinces -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        must_change_password -> Bool,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        client -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_username -> Nullable<Text>,
        client -> Text,
        action -> Text,
        outcome -> Text,
        object_type -> Nullable<Text>,
        object_id -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

// The yearly overview counts the days a person was registered in several enclaves of one
// maatwerkbedrijf.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    enclaves::maatwerkbedrijf_id,
    registration_members::person_id,
    registration_members::role,
    registrations::work_date,
);

diesel::joinable!(enclaves -> organisations (host_id));
diesel::joinable!(contracts -> enclaves (enclave_id));
diesel::joinable!(people -> organisations (maatwerkbedrijf_id));
diesel::joinable!(registrations -> enclaves (enclave_id));
diesel::joinable!(registration_members -> registrations (registration_id));
diesel::joinable!(registration_members -> people (person_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    enclaves,
    contracts,
    people,
    registrations,
    registration_members,
    users,
    sessions,
    refresh_tokens,
    audit_events,
    settings,
    inspections,
    amendments,
    changes,
    attachments,
);

diesel::table! {
    inspections (id) {
        id -> Text,
        enclave_id -> Text,
        inspector_id -> Text,
        province -> Text,
        on_date -> Date,
        measure -> Text,
        contract_filed -> Text,
        daily_registration -> Text,
        supervisor_present -> Text,
        version -> Integer,
        content_hash -> Text,
        record -> Text,
        review_state -> Text,
        started_at_device -> Timestamp,
        submitted_at_device -> Timestamp,
        received_at -> Timestamp,
        report_notified_on -> Nullable<Date>,
        workers_present -> Integer,
        supervisors_present -> Integer,
        unregistered -> Integer,
        follow_up_due -> Nullable<Date>,
        follows_id -> Nullable<Text>,
        remedied -> Nullable<Integer>,
        not_remedied -> Nullable<Integer>,
    }
}

diesel::table! {
    amendments (id) {
        id -> Text,
        inspection_id -> Text,
        author_id -> Text,
        base_version -> Integer,
        text -> Text,
        content_hash -> Text,
        written_at_device -> Timestamp,
        received_at -> Timestamp,
        measure -> Nullable<Text>,
        deadline -> Nullable<Date>,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        entity -> Text,
        entity_id -> Text,
        inspection_id -> Text,
        owner_id -> Text,
        deleted -> Bool,
        received_at -> Timestamp,
        enclave_id -> Nullable<Text>,
        province -> Nullable<Text>,
    }
}

diesel::joinable!(amendments -> inspections (inspection_id));

diesel::table! {
    attachments (sha256) {
        sha256 -> Text,
        content_type -> Text,
        bytes -> BigInt,
        uploader_id -> Text,
        stored_at -> Timestamp,
        named_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        inspection_id -> Text,
        reviewer_id -> Text,
        decision -> Text,
        comment -> Text,
        inspection_version -> Integer,
        decided_at -> Timestamp,
    }
}

diesel::joinable!(reviews -> inspections (inspection_id));

diesel::table! {
    login_attempts (id) {
        id -> Text,
        username -> Text,
        client -> Text,
        attempted_at -> Timestamp,
        outcome -> Text,
    }
}
