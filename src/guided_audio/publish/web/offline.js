/* guided-audio listening page: keeps sessions for listening with no network. Each kept session
   is one cache in Cache Storage (its MP3, cover and sidecars: transcript, chapters, manifest),
   which sw.js answers from, byte ranges and all. Browsers allow this only on a secure origin
   (https or localhost).
   Written for guided-audio (GPL-3.0-or-later); runs after player.js. */
(function () {
  "use strict";

  var KEEP = "guided-audio-keep:";
  var MIB = 1024 * 1024;
  var $ = function (id) { return document.getElementById(id); };
  var sessions = window.GuidedAudio.sessions;

  var canKeep = "serviceWorker" in navigator && "caches" in window && window.isSecureContext;

  function keepName(session) { return KEEP + encodeURIComponent(session.file) + ":" + session.version; }

  function keptCaches(file) {
    var prefix = KEEP + encodeURIComponent(file) + ":";
    return caches.keys().then(function (keys) {
      return keys.filter(function (key) { return key.indexOf(prefix) === 0; });
    });
  }

  function isKept(file) {
    return canKeep ? keptCaches(file).then(function (keys) { return keys.length > 0; }) : Promise.resolve(false);
  }

  function cacheSize(name) {
    return caches.open(name).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          return cache.match(request).then(function (response) {
            var length = Number(response.headers.get("Content-Length"));
            return length || response.blob().then(function (blob) { return blob.size; });
          });
        }));
      });
    }).then(function (sizes) { return sizes.reduce(function (a, b) { return a + b; }, 0); });
  }

  function megabytes(bytes) {
    return bytes >= 100 * MIB ? Math.round(bytes / MIB) + " MB" : (bytes / MIB).toFixed(1) + " MB";
  }

  function setOffline(session, text) { session.card.querySelector("[data-role=offline]").textContent = text; }

  function button(session, action) { return session.card.querySelector("[data-action=" + action + "]"); }

  function refreshKept() {
    if (!canKeep) return Promise.resolve();
    return Promise.all(sessions.map(function (session) {
      return keptCaches(session.file).then(function (keys) {
        var kept = keys.length > 0;
        var fresh = keys.indexOf(keepName(session)) >= 0;
        button(session, "keep").hidden = kept && fresh;
        button(session, "keep").textContent = kept ? "Update offline copy" : "Keep offline";
        button(session, "remove").hidden = !kept;
        if (!kept) { setOffline(session, ""); delete session.card.dataset.kept; return 0; }
        return cacheSize(fresh ? keepName(session) : keys[0]).then(function (size) {
          setOffline(session, (fresh ? "Kept on this device" : "An earlier version is kept on this device") +
            " · " + megabytes(size));
          session.card.dataset.kept = fresh ? "yes" : "earlier";
          return size;
        });
      });
    })).then(function (sizes) {
      var count = sizes.filter(Boolean).length, total = sizes.reduce(function (a, b) { return a + b; }, 0);
      $("storage").textContent = count ? count + (count === 1 ? " session" : " sessions") + " kept for listening " +
        "without a network, " + megabytes(total) + " in all." : "No sessions kept offline yet.";
    });
  }

  function readAll(response, onProgress) {
    var total = Number(response.headers.get("Content-Length")) || 0;
    var type = response.headers.get("Content-Type") || "";
    /* a gzipped answer's Content-Length counts the compressed bytes, not the ones read here */
    if (!response.body || !response.body.getReader || !total || response.headers.get("Content-Encoding")) return response.blob();
    var reader = response.body.getReader(), chunks = [], received = 0;
    function pump() {
      return reader.read().then(function (step) {
        if (step.done) return new Blob(chunks, { type: type });
        chunks.push(step.value);
        received += step.value.length;
        onProgress(received / total);
        return pump();
      });
    }
    return pump();
  }

  function keep(session) {
    var name = keepName(session);
    var urls = [session.audio, session.cover, session.vtt, session.chapters, session.manifest].filter(Boolean);
    button(session, "keep").disabled = true;
    setOffline(session, "Saving for offline listening…");
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    return caches.open(name).then(function (cache) {
      return urls.reduce(function (done, url) {
        return done.then(function () {
          return fetch(url, { cache: "no-store" }).then(function (response) {
            if (!response.ok) throw new Error(url + " answered " + response.status);
            return readAll(response, function (share) {
              setOffline(session, "Saving for offline listening… " + Math.floor(share * 100) + "%");
            }).then(function (blob) {
              var headers = { "Content-Type": blob.type || response.headers.get("Content-Type") || "", "Content-Length": String(blob.size) };
              return cache.put(url, new Response(blob, { status: 200, headers: headers }));
            });
          });
        });
      }, Promise.resolve());
    }).then(function () {
      return keptCaches(session.file).then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key !== name; }).map(function (key) { return caches.delete(key); }));
      });
    }).catch(function (err) {
      return caches.delete(name).then(function () {
        var full = err && err.name === "QuotaExceededError";
        throw new Error(full ? "there is not enough room on this device" : "the server could not be reached");
      });
    }).then(refreshKept, function (err) {
      return refreshKept().then(function () { setOffline(session, "Could not keep it offline: " + err.message + "."); });
    }).then(function () { button(session, "keep").disabled = false; });
  }

  function remove(session) {
    return keptCaches(session.file).then(function (keys) {
      return Promise.all(keys.map(function (key) { return caches.delete(key); }));
    }).then(refreshKept).then(function () { setOffline(session, "Removed from this device."); });
  }

  /* Offline (the server does not answer), a session not kept cannot play: say so on its card
     rather than offer a Play that fails. A HEAD request passes the service worker by. */
  function markReachable(reachable) {
    return Promise.all(sessions.map(function (session) {
      return (reachable ? Promise.resolve(true) : window.GuidedAudio.isKept(session.file)).then(function (available) {
        var play = button(session, "play");
        play.disabled = !available;
        session.card.classList.toggle("unavailable", !available);
        if (!available) setOffline(session, "Not available offline: it was not kept on this device. It plays again when the server can be reached.");
        else if (session.card.dataset.unavailable) setOffline(session, "");
        if (available) delete session.card.dataset.unavailable; else session.card.dataset.unavailable = "yes";
        if (!available && window.GuidedAudio.current() === session) window.GuidedAudio.close();
      });
    }));
  }

  function checkReachable() {
    return fetch("./?reachable=" + Date.now(), { method: "HEAD", cache: "no-store" }).then(function (response) {
      return response.ok;
    }, function () { return false; }).then(markReachable);
  }

  if (!canKeep) {
    $("secure-note").hidden = false;
    sessions.forEach(function (session) {
      session.card.querySelector("[data-role=secure-hint]").hidden = false;
    });
    return;
  }
  window.GuidedAudio.isKept = isKept;
  sessions.forEach(function (session) {
    button(session, "keep").hidden = false;
    button(session, "keep").addEventListener("click", function () { keep(session); });
    button(session, "remove").addEventListener("click", function () { remove(session); });
  });
  navigator.serviceWorker.register("sw.js").catch(function () {
    $("storage").textContent = "This browser would not start the offline helper, so sessions cannot be kept here.";
  });
  refreshKept().then(checkReachable);
  window.addEventListener("online", checkReachable);
  window.addEventListener("offline", function () { markReachable(false); });
})();
