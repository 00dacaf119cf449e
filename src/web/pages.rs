//! The desk's pages, rendered on the server. maud escapes every value it
//! writes, so nothing from a file (its name, its fields, a signer's name)
//! can become HTML; nothing here writes unescaped text.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

use super::render::{Note, Pictures};
use super::{Desk, Kept};
use crate::i18n::{self, t, Lang};
use crate::ledger::Entry;
use crate::online::{self, Confirmation, OFFICIAL_CHECK_URL};
use crate::report::human::common_name;
use crate::report::{Fields, Record, Severity, SignatureReport, SigningTimeSource};
use crate::verdict::Verdict;

/// The frame of every page: the header with the way around, the CSRF
/// token for the script, and the language links.
fn layout(lang: Lang, csrf: Option<&str>, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(csrf) = csrf {
                    meta name="csrf-token" content=(csrf);
                }
                title { (title) " · " (t(lang, "ui.app_name")) }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { (t(lang, "ui.app_name")) }
                    nav {
                        a href="/" { (t(lang, "ui.nav_check")) }
                        a href="/ledger" { (t(lang, "ui.nav_ledger")) }
                    }
                    span.langs {
                        a href="?lang=zh" lang="zh-CN" { "中文" }
                        " · "
                        a href="?lang=en" lang="en" { "English" }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page that only says one thing (a refusal, a file no longer kept).
pub fn message_page(lang: Lang, status: StatusCode, key: &str) -> Markup {
    layout(
        lang,
        None,
        t(lang, key),
        html! {
            h1 { (t(lang, key)) }
            p.muted { "HTTP " (status.as_u16()) }
            p { a href="/" { (t(lang, "ui.back_to_drop")) } }
        },
    )
}

/// A page for an error with a specific message.
pub fn error_page(lang: Lang, message: &str) -> Markup {
    layout(
        lang,
        None,
        t(lang, "ui.error"),
        html! {
            h1 { (t(lang, "ui.error")) }
            p { (message) }
        },
    )
}

/// The CSS class of a verdict's colour.
fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Authentic => "v-authentic",
        Verdict::Unsigned => "v-unsigned",
        Verdict::Malformed | Verdict::InputError => "v-malformed",
        Verdict::Altered | Verdict::Invalid | Verdict::Untrusted => "v-bad",
    }
}

fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{} MiB", n / (1024 * 1024))
    } else {
        format!("{} KiB", n / 1024)
    }
}

/// The drop page: drop one file or a hundred, a row per file as it is
/// checked, a progress bar over the batch.
pub fn drop_page(lang: Lang, desk: &Desk) -> Markup {
    let limits = &desk.config.limits;
    let body = html! {
        h1 { (t(lang, "ui.drop_title")) }
        p { (t(lang, "ui.drop_intro")) }
        div #drop .dropzone tabindex="0" {
            p.big { (t(lang, "ui.drop_here")) }
            label.button {
                (t(lang, "ui.choose_files"))
                input #picker type="file" multiple accept=".pdf,application/pdf";
            }
            p.muted {
                (t(lang, "ui.limits")) " "
                (limits.max_files_per_batch) " / " (human_bytes(limits.max_file_bytes))
            }
        }
        div #progress hidden {
            progress #bar value="0" max="1" {}
            span #progress-text {}
        }
        p #batch-error .error hidden {}
        table #rows
            data-done=(t(lang, "ui.progress_done"))
            data-failed=(t(lang, "ui.upload_failed"))
            data-open=(t(lang, "ui.open_file"))
        {
            thead {
                tr {
                    th { (t(lang, "ui.col_verdict")) }
                    th { (t(lang, "ui.col_file")) }
                    th { (t(lang, "field.name")) }
                    th { (t(lang, "field.management_number")) }
                    th { (t(lang, "field.qualification")) }
                    th { (t(lang, "ui.col_next")) }
                }
            }
            tbody {}
        }
        p.muted { (t(lang, "ui.privacy_note")) }
    };
    layout(lang, Some(&desk.csrf), t(lang, "ui.drop_title"), body)
}

/// The other language, shown alongside where it helps (a Chinese page
/// shows the English sentence under each reason, and the other way round).
fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    }
}

/// The reasons a person must read (warnings and worse), each once.
fn reasons_to_read(record: &Record) -> Vec<&crate::report::Reason> {
    let mut seen = std::collections::HashSet::new();
    record
        .reasons
        .iter()
        .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()))
        .filter(|r| r.severity() >= Severity::Warning)
        .filter(|r| seen.insert(r.message.as_str()))
        .collect()
}

