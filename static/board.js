// The live board's glue, where htmx alone cannot do it:
// - say which change we have seen ({"resume": seq}) each time the websocket (re)opens;
// - hold remote updates while someone drags a card, types in a form on the board or is in a
//   column's tools, and apply them once they are done, so nothing is yanked from under their
//   hands;
// - drag-and-drop with SortableJS (loaded only for facilitators): tell the server "card X to
//   column C at position i" and let its broadcast put every browser in the database's order.
// - press the person's own star and useful buttons: a board page is shared by everyone of an
//   audience, so its buttons come unpressed and the person's marks are asked for apart
//   (#my-marks names the address); a click's answer (.marks[data-personal]) says what they now
//   are, and a live update that redraws a card is pressed again.
// - apply a card moved by someone else (the second part, below).
// Loaded on every page: hx-boost swaps bodies, so everything here looks the board up each time.
(function () {
  "use strict";
  var socket = null;
  var held = [];
  var dragging = false;

  function live() { return document.getElementById("live"); }

  function seenSeq() {
    var seq = document.getElementById("board-seq");
    return Number((seq && seq.dataset.seq) || 0);
  }

  // Keep the current socket, so held messages can be handed back to the ws extension later.
  var createWebSocket = htmx.createWebSocket;
  htmx.createWebSocket = function (url) {
    socket = createWebSocket(url);
    return socket;
  };

  document.addEventListener("htmx:wsOpen", function (event) {
    held = []; // the resume below replays them, in order
    event.detail.socketWrapper.send(JSON.stringify({ resume: seenSeq() }));
  });

  function busy() {
    var board = live();
    var focused = document.activeElement;
    return dragging || Boolean(board && focused && board.contains(focused) &&
      (focused.matches("input, textarea, select") || focused.closest(".column-tools")));
  }

  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    if (busy()) {
      event.preventDefault();
      held.push(event.detail.message);
    }
  });

  function release() {
    if (busy() || !socket) return;
    var messages = held;
    held = [];
    messages.forEach(function (data) {
      socket.dispatchEvent(new MessageEvent("message", { data: data }));
    });
  }
  document.addEventListener("focusout", function () { setTimeout(release, 0); });

  function post(url, fields) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" },
      body: new URLSearchParams(fields),
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) window.location.reload(); // refused: show the board as it really is
    });
  }

  function sortable(element, options) {
    if (Sortable.get(element)) return;
    Sortable.create(element, Object.assign({
      animation: 120,
      onStart: function () { dragging = true; },
      onEnd: function (event) {
        dragging = false;
        options.moved(event).finally(release);
      },
    }, options.sortable));
  }

  function enableDragging() {
    var board = live();
    if (!board || !board.dataset.sortable) return;
    if (!window.Sortable) {
      var script = document.createElement("script");
      script.src = board.dataset.sortable;
      script.onload = enableDragging;
      document.head.appendChild(script);
      return;
    }
    // The server's URL templates (RFC 6570), filled with the moved item's id.
    function moveUrl(template, id) {
      return template.replace("{id}", encodeURIComponent(id));
    }
    board.querySelectorAll("ol.cards").forEach(function (list) {
      sortable(list, {
        sortable: { group: "cards", draggable: ".card" },
        moved: function (event) {
          return post(moveUrl(board.dataset.cardMove, event.item.dataset.cardId), {
            column_id: event.to.dataset.columnId,
            position: event.newDraggableIndex + 1,
          });
        },
      });
    });
    var columns = document.getElementById("columns");
    if (columns) {
      sortable(columns, {
        sortable: { handle: ".column-title", draggable: ".column" },
        moved: function (event) {
          return post(moveUrl(board.dataset.columnMove, event.item.dataset.columnId), {
            position: event.newDraggableIndex + 1,
          });
        },
      });
    }
  }

  var mine = { favourite: new Set(), useful: new Set() };

  function press(root) {
    root.querySelectorAll("button[data-mark]").forEach(function (button) {
      var on = mine[button.dataset.mark].has(Number(button.dataset.cardId));
      // Only what changes: a board may hold two thousand of these buttons.
      if (button.getAttribute("aria-pressed") === (on ? "true" : "false")) return;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.value = on ? "0" : "1";
    });
  }

  // A click's answer: the card's marks as they now are for this person, swapped in by id. Read
  // them into `mine` once, wherever they landed, so that a later redraw presses them again.
  function harvest() {
    document.querySelectorAll(".marks[data-personal]").forEach(function (marks) {
      marks.querySelectorAll("button[data-mark]").forEach(function (button) {
        var set = mine[button.dataset.mark], id = Number(button.dataset.cardId);
        if (button.getAttribute("aria-pressed") === "true") set.add(id); else set.delete(id);
      });
      marks.removeAttribute("data-personal");
    });
  }

  function marksLoaded(element) {
    var source = element.querySelector && element.querySelector("#my-marks[data-url]");
    if (source) {
      fetch(source.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (marks) {
          if (!marks) return;
          mine = { favourite: new Set(marks.favourite), useful: new Set(marks.useful) };
          harvest();
          press(document);
        });
    }
    harvest();
    press(document);
  }

  // Presses of a card's marks, posted one after the other, each as the answer to the one
  // before left its button: left to htmx, presses faster than the answers would be lost (it
  // keeps only the last one waiting on a form, and drops it when the answer replaces the
  // form). Without JavaScript each press is the form's own post, as always.
  var pressing = {};
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".marks button[data-mark]");
    if (!button || !button.form) return;
    event.preventDefault();
    var card = button.dataset.cardId, mark = button.dataset.mark;
    var url = button.getAttribute("formaction") || button.form.getAttribute("hx-post");
    pressing[card] = (pressing[card] || Promise.resolve()).then(function () {
      // The button as it is now: an answer or a live update may have drawn it anew.
      var now = document.querySelector("#marks-" + card + ' button[data-mark="' + mark + '"]');
      if (!now) return null;
      return htmx.ajax("POST", url, { source: now, swap: "none" });
    }).catch(function () { return null; });
  });

  document.addEventListener("htmx:load", function (event) { marksLoaded(event.detail.elt); });
  document.addEventListener("htmx:afterRequest", function () { harvest(); press(document); });
  document.addEventListener("htmx:oobAfterSwap", function () { harvest(); press(document); });
  document.addEventListener("htmx:wsAfterMessage", function () { harvest(); press(document); });
  // After "Move to…" (a whole page load to the board's #card-N), the keyboard's focus goes back
  // to the moved card rather than to the top of the page.
  function focusLinkedCard() {
    var match = /^#card-(\d+)$/.exec(window.location.hash);
    var card = match && document.getElementById("card-" + match[1]);
    var title = card && card.querySelector(".card-title");
    if (title) title.focus();
  }
  // On "load": Chromium scrolls to the fragment once the page is loaded, and moves the focus
  // starting point there, so an earlier focus would be lost.
  window.addEventListener("load", focusLinkedCard);

  // "Go to a column": close the menu and put the focus on the column it scrolled to.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".column-jump a");
    if (!link) return;
    var column = document.getElementById(link.getAttribute("href").slice(1));
    if (!column) return;
    event.preventDefault();
    link.closest("details").open = false;
    column.scrollIntoView({ block: "nearest", inline: "start" });
    column.focus({ preventScroll: true });
  });

  // Say in words that the board scrolls sideways, when it does (the edge shadows show it too).
  function showScrollHint() {
    var hint = document.getElementById("scroll-hint");
    var columns = document.getElementById("columns");
    if (hint && columns) hint.hidden = columns.scrollWidth <= columns.clientWidth + 1;
  }
  window.addEventListener("resize", showScrollHint);
  document.addEventListener("htmx:load", showScrollHint);
  document.addEventListener("htmx:wsAfterMessage", showScrollHint);

  // Ask before what is hard to take back: archiving (data-confirm), or lowering someone's role
  // (data-confirm-lower, with data-rank on the form and on each choice). htmx waits for the
  // answer; without JavaScript the form simply posts.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form");
    if (!form) return;
    var question = form.dataset.confirm;
    var select = form.dataset.confirmLower && form.querySelector("select");
    if (select) {
      var chosen = select.options[select.selectedIndex];
      if (Number(chosen.dataset.rank) < Number(form.dataset.rank)) question = form.dataset.confirmLower;
    }
    if (!question) return;
    event.preventDefault();
    if (window.confirm(question)) event.detail.issueRequest(true);
  });

  document.addEventListener("htmx:load", enableDragging);
  document.addEventListener("htmx:wsAfterMessage", enableDragging);
  // On a page's first load this file runs once the page is parsed (defer), SortableJS already
  // there (the board puts it first): the cards can be dragged now, rather than after htmx has
  // processed the whole page (htmx:load), which on a board of a thousand cards takes a while.
  // The drop is posted by post() above, not by htmx. Dragging is set up once (sortable()).
  if (document.readyState !== "loading") enableDragging();
})();

