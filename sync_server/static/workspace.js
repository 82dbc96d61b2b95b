// Zoom for page images on the review page: +, -, fit. No framework; CSP allows only this file.
(function () {
  "use strict";
  document.querySelectorAll(".zoom").forEach(function (bar) {
    var img = document.getElementById(bar.dataset.target);
    if (!img) { return; }
    var scale = 1;
    bar.addEventListener("click", function (event) {
      var how = event.target.dataset.zoom;
      if (!how) { return; }
      scale = how === "in" ? Math.min(scale * 1.5, 8) : how === "out" ? Math.max(scale / 1.5, 0.25) : 1;
      img.style.width = (scale * 100) + "%";
      img.style.maxWidth = "none";
    });
  });
})();
