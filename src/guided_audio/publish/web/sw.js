/* guided-audio listening page's service worker: the page itself works with no network, and
   sessions kept offline (Cache Storage, one cache per session, filled by player.js) play from
   the device, byte ranges and all. Written for guided-audio (GPL-3.0-or-later).
   VERSION and SHELL are written above this line by `guided-audio page`. */

var SHELL_PREFIX = "guided-audio-shell:";
var SHELL_CACHE = SHELL_PREFIX + VERSION;
var KEEP_PREFIX = "guided-audio-keep:";
var NETWORK_PATIENCE_MS = 4000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf(SHELL_PREFIX) === 0 && key !== SHELL_CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.cache === "no-store") return;  /* player.js fetching a session to keep: the network's copy */
  event.respondWith(answer(request));
});

function answer(request) {
  return keptCopy(request).then(function (kept) {
    if (kept) return request.headers.has("Range") ? partial(request, kept) : kept;
    if (request.mode === "navigate") return networkFirst(request);
    return caches.open(SHELL_CACHE).then(function (shell) {
      return shell.match(request).then(function (cached) {
        return cached || fetch(request);
      });
    });
  });
}

function keptCopy(request) {
  return caches.keys().then(function (keys) {
    var kept = keys.filter(function (key) { return key.indexOf(KEEP_PREFIX) === 0; });
    return kept.reduce(function (found, key) {
      return found.then(function (response) {
        return response || caches.open(key).then(function (cache) { return cache.match(request, { ignoreVary: true }); });
      });
    }, Promise.resolve(undefined));
  });
}

/* The page: the server's newest copy when it answers in time, else the one kept at install. */
function networkFirst(request) {
  return caches.open(SHELL_CACHE).then(function (shell) {
    var fromNetwork = fetch(request).then(function (response) {
      if (response.ok) shell.put(request, response.clone());
      return response;
    });
    var patience = new Promise(function (resolve, reject) {
      setTimeout(function () { reject(new Error("the server is slow to answer")); }, NETWORK_PATIENCE_MS);
    });
    return Promise.race([fromNetwork, patience]).catch(function (err) {
      return shell.match(request, { ignoreSearch: true }).then(function (cached) {
        return cached || shell.match("./");
      }).then(function (cached) {
        if (cached) return cached;
        throw err;
      });
    });
  });
}

/* A Range request answered from a kept full copy: 206 with Content-Range, or 416 (RFC 9110). */
function partial(request, full) {
  return full.blob().then(function (blob) {
    var size = blob.size;
    var type = full.headers.get("Content-Type") || blob.type || "application/octet-stream";
    var spec = /^bytes=(\d*)-(\d*)$/.exec((request.headers.get("Range") || "").trim());
    var backwards = spec && spec[1] !== "" && spec[2] !== "" && Number(spec[2]) < Number(spec[1]);
    if (!spec || (spec[1] === "" && spec[2] === "") || backwards) {
      return new Response(blob, { status: 200, headers: headers(type, size) });  /* a range we do not do: all of it */
    }
    var start, end;
    if (spec[1] === "") {
      start = Math.max(0, size - Number(spec[2]));
      end = Number(spec[2]) > 0 ? size - 1 : -1;
    } else {
      start = Number(spec[1]);
      end = spec[2] === "" ? size - 1 : Math.min(Number(spec[2]), size - 1);
    }
    if (start >= size || end < start) {
      return new Response(null, { status: 416, statusText: "Range Not Satisfiable", headers: { "Content-Range": "bytes */" + size } });
    }
    var answerHeaders = headers(type, end - start + 1);
    answerHeaders["Content-Range"] = "bytes " + start + "-" + end + "/" + size;
    return new Response(blob.slice(start, end + 1, type), { status: 206, statusText: "Partial Content", headers: answerHeaders });
  });
}

function headers(type, length) {
  return { "Content-Type": type, "Content-Length": String(length), "Accept-Ranges": "bytes" };
}
