// Camera scanning of a permit's QR code where the browser has the BarcodeDetector API (Chrome on Android,
// Safari on iOS 17+). Elsewhere the button stays hidden and officers paste the code into the form.
(function () {
  "use strict";
  var button = document.querySelector("[data-scan-start]");
  var form = document.querySelector("[data-token-form]");
  var video = document.querySelector("[data-scan-video]");
  var status = document.querySelector("[data-scan-status]");
  if (!button || !form || !video || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  button.hidden = false;

  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      var stop = function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.hidden = true;
      };
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      status.textContent = button.dataset.scanning;
      var tick = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stop();
            form.querySelector("textarea[name=token]").value = codes[0].rawValue;
            form.submit();
          } else {
            window.requestAnimationFrame(tick);
          }
        }).catch(function () { window.requestAnimationFrame(tick); });
      };
      tick();
    }).catch(function () { status.textContent = button.dataset.denied; });
  });
})();
