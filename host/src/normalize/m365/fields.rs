//! Reading the fields of one audit record, whatever shape it came in.
//!
//! A JSON record (CamelCase or lower-case keys) and a Sentinel CSV row are
//! both read into one [`AuditRecord`]: keys are matched without regard to
//! case, the duplicate columns Sentinel adds (`UserId_`) and its export
//! bookkeeping (`TenantId`, `Type`, `_ResourceId`) are dropped, and JSON
//! held in CSV strings (`Parameters`) is parsed. Values are borrowed from
//! the record where they can be.

use std::borrow::Cow;

use crate::normalize::CsvRow;
use crate::normalize::json::Json;

/// A field's vendor name and its text.
pub(crate) type Named<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The fields of one audit record that the mapping reads.
#[derive(Debug, Default)]
pub(crate) struct AuditRecord<'a> {
    /// The record's `Id` (`OfficeId` in Sentinel).
    pub id: Option<Cow<'a, str>>,
    /// Candidate times, best first: see [`TIME_KEYS`].
    pub times: [Option<Named<'a>>; 4],
    pub operation: Option<Cow<'a, str>>,
    pub result_status: Option<Cow<'a, str>>,
    pub user_id: Option<Cow<'a, str>>,
    /// Candidate client addresses, best first: see [`CLIENT_IP_KEYS`].
    pub client_ips: [Option<Named<'a>>; 3],
    pub user_agent: Option<Cow<'a, str>>,
    pub object_id: Option<Cow<'a, str>>,
    pub file_name: Option<Cow<'a, str>>,
    /// `Item.Subject` and `Item.InternetMessageId` of mail operations.
    pub subject: Option<Cow<'a, str>>,
    pub message_id: Option<Cow<'a, str>>,
    pub send_as: Option<Cow<'a, str>>,
    pub send_on_behalf: Option<Cow<'a, str>>,
    pub mailbox_owner: Option<Cow<'a, str>>,
    /// `Parameters` of a cmdlet, as `Name` → `Value`.
    pub parameters: Vec<Named<'a>>,
    /// `ExtendedProperties` and `OperationProperties`, as `Name` → `Value`.
    pub properties: Vec<Named<'a>>,
    /// Names of `ModifiedProperties`.
    pub modified: Vec<Cow<'a, str>>,
    /// Every other non-empty field, by vendor name.
    pub attrs: Vec<Named<'a>>,
}

/// Keys of the record's own time, best first. `CreationTime` is the
/// Management Activity API's. Sentinel's `OfficeActivity` has no
/// `CreationTime`: its `TimeGenerated` is the record's creation time, while
/// `Start_Time` and `ElevationTime` hold the time of the batch the record
/// was collected in (shared by many records, minutes later); they are used
/// only when an export dropped `TimeGenerated`.
pub(crate) const TIME_KEYS: [&str; 4] = [
    "creationtime",
    "timegenerated",
    "start_time",
    "elevationtime",
];

/// Keys of the client address, best first: Exchange mailbox audit records
/// carry `ClientIPAddress` (Sentinel: `Client_IPAddress`), Entra ID ones
/// `ActorIpAddress`.
pub(crate) const CLIENT_IP_KEYS: [&str; 3] = ["clientip", "clientipaddress", "actoripaddress"];

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Id,
    Time(usize),
    Operation,
    ResultStatus,
    UserId,
    ClientIp(usize),
    UserAgent,
    ObjectId,
    FileName,
    Parameters,
    Properties,
    Modified,
    Item,
    SendAs,
    SendOnBehalf,
    MailboxOwner,
    /// Bulky lists of messages (kept in `raw` only) and export bookkeeping.
    Skip,
    Attr,
}

