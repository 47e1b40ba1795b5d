// Search as a visitor uses it, on the multilingual fixture site (tests/browser.rs builds it).
// SITE_URL serves the site at /, BASE_SITE_URL serves one built with a --base-url path.

import { SITE, assert, assertEqual, launch, openPage, run } from "./lib.mjs";

const browser = await launch();
const pages = [];

async function visit(path, site = SITE) {
  const page = await openPage(browser, site);
  pages.push(page);
  const response = await page.goto(site + path);
  assert(response, `no response for ${path}`);
  return page;
}

/**
 * Types `query` into the emptied search box and waits for the answer; returns it with the time
 * it took and the requests made meanwhile to other hosts (there must be none).
 */
async function search(page, query) {
  const input = page.locator("input[type=search]");
  await input.fill("");
  await input.click();
  const before = page.foreign.length;
  // At a fast typist's pace (about 8 keys a second), as a visitor types: the engine starts
  // loading when the box gets focus and has the time a word takes to type.
  await input.pressSequentially(query, { delay: 120 });
  // From the last key: what a visitor waits after typing the word.
  const started = Date.now();
  await page.waitForFunction(
    () => {
      const status = document.querySelector(".search [role=status]");
      return status && status.textContent && !/…$/.test(status.textContent);
    },
    null,
    { timeout: 5000 },
  );
  const elapsed = Date.now() - started;
  const results = await page.$$eval(".search-result", (items) =>
    items.map((item) => ({
      title: item.querySelector(".search-result-title").textContent,
      collection: item.querySelector(".search-result-collection")?.textContent ?? null,
      href: decodeURIComponent(new URL(item.querySelector("a").href).pathname),
      marks: [...item.querySelectorAll(".search-result-excerpt mark")].map((m) => m.textContent),
    })),
  );
  const status = await page.textContent(".search [role=status]");
  const foreign = page.foreign.slice(before);
  assertEqual(foreign, [], `requests to other hosts while searching for ${query}`);
  return { results, status, elapsed };
}

/** The first result is `title` at `href`, within a second of typing, with highlights. */
function assertFirst(answer, title, href) {
  assert(answer.results.length > 0, `no results (status: ${answer.status})`);
  assertEqual(answer.results[0].title, title, "first result's title");
  assertEqual(answer.results[0].href, href, "first result's link");
  assert(answer.elapsed < 1000, `results took ${answer.elapsed} ms (more than one second)`);
  console.log(`     ${title}: first of ${answer.results.length} results after ${answer.elapsed} ms`);
}

