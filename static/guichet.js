// Guichet works without script. This file only makes two things quicker:
// - focus moves to the error summary after a failed submission, so that screen-reader and
//   keyboard users hear what went wrong at once;
// - a destructive action (a form with data-confirm) asks in a dialog on the page, naming the
//   consequence, instead of through the confirmation page a browser without script is shown.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector(".errors[role=alert]");
  if (box) { box.setAttribute("tabindex", "-1"); box.focus(); }

  var dialog = null;
  function ask(form, submitter) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "confirm";
      dialog.setAttribute("aria-labelledby", "confirm-question");
      dialog.setAttribute("aria-describedby", "confirm-consequence");
      dialog.innerHTML = '<h2 id="confirm-question"></h2><p id="confirm-consequence"></p>' +
        '<div class="buttons"><button type="button" class="danger" value="yes"></button> ' +
        '<button type="button" value="no"></button></div>';
      document.body.appendChild(dialog);
    }
    var yes = dialog.querySelector("button[value=yes]"), no = dialog.querySelector("button[value=no]");
    dialog.querySelector("#confirm-question").textContent = form.dataset.confirmQuestion || "";
    dialog.querySelector("#confirm-consequence").textContent = form.dataset.confirm;
    yes.textContent = form.dataset.confirmYes || (submitter && submitter.textContent) || "OK";
    no.textContent = form.dataset.confirmNo || "Cancel";
    yes.onclick = function () {
      dialog.close();
      var flag = document.createElement("input");
      flag.type = "hidden"; flag.name = "confirm"; flag.value = "1";
      form.appendChild(flag);
      form.dataset.confirmed = "1";
      if (submitter && form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
    };
    no.onclick = function () { dialog.close(); if (submitter) { submitter.focus(); } };
    dialog.showModal();
    no.focus(); // the safe choice first
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-confirm]") || form.dataset.confirmed === "1") { return; }
    if (typeof HTMLDialogElement !== "function") { return; } // the confirmation page asks instead
    e.preventDefault();
    ask(form, e.submitter);
  });
});

// The declaration form says, as soon as a service and a region are chosen, that an active major
// incident of the tenant affects them, and offers to declare "the same problem". The notices
// are in the page, hidden; Valider then carries the ids of the notices shown (seen), so that the
// desk does not ask again.
document.addEventListener("DOMContentLoaded", function () {
  var notices = document.querySelectorAll(".same-problem[data-major]");
  var service = document.getElementById("f-service");
  var submit = document.getElementById("declare-submit");
  if (!notices.length || !service || !submit) { return; }
  var form = service.form;
  function update() {
    var region = form.querySelector("input[name=region]:checked");
    var r = region ? region.value : "", s = service.value, seen = [];
    notices.forEach(function (n) {
      var match = s !== "" && n.dataset.services.split(" ").indexOf(s) >= 0 && n.dataset.regions.split(" ").indexOf(r) >= 0;
      n.hidden = !match;
      if (match) { seen.push(n.dataset.major); }
    });
    submit.value = seen.join(" ");
  }
  service.addEventListener("change", update);
  form.querySelectorAll("input[name=region]").forEach(function (x) { x.addEventListener("change", update); });
  update();
});

// Reports print as they are shown, every table included: the Print button asks the browser to
// print, and the tables folded under their charts open while printing.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.hidden = false; // without script there is no button: the browser's own Print does the same
    b.addEventListener("click", function () { window.print(); });
  });
});
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.report-table:not([open])").forEach(function (d) {
    d.dataset.printOpened = "1"; d.open = true;
  });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("details.report-table[data-print-opened]").forEach(function (d) {
    delete d.dataset.printOpened; d.open = false;
  });
});

// The declaration form suggests help articles as the title is typed: the desk answers
// /help/suggest with the list, shown beside the form. Once they are shown for the title as it is,
// the form says so (suggested), so that Valider declares at once; sent before that (or when the
// desk could not be asked), the desk offers them on a review step, as it does without script.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("help-suggest");
  var title = document.getElementById("f-title");
  var flag = document.getElementById("f-suggested");
  if (!box || !title || !flag || !window.fetch) { return; }
  // The suggestions the desk has already shown (a review step) are not asked for again.
  var timer = null, last = box.querySelector("li") ? title.value.trim() : null, seq = 0;
  function update() {
    var q = title.value.trim();
    if (q === last) { return; }
    last = q;
    var mine = ++seq;
    if (q.length < 3) { box.hidden = true; box.innerHTML = ""; flag.value = "1"; return; }
    fetch("/help/suggest?for=" + encodeURIComponent(box.dataset.for || "incident") + "&q=" + encodeURIComponent(q),
      { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        // A page other than the list (the login page, once the session has ended) is not shown.
        if (!r.ok || r.redirected) { throw new Error("no suggestions"); }
        return r.text();
      })
      .then(function (html) {
        if (mine !== seq) { return; } // a later keystroke asked again
        box.innerHTML = html;
        box.hidden = box.querySelector("li") === null;
        flag.value = "1";
      })
      .catch(function () {});
  }
  title.addEventListener("input", function () {
    flag.value = "";
    seq++; // an answer on its way is for the title as it was
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
  update(); // a title already there (the form shown again) is answered at once
});
