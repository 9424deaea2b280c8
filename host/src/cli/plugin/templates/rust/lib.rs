//! {{name}}: a login from a country that is not on the allowed list.
//!
//! Build with `palisade plugin build`; test natively with `cargo test` and
//! in the sandbox with `palisade plugin test dist/{{name}}.wasm cases/`.

use std::collections::HashSet;

use palisade_sdk::{Context, Description, Detector, Error, Events, Finding, Findings, Settings};

/// The detector.
pub struct Plugin {
    allowed: HashSet<String>,
}

impl Detector for Plugin {
    fn describe() -> Description {
        Description::new(
            "{{name}}",
            "0.1.0",
            "A login from a country that is not on the allowed list.",
        )
        .kinds(["auth.login"])
        .columns(["user", "src_ip", "src_country"])
        .setting(
            "allowed_countries",
            "US",
            "Comma-separated ISO country codes logins may come from.",
        )
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        let allowed = settings.get_list("allowed_countries")?;
        Ok(Plugin {
            allowed: allowed.iter().map(|c| c.to_uppercase()).collect(),
        })
    }

    fn detect(&mut self, events: &Events, _: &mut Context, out: &mut Findings) -> Result<(), Error> {
        for event in events {
            let Some(country) = event.src_country().map(str::to_uppercase) else {
                continue;
            };
            if country.is_empty() || self.allowed.contains(&country) {
                continue;
            }
            let user = event.user().unwrap_or("someone");
            let finding = Finding::new(
                "login.unexpected_country",
                40,
                "Login from an unexpected country",
                format!("{user} logged in from {country}, which is not on the allowed list."),
            );
            out.push(
                finding
                    .for_event(&event)
                    .user(event.user())
                    .ip(event.src_ip())
                    .mitre("T1078")
                    .attr("country", country),
            );
        }
        Ok(())
    }
}

palisade_sdk::export_detector!(Plugin);