fn verdict_banner(lang: Lang, record: &Record) -> Markup {
    html! {
        div class={ "banner " (verdict_class(record.verdict)) } {
            span.word { (i18n::verdict_word(lang, record.verdict)) }
            span.headline { (i18n::verdict_headline(lang, record.verdict)) }
        }
    }
}

fn reasons_list(lang: Lang, record: &Record) -> Markup {
    let reasons = reasons_to_read(record);
    html! {
        @if reasons.is_empty() {
            p.muted { (t(lang, "ui.no_reasons")) }
        } @else {
            ul.reasons {
                @for r in reasons {
                    li {
                        (i18n::reason_message(lang, r))
                        br;
                        span.alt lang=(other(lang).tag()) { (i18n::reason_message(other(lang), r)) }
                    }
                }
            }
        }
    }
}

fn fields_table(lang: Lang, fields: &Fields) -> Markup {
    html! {
        table.fields {
            @for (name, value) in fields.named() {
                @if let Some(v) = value {
                    tr {
                        th { (i18n::field_label(lang, name)) }
                        td data-field=(name) {
                            (v)
                            @if name == "id_number" && fields.id_number_valid == Some(false) {
                                " " span.warn { (t(lang, "ui.check_digit_wrong")) }
                            }
                        }
                    }
                }
            }
            @if fields.query_result_label {
                tr { th { (i18n::field_label(lang, "query_result_label")) } td { (t(lang, "ui.yes")) } }
            }
        }
    }
}

/// For an altered file: what was signed and what is shown, side by side.
fn side_by_side(lang: Lang, signed: &Fields, shown: Option<&Fields>) -> Markup {
    let shown_named = shown.map(|f| f.named());
    html! {
        table #side-by-side .compare {
            thead {
                tr {
                    th { (t(lang, "ui.col_field")) }
                    th { (t(lang, "ui.col_signed")) }
                    th { (t(lang, "ui.col_shown")) }
                }
            }
            tbody {
                @for (i, (name, signed_value)) in signed.named().into_iter().enumerate() {
                    @let shown_value = shown_named.as_ref().and_then(|n| n.get(i)).and_then(|(_, v)| *v);
                    @if signed_value.is_some() || shown_value.is_some() {
                        tr class=(if signed_value == shown_value { "same" } else { "differs" }) data-field=(name) {
                            th { (i18n::field_label(lang, name)) }
                            td.signed { (signed_value.unwrap_or("—")) }
                            td.shown { (shown_value.unwrap_or("—")) }
                        }
                    }
                }
            }
        }
    }
}

/// The changes after signing that are not benign, by page.
fn changes_by_page(lang: Lang, record: &Record) -> Markup {
    let mut by_page: BTreeMap<Option<usize>, Vec<&crate::report::Change>> = BTreeMap::new();
    for c in record.changes_after_signing.iter().filter(|c| !c.benign) {
        by_page.entry(c.page).or_default().push(c);
    }
    html! {
        @if by_page.is_empty() {
            p.muted { (t(lang, "ui.no_changes")) }
        }
        @for (page, changes) in &by_page {
            h3 {
                @match page {
                    Some(p) => { (t(lang, "ui.page_n").replace("{n}", &p.to_string())) }
                    None => { (t(lang, "ui.whole_document")) }
                }
            }
            ul.changes {
                @for c in changes {
                    li {
                        (i18n::lookup(lang, "change", &c.kind).unwrap_or(&c.description))
                        " " span.muted { "(" (t(lang, "ui.revision")) " " (c.revision) ")" }
                        br;
                        span.alt lang="en" { (c.description) }
                    }
                }
            }
        }
    }
}

