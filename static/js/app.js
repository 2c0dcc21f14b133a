/* salesapp: small progressive enhancements. Everything works without JavaScript too. */
(function () {
  "use strict";

  // Quick Create: show Existing or Write-In fields; the price field only when overriding.
  function syncLineForm(root) {
    root.querySelectorAll("[data-line-fields]").forEach(function (box) {
      var type = box.querySelector("input[name$='line_type']:checked");
      var kind = type ? type.value : "existing";
      box.querySelectorAll("[data-show-for]").forEach(function (el) {
        el.hidden = el.getAttribute("data-show-for") !== kind;
      });
      var pricing = box.querySelector("input[name$='pricing']:checked");
      var override = kind === "write_in" || (pricing && pricing.value === "override");
      box.querySelectorAll("[data-price-field] input").forEach(function (input) {
        input.readOnly = !override;
        if (!override) { input.placeholder = "From the price list"; }
      });
    });
  }

  function openDialog(root) {
    var holder = root.querySelector("[data-open-dialog]");
    var name = holder && holder.getAttribute("data-open-dialog");
    if (name && window.bootstrap) {
      var el = document.getElementById("dialog-" + name);
      if (el) { bootstrap.Modal.getOrCreateInstance(el).show(); }
    }
  }

  // A modal inside the sticky command bar would sit under its backdrop (the bar is a stacking
  // context): move it to <body> when it opens, replacing an older copy left there by an htmx swap.
  document.addEventListener("show.bs.modal", function (event) {
    var modal = event.target;
    if (modal.parentElement === document.body) { return; }
    Array.prototype.forEach.call(document.body.children, function (el) {
      if (el !== modal && el.id && el.id === modal.id) { el.remove(); }
    });
    document.body.appendChild(modal);
  });

  // The product search box lives inside the line form: Enter searches instead of submitting the line.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-product-search]")) {
      event.preventDefault();
      if (window.htmx) { htmx.trigger(event.target, "search"); }
    }
  });

  // Bulk actions on lists: the header box ticks every row of the page; the count follows the ticks.
  function syncBulkCount(formId) {
    var boxes = document.querySelectorAll("input[name='ids'][form='" + formId + "']");
    var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
    var form = document.getElementById(formId);
    var count = form && form.querySelector("[data-bulk-count]");
    if (count) { count.textContent = ticked ? ticked + " selected" : "None selected"; }
    var all = document.querySelector("[data-select-all='" + formId + "']");
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest("[data-line-fields]")) { syncLineForm(document); }
    var allFor = event.target.getAttribute("data-select-all");
    if (allFor) {
      document.querySelectorAll("input[name='ids'][form='" + allFor + "']").forEach(function (box) {
        box.checked = event.target.checked;
      });
      syncBulkCount(allFor);
    } else if (event.target.name === "ids" && event.target.getAttribute("form")) {
      syncBulkCount(event.target.getAttribute("form"));
    }
  });
  // Unsaved changes: leaving a page whose form was edited and not sent asks first (as D365 does).
  // A field belongs to its form even when it sits outside it (form="…"); ticking list rows isn't an edit.
  function editedForm(target) {
    var form = target && target.form;
    if (!form || (form.method || "").toLowerCase() !== "post" || target.name === "ids") { return null; }
    return form.hasAttribute("data-no-unsaved-warning") ? null : form;
  }
  function markEdited(event) {
    var form = editedForm(event.target);
    if (form) { form.setAttribute("data-unsaved", ""); }
  }
  document.addEventListener("input", markEdited);
  document.addEventListener("change", markEdited);
  document.addEventListener("submit", function (event) { event.target.removeAttribute("data-unsaved"); });
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-unsaved]")) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to show their prompt
    }
  });

  // Ctrl+S (Cmd+S) saves: the form being edited, else the page's main form — not the browser's "Save page".
  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || (event.key || "").toLowerCase() !== "s") { return; }
    var form = editedForm(document.activeElement) || document.querySelector("form[data-primary-form]");
    if (!form) { return; }
    event.preventDefault();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });

  // The column chooser: Up / Down move a column; the ticked ones are posted in the order shown.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-column-move]");
    if (!button) { return; }
    var item = button.closest("li");
    var up = button.getAttribute("data-column-move") === "up";
    var other = up ? item.previousElementSibling : item.nextElementSibling;
    if (!other) { return; }
    item.parentNode.insertBefore(up ? item : other, up ? other : item);
    button.focus();
  });
  document.addEventListener("DOMContentLoaded", function () { syncLineForm(document); openDialog(document); });
  document.addEventListener("htmx:afterSettle", function () { syncLineForm(document); });
})();
