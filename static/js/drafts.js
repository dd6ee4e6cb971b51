// Fill in the values a form held when the session ended (kept server-side, see
// tracker/auth/drafts.py). Only the form posted to the same path is touched; the CSRF
// token and the submit buttons keep the page's own values. Nothing is submitted.
(function () {
  "use strict";

  function restore() {
    var holder = document.getElementById("concept-herstel");
    if (!holder) { return; }
    var draft;
    try { draft = JSON.parse(holder.getAttribute("data-concept")); } catch (e) { return; }
    var forms = Array.prototype.filter.call(document.forms, function (form) {
      return new URL(form.action, document.baseURI).pathname === draft.action;
    });
    forms.forEach(function (form) {
      Object.keys(draft.values).forEach(function (name) {
        if (name === "csrf_token") { return; }
        var values = draft.values[name];
        var fields = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
        Array.prototype.forEach.call(fields, function (field, index) {
          var type = (field.type || "").toLowerCase();
          if (type === "password" || type === "file" || type === "submit" || type === "button") {
            return;
          }
          if (type === "checkbox" || type === "radio") {
            field.checked = values.indexOf(field.value) !== -1;
          } else if (field.tagName === "SELECT" && field.multiple) {
            Array.prototype.forEach.call(field.options, function (option) {
              option.selected = values.indexOf(option.value) !== -1;
            });
          } else if (index < values.length) {
            field.value = values[index];
          }
        });
      });
      form.classList.add("vnon-draft-restored");
    });
    var first = forms.length && forms[0].querySelector("textarea, input:not([type=hidden]), select");
    if (first) { first.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
