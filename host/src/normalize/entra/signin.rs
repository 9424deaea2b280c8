//! Entra ID sign-ins to `auth.login` and `auth.login_failed` events.
//!
//! Interactive (`SignInLogs`), non-interactive, service principal and
//! managed identity sign-ins share one mapping. Fields are those of
//! `properties` in the diagnostic JSON; the Sentinel `SigninLogs` column
//! is given where its name differs.
//!
//! - `time`: `createdDateTime`, else the envelope's `time`, else
//!   `TimeGenerated`.
//! - `kind`, `outcome`: from `status.errorCode` (Sentinel
//!   `Status_dynamic`), else `resultType` (`ResultType`): 0 is a success,
//!   `auth.login`; any other code a failure, `auth.login_failed`. The code
//!   is the attribute `status.errorCode`. Some tools write the result in
//!   words (`resultType` or `result` `Success`, `Failure`), which is read
//!   too. A record with no result is an error: a sign-in with no result
//!   is neither kind.
//! - `action`: `operationName` (`Sign-in activity`); the attribute
//!   `category` tells interactive sign-ins from the other kinds.
//! - `user`: `userPrincipalName`, lower case. Service principal and
//!   managed identity sign-ins have none; their `servicePrincipalName`
//!   and `servicePrincipalId` are attributes.
//! - `src_ip`: `ipAddress` (`IPAddress`), else the envelope's
//!   `callerIpAddress`. A value that is not an address is an attribute.
//! - `src_country`, `src_city`, `src_lat`, `src_lon`: the vendor's
//!   location, `location` (`LocationDetails_dynamic`): `countryOrRegion`,
//!   `city`, `geoCoordinates.latitude` and `.longitude`; `state` is the
//!   attribute `location.state`. With no location object, a bare country
//!   code (the envelope's `location`, Sentinel's `Location`) fills
//!   `src_country`.
//! - `device`: `deviceDetail.displayName`. The other fields of
//!   `deviceDetail`, `mfaDetail` and `status` are attributes
//!   `deviceDetail.operatingSystem`, `deviceDetail.browser`,
//!   `mfaDetail.authMethod`, `status.failureReason`, ...
//! - `user_agent`: `userAgent`.
//! - `attrs`: every other field by name (`appDisplayName`,
//!   `clientAppUsed`, `riskLevelDuringSignIn`, `riskState`,
//!   `conditionalAccessStatus`, `authenticationRequirement`,
//!   `isInteractive`, ...), lists as compact JSON.
//!   `conditionalAccessPolicies` (every policy of the tenant, on every
//!   sign-in) and the envelope's bookkeeping (`Level`, `durationMs`,
//!   `operationVersion`, `resultSignature`) are left to `raw`.
//! - event id: the sign-in's `id`, so one sign-in read from Event Hubs
//!   and from a Sentinel export gets one event id.

use crate::normalize::Attrs;
use std::borrow::Cow;

use super::SOURCE;
use crate::normalize::azure::{DiagnosticRecord, Naming, event_time, field_text, pick_ip};
use crate::normalize::json::Json;
use crate::normalize::{Event, NormalizeError, event_id};

/// Fields of the sign-in's own time, best first.
const TIME_KEYS: [&str; 3] = ["createdDateTime", "time", "TimeGenerated"];

/// Fields with a column of their own, or left to `raw`.
const SKIP: [&str; 17] = [
    "id",
    "createddatetime",
    "time",
    "timegenerated",
    "operationname",
    "userprincipalname",
    "ipaddress",
    "calleripaddress",
    "useragent",
    "resulttype",
    "location",
    "locationdetails",
    "conditionalaccesspolicies",
    "level",
    "durationms",
    "operationversion",
    "resultsignature",
];

/// Objects whose fields are attributes of their own.
const FLATTEN: [(&str, &str); 3] = [
    ("status", "status"),
    ("devicedetail", "deviceDetail"),
    ("mfadetail", "mfaDetail"),
];

