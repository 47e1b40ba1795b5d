#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // A fresh folder per input, in memory where there is one: these parsers write files.
    let scratch = tempfile::Builder::new()
        .tempdir_in(if std::path::Path::new("/dev/shm").is_dir() {
            "/dev/shm"
        } else {
            "/tmp"
        })
        .expect("a scratch folder");
    helpcenter::fuzzing::archive(data, scratch.path());
});
