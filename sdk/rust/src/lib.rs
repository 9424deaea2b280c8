//! Write Palisade detectors in Rust.
//!
//! A detector is a WebAssembly component that implements the `detector`
//! world of `schemas/wit/detector.wit`: the host hands it a batch of events
//! as an Arrow IPC stream and reads findings back the same way. This crate
//! hides that plumbing behind one trait and one macro:
//!
//! ```
//! use palisade_sdk::testing::{Harness, TestEvent};
//! use palisade_sdk::{Context, Description, Detector, Error, Events, Finding, Findings, Settings};
//!
//! struct RootLogin;
//!
//! impl Detector for RootLogin {
//!     fn describe() -> Description {
//!         Description::new("root-login", "0.1.0", "Finds logins as root.")
//!             .kinds(["auth.login"])
//!             .columns(["user"])
//!     }
//!
//!     fn configure(_: &Settings) -> Result<Self, Error> {
//!         Ok(RootLogin)
//!     }
//!
//!     fn detect(&mut self, events: &Events, _: &mut Context, out: &mut Findings) -> Result<(), Error> {
//!         for event in events {
//!             if event.user() == Some("root") {
//!                 let finding = Finding::new("auth.root_login", 50, "Root login", "root logged in.");
//!                 out.push(finding.for_event(&event).user(event.user()));
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//!
//! palisade_sdk::export_detector!(RootLogin);
//!
//! let findings = Harness::<RootLogin>::new().run(&[
//!     TestEvent::new("auth.login").with("user", "root"),
//!     TestEvent::new("auth.login").with("user", "alice"),
//! ]);
//! assert_eq!(findings.len(), 1);
//! ```
//!
//! The pieces:
//!
//! - [`Detector`]: the trait a detector implements.
//! - [`Description`] and [`Settings`]: what it reads and how it is set up.
//! - [`Events`] and [`Event`]: typed, read-only rows of the input batch.
//! - [`Finding`] and [`Findings`]: what it returns.
//! - [`Context`]: the host's key-value state and log, and the batch's time.
//! - [`export_detector!`]: makes a type the component's implementation.
//! - [`testing`]: runs a detector natively, through the same Arrow encoding,
//!   over events and case files written as JSON.
//!
//! Panics in detector code trap the Wasm instance; the host counts that as
//! the detector's failure. Malformed input is reported as an [`Error`].

mod columns;
mod context;
mod description;
mod error;
mod event;
mod events;
mod findings;
mod guest;
mod ipc;
pub mod logins;
mod run;
mod settings;
mod state_cache;
pub mod testing;

pub use context::{Context, Level, TimeRange};
pub use description::{Description, SettingSpec};
pub use error::Error;
pub use event::{Attrs, Event, TextList};
pub use events::{EventIter, Events};
pub use findings::{Finding, Findings, IntoEntity, MAX_SEVERITY};
pub use settings::Settings;
pub use state_cache::StateCache;

/// A detector: describes itself, is configured once, then examines batches.
///
/// One value of the type lives in the Wasm instance between calls, so it
/// may keep in-memory caches; anything that must survive a restart or a new
/// version goes through [`Context`]'s state store.
pub trait Detector: Sized + 'static {
    /// Name, version, the event kinds and columns it reads, its settings.
    fn describe() -> Description;

    /// Builds the detector from its settings. Every setting declared in
    /// [`Detector::describe`] is present: defaults fill the ones the
    /// configuration leaves out.
    ///
    /// # Errors
    ///
    /// An error rejects the configuration; the host does not load the
    /// detector and reports the message.
    fn configure(settings: &Settings) -> Result<Self, Error>;

    /// Examines one batch of events and pushes findings to `out`.
    ///
    /// # Errors
    ///
    /// An error fails this batch alone: the host drops its findings and its
    /// state writes, and reports the message.
    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error>;
}

/// Exports a [`Detector`] as the component's implementation of the
/// `detector` world.
///
/// Use it once, in the detector's crate (built as a `cdylib` for
/// `wasm32-wasip2`). The instance keeps the configured detector between
/// calls; a `detect` that arrives before `configure` configures it with the
/// defaults. Outside Wasm the macro expands to nothing, so native builds and
/// tests of several detectors link together without symbol clashes.
#[macro_export]
macro_rules! export_detector {
    ($detector:ty) => {
        #[cfg(target_family = "wasm")]
        const _: () = {
            type PalisadeExportedDetector = $crate::__private::Export<$detector>;
            $crate::__private::bindings::export!(
                PalisadeExportedDetector with_types_in $crate::__private::bindings
            );
        };
    };
}

#[doc(hidden)]
pub mod __private {
    //! Used by [`export_detector!`](crate::export_detector); not a stable API.
    pub use crate::guest::{Export, bindings};
}
