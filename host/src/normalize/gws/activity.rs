//! Reading one activity resource, whatever shape its events came in.

use crate::normalize::Attrs;

use crate::normalize::NormalizeError;
use crate::normalize::flatten::{Leaves, flatten, flatten_into, joined};
use crate::normalize::json::Json;

/// The fields of one activity that the mapping reads, borrowed from its
/// parsed JSON.
#[derive(Debug)]
pub(crate) struct Activity<'j, 'a> {
    /// `id.applicationName`.
    pub application: &'j str,
    /// `id.time`, not parsed yet.
    pub time: Option<&'j str>,
    pub unique_qualifier: Option<&'j str>,
    pub customer_id: Option<&'j str>,
    /// `actor.email`.
    pub email: Option<&'j str>,
    pub ip_address: Option<&'j str>,
    /// `networkInfo.regionCode`.
    pub region_code: Option<&'j str>,
    /// The event objects, at least one.
    pub events: Vec<&'j Json<'a>>,
    /// Whether the activity is its own single event (a flattened export).
    pub flattened: bool,
    /// The activity's other fields, flattened to dotted paths.
    pub attrs: Attrs,
}

/// Fields that have a column, describe the resource rather than the
/// activity, or are the events themselves: not repeated in `attrs`.
fn is_column_or_envelope(path: &str) -> bool {
    matches!(
        path,
        "kind"
            | "etag"
            | "events"
            | "name"
            | "type"
            | "parameters"
            | "id.time"
            | "actor.email"
            | "ipAddress"
            | "networkInfo.regionCode"
    ) || path.starts_with("p_")
}

impl<'j, 'a> Activity<'j, 'a> {
    /// Reads an activity object.
    ///
    /// # Errors
    ///
    /// When `id.applicationName` is missing, `id.time` is not a string, or
    /// `events` is neither a list of objects nor an object.
    pub(crate) fn read(json: &'j Json<'a>) -> Result<Self, NormalizeError> {
        let id = json.get_ignore_case("id");
        let id_text = |key| id.and_then(|id| id.get_ignore_case(key)).and_then(string);
        let application = id_text("applicationName")
            .ok_or_else(|| NormalizeError::missing("id.applicationName"))?;
        let time = match id.and_then(|id| id.get_ignore_case("time")) {
            None | Some(Json::Null) => None,
            Some(Json::Str(t)) if t.trim().is_empty() => None,
            Some(Json::Str(t)) => Some(t.as_ref()),
            Some(other) => return Err(invalid("id.time", "not a string", other)),
        };
        let actor = json.get_ignore_case("actor");
        let (events, flattened) = events_of(json)?;
        Ok(Activity {
            application,
            time,
            unique_qualifier: id_text("uniqueQualifier"),
            customer_id: id_text("customerId"),
            email: actor
                .and_then(|a| a.get_ignore_case("email"))
                .and_then(string),
            ip_address: json.get_ignore_case("ipAddress").and_then(string),
            region_code: json
                .get_ignore_case("networkInfo")
                .and_then(|n| n.get_ignore_case("regionCode"))
                .and_then(string),
            events,
            flattened,
            attrs: flatten(json, &is_column_or_envelope),
        })
    }
}

/// The event objects of an activity, and whether the activity is its own
/// event.
fn events_of<'j, 'a>(json: &'j Json<'a>) -> Result<(Vec<&'j Json<'a>>, bool), NormalizeError> {
    match json.get_ignore_case("events") {
        None | Some(Json::Null) => Ok((vec![json], true)),
        Some(one @ Json::Object(_)) => Ok((vec![one], false)),
        Some(Json::Array(items)) if items.is_empty() => {
            Err(NormalizeError::invalid("events", "an empty list", "[]"))
        }
        Some(Json::Array(items)) => {
            let events = items
                .iter()
                .map(|item| match item {
                    Json::Object(_) => Ok(item),
                    other => Err(invalid("events", "an item that is not an object", other)),
                })
                .collect::<Result<_, _>>()?;
            Ok((events, false))
        }
        Some(other) => Err(invalid("events", "not a list or an object", other)),
    }
}

/// The attributes of one event: the activity's fields, the event's own
/// fields (`type`, ...) and its parameters, later ones winning a clash.
pub(crate) fn event_attrs(activity: &Activity<'_, '_>, event: &Json<'_>) -> Attrs {
    let mut attrs = activity.attrs.clone();
    if activity.flattened {
        if let Some(t) = event.get_ignore_case("type").and_then(string) {
            attrs.insert("type", t.to_owned());
        }
    } else {
        let own = flatten(event, &|path| matches!(path, "name" | "parameters"));
        attrs.extend(own);
    }
    attrs.extend(parameters(event));
    attrs
}