fn page_pictures(lang: Lang, kept: &Kept, pictures: &Pictures) -> Markup {
    let base = format!("/files/{}/page1", kept.id);
    html! {
        @match pictures.note {
            Some(Note::NoRenderer) => { p.note #no-renderer { (t(lang, "ui.no_renderer")) } }
            Some(Note::RenderFailed) => { p.note { (t(lang, "ui.render_failed")) } }
            None => {}
        }
        div.pictures {
            @if pictures.signed.is_some() {
                figure {
                    img src={ (base) "/signed.png" } alt=(t(lang, "ui.page1_signed"));
                    figcaption { (t(lang, "ui.page1_signed")) }
                }
            }
            @if pictures.shown.is_some() {
                figure {
                    @if pictures.marked.is_some() {
                        img src={ (base) "/marked.png" } alt=(t(lang, "ui.page1_shown"));
                        figcaption { (t(lang, "ui.page1_shown")) " — " (t(lang, "ui.areas_marked")) " " (pictures.marked_areas) }
                    } @else {
                        img src={ (base) "/shown.png" } alt=(t(lang, "ui.page1_shown"));
                        figcaption {
                            (t(lang, "ui.page1_shown"))
                            @if pictures.signed.is_none() { " " span.muted { (t(lang, "ui.same_as_signed_or_unsigned")) } }
                        }
                    }
                }
            }
        }
    }
}

fn seals(lang: Lang, kept: &Kept) -> Markup {
    let record = &kept.record;
    html! {
        @if record.signatures.is_empty() {
            p.muted { (t(lang, "ui.no_seal")) }
        }
        @for (i, sig) in record.signatures.iter().enumerate() {
            div.seal {
                @if sig.seal.as_ref().is_some_and(|s| s.picture_type.is_some()) {
                    img.seal-picture src={ "/files/" (kept.id) "/seal/" (i) } alt=(t(lang, "ui.seal_picture"));
                }
                table.fields {
                    tr { th { (t(lang, "ui.signature")) } td { (sig.field) " " span class={ "pill " (verdict_class(sig.verdict)) } { (i18n::verdict_word(lang, sig.verdict)) } } }
                    (seal_rows(lang, sig))
                }
                @if sig.seal.as_ref().is_some_and(|s| s.picture_type.is_none()) || sig.seal.is_none() {
                    p.muted { (t(lang, "ui.seal_picture_on_page")) }
                }
            }
        }
    }
}

fn seal_rows(lang: Lang, sig: &SignatureReport) -> Markup {
    let owner = sig
        .seal
        .as_ref()
        .and_then(|s| s.name.as_deref())
        .or(sig.signer.as_ref().map(|s| common_name(&s.subject)));
    html! {
        @if let Some(owner) = owner {
            tr { th { (t(lang, "ui.seal_owner")) } td { (owner) } }
        }
        @if let Some(signer) = &sig.signer {
            tr { th { (t(lang, "ui.certificate_issuer")) } td { (common_name(&signer.issuer)) } }
        }
        tr {
            th { (t(lang, "ui.known_issuer")) }
            td {
                @match &sig.trusted_issuer {
                    Some(issuer) => { (issuer) }
                    None => { span.warn { (t(lang, "ui.not_a_known_issuer")) } }
                }
            }
        }
        tr {
            th { (t(lang, "ui.signing_time")) }
            td {
                (sig.signing_time.as_deref().unwrap_or("—"))
                @if let Some(source) = sig.signing_time_source.map(SigningTimeSource::as_str) {
                    " (" (i18n::lookup(lang, "time_source", source).unwrap_or(source)) ")"
                }
            }
        }
        @if let Some(alg) = &sig.signature_algorithm {
            tr { th { (t(lang, "ui.algorithm")) } td { (alg) } }
        }
    }
}

/// The guided online check: the official page, the values to copy, the
/// answer buttons that record into the ledger.
fn online_check(lang: Lang, desk: &Desk, kept: &Kept) -> Markup {
    let Some(check) = &kept.online else {
        return html! {};
    };
    let recorded = *super::lock(&kept.confirmation);
    let can_record = desk.ledger.is_some() && kept.ledger_id.is_some();
    let source_key = match check.values_from.as_deref() {
        Some("signed_fields") => "ui.values_as_signed",
        Some(_) => "ui.values_as_shown",
        None => "ui.values_none",
    };
    let fields = if check.values_from.as_deref() == Some("signed_fields") {
        kept.record.signed_fields.as_ref()
    } else {
        kept.record.fields.as_ref()
    };
    html! {
        section #online {
            h2 { (t(lang, "ui.online_title")) }
            ol.steps {
                li {
                    (t(lang, "ui.online_open")) " "
                    a href=(OFFICIAL_CHECK_URL) target="_blank" rel="noopener noreferrer" { (online::OFFICIAL_CHECK_NAME) }
                    " " span.muted { (t(lang, "ui.online_login_note")) }
                }
                li {
                    (t(lang, "ui.online_enter")) " " span.muted { (t(lang, source_key)) }
                    table.copy-values {
                        @for (label, value) in [
                            ("field.id_number", &check.query.id_number),
                            ("field.name", &check.query.name),
                            ("field.management_number", &check.query.management_number),
                        ] {
                            tr {
                                th { (t(lang, label)) }
                                @match value {
                                    Some(v) => {
                                        td { code { (v) } }
                                        td { button.copy type="button" data-copy=(v) { (t(lang, "ui.copy")) } }
                                    }
                                    None => { td colspan="2" { span.muted { (t(lang, "ui.not_in_file")) } } }
                                }
                            }
                        }
                    }
                }
                li {
                    (t(lang, "ui.online_compare"))
                    ul {
                        @if let Some(f) = fields {
                            @for name in ["qualification", "level", "approval_date"] {
                                @if let Some((_, Some(v))) = f.named().into_iter().find(|(n, _)| *n == name) {
                                    li { (i18n::field_label(lang, name)) ": " (v) }
                                }
                            }
                        }
                        li { (t(lang, "ui.online_status_rule")) }
                    }
                }
                li {
                    (t(lang, "ui.online_answer"))
                    div.answers {
                        @for answer in [Confirmation::Valid, Confirmation::Revoked, Confirmation::NotFound] {
                            form method="post" action={ "/files/" (kept.id) "/online" } {
                                input type="hidden" name="csrf" value=(desk.csrf);
                                input type="hidden" name="answer" value=(answer.as_str());
                                button type="submit" class={ "answer a-" (answer.as_str()) } disabled[!can_record] {
                                    (i18n::lookup(lang, "answer", answer.as_str()).unwrap_or(answer.as_str()))
                                }
                            }
                        }
                    }
                    @if !can_record {
                        p.muted { (t(lang, "ui.no_ledger")) }
                    }
                    @if let Some(a) = recorded {
                        p #recorded-answer .recorded {
                            (t(lang, "ui.answer_recorded")) " "
                            strong { (i18n::lookup(lang, "answer", a.as_str()).unwrap_or(a.as_str())) }
                            @if let Some(id) = kept.ledger_id { " (" (t(lang, "ui.ledger_entry")) " #" (id) ")" }
                        }
                    }
                }
            }
            @for q in &check.qr_codes {
                p class=(if q.host_allowed { "muted" } else { "warn" }) {
                    (t(lang, if q.host_allowed { "ui.qr_official" } else { "ui.qr_not_official" })) ": " code { (q.text) }
                }
            }
        }
    }
}

