/* guided-audio listening page: the breathing guide. During a breathing phase a calm shape grows
   on the in-breath, rests on the hold and shrinks on the out-breath, with the phase's name and
   the seconds left as text. It is driven by the session manifest's `phases` and the audio's
   currentTime, never by a timer of its own, so it stays on the beat after a seek, a pause or a
   stall, and offline (the manifest is kept with the session). With prefers-reduced-motion the
   shape stays still and the text alone guides. Tests follow [data-role=pacer][data-phase].
   Written for guided-audio (GPL-3.0-or-later); runs after player.js. */
(function () {
  "use strict";

  var WORDS = { inhale: "Breathe in", hold: "Hold", exhale: "Breathe out", rest: "Rest", topup: "A little more in" };
  var SMALL = 0.45, LARGE = 1;  /* the shape's scale, breath out and breath in */

  var $ = function (id) { return document.getElementById(id); };
  var audio = $("audio");
  var pacer = $("pacer");
  var shape = pacer.querySelector(".pacer-shape");
  var phaseText = pacer.querySelector(".pacer-phase");
  var leftText = pacer.querySelector(".pacer-left");
  var fullButton = $("pacer-full");
  var phases = [];
  var file = null;
  var frame = 0;
  var wakeLock = null;

  function breathing(phase) { return Object.prototype.hasOwnProperty.call(WORDS, phase.name); }

  document.addEventListener("guided-audio:open", function (event) { load(event.detail); });

  function load(session) {
    file = session.file;
    phases = [];
    pacer.hidden = true;
    show(null, 0);
    if (!session.manifest) return;
    fetch(session.manifest).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (manifest) {
      if (file !== session.file) return;
      phases = (manifest.phases || []).filter(function (p) {
        return typeof p.start === "number" && typeof p.end === "number" && p.end > p.start && breathing(p);
      }).sort(function (a, b) { return a.start - b.start; });
      pacer.hidden = phases.length === 0;
      update();
    }).catch(function () { pacer.hidden = true; });
  }

  /* The phase at time t, and where the shape stood before it (a hold after an in-breath stays large). */
  function phaseAt(t) {
    var lo = 0, hi = phases.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (phases[mid].start <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found >= 0 && t < phases[found].end ? found : -1;
  }

  function sizeBefore(index) {
    for (var i = index - 1; i >= 0 && i >= index - 3; i--) {
      var name = phases[i].name;
      if (name === "inhale" || name === "topup") return LARGE;
      if (name === "exhale") return SMALL;
    }
    return SMALL;
  }

  function show(phase, t, index) {
    var name = phase ? phase.name : "idle";
    if (pacer.dataset.phase !== name) pacer.dataset.phase = name;
    if (!phase) {
      phaseText.textContent = "Breathing guide";
      leftText.textContent = "waits for the next breath";
      shape.style.transform = "scale(" + SMALL + ")";
      return;
    }
    var length = phase.end - phase.start, done = Math.min(1, Math.max(0, (t - phase.start) / length));
    var left = Math.max(1, Math.ceil(phase.end - t - 0.05));
    var from = sizeBefore(index), scale = from;
    if (name === "inhale") scale = SMALL + (LARGE - SMALL) * ease(done);
    else if (name === "topup") scale = from + (1.12 - from) * ease(done);
    else if (name === "exhale") scale = Math.max(from, LARGE) + (SMALL - Math.max(from, LARGE)) * ease(done);
    else if (name === "rest") scale = SMALL;
    phaseText.textContent = WORDS[name];
    leftText.textContent = left + (left === 1 ? " second" : " seconds");
    shape.style.transform = "scale(" + scale.toFixed(4) + ")";
  }

  function ease(x) { return 0.5 - 0.5 * Math.cos(Math.PI * x); }

  function update() {
    if (!phases.length) return;
    var t = audio.currentTime, index = phaseAt(t);
    show(index >= 0 ? phases[index] : null, t, index);
  }

  function loop() {
    update();
    frame = audio.paused ? 0 : requestAnimationFrame(loop);
  }

  audio.addEventListener("play", function () { if (!frame) frame = requestAnimationFrame(loop); });
  ["seeked", "seeking", "timeupdate", "pause", "loadedmetadata"].forEach(function (name) {
    audio.addEventListener(name, update);
  });

  /* The large form: the whole screen for a phone laid on a table; Escape or the button leaves it. */
  function setFull(on) {
    pacer.classList.toggle("full", on);
    document.documentElement.classList.toggle("pacer-open", on);
    fullButton.setAttribute("aria-pressed", on ? "true" : "false");
    fullButton.textContent = on ? "Close full screen" : "Full screen";
    if (on && navigator.wakeLock && navigator.wakeLock.request) {
      navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
    } else if (!on && wakeLock) {
      wakeLock.release().catch(function () {});
      wakeLock = null;
    }
    fullButton.focus();
  }
  if (window.GuidedAudio.current()) load(window.GuidedAudio.current());  /* opened before this script ran */

  fullButton.addEventListener("click", function () { setFull(!pacer.classList.contains("full")); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && pacer.classList.contains("full")) setFull(false);
  });
})();