/// One sign-in record to an event; see the module docs.
///
/// # Errors
///
/// When the time or the error code is missing or does not parse.
pub(crate) fn signin_event(
    record: &DiagnosticRecord<'_, '_>,
    raw: String,
) -> Result<Event, NormalizeError> {
    let mut attrs = record.attrs(&SKIP, &FLATTEN, Naming::Camel);
    let time = event_time(record, &TIME_KEYS, &mut attrs)?;
    let result = sign_in_result(record)?;
    if let Some(code) = result.code {
        attrs.insert("status.errorCode", code.to_string());
    }
    let (kind, outcome) = if result.success {
        ("auth.login", "success")
    } else {
        ("auth.login_failed", "failure")
    };

    let ips = [
        ("ipAddress", record.text("ipAddress")),
        ("callerIpAddress", record.text("callerIpAddress")),
    ];
    let src_ip = pick_ip(ips, &mut attrs);
    let location = Location::of(record, &mut attrs);
    let device = record
        .get("deviceDetail")
        .and_then(|detail| field_text(detail, "displayName"))
        .map(Cow::into_owned);
    if device.is_some() {
        attrs.remove("deviceDetail.displayName");
    }
    let id = record.text("id");

    Ok(Event {
        event_id: event_id(SOURCE, id.as_deref().unwrap_or(&raw)),
        time,
        source: SOURCE,
        kind: kind.to_owned(),
        action: record.text("operationName").map(Cow::into_owned),
        outcome: Some(outcome.to_owned()),
        user: record.text("userPrincipalName").map(|u| u.to_lowercase()),
        src_ip,
        src_country: location.country,
        src_city: location.city,
        src_lat: location.lat,
        src_lon: location.lon,
        device,
        user_agent: record.text("userAgent").map(Cow::into_owned),
        attrs,
        raw: Some(raw),
        ..Event::default()
    })
}

/// What became of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SignInResult {
    success: bool,
    /// The error code, 0 for a success, when the record gives one.
    code: Option<i64>,
}

/// The sign-in's result: its error code (`status.errorCode`, else
/// `resultType`), or a result in words (`Success`, `Failure`) as some
/// tools write `resultType` or `result`.
fn sign_in_result(record: &DiagnosticRecord<'_, '_>) -> Result<SignInResult, NormalizeError> {
    let status = record
        .get("status")
        .and_then(|status| field_text(status, "errorCode"));
    let candidates = [
        ("status.errorCode", status),
        ("resultType", record.text("resultType")),
        ("result", record.text("result")),
    ];
    let Some((field, text)) = candidates
        .into_iter()
        .find_map(|(field, text)| Some((field, text?)))
    else {
        return Err(NormalizeError::missing("status.errorCode"));
    };
    if let Ok(code) = text.parse::<i64>() {
        return Ok(SignInResult {
            success: code == 0,
            code: Some(code),
        });
    }
    let word = text.to_ascii_lowercase();
    let success = match word.as_str() {
        "success" | "succeeded" => true,
        "failure" | "failed" => false,
        _ => return Err(NormalizeError::invalid(field, "not an error code", &text)),
    };
    Ok(SignInResult {
        success,
        code: None,
    })
}

