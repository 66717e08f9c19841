// Guichet needs no script to work; this only moves focus to the error summary after a failed
// submission, so that screen-reader and keyboard users hear what went wrong at once.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector(".errors[role=alert]");
  if (box) { box.setAttribute("tabindex", "-1"); box.focus(); }
});
