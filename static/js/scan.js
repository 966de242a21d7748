// Camera scanning at the counter: a "Scan with the camera" button beside a code box (the
// till's member lookup, the staff lookup, the coupon write-off). It reads QR codes from the
// phone's or tablet's camera with jsQR (static/vendor/jsqr, loaded on first use), puts the
// text in the box and submits the form, as a USB scanner would. Without a camera API the
// button never shows and the box works as before.
(function () {
  var me = document.currentScript;
  var decoderUrl = me.getAttribute("data-jsqr");
  var decoder = null;

  function loadDecoder() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!decoder) {
      decoder = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = decoderUrl;
        script.onload = function () { resolve(window.jsQR); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return decoder;
  }

  function setup(box) {
    var input = document.querySelector(box.getAttribute("data-target"));
    if (!input || !input.form) return;
    var view = box.querySelector("[data-scan-view]");
    var video = box.querySelector("video");
    var status = box.querySelector("[data-scan-status]");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var timer = null;

    function stop() {
      clearTimeout(timer);
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.srcObject = null;
      view.hidden = true;
    }

    function look(decode) {
      if (!stream) return;
      if (video.readyState >= 2 && video.videoWidth) {
        // A frame of at most 640 px a side: enough for a code held at the counter.
        var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var frame = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = decode(frame.data, frame.width, frame.height, { inversionAttempts: "attemptBoth" });
        if (found && found.data) {
          stop();
          input.value = found.data;
          if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
          return;
        }
      }
      timer = setTimeout(function () { look(decode); }, 150);
    }

    box.querySelector("[data-scan-start]").addEventListener("click", function () {
      if (stream) return;
      status.textContent = box.getAttribute("data-aim");
      view.hidden = false;
      var camera = navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" }, audio: false,
      });
      Promise.all([loadDecoder(), camera]).then(function (ready) {
        stream = ready[1];
        video.srcObject = stream;
        return video.play().then(function () { look(ready[0]); });
      }).catch(function () {
        camera.then(function (s) { s.getTracks().forEach(function (t) { t.stop(); }); }, function () {});
        stream = null;
        video.hidden = true;
        status.textContent = box.getAttribute("data-failed");
      });
    });
    box.querySelector("[data-scan-stop]").addEventListener("click", stop);
    box.hidden = false;
  }

  function init() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    document.querySelectorAll("[data-camera-scan]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
