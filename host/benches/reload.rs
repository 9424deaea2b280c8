//! Hot reload: the time from a new version of a detector landing in the
//! watched plugins folder to that version being ready to serve the next
//! batch, with the compiled-artifact cache and without it.
//!
//! Each iteration writes one of two versions of `inbox-rule` (the bundled
//! component, and the same with a custom section appended) over the
//! plugin file, alternately, so every write is a change; it ends when the
//! watcher hands over the loaded, described and configured detector and it
//! is swapped into the set. The time includes the watcher's debounce
//! ([`palisade::pipeline::DEBOUNCE`]); the target with the cache is under
//! 200 ms.
//!
//! Run: `cargo bench -p palisade --bench reload`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use palisade::pipeline::{DetectorSet, PluginChange, PluginWatcher, ReloadContext};
use palisade::runtime::{
    ComponentCache, DetectorEngine, DetectorSettings, DetectorSource, Limits, MemoryStateStore,
    StateStore, bundled_detectors,
};

// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The bundled inbox-rule component and a second version of it.
fn two_versions() -> [Vec<u8>; 2] {
    let bundled = bundled_detectors()
        .iter()
        .find(|b| b.package == "inbox-rule")
        .expect("inbox-rule is bundled");
    let first = bundled.component.to_vec();
    let mut second = first.clone();
    let name = b"bench-version";
    second.extend_from_slice(&[0, (1 + name.len() + 1) as u8, name.len() as u8]);
    second.extend_from_slice(name);
    second.push(2);
    [first, second]
}

fn bench_reload(c: &mut Criterion, label: &str, cache: impl Fn(&Path) -> ComponentCache) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).expect("creating the plugins folder");
    let plugin = plugins.join("inbox.wasm");
    let versions = two_versions();
    std::fs::write(&plugin, &versions[0]).expect("writing the plugin");

    let engine = Arc::new(
        DetectorEngine::new(cache(dir.path()), Limits::default()).expect("the engine starts"),
    );
    let state: Arc<dyn StateStore> = Arc::new(MemoryStateStore::new());
    let settings = DetectorSettings::new();
    // Warm the cache (when there is one) with both versions.
    for bytes in &versions {
        let source = DetectorSource {
            origin: plugin.display().to_string(),
            bytes: bytes.as_slice().into(),
        };
        engine
            .load(&source, &settings, state.clone())
            .expect("inbox-rule loads");
    }
    let (mut set, errors) = DetectorSet::load(&engine, Some(&plugins), &settings, state.clone(), 3);
    assert!(errors.is_empty(), "{errors:?}");
    let context = ReloadContext {
        engine: engine.clone(),
        settings,
        state,
    };
    let watcher = PluginWatcher::start(&plugins, &set, context).expect("watching plugins");

    let mut next = 1;
    c.bench_function(label, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let landed = Instant::now();
                std::fs::write(&plugin, &versions[next]).expect("writing the plugin");
                next = 1 - next;
                match watcher.next_timeout(Duration::from_secs(60)) {
                    Some(change @ PluginChange::Loaded { .. }) => {
                        set.apply(change);
                    }
                    Some(PluginChange::Failed { error, .. }) => panic!("reload failed: {error}"),
                    _ => panic!("no reload within a minute"),
                }
                total += landed.elapsed();
            }
            total
        });
    });
}

fn reload_with_cache(c: &mut Criterion) {
    bench_reload(c, "reload/with_compiled_cache", |dir| {
        ComponentCache::in_dir(dir.join("cache"))
    });
}

fn reload_without_cache(c: &mut Criterion) {
    bench_reload(c, "reload/compiling", |_| ComponentCache::disabled());
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(20));
    targets = reload_with_cache, reload_without_cache
}
criterion_main!(benches);
