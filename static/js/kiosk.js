/* Kiosk only: after data-kiosk-idle seconds without a touch, ask "还在用吗？" and count down
   data-kiosk-warning seconds (WCAG 2.2.1: the person can ask for more time); then send the
   reset form, which signs out, clears the session and returns to the kiosk's start screen.
   Without script the server signs an idle kiosk out at its next request. */
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-kiosk-idle"), 10) || 0;
  var warning = parseInt(body.getAttribute("data-kiosk-warning"), 10) || 20;
  var box = document.getElementById("kiosk-idle");
  var count = document.getElementById("kiosk-countdown");
  var stay = document.getElementById("kiosk-stay");
  var reset = document.getElementById("kiosk-reset");
  if (!idle || !box || !count || !stay || !reset) { return; }
  var idleTimer = null;
  var tick = null;

  function warn() {
    var left = warning;
    count.textContent = left;
    box.hidden = false;
    stay.focus();
    tick = window.setInterval(function () {
      left -= 1;
      count.textContent = Math.max(left, 0);
      if (left <= 0) {
        window.clearInterval(tick);
        reset.submit();
      }
    }, 1000);
  }

  function touched() {
    if (!box.hidden) { return; }  /* while warning, only the button goes on */
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(warn, idle * 1000);
  }

  stay.addEventListener("click", function () {
    window.clearInterval(tick);
    box.hidden = true;
    touched();
  });
  ["pointerdown", "keydown", "touchstart", "wheel", "input"].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true });
  });
  touched();
  /* For tests and for staff: show the warning now. */
  window.linliKioskWarn = function () { window.clearTimeout(idleTimer); warn(); };
}());
