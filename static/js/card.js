// The member card: a code whose time has passed (an offline reload of the saved card, a
// phone that slept) is hidden and the member number is offered instead; htmx fetches a
// fresh one every 30 seconds and when the phone comes back online. Registers the service
// worker that keeps the last card for offline use.
(function () {
  function check() {
    var box = document.getElementById("card-code");
    if (!box) return;
    var expired = Date.parse(box.getAttribute("data-valid-until")) <= Date.now();
    box.classList.toggle("expired", expired);
    box.querySelectorAll("[data-live]").forEach(function (el) { el.hidden = expired; });
    box.querySelector("[data-stale]").hidden = !expired;
  }
  document.addEventListener("DOMContentLoaded", check);
  document.addEventListener("htmx:afterSettle", check);
  window.addEventListener("offline", check);
  setInterval(check, 5000);
  var me = document.currentScript;
  if ("serviceWorker" in navigator && me && me.getAttribute("data-sw")) {
    navigator.serviceWorker.register(me.getAttribute("data-sw"), { scope: "/" });
  }
})();
