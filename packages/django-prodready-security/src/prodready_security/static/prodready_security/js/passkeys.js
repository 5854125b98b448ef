/* Passkey ceremonies of the 2FA pages, as a static file (the site's CSP allows no inline script).
 *
 * A form with data-passkey="create" or "get" runs navigator.credentials.create() or .get()
 * with the options in the JSON script element named by data-passkey-options (written by the
 * server, which keeps the challenge), puts the browser's answer as JSON into the form's
 * hidden "credential" field and submits the form; the server checks everything.
 */
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(descriptors) {
    return (descriptors || []).map(function (d) { return Object.assign({}, d, { id: toBytes(d.id) }); });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = withBytes(options.excludeCredentials);
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = withBytes(options.allowCredentials);
    return options;
  }

  function answer(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) { json.response.userHandle = toText(response.userHandle); }
    }
    return JSON.stringify(json);
  }

  function say(form, text) {
    var status = form.querySelector("[data-passkey-status]");
    if (status) { status.textContent = text; status.hidden = false; }
  }

  function run(form) {
    var options = JSON.parse(document.getElementById(form.dataset.passkeyOptions).textContent);
    var ceremony = form.dataset.passkey === "create"
      ? navigator.credentials.create({ publicKey: creationOptions(options) })
      : navigator.credentials.get({ publicKey: requestOptions(options) });
    return ceremony.then(function (credential) {
      form.querySelector("input[name=credential]").value = answer(credential);
      form.submit(); // no submit event: this handler does not run again
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    if (!window.PublicKeyCredential) {
      say(form, form.dataset.passkeyUnsupported);
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(form).catch(function () { say(form, form.dataset.passkeyFailed); });
    });
  });
})();