/// The parameters of an event, flattened.
fn parameters(event: &Json<'_>) -> Attrs {
    let mut out = Leaves::new();
    match event.get_ignore_case("parameters") {
        None | Some(Json::Null) => {}
        Some(Json::Array(list)) => api_parameters(&mut String::new(), list, &mut out),
        Some(object @ Json::Object(_)) => {
            flatten_into(&mut String::new(), object, &mut out, &|_| false);
        }
        Some(other) => {
            flatten_into(&mut "parameters".to_owned(), other, &mut out, &|_| false);
        }
    }
    joined(out)
}

/// The API's `[{name, value | intValue | boolValue | multiValue |
/// multiIntValue | messageValue | multiMessageValue}]`, under `path`.
/// Message values are `{parameter: [...]}`: their parameters go under
/// `path.name.`. An entry without a `name` is flattened as it is.
fn api_parameters(path: &mut String, list: &[Json<'_>], out: &mut Leaves) {
    for entry in list {
        let (Some(name), Some(members)) = (
            entry.get_ignore_case("name").and_then(Json::as_str),
            entry.as_object(),
        ) else {
            flatten_into(path, entry, out, &|_| false);
            continue;
        };
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(name);
        for (key, value) in members {
            match key.as_ref() {
                "name" => {}
                "messageValue" => message(path, value, out),
                "multiMessageValue" => {
                    for one in value.as_array().unwrap_or_default() {
                        message(path, one, out);
                    }
                }
                _ => flatten_into(path, value, out, &|_| false),
            }
        }
        path.truncate(len);
    }
}

/// One `{parameter: [...]}` message value under `path`.
fn message(path: &mut String, value: &Json<'_>, out: &mut Leaves) {
    match value.get_ignore_case("parameter").and_then(Json::as_array) {
        Some(list) => api_parameters(path, list, out),
        None => flatten_into(path, value, out, &|_| false),
    }
}

/// A non-blank string value.
fn string<'j>(value: &'j Json<'_>) -> Option<&'j str> {
    value.as_str().filter(|s| !s.trim().is_empty())
}

/// An [`NormalizeError::Invalid`] quoting `value` as compact JSON.
fn invalid(field: &str, problem: &'static str, value: &Json<'_>) -> NormalizeError {
    let text = serde_json::to_string(value).unwrap_or_default();
    NormalizeError::invalid(field, problem, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(text: &str) -> Attrs {
        parameters(&Json::parse(text).unwrap())
    }

    #[test]
    fn api_and_flattened_parameters_give_the_same_attrs() {
        let api = params(
            r#"{"parameters":[
                {"name":"doc_title","value":"Q1.xlsx"},
                {"name":"primary_event","boolValue":true},
                {"name":"count","intValue":"12"},
                {"name":"new_value","multiValue":["can_view","can_edit"]},
                {"name":"ids","multiIntValue":["1","2"]},
                {"name":"message_info","messageValue":{"parameter":[
                    {"name":"subject","value":"Hi"},
                    {"name":"source","messageValue":{"parameter":[{"name":"address","value":"a@x.com"}]}},
                    {"name":"destination","multiMessageValue":[
                        {"parameter":[{"name":"address","value":"b@y.com"}]},
                        {"parameter":[{"name":"address","value":"c@y.com"}]}]}]}}]}"#,
        );
        let flat = params(
            r#"{"parameters":{"doc_title":"Q1.xlsx","primary_event":true,"count":12,
                "new_value":["can_view","can_edit"],"ids":[1,2],
                "message_info":{"subject":"Hi","source":{"address":"a@x.com"},
                "destination":[{"address":"b@y.com"},{"address":"c@y.com"}]}}}"#,
        );
        assert_eq!(api, flat);
        let get = |k: &str| api.get(k).map(String::as_str);
        assert_eq!(get("new_value"), Some("can_view, can_edit"));
        assert_eq!(get("message_info.source.address"), Some("a@x.com"));
        assert_eq!(
            get("message_info.destination.address"),
            Some("b@y.com, c@y.com")
        );
        assert_eq!(get("primary_event"), Some("true"));
    }

    #[test]
    fn events_come_as_a_list_an_object_or_the_activity_itself() {
        let list = Json::parse(r#"{"events":[{"name":"a"},{"name":"b"}]}"#).unwrap();
        let (events, flat) = events_of(&list).unwrap();
        assert_eq!((events.len(), flat), (2, false));
        let one = Json::parse(r#"{"events":{"name":"a"}}"#).unwrap();
        assert_eq!(events_of(&one).unwrap().0.len(), 1);
        let flattened = Json::parse(r#"{"name":"a","parameters":{}}"#).unwrap();
        assert!(events_of(&flattened).unwrap().1);

        for (text, want) in [
            (
                r#"{"events":"login"}"#,
                "parsing `events`: not a list or an object `\"login\"`",
            ),
            (r#"{"events":[]}"#, "parsing `events`: an empty list `[]`"),
            (
                r#"{"events":[{"name":"a"},3]}"#,
                "parsing `events`: an item that is not an object `3`",
            ),
        ] {
            let json = Json::parse(text).unwrap();
            assert_eq!(events_of(&json).unwrap_err().to_string(), want);
        }
    }
}
