//! The behaviour cases in `cases/*.json`, run natively.

#[test]
fn behaviour_cases() {
    palisade_sdk::testing::assert_cases_in_dir::<{{crate}}::Plugin>(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/cases"
    ));
}
