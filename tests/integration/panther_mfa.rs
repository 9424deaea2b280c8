//! Panther's MFA-change rule tests through the normalizers and the
//! `account-change` detector.
//!
//! Each case's `Log` is written to a file, read with
//! [`palisade::ingest::FileReader`] as its format, and the events run
//! through the detector in the SDK's native harness (the Arrow encoding
//! the Wasm component sees). Panther's rules say "MFA was disabled or
//! removed"; their counterpart is a finding of kind
//! `account_change.mfa_removed` or `account_change.mfa_disabled`, and
//! there is one exactly when the case expects an alert.
//!
//! The detector does more than those rules: it also reports a new MFA
//! method (`account_change.mfa_registered`), which Panther's
//! "MFA Add Event" expects no "MFA disabled" alert for. The table below
//! lists every finding each case gives, so that difference is visible and
//! checked too.

use palisade::ingest::Format;
use palisade_sdk::testing::Harness;

use super::support::{normalize_text, panther_cases, shared_data, test_event};

/// The finding kinds that mean what Panther's MFA-disabled rules alert on.
const DISABLED: &[&str] = &["account_change.mfa_removed", "account_change.mfa_disabled"];

/// Panther's expectation is compared for these rule files; the others'
/// cases run for the table only.
const MFA_RULES: &[&str] = &[
    "microsoft_rules/microsoft365_mfa_disabled.yml",
    "azure_signin_rules/azure_mfa_disabled.yml",
];

/// (rule file, format, test name, every finding kind the case gives).
const EXPECTED: &[(&str, Format, &str, &[&str])] = &[
    (
        "microsoft_rules/microsoft365_mfa_disabled.yml",
        Format::M365AuditJson,
        "MFA Add Event",
        &["account_change.mfa_registered"],
    ),
    (
        "microsoft_rules/microsoft365_mfa_disabled.yml",
        Format::M365AuditJson,
        "MFA Remove event",
        &["account_change.mfa_removed"],
    ),
    (
        "azure_signin_rules/azure_mfa_disabled.yml",
        Format::AzureDiagnosticJson,
        "MFA Disabled Successful",
        &["account_change.mfa_disabled"],
    ),
    (
        "azure_signin_rules/azure_mfa_disabled.yml",
        Format::AzureDiagnosticJson,
        "MFA Enabled",
        &[],
    ),
    // The Core Directory's copy of the conditional access change above;
    // the detector reports the change once, from the Conditional Access
    // service's record, as Panther does.
    (
        "azure_signin_rules/azure_mfa_disabled.yml",
        Format::AzureDiagnosticJson,
        "MFA Disabled from another log",
        &[],
    ),
    // Excluded from Panther's expectation: `Azure Policy Changed` alerts
    // on any conditional access policy update or deletion, which is not
    // an MFA change and not asked of this detector. Its cases still run:
    // the one update that drops the MFA grant control is an MFA change.
    (
        "azure_signin_rules/azure_policy_changed.yml",
        Format::AzureDiagnosticJson,
        "Policy Changed",
        &["account_change.mfa_disabled"],
    ),
    (
        "azure_signin_rules/azure_policy_changed.yml",
        Format::AzureDiagnosticJson,
        "Policy Updated",
        &[],
    ),
    (
        "azure_signin_rules/azure_policy_changed.yml",
        Format::AzureDiagnosticJson,
        "Policy Added",
        &[],
    ),
];

#[test]
fn panther_mfa_cases_give_a_finding_exactly_when_expected() {
    let mut checked = 0;
    for file in [
        "microsoft_rules/microsoft365_mfa_disabled.yml",
        "azure_signin_rules/azure_mfa_disabled.yml",
        "azure_signin_rules/azure_policy_changed.yml",
    ] {
        let Some(path) = shared_data(&format!("panther-tests/rules/{file}")) else {
            return;
        };
        for (name, expected, log) in panther_cases(&path) {
            let (_, format, _, kinds) = EXPECTED
                .iter()
                .find(|(f, _, n, _)| *f == file && *n == name)
                .unwrap_or_else(|| panic!("case `{name}` of {file} is not in the table"));
            let (events, dead) = normalize_text(&log, *format);
            assert_eq!(dead, 0, "`{name}` did not normalize");
            let events: Vec<_> = events.iter().map(test_event).collect();

            let findings = Harness::<account_change::AccountChange>::new().run(&events);
            let found: Vec<&str> = findings.iter().map(|f| f.kind.as_str()).collect();
            eprintln!("{file} `{name}`: expected {expected}, findings {found:?}");
            assert_eq!(found, *kinds, "`{name}` of {file}");
            if MFA_RULES.contains(&file) {
                let alerted = found.iter().any(|k| DISABLED.contains(k));
                assert_eq!(alerted, expected, "`{name}` of {file}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, EXPECTED.len());
}
