// The QR code on a permit holds the check page's URL with the token after "#": browsers never send the
// fragment to the server, so we move it into the form and submit it (POST keeps it out of logs too).
(function () {
  "use strict";
  var token = decodeURIComponent(window.location.hash.slice(1));
  var form = document.querySelector("[data-token-form]");
  if (!form || token.length < 20) { return; }
  history.replaceState(null, "", window.location.pathname + window.location.search);
  form.querySelector("textarea[name=token]").value = token;
  form.submit();
})();