// A card moved by someone else, applied to this page (toolbox/board/live.py, MoveView).
// The server sends the move, not its two columns redrawn: a small JSON message
//   {"seq": N, "move": {"card", "from", "to", "index", "order", "from_order"}, "say": "…"}
// (every other update is still HTML for htmx). The card element already on the page is moved
// to its index among the destination's cards; then each column's order is checked against the
// server's ("order": the CRC-32 of the card ids joined by commas, as `ordering.order_check`
// writes it). A column that differs (a frame this page never applied, a drag of its own in
// flight, a card it does not have) is read again from the server (#live's data-column, the
// `column_fragment` route) and swapped in whole; messages that arrive meanwhile wait, in order,
// so that an older column read cannot undo a newer move. The sentence goes to the live region
// that screen readers announce; the keyboard's focus stays on what it was on.
// The glue above holds messages while someone drags or types: a message it held reaches this
// part only when it lets it go. (Here rather than in a file of its own: one request less on
// every page.)
(function () {
  "use strict";
  var socket = null;
  var waiting = []; // messages that came while a column was being read again
  var reading = 0;

  var createWebSocket = htmx.createWebSocket;
  htmx.createWebSocket = function (url) {
    socket = createWebSocket(url);
    return socket;
  };
  document.addEventListener("htmx:wsOpen", function () { waiting = []; }); // resume replays them

  var table = [];
  for (var n = 0; n < 256; n++) {
    var c = n;
    for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  function crc32(text) {
    var crc = 0xffffffff;
    for (var i = 0; i < text.length; i++) crc = table[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
    return ("0000000" + ((crc ^ 0xffffffff) >>> 0).toString(16)).slice(-8);
  }

  function cardList(columnId) { return document.getElementById("column-" + columnId + "-cards"); }
  function cardsIn(list) {
    return Array.prototype.filter.call(list.children, function (e) { return e.classList.contains("card"); });
  }
  function orderOf(list) {
    return crc32(cardsIn(list).map(function (card) { return card.dataset.cardId; }).join(","));
  }
  function recount(columnId) {
    var list = cardList(columnId);
    var count = document.querySelector("#column-" + columnId + "-title .count");
    if (list && count) count.textContent = String(cardsIn(list).length);
  }

  // Where the keyboard's focus is, as something that survives the element being replaced: the
  // nearest element with an id, and the focused control's rank among its focusable elements.
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
  function focusPlace(within) {
    var focused = document.activeElement;
    if (!focused || focused === document.body || !within.contains(focused)) return null;
    var anchor = focused.closest("[id]");
    var controls = Array.prototype.slice.call(anchor.querySelectorAll(FOCUSABLE));
    return { id: anchor.id, rank: controls.indexOf(focused) };
  }
  function refocus(place) {
    var anchor = place && document.getElementById(place.id);
    if (!anchor) return;
    var target = place.rank < 0 ? anchor : anchor.querySelectorAll(FOCUSABLE)[place.rank];
    if (target && document.activeElement !== target) target.focus({ preventScroll: true });
  }

  function readAgain(columnId) {
    var live = document.getElementById("live");
    if (!live || !live.dataset.column || !document.getElementById("column-" + columnId)) {
      return Promise.resolve();
    }
    var url = live.dataset.column.replace("{id}", encodeURIComponent(columnId));
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var column = document.getElementById("column-" + columnId);
        if (html === null || !column) return; // gone: the column's own event redraws the board
        var place = focusPlace(column);
        htmx.swap(column, html, { swapStyle: "outerHTML" });
        refocus(place);
        document.dispatchEvent(new CustomEvent("toolbox:column-read", { detail: { id: columnId } }));
      })
      .catch(function () {});
  }

  // Apply the move; the columns whose order then differs from the server's.
  function apply(move) {
    var to = cardList(move.to);
    if (!to) return []; // a page without the board's columns (manage, brigade, search results)
    var card = document.getElementById("card-" + move.card);
    var stale = [];
    if (card) {
      var place = focusPlace(card);
      var others = cardsIn(to).filter(function (other) { return other !== card; });
      to.insertBefore(card, others[move.index] || null);
      refocus(place);
      if (!move.order || orderOf(to) !== move.order) stale.push(move.to);
    } else {
      stale.push(move.to); // not on this page: the column read again brings it
    }
    recount(move.to);
    recount(move.from);
    var from = cardList(move.from);
    if (from && move.from !== move.to && (!move.from_order || orderOf(from) !== move.from_order)) {
      stale.push(move.from);
    }
    return stale;
  }

  function handle(message) {
    var stale = apply(message.move);
    var seq = document.getElementById("board-seq");
    if (seq && message.seq > Number(seq.dataset.seq || 0)) seq.dataset.seq = String(message.seq);
    var announcer = document.getElementById("live-announcer");
    if (announcer && message.say) announcer.textContent = message.say;
    if (!stale.length) return;
    reading += 1;
    Promise.all(stale.map(readAgain)).then(function () {
      reading -= 1;
      if (reading || !socket) return;
      var later = waiting;
      waiting = [];
      later.forEach(function (data) { socket.dispatchEvent(new MessageEvent("message", { data: data })); });
    });
  }

  // Registered after the glue's listener above: what it holds (someone is busy) is left to it.
  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    if (event.defaultPrevented) return;
    var data = event.detail.message;
    if (reading) {
      event.preventDefault();
      waiting.push(data);
      return;
    }
    if (typeof data !== "string" || data.charAt(0) !== "{") return;
    var message;
    try { message = JSON.parse(data); } catch (error) { return; }
    if (!message.move) return;
    event.preventDefault();
    handle(message);
  });
})();