/// The slot of a lower-case key.
fn slot(key: &str) -> Slot {
    if let Some(rank) = TIME_KEYS.iter().position(|k| *k == key) {
        return Slot::Time(rank);
    }
    if let Some(rank) = CLIENT_IP_KEYS.iter().position(|k| *k == key) {
        return Slot::ClientIp(rank);
    }
    match key {
        "id" | "officeid" | "sourcerecordid" => Slot::Id,
        "operation" => Slot::Operation,
        "resultstatus" => Slot::ResultStatus,
        "userid" => Slot::UserId,
        "client_ipaddress" => Slot::ClientIp(1),
        "useragent" => Slot::UserAgent,
        "objectid" | "officeobjectid" => Slot::ObjectId,
        "sourcefilename" => Slot::FileName,
        "parameters" => Slot::Parameters,
        "extendedproperties" | "operationproperties" => Slot::Properties,
        "modifiedproperties" => Slot::Modified,
        "item" => Slot::Item,
        "sendasusersmtp" => Slot::SendAs,
        "sendonbehalfofusersmtp" => Slot::SendOnBehalf,
        "mailboxownerupn" => Slot::MailboxOwner,
        "folders" | "affecteditems" | "tenantid" | "sourcesystem" | "type" | "_resourceid" => {
            Slot::Skip
        }
        _ => Slot::Attr,
    }
}

/// A field's value as found in the record.
#[derive(Clone, Copy)]
enum Input<'a> {
    Json(&'a Json<'a>),
    /// Text, which for structured fields holds JSON (Sentinel CSV).
    Text(&'a str),
}

impl<'a> AuditRecord<'a> {
    /// Reads the members of a JSON audit record.
    pub(crate) fn from_json(members: &'a [(Cow<'a, str>, Json<'a>)]) -> Self {
        let mut record = AuditRecord::default();
        let mut buf = [0u8; 32];
        for (name, value) in members {
            let key = lower_key(name, &mut buf);
            record.take(name, key, Input::Json(value));
        }
        record
    }

    /// Reads a Sentinel `OfficeActivity` CSV row.
    pub(crate) fn from_csv(row: &CsvRow<'a>) -> Self {
        let mut record = AuditRecord::default();
        for (name, key, value) in row.columns() {
            // `UserId_`, `ClientIP_`: Sentinel's copies of a column.
            if let Some(base) = key.strip_suffix('_')
                && row.value(base) == Some(value)
            {
                continue;
            }
            record.take(name, key, Input::Text(value));
        }
        record
    }

    /// The record's own time: its name and text.
    pub(crate) fn time(&self) -> Option<&Named<'a>> {
        self.times.iter().flatten().next()
    }

    fn take(&mut self, name: &'a str, key: &str, input: Input<'a>) {
        let slot = slot(key);
        match slot {
            Slot::Parameters => self.take_pairs(name, input, Which::Parameters),
            Slot::Properties => self.take_pairs(name, input, Which::Properties),
            Slot::Modified => self.take_modified(name, input),
            Slot::Item => self.take_item(name, input),
            Slot::Skip => {}
            _ => {
                let Some(text) = scalar(input) else { return };
                let named = || Some((Cow::Borrowed(name), text.clone()));
                match slot {
                    Slot::Id => set(&mut self.id, text),
                    Slot::Time(rank) => self.times[rank] = self.times[rank].take().or_else(named),
                    Slot::Operation => set(&mut self.operation, text),
                    Slot::ResultStatus => set(&mut self.result_status, text),
                    Slot::UserId => set(&mut self.user_id, text),
                    Slot::ClientIp(rank) => {
                        self.client_ips[rank] = self.client_ips[rank].take().or_else(named);
                    }
                    Slot::UserAgent => set(&mut self.user_agent, text),
                    Slot::ObjectId => set(&mut self.object_id, text),
                    Slot::FileName => set(&mut self.file_name, text),
                    Slot::SendAs => set(&mut self.send_as, text),
                    Slot::SendOnBehalf => set(&mut self.send_on_behalf, text),
                    Slot::MailboxOwner => {
                        self.attrs.push((Cow::Borrowed(name), text.clone()));
                        set(&mut self.mailbox_owner, text);
                    }
                    _ => self.attrs.push((Cow::Borrowed(name), text)),
                }
            }
        }
    }

    /// `[{Name, Value}]` lists; kept whole in attrs when not of that shape.
    fn take_pairs(&mut self, name: &'a str, input: Input<'a>, which: Which) {
        let pairs = match input {
            Input::Json(value) => name_values(value),
            Input::Text(text) => Json::parse(text).ok().and_then(|value| {
                name_values(&value).map(|pairs| pairs.into_iter().map(owned_pair).collect())
            }),
        };
        match (pairs, which) {
            (Some(pairs), Which::Parameters) => self.parameters.extend(pairs),
            (Some(pairs), Which::Properties) => self.properties.extend(pairs),
            (None, _) => self.keep(name, input),
        }
    }

    /// `[{Name, NewValue, OldValue}]`: the names changed.
    fn take_modified(&mut self, name: &'a str, input: Input<'a>) {
        let names = match input {
            Input::Json(value) => modified_names(value),
            Input::Text(text) => Json::parse(text).ok().and_then(|value| {
                modified_names(&value).map(|names| names.into_iter().map(owned).collect())
            }),
        };
        match names {
            Some(names) => self.modified.extend(names),
            None => self.keep(name, input),
        }
    }

    /// The message a mail operation acted on: subject and message id.
    fn take_item(&mut self, name: &'a str, input: Input<'a>) {
        let (subject, message_id) = match input {
            Input::Json(value) => item_fields(value),
            Input::Text(text) => match Json::parse(text) {
                Ok(value) => {
                    let (s, m) = item_fields(&value);
                    (s.map(owned), m.map(owned))
                }
                Err(_) => (None, None),
            },
        };
        if subject.is_none() && message_id.is_none() {
            self.keep(name, input);
        }
        set_opt(&mut self.subject, subject);
        set_opt(&mut self.message_id, message_id);
    }

    /// Keeps a field whole in attrs.
    fn keep(&mut self, name: &'a str, input: Input<'a>) {
        if let Some(text) = scalar(input) {
            self.attrs.push((Cow::Borrowed(name), text));
        }
    }
}

