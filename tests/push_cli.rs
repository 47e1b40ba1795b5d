//! `helpcenter push` as CI runs it: pull, export, edit, dry-run, push, and a conflict's exit code.

mod support;

use std::path::Path;

use support::cli::{self, assert_code};

const ARTICLE: &str = "content/en/account-and-billing/111-update-your-payment-method.md";

#[test]
fn edit_dry_run_push_and_conflict() {
    let (server, dir) = cli::pulled_and_exported();
    let cwd = dir.path();

    let unchanged = assert_code(&cli::run(&server, cwd, &["push"]), 0);
    assert!(
        unchanged.starts_with("pushed 0 files (0 created), "),
        "{unchanged}"
    );
    assert_eq!(server.writes(), Vec::<String>::new());

    let path = cwd.join(ARTICLE);
    let original = std::fs::read_to_string(&path).unwrap();
    let edited = original.replacen("Enter the new card", "Type the new card", 1);
    assert_ne!(original, edited, "the fixture text changed");
    std::fs::write(&path, &edited).unwrap();

    let dry = assert_code(&cli::run(&server, cwd, &["push", "--dry-run"]), 0);
    assert!(
        dry.contains(
            "en/account-and-billing/111-update-your-payment-method.md: would update [body]"
        ),
        "{dry}"
    );
    assert!(dry.contains("+3. Type the new card"), "{dry}");
    // The exact body sent: Intercom's, with the edited block (the list) changed.
    let sent: Vec<&str> = dry
        .lines()
        .skip_while(|l| *l != "    body as sent (HTML, a line per block):")
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .filter(|l| l.starts_with("    -") || l.starts_with("    +"))
        .collect();
    assert_eq!(sent[..2], ["    --- intercom", "    +++ sent"], "{dry}");
    assert_eq!(sent.len(), 4, "{dry}");
    assert!(sent[2].starts_with("    -<ol><li>"), "{dry}");
    let expected = sent[2].replacen("    -", "    +", 1).replacen(
        "Enter the new card",
        "Type the new card",
        1,
    );
    assert_eq!(sent[3], expected);
    assert_eq!(server.writes(), Vec::<String>::new());

    let pushed = assert_code(&cli::run(&server, cwd, &["push"]), 0);
    assert!(
        pushed.starts_with(
            "en/account-and-billing/111-update-your-payment-method.md: updated [body]"
        ),
        "{pushed}"
    );
    assert_eq!(server.writes(), vec!["PUT /articles/111"]);
    let workspace = server.workspace();
    let remote = &workspace.article("111").unwrap()["translated_content"]["en"]["body"];
    assert!(remote.as_str().unwrap().contains("Type the new card"));

    // A colleague edits the French version in Intercom; the writer edits it here too.
    server.update_workspace(|ws| {
        let fr = &mut ws.article_mut("111").unwrap()["translated_content"]["fr"];
        fr["title"] = "Modifier votre moyen de paiement".into();
        fr["updated_at"] = 1_900_000_000.into();
    });
    let fr_path = cwd.join("content/fr");
    let fr_file = walkdir::WalkDir::new(&fr_path)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("111-"))
        .unwrap();
    let fr_text = std::fs::read_to_string(&fr_file).unwrap();
    std::fs::write(
        &fr_file,
        fr_text.replacen("description: \"", "description: \"Nouveau. ", 1),
    )
    .unwrap();
    let before = server.writes().len();
    let conflict = cli::run(&server, cwd, &["push"]);
    let out = assert_code(&conflict, 3);
    assert!(out.contains(": conflict"), "{out}");
    assert_eq!(server.writes().len(), before, "a conflict must not write");
    let workspace = server.workspace();
    let title = &workspace.article("111").unwrap()["translated_content"]["fr"]["title"];
    assert_eq!(title, "Modifier votre moyen de paiement");
}

/// Every object of a snapshot, as `kind/id` -> JSON.
fn objects(dir: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    use helpcenter::snapshot::{ObjectKind, Snapshot};
    let snapshot = Snapshot::open(dir).unwrap();
    let kinds = [
        (ObjectKind::HelpCenter, "help_centers"),
        (ObjectKind::Collection, "collections"),
        (ObjectKind::Article, "articles"),
    ];
    let mut all = std::collections::BTreeMap::new();
    for (kind, name) in kinds {
        for object in snapshot.objects(kind).unwrap() {
            all.insert(format!("{name}/{}", object.id), object.value);
        }
    }
    all
}

