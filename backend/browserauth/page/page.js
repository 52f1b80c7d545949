// Ward's one-time page in the system browser: it runs one WebAuthn ceremony
// for the desktop window and posts the credential back to Ward over the same
// loopback listener. Nothing is stored and nothing is sent anywhere else.
"use strict";

(function () {
  var base = location.pathname; // /passkey/<state>
  var heading = document.getElementById("heading");
  var intro = document.getElementById("intro");
  var status = document.getElementById("status");
  var button = document.getElementById("go");
  var pending = null; // {kind, publicKey} of the step the button runs

  var text = {
    get: "Use your face, fingerprint, screen lock or security key to unlock your record in Ward.",
    create: "Use your face, fingerprint, screen lock or security key to set up unlocking Ward with it."
  };

  function say(message, kind) {
    status.className = "status" + (kind ? " " + kind : "");
    status.textContent = message;
  }

  function end(title, message, kind) {
    pending = null;
    button.hidden = true;
    heading.textContent = title;
    intro.hidden = true;
    say(message, kind);
    heading.focus();
  }

  function fail(message) {
    end("That did not work", message || "Try again in Ward.", "error");
  }

  // Binary fields are base64url without padding (RFC 4648 section 5).
  function decode(s) {
    s = String(s).replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function encode(buf) {
    if (buf === null || buf === undefined) return buf;
    var b = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    var s = "";
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function prfValues(v) {
    var out = { first: decode(v.first) };
    if (v.second !== undefined) out.second = decode(v.second);
    return out;
  }

  // The prf inputs, decoded by hand even when the browser parses the rest:
  // not every parse*FromJSON knows the prf extension.
  function prfInputs(prf) {
    var out = {};
    if (prf.eval) out.eval = prfValues(prf.eval);
    if (prf.evalByCredential) {
      out.evalByCredential = {};
      Object.keys(prf.evalByCredential).forEach(function (id) {
        out.evalByCredential[id] = prfValues(prf.evalByCredential[id]);
      });
    }
    return out;
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = Object.assign({}, d);
      out.id = decode(d.id);
      return out;
    });
  }

  function parseOptions(kind, json) {
    var pkc = window.PublicKeyCredential;
    var options;
    if (kind === "create" && typeof pkc.parseCreationOptionsFromJSON === "function") {
      options = pkc.parseCreationOptionsFromJSON(json);
    } else if (kind === "get" && typeof pkc.parseRequestOptionsFromJSON === "function") {
      options = pkc.parseRequestOptionsFromJSON(json);
    } else {
      options = Object.assign({}, json);
      options.challenge = decode(json.challenge);
      if (kind === "create") {
        options.user = Object.assign({}, json.user, { id: decode(json.user.id) });
        options.excludeCredentials = descriptors(json.excludeCredentials);
      } else {
        options.allowCredentials = descriptors(json.allowCredentials);
      }
    }
    if (json.extensions && json.extensions.prf) {
      options.extensions = Object.assign({}, options.extensions, { prf: prfInputs(json.extensions.prf) });
    }
    return options;
  }

  function call(obj, name) {
    return typeof obj[name] === "function" ? obj[name]() : undefined;
  }

  // What PublicKeyCredential.toJSON() gives, for browsers without it.
  function toJSON(cred) {
    var r = cred.response;
    var response = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = encode(r.attestationObject);
      response.transports = call(r, "getTransports") || [];
      var authData = call(r, "getAuthenticatorData");
      if (authData) response.authenticatorData = encode(authData);
      var publicKey = call(r, "getPublicKey");
      if (publicKey) response.publicKey = encode(publicKey);
      var alg = call(r, "getPublicKeyAlgorithm");
      if (alg !== undefined) response.publicKeyAlgorithm = alg;
    } else {
      response.authenticatorData = encode(r.authenticatorData);
      response.signature = encode(r.signature);
      if (r.userHandle) response.userHandle = encode(r.userHandle);
    }
    var out = { id: cred.id, rawId: encode(cred.rawId), type: cred.type, response: response, clientExtensionResults: {} };
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
    return out;
  }

  // The credential as JSON, with the prf results always as base64url.
  function credentialJSON(cred) {
    var json = null;
    if (typeof cred.toJSON === "function") {
      try { json = cred.toJSON(); } catch (e) { json = null; }
    }
    if (!json) json = toJSON(cred);
    var ext = cred.getClientExtensionResults();
    var results = Object.assign({}, json.clientExtensionResults);
    if (ext.credProps) results.credProps = ext.credProps;
    if (ext.prf) {
      var prf = {};
      if (ext.prf.enabled !== undefined) prf.enabled = ext.prf.enabled;
      if (ext.prf.results) {
        prf.results = { first: encode(ext.prf.results.first) };
        if (ext.prf.results.second) prf.results.second = encode(ext.prf.results.second);
      }
      results.prf = prf;
    }
    json.clientExtensionResults = results;
    return json;
  }

  function post(path, body) {
    // referrerPolicy same-origin: under the page's no-referrer policy the
    // Fetch standard has a same-origin POST say "Origin: null", which Ward
    // refuses (Chromium sends the origin either way).
    return fetch(base + path, {
      method: "POST", body: JSON.stringify(body), cache: "no-store", credentials: "omit",
      referrerPolicy: "same-origin", headers: { "Content-Type": "application/json" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        if (!res.ok) throw new Error(json.error || "Try again in Ward.");
        return json;
      });
    });
  }

  function ready(step) {
    if (step.kind !== "get" && step.kind !== "create") throw new Error("Try again in Ward.");
    pending = step;
    intro.textContent = text[step.kind];
    button.disabled = false;
    button.hidden = false;
  }

  function run() {
    if (!pending) return;
    var step = pending;
    var options;
    try {
      options = parseOptions(step.kind, step.publicKey);
    } catch (e) {
      fail();
      return;
    }
    button.disabled = true;
    say("Follow what your browser asks you to do.");
    navigator.credentials[step.kind]({ publicKey: options }).then(function (cred) {
      if (!cred) throw new DOMException("no credential", "NotAllowedError");
      var json = credentialJSON(cred);
      pending = null;
      say("Checking with Ward…");
      return post("/finish", json).then(function (answer) {
        if (answer.done) {
          end("Done — return to Ward", "You can close this tab. Ward carries on by itself.", "done");
          return;
        }
        ready(answer);
        say("One more step: confirm it is you again.");
        button.focus();
      }, function (e) { fail(e.message); });
    }, function (e) {
      // Cancelled or timed out in the browser: Ward's ceremony is unused,
      // so the button may try again until the page expires.
      button.disabled = false;
      var msg = e && e.name === "NotAllowedError" ?
        "Your browser did not confirm it is you. Press Continue to try again, or go back to Ward." :
        "Your browser could not do this. Go back to Ward and use your password.";
      say(msg, "error");
    });
  }

  button.addEventListener("click", run);

  if (!window.PublicKeyCredential || !navigator.credentials) {
    fail("This browser cannot use a face, fingerprint or security key. Go back to Ward and use your password.");
    return;
  }
  say("Getting ready…");
  post("/begin", {}).then(function (step) {
    ready(step);
    say("");
    button.focus();
  }).catch(function (e) { fail(e.message); });
})();
