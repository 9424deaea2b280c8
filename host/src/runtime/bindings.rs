//! Host-side bindings of the `detector` world, generated from the WIT.

wasmtime::component::bindgen!({
    path: "../schemas/wit",
    world: "detector",
});
