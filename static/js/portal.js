/* Small enhancements; the site works without them. */

/* A field asked for only one choice (data-shown-with="what=neighbour") shows, and is sent,
   only while that choice is made. Without script it stays, its hint saying when to fill it. */
function showChosenFields(root) {
  root.querySelectorAll("[data-shown-with]").forEach(function (box) {
    var rule = box.getAttribute("data-shown-with").split("=");
    var form = box.closest("form");
    if (!form) { return; }
    var chosen = form.querySelector('input[name="' + rule[0] + '"]:checked');
    var shown = chosen !== null && chosen.value === rule[1];
    box.hidden = !shown;
    box.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.disabled = !shown;
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  /* Print buttons only make sense with script: show them and wire them up. */
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  showChosenFields(document);
});

document.addEventListener("change", function (event) {
  if (event.target.form) { showChosenFields(event.target.form); }
});

/* Content htmx swapped in (the log form after sending) gets the same treatment. */
document.addEventListener("htmx:load", function (event) { showChosenFields(event.detail.elt); });
