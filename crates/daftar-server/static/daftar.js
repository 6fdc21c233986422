// Daftar's one script, small and optional: every page works without it.
// - A «چاپ» (print) button, which needs a script to call the browser's print dialog, is
//   shown only when scripts run.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
