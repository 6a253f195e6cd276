// What a person typed survives an expired session or an out-of-date form: our own code, no library.
//
// When a form is sent, what was typed is kept in this tab's sessionStorage. If the server
// answers with the login page (the session had expired: the message there carries the class
// "kept") or with the page for an out-of-date form ([data-keep-hold]), it is marked to be put
// back; the next page that holds a form with the same address gets it filled in again, with a
// note. An htmx request refused for the same reasons (HX-Redirect to the login, or 403) keeps
// every form on the page that was changed. Any other page forgets it. Files cannot be kept by a
// browser: the note names them, to be chosen again. Passwords and hidden fields are never kept.
//
// Files chosen in a form that comes back with errors are kept too: such a form is sent in the
// background and only the page is replaced, so its file inputs keep what was chosen (without
// this script, the page names the files to choose again).
//
// Also: a page with an error summary ([data-error-summary]) moves the focus to it.
(function () {
  const KEY = "kesu.kept";
  const script = document.currentScript;
  const words = script ? script.dataset : {};
  const loginPath = words.login || "/login/";

  // attributes, not properties: a field named "method" or "action" shadows form.method
  function urlOf(form) {
    return new URL(form.getAttribute("action") || location.href, location.href);
  }
  function pathOf(form) {
    return urlOf(form).pathname;
  }
  function kept(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" && form.dataset.keep !== "no"
      && !form.querySelector("input[type=password]");
  }
  function skipped(el) {
    return !el.name || el.disabled || ["hidden", "password", "submit", "button", "file"].includes(el.type);
  }
  function read() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function write(stash) {
    try { sessionStorage.setItem(KEY, JSON.stringify(stash)); } catch (e) { /* full or off */ }
  }
  function snapshot(form) {
    const fields = [];
    const files = [];
    for (const el of form.elements) {
      if (el.type === "file") { for (const f of el.files || []) files.push(f.name); }
      if (skipped(el)) continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) fields.push([el.name, el.value]);
      } else if (el.tagName === "SELECT" && el.multiple) {
        for (const o of el.selectedOptions) fields.push([el.name, o.value]);
      } else {
        fields.push([el.name, el.value]);
      }
    }
    return { path: pathOf(form), fields: fields, files: files };
  }
  function changed(form) {
    for (const el of form.elements) {
      if (el.type === "file" && el.files && el.files.length) return true;
      if (skipped(el)) continue;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) return true;
      } else if (el.tagName === "SELECT") {
        for (const o of el.options) if (o.selected !== o.defaultSelected) return true;
      } else if (el.value !== el.defaultValue) {
        return true;
      }
    }
    return false;
  }
  function restore(form, saved) {
    const values = new Map();
    for (const [name, value] of saved.fields) {
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    }
    for (const el of form.elements) {
      if (skipped(el) || !values.has(el.name)) {
        if (!skipped(el) && (el.type === "checkbox" || el.type === "radio")) el.checked = false;
        continue;
      }
      const mine = values.get(el.name);
      if (el.type === "checkbox" || el.type === "radio") el.checked = mine.includes(el.value);
      else if (el.tagName === "SELECT" && el.multiple) {
        for (const o of el.options) o.selected = mine.includes(o.value);
      } else el.value = mine.shift();
    }
    const note = document.createElement("p");
    note.className = "notice kept";
    note.setAttribute("role", "status");
    note.dataset.role = "kept-notice";
    note.textContent = words.restored || "";
    if (saved.files.length && words.filesAgain) {
      note.textContent += " " + words.filesAgain.replace("{files}", saved.files.join("、"));
    }
    form.prepend(note);
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // A form with chosen files is sent in the background: if it comes back with errors, the
  // answer replaces the page but the file inputs stay the same elements, files and all.
  async function sendKeepingFiles(form, inputs, submitter) {
    let response;
    try {
      const body = new FormData(form, submitter);
      response = await fetch(urlOf(form).href, {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-Kesu-Background": "1" },
      });
    } catch (error) {
      HTMLFormElement.prototype.submit.call(form);  // the network failed: as without this script
      return;
    }
    // Sent: the server names where to go (kesu.core.middleware.BackgroundRedirectMiddleware)
    // rather than redirecting, which fetch would follow: the page's messages would be shown to
    // nobody and the address's #fragment lost.
    const next = response.headers.get("X-Kesu-Location");
    if (next) {
      const to = new URL(next, location.href);
      if (to.pathname + to.search !== location.pathname + location.search) { location.assign(to.href); return; }
      if (to.hash) history.replaceState(null, "", to.hash);  // the same page: load it again, there
      location.reload();
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    // the same form on the new page (by its address), then the input of that name inside it:
    // another form there may have a file input of the same name
    const base = new URL(response.url || location.href, location.href);
    const sent = urlOf(form).pathname;
    const twinForm = Array.from(fresh.forms).find(
      (f) => new URL(f.getAttribute("action") || base.href, base.href).pathname === sent);
    for (const input of inputs) {
      const twin = twinForm && twinForm.querySelector('input[type="file"][name="' + CSS.escape(input.name) + '"]');
      if (!twin) continue;
      const lost = twin.closest("[data-cell], .field, fieldset") || fresh;
      lost.querySelectorAll('[data-role="files-again"]').forEach((note) => note.remove());
      twin.replaceWith(input);  // the same element: what was chosen stays chosen
    }
    document.title = fresh.title || document.title;
    document.body.replaceWith(document.adoptNode(fresh.body));
    for (const old of document.body.querySelectorAll("script")) {  // run as on a page load
      const script = document.createElement("script");
      for (const attr of old.attributes) script.setAttribute(attr.name, attr.value);
      script.text = old.text;
      old.replaceWith(script);
    }
    if (window.htmx) window.htmx.process(document.body);
    settle();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !kept(form)) return;
    write({ forms: [snapshot(form)], pending: false });
    const inputs = Array.from(form.querySelectorAll('input[type="file"]')).filter((i) => i.files && i.files.length);
    if (inputs.length && !event.defaultPrevented && window.fetch && window.DOMParser) {
      event.preventDefault();
      sendKeepingFiles(form, inputs, event.submitter);
    }
  }, true);

  document.addEventListener("htmx:beforeOnLoad", (event) => {
    const xhr = event.detail.xhr;
    const to = xhr.getResponseHeader("HX-Redirect") || "";
    if (!(xhr.status === 403 || new URL(to || "/", location.href).pathname === loginPath)) return;
    const forms = Array.from(document.forms).filter((f) => kept(f) && changed(f));
    if (forms.length) write({ forms: forms.map(snapshot), pending: true });
  });

  function settle() {
    const stash = read();
    if (stash) {
      const lost = document.querySelector("[data-keep-hold], .messages .kept");
      if (lost || document.querySelector("input[type=password]")) {
        if (lost) { stash.pending = true; write(stash); }
      } else {
        sessionStorage.removeItem(KEY);
        if (stash.pending) {
          for (const saved of stash.forms) {
            const form = Array.from(document.forms).find((f) => kept(f) && pathOf(f) === saved.path);
            if (form) restore(form, saved);
          }
        }
      }
    }

    const summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  settle();
})();
