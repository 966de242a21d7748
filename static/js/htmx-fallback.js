// Load the pinned local copy of htmx when the CDN could not be reached.
(function () {
  var me = document.currentScript;
  function ensure() {
    if (window.htmx) return;
    var s = document.createElement("script");
    s.src = me.getAttribute("data-local");
    document.head.appendChild(s);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ensure);
  } else {
    ensure();
  }
})();
