//! Renders the column tables as the Markdown reference in `COLUMNS.md`.

use std::fmt::Write;

use crate::{
    Column, DEAD_LETTER_COLUMNS, DETECTOR_OUTPUT_COLUMNS, DETECTOR_RUN_COLUMNS, EVENT_COLUMNS,
    FINDING_COLUMNS, INCIDENT_COLUMNS,
};

/// The text of `schemas/COLUMNS.md`: every column of every table with its
/// Arrow type, meaning and OCSF/ECS counterparts.
pub fn columns_reference() -> String {
    let mut out = String::from(
        "# Palisade columns\n\n\
         Generated from `schemas/src/columns.rs` by \
         `PALISADE_BLESS=1 cargo test -p palisade-schemas`; do not edit by hand.\n\
         Timestamps are microseconds since the Unix epoch, UTC. A column that is \
         not required may be null.\n",
    );
    let tables: [(&str, &str, &[Column]); 6] = [
        (
            "events",
            "One row per normalized log record.",
            EVENT_COLUMNS,
        ),
        (
            "detector output",
            "What `detect` returns: the host adds `finding_id` and the provenance columns.",
            DETECTOR_OUTPUT_COLUMNS,
        ),
        (
            "findings",
            "Findings as stored in history.",
            FINDING_COLUMNS,
        ),
        (
            "dead_letters",
            "Records that could not be normalized.",
            DEAD_LETTER_COLUMNS,
        ),
        (
            "detector_runs",
            "One row per detector call: rows in, findings out, time, memory and outcome.",
            DETECTOR_RUN_COLUMNS,
        ),
        (
            "incidents",
            "Incidents as stored in history: one row per version; the latest `updated_at` is current.",
            INCIDENT_COLUMNS,
        ),
    ];
    for (name, about, columns) in tables {
        write_table(&mut out, name, about, columns);
    }
    out
}

fn write_table(out: &mut String, name: &str, about: &str, columns: &[Column]) {
    let _ = write!(
        out,
        "\n## {name}\n\n{about}\n\n\
         | column | Arrow type | required | meaning | OCSF | ECS |\n\
         |---|---|---|---|---|---|\n"
    );
    for c in columns {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            c.name,
            c.ty.arrow_name(),
            if c.required { "yes" } else { "" },
            c.meaning,
            code_or_dash(c.ocsf),
            code_or_dash(c.ecs),
        );
    }
}

fn code_or_dash(name: &str) -> String {
    if name.is_empty() {
        "-".to_owned()
    } else {
        format!("`{name}`")
    }
}
