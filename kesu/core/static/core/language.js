// The language menu (core/_language_form.html): switching reloads the page in the other
// language, and what a person had typed into a form on the page comes back with it. The
// typed values wait in this tab's sessionStorage only until the page is back, and are
// removed then. Chosen files cannot be carried over: the person is asked first.
(function () {
  "use strict";
  var KEY = "kesu:typed:";

  function kept(el) {
    var type = (el.type || "").toLowerCase();
    return el.name && !el.disabled && el.name !== "csrfmiddlewaretoken" &&
      ["hidden", "password", "submit", "button", "reset", "file"].indexOf(type) < 0;
  }

  function stateOf(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked;
    if (el.tagName === "SELECT") {
      return Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
    }
    return el.value;
  }

  function setState(el, value) {
    if (el.type === "checkbox" || el.type === "radio") el.checked = value;
    else if (el.tagName === "SELECT") {
      Array.prototype.forEach.call(el.options, function (o) {
        o.selected = value.indexOf(o.value) >= 0;
      });
    } else el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // attributes, not properties: a field named "action" shadows form.action
  function pathOf(form) {
    return new URL(form.getAttribute("action") || location.href, location.href).pathname;
  }

  // Each form is known by its address and, among forms with the same address, its place: not
  // by its place on the page, which forms added later (the bell's panel) shift.
  function forms() {
    var seen = {};
    return Array.prototype.filter.call(document.forms, function (f) {
      return !f.classList.contains("lang");
    }).map(function (form) {
      var path = pathOf(form);
      seen[path] = (seen[path] || 0) + 1;
      return { key: path + "#" + seen[path], form: form };
    });
  }

  // a field by its name and, among fields of that name in the form (radios), its place
  function fields(form, visit) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      seen[el.name] = (seen[el.name] || 0) + 1;
      visit(el, seen[el.name]);
    });
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("form.lang select")) return;
    var typed = [], files = false;
    forms().forEach(function (known) {
      fields(known.form, function (el, n) {
        if (el.type === "file" && el.files && el.files.length) files = true;
        // every field, not only those changed since the page came: a page that answered a
        // post with errors holds the person's work as its defaults, and the reload loses it
        if (kept(el)) typed.push({ form: known.key, name: el.name, n: n, v: stateOf(el) });
      });
    });
    if (files && !window.confirm(select.dataset.filesLost)) {
      select.value = select.dataset.current;
      return;
    }
    if (typed.some(function (t) { return t.v !== "" && t.v !== false; })) {
      sessionStorage.setItem(KEY + location.pathname + location.search, JSON.stringify(typed));
    }
    select.form.submit();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var key = KEY + location.pathname + location.search;
    var typed = sessionStorage.getItem(key);
    if (!typed) return;
    sessionStorage.removeItem(key);
    var wanted = {};
    JSON.parse(typed).forEach(function (entry) {
      wanted[entry.form + "\n" + entry.name + "\n" + entry.n] = entry.v;
    });
    forms().forEach(function (known) {
      fields(known.form, function (el, n) {
        var key = known.key + "\n" + el.name + "\n" + n;
        if (kept(el) && Object.prototype.hasOwnProperty.call(wanted, key)) setState(el, wanted[key]);
      });
    });
  });
})();
