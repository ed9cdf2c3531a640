// The room view (/b/{slug}/room): one column at a time on the projector, in rotation.
// → or PageDown: next column; ← or PageUp: previous; space or P: pause or resume.
// A live update may redraw the columns: the column shown is kept by its id.
(function () {
  "use strict";
  var timer = null;
  var currentId = null;
  var paused = false;

  function room() { return document.getElementById("room"); }
  function columns() { return Array.prototype.slice.call(document.querySelectorAll("#room .column")); }

  function say() {
    var element = room(), state = document.getElementById("room-state");
    if (!element || !state) return;
    var all = columns(), index = all.findIndex(function (c) { return c.id === currentId; });
    var position = element.dataset.position
      .replace("{n}", String(index + 1)).replace("{total}", String(all.length));
    state.textContent = position + " — " + (paused ? element.dataset.paused : element.dataset.running);
  }

  function show(step) {
    var all = columns();
    if (!all.length) return;
    var index = all.findIndex(function (c) { return c.id === currentId; });
    index = index < 0 ? 0 : (index + step + all.length) % all.length;
    all.forEach(function (column, n) { column.classList.toggle("room-current", n === index); });
    currentId = all[index].id;
    say();
  }

  function schedule() {
    clearInterval(timer);
    var element = room();
    if (!element || paused) return;
    timer = setInterval(function () { show(1); }, Number(element.dataset.interval || 20) * 1000);
  }

  function start() {
    var element = room();
    if (!element || element.classList.contains("rotating")) return;
    element.classList.add("rotating");
    show(0);
    schedule();
  }

  document.addEventListener("keydown", function (event) {
    if (!room() || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") { show(1); schedule(); }
    else if (event.key === "ArrowLeft" || event.key === "PageUp") { show(-1); schedule(); }
    else if (event.key === " " || event.key === "p" || event.key === "P") {
      if (event.target.closest && event.target.closest("a, button, input, select, textarea")) return;
      paused = !paused;
      schedule();
      say();
    } else return;
    event.preventDefault();
  });

  document.addEventListener("htmx:load", start);
  document.addEventListener("htmx:wsAfterMessage", function () { if (room()) show(0); });
  // A column read again after a live move (board.js) comes without the mark of the one shown.
  document.addEventListener("toolbox:column-read", function () { if (room()) show(0); });
  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