#[derive(Clone, Copy)]
enum Which {
    Parameters,
    Properties,
}

/// Sets `slot` unless an earlier field already did.
fn set<'a>(slot: &mut Option<Cow<'a, str>>, value: Cow<'a, str>) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

fn set_opt<'a>(slot: &mut Option<Cow<'a, str>>, value: Option<Cow<'a, str>>) {
    if let Some(value) = value {
        set(slot, value);
    }
}

fn owned<'b>(text: Cow<'_, str>) -> Cow<'b, str> {
    Cow::Owned(text.into_owned())
}

fn owned_pair<'b>((name, value): Named<'_>) -> Named<'b> {
    (owned(name), owned(value))
}

/// The text of a value; `None` when null or empty. Lists and objects are
/// kept as compact JSON.
fn scalar(input: Input<'_>) -> Option<Cow<'_, str>> {
    match input {
        Input::Text(text) => (!text.trim().is_empty()).then_some(Cow::Borrowed(text)),
        Input::Json(value) => value.text(),
    }
}

/// The `Name` → `Value` pairs of a `[{Name, Value}]` list, skipping
/// entries without a name or with an empty value. `None` when the value is
/// not a list.
fn name_values<'v>(value: &'v Json<'_>) -> Option<Vec<Named<'v>>> {
    let list = value.as_array()?;
    let pairs = list
        .iter()
        .filter_map(|entry| {
            let name = entry.get_ignore_case("name").and_then(Json::as_str)?;
            let value = entry.get_ignore_case("value").and_then(Json::text)?;
            (!name.is_empty()).then_some((Cow::Borrowed(name), value))
        })
        .collect();
    Some(pairs)
}

/// The property names of a `ModifiedProperties` list. Entra ID also lists
/// them in the `NewValue` of an `Included Updated Properties` entry.
fn modified_names<'v>(value: &'v Json<'_>) -> Option<Vec<Cow<'v, str>>> {
    let mut names = Vec::new();
    for entry in value.as_array()? {
        let Some(name) = entry.get_ignore_case("name").and_then(Json::as_str) else {
            continue;
        };
        if name.eq_ignore_ascii_case("Included Updated Properties") {
            let listed = entry.get_ignore_case("newvalue").and_then(Json::as_str);
            let listed = listed.unwrap_or("");
            names.extend(
                listed
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(Cow::Borrowed),
            );
        } else if !name.is_empty() {
            names.push(Cow::Borrowed(name));
        }
    }
    Some(names)
}

/// `Subject` and `InternetMessageId` of an `Item` object.
fn item_fields<'v>(value: &'v Json<'_>) -> (Option<Cow<'v, str>>, Option<Cow<'v, str>>) {
    let text = |key| value.get_ignore_case(key).and_then(Json::text);
    (text("subject"), text("internetmessageid"))
}

