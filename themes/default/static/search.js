/* helpcenter search box: queries the page's locale's Pagefind index (pagefind/<locale>/),
   shows results as a listbox under the field (WAI-ARIA combobox pattern).
   Keys: "/" focuses the field, ArrowDown/ArrowUp move through results, Enter opens the
   highlighted (or first) result, Escape closes the results (again: clears the field).
   The index starts loading when the box gets focus, so it is ready by the end of the first
   word; nothing is loaded before, and nothing from another host. */
(function () {
  "use strict";

  var box = document.querySelector("[data-search]");
  if (!box) return;
  var input = box.querySelector("input[type=search]");
  var form = box.querySelector("form");
  var panel = box.querySelector(".search-panel");
  var status = box.querySelector("[role=status]");
  var list = box.querySelector("[role=listbox]");
  var text = box.dataset;
  var lang = document.documentElement.lang || "en";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var MAX_RESULTS = 8;

  var pagefind = null; // promise of the Pagefind API, made on first use
  var results = []; // [{url, title, collection, excerpt}]
  var active = -1;
  var latest = 0; // number of the newest query; older answers are dropped

  box.hidden = false;

  /* A locale's index comes in shards (shards.json lists their folders): the first one's
     pagefind.js is imported, the others are merged into it. */
  function load() {
    if (!pagefind) {
      var bundle = new URL(box.dataset.bundle, document.baseURI);
      var root = new URL(box.dataset.root, document.baseURI).pathname;
      var options = { baseUrl: root, excerptLength: 24 };
      pagefind = fetch(new URL("shards.json", bundle))
        .then(function (response) {
          if (!response.ok) throw new Error(response.status + " " + response.url);
          return response.json();
        })
        .then(function (listing) {
          var shards = listing.shards.map(function (folder) {
            return new URL(folder, bundle).href;
          });
          return import(shards[0] + "pagefind.js").then(function (api) {
            return api.options(options).then(function () {
              return api.init();
            }).then(function () {
              return Promise.all(shards.slice(1).map(function (shard) {
                return api.mergeIndex(shard, options);
              }));
            }).then(function () {
              return api;
            });
          });
        });
      pagefind.catch(function () {
        pagefind = null; // try again on the next query
      });
    }
    return pagefind;
  }

  function say(message) {
    status.textContent = message;
  }

  function count(n) {
    var form = plural && plural.select(n) === "one" ? text.countOne : text.countOther;
    return form.replace("{n}", String(n));
  }

  function open() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", results.length > 0 ? "true" : "false");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function setActive(index) {
    var options = list.children;
    if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
    active = index;
    if (active >= 0 && options[active]) {
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  /* Pagefind's excerpts are escaped text with <mark> around matched words. They are parsed in
     an inert document and only their text and <mark> elements are copied, so nothing in an
     article's text can become markup here. */
  function appendHighlighted(target, html) {
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.textContent));
      } else if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.appendChild(mark);
      } else {
        target.appendChild(document.createTextNode(node.textContent || ""));
      }
    });
  }

  function plainText(html) {
    return new DOMParser().parseFromString("<body>" + html + "</body>", "text/html").body.textContent;
  }

  function render(query) {
    list.textContent = "";
    results.forEach(function (result, i) {
      var item = document.createElement("li");
      item.id = "search-option-" + i;
      item.className = "search-result";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = result.url;
      link.tabIndex = -1;
      var title = document.createElement("span");
      title.className = "search-result-title";
      title.textContent = result.title;
      link.appendChild(title);
      if (result.collection) {
        var collection = document.createElement("span");
        collection.className = "search-result-collection";
        collection.textContent = result.collection;
        link.appendChild(collection);
      }
      var excerpt = document.createElement("span");
      excerpt.className = "search-result-excerpt";
      appendHighlighted(excerpt, result.excerpt);
      link.appendChild(excerpt);
      item.appendChild(link);
      item.addEventListener("mousemove", function () {
        if (active !== i) setActive(i);
      });
      list.appendChild(item);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    say(results.length ? count(results.length) : text.noResults.replace("{query}", query));
    open();
  }

  function search(query) {
    var number = ++latest;
    if (!query.trim()) {
      results = [];
      list.textContent = "";
      say("");
      close();
      return;
    }
    if (location.protocol === "file:") {
      results = [];
      list.textContent = "";
      say(text.unavailable);
      open();
      return;
    }
    say(text.loading);
    open();
    load()
      .then(function (api) {
        return api.search(query);
      })
      .then(function (answer) {
        var top = answer ? answer.results.slice(0, MAX_RESULTS) : [];
        return Promise.all(top.map(function (r) { return r.data(); }));
      })
      .then(function (pages) {
        if (number !== latest) return;
        results = pages.map(function (page) {
          return {
            url: page.url,
            title: plainText(page.meta.title || page.url),
            collection: page.meta.collection ? plainText(page.meta.collection) : "",
            excerpt: page.excerpt || "",
          };
        });
        render(query);
      })
      .catch(function (error) {
        if (number !== latest) return;
        results = [];
        list.textContent = "";
        say(text.failed);
        open();
        if (window.console) console.error("search:", error);
      });
  }

  input.addEventListener("input", function () {
    search(input.value);
  });

  input.addEventListener("focus", function () {
    if (location.protocol !== "file:") load().catch(function () {});
    if (input.value.trim() && (results.length || status.textContent)) open();
  });

  input.addEventListener("keydown", function (event) {
    switch (event.key) {
      case "ArrowDown":
        if (panel.hidden && input.value.trim()) open();
        if (results.length) setActive(Math.min(active + 1, results.length - 1));
        event.preventDefault();
        break;
      case "ArrowUp":
        if (results.length) setActive(Math.max(active - 1, 0));
        event.preventDefault();
        break;
      case "Enter":
        var option = list.children[active >= 0 ? active : 0];
        if (option && !panel.hidden) location.href = option.querySelector("a").href;
        event.preventDefault();
        break;
      case "Escape":
        if (!panel.hidden) {
          close();
        } else {
          input.value = "";
          search("");
        }
        event.preventDefault();
        break;
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) close();
  });
})();
