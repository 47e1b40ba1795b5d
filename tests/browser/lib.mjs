// Shared by the browser test scripts: Debian's Chromium driven by playwright-core, a page that
// refuses (and remembers) every request to another host, and a small check runner.
// Each script is started by tests/browser.rs with SITE_URL set to the site it serves.

import { chromium } from "playwright-core";

/** The site under test, e.g. http://127.0.0.1:41234 (no trailing slash). */
export const SITE = process.env.SITE_URL;
if (!SITE) throw new Error("SITE_URL is not set: run these scripts through `cargo test --test browser`");

/** Where screenshots go (under target/, made by the Rust test). */
export const SHOTS = process.env.SCREENSHOT_DIR || "";

/** Starts headless Chromium with the flags this machine's closed network needs. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/**
 * A new page in its own context. Every request is recorded; one to any origin but `site`'s is
 * aborted and listed in `page.foreign`, so a test can assert that nothing left the site.
 * Console errors and uncaught exceptions are collected in `page.errors`.
 */
export async function openPage(browser, site = SITE, options = {}) {
  const context = await browser.newContext({ locale: "en-US", ...options });
  const page = await context.newPage();
  const origin = new URL(site).origin;
  page.foreign = [];
  page.requests = [];
  page.errors = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    page.requests.push(url);
    if (new URL(url).origin !== origin && !url.startsWith("data:") && !url.startsWith("blob:")) {
      page.foreign.push(url);
      return route.abort();
    }
    return route.continue();
  });
  page.on("pageerror", (error) => page.errors.push(String(error)));
  page.on("console", (message) => {
    // Loads this guard aborted (an article's YouTube embed, say) are not script errors.
    if (message.type() === "error" && !/^Failed to load resource/.test(message.text())) {
      page.errors.push(message.text());
    }
  });
  return page;
}

/** Fails with `message` unless `condition`. */
export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Fails unless `actual` deep-equals `expected` (compared as JSON). */
export function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/**
 * Runs named checks in order and reports each; returns how many failed (the script then exits
 * 1, so the Rust test and CI fail). A check never skips: a missing browser is a failure too.
 */
export async function run(checks) {
  let failed = 0;
  for (const [name, check] of checks) {
    const started = Date.now();
    try {
      await check();
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${name}: ${error && error.stack ? error.stack : error}`);
    }
  }
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  return failed;
}