/// `name` in ASCII lower case, written into `buf`; empty when longer than
/// any known key (such a key is kept as an attribute).
fn lower_key<'b>(name: &str, buf: &'b mut [u8; 32]) -> &'b str {
    let Some(out) = buf.get_mut(..name.len()) else {
        return "";
    };
    out.copy_from_slice(name.as_bytes());
    out.make_ascii_lowercase();
    std::str::from_utf8(out).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::CsvHeader;

    #[test]
    fn json_keys_match_without_regard_to_case() {
        for text in [
            r#"{"CreationTime":"2021-04-26T07:17:10","Operation":"Send","ClientIP":"1.2.3.4","Workload":"Exchange"}"#,
            r#"{"creationtime":"2021-04-26T07:17:10","operation":"Send","clientip":"1.2.3.4","workload":"Exchange"}"#,
        ] {
            let json = Json::parse(text).unwrap();
            let record = AuditRecord::from_json(json.as_object().unwrap());
            assert_eq!(record.operation.as_deref(), Some("Send"));
            assert_eq!(record.time().unwrap().1, "2021-04-26T07:17:10");
            assert_eq!(record.client_ips[0].as_ref().unwrap().1, "1.2.3.4");
            assert_eq!(record.attrs.len(), 1, "{:?}", record.attrs);
        }
    }

    #[test]
    fn structured_fields_are_read_from_json_and_from_csv_text() {
        let params = r#"[{"Name":"Name","Value":"rule2"},{"Name":"StopProcessingRules","Value":"True"},{"Name":"Empty","Value":""}]"#;
        let modified = r#"[{"Name":"StrongAuthenticationMethod","NewValue":"[]"},{"Name":"Included Updated Properties","NewValue":"StrongAuthenticationMethod, StrongAuthenticationRequirement"}]"#;
        let item = r#"{"Subject":"email from HR","InternetMessageId":"<a@b>"}"#;
        let json =
            format!(r#"{{"Parameters":{params},"ModifiedProperties":{modified},"Item":{item}}}"#);
        let json = Json::parse(&json).unwrap();
        let from_json = AuditRecord::from_json(json.as_object().unwrap());

        let header = CsvHeader::new(vec![
            "Parameters".into(),
            "ModifiedProperties".into(),
            "Item".into(),
        ]);
        let values = [params, modified, item].map(String::from);
        let row = CsvRow {
            header: &header,
            values: &values,
        };
        let from_csv = AuditRecord::from_csv(&row);

        for record in [from_json, from_csv] {
            assert_eq!(record.parameters.len(), 2);
            assert_eq!(
                record.parameters[0],
                (Cow::from("Name"), Cow::from("rule2"))
            );
            assert_eq!(
                record.modified,
                [
                    "StrongAuthenticationMethod",
                    "StrongAuthenticationMethod",
                    "StrongAuthenticationRequirement"
                ]
            );
            assert_eq!(record.subject.as_deref(), Some("email from HR"));
            assert_eq!(record.message_id.as_deref(), Some("<a@b>"));
            assert!(record.attrs.is_empty());
        }
    }

    #[test]
    fn csv_rows_drop_copies_and_pick_the_best_time() {
        let header = CsvHeader::new(
            [
                "TimeGenerated [UTC]",
                "Start_Time [UTC]",
                "UserId",
                "UserId_",
                "TenantId",
                "Parameters",
            ]
            .map(String::from)
            .to_vec(),
        );
        let values = [
            "4/28/2021, 2:33:14.000 PM",
            "4/28/2021, 2:41:58.000 PM",
            "A@b.c",
            "A@b.c",
            "t",
            "not json",
        ]
        .map(String::from);
        let record = AuditRecord::from_csv(&CsvRow {
            header: &header,
            values: &values,
        });
        assert_eq!(record.time().unwrap().0, "TimeGenerated [UTC]");
        assert_eq!(record.user_id.as_deref(), Some("A@b.c"));
        assert_eq!(
            record.attrs,
            [(Cow::from("Parameters"), Cow::from("not json"))]
        );
    }

    #[test]
    fn long_keys_are_attributes() {
        let mut buf = [0u8; 32];
        assert_eq!(lower_key("CreationTime", &mut buf), "creationtime");
        assert_eq!(lower_key(&"K".repeat(40), &mut buf), "");
    }
}
