/* guided-audio listening page: plays this folder's sessions (offline.js keeps them offline).
   Written for guided-audio (GPL-3.0-or-later). No dependencies, no build step, nothing fetched
   from another host. Text from the sessions is only ever set as text (textContent), never as HTML. */
(function () {
  "use strict";

  var STORE = "guided-audio:";
  var BACK_SECONDS = 15;
  var SAVE_EVERY_MS = 5000;
  var RESUME_NOTE_SECONDS = 20;  /* played this far past the saved place, "Continuing from" has done its job */

  var $ = function (id) { return document.getElementById(id); };
  var audio = $("audio");
  var seek = $("seek");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  var current = null;
  var dragging = false;
  var lastSaved = 0;
  var followUntil = 0;

  function sessionOf(card) {
    var d = card.dataset;
    return {
      card: card, file: d.file, audio: d.audio, vtt: d.vtt, chapters: d.chapters, cover: d.cover, manifest: d.manifest,
      version: d.version, duration: Number(d.duration), author: d.author, album: d.album,
      title: card.querySelector("h3").textContent
    };
  }
  var sessions = cards.map(sessionOf);
  /* What offline.js builds on; it replaces isKept where sessions can be kept. */
  window.GuidedAudio = {
    sessions: sessions, isKept: function () { return Promise.resolve(false); },
    current: function () { return current ? current.session : null; },
    /* offline.js: the open session cannot be reached and is not kept, so the player goes */
    close: function () {
      if (!current) return;
      audio.pause();
      audio.removeAttribute("src");
      audio.load();
      current.session.card.classList.remove("current");
      current = null;
      $("player").hidden = true;
      $("mini").hidden = true;
      document.body.classList.remove("with-mini");
    }
  };

  function byFile(file) {
    for (var i = 0; i < sessions.length; i++) if (sessions[i].file === file) return sessions[i];
    return null;
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function spoken(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var m = Math.floor(seconds / 60), s = seconds % 60, parts = [];
    if (m) parts.push(m + (m === 1 ? " minute" : " minutes"));
    if (s || !m) parts.push(s + (s === 1 ? " second" : " seconds"));
    return parts.join(" ");
  }

  function say(text, action) {
    var box = $("message");
    if (current) current.resumeNote = false;  /* any new message replaces "Continuing from" */
    box.textContent = text || "";
    if (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      box.appendChild(button);
    }
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(STORE + key);
      else localStorage.setItem(STORE + key, JSON.stringify(value));
    } catch (e) { /* private mode or full: the page still plays */ }
  }

  function stored(key) {
    try { return JSON.parse(localStorage.getItem(STORE + key)); } catch (e) { return null; }
  }

  /* ---- the place in each session, saved in this browser only ---- */

  function savedPosition(session) {
    var saved = stored("position:" + session.file);
    var t = saved && Number(saved.t);
    return t && t > 3 && t < session.duration - 5 ? t : 0;
  }

  function savePosition(force) {
    if (!current || !audio.currentSrc) return;
    var now = Date.now();
    if (!force && now - lastSaved < SAVE_EVERY_MS) return;
    lastSaved = now;
    store("position:" + current.file, { t: Math.floor(audio.currentTime), v: current.version, at: now });
    showProgress(current.session);
  }

  function showProgress(session) {
    var line = session.card.querySelector("[data-role=progress]");
    var at = savedPosition(session);
    line.textContent = at ? "Stopped at " + clock(at) + " of " + clock(session.duration) : "";
  }

  /* ---- opening and playing a session ---- */

  function open(session, play) {
    if (current && current.file === session.file) {
      if (play) start();
      return;
    }
    savePosition(true);
    current = { file: session.file, session: session, chapters: [], cues: [], items: [], version: session.version };
    $("player").hidden = false;
    $("now-title").textContent = session.title;
    $("now-cover").src = session.cover;
    $("now-chapter").textContent = "";
    $("chapters").textContent = "";
    $("transcript").textContent = "";
    $("chapters-box").hidden = !session.chapters;
    $("next").disabled = true;  /* until the chapters are in */
    $("transcript-box").hidden = !session.vtt;
    say("");
    cards.forEach(function (card) { card.classList.toggle("current", card === session.card); });
    var old = audio.querySelectorAll("track");
    for (var i = 0; i < old.length; i++) old[i].remove();
    audio.src = session.audio;
    if (session.vtt) addTrack(session.vtt);
    var resume = savedPosition(session);
    current.resume = resume;
    if (resume) {
      audio.currentTime = resume;  /* the default start position until the metadata is in */
      say("Continuing from " + clock(resume) + ".", { label: "Start from the beginning", run: restart });
      current.resumeNote = true;
      current.resumedAt = resume;
    }
    seek.max = String(Math.round(session.duration));
    showTime(resume);
    if (session.chapters) loadChapters(session);
    describeForLockScreen(session);
    store("last", session.file);
    $("mini-name").textContent = session.title;
    document.dispatchEvent(new CustomEvent("guided-audio:open", { detail: session }));
    if (play) start();
  }

  /* "Continuing from M:SS" and its button go once the listener has moved on: a seek elsewhere,
     or some time played past the saved place (the button would then undo that listening). */
  function clearResumeNote() {
    if (current && current.resumeNote) say("");
  }

  function start() {
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function (err) {
        if (err && err.name === "NotAllowedError") say("Press play to start.");
      });
    }
  }

  function restart() {
    audio.currentTime = 0;
    store("position:" + current.file, null);
    showProgress(current.session);
    say("");
  }

  function seekTo(seconds) {
    audio.currentTime = Math.max(0, Math.min(seconds, current ? current.session.duration : seconds));
    showTime(audio.currentTime);
  }

  function back() { if (current) seekTo(audio.currentTime - BACK_SECONDS); }

  audio.addEventListener("loadedmetadata", function () {
    if (current && current.resume && Math.abs(audio.currentTime - current.resume) > 1 && audio.currentTime < 1) {
      audio.currentTime = current.resume;
    }
    if (current) current.resume = 0;
    updatePositionState();
  });
  function showPlaying(playing) {
    $("player").classList.toggle("playing", playing);
    $("mini").classList.toggle("playing", playing);
    $("toggle").setAttribute("aria-label", playing ? "Pause" : "Play");
    $("mini-toggle").setAttribute("aria-label", playing ? "Pause" : "Play");
    $("pacer-toggle").setAttribute("aria-label", playing ? "Pause" : "Play");
  }
  audio.addEventListener("play", function () { showPlaying(true); });
  audio.addEventListener("pause", function () {
    showPlaying(false);
    savePosition(true);
  });
  audio.addEventListener("timeupdate", function () {
    showTime(audio.currentTime);
    showChapter(audio.currentTime);
    if (!audio.paused) savePosition(false);
    if (current && current.resumeNote && !audio.paused && audio.currentTime > current.resumedAt + RESUME_NOTE_SECONDS) {
      clearResumeNote();
    }
  });
  audio.addEventListener("seeked", function () {
    if (current && current.resumeNote && Math.abs(audio.currentTime - current.resumedAt) > 2) clearResumeNote();
    savePosition(true);
    updatePositionState();
    var track = audio.textTracks[0];
    if (track) highlight(track);
  });
  audio.addEventListener("ended", function () {
    store("position:" + current.file, null);
    showProgress(current.session);
    say("The end of the session. Take your time.");
  });
  audio.addEventListener("error", function () {
    if (!current) return;
    window.GuidedAudio.isKept(current.file).then(function (kept) {
      say(kept ? "This session could not be played." :
        "This session cannot be reached now, and it is not kept on this device. " +
        "Next time, choose Keep offline while the server is running.");
    });
  });

  function showTime(t) {
    var total = current ? current.session.duration : 0;
    if (!dragging) seek.value = String(Math.floor(t));
    $("elapsed").textContent = clock(t);
    $("total").textContent = clock(total);
    $("mini-time").textContent = clock(t) + " / " + clock(total);
    seek.setAttribute("aria-valuetext", spoken(t) + " of " + spoken(total));
  }

  seek.addEventListener("input", function () { dragging = true; showTime(Number(seek.value)); });
  seek.addEventListener("change", function () { dragging = false; seekTo(Number(seek.value)); });

  $("toggle").addEventListener("click", function () {
    if (!current) return;
    if (audio.paused) start(); else audio.pause();
  });
  $("back").addEventListener("click", back);
  $("mini-back").addEventListener("click", back);
  $("mini-toggle").addEventListener("click", function () { $("toggle").click(); });
  $("pacer-toggle").addEventListener("click", function () { $("toggle").click(); });
  $("next").addEventListener("click", function () { jumpChapter(1); });

  document.addEventListener("keydown", function (event) {
    if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var onControl = tag === "BUTTON" || tag === "SUMMARY" || tag === "A";
    var key = event.key;
    if ((key === " " && !onControl) || key === "k" || key === "K") {
      event.preventDefault();
      $("toggle").click();
    } else if (key === "ArrowLeft" || key === "j" || key === "J") {
      event.preventDefault();
      back();
    } else if (key === "n" || key === "N") {
      event.preventDefault();
      jumpChapter(1);
    }
  });

  /* ---- chapters, from the session's .chapters.json ---- */

  function loadChapters(session) {
    fetch(session.chapters).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      if (!current || current.file !== session.file) return;
      var list = $("chapters");
      current.chapters = (data.chapters || []).filter(function (c) { return typeof c.startTime === "number"; });
      current.chapters.forEach(function (chapter, index) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        var at = document.createElement("span");
        var name = document.createElement("span");
        button.type = "button";
        at.className = "at";
        at.textContent = clock(chapter.startTime);
        name.textContent = chapter.title || "Chapter " + (index + 1);
        button.appendChild(at);
        button.appendChild(name);
        button.addEventListener("click", function () { seekTo(chapter.startTime); start(); });
        item.appendChild(button);
        list.appendChild(item);
      });
      $("next").disabled = current.chapters.length < 2;
      showChapter(audio.currentTime);
      describeForLockScreen(session);
    }).catch(function () { $("chapters-box").hidden = true; });
  }

  function chapterAt(t) {
    var found = -1;
    if (!current) return found;
    current.chapters.forEach(function (chapter, index) { if (chapter.startTime <= t + 0.05) found = index; });
    return found;
  }

  function showChapter(t) {
    var index = chapterAt(t);
    var buttons = $("chapters").querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) {
      if (i === index) buttons[i].setAttribute("aria-current", "true");
      else buttons[i].removeAttribute("aria-current");
    }
    var name = index >= 0 ? current.chapters[index].title : "";
    if ($("now-chapter").textContent !== name) $("now-chapter").textContent = name;
  }

  function jumpChapter(step) {
    if (!current || !current.chapters.length) return;
    var index = chapterAt(audio.currentTime);
    if (step < 0 && index >= 0 && audio.currentTime - current.chapters[index].startTime > 3) step = 0;
    var target = current.chapters[Math.max(0, Math.min(current.chapters.length - 1, index + step))];
    seekTo(target.startTime);
  }

  /* ---- the transcript: the .vtt as a <track>, the phrase being spoken highlighted ---- */

  function addTrack(url) {
    var element = document.createElement("track");
    element.kind = "captions";
    element.label = "Transcript";
    element.srclang = document.documentElement.lang || "en";
    element.src = url;
    element.default = true;
    audio.appendChild(element);
    element.track.mode = "hidden";
    element.addEventListener("load", function () { showTranscript(element.track); });
    element.addEventListener("error", function () {
      $("transcript").textContent = "";
      var item = document.createElement("li");
      item.className = "empty";
      item.textContent = "The transcript cannot be loaded now.";
      $("transcript").appendChild(item);
    });
    element.track.addEventListener("cuechange", function () { highlight(element.track); });
  }

  function showTranscript(track) {
    var list = $("transcript");
    list.textContent = "";
    current.cues = Array.prototype.slice.call(track.cues || []);
    current.items = current.cues.map(function (cue) {
      var item = document.createElement("li");
      var line = document.createElement("button");
      line.type = "button";
      line.className = "line";
      line.appendChild(cue.getCueAsHTML());  /* WebVTT's own safe parser: text and cue spans only */
      line.addEventListener("click", function () { seekTo(cue.startTime); });
      item.appendChild(line);
      list.appendChild(item);
      return item;
    });
    highlight(track);
  }

  function highlight(track) {
    if (!current || !current.items.length) return;
    var active = track.activeCues && track.activeCues.length ? track.activeCues[track.activeCues.length - 1] : null;
    var t = audio.currentTime, anchor = -1;
    current.cues.forEach(function (cue, index) {
      if (cue === active || (!active && cue.endTime <= t + 0.05)) anchor = index;
    });
    current.cues.forEach(function (cue, index) {
      var item = current.items[index];
      var speaking = cue === active;
      item.classList.toggle("speaking", speaking);
      item.classList.toggle("last", !active && index === anchor);  /* in a pause: the phrase just said */
      item.classList.toggle("said", index < anchor);
      if (speaking) item.firstChild.setAttribute("aria-current", "true"); else item.firstChild.removeAttribute("aria-current");
    });
    if (anchor >= 0 && Date.now() > followUntil) follow(current.items[anchor]);
  }

  function follow(item) {
    var box = $("transcript-scroll");
    box.scrollTop = item.offsetTop - box.clientHeight / 3;
  }

  ["wheel", "touchstart", "pointerdown", "keydown", "focusin"].forEach(function (name) {
    $("transcript-scroll").addEventListener(name, function () { followUntil = Date.now() + 8000; }, { passive: true });
  });

  /* ---- the lock screen (Media Session API) ---- */

  function describeForLockScreen(session) {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
    var cover = new URL(session.cover, location.href).href;
    var artwork = [{ src: cover, sizes: "512x512", type: "image/jpeg" }];
    navigator.mediaSession.metadata = new MediaMetadata({
      title: session.title, artist: session.author, album: session.album, artwork: artwork,
      chapterInfo: (current ? current.chapters : []).map(function (c) {
        return { title: c.title || "", startTime: c.startTime, artwork: artwork };
      })
    });
  }

  function updatePositionState() {
    if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState || !current) return;
    try {
      navigator.mediaSession.setPositionState({
        duration: audio.duration || current.session.duration, playbackRate: 1,
        position: Math.min(audio.currentTime, audio.duration || current.session.duration)
      });
    } catch (e) { /* not all browsers take every value */ }
  }

  if ("mediaSession" in navigator) {
    var handlers = {
      play: start,
      pause: function () { audio.pause(); },
      stop: function () { audio.pause(); },
      seekbackward: back,
      seekto: function (details) { seekTo(details.seekTime); },
      previoustrack: function () { jumpChapter(-1); },
      nexttrack: function () { jumpChapter(1); }
    };
    Object.keys(handlers).forEach(function (action) {
      try { navigator.mediaSession.setActionHandler(action, handlers[action]); } catch (e) { /* unsupported */ }
    });
  }

  /* ---- the compact player: in reach at the bottom once the big controls scroll away ---- */

  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      var away = !entries[0].isIntersecting && !$("player").hidden;
      $("mini").hidden = !away;
      document.body.classList.toggle("with-mini", away);
    }).observe(document.querySelector("#player .controls"));
  }

  /* ---- wiring ---- */

  sessions.forEach(function (session) {
    session.card.querySelector("[data-action=play]").addEventListener("click", function () {
      open(session, true);
      $("player").scrollIntoView({ block: "start" });
    });
    showProgress(session);
  });

  window.addEventListener("pagehide", function () { savePosition(true); });
  document.addEventListener("visibilitychange", function () { if (document.hidden) savePosition(true); });

  var last = byFile(stored("last"));
  if (last) open(last, false);
})();
