// Handover: scan the item's QR label with the camera and confirm. Typing the code works too.
// Uses the browser's BarcodeDetector where there is one, else the vendored ZXing decoder.
(function () {
  "use strict";
  var form = document.querySelector("[data-handover-form]");
  if (!form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var t = window.KIERRATYS_SCAN || {};
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
  box.hidden = false;

  function matches(text) {
    var value = (text || "").trim().replace(/\/$/, "");
    return value.toUpperCase() === expectedCode || value.endsWith(expectedPath);
  }

  function decodeFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
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

  function loop() {
    if (!stream) return;
    if (video.readyState < 2) { requestAnimationFrame(loop); return; }
    decodeFrame().then(function (text) {
      if (text && matches(text)) {
        input.value = text;
        status.textContent = t.ok;
        stop();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      } else {
        if (text) status.textContent = t.wrong;
        setTimeout(loop, 200);
      }
    });
  }

  form.querySelector("[data-scan-start]").addEventListener("click", function () {
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        status.textContent = t.aim;
        return video.play();
      })
      .then(loop)
      .catch(function () { status.textContent = t.nocam; input.focus(); });
  });
  window.addEventListener("pagehide", stop);
})();
