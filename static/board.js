// The live board's glue, where htmx alone cannot do it:
// - say which change we have seen ({"resume": seq}) each time the websocket (re)opens;
// - hold remote updates while someone drags a card or types in a form on the board, and apply
//   them once they are done, so nothing is yanked from under their hands;
// - drag-and-drop with SortableJS: tell the server "card X to column C at position i" and let
//   its broadcast put every browser, this one included, in the database's order.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var slug = live.dataset.slug;
  var socket = null;
  var held = [];
  var dragging = false;

  function seenSeq() {
    return Number(document.getElementById("board-seq").dataset.seq || live.dataset.seq || 0);
  }

  // Keep the current socket, so held messages can be handed back to the ws extension later.
  var createWebSocket = htmx.createWebSocket;
  htmx.createWebSocket = function (url) {
    socket = createWebSocket(url);
    return socket;
  };

  live.addEventListener("htmx:wsOpen", function (event) {
    held = []; // the resume below replays them, in order
    event.detail.socketWrapper.send(JSON.stringify({ resume: seenSeq() }));
  });

  function busy() {
    var focused = document.activeElement;
    return dragging || (focused && live.contains(focused) && focused.matches("input, textarea, select"));
  }

  live.addEventListener("htmx:wsBeforeMessage", function (event) {
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
  live.addEventListener("focusout", function () { setTimeout(release, 0); });

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
    if (!window.Sortable || !live.dataset.sortable || Sortable.get(element)) return;
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
    live.querySelectorAll("ol.cards").forEach(function (list) {
      sortable(list, {
        sortable: { group: "cards", draggable: ".card" },
        moved: function (event) {
          return post("/b/" + slug + "/cards/" + event.item.dataset.cardId + "/move", {
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
          return post("/b/" + slug + "/columns/" + event.item.dataset.columnId + "/move", {
            position: event.newDraggableIndex + 1,
          });
        },
      });
    }
  }

  document.addEventListener("DOMContentLoaded", enableDragging);
  live.addEventListener("htmx:wsAfterMessage", enableDragging);
})();
