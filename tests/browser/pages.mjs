// The built pages as readers meet them, on the multilingual fixture site plus an article with
// a table of Intercom's light cells and images (tests/browser.rs builds it): axe-core finds no
// serious or critical problem in light and dark mode, keyboard use works, right-to-left
// alignment is the writer's, and screenshots of each page at phone and desktop widths are
// written under target/ for a person to look at.

import { createRequire } from "node:module";
import path from "node:path";

import { SHOTS, SITE, assert, assertEqual, launch, openPage, run } from "./lib.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

const PAGES = {
  home: "/en/",
  collection: "/en/collections/202-writing-and-organizing/",
  "article-table-images": "/en/articles/115-appearance-settings-at-a-glance/",
  "article-rtl": "/ar/articles/103-مزامنة-ملاحظاتك-بين-الأجهزة/",
  "not-found": "/en/no-such-page/",
};
const WIDTHS = { phone: { width: 375, height: 812 }, desktop: { width: 1280, height: 900 } };
const SCHEMES = ["light", "dark"];

const browser = await launch();

/** Opens `page` of the site in `scheme` at `width`. */
async function visit(name, scheme, width) {
  const page = await openPage(browser, SITE, { colorScheme: scheme, viewport: WIDTHS[width] });
  const response = await page.goto(SITE + encodeURI(PAGES[name]));
  assert(response, `no response for ${PAGES[name]}`);
  const expected = name === "not-found" ? 404 : 200;
  assertEqual(response.status(), expected, `status of ${PAGES[name]}`);
  return page;
}

/** axe-core's serious and critical violations of the page, one line each. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // WCAG 2.x A and AA, and the best practices (landmarks, one h1, ...).
    window.axe.run(document, { resultTypes: ["violations"] }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")}: ${n.failureSummary}`));
}

const checks = [];
for (const name of Object.keys(PAGES)) {
  for (const scheme of SCHEMES) {
    checks.push([
      `${name} in ${scheme} mode: no serious or critical axe violations; screenshots`,
      async () => {
        for (const width of Object.keys(WIDTHS)) {
          const page = await visit(name, scheme, width);
          const file = path.join(SHOTS, `${name}-${scheme}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true });
          const found = await violations(page);
          assertEqual(found, [], `axe on ${PAGES[name]} (${scheme}, ${width})`);
          assertEqual(page.foreign, [], "requests to other hosts");
          assertEqual(page.errors, [], "script errors");
          await page.context().close();
        }
      },
    ]);
  }
}

checks.push([
  "the light table cells read dark on light in dark mode too",
  async () => {
    const page = await visit("article-table-images", "dark", "desktop");
    const cell = await page.$eval(".article-body td[style*='#e3e7fa']", (td) => {
      const style = getComputedStyle(td);
      return { color: style.color, background: style.backgroundColor };
    });
    assertEqual(cell, { color: "rgb(28, 30, 33)", background: "rgb(227, 231, 250)" }, "header cell");
    const page_bg = await page.$eval("body", (b) => getComputedStyle(b).backgroundColor);
    assertEqual(page_bg, "rgb(21, 23, 26)", "the page itself is dark");
    await page.context().close();
  },
]);

checks.push([
  "a right-aligned paragraph of an Arabic article is on the right",
  async () => {
    const page = await visit("article-rtl", "light", "desktop");
    const geometry = await page.$eval(".article-body .intercom-align-right", (p) => {
      const range = document.createRange();
      range.selectNodeContents(p);
      const text = range.getBoundingClientRect();
      const box = p.getBoundingClientRect();
      return { align: getComputedStyle(p).textAlign, gapRight: box.right - text.right, gapLeft: text.left - box.left };
    });
    assertEqual(geometry.align, "right", "text-align");
    assert(geometry.gapRight < 2 && geometry.gapLeft > 20, `text is not against the right edge: ${JSON.stringify(geometry)}`);
    const dir = await page.$eval("html", (html) => html.dir);
    assertEqual(dir, "rtl", "page direction");
    await page.context().close();
  },
]);

checks.push([
  "keyboard: skip link first, then the language switcher opens and leads to a translation",
  async () => {
    const page = await visit("article-rtl", "light", "desktop");
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => ({
      text: document.activeElement.textContent,
      href: document.activeElement.getAttribute("href"),
      visible: document.activeElement.getBoundingClientRect().top >= 0,
    }));
    assertEqual(first, { text: "انتقل إلى المحتوى", href: "#main", visible: true }, "first Tab stop");
    // On to the language switcher's summary, then open it with Enter.
    for (let i = 0; i < 10; i++) {
      const tag = await page.evaluate(() => document.activeElement.tagName);
      if (tag === "SUMMARY") break;
      await page.keyboard.press("Tab");
    }
    const summary = await page.evaluate(() => document.activeElement.textContent);
    assertEqual(summary, "اللغة: العربية", "the switcher says what it is and which language is on");
    await page.keyboard.press("Enter");
    assert(await page.$eval(".languages details", (d) => d.open), "Enter opens the switcher");
    const options = [];
    for (let i = 0; i < 2; i++) {
      await page.keyboard.press("Tab");
      options.push(
        await page.evaluate(() => ({
          text: document.activeElement.textContent,
          lang: document.activeElement.getAttribute("lang"),
          current: document.activeElement.getAttribute("aria-current"),
        })),
      );
    }
    assertEqual(
      options,
      [
        { text: "العربية", lang: "ar", current: "page" },
        { text: "Deutsch", lang: "de", current: null },
      ],
      "the languages offered, the current one marked",
    );
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    assertEqual(
      decodeURIComponent(new URL(page.url()).pathname),
      "/de/articles/103-notizen-geräteübergreifend-synchronisieren/",
      "the German page",
    );
    await page.context().close();
  },
]);

checks.push([
  "the table of contents is beside the body on a desktop and folded above it on a phone",
  async () => {
    const desktop = await visit("article-table-images", "light", "desktop");
    const wide = await desktop.evaluate(() => {
      const aside = document.querySelector(".toc-aside");
      const body = document.querySelector(".article-body");
      return {
        aside: getComputedStyle(aside).display,
        folded: getComputedStyle(document.querySelector(".toc-folded")).display,
        beside: aside.getBoundingClientRect().left >= body.getBoundingClientRect().right,
        entries: [...aside.querySelectorAll("a")].map((a) => a.textContent),
      };
    });
    assertEqual(
      wide,
      {
        aside: "block",
        folded: "none",
        beside: true,
        entries: ["Where the settings are", "The settings at a glance", "Dark mode"],
      },
      "desktop",
    );
    await desktop.context().close();
    const phone = await visit("article-table-images", "light", "phone");
    const narrow = await phone.evaluate(() => ({
      aside: getComputedStyle(document.querySelector(".toc-aside")).display,
      open: document.querySelector(".toc-folded").open,
      above:
        document.querySelector(".toc-folded").getBoundingClientRect().bottom <=
        document.querySelector(".article-body").getBoundingClientRect().top,
    }));
    assertEqual(narrow, { aside: "none", open: false, above: true }, "phone");
    await phone.click(".toc-folded summary");
    await phone.click(".toc-folded a >> text=Dark mode");
    assertEqual(new URL(phone.url()).hash, "#h_5f6a7b8c9d", "the entry leads to its heading");
    await phone.context().close();
  },
]);

const failed = await run(checks);
await browser.close();
process.exit(failed ? 1 : 0);
