// The public catalog's print button (the CSP allows no inline script).
document.querySelectorAll("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
