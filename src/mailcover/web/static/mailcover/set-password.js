// The one-time link's code arrives after the '#' (never sent to the server, so never in a
// log): put it in the form and take it out of the address bar and the history.
(function () {
  var field = document.querySelector('input[name="link"]');
  if (!field || window.location.hash.length < 2) return;
  field.value = decodeURIComponent(window.location.hash.slice(1));
  window.history.replaceState(null, "", window.location.pathname);
})();
