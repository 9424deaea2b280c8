//! Microsoft Entra ID sign-in and audit records to events.
//!
//! The records reach here through
//! [`AzureDiagnosticNormalizer`](crate::normalize::AzureDiagnosticNormalizer),
//! which tells sign-ins from audit records by their category; both come
//! as diagnostic JSON (`properties` holding the Microsoft Graph
//! `signIn` or `directoryAudit` fields) or as Sentinel CSV rows
//! (`SigninLogs`, `AuditLogs`). Every event has `source` `entra`.
//!
//! - `signin`: interactive, non-interactive, service principal and
//!   managed identity sign-ins, `auth.login` or `auth.login_failed`.
//! - `audit`: directory changes; MFA and security-info changes are
//!   `account.mfa_change`, other user account changes `account.change`,
//!   the rest `directory.<operation>` (see `kind`).
//!
//! Attribute names are those of the diagnostic JSON (`appDisplayName`,
//! `status.errorCode`); a Sentinel CSV column is named in the same
//! camelCase (`AppDisplayName` gives `appDisplayName`), so a detector
//! reads one name whatever the export.

pub(crate) mod audit;
pub(crate) mod kind;
pub(crate) mod signin;

pub(crate) use self::audit::audit_event;
pub(crate) use self::signin::signin_event;

/// The `source` of every event made here.
pub const SOURCE: &str = "entra";
