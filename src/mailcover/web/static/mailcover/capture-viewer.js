// The capture image viewer (covers/capture_viewer.html): zoom with buttons or the + − 0
// keys, move the image by dragging it, with the arrow keys (the frame scrolls natively
// once it has focus) or with the Move buttons. The image is loaded once with the page;
// zooming and moving only resize and scroll it, so they add no disclosure. Without this
// script the image is shown fitted to the width. No inline script: the
// Content-Security-Policy forbids it.
(function () {
  "use strict";

  var viewer = document.querySelector("[data-capture-viewer]");
  if (!viewer) {
    return;
  }
  var frame = viewer.querySelector("[data-viewer-frame]");
  var image = viewer.querySelector("[data-viewer-image]");
  var controls = viewer.querySelector("[data-viewer-controls]");
  var status = viewer.querySelector("[data-viewer-status]");
  var LEVELS = [1, 1.5, 2, 3, 4, 6, 8]; // times the width that fits the frame
  var scale = 1;

  function fitWidth() {
    return Math.max(1, frame.clientWidth);
  }

  function say(text) {
    status.textContent = text;
  }

  function describe() {
    if (scale === 1) {
      return "Shown to fit the width.";
    }
    var percent = Math.round((fitWidth() * scale * 100) / (image.naturalWidth || fitWidth()));
    return "Zoomed to " + scale.toFixed(scale % 1 ? 1 : 0) + " times the fitted width (" +
      percent + "% of the photograph's own size).";
  }

  // Resize to `next` times the fitted width, keeping the point at the frame's centre there.
  function zoomTo(next) {
    var centreX = (frame.scrollLeft + frame.clientWidth / 2) / Math.max(1, image.offsetWidth);
    var centreY = (frame.scrollTop + frame.clientHeight / 2) / Math.max(1, image.offsetHeight);
    scale = Math.min(LEVELS[LEVELS.length - 1], Math.max(1, next));
    image.style.width = Math.round(fitWidth() * scale) + "px";
    frame.scrollLeft = centreX * image.offsetWidth - frame.clientWidth / 2;
    frame.scrollTop = centreY * image.offsetHeight - frame.clientHeight / 2;
    viewer.classList.toggle("is-zoomed", scale > 1);
    say(describe());
  }

  function step(direction) {
    var i;
    if (direction > 0) {
      for (i = 0; i < LEVELS.length; i += 1) {
        if (LEVELS[i] > scale + 0.001) { return zoomTo(LEVELS[i]); }
      }
      return say("Already at the largest zoom. " + describe());
    }
    for (i = LEVELS.length - 1; i >= 0; i -= 1) {
      if (LEVELS[i] < scale - 0.001) { return zoomTo(LEVELS[i]); }
    }
    return say("Already fitted to the width.");
  }

  function actualSize() {
    if (!image.naturalWidth) {
      return;
    }
    zoomTo(Math.max(1, image.naturalWidth / fitWidth()));
  }

  function pan(where) {
    var dx = frame.clientWidth * 0.25;
    var dy = frame.clientHeight * 0.25;
    var moves = { left: [-dx, 0], right: [dx, 0], up: [0, -dy], down: [0, dy] };
    var move = moves[where];
    frame.scrollBy({ left: move[0], top: move[1] });
    if (scale === 1 && (where === "left" || where === "right")) {
      say("The image fits the width; zoom in to move it sideways.");
    }
  }

  controls.hidden = false;
  controls.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) {
      return;
    }
    var zoom = button.getAttribute("data-zoom");
    if (zoom === "in") { step(1); }
    if (zoom === "out") { step(-1); }
    if (zoom === "fit") { zoomTo(1); }
    if (zoom === "actual") { actualSize(); }
    if (button.hasAttribute("data-pan")) { pan(button.getAttribute("data-pan")); }
  });

  frame.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "+" || event.key === "=") { step(1); event.preventDefault(); }
    if (event.key === "-" || event.key === "_") { step(-1); event.preventDefault(); }
    if (event.key === "0") { zoomTo(1); event.preventDefault(); }
  });

  // Dragging with a mouse or a pen moves the image; a finger scrolls the frame natively.
  var drag = null;
  frame.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "touch" || event.button !== 0) {
      return;
    }
    drag = { x: event.clientX, y: event.clientY, left: frame.scrollLeft, top: frame.scrollTop };
    frame.setPointerCapture(event.pointerId);
    frame.classList.add("is-dragging");
    event.preventDefault();
  });
  frame.addEventListener("pointermove", function (event) {
    if (!drag) {
      return;
    }
    frame.scrollLeft = drag.left - (event.clientX - drag.x);
    frame.scrollTop = drag.top - (event.clientY - drag.y);
  });
  function endDrag() {
    drag = null;
    frame.classList.remove("is-dragging");
  }
  frame.addEventListener("pointerup", endDrag);
  frame.addEventListener("pointercancel", endDrag);

  // A new width (a phone turned, a window resized) keeps the zoom relative to the frame.
  window.addEventListener("resize", function () {
    if (scale > 1) {
      image.style.width = Math.round(fitWidth() * scale) + "px";
    }
  });
})();
