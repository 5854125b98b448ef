/* The idle-timeout warning, as a static file (the site's CSP allows no inline script).
 *
 * Its <script> tag (``{% idle_warning %}``) carries the seconds the session has left, when
 * to warn, the keep-alive URL and the translated texts. Shortly before the end a banner
 * counts down with a "Stay signed in" button, which posts to the keep-alive URL and starts
 * the count again; at the end it says the session ended and links to the login page.
 */
(function () {
  "use strict";
  var script = document.querySelector("script[data-pr-idle]");
  if (!script) { return; }
  var data = script.dataset;
  var warning = Number(data.warning);
  var deadline = Date.now() + Number(data.remaining) * 1000;
  var banner, text, action, timer = null;

  function build() {
    banner = document.createElement("div");
    banner.className = "pr-idle";
    banner.setAttribute("role", "alertdialog");
    banner.setAttribute("aria-live", "assertive");
    banner.setAttribute("aria-labelledby", "pr-idle-text");
    banner.hidden = true;
    text = document.createElement("p");
    text.id = "pr-idle-text";
    banner.appendChild(text);
    action = document.createElement("button");
    action.type = "button";
    action.textContent = data.textStay;
    action.addEventListener("click", stay);
    banner.appendChild(action);
    document.body.appendChild(banner);
  }

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60), rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function ended() {
    clearInterval(timer);
    text.textContent = data.textEnded;
    var link = document.createElement("a");
    link.href = data.loginUrl;
    link.textContent = data.textSignIn;
    banner.replaceChild(link, action);
    banner.hidden = false;
    link.focus();
  }

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) { ended(); return; }
    if (left > warning) { banner.hidden = true; return; }
    text.textContent = data.textWarning.replace("{time}", clock(left));
    if (banner.hidden) { banner.hidden = false; action.focus(); }
  }

  function stay() {
    fetch(data.keepAliveUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": data.csrf }
    }).then(function (response) {
      if (response.status === 401) { deadline = Date.now(); tick(); return null; }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      if (body) { deadline = Date.now() + body.remaining * 1000; tick(); }
    }).catch(function () { text.textContent = data.textFailed; });
  }

  build();
  tick();
  timer = setInterval(tick, 1000);
})();
