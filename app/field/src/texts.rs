//! The field app's interface texts: one key per text, Dutch and English side by side.
//! `{…}` marks a value filled in by the caller.

app_core::texts! {
    /// The texts only the field app shows (the texts both apps show are in
    /// [`app_core::i18n::Key`]).
    pub enum FieldKey {
        // The sync indicator, the logout warning and the sync badge
        SyncReadingDevice => ("… Toestel lezen", "… Reading device"),
        SyncAttention => ("⚠ {n} aandacht nodig", "⚠ {n} need attention"),
        SyncSending => ("↻ Verzenden…", "↻ Sending…"),
        SyncReturned => ("↩ {n} teruggestuurd", "↩ {n} returned"),
        SyncWaiting => ("● {n} te verzenden", "● {n} to send"),
        SyncAllSynced => ("✓ Alles verzonden", "✓ All synced"),
        LogoutUnsentWarning => (
            "Er staan nog {n} niet verzonden items op dit toestel (inspecties in opmaak of te verzenden). Afmelden wist niets: ze blijven bewaard tot ze verzonden zijn.",
            "There are still {n} unsent items on this device (inspections in progress or waiting to send). Logging out deletes nothing: they are kept until they are sent.",
        ),
        SyncFirst => ("Eerst synchroniseren", "Sync first"),
        LogoutKeepData => ("Toch afmelden, gegevens bewaren", "Log out, keep the data"),
        BadgeWaiting => ("wacht op verzending", "waiting to send"),
        BadgeSending => ("wordt verzonden", "sending"),
        BadgeSynced => ("✓ verzonden", "✓ synced"),
        BadgeNeedsAttention => ("⚠ aandacht nodig", "⚠ needs attention"),
        // Logging out
        LoggingOut => ("Afmelden…", "Logging out…"),
        ToDevice => ("Naar wat op dit toestel staat", "To what is on this device"),
        // Search
        FindEnclaves => ("Enclaves zoeken", "Find enclaves"),
        SearchLabel => (
            "Zoek een enclave op naam, gemeente of ondernemingsnummer",
            "Find an enclave by name, municipality or enterprise number",
        ),
        SearchPlaceholder => ("bv. Aalst of 0123.456.749", "e.g. Aalst or 0123.456.749"),
        SearchHint => (
            "Typ minstens 2 tekens, of zoek in de buurt.",
            "Type at least 2 characters, or search near you.",
        ),
        ByEnterpriseNumber => ("Zoeken op ondernemingsnummer", "Searching by enterprise number"),
        ByEstablishmentUnitNumber => (
            "Zoeken op vestigingseenheidsnummer",
            "Searching by establishment unit number",
        ),
        SearchedWorkingSet => (
            "Gezocht in de werkset op dit toestel.",
            "Searched the working set on this device.",
        ),
        NearMe => ("In de buurt", "Near me"),
        Locating => ("Locatie bepalen…", "Finding your location…"),
        NearTitle => ("Enclaves binnen {km} km", "Enclaves within {km} km"),
        GeoDenied => (
            "Locatie niet toegestaan. Sta locatie toe in de browser, of zoek op naam.",
            "Location not allowed. Allow location in the browser, or search by name.",
        ),
        GeoUnavailable => (
            "Je locatie kon niet bepaald worden. Zoek op naam.",
            "Your location could not be found. Search by name.",
        ),
        NoResults => ("Geen enclaves gevonden.", "No enclaves found."),
        StatusSuspended => ("Geschorst", "Suspended"),
        StatusEnded => ("Beëindigd", "Ended"),
        // The enclave page
        FromDevice => (
            "Gegevens van dit toestel, opgehaald op {time}.",
            "Data on this device, downloaded at {time}.",
        ),
        Retry => ("Opnieuw proberen", "Try again"),
        EstablishmentUnit => ("Vestigingseenheid", "Establishment unit"),
        SupportNeed => ("Ondersteuningsnood", "Support need"),
        SupportNeedLow => (
            "laag: 1 begeleider per {n} doelgroepwerknemers",
            "low: 1 supervisor per {n} target-group workers",
        ),
        SupportNeedMedium => (
            "gemiddeld: 1 begeleider per {n} doelgroepwerknemers",
            "medium: 1 supervisor per {n} target-group workers",
        ),
        SupportNeedHigh => (
            "hoog: 1 begeleider per {n} doelgroepwerknemers",
            "high: 1 supervisor per {n} target-group workers",
        ),
        SupportNeedUnknown => (
            "niet geregistreerd: de mildste norm geldt, 1 begeleider per {n} doelgroepwerknemers",
            "not recorded: the most lenient norm applies, 1 supervisor per {n} target-group workers",
        ),
        Address => ("Adres", "Address"),
        ChecksFor => ("Controle voor {date} om {time}", "Checks for {date} at {time}"),
        RegistrationFor => ("Registratie voor {date}", "Registration for {date}"),
        NoRegistration => ("Geen registratie voor deze dag.", "No registration for this day."),
        PlannedStart => ("Geplande start", "Planned start"),
        RegisteredAt => ("Geregistreerd op", "Registered at"),
        TeamMembers => ("Teamleden", "Team members"),
        NobodyRegistered => ("Niemand geregistreerd.", "Nobody registered."),
        NoContracts => ("Geen contracten in het register.", "No contracts in the register."),
        OpenEnded => ("onbepaalde duur", "open-ended"),
        NotifiedAt => ("Gemeld op", "Notified at"),
        ApprovedAt => ("Goedgekeurd op", "Approved at"),
        Regime => ("Regime", "Regime"),
        RegimeApproval => ("Goedkeuring", "Approval"),
        RegimeNotification => ("Melding", "Notification"),
        MinSupervisors => ("Min. begeleiders", "Min. supervisors"),
        ContinueInspection => ("Verder met inspectie van {time}", "Continue inspection of {time}"),
        StartInspection => ("Inspectie starten", "Start inspection"),
        StartFollowUp => ("Opvolging starten", "Start follow-up"),
        Print => ("Afdrukken", "Print"),
        CaseFile => ("Dossier", "Case file"),
        CaseFileOffline => (
            "Het dossier is alleen online te lezen.",
            "The case file can only be read online.",
        ),
        CaseFileEmpty => ("Nog niets in het dossier.", "Nothing in the case file yet."),
        Maatwerkbedrijf => ("Maatwerkbedrijf", "Maatwerkbedrijf"),
        MainActivityQuestion => (
            "Doen de doelgroepwerknemers de hoofdactiviteit van de gastorganisatie, hetzelfde werk als in het maatwerkbedrijf?",
            "Do the target-group workers do the host's main activity, the same work as in the maatwerkbedrijf?",
        ),
        HostNace => ("Hoofdactiviteit gastorganisatie (NACE)", "Host's main activity (NACE)"),
        EnclaveActivity => ("Activiteit van de enclave", "The enclave's activity"),
        NotInRegister => ("niet in het register", "not in the register"),
        MainActivityUnanswered => (
            "Vraag niet beantwoord: of de doelgroepwerknemers de hoofdactiviteit van de gastorganisatie doen.",
            "Question not answered: whether the target-group workers do the host's main activity.",
        ),
        FollowUpOf => (
            "Opvolging van de {measure} van {date}, termijn {due}",
            "Follow-up of the {measure} of {date}, deadline {due}",
        ),
        StepFollowUp => ("Opvolging", "Follow-up"),
        FollowUpQuestion => (
            "Zeg van elke tekortkoming van de vorige inspectie of ze verholpen is.",
            "Say of every shortcoming of the earlier inspection whether it was remedied.",
        ),
        Remedied => ("Verholpen", "Remedied"),
        NotRemedied => ("Niet verholpen", "Not remedied"),
        RemedyUnanswered => (
            "Zeg van elke tekortkoming of ze verholpen is ({n} onbeantwoord).",
            "Say of every shortcoming whether it was remedied ({n} unanswered).",
        ),
        // The device page
        DeviceTitle => ("Toestel en synchronisatie", "Device and sync"),
        SyncHeading => ("Synchronisatie", "Sync"),
        EverythingSynced => ("Alles is verzonden.", "Everything is synced."),
        PendingAndAttention => (
            "{p} wachten op verzending, {a} hebben aandacht nodig.",
            "{p} waiting to send, {a} need attention.",
        ),
        LastSynced => ("Laatst gesynchroniseerd:", "Last synced:"),
        OfflineWithData => (
            "Geen verbinding met de server. Op dit toestel staan {n} enclaves, bijgewerkt {time}: zoeken en inspecteren werkt; alles wordt verzonden zodra de server bereikbaar is.",
            "Cannot reach the server. This device holds {n} enclaves, updated {time}: search and inspections work; everything is sent once the server can be reached.",
        ),
        ThousandsSeparator => (".", ","),
        OfflineWithoutData => (
            "Geen verbinding met de server, en nog geen gegevens op dit toestel.",
            "Cannot reach the server, and no data on this device yet.",
        ),
        StoringFailed => ("Opslag op dit toestel mislukt: ", "Storing on this device failed: "),
        SyncNow => ("Nu synchroniseren", "Sync now"),
        EnclavesOnDevice => ("Enclaves op dit toestel", "Enclaves on this device"),
        Registrations => ("Registraties", "Registrations"),
        Downloaded => ("Opgehaald", "Downloaded"),
        NoDataOnDevice => (
            "Er staan nog geen gegevens op dit toestel. Bereid je voor op het terrein terwijl je online bent.",
            "There is no data on this device yet. Prepare for the field while you are online.",
        ),
        Downloading => ("Bezig met ophalen…", "Downloading…"),
        DownloadRegion => ("Gegevens van mijn regio ophalen", "Download my region's data"),
        NeedsAttention => ("Aandacht nodig", "Needs attention"),
        DraftsHeading => ("Inspecties in opmaak", "Inspections in progress"),
        OutboxHeading => ("Verzonden en te verzenden", "Sent and to send"),
        OtherUsersUnsent => (
            "{n} niet verzonden items van een andere gebruiker staan op dit toestel; ze worden verzonden wanneer die zich opnieuw aanmeldt.",
            "{n} unsent items of another user are on this device; they are sent when that user signs in again.",
        ),
        Inspection => ("Inspectie", "Inspection"),
        Amendment => ("Rechtzetting", "Amendment"),
        ReturnedMark => ("teruggestuurd", "returned"),
        NotAccepted => (
            "De server heeft dit item niet aanvaard.",
            "The server did not accept this record.",
        ),
        RebaseAndSend => (
            "Aanpassen aan de versie op de server en opnieuw verzenden",
            "Rebase on the server's version and send again",
        ),
        UnreadableItem => (
            "Deze versie van de app kan dit item niet meer lezen. Het blijft op dit toestel bewaard; bewaar het als bestand en bezorg het aan de beheerder.",
            "This version of the app can no longer read this item. It stays on this device; save it as a file and send it to the administrator.",
        ),
        BrokenDraft => ("Inspectie in opmaak", "Inspection in progress"),
        BrokenRecord => ("Te verzenden item", "Record to send"),
        SaveAsFile => ("Bewaren als bestand", "Save as file"),
        FileNotMade => (
            "Deze browser kon het bestand niet aanmaken.",
            "This browser could not make the file.",
        ),
        // Problems the device keeps with a record it could not send
        PhotoMissing => (
            "De foto {photo}… ontbreekt op dit toestel, en de server heeft ze niet.",
            "The photo {photo}… is missing on this device, and the server does not have it.",
        ),
        PhotoNotRead => (
            "De foto {photo}… kon op dit toestel niet gelezen worden: {error}",
            "The photo {photo}… could not be read on this device: {error}",
        ),
        // The inspection form
        InspectionNotOnDevice => (
            "Deze inspectie staat niet op dit toestel.",
            "This inspection is not on this device.",
        ),
        BackToDevice => ("← Toestel en sync", "← Device and sync"),
        SavedOnDevice => ("✓ Bewaard op dit toestel", "✓ Saved on this device"),
        Saving => ("Bewaren…", "Saving…"),
        StepContract => ("1. Contract en registratie", "1. Contract and registration"),
        StepPresent => ("2. Wie is aanwezig?", "2. Who is present?"),
        StepInstructions => ("3. Wie geeft de instructies?", "3. Who gives the instructions?"),
        StepFindings => ("4. Vaststellingen", "4. Findings"),
        StepConclusion => ("5. Conclusie", "5. Conclusion"),
        Submitting => ("Indienen…", "Submitting…"),
        Submit => ("Indienen", "Submit"),
        Discard => ("Weggooien", "Discard"),
        DiscardQuestion => (
            "Deze inspectie weggooien? Dit kan niet ongedaan worden.",
            "Discard this inspection? This cannot be undone.",
        ),
        SubmitStoringFailed => (
            "Indienen mislukt: de opslag op dit toestel faalde ({error}).",
            "Submitting failed: storing on this device failed ({error}).",
        ),
        FindingPhotoMissing => (
            "Foto {photo}… bij vaststelling „{finding}” ontbreekt op dit toestel. Verwijder ze en neem ze opnieuw.",
            "Photo {photo}… of finding “{finding}” is missing on this device. Remove it and take it again.",
        ),
        ConfirmOrOverride => ("Bevestig {check} of wijk ervan af.", "Confirm or override {check}."),
        CheckOneName => ("controle 1 (enclavecontract)", "check 1 (contract filed)"),
        CheckTwoName => ("controle 2 (dagelijkse registratie)", "check 2 (daily registration)"),
        CheckThreeName => ("controle 3 (aanwezigheid begeleider)", "check 3 (supervisor present)"),
        // The inspection form: checks 1 and 2
        ConfirmCheck => ("✓ Bevestigen", "✓ Confirm"),
        InOrderAfterAll => ("Toch in orde", "In order after all"),
        NotInOrderAfterAll => ("Toch niet in orde", "Not in order after all"),
        OverrideNote => ("Nota (verplicht bij afwijken)", "Note (required when overriding)"),
        // The inspection form: who is present
        TickPresent => ("Vink aan wie je ter plaatse ziet.", "Tick everyone you see on site."),
        RegisteredElsewhere => (
            "ook elders geregistreerd vandaag",
            "also registered elsewhere today",
        ),
        WorkingNotRegistered => (
            "Niet geregistreerd, wel aan het werk",
            "Working but not registered",
        ),
        UnregisteredNameLabel => (
            "Naam van wie niet geregistreerd is",
            "Name of the person not registered",
        ),
        NameAsGiven => ("Naam zoals opgegeven", "Name as given"),
        StatedRoleLabel => ("Rol die de persoon opgeeft", "Role the person states"),
        AddPerson => ("Toevoegen", "Add"),
        RemovePerson => ("Verwijderen", "Remove"),
        RemovePersonLabel => ("Verwijderen:", "Remove:"),
        NotRegisteredNotCounted => (
            "niet geregistreerd (telt niet mee)",
            "not registered (not counted)",
        ),
        // The inspection form: instructions
        InstructionsFromWhom => (
            "Van wie krijgen de werknemers hun instructies?",
            "From whom do the workers take instructions?",
        ),
        GiverSupervisor => ("Alleen de begeleider", "Only the supervisor"),
        GiverHostStaff => ("Personeel van het gastbedrijf", "Host staff"),
        GiverBoth => ("Allebei", "Both"),
        GiverUnclear => ("Niet vast te stellen", "Cannot be established"),
        HostAssignsTasksQuestion => (
            "Verdeelt of controleert het gastbedrijf zelf taken van de werknemers?",
            "Does the host assign or check the workers' tasks itself?",
        ),
        SupervisorWholeShiftQuestion => (
            "Is de begeleider de hele shift aanwezig?",
            "Is the supervisor present for the whole shift?",
        ),
        Yes => ("Ja", "Yes"),
        No => ("Nee", "No"),
        // The inspection form: findings
        WhatDoYouFind => ("Wat stel je vast?", "What do you find?"),
        BelongsTo => ("Hoort bij", "Belongs to"),
        Category => ("Categorie", "Category"),
        Severity => ("Ernst", "Severity"),
        ChooseOption => ("— kies —", "— choose —"),
        SeverityLow => ("Laag", "Low"),
        SeverityMedium => ("Middel", "Medium"),
        SeverityHigh => ("Hoog", "High"),
        AddFinding => ("Vaststelling toevoegen", "Add finding"),
        RemoveFinding => ("Vaststelling verwijderen", "Remove finding"),
        AddPhoto => ("Foto toevoegen", "Add photo"),
        RemovePhoto => ("✕ Foto {n} verwijderen", "✕ Remove photo {n}"),
        ProcessingPhoto => ("Foto verwerken…", "Processing photo…"),
        PhotoUnreadable => ("Deze foto kon niet gelezen worden.", "This photo could not be read."),
        PhotoDeviceFull => (
            "De foto kon niet bewaard worden: het toestel is vol.",
            "The photo could not be saved: the device storage is full.",
        ),
        PhotoNotSaved => (
            "De foto kon niet bewaard worden op dit toestel: {error}",
            "The photo could not be saved on this device: {error}",
        ),
        // The inspection form: conclusion
        MeasureAdvice => ("Informatie en advies", "Information and advice"),
        MeasureWarning => ("Waarschuwing met termijn", "Warning with a deadline"),
        MeasureRegularisationOrder => ("Bevel tot regularisatie", "Regularisation order"),
        MeasureReportProposed => (
            "Proces-verbaal voorstellen",
            "Propose a report (proces-verbaal)",
        ),
        Deadline => ("Termijn", "Deadline"),
        MotivationRequired => ("Motivering (verplicht)", "Motivation (required)"),
        // A submitted inspection and its amendments
        Submitted => ("ingediend", "submitted"),
        ReviewReturned => (
            "Teruggestuurd door de reviewer. Antwoord met een rechtzetting hieronder.",
            "Returned by the reviewer. Answer with an amendment below.",
        ),
        ReviewApproved => ("✓ Goedgekeurd door de reviewer.", "✓ Approved by the reviewer."),
        ReviewWaiting => ("Wacht op review.", "Waiting for review."),
        SendingAmendments => ("Verzending van rechtzettingen", "Sending amendments"),
        AddAnAmendment => ("Rechtzetting toevoegen", "Add an amendment"),
        AmendmentLegend => (
            "Rechtzetting (de oorspronkelijke inspectie blijft bewaard)",
            "Amendment (the original inspection is kept)",
        ),
        CorrectMeasure => ("Maatregel rechtzetten (optioneel)", "Correct the measure (optional)"),
        UnchangedOption => ("— ongewijzigd —", "— unchanged —"),
        CorrectDeadline => ("Termijn rechtzetten (optioneel)", "Correct the deadline (optional)"),
        AddAmendment => ("Rechtzetting toevoegen", "Add amendment"),
        WriteCorrection => (
            "Schrijf wat je rechtzet en waarom.",
            "Write what you correct and why.",
        ),
        AmendmentNotSaved => (
            "De rechtzetting kon niet bewaard worden op dit toestel: {error}",
            "The amendment could not be saved on this device: {error}",
        ),
        // The planning
        PlanningIntro => (
            "De enclaves om eerst te bezoeken, met waarom. Kies de bezoeken van vandaag: ze worden een route en komen op dit toestel, zodat ze ook zonder netwerk werken.",
            "The enclaves to visit first, with why. Pick today's visits: they become a route and go on this device, so they work without a network too.",
        ),
        ToInspectFirst => ("Eerst te bezoeken", "To visit first"),
        RankedOn => ("Rangschikking van {date}", "Ranking of {date}"),
        RankedOnDevice => (
            "Geen verbinding: gerangschikt op dit toestel, met dezelfde regel, uit de gegevens van {date}.",
            "No connection: ranked on this device, with the same rule, from the data of {date}.",
        ),
        NothingToPlan => ("Geen enclaves om te plannen.", "No enclaves to plan."),
        PlanningData => ("Planningsgegevens", "Planning data"),
        PlanningDataNextSync => (
            "nog niet: ze komen mee bij de volgende synchronisatie",
            "not yet: they come with the next sync",
        ),
        NoPlanningFacts => (
            "Geen verbinding, en dit toestel heeft geen planningsgegevens bij de werkset: ze komen mee bij de volgende synchronisatie.",
            "No connection, and this device holds no planning data with its working set: they come with the next sync.",
        ),
        Points => ("{n} punten", "{n} points"),
        RouteOfTheDay => ("Route van vandaag", "Today's route"),
        RouteFromHere => ("Vertrek vanaf je positie.", "Starting from your position."),
        RouteFromFirst => (
            "Vertrek bij het eerst gekozen bezoek.",
            "Starting at the first visit picked.",
        ),
        RouteGeoDenied => ("Locatie niet toegestaan.", "Location not allowed."),
        RouteGeoUnavailable => ("Je locatie kon niet bepaald worden.", "Your location could not be found."),
        StartHere => ("Vertrek vanaf mijn positie", "Start from my position"),
        KeepRoute => ("Op dit toestel zetten", "Put on this device"),
        RouteKept => (
            "{n} bezoeken staan op dit toestel, in deze volgorde.",
            "{n} visits are on this device, in this order.",
        ),
        RouteNotKept => (
            "De bezoeken konden niet op dit toestel gezet worden. Probeer opnieuw met netwerk.",
            "The visits could not be put on this device. Try again with a network.",
        ),
        RouteLength => ("Samen {km} km in vogelvlucht.", "{km} km in all, as the crow flies."),
        RouteKeptOn => ("Geplande route van {date}", "Planned route of {date}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_texts_with_the_same_placeholders() {
        assert_eq!(
            app_core::i18n::table_problems(FieldKey::ALL),
            Vec::<String>::new()
        );
    }
}
