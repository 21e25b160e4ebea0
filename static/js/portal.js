/* Small enhancements; the site works without them. */
document.addEventListener("DOMContentLoaded", function () {
  /* Print buttons only make sense with script: show them and wire them up. */
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
