//! The bundled demo snapshot (`examples/demo`) must stay what a pull of the `multilingual`
//! fixture workspace gives, and must verify. Regenerate it with
//! `UPDATE_DEMO=1 cargo test --test demo`.

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use helpcenter::snapshot::{verify_files, ObjectKind, Snapshot};
use support::fake_intercom::FakeIntercom;
use support::workspace::Workspace;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo")
}

fn pull_demo(target: &Path) {
    let server = FakeIntercom::start(Workspace::load("multilingual"));
    let output = Command::cargo_bin("helpcenter")
        .unwrap()
        .env("INTERCOM_TOKEN", FakeIntercom::TOKEN)
        .args([
            "pull",
            "--quiet",
            "--api-base",
            &server.base_url(),
            "--snapshot",
        ])
        .arg(target)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn demo_snapshot_is_the_pull_of_the_multilingual_fixture() {
    if std::env::var_os("UPDATE_DEMO").is_some() {
        pull_demo(&demo_dir());
    }
    let demo = Snapshot::open(&demo_dir()).expect("examples/demo is a snapshot");
    assert_eq!(verify_files(&demo), Vec::<String>::new());

    let scratch = tempfile::tempdir().unwrap();
    let fresh_dir = scratch.path().join("demo");
    pull_demo(&fresh_dir);
    let fresh = Snapshot::open(&fresh_dir).unwrap();
    // Everything but the time of the pull and the fake server's port is reproducible.
    assert_eq!(demo.manifest.files, fresh.manifest.files);
    assert_eq!(demo.manifest.counts, fresh.manifest.counts);
    assert_eq!(demo.manifest.locales, fresh.manifest.locales);
    for kind in ObjectKind::ALL {
        let ids = |s: &Snapshot| -> Vec<String> {
            s.objects(kind).unwrap().into_iter().map(|o| o.id).collect()
        };
        assert_eq!(ids(&demo), ids(&fresh), "{kind:?}");
    }
}