/// One file's page.
pub fn file_page(lang: Lang, desk: &Desk, kept: &Kept, pictures: &Pictures) -> Markup {
    let record = &kept.record;
    let body = html! {
        p.muted { a href="/" { "← " (t(lang, "ui.back_to_drop")) } }
        h1.file-name { (kept.file_name) }
        (verdict_banner(lang, record))
        p.next { strong { (t(lang, "ui.col_next")) ": " } (i18n::next_step(lang, record.verdict)) }
        p { a.button href={ "/files/" (kept.id) "/report" } { (t(lang, "ui.evidence_report")) } }

        section #why {
            h2 { (t(lang, "ui.why")) }
            (reasons_list(lang, record))
        }
        @if let Some(signed) = &record.signed_fields {
            section #differences {
                h2 { (t(lang, "ui.signed_vs_shown")) }
                (side_by_side(lang, signed, record.fields.as_ref()))
            }
        }
        @if record.changes_after_signing.iter().any(|c| !c.benign) {
            section #changes {
                h2 { (t(lang, "ui.changes_by_page")) }
                (changes_by_page(lang, record))
            }
        }
        section #page1 {
            h2 { (t(lang, "ui.page1")) }
            (page_pictures(lang, kept, pictures))
        }
        section #fields {
            h2 { (t(lang, if record.verdict == Verdict::Authentic { "ui.fields_certified" } else { "ui.fields_claimed" })) }
            @match &record.fields {
                Some(f) if !f.is_empty() => { (fields_table(lang, f)) }
                _ => { p.muted { (t(lang, "ui.no_fields")) } }
            }
        }
        section #seals {
            h2 { (t(lang, "ui.seals")) }
            (seals(lang, kept))
        }
        (online_check(lang, desk, kept))
        @if let Some(e) = &record.error {
            p.muted { (t(lang, "ui.error")) ": " (e) }
        }
    };
    layout(lang, Some(&desk.csrf), &kept.file_name, body)
}

