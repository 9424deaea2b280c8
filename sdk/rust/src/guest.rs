//! The Wasm side: the WIT bindings, and the implementation of the world's
//! exports that [`export_detector!`](crate::export_detector) installs.
//!
//! The instance holds one configured detector in a thread-local slot (a
//! component instance is single-threaded). `configure` replaces it; a
//! `detect` that finds the slot empty configures with the defaults first.

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;

use crate::context::HostServices;
use crate::{Description, Detector, Error, Level, run};

#[doc(hidden)]
pub mod bindings {
    //! Generated from `schemas/wit/detector.wit` by `wit-bindgen`.

    wit_bindgen::generate!({
        path: "../../schemas/wit",
        world: "detector",
        pub_export_macro: true,
        export_macro_name: "export",
        default_bindings_module: "palisade_sdk::__private::bindings",
    });
}

use bindings::palisade::detector::{log, state, types};

thread_local! {
    /// The configured detector, as `D` of the exported `Export<D>`.
    static DETECTOR: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// The world's exports for detector `D`.
pub struct Export<D>(PhantomData<D>);

/// Sends a panic's message to the host's log before the instance traps, so
/// the host can say why a detector failed (a guest has no stderr).
fn report_panics() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            log::write(log::Level::Error, &format!("panicked: {info}"));
        }));
    });
}

impl<D: Detector> bindings::Guest for Export<D> {
    fn describe() -> types::Description {
        report_panics();
        to_wit(D::describe())
    }

    fn configure(settings: Vec<(String, String)>) -> Result<(), String> {
        report_panics();
        let detector = run::configure::<D>(settings).map_err(|e| e.to_string())?;
        DETECTOR.with(|slot| *slot.borrow_mut() = Some(Box::new(detector)));
        Ok(())
    }

    fn detect(events: Vec<u8>) -> Result<Vec<u8>, String> {
        report_panics();
        DETECTOR
            .with(|slot| {
                let mut slot = slot.borrow_mut();
                if slot.as_ref().is_none_or(|d| !d.is::<D>()) {
                    *slot = Some(Box::new(run::configure::<D>(Vec::new())?));
                }
                let detector = slot
                    .as_mut()
                    .and_then(|d| d.downcast_mut::<D>())
                    .ok_or_else(|| Error::msg("the detector slot holds another type"))?;
                run::detect(detector, events, &mut WitHost)
            })
            .map_err(|e| e.to_string())
    }
}

fn to_wit(d: Description) -> types::Description {
    types::Description {
        name: d.name,
        version: d.version,
        summary: d.summary,
        kinds: d.kinds,
        columns: d.columns,
        settings: d
            .settings
            .into_iter()
            .map(|s| types::Setting {
                name: s.name,
                description: s.description,
                default_value: s.default_value,
            })
            .collect(),
    }
}

/// State and log through the WIT imports.
struct WitHost;

impl HostServices for WitHost {
    fn state_get(&mut self, key: &str) -> Option<Vec<u8>> {
        state::get(key)
    }

    fn state_put(&mut self, key: &str, value: &[u8]) {
        state::put(key, value);
    }

    fn state_delete(&mut self, key: &str) {
        state::delete(key);
    }

    fn log(&mut self, level: Level, message: &str) {
        let level = match level {
            Level::Trace => log::Level::Trace,
            Level::Debug => log::Level::Debug,
            Level::Info => log::Level::Info,
            Level::Warn => log::Level::Warn,
            Level::Error => log::Level::Error,
        };
        log::write(level, message);
    }
}