/// The JSON pointers where `a` and `b` differ, `updated_at` values excepted.
fn differences(a: &serde_json::Value, b: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys.into_iter().filter(|k| *k != "updated_at") {
                let (u, v) = (x.get(key), y.get(key));
                let null = Value::Null;
                differences(
                    u.unwrap_or(&null),
                    v.unwrap_or(&null),
                    &format!("{at}/{key}"),
                    out,
                );
            }
        }
        _ if a != b => out.push(at.to_string()),
        _ => {}
    }
}

/// The file of the tree under `dir` whose name starts with `prefix`, or whose text has `needle`.
fn find_file(dir: &Path, matches: impl Fn(&Path, &str) -> bool) -> std::path::PathBuf {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.is_file())
        .find(|p| matches(p, &std::fs::read_to_string(p).unwrap()))
        .unwrap_or_else(|| panic!("no such file under {}", dir.display()))
}

#[test]
fn a_writer_edits_creates_and_translates_then_a_pull_shows_exactly_that() {
    let (server, dir) = cli::pulled_and_exported();
    let cwd = dir.path();
    let before = objects(&cwd.join("snapshot"));

    // A text change, a title change, a new collection with a new article, a new translation.
    let path = cwd.join(ARTICLE);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("Enter the new card", "Type the new card", 1),
    )
    .unwrap();
    let name = |prefix: &'static str| {
        move |p: &Path, _: &str| p.file_name().unwrap().to_string_lossy().starts_with(prefix)
    };
    let retitled = find_file(&cwd.join("content/en"), name("109-"));
    let text = std::fs::read_to_string(&retitled).unwrap();
    let title = text.lines().find(|l| l.starts_with("title: ")).unwrap();
    std::fs::write(
        &retitled,
        text.replacen(title, "title: \"A clearer title\"", 1),
    )
    .unwrap();
    let fresh = cwd.join("content/en/new-things");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::write(
        fresh.join("_index.md"),
        "---\ntitle: \"New things\"\ndescription: \"What is new.\"\n---\n",
    )
    .unwrap();
    std::fs::write(
        fresh.join("sharing.md"),
        "---\ntitle: \"Sharing notes\"\nauthor_id: \"5017691\"\nstate: published\n---\n\nPress **Share**.\n",
    )
    .unwrap();
    let en_114 = find_file(&cwd.join("content/en"), name("114-"));
    let fr_201 = find_file(&cwd.join("content/fr"), |p, text| {
        p.ends_with("_index.md") && text.contains("id: \"201\"")
    });
    let fr_114 = fr_201.with_file_name(en_114.file_name().unwrap());
    let text = std::fs::read_to_string(&en_114).unwrap();
    let title = text.lines().find(|l| l.starts_with("title: ")).unwrap();
    let translated = text
        .replacen("locale: \"en\"", "locale: \"fr\"", 1)
        .replacen(title, "title: \"Un nouvel article\"", 1);
    std::fs::write(&fr_114, translated).unwrap();

    let pushed = assert_code(&cli::run(&server, cwd, &["push"]), 0);
    assert!(pushed.contains("pushed 5 files (2 created)"), "{pushed}");
    assert_code(
        &cli::run(
            &server,
            cwd,
            &["pull", "--quiet", "--snapshot", "snapshot2"],
        ),
        0,
    );
    let after = objects(&cwd.join("snapshot2"));

    let mut found = Vec::new();
    for (key, old) in &before {
        differences(old, &after[key], key, &mut found);
    }
    let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert_eq!(new.len(), 2, "{new:?}");
    // Exactly the edits: 109's title (its unchanged body is sent back as Intercom has it, since
    // the schema wants a body with every locale), 111's text, 114's new French translation; the
    // top-level fields mirror the default locale.
    assert_eq!(
        found,
        [
            "articles/109/title",
            "articles/109/translated_content/en/title",
            "articles/111/body",
            "articles/111/translated_content/en/body",
            "articles/114/translated_content/fr",
        ]
    );
    let rendered = |file: &Path| {
        let text = std::fs::read_to_string(file).unwrap();
        let body = text.splitn(3, "---\n").nth(2).unwrap();
        helpcenter::markdown::markdown_to_html(body.trim_start_matches('\n'))
    };
    let en = |id: &str| after[&format!("articles/{id}")]["translated_content"]["en"].clone();
    assert_eq!(en("109")["title"], "A clearer title");
    // 111's body is Intercom's with the edited list item changed, byte for byte.
    let old_111 = before["articles/111"]["translated_content"]["en"]["body"]
        .as_str()
        .unwrap();
    assert_eq!(
        en("111")["body"],
        old_111.replacen("Enter the new card", "Type the new card", 1)
    );
    let fr = &after["articles/114"]["translated_content"]["fr"];
    assert_eq!(fr["title"], "Un nouvel article");
    assert_eq!(fr["body"], rendered(&fr_114).as_str());

    // Sorted by key: `articles/...` before `collections/...`.
    let article = after[new[0].as_str()].clone();
    let collection = after[new[1].as_str()].clone();
    assert!(new[0].starts_with("articles/") && new[1].starts_with("collections/"));
    assert_eq!(collection["name"], "New things");
    assert_eq!(collection["description"], "What is new.");
    assert_eq!(collection["parent_id"], serde_json::Value::Null);
    // Like the fixture's articles: a numeric `parent_id`, a string collection `id`.
    let collection_id: i64 = collection["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(article["parent_id"], collection_id);
    assert_eq!(article["title"], "Sharing notes");
    assert_eq!(article["state"], "published");
    assert_eq!(
        article["body"],
        rendered(&fresh.join("sharing.md")).as_str()
    );

    // The ids are in the files, so pushing again sends nothing.
    server.clear_requests();
    let again = assert_code(&cli::run(&server, cwd, &["push"]), 0);
    assert!(again.starts_with("pushed 0 files (0 created), "), "{again}");
    assert_eq!(server.writes(), Vec::<String>::new());
}

