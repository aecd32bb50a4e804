// Handover: scan the item's QR label with the camera and confirm. Typing the code works too.
// Uses the browser's BarcodeDetector where there is one, else the vendored ZXing decoder.
(function () {
  "use strict";
  var t = (document.currentScript || {}).dataset || {}; // texts on this script's tag
  var form = document.querySelector("[data-handover-form]");
  if (!form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var box = form.querySelector("[data-scanner]");
  var video = form.querySelector("[data-scan-video]");
  var status = form.querySelector("[data-scan-status]");
  var input = form.querySelector("[name=scanned_code]");
  var expectedCode = (form.dataset.expectedCode || "").toUpperCase();
  var expectedPath = (form.dataset.expectedPath || "").replace(/\/$/, "");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var detector = null;
  var stream = null;
  var frames = 0;
  box.hidden = false;

  function matches(text) {
    var value = (text || "").trim().replace(/\/$/, "");
    return value.toUpperCase() === expectedCode || value.endsWith(expectedPath);
  }

  function decodeFrame() {
    if (detector) {
      return detector.detect(video).then(
        function (codes) { return codes.length ? codes[0].rawValue : null; },
        function () {
          // The browser's detector failed (unsupported here, or broke): use the vendored
          // decoder from the next frame on, or give up if there is none.
          detector = null;
          if (!window.ZXing) throw new Error("no QR decoder");
          return null;
        }
      );
    }
    if (!window.ZXing) return Promise.reject(new Error("no QR decoder"));
    // ZXing's finder-pattern search misses some codes seen square-on (about 3 in 100
    // labels, depending on their content) that it reads turned a quarter: every other
    // frame is turned.
    var turned = (frames += 1) % 2 === 0;
    var width = video.videoWidth;
    var height = video.videoHeight;
    canvas.width = turned ? height : width;
    canvas.height = turned ? width : height;
    context.setTransform(1, 0, 0, 1, 0, 0);
    if (turned) { context.translate(height, 0); context.rotate(Math.PI / 2); }
    context.drawImage(video, 0, 0);
    try {
      var source = new ZXing.HTMLCanvasElementLuminanceSource(canvas);
      var bitmap = new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(source));
      return Promise.resolve(new ZXing.QRCodeReader().decode(bitmap).getText());
    } catch (e) {
      return Promise.resolve(null);
    }
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
  }

  // Scanning cannot go on: say so and hand over to the typed code.
  function fallBack() {
    stop();
    status.textContent = t.nocam;
    input.focus();
  }

  function loop() {
    if (!stream) return;
    if (video.readyState < 2) { requestAnimationFrame(loop); return; }
    decodeFrame().then(function (text) {
      if (!stream) return; // stopped meanwhile
      if (text && matches(text)) {
        input.value = text;
        status.textContent = t.ok;
        stop();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      } else {
        if (text) status.textContent = t.wrong;
        setTimeout(loop, 200);
      }
    }).catch(fallBack); // never a silent stop: the typed code always works
  }

  form.querySelector("[data-scan-start]").addEventListener("click", function () {
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
    }
    if (!detector && !window.ZXing) { fallBack(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        status.textContent = t.aim;
        return video.play();
      })
      .then(loop)
      .catch(fallBack);
  });
  window.addEventListener("pagehide", stop);
})();
