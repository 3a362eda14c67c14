// Versa's only script: small conveniences on top of pages that work without it.
// Buttons are rendered hidden and shown here, so readers without JavaScript
// never see a control that does nothing.
//
//   <button type="button" data-copy-url="/compare/x/a-vs-b" hidden>Copy link</button>
//   <button type="button" data-copy-text="plain text" hidden>Copy</button>
//
// data-copy-url is resolved against the page, so relative links copy whole.
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  var buttons = document.querySelectorAll("[data-copy-url],[data-copy-text]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy-text");
      var url = button.getAttribute("data-copy-url");
      if (url !== null) {
        text = new URL(url, window.location.href).href;
      }
      var label = button.textContent;
      navigator.clipboard.writeText(text).then(
        function () { flash(button, "Copied", label); },
        function () { flash(button, "Copy failed", label); }
      );
    });
  });

  // A row's "#" link still jumps to its row; with a clipboard it also
  // copies the row's full URL, ready to paste.
  var anchors = document.querySelectorAll("a[data-copy-anchor]");
  Array.prototype.forEach.call(anchors, function (a) {
    a.addEventListener("click", function () {
      navigator.clipboard.writeText(new URL(a.getAttribute("href"), window.location.href).href).catch(function () {});
    });
  });

  function flash(button, message, label) {
    button.textContent = message;
    button.disabled = true;
    window.setTimeout(function () {
      button.textContent = label;
      button.disabled = false;
    }, 1500);
  }
})();