const failed = await run([
  [
    "every kind of page has a labelled search box in its header",
    async () => {
      for (const path of [
        "/en/",
        "/en/collections/201-getting-started/",
        "/en/articles/110-plans-and-pricing/",
        "/404.html",
        "/en/no-such-page/",
      ]) {
        const page = await visit(path);
        const box = page.getByRole("combobox", { name: "Search the help center" });
        assert(await box.isVisible(), `${path}: no visible search box`);
        assertEqual(await box.getAttribute("type"), "search", `${path}: input type`);
        assert(
          (await page.locator("header input[type=search]").count()) === 1,
          `${path}: the search box is not in the header`,
        );
      }
    },
  ],
  [
    "an English title word finds that article first, in English",
    async () => {
      const page = await visit("/en/");
      const answer = await search(page, "pricing");
      assertFirst(answer, "Plans and pricing", "/en/articles/110-plans-and-pricing/");
      assertEqual(answer.results[0].collection, "Account and billing", "its collection");
      assert(answer.results[0].marks.some((m) => /pricing/i.test(m)), "no highlighted match");
      assert(answer.results.every((r) => r.href.startsWith("/en/")), "a result outside /en/");
    },
  ],
  [
    "a German title word finds that article first, in German only",
    async () => {
      const page = await visit("/de/");
      const answer = await search(page, "Berechtigungen");
      assertFirst(answer, "Rollen und Berechtigungen", "/de/articles/108-rollen-und-berechtigungen/");
      const everything = await search(page, "Acme");
      assert(everything.results.length >= 3, `only ${everything.results.length} results for Acme`);
      const outside = everything.results.filter((r) => !r.href.startsWith("/de/"));
      assertEqual(outside, [], "results that are not German pages");
    },
  ],
  [
    "a Japanese word inside a title finds that article first (word segmentation)",
    async () => {
      const page = await visit("/ja/");
      const answer = await search(page, "同期");
      assertFirst(answer, "デバイス間でノートを同期する", "/ja/articles/103-デバイス間でノートを同期する/");
      assert(answer.results.every((r) => r.href.startsWith("/ja/")), "a result outside /ja/");
    },
  ],
  [
    "a query with no match says so",
    async () => {
      const page = await visit("/en/");
      const answer = await search(page, "qwxzvjk");
      assertEqual(answer.results, [], "results");
      assertEqual(answer.status, "No results for “qwxzvjk”", "status");
      assert(await page.locator(".search-panel").isVisible(), "the empty state is not shown");
    },
  ],
  [
    "keyboard: / focuses, arrows move, Enter opens, Escape closes",
    async () => {
      const page = await visit("/en/articles/101-getting-started-with-acme-notes/");
      await page.keyboard.press("/");
      assert(
        await page.evaluate(() => document.activeElement?.type === "search"),
        "/ did not focus the search box",
      );
      await page.keyboard.type("notebook");
      await page.waitForSelector(".search-result");
      const count = await page.locator(".search-result").count();
      assert(count >= 2, `${count} results for notebook`);
      const input = page.locator("input[type=search]");
      assertEqual(await input.getAttribute("aria-expanded"), "true", "aria-expanded");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      const selected = await page.locator(".search-result[aria-selected=true]").all();
      assertEqual(selected.length, 1, "selected options");
      const id = await selected[0].getAttribute("id");
      assertEqual(id, "search-option-0", "selected option after down, down, up");
      assertEqual(await input.getAttribute("aria-activedescendant"), id, "aria-activedescendant");
      const target = new URL(await selected[0].locator("a").getAttribute("href"), page.url()).pathname;
      await page.keyboard.press("Escape");
      assert(!(await page.locator(".search-panel").isVisible()), "Escape did not close the results");
      assertEqual(await input.getAttribute("aria-expanded"), "false", "aria-expanded after Escape");
      // Down on closed results opens them on the first one.
      await page.keyboard.press("ArrowDown");
      await Promise.all([page.waitForURL((url) => url.pathname === target), page.keyboard.press("Enter")]);
      assertEqual(new URL(page.url()).pathname, target, "page opened by Enter");
    },
  ],
  [
    "right-to-left locales show results right to left",
    async () => {
      const page = await visit("/ar/");
      const answer = await search(page, "مزامنة");
      assertFirst(answer, "مزامنة ملاحظاتك بين الأجهزة", "/ar/articles/103-مزامنة-ملاحظاتك-بين-الأجهزة/");
      const direction = await page.$eval(".search-panel", (el) => getComputedStyle(el).direction);
      assertEqual(direction, "rtl", "direction of the results");
    },
  ],
  [
    "search works on a site published under a path (--base-url .../help/)",
    async () => {
      const site = process.env.BASE_SITE_URL;
      assert(site, "BASE_SITE_URL is not set");
      const page = await visit("/en/articles/101-getting-started-with-acme-notes/", site);
      const answer = await search(page, "pricing");
      assertFirst(answer, "Plans and pricing", "/help/en/articles/110-plans-and-pricing/");
    },
  ],
  [
    "the search ran on the site's own files, and no script failed",
    async () => {
      const errors = pages.flatMap((p) => p.errors);
      assertEqual(errors, [], "script errors");
      const searched = pages.flatMap((p) => p.requests).filter((u) => u.includes("/pagefind/"));
      assert(searched.length > 0, "no request reached a search index");
    },
  ],
]);
await browser.close();
process.exit(failed ? 1 : 0);