/// The printable evidence report of one file.
pub fn report_page(lang: Lang, desk: &Desk, kept: &Kept) -> Markup {
    let record = &kept.record;
    let recorded = *super::lock(&kept.confirmation);
    let body = html! {
        div.no-print { button #print type="button" { (t(lang, "ui.print")) } " " a href={ "/files/" (kept.id) } { (t(lang, "ui.back_to_file")) } }
        article.report {
            h1 { (t(lang, "ui.report_title")) }
            table.fields {
                tr { th { (t(lang, "ui.report_file")) } td { (kept.file_name) } }
                tr { th { (t(lang, "ui.report_size")) } td { (kept.bytes.len()) " bytes" } }
                tr { th { "SHA-256" } td { code { (record.sha256.as_deref().unwrap_or("—")) } } }
                tr { th { (t(lang, "ui.report_checked_at")) } td { (kept.checked_at) } }
                tr { th { (t(lang, "ui.report_operator")) } td { (if desk.config.operator.is_empty() { "—" } else { &desk.config.operator }) } }
                tr { th { (t(lang, "ui.report_tool")) } td { "certcheck " (env!("CARGO_PKG_VERSION")) } }
                @if let Some(id) = kept.ledger_id {
                    tr { th { (t(lang, "ui.ledger_entry")) } td { "#" (id) } }
                }
            }
            h2 { (t(lang, "ui.report_verdict")) }
            (verdict_banner(lang, record))
            h2 { (t(lang, "ui.report_checked")) }
            ul {
                li { (t(lang, "ui.report_checked_signatures")) }
                li { (t(lang, "ui.report_checked_trust")) }
                li { (t(lang, "ui.report_checked_changes")) }
                li { (t(lang, "ui.report_checked_text")) }
            }
            h2 { (t(lang, "ui.report_evidence")) }
            table.evidence {
                thead { tr { th { (t(lang, "ui.report_code")) } th { (t(lang, "ui.report_reason")) } } }
                tbody {
                    @for r in record.reasons.iter().chain(record.signatures.iter().flat_map(|s| s.reasons.iter())) {
                        tr { td { code { (r.code.as_str()) } } td { (i18n::reason_message(lang, r)) } }
                    }
                }
            }
            @for sig in &record.signatures {
                h3 { (t(lang, "ui.signature")) " " (sig.field) " — " (i18n::verdict_word(lang, sig.verdict)) }
                table.fields {
                    (seal_rows(lang, sig))
                    tr { th { (t(lang, "ui.report_digest_ok")) } td { (yes_no(lang, sig.digest_ok)) } }
                    tr { th { (t(lang, "ui.report_signature_ok")) } td { (yes_no(lang, sig.signature_ok)) } }
                    @if let Some(br) = &sig.byte_range {
                        tr { th { "ByteRange" } td { code { (format!("{br:?}")) } } }
                    }
                    @if let Some(signer) = &sig.signer {
                        tr { th { (t(lang, "ui.report_signer")) } td { (signer.subject) } }
                        tr { th { (t(lang, "ui.report_signer_sha256")) } td { code { (signer.sha256) } } }
                    }
                }
            }
            @if let Some(signed) = &record.signed_fields {
                h2 { (t(lang, "ui.signed_vs_shown")) }
                (side_by_side(lang, signed, record.fields.as_ref()))
            }
            @if record.changes_after_signing.iter().any(|c| !c.benign) {
                h2 { (t(lang, "ui.changes_by_page")) }
                (changes_by_page(lang, record))
            }
            h2 { (t(lang, if record.verdict == Verdict::Authentic { "ui.fields_certified" } else { "ui.fields_claimed" })) }
            @match &record.fields {
                Some(f) if !f.is_empty() => { (fields_table(lang, f)) }
                _ => { p.muted { (t(lang, "ui.no_fields")) } }
            }
            h2 { (t(lang, "ui.online_title")) }
            p {
                @match recorded {
                    Some(a) => { (t(lang, "ui.answer_recorded")) " " strong { (i18n::lookup(lang, "answer", a.as_str()).unwrap_or(a.as_str())) } }
                    None => { (t(lang, "ui.report_no_answer")) }
                }
            }
            p.signature-line { (t(lang, "ui.report_sign_here")) }
        }
    };
    layout(lang, Some(&desk.csrf), t(lang, "ui.report_title"), body)
}

fn yes_no(lang: Lang, v: Option<bool>) -> &'static str {
    match v {
        Some(true) => t(lang, "ui.yes"),
        Some(false) => t(lang, "ui.no"),
        None => "—",
    }
}

