//! The story's later detectors over a tenant's normal day: the Sentinel
//! training lab's `office_activity.csv` (266 unified audit log records)
//! through `palisade run --once`.
//!
//! None of `account-change`, `outbound-mail` and `insider-download` may
//! speak, and the reasons are in the data: the day holds no login and no
//! MFA, password or recovery change (nothing for `account-change`); two
//! `Send` operations (far below the 100 messages an hour of a burst); two
//! downloads (far below the 50 of a bulk hour) with no login before them
//! and no departed-users list, so no download follows a login from a new
//! place, even though six sharing events make files company-wide or
//! public.

use super::support::{count, run_once, shared_data, stdout};

#[test]
fn a_normal_office_day_raises_no_account_mail_or_download_finding() {
    let Some(csv) = shared_data("sentinel-training-lab/office_activity.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("history");
    let output = run_once(&data, &[&csv]);
    assert!(output.status.success(), "run failed");

    let kinds = |list: &str| {
        count(
            &data,
            &format!("select count(*) from events where kind in ({list})"),
        )
    };
    assert_eq!(
        kinds("'auth.login', 'account.mfa_change', 'account.change'"),
        0
    );
    assert_eq!(kinds("'email.send', 'email.message'"), 2);
    assert_eq!(kinds("'file.download'"), 2);
    assert_eq!(kinds("'file.share'"), 6);

    for detector in ["account-change", "outbound-mail", "insider-download"] {
        // Each detector is loaded and ran (the summary lists it) ...
        assert!(
            stdout(&output)
                .lines()
                .any(|l| l.split_whitespace().eq([detector, "0"])),
            "{detector} is not listed with 0 findings:\n{}",
            stdout(&output)
        );
        // ... and history agrees.
        let n = count(
            &data,
            &format!("select count(*) from findings where detector = '{detector}'"),
        );
        assert_eq!(n, 0, "{detector}");
    }
}
