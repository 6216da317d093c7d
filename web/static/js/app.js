// Small conveniences; every page works without this file.
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (e) {
    var btn = e.submitter;
    var msg = (btn && btn.getAttribute("data-confirm")) || e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
      return;
    }
    // A second tap while the first submission is on its way is dropped, so
    // a slow phone network cannot make two 交办 or two reports. Buttons are
    // not disabled: that would drop the name and value of the one pressed.
    var form = e.target;
    if (form.method && form.method.toLowerCase() === "post") {
      var now = Date.now();
      var last = Number(form.getAttribute("data-sent-at") || 0);
      if (now - last < 15000) {
        e.preventDefault();
        return;
      }
      form.setAttribute("data-sent-at", String(now));
    }
  });
  // Coming back with the browser's back button: the forms may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent-at]").forEach(function (f) { f.removeAttribute("data-sent-at"); });
  });
  // Selects with data-autosubmit submit their form on change (filters).
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-autosubmit]")) {
      e.target.form.submit();
    }
  });
  // Buttons with data-print open the browser's print dialog (the page's
  // print stylesheet lays it out; Ctrl+P does the same without script).
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) {
      window.print();
    }
  });
  // The flash message fades after a while.
  var flash = document.getElementById("flash");
  if (flash && flash.classList.contains("flash-ok")) {
    setTimeout(function () { flash.classList.add("fade"); }, 5000);
  }
})();
