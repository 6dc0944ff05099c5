/* Accessibility toolbar: font size (3 steps), high contrast, read-aloud. Settings kept in
   localStorage and applied before the page paints (this file is loaded in <head>). */
(function () {
  "use strict";
  var KEY = "cchc-a11y";
  var root = document.documentElement;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  function save(settings) {
    try { window.localStorage.setItem(KEY, JSON.stringify(settings)); } catch (e) { /* private mode */ }
  }
  function apply(settings) {
    root.setAttribute("data-font", String(settings.font || 1));
    if (settings.contrast === "high") { root.setAttribute("data-contrast", "high"); }
    else { root.removeAttribute("data-contrast"); }
  }
  var settings = load();
  apply(settings);

  function say(message) {
    var status = document.getElementById("a11y-status");
    if (status) { status.textContent = message; }
  }

  function syncButtons() {
    var buttons = document.querySelectorAll("[data-font]");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].tagName !== "BUTTON") { continue; }
      var on = String(settings.font || 1) === buttons[i].getAttribute("data-font");
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
    }
    var contrast = document.getElementById("contrast-toggle");
    if (contrast) { contrast.setAttribute("aria-pressed", settings.contrast === "high" ? "true" : "false"); }
  }

  function vietnameseVoice(voices) {
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().indexOf("vi") === 0) { return voices[i]; }
    }
    return null;
  }

  function withVoices(callback) {
    var synth = window.speechSynthesis;
    var voices = synth.getVoices();
    if (voices.length) { callback(voices); return; }
    var done = false;
    function finish() { if (!done) { done = true; callback(synth.getVoices()); } }
    synth.addEventListener("voiceschanged", finish);
    window.setTimeout(finish, 1200);
  }

  function readAloud(button) {
    var synth = window.speechSynthesis;
    if (!synth || typeof window.SpeechSynthesisUtterance === "undefined") {
      say("Trình duyệt này không hỗ trợ đọc to nội dung. Bạn có thể dùng phần mềm đọc màn hình.");
      return;
    }
    if (synth.speaking) {
      synth.cancel();
      button.setAttribute("aria-pressed", "false");
      say("Đã dừng đọc.");
      return;
    }
    withVoices(function (voices) {
      var voice = vietnameseVoice(voices);
      if (!voice) {
        say("Thiết bị của bạn chưa có giọng đọc tiếng Việt nên chưa thể đọc to nội dung. " +
            "Bạn có thể cài giọng đọc tiếng Việt cho hệ điều hành hoặc dùng phần mềm đọc màn hình.");
        return;
      }
      var content = document.getElementById("read-content") || document.getElementById("main");
      var utterance = new window.SpeechSynthesisUtterance(content.innerText);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.onend = function () { button.setAttribute("aria-pressed", "false"); };
      button.setAttribute("aria-pressed", "true");
      say("Đang đọc nội dung. Bấm lần nữa để dừng.");
      synth.speak(utterance);
    });
  }

  // Forms: the error summary takes focus, and each of its links focuses its field (without
  // JavaScript the links still jump there); the receipt's print button.
  function formHelpers() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var field = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!field) { return; }
        event.preventDefault();
        var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']");
        (label || field).scrollIntoView();
        field.focus({ preventScroll: true });
      });
    }
    var print = document.querySelector("[data-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncButtons();
    formHelpers();
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      if (target.hasAttribute("data-font") && target.closest(".a11y-bar")) {
        settings.font = parseInt(target.getAttribute("data-font"), 10);
      } else if (target.id === "contrast-toggle") {
        settings.contrast = settings.contrast === "high" ? "normal" : "high";
      } else if (target.id === "read-aloud") {
        readAloud(target);
        return;
      } else {
        return;
      }
      save(settings);
      apply(settings);
      syncButtons();
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (event.key === "/" && tag !== "input" && tag !== "textarea" && tag !== "select" && !event.target.isContentEditable) {
        var search = document.getElementById("site-search-q");
        if (search) { event.preventDefault(); search.focus(); }
      }
    });
  });
})();
