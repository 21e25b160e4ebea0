/* Service map: "Use where I am now" takes the browser's location (WGS-84, as browsers give
   it) as the list's starting point. Optional: without script, or when the browser says no,
   the list starts from the chosen courtyard. */
(function () {
  function reveal(root) {
    if (!navigator.geolocation) return;
    root.querySelectorAll("button[data-locate]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  /* The button comes back with every list htmx swaps in. */
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-locate]");
    if (!button) return;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      var url = new URL(window.location.href);
      ["from", "near", "page"].forEach(function (name) { url.searchParams.delete(name); });
      url.searchParams.set("lat", position.coords.latitude.toFixed(5));
      url.searchParams.set("lon", position.coords.longitude.toFixed(5));
      window.location.assign(url.toString());
    }, function () {
      button.disabled = false;
      button.textContent = button.getAttribute("data-failed");
    }, {timeout: 15000, maximumAge: 60000});
  });
})();