#[test]
fn new_articles_take_default_author_id_from_helpcenter_toml() {
    let (server, dir) = cli::pulled_and_exported();
    let cwd = dir.path();
    std::fs::write(cwd.join("helpcenter.toml"), "default_author_id = \"991\"\n").unwrap();
    let folder = std::path::Path::new(ARTICLE).parent().unwrap();
    let new = "---\ntitle: \"Refunds\"\ndescription: \"How refunds work.\"\n---\n\nAsk us.\n";
    std::fs::write(cwd.join(folder).join("refunds.md"), new).unwrap();

    let stdout = assert_code(&cli::run(&server, cwd, &["push", "--json"]), 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["failed"].as_u64()),
        (Some(1), Some(0))
    );
    let posts: Vec<serde_json::Value> = (server.requests().into_iter())
        .filter(|r| r.method == "POST" && r.path == "/articles")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["author_id"], 991);
    assert_eq!(posts[0]["title"], "Refunds");

    // Without the file's setting, the same kind of file is refused before anything is sent.
    std::fs::remove_file(cwd.join("helpcenter.toml")).unwrap();
    std::fs::write(
        cwd.join(folder).join("returns.md"),
        new.replace("Refunds", "Returns"),
    )
    .unwrap();
    server.clear_requests();
    let refused = cli::run(&server, cwd, &["push"]);
    assert_code(&refused, 2);
    assert!(cli::text(&refused.stderr).contains("default_author_id"));
    assert_eq!(server.writes(), Vec::<String>::new());
}

#[test]
fn a_path_that_matches_nothing_and_an_unknown_locale_folder_are_refused() {
    let (server, dir) = cli::pulled_and_exported();
    let cwd = dir.path();
    let output = cli::run(&server, cwd, &["push", "nonexistent/path.md"]);
    assert_code(&output, 2);
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: nonexistent/path.md matches no file of the tree content (nor one it was \
         exported with)\n"
    );
    // A deleted file can still be named: the base record knows it.
    std::fs::remove_file(cwd.join(ARTICLE)).unwrap();
    let deleted = ARTICLE.trim_start_matches("content/");
    assert_code(&cli::run(&server, cwd, &["push", "--dry-run", deleted]), 0);

    // A translation in a locale Intercom does not have is never sent.
    let xx = cwd.join("content/xx/account-and-billing");
    std::fs::create_dir_all(&xx).unwrap();
    std::fs::write(
        xx.join("111-xx.md"),
        "---\ntitle: \"Xx\"\nid: \"111\"\nlocale: \"xx\"\n---\n\nXx\n",
    )
    .unwrap();
    let output = cli::run(&server, cwd, &["push"]);
    assert_code(&output, 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("content/xx: not a locale folder: Intercom has no locale \"xx\""),
        "{stderr}"
    );
    assert_eq!(server.writes(), Vec::<String>::new());
}