/// Where the vendor located the sign-in.
#[derive(Debug, Default, PartialEq)]
struct Location {
    country: Option<String>,
    city: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

impl Location {
    /// The location object's fields; its `state` goes to `attrs`.
    fn of(record: &DiagnosticRecord<'_, '_>, attrs: &mut Attrs) -> Self {
        let object = ["locationDetails", "location"]
            .iter()
            .filter_map(|key| record.get(key))
            .find(|value| value.as_object().is_some());
        let Some(location) = object else {
            // Sentinel's `Location` and the envelope's `location` hold the
            // country code alone.
            let country = record.text("location").filter(|c| c.len() == 2);
            return Location {
                country: country.map(Cow::into_owned),
                ..Location::default()
            };
        };
        if let Some(state) = field_text(location, "state") {
            attrs.insert("location.state", state.into_owned());
        }
        let geo = location.get_ignore_case("geoCoordinates");
        let degrees = |key, limit: f64| {
            geo.and_then(|g| g.get_ignore_case(key))
                .and_then(number)
                .filter(|d| d.abs() <= limit)
        };
        Location {
            country: field_text(location, "countryOrRegion").map(Cow::into_owned),
            city: field_text(location, "city").map(Cow::into_owned),
            lat: degrees("latitude", 90.0),
            lon: degrees("longitude", 180.0),
        }
    }
}

/// A number, or a string holding one.
fn number(value: &Json<'_>) -> Option<f64> {
    match value {
        Json::Float(n) => Some(*n),
        Json::Int(n) => Some(*n as f64),
        Json::UInt(n) => Some(*n as f64),
        Json::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::azure::tests::{csv_event, json_event};

    /// A sign-in record as Entra ID diagnostic settings write it.
    pub(crate) const SIGN_IN: &str = r#"{"time":"2024-03-14T09:14:05.1234567Z","resourceId":"/tenants/2ad3fc79-1859-42fa-9011-6f8df2251b22/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"SignInLogs","tenantId":"2ad3fc79-1859-42fa-9011-6f8df2251b22","resultType":"0","resultSignature":"None","durationMs":0,"callerIpAddress":"193.222.96.91","correlationId":"c6a5c1f8-0a4f-4b55-9a2d-7d0a5f1e2b3c","identity":"Megan Bowen","Level":4,"location":"NL","properties":{"id":"9e0f3c2a-5b7d-4e1f-8a6c-3d2b1a0f9e8d","createdDateTime":"2024-03-14T09:14:02.0000000+00:00","userDisplayName":"Megan Bowen","userPrincipalName":"MeganB@Contoso.onmicrosoft.com","userId":"6e2f6c8a-3a34-4b4f-9d7e-2c1f2f5d8a10","appId":"4765445b-32c6-49b0-83e6-1d93765276ca","appDisplayName":"OfficeHome","ipAddress":"193.222.96.91","status":{"errorCode":0,"additionalDetails":"MFA requirement satisfied by claim in the token"},"clientAppUsed":"Browser","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","deviceDetail":{"deviceId":"","displayName":"MEGAN-LAPTOP","operatingSystem":"Windows 10","browser":"Edge 122.0.0","isCompliant":false,"isManaged":false},"location":{"city":"Amsterdam","state":"Noord-Holland","countryOrRegion":"NL","geoCoordinates":{"altitude":null,"latitude":52.37403,"longitude":4.88969}},"mfaDetail":{"authMethod":"Mobile app notification","authDetail":null},"correlationId":"c6a5c1f8-0a4f-4b55-9a2d-7d0a5f1e2b3c","conditionalAccessStatus":"success","conditionalAccessPolicies":[{"id":"1","displayName":"Require MFA","result":"success"}],"riskDetail":"none","riskLevelAggregated":"none","riskLevelDuringSignIn":"none","riskState":"none","riskEventTypes_v2":[],"resourceDisplayName":"Office 365 Exchange Online","isInteractive":true,"authenticationRequirement":"multiFactorAuthentication"}}"#;

    #[test]
    fn a_sign_in_maps_to_every_column() {
        let e = json_event(SIGN_IN).unwrap();
        assert_eq!(e.source, "entra");
        assert_eq!(e.kind, "auth.login");
        assert_eq!(e.outcome.as_deref(), Some("success"));
        assert_eq!(e.action.as_deref(), Some("Sign-in activity"));
        assert_eq!(e.time, 1_710_407_642_000_000, "createdDateTime, not time");
        assert_eq!(e.user.as_deref(), Some("meganb@contoso.onmicrosoft.com"));
        assert_eq!(e.src_ip.as_deref(), Some("193.222.96.91"));
        assert_eq!(e.src_country.as_deref(), Some("NL"));
        assert_eq!(e.src_city.as_deref(), Some("Amsterdam"));
        assert_eq!(e.src_lat, Some(52.37403));
        assert_eq!(e.src_lon, Some(4.88969));
        assert_eq!(e.device.as_deref(), Some("MEGAN-LAPTOP"));
        assert_eq!(
            e.user_agent.as_deref(),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        );
        assert_eq!(
            e.event_id,
            event_id("entra", "9e0f3c2a-5b7d-4e1f-8a6c-3d2b1a0f9e8d")
        );
        assert_eq!(e.raw.as_deref(), Some(SIGN_IN));

        let attr = |k: &str| e.attrs.get(k).map(String::as_str);
        assert_eq!(attr("status.errorCode"), Some("0"));
        assert_eq!(attr("deviceDetail.operatingSystem"), Some("Windows 10"));
        assert_eq!(attr("deviceDetail.browser"), Some("Edge 122.0.0"));
        assert_eq!(attr("deviceDetail.displayName"), None, "it is `device`");
        assert_eq!(
            attr("mfaDetail.authMethod"),
            Some("Mobile app notification")
        );
        assert_eq!(attr("location.state"), Some("Noord-Holland"));
        assert_eq!(attr("appDisplayName"), Some("OfficeHome"));
        assert_eq!(attr("clientAppUsed"), Some("Browser"));
        assert_eq!(attr("riskLevelDuringSignIn"), Some("none"));
        assert_eq!(attr("conditionalAccessStatus"), Some("success"));
        assert_eq!(attr("isInteractive"), Some("true"));
        assert_eq!(attr("category"), Some("SignInLogs"));
        assert_eq!(
            attr("tenantId"),
            Some("2ad3fc79-1859-42fa-9011-6f8df2251b22")
        );
        for left_to_raw in ["conditionalAccessPolicies", "Level", "durationMs", "id"] {
            assert_eq!(attr(left_to_raw), None, "{left_to_raw}");
        }
    }

    #[test]
    fn failures_keep_their_code_and_reason() {
        let failed = SIGN_IN.replace(
            r#""status":{"errorCode":0,"#,
            r#""status":{"errorCode":50126,"failureReason":"Invalid username or password.","#,
        );
        let e = json_event(&failed).unwrap();
        assert_eq!(e.kind, "auth.login_failed");
        assert_eq!(e.outcome.as_deref(), Some("failure"));
        assert_eq!(e.attrs["status.errorCode"], "50126");
        assert_eq!(
            e.attrs["status.failureReason"],
            "Invalid username or password."
        );

        // Without `status`, the envelope's `resultType` tells.
        let no_status = SIGN_IN
            .replace(r#""status":{"errorCode":0,"#, r#""x":{"#)
            .replace(r#""resultType":"0""#, r#""resultType":"50074""#);
        let e = json_event(&no_status).unwrap();
        assert_eq!(e.kind, "auth.login_failed");
        assert_eq!(e.attrs["status.errorCode"], "50074");
    }

    #[test]
    fn unusable_sign_ins_name_the_field() {
        let no_result = SIGN_IN
            .replace(r#""status":{"errorCode":0,"#, r#""x":{"#)
            .replace(r#""resultType":"0","#, "");
        assert_eq!(
            json_event(&no_result).unwrap_err().to_string(),
            "missing `status.errorCode`"
        );
        let bad_code = SIGN_IN.replace(r#""errorCode":0"#, r#""errorCode":"oops""#);
        assert_eq!(
            json_event(&bad_code).unwrap_err().to_string(),
            "parsing `status.errorCode`: not an error code `oops`"
        );
        let bad_time = SIGN_IN.replace("2024-03-14T09:14:02.0000000+00:00", "yesterday");
        assert_eq!(
            json_event(&bad_time).unwrap_err().to_string(),
            "parsing `createdDateTime`: invalid date `yesterday`"
        );
    }

    #[test]
    fn host_names_and_odd_locations_stay_attributes() {
        let odd = SIGN_IN
            .replace(
                r#""ipAddress":"193.222.96.91""#,
                r#""ipAddress":"proxy.example""#,
            )
            .replace(r#""latitude":52.37403"#, r#""latitude":"95""#);
        let e = json_event(&odd).unwrap();
        assert_eq!(
            e.src_ip.as_deref(),
            Some("193.222.96.91"),
            "callerIpAddress"
        );
        assert_eq!(e.attrs["ipAddress"], "proxy.example");
        assert_eq!(e.src_lat, None, "out of range");
        assert_eq!(e.src_lon, Some(4.88969));
    }

    #[test]
    fn sentinel_rows_map_like_json_records() {
        let e = csv_event(&[
            ("TenantId", "7c759f10-811c-4db8-ad6d-f07d8ae3f8ea"),
            ("OperationName", "Sign-in activity"),
            ("Category", "SignInLogs"),
            ("ResultType", "50058"),
            ("Location", "IL"),
            ("AppDisplayName", "Azure Portal"),
            ("CreatedDateTime [UTC]", "4/28/2021, 2:08:45.221 PM"),
            ("DeviceDetail_dynamic", r#"{"operatingSystem":"Windows 10","deviceId":"","browser":"Edge 90.0.818"}"#),
            ("Id", "cfb68155-70f5-4e28-b046-0a3a7086c401"),
            ("IPAddress", "175.45.176.99"),
            ("LocationDetails_dynamic", r#"{"countryOrRegion":"IL","geoCoordinates":{"longitude":34.79964828491211,"latitude":32.02956008911133},"state":"Tel Aviv","city":"Azor"}"#),
            ("Status_dynamic", r#"{"errorCode":50058,"failureReason":"Silent sign-in failed"}"#),
            ("UserPrincipalName", "adelev@M365x816222.onmicrosoft.com"),
            ("Type", "SigninLogs"),
        ])
        .unwrap();
        assert_eq!(e.kind, "auth.login_failed");
        assert_eq!(
            e.user.as_deref(),
            Some("adelev@m365x816222.onmicrosoft.com")
        );
        assert_eq!(e.src_ip.as_deref(), Some("175.45.176.99"));
        assert_eq!(
            (e.src_country.as_deref(), e.src_city.as_deref()),
            (Some("IL"), Some("Azor"))
        );
        assert_eq!(e.src_lat, Some(32.02956008911133));
        assert_eq!(e.device, None, "no display name");
        assert_eq!(
            e.event_id,
            event_id("entra", "cfb68155-70f5-4e28-b046-0a3a7086c401")
        );
        let attr = |k: &str| e.attrs.get(k).map(String::as_str);
        assert_eq!(attr("appDisplayName"), Some("Azure Portal"), "camelCase");
        assert_eq!(attr("deviceDetail.browser"), Some("Edge 90.0.818"));
        assert_eq!(attr("status.failureReason"), Some("Silent sign-in failed"));
        assert_eq!(attr("location.state"), Some("Tel Aviv"));
        assert_eq!(
            attr("tenantId"),
            None,
            "Sentinel's workspace, not the record's"
        );
        assert_eq!(attr("type"), None);
    }
}