/// Whether `entry` matches the search text (管理号, ID number or name,
/// compared as the ledger compares them).
fn entry_matches(entry: &Entry, search: &str) -> bool {
    let Some(needle) = crate::ledger::normalise(search) else {
        return true;
    };
    [&entry.management_number, &entry.id_number, &entry.name]
        .iter()
        .filter_map(|v| v.as_deref().and_then(crate::ledger::normalise))
        .any(|v| v.contains(&needle))
}

fn has_conflicts(entry: &Entry) -> bool {
    entry.conflicts.as_array().is_some_and(|a| !a.is_empty())
}

fn ledger_rows(lang: Lang, entries: &[&Entry]) -> Markup {
    html! {
        table.ledger {
            thead {
                tr {
                    th { "#" }
                    th { (t(lang, "ui.col_checked_at")) }
                    th { (t(lang, "ui.col_verdict")) }
                    th { (t(lang, "ui.col_file")) }
                    th { (t(lang, "field.name")) }
                    th { (t(lang, "field.management_number")) }
                    th { (t(lang, "field.id_number")) }
                    th { (t(lang, "ui.col_answer")) }
                    th { (t(lang, "ui.col_conflicts")) }
                }
            }
            tbody {
                @for e in entries {
                    @let verdict = serde_json::from_value::<Verdict>(serde_json::Value::String(e.verdict.clone())).ok();
                    tr data-ledger-id=(e.id) {
                        td { (e.id) }
                        td { (e.checked_at) }
                        td {
                            @match verdict {
                                Some(v) => { span class={ "pill " (verdict_class(v)) } { (i18n::verdict_word(lang, v)) } }
                                None => { (e.verdict) }
                            }
                        }
                        td { (e.path) }
                        td { (e.name.as_deref().unwrap_or("—")) }
                        td { (e.management_number.as_deref().unwrap_or("—")) }
                        td { (e.id_number.as_deref().unwrap_or("—")) }
                        td.answer { (e.confirmation.as_deref().map(|a| i18n::lookup(lang, "answer", a).unwrap_or(a)).unwrap_or("—")) }
                        td {
                            @if let Some(conflicts) = e.conflicts.as_array() {
                                @for c in conflicts {
                                    @let kind = c.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                                    div.warn { (i18n::lookup(lang, "conflict", kind).unwrap_or(kind)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The ledger view: today's checks (or the search results), the
/// conflicts, and the CSV and XLSX exports.
pub fn ledger_page(lang: Lang, desk: &Desk, entries: &[Entry], search: &str) -> Markup {
    let today = super::now_rfc3339().get(..10).unwrap_or("").to_string();
    let shown: Vec<&Entry> = if search.is_empty() {
        entries
            .iter()
            .filter(|e| e.checked_at.starts_with(&today))
            .collect()
    } else {
        entries
            .iter()
            .filter(|e| entry_matches(e, search))
            .collect()
    };
    let conflicts: Vec<&Entry> = entries.iter().filter(|e| has_conflicts(e)).collect();
    let body = html! {
        h1 { (t(lang, "ui.ledger_title")) }
        @if desk.ledger.is_none() {
            p.note { (t(lang, "ui.no_ledger")) }
        } @else {
            form.search method="get" action="/ledger" {
                input type="search" name="q" value=(search) placeholder=(t(lang, "ui.search_placeholder"));
                button type="submit" { (t(lang, "ui.search")) }
                " "
                a.button href="/ledger/export.csv" { (t(lang, "ui.export_csv")) }
                " "
                a.button href="/ledger/export.xlsx" { (t(lang, "ui.export_xlsx")) }
            }
            h2 #checks {
                @if search.is_empty() { (t(lang, "ui.today_checks")) } @else { (t(lang, "ui.search_results")) ": " (search) }
                " (" (shown.len()) ")"
            }
            (ledger_rows(lang, &shown))
            h2 #conflicts { (t(lang, "ui.conflicts")) " (" (conflicts.len()) ")" }
            @if conflicts.is_empty() {
                p.muted { (t(lang, "ui.no_conflicts")) }
            } @else {
                (ledger_rows(lang, &conflicts))
            }
        }
    };
    layout(lang, Some(&desk.csrf), t(lang, "ui.ledger_title"), body)
}
