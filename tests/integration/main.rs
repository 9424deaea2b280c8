//! Palisade's integration tests: the `palisade` binary run as a user runs
//! it, one module per feature.
//!
//! Tests that read the public sample logs in `../shared/data` skip with a
//! message when that folder is absent (a user's clone does not have it).

mod azure_run;
mod bad_input;
mod correlate;
mod correlate_history;
mod correlate_panther;
mod demo;
mod detector_state;
mod detectors_office;
mod detectors_story;
mod email_link;
mod enrich;
mod failing_detectors;
mod follow;
mod gws_run;
mod hot_reload;
mod learning_detectors;
mod m365_run;
mod okta_run;
mod panther_drive;
mod panther_mfa;
mod plugin_sdks;
mod plugin_test;
mod rare_domain;
mod rerun;
mod rules_reload;
mod sql;
mod support;
mod umbrella;
mod zeek;
