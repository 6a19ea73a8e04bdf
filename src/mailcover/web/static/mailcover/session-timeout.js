// The session-timeout warning (USWDS modal, web/_session_timeout.html). The page says on
// <body> how long its session has left and how early to warn; every htmx answer says it
// again in a header. A few minutes before the end the modal opens with a countdown:
// "Stay signed in" asks the server for more time, "Sign out" (or the end itself) submits
// the page's sign-out form. No inline script: the Content-Security-Policy forbids it.
(function () {
  "use strict";

  var body = document.body;
  var extendUrl = body.dataset.sessionExtendUrl;
  if (!extendUrl) {
    return; // nobody is signed in on this page
  }
  var warnBefore = Number(body.dataset.sessionWarnBefore) || 0;
  var opener = document.querySelector("[data-session-opener]");
  var countdown = document.querySelector("[data-session-countdown]");
  var signOutForm = document.querySelector("form[data-sign-out]");
  var endsAt = 0;
  var timers = [];
  var warning = false;

  function clearTimers() {
    timers.forEach(function (timer) { clearTimeout(timer); clearInterval(timer); });
    timers = [];
  }

  function schedule(seconds) {
    clearTimers();
    endsAt = Date.now() + seconds * 1000;
    timers.push(setTimeout(warn, Math.max(0, (seconds - warnBefore) * 1000)));
    timers.push(setTimeout(signOut, seconds * 1000));
  }

  function showCountdown() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = String(left % 60).padStart(2, "0");
    countdown.textContent = minutes + ":" + seconds;
  }

  function warn() {
    showCountdown();
    timers.push(setInterval(showCountdown, 1000));
    if (!warning && opener) {
      warning = true;
      opener.click();
    }
  }

  function closeWarning() {
    var modal = document.getElementById("session-timeout");
    var visible = modal && modal.closest(".usa-modal-wrapper.is-visible");
    if (visible) {
      var closer = modal.querySelector("[data-close-modal]");
      if (closer) { closer.click(); }
    }
    warning = false;
  }

  function signOut() {
    clearTimers();
    if (signOutForm) {
      signOutForm.submit();
    } else {
      window.location.reload();
    }
  }

  function stay() {
    var token = signOutForm && signOutForm.querySelector("[name=csrfmiddlewaretoken]");
    fetch(extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer); })
      .then(function (left) { warning = false; schedule(left.expires_in); })
      .catch(signOut);
  }

  var stayButton = document.querySelector("[data-session-stay]");
  var signOutButton = document.querySelector("[data-session-sign-out]");
  if (stayButton) { stayButton.addEventListener("click", stay); }
  if (signOutButton) {
    signOutButton.addEventListener("click", function () { closeWarning(); signOut(); });
  }
  body.addEventListener("htmx:afterRequest", function (event) {
    var left = event.detail.xhr && event.detail.xhr.getResponseHeader("X-Mailcover-Session-Expires-In");
    if (left !== null && left !== undefined && !warning) {
      schedule(Number(left));
    }
  });
  schedule(Number(body.dataset.sessionExpiresIn));
})();
