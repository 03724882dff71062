// The home page's SPARQL editor: highlighting, examples, running, downloads, permalinks.
// No libraries and no inline code (the page's CSP allows only this server's scripts).
// All text reaches the page through textContent, never as HTML.
"use strict";

(function () {
  const section = document.getElementById("editor");
  if (!section) return;
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const highlight = document.getElementById("highlight");
  const select = document.getElementById("example");
  const results = document.getElementById("results");
  const errorBox = document.getElementById("error");
  const status = document.getElementById("status");
  const permalink = document.getElementById("permalink");
  const words = section.dataset;
  const examplesBlock = document.getElementById("examples");
  const examples = examplesBlock ? JSON.parse(examplesBlock.textContent) : [];
  const ID = "https://w3id.org/srg/id/";
  const PREFIXES = [
    ["srg:", "https://w3id.org/srg/ns#"],
    ["org:", "http://www.w3.org/ns/org#"],
    ["skos:", "http://www.w3.org/2004/02/skos/core#"],
    ["rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"],
    ["rdfs:", "http://www.w3.org/2000/01/rdf-schema#"],
    ["dcterms:", "http://purl.org/dc/terms/"],
    ["cv:", "http://data.europa.eu/m8g/"],
    ["cpsv:", "http://purl.org/vocab/cpsv#"],
    ["xsd:", "http://www.w3.org/2001/XMLSchema#"],
    ["owl:", "http://www.w3.org/2002/07/owl#"],
    ["sh:", "http://www.w3.org/ns/shacl#"],
  ];

  // -- highlighting -------------------------------------------------------------------------
  const KEYWORDS = new Set(("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED " +
    "OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND VALUES AS DISTINCT REDUCED ORDER " +
    "BY ASC DESC LIMIT OFFSET GROUP HAVING NOT EXISTS IN UNDEF A TRUE FALSE COUNT SUM MIN " +
    "MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI " +
    "BNODE COALESCE IF REGEX REPLACE CONTAINS STRSTARTS STRENDS LCASE UCASE STRLEN SUBSTR " +
    "CONCAT ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC SAMETERM INSERT DELETE DATA WITH " +
    "USING DEFAULT ALL LOAD CLEAR DROP CREATE ADD MOVE COPY INTO TO").split(" "));
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                          // 1 comment
    "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)" +
      "|\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                            // 3 IRI
    "([?$][A-Za-z0-9_\\u00C0-\\uFFFF]+)",                  // 4 variable
    "((?:[A-Za-z][\\w.-]*)?:(?:[\\w.:%-]*[\\w:%-])?)",     // 5 prefixed name
    "([A-Za-z_][A-Za-z0-9_]*)",                            // 6 word (keyword or not)
  ].join("|"), "g");
  const CLASSES = [null, "tok-comment", "tok-string", "tok-iri", "tok-var", "tok-pname"];

  function span(cls, text) {
    const element = document.createElement("span");
    element.className = cls;
    element.textContent = text;
    return element;
  }

  function paint() {
    const text = textarea.value;
    const fragment = document.createDocumentFragment();
    let last = 0;
    TOKEN.lastIndex = 0;
    for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
      if (match[0] === "") { TOKEN.lastIndex++; continue; }
      if (match.index > last) fragment.append(text.slice(last, match.index));
      const group = match.findIndex((value, i) => i > 0 && value !== undefined);
      if (group === 6) {
        const keyword = KEYWORDS.has(match[0].toUpperCase());
        fragment.append(keyword ? span("tok-keyword", match[0]) : match[0]);
      } else {
        fragment.append(span(CLASSES[group], match[0]));
      }
      last = TOKEN.lastIndex;
    }
    fragment.append(text.slice(last) + "\n"); // a trailing newline keeps the heights equal
    highlight.replaceChildren(fragment);
    syncScroll();
    updatePermalink();
  }

  function syncScroll() {
    highlight.scrollTop = textarea.scrollTop;
    highlight.scrollLeft = textarea.scrollLeft;
  }

  function updatePermalink() {
    const url = new URL("/", window.location.href);
    const lang = new URLSearchParams(window.location.search).get("lang");
    if (lang) url.searchParams.set("lang", lang);
    url.searchParams.set("query", textarea.value);
    url.hash = "run";
    permalink.href = url.pathname + url.search + url.hash;
  }

  // -- running ------------------------------------------------------------------------------
  function body() {
    return new URLSearchParams({ query: textarea.value });
  }

  async function ask(accept) {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Accept": accept, "Content-Type": "application/x-www-form-urlencoded" },
      body: body(),
    });
    if (!response.ok) {
      const message = (await response.text()).trim();
      throw new Error(`${response.status} ${response.statusText}: ${message}`);
    }
    return response;
  }

  function showError(message) {
    errorBox.textContent = `${words.wordError}: ${message}`;
    errorBox.hidden = false;
    textarea.setAttribute("aria-invalid", "true");
  }

  function clear() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    textarea.removeAttribute("aria-invalid");
    results.replaceChildren();
  }

  function shorten(iri) {
    if (iri.startsWith(ID)) return iri.slice(ID.length);
    for (const [prefix, namespace] of PREFIXES) {
      if (iri.startsWith(namespace) && iri.length > namespace.length) {
        return prefix + iri.slice(namespace.length);
      }
    }
    return iri;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = term.value.startsWith(ID) ? "/doc/" + term.value.slice(ID.length) : term.value;
      a.textContent = shorten(term.value);
      a.title = term.value;
      td.append(a);
    } else if (term.type === "bnode") {
      td.append(span("bnode", "_:" + term.value));
    } else if (term["xml:lang"]) {
      // its language marked, for a screen reader to read it in that language
      const text = document.createElement("span");
      text.lang = term["xml:lang"];
      text.textContent = term.value;
      td.append(text, span("lang", "@" + term["xml:lang"]));
    } else {
      td.append(term.value);
    }
    return td;
  }

  function table(json) {
    const names = json.head.vars || [];
    const element = document.createElement("table");
    element.className = "result-table";
    element.setAttribute("aria-label", words.wordAnswer);
    const head = element.createTHead().insertRow();
    for (const name of names) {
      const th = document.createElement("th");
      th.textContent = "?" + name;
      head.append(th);
    }
    const tbody = element.createTBody();
    for (const binding of json.results.bindings) {
      const row = tbody.insertRow();
      for (const name of names) row.append(cell(binding[name]));
    }
    return element;
  }

  function show(json) {
    if ("boolean" in json) {
      results.append(span("boolean", json.boolean ? words.wordTrue : words.wordFalse));
      status.textContent = "";
      return;
    }
    const count = json.results.bindings.length;
    status.textContent = count ? `${count} ${words.wordRows}` : words.wordNoRows;
    results.append(table(json));
  }

  async function run(event) {
    if (event) event.preventDefault();
    clear();
    status.textContent = words.wordRunning;
    try {
      const response = await ask("application/sparql-results+json, text/turtle;q=0.9");
      const type = response.headers.get("content-type") || "";
      if (type.includes("json")) {
        show(await response.json());
      } else {
        const pre = document.createElement("pre");
        pre.className = "graph-result";
        pre.textContent = await response.text();
        results.append(pre);
        status.textContent = "";
      }
    } catch (error) {
      status.textContent = "";
      showError(error.message);
    }
  }

  const EXTENSIONS = {
    "text/csv": "csv",
    "application/sparql-results+json": "json",
    "application/ld+json": "jsonld",
    "text/turtle": "ttl",
  };

  async function download(accept) {
    clear();
    try {
      const response = await ask(accept);
      const type = (response.headers.get("content-type") || "").split(";")[0].trim();
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = "results." + (EXTENSIONS[type] || "txt");
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      showError(error.message);
    }
  }

  // -- wiring -------------------------------------------------------------------------------
  select.addEventListener("change", () => {
    const example = examples.find((e) => e.name === select.value);
    if (!example) return;
    textarea.value = example.text;
    // focus stays on the list box: a keyboard's arrows change it, and each change is an
    // example to read, not a move to the text area (WCAG 3.2.2)
    textarea.setSelectionRange(0, 0);
    textarea.scrollTop = 0;
    textarea.scrollLeft = 0;
    paint();
  });
  textarea.addEventListener("input", paint);
  textarea.addEventListener("scroll", syncScroll);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
  });
  form.addEventListener("submit", run);
  // without script the download buttons send the form to /sparql (`format`): here they fetch
  function downloads(accept) {
    return (event) => { event.preventDefault(); download(accept); };
  }
  document.getElementById("download-csv").addEventListener("click", downloads("text/csv"));
  document.getElementById("download-json").addEventListener("click",
    downloads("application/sparql-results+json, application/ld+json;q=0.9"));

  // the list box fills the editor in place: it stands for the example links, and the
  // highlighting is drawn under the text, which is made transparent only now
  document.getElementById("example-picker").hidden = false;
  document.getElementById("example-links").hidden = true;
  highlight.parentElement.classList.add("painted");
  paint();
  const params = new URLSearchParams(window.location.search);
  // a link with run=1 comes with its answer drawn by the server: not run a second time
  const drawn = results.childElementCount > 0 || !errorBox.hidden;
  if (textarea.value.trim() && !drawn && (window.location.hash === "#run" || params.get("run") === "1")) {
    run();
  }
})();
