//! `chargefinder check FILE`, run as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure should stop the test

use std::process::Command;

use serde_json::Value;

fn check(file: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chargefinder")).args(["check", file]).output().expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(rel: &str) -> String {
    format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn small_fixture_report() {
    let (ok, stdout, stderr) = check(&path("tests/fixtures/two_locations.json"));
    assert!(ok, "{stderr}");
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["locations_seen"], 2);
    assert_eq!(r["locations"], 1);
    assert_eq!(r["evses"], 1);
    assert_eq!(r["connectors"], 1);
    assert_eq!(r["skipped"], 1);
    assert_eq!(r["repaired"], 1);
    let problems = r["problems"].as_array().unwrap();
    let repaired = problems.iter().find(|p| p["kind"] == "repaired").unwrap();
    assert_eq!(repaired["location_id"], "L1");
    assert_eq!(repaired["evse_uid"], "E1");
    assert_eq!(repaired["path"], "[0].evses[0].connectors[0].standard");
    let skipped = problems.iter().find(|p| p["kind"] == "skipped").unwrap();
    assert_eq!(skipped["location_id"], "L2");
    assert_eq!(skipped["path"], "[1].coordinates");
}

#[test]
fn whole_nl_feed() {
    let (ok, stdout, stderr) = check(&path("../data/nl/locations.json.gz"));
    assert!(ok, "{stderr}");
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["locations"], 25_909);
    assert_eq!(r["evses"], 64_114);
    assert_eq!(r["connectors"], 64_376);
    assert_eq!(r["skipped"], 0);
    assert_eq!(r["repaired"], 56);
    let problems = r["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 56);
    assert!(problems.iter().all(|p| p["reason"].as_str().unwrap().contains("IEC_60309_2_")));
}

#[test]
fn not_json_fails_clearly() {
    let dir = std::env::temp_dir().join(format!("chargefinder-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("not.json");
    std::fs::write(&file, "<html>this is not OCPI</html>").unwrap();
    let (ok, stdout, stderr) = check(file.to_str().unwrap());
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.contains("not valid JSON"), "{stderr}");
    assert!(stderr.contains("not.json"), "the message names the file: {stderr}");
    let (ok, _, stderr) = check(dir.join("missing.json").to_str().unwrap());
    assert!(!ok && stderr.contains("cannot read"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
