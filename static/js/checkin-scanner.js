// Camera scanning at the check-in desk, as a progressive enhancement: the page works
// without it (typing, or a keyboard-wedge scanner that types the code and Enter).
// Where the browser can open a camera, a "Scan with the camera" button appears; a
// decoded QR code is put in the same field and the same form is submitted. The
// decoder is the browser's BarcodeDetector where it has one, else the vendored jsQR,
// loaded only when the camera is first switched on.
//
// After the answer page loads the camera starts again by itself (the choice is kept
// for this tab in sessionStorage), so a queue can be scanned one badge after another.
// The code just submitted is not sent again until another badge has been read, so the
// badge still in front of the camera does not turn "Admitted" into "Already checked in".
//
// After an answer, the answer stays in view: the code field takes the focus (for the
// next scan) without scrolling the answer off the screen.
(function () {
  "use strict";
  var verdict = document.querySelector(".checkin-verdict");
  var codeField = document.getElementById("code");
  if (verdict && codeField) {
    codeField.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    window.addEventListener("load", function () { window.scrollTo(0, 0); });
  }
  var form = document.getElementById("checkin-form");
  var toggle = document.getElementById("scanner-toggle");
  var panel = document.getElementById("scanner");
  var video = document.getElementById("scanner-video");
  var status = document.getElementById("scanner-status");
  var field = document.getElementById("code");
  if (!form || !toggle || !panel || !video || !field) {
    return;
  }
  if (!window.isSecureContext || !navigator.mediaDevices ||
      typeof navigator.mediaDevices.getUserMedia !== "function") {
    return; // no camera here: the field and a handheld scanner still work
  }
  var KEY_ON = "checkin-camera", KEY_LAST = "checkin-camera-last";
  var stream = null, running = false, detector = null, decodeJsQR = null;
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });

  toggle.hidden = false;

  function say(text) {
    status.textContent = text;
  }

  function remember(on) {
    try {
      if (on) { sessionStorage.setItem(KEY_ON, "1"); } else { sessionStorage.removeItem(KEY_ON); }
    } catch (e) { /* storage off: the camera just does not restart by itself */ }
  }

  function lastSent() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY_LAST) || "null");
    } catch (e) {
      return null;
    }
  }

  function loadDecoder() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) {
          detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return;
        }
        return loadJsQR();
      }, loadJsQR);
    }
    return loadJsQR();
  }

  function loadJsQR() {
    if (typeof window.jsQR === "function") {
      decodeJsQR = window.jsQR;
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = panel.dataset.decoder;
      script.onload = function () { decodeJsQR = window.jsQR; resolve(); };
      script.onerror = function () { reject(new Error("the QR decoder could not be loaded")); };
      document.head.appendChild(script);
    });
  }

  function start() {
    say("Opening the camera…");
    panel.hidden = false;
    toggle.setAttribute("aria-pressed", "true");
    toggle.textContent = "Stop the camera";
    Promise.all([
      loadDecoder(),
      navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } }, audio: false
      })
    ]).then(function (results) {
      stream = results[1];
      video.srcObject = stream;
      return video.play();
    }).then(function () {
      running = true;
      remember(true);
      say("Camera on: hold the QR code of the badge in the frame.");
      requestAnimationFrame(scan);
    }).catch(function (err) {
      stop(false);
      say("The camera could not be opened (" + (err && err.name ? err.name : err) +
          "). Type the code or a name, or use a handheld scanner.");
    });
  }

  function stop(forget) {
    running = false;
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
    video.srcObject = null;
    panel.hidden = forget ? true : panel.hidden;
    toggle.setAttribute("aria-pressed", "false");
    toggle.textContent = "Scan with the camera";
    if (forget) {
      remember(false);
      say("");
    }
  }

  function found(text) {
    var last = lastSent();
    if (last && last.code === text) {
      return false; // the badge just answered is still in front of the camera
    }
    try {
      sessionStorage.setItem(KEY_LAST, JSON.stringify({ code: text, at: Date.now() }));
    } catch (e) { /* ignore */ }
    running = false;
    field.value = text;
    say("Code read: checking…");
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  function scan() {
    if (!running) {
      return;
    }
    if (video.readyState < 2 || !video.videoWidth) {
      requestAnimationFrame(scan);
      return;
    }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (!(codes.length && found(codes[0].rawValue))) {
          requestAnimationFrame(scan);
        }
      }, function () { requestAnimationFrame(scan); });
      return;
    }
    // jsQR reads pixels: a frame scaled to at most 640 px wide is enough for a badge.
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = decodeJsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (!(code && code.data && found(code.data))) {
      requestAnimationFrame(scan);
    }
  }

  toggle.addEventListener("click", function () {
    if (stream || running) {
      stop(true);
    } else {
      start();
    }
  });
  window.addEventListener("pagehide", function () { stop(false); });

  var on = false;
  try { on = sessionStorage.getItem(KEY_ON) === "1"; } catch (e) { on = false; }
  if (on) {
    start();
  }
})();
